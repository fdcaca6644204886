"""The Evaluation view's interpretation in a real browser: the "Filters" tab ranks the first
convolution's filters with their logos (a click enlarges one), the "Motif effects" tab plots
ATG's effect by position coloured by frame, and a motif outside the alphabet gets the server's
message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from factories import tiny_experiment
from kozak.experiments import create_experiment, run_experiment
from kozak.graph import chain
from kozak.settings import Settings
from kozak.store.entities import Experiment
from kozak.training import RunSettings
from kozak.workspace import Workspace
from live_server import LiveServer

from .conftest import Page, log_in, sync_api

expect = sync_api.expect


@pytest.fixture(scope="module")
def conv(live_server: LiveServer) -> Experiment:
    """A convolutional model trained (in this process) on the 40-row CSV in project "Motifs"."""
    from kozak import accounts

    workspace = Workspace.open(Settings(home=live_server.home))
    admin = workspace.metadata.get_user("admin")
    accounts.create_project(workspace, admin, "Motifs")
    tiny = Path(__file__).resolve().parents[1] / "files" / "tiny_dna.csv"
    dense = tiny_experiment(workspace, "Motifs", tiny)
    version = workspace.metadata.get_dataset_version_by_id(dense.dataset_version_id)
    graph = chain(
        ("seq", "input", {"feature": "seq"}),
        ("conv", "conv1d", {"filters": 6, "kernel_size": 3}),
        ("flatten", "flatten", {}),
        ("out", "dense", {"units": 1, "activation": "linear"}),
        ("expression", "target", {"feature": "expression"}),
    )
    settings = RunSettings.from_data({"epochs": 3, "batch_size": 8})
    return run_experiment(
        workspace, create_experiment(workspace, "Motifs", "conv", version, graph, settings)
    )


def test_filters_and_motif_effects_tabs(
    page: Page, conv: Experiment, shot: Callable[[str], Path]
) -> None:
    log_in(page)
    page.goto(f"/projects/{conv.project_id}/evaluation/{conv.id}")
    panel = page.get_by_test_id("interpretation")
    expect(panel).to_be_visible()
    panel.get_by_role("tab", name="Filters").click()
    table = page.get_by_test_id("filter-table")
    expect(table).to_be_visible(timeout=30_000)
    rows = table.locator("tbody tr")
    assert rows.count() >= 1
    logo = rows.first.locator("img")
    expect(logo).to_have_attribute("alt", f"logo of {rows.first.get_attribute('data-filter')}")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=logo.element_handle())
    box = logo.bounding_box()
    assert box is not None and box["height"] >= 80  # readable in the table, not a thumbnail
    table.scroll_into_view_if_needed()
    shot("filters")
    name = rows.first.get_attribute("data-filter")
    rows.first.get_by_role("button", name=f"Enlarge the logo of {name}").click()
    dialog = page.get_by_role("dialog", name=f"Filter {name}")
    large = dialog.get_by_role("img", name=f"large logo of {name}")
    expect(large).to_be_visible()
    large_box = large.bounding_box()
    assert large_box is not None and large_box["width"] >= 3 * box["width"]
    shot("filter-enlarged")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    panel.get_by_role("tab", name="Motif effects").click()
    summary = page.get_by_test_id("motif-effect-summary")
    expect(summary).to_contain_text("ATG in 10 sequences", timeout=30_000)
    expect(summary).to_contain_text("frame 0 (in frame)")
    chart = page.get_by_role("img", name="ATG inserted: mean effect by position")
    # 1-based positions of 10 to 12-letter rows, each in the frame its row's length gives it
    assert int(chart.get_attribute("data-points") or 0) >= 10
    chart.scroll_into_view_if_needed()
    shot("motif-effects")

    page.get_by_label("Motif (press Enter)").fill("AXG")
    page.get_by_label("Motif (press Enter)").press("Enter")
    expect(panel).to_contain_text("position 2 ('X') is not one of ACGT")
