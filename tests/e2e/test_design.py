"""The Design view in a real browser: design from a trained model, see errors, watch, export.

A tiny model trained in the fixture is chosen in the "New design" dialog; a pasted FASTA with a
letter outside the alphabet is refused with the row and letter named; the fixed one runs on the
worker (run by the test) with a forbidden ATG; the per-round chart and the designs table (edited letters
marked, sortable) appear, with CSV and FASTA downloads that answer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from factories import ADMIN_PASSWORD, tiny_version
from kozak.client import Client
from kozak.experiments import create_experiment, run_experiment
from kozak.graph import chain
from kozak.runner import Worker
from kozak.settings import Settings
from kozak.training import RunSettings
from kozak.workspace import Workspace
from live_server import LiveServer

from .conftest import Page, log_in, sync_api

expect = sync_api.expect
TINY_DNA = Path(__file__).parents[1] / "files" / "tiny_dna.csv"
STARTS = (
    ">u1\nGATTACAGATTACAGATTACAGATTACA\n>u2\nCCGGTTAACCGGTTAACCGGTTAACCGGTT\n>u3\nTTTTCCCCAAAAGGGG\n"
)


@pytest.fixture(scope="module")
def trained_project(live_server: LiveServer) -> str:
    client = Client(live_server.url, "none")
    client.login("admin", ADMIN_PASSWORD)
    project = client.create_project("Yeast design", "Sequences to make")
    workspace = Workspace.open(Settings(home=live_server.home))
    version = tiny_version(workspace, project.name, TINY_DNA)
    graph = chain(
        ("seq", "input", {"feature": "seq"}),
        ("flatten", "flatten", {}),
        ("out", "dense", {"units": 1, "activation": "linear"}),
        ("growth_rate", "target", {"feature": "growth_rate"}),
    )
    settings = RunSettings.from_data({"epochs": 2, "batch_size": 8})
    experiment = create_experiment(workspace, project.name, "tiny", version, graph, settings)
    run_experiment(workspace, experiment)
    return project.id


def test_design_from_the_browser(
    page: Page, live_server: LiveServer, trained_project: str, shot: Callable[[str], Path]
) -> None:
    log_in(page)
    page.goto(f"/projects/{trained_project}/design")
    expect(page.get_by_text("A design evolves sequences")).to_be_visible()
    page.get_by_role("button", name="New design").click()
    dialog = page.get_by_role("dialog", name="New design")
    expect(dialog.get_by_label("Strategy", exact=True)).to_have_value("greedy")
    dialog.get_by_label("Name", exact=True).fill("brighter")
    dialog.get_by_label("Sequences", exact=True).fill(STARTS.replace("TTTTCCCC", "TTTTCXCC"))
    dialog.get_by_label("Rounds", exact=True).fill("6")
    dialog.get_by_label("Forbidden motifs").fill("ATG")
    dialog.get_by_role("button", name="Run design").click()
    refused = dialog.get_by_test_id("design-error")
    expect(refused).to_contain_text("row 2")
    expect(refused).to_contain_text("'X'")
    shot("refused")

    dialog.get_by_label("Sequences", exact=True).fill(STARTS)
    dialog.get_by_role("button", name="Run design").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("design-status")).to_have_text("queued")
    # The browser tests' server has no workers: this process runs the queued design.
    assert Worker(Workspace.open(Settings(home=live_server.home)), "e2e-worker").run_one()
    expect(page.get_by_test_id("design-status")).to_have_text("completed", timeout=30_000)
    chart = page.get_by_test_id("design-rounds")
    expect(chart).to_be_visible()
    assert int(chart.get_attribute("data-rounds") or 0) >= 2
    table = page.get_by_test_id("design-table")
    expect(table.get_by_role("row")).to_have_count(4)
    assert table.locator("mark[data-edit]").count() >= 1
    sequences = table.get_by_test_id("edited-sequence").all_inner_texts()
    assert all("ATG" not in s for s in sequences)
    # The Inspector says what the design was asked.
    inspector = page.get_by_test_id("inspector")
    expect(inspector).to_contain_text("brighter")
    expect(inspector).to_contain_text("tiny")  # the model, linked to its evaluation
    expect(inspector).to_contain_text("greedy")
    expect(inspector).to_contain_text("Forbidden motifs")
    expect(inspector).to_contain_text("ATG")
    page.get_by_role("button", name="sort by Prediction").click()
    shot("designs")

    href = page.get_by_role("link", name="FASTA to order").get_attribute("href")
    assert href is not None and "format=fasta" in href
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    fasta = httpx.get(f"{live_server.url}{href}", cookies=cookies, timeout=30)
    assert fasta.status_code == 200 and fasta.text.startswith(">u1|design")
