"""The Sweeps view in a real browser, against `kozak up` with one worker that trains.

From an experiment in the Modeling view, "Search" opens the sweep dialog (the paper's search one
click away); a custom search over a block parameter and the learning rate is started; the sweep
page follows its trials over server-sent events until it completes, draws the best-so-far curve,
the parallel coordinates and the importances, and opens the best trial's experiment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from factories import ADMIN_PASSWORD
from kozak.client import Client, Project
from live_server import LiveServer

from .conftest import Page, log_in, sync_api

expect = sync_api.expect
DOCS_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "images" / "sweep-page.png"
SWEPT_MS = 150_000  # three trials of a few hundred weights, each evaluated, on a busy CI box


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own with one worker: the trials train."""
    server = LiveServer(tmp_path_factory.mktemp("e2e-sweeps") / "home").start(timeout=180)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def lab(live_server: LiveServer) -> tuple[Project, dict]:
    """A project with the 40-row CSV and a small experiment to search around."""
    client = Client(live_server.url, "none")
    client.login("admin", ADMIN_PASSWORD)
    project = client.create_project("Lab", "Sweeps on a few rows")
    tiny = Path(__file__).resolve().parents[1] / "files" / "tiny_dna.csv"
    project.create_dataset("Tiny", [tiny], rename={"expression": "growth_rate"})
    graph = {
        "name": "small",
        "nodes": [
            {"id": "seq", "type": "input", "params": {"feature": "seq"}},
            {"id": "flatten", "type": "flatten", "params": {}},
            {"id": "hidden", "type": "dense", "params": {"units": 4, "activation": "relu"}},
            {"id": "out", "type": "dense", "params": {"units": 1}},
            {"id": "growth_rate", "type": "target", "params": {"feature": "growth_rate", "loss": "mse"}},
        ],
        "edges": [["seq", "flatten"], ["flatten", "hidden"], ["hidden", "out"], ["out", "growth_rate"]],
    }
    experiment = project.create_experiment(
        "small", dataset="Tiny", graph=graph, settings={"epochs": 2, "batch_size": 8}
    )
    return project, experiment


def test_search_around_a_model_and_follow_the_sweep_live(
    page: Page, lab: tuple[Project, dict], shot: Callable[[str], Path]
) -> None:
    project, experiment = lab
    log_in(page)
    page.goto(f"/projects/{project.id}/modeling/{experiment['id']}")
    page.get_by_role("button", name="Search", exact=True).click()
    dialog = page.get_by_role("dialog", name="Search around this model")
    # the paper's search is the default choice
    expect(dialog.get_by_test_id("paper-space")).to_contain_text("conv_width, conv_filters, conv_layers")
    dialog.get_by_text("Pick parameters").click()
    dialog.get_by_label("Parameter 1", exact=True).click()
    page.get_by_role("option", name="hidden.units", exact=True).click()
    dialog.get_by_label("Values 1").fill("2, 8")
    dialog.get_by_role("button", name="Add parameter").click()
    dialog.get_by_label("Parameter 2", exact=True).click()
    page.get_by_role("option", name="settings.optimizer.lr", exact=True).click()
    dialog.get_by_label("Values 2").fill("0.001..0.05")
    dialog.get_by_label("log").nth(1).check()
    dialog.get_by_label("Trials").fill("3")
    dialog.get_by_label("Sweep name").fill("small-search")
    dialog.get_by_role("button", name="Start sweep").click()

    expect(page).to_have_url(re.compile(rf"/projects/{project.id}/sweeps/swp_[0-9a-f]+$"))
    expect(page.get_by_role("tab", name="Sweeps")).to_have_attribute("aria-selected", "true")
    # trials end one after another; the page follows the event stream without a reload
    expect(page.get_by_test_id("sweep-status")).to_have_text("completed", timeout=SWEPT_MS)
    expect(page.get_by_test_id("sweep-counts")).to_contain_text("3 complete")
    rows = page.locator("table[aria-label=Trials] tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("tr[data-state=complete]")).to_have_count(3)
    expect(page.get_by_role("img", name="Parallel coordinates of the trials")).to_have_attribute(
        "data-lines", "3"
    )
    expect(page.get_by_role("img", name="Best objective so far")).to_have_attribute("data-points", "3")
    expect(page.get_by_role("img", name="Parameter importances")).to_have_attribute("data-bars", "2")
    inspector = page.get_by_test_id("inspector")  # what the sweep searches, and from what
    for said in ("small-search", "minimize val_loss", "hidden_units", "optimizer_lr", "tpe"):
        expect(inspector).to_contain_text(said)
    expect(inspector).not_to_contain_text("usr_")  # the creator by name, not by id
    shot("sweep")
    if os.environ.get("KOZAK_UPDATE_DOCS_IMAGES"):  # as the other docs images: on request only
        page.screenshot(path=str(DOCS_IMAGE))

    best = rows.filter(has_text="★")
    expect(best).to_have_count(1)
    name = best.get_by_role("link").inner_text()
    page.get_by_role("button", name="Open best trial").click()
    expect(page).to_have_url(re.compile(rf"/projects/{project.id}/evaluation/exp_[0-9a-f]+$"))
    expect(page.get_by_test_id("experiment-name")).to_have_text(name)


def test_a_search_naming_no_value_says_what_is_expected(page: Page, lab: tuple[Project, dict]) -> None:
    project, experiment = lab
    log_in(page)
    page.goto(f"/projects/{project.id}/modeling/{experiment['id']}")
    page.get_by_role("button", name="Search", exact=True).click()
    dialog = page.get_by_role("dialog", name="Search around this model")
    dialog.get_by_text("Pick parameters").click()
    dialog.get_by_role("button", name="Start sweep").click()
    expect(dialog.get_by_test_id("sweep-problem")).to_have_text("pick a parameter for every row")
    dialog.get_by_label("Parameter 1", exact=True).click()
    page.get_by_role("option", name="hidden.units", exact=True).click()
    dialog.get_by_label("Values 1").fill("0")  # the server refuses a dense layer of 0 units
    dialog.get_by_role("button", name="Start sweep").click()
    expect(dialog.get_by_test_id("sweep-problem")).to_contain_text("0 is not a valid 'units'")
