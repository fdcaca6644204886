"""The Deployment view in a real browser: deploy a trained experiment, call it, watch its usage.

An experiment trained in the fixture (the 40-row tiny CSV, two epochs) is deployed from the
"New deployment" dialog; the URL and the once-shown token appear with the snippets; the test
form predicts a number and shows a bad sequence's 422 inline; calls of the URL with the token
count in the table and the usage panel; disabling refuses calls (403), a regenerated token
retires the old one (401), and a disabled deployment can be deleted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from factories import ADMIN_PASSWORD, tiny_version
from kozak.client import Client, Project
from kozak.experiments import create_experiment, run_experiment
from kozak.graph import preset
from kozak.settings import Settings
from kozak.store.entities import utcnow
from kozak.training import RunSettings
from kozak.workspace import Workspace
from live_server import LiveServer

from .conftest import Page, log_in, requests_to, sync_api

expect = sync_api.expect
TINY_DNA = Path(__file__).parents[1] / "files" / "tiny_dna.csv"
SEQUENCE = "GATTACAGATTACAGATTACAGATTACAGATTACAGATTACAGATTACAG"  # 50 nt, the window


@pytest.fixture(scope="module")
def trained_project(live_server: LiveServer) -> str:
    """A project holding a completed two-epoch `cuperus2017-tutorial` experiment; its id."""
    return trained_tutorial(live_server, "Yeast deploy", "A model to serve", epochs=2)[1].id


def trained_tutorial(
    live_server: LiveServer, name: str, description: str, epochs: int
) -> tuple[Client, Project, Workspace]:
    """A new project holding a completed `cuperus2017-tutorial` experiment named `tutorial`."""
    client = Client(live_server.url, "none")
    client.login("admin", ADMIN_PASSWORD)
    project = client.create_project(name, description)
    workspace = Workspace.open(Settings(home=live_server.home))
    version = tiny_version(workspace, project.name, TINY_DNA)
    settings = RunSettings.from_data({"epochs": epochs, "batch_size": 8})
    experiment = create_experiment(
        workspace, project.name, "tutorial", version, preset("cuperus2017-tutorial"), settings
    )
    run_experiment(workspace, experiment)
    return client, project, workspace


def forward(url: str, token: str, sequence: str = SEQUENCE) -> httpx.Response:
    return httpx.post(
        url, json={"rows": [{"seq": sequence}]}, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


# Reads an input's value every 20 ms for `ms` milliseconds.
SAMPLE_VALUES = """(input, ms) => new Promise((done) => {
  const seen = [];
  const timer = setInterval(() => seen.push(input.value), 20);
  setTimeout(() => { clearInterval(timer); done(seen); }, ms);
})"""


def test_deploy_try_call_toggle_and_delete(
    page: Page, live_server: LiveServer, trained_project: str, shot: Callable[[str], Path]
) -> None:
    log_in(page)
    page.goto(f"/projects/{trained_project}/deployment")
    expect(page.get_by_role("heading", name="Put a model to work")).to_be_visible()
    shot("empty")

    # Deploy the experiment's best checkpoint under a name of our own.
    page.get_by_role("button", name="New deployment").click()
    dialog = page.get_by_role("dialog", name="New deployment")
    expect(dialog.get_by_label("Experiment")).to_have_value("tutorial")
    # The select shows the chosen name in its search box; that must not read as a search that
    # un-chooses it after the search's debounce (it did: the choice blinked every ~300 ms).
    seen = dialog.get_by_label("Experiment").evaluate(SAMPLE_VALUES, 1500)
    assert set(seen) == {"tutorial"}, f"the chosen experiment did not hold still: {sorted(set(seen))}"
    dialog.get_by_label("Checkpoint").click()
    expect(page.get_by_role("option", name="Epoch 2", exact=True)).to_be_visible()
    page.get_by_role("option", name=re.compile(r"^Best: epoch \d")).click()
    dialog.get_by_label("Name").fill("Yeast growth")
    shot("new-deployment")
    dialog.get_by_role("button", name="Deploy").click()

    # The URL and the token, shown once, with the snippets carrying both.
    notice = page.get_by_test_id("token-notice")
    expect(notice).to_contain_text("shown only this once")
    shot("created")
    token = notice.get_by_role("textbox", name="Token").input_value()
    assert token.startswith("kzd_")
    url = page.get_by_role("textbox", name="URL").input_value()
    assert re.fullmatch(rf"{live_server.url}/deployment/dep_\w+/forward", url), url
    row = page.locator("[data-deployment='Yeast growth']")
    expect(row).to_contain_text("tutorial")
    expect(page.get_by_test_id("snippet-curl")).to_contain_text(f"Bearer {token}")
    expect(page.get_by_test_id("snippet-curl")).to_contain_text(url)

    # The test form: a sequence gives a number; a bad letter gives the server's 422 inline.
    page.get_by_label("seq", exact=True).fill(SEQUENCE)
    page.get_by_role("button", name="Predict", exact=True).click()
    expect(page.get_by_test_id("prediction-growth_rate")).to_have_text(
        re.compile(r"^-?\d+(\.\d+)?(e-?\d+)?$")
    )
    expect(page.get_by_test_id("snippet-curl")).to_contain_text(SEQUENCE)
    shot("created-and-tried")
    page.get_by_label("seq", exact=True).fill("ACGTXACGT")
    page.get_by_role("button", name="Predict", exact=True).click()
    expect(page.get_by_test_id("try-error")).to_contain_text("feature 'seq'")
    expect(page.get_by_test_id("try-error")).to_contain_text("'X'")
    shot("try-error")
    page.get_by_label("seq", exact=True).fill(SEQUENCE)
    page.get_by_role("button", name="Predict", exact=True).click()
    expect(page.get_by_test_id("try-error")).to_be_hidden()

    # Calls with the token count; disabled, the URL answers 403; enabled again, 200.
    assert forward(url, token).status_code == 200
    assert forward(url, token).status_code == 200
    switch = page.get_by_role("switch", name="Enable Yeast growth")
    switch.click(force=True)
    expect(page.get_by_test_id("deployment-state")).to_have_text("disabled")
    assert forward(url, token).status_code == 403
    switch.click(force=True)
    expect(page.get_by_test_id("deployment-state")).to_have_text("enabled")
    assert forward(url, token).status_code == 200
    expect(row.get_by_test_id("requests-today")).to_have_text("3")
    expect(page.get_by_test_id("usage-requests")).to_have_text("3")
    expect(page.get_by_test_id("inspector")).to_contain_text("Yeast growth")
    page.get_by_label("Usage", exact=True).scroll_into_view_if_needed()
    shot("usage")
    page.emulate_media(color_scheme="dark")
    shot("usage-dark")
    page.emulate_media(color_scheme="light")

    # A new token retires the old one at once.
    page.get_by_role("button", name="I have copied it").click()
    expect(page.get_by_test_id("token-notice")).to_be_hidden()
    page.get_by_role("button", name="Regenerate token").click()
    page.get_by_role("dialog").get_by_role("button", name="Regenerate token").click()
    fresh = page.get_by_test_id("token-notice").get_by_role("textbox", name="Token").input_value()
    assert fresh.startswith("kzd_") and fresh != token
    assert forward(url, token).status_code == 401
    assert forward(url, fresh).status_code == 200

    # Deleting needs it disabled first.
    delete = page.get_by_role("button", name="Delete")
    expect(delete).to_be_disabled()
    switch.click(force=True)
    expect(delete).to_be_enabled()
    delete.click()
    page.get_by_role("dialog").get_by_role("button", name="Delete deployment").click()
    expect(page.get_by_role("heading", name="Put a model to work")).to_be_visible()
    assert forward(url, fresh).status_code == 404


def test_the_form_drops_a_stale_refusal_and_warns_of_a_cut_sequence(
    page: Page, live_server: LiveServer, trained_project: str, shot: Callable[[str], Path]
) -> None:
    """A refused input's error goes with the input ("Random" replaces it); a sequence longer than
    the 50-letter window is flagged while typed and predicted with the server's warning."""
    client = Client(live_server.url, "none")
    client.login("admin", ADMIN_PASSWORD)
    deployment = client.project(trained_project).deploy("tutorial", name="Form")
    log_in(page)
    page.goto(f"/projects/{trained_project}/deployment/{deployment['id']}")
    seq = page.get_by_label("seq", exact=True)
    seq.fill("ACGTXACGT")
    page.get_by_role("button", name="Predict", exact=True).click()
    expect(page.get_by_test_id("try-error")).to_contain_text("'X'")
    page.get_by_role("button", name="Random seq").click()
    expect(page.get_by_test_id("try-error")).to_be_hidden()
    expect(seq).not_to_have_attribute("aria-invalid", "true")

    seq.fill("TTTTTTTTTTTT" + SEQUENCE)  # right-aligned: the first 12 letters fall outside
    expect(page.get_by_test_id("window-note-seq")).to_have_text(
        "62 letters but the model reads 50: the first 12 will be left out"
    )
    page.get_by_role("button", name="Predict", exact=True).click()
    expect(page.get_by_test_id("try-warnings")).to_contain_text("62 letters but the model reads 50")
    shot("window-warning")


def test_a_pasted_list_or_a_file_is_predicted_as_a_table_to_download(
    page: Page,
    live_server: LiveServer,
    trained_project: str,
    tmp_path: Path,
    shot: Callable[[str], Path],
) -> None:
    client = Client(live_server.url, "none")
    client.login("admin", ADMIN_PASSWORD)
    deployment = client.project(trained_project).deploy("tutorial", name="Many")
    log_in(page)
    page.goto(f"/projects/{trained_project}/deployment/{deployment['id']}")
    many = page.get_by_label("Predict many")
    fasta = f">first\n{SEQUENCE[:25]}\n{SEQUENCE[25:]}\n>second\nACGTACGT\n>long\nTTTTT{SEQUENCE}\n"
    many.get_by_label("seq, one per line").fill(fasta)
    many.get_by_role("button", name="Predict the list").click()
    table = page.get_by_test_id("batch-predictions")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.locator("tr[data-row='1']")).to_contain_text("first")
    expect(many).to_contain_text("1 sequence cut to the model's window")
    with page.expect_download() as download:
        many.get_by_role("link", name="Download CSV").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0] == "name,seq,growth_rate_pred" and len(lines) == 4
    assert lines[1].startswith(f"first,{SEQUENCE},") and lines[3].startswith("long,")
    shot("many")

    csv = tmp_path / "utrs.csv"
    csv.write_text(f"id,seq\nu1,{SEQUENCE}\nu2,GATTACA\n")
    with page.expect_file_chooser() as chooser:
        many.get_by_role("button", name="Predict a file…").click()
    chooser.value.set_files(str(csv))
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tr[data-row='2']")).to_contain_text("u2")
    bad = tmp_path / "bad.csv"
    bad.write_text("id,sequence\nu1,ACGT\n")
    with page.expect_file_chooser() as chooser:
        many.get_by_role("button", name="Predict a file…").click()
    chooser.value.set_files(str(bad))
    expect(page.get_by_test_id("batch-error")).to_contain_text("line 1: no column 'seq'")


CROWD = 70  # more than one page of the list (DEPLOYMENT_PAGE, 50)


def test_a_list_beyond_one_page_loads_more_as_it_scrolls(
    page: Page, live_server: LiveServer, shot: Callable[[str], Path]
) -> None:
    """The view opens the newest deployment though it is not on the first page, shows the
    total, and fetches the next page (with the cursor) when the end of the table scrolls in."""
    client, project, workspace = trained_tutorial(
        live_server, "Crowded", "More deployments than a page", epochs=1
    )
    first = client.project(project.id).deploy("tutorial", name="dep-000")
    stored = workspace.metadata.get_deployment(first["id"])
    start = utcnow()
    for i in range(1, CROWD):  # copies of the real one (same checkpoint), straight into the store
        workspace.metadata.create_deployment(
            stored.model_copy(
                update={
                    "id": f"dep_crowd{i:03d}",
                    "name": f"dep-{i:03d}",
                    "created_at": start + timedelta(seconds=i),
                }
            )
        )
    lists = requests_to(page, rf"/api/projects/{project.id}/deployments\?")

    log_in(page)
    page.goto(f"/projects/{project.id}/deployment")
    expect(page).to_have_url(re.compile(r"/deployment/dep_crowd069$"))  # the newest, on page two
    expect(page.get_by_text(f"{CROWD}", exact=True)).to_be_visible()  # the total, not the rows
    rows = page.locator("tr[data-deployment]")
    expect(rows).to_have_count(50)
    assert not any("cursor=" in url for url in lists), lists
    rows.last.scroll_into_view_if_needed()
    expect(rows).to_have_count(CROWD)
    expect(page.locator('tr[data-deployment="dep-069"]')).to_have_attribute("aria-selected", "true")
    assert any("cursor=" in url and "limit=50" in url for url in lists), lists
    shot("scrolled")
