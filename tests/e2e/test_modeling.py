"""The tutorial's Modeling steps in a real browser.

A saved version like the tutorial's (`seq`: a (4, 70, 1) one-hot array per row, `growth_rate`,
training and validation subsets) is made over HTTP. Then: the New-experiment wizard (blank), the
tutorial's blocks added one by one from the palette with the shapes read off the canvas
(1 x 58 x 128, 46, 34 after copy and paste, 4352 under Flatten), the totals, a YAML edit and its
undo, the settings (batch 32, Adam) and Run: the experiment is queued and its Evaluation view
opens (this server runs no workers, so it stays queued).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from factories import ADMIN_PASSWORD
from kozak.client import Client
from kozak.training.settings import auto_precision_choices
from live_server import LiveServer

from .conftest import Page, log_in, sync_api

expect = sync_api.expect
DOCS_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "images" / "modeling.png"
ROWS = 64
TUTORIAL_PARAMETERS = "711,681"  # the cuperus2017-tutorial preset at length 70


def yeast_project(server: LiveServer, folder: Path, name: str, *, as_array: bool) -> dict[str, Any]:
    """A project with the tutorial's dataset: a CSV (index, `rl` → growth_rate) and an NPY of
    one-hot sequences `seq`, either (N, 4, 70, 1) kept as an array feature (the tutorial's
    input) or (N, 4, 70) left as the (4, 70) sequence it is detected as; default subsets."""
    rng = np.random.default_rng(5)
    codes = rng.integers(0, 4, (ROWS, 70))
    arrays = np.zeros((ROWS, 4, 70), np.float32)
    arrays[np.arange(ROWS)[:, None], codes, np.arange(70)[None, :]] = 1.0
    npy = folder / "onehot.npy"
    np.save(npy, arrays[..., None] if as_array else arrays)
    csv = folder / "yeast.csv"
    pd.DataFrame({"index": np.arange(ROWS), "rl": rng.normal(size=ROWS)}).to_csv(csv, index=False)

    client = Client(server.url, "none")
    client.login("admin", ADMIN_PASSWORD)
    project = client.create_project(name)
    draft = client.post(f"{project.path}/drafts", {"name": "Yeast"})
    project.upload(draft["id"], csv)
    project.upload(draft["id"], npy)
    features = f"{project.path}/drafts/{draft['id']}/features"
    client.request("PATCH", f"{features}/rl", json={"name": "growth_rate"})
    client.request(
        "PATCH", f"{features}/onehot", json={"name": "seq", **({"type": "array"} if as_array else {})}
    )
    version = client.post(f"{project.path}/drafts/{draft['id']}/save", {})
    assert set(version["subset_counts"]) == {"training", "validation"}
    return {"client": client, "project": project, "version": version}


@pytest.fixture
def tutorial_project(live_server: LiveServer, tmp_path: Path) -> dict[str, Any]:
    return yeast_project(live_server, tmp_path, "Yeast Modeling", as_array=True)


@pytest.fixture
def sequence_project(live_server: LiveServer, tmp_path: Path) -> dict[str, Any]:
    return yeast_project(live_server, tmp_path, "Yeast Snippets", as_array=False)


def choose(scope: sync_api.Locator | Page, page: Page, field: str, option: str) -> None:
    """Pick `option` in the Mantine select labelled `field` inside `scope`."""
    scope.get_by_role("textbox", name=field, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def shape_of(page: Page, node: str) -> sync_api.Locator:
    """The output shape shown under a block on the canvas."""
    return page.locator(f'.react-flow__node[data-id="{node}"] [data-testid=shape]')


def test_the_tutorial_model_block_by_block(
    page: Page, tutorial_project: dict[str, Any], shot: Callable[[str], Path]
) -> None:
    project = tutorial_project["project"]
    client: Client = tutorial_project["client"]
    log_in(page)
    page.goto(f"/projects/{project.id}/modeling")
    expect(page.get_by_role("heading", name="Build a model")).to_be_visible()

    # the wizard: name, dataset, version, subsets, then a blank canvas
    page.get_by_role("button", name="New experiment").click()
    wizard = page.get_by_role("dialog", name="New experiment")
    wizard.get_by_label("Name").fill("Tutorial")
    expect(wizard.get_by_role("textbox", name="Dataset", exact=True)).to_have_value("Yeast")
    expect(wizard.get_by_role("textbox", name="Training subset", exact=True)).to_have_value(
        re.compile(r"^training \(\d+ rows\)$")
    )
    shot("wizard-data")
    wizard.get_by_role("button", name="Next").click()
    expect(
        wizard.get_by_role("radio", name="Cuperus et al. 2017, Peltarion tutorial variant")
    ).to_be_visible()
    expect(wizard.get_by_role("radio", name="Blank experiment")).to_have_attribute(
        "aria-checked", "true"
    )
    shot("wizard-model")
    wizard.get_by_role("button", name="Create experiment").click()
    expect(wizard).to_be_hidden()
    expect(page.get_by_text("An empty canvas")).to_be_visible()

    palette = page.get_by_role("navigation", name="Blocks")
    inspector = page.get_by_role("complementary", name="Inspector")

    def add(block: str) -> None:
        palette.get_by_role("button", name=block, exact=True).click()

    def fill(field: str, value: str) -> None:
        inspector.get_by_role("textbox", name=field, exact=True).fill(value)

    # Input: the seq feature, a (4, 70, 1) array
    add("Input")
    choose(inspector, page, "Feature", "seq (array 4 x 70 x 1)")
    expect(shape_of(page, "input1")).to_have_text("4 x 70 x 1")

    # 2D Convolution 128 filters, 13 wide, 4 high: 1 x 58 x 128 underneath
    add("2D Convolution")
    fill("Filters", "128")
    fill("Width", "13")
    fill("Height", "4")
    expect(shape_of(page, "conv1")).to_have_text("1 x 58 x 128")
    add("Dropout")
    fill("Rate", "0.15")
    expect(shape_of(page, "dropout1")).to_have_text("1 x 58 x 128")

    add("2D Convolution")
    fill("Filters", "128")
    fill("Width", "13")
    fill("Height", "1")
    expect(shape_of(page, "conv2")).to_have_text("1 x 46 x 128")
    add("Dropout")
    fill("Rate", "0.15")
    expect(shape_of(page, "dropout2")).to_have_text("1 x 46 x 128")

    # copy the last Conv/Dropout pair and paste it: it continues the chain
    page.locator('.react-flow__node[data-id="conv2"]').click()
    page.locator('.react-flow__node[data-id="dropout2"]').click(modifiers=["Control"])
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(shape_of(page, "conv3")).to_have_text("1 x 34 x 128")
    expect(shape_of(page, "dropout3")).to_have_text("1 x 34 x 128")

    add("Flatten")  # after the pasted pair, still selected
    expect(shape_of(page, "flatten1")).to_have_text("4352")
    add("Dense")
    fill("Nodes", "64")
    expect(shape_of(page, "dense1")).to_have_text("64")
    add("Dense")
    fill("Nodes", "1")
    choose(inspector, page, "Activation", "Linear")
    expect(shape_of(page, "dense2")).to_have_text("1")
    add("Target")
    choose(inspector, page, "Feature", "growth_rate (float)")
    expect(inspector.get_by_role("textbox", name="Loss function", exact=True)).to_have_value(
        "Mean squared error"
    )

    totals = page.get_by_test_id("totals")
    expect(totals.get_by_test_id("total-params")).to_have_text(TUTORIAL_PARAMETERS)
    expect(totals.get_by_text("Ready")).to_be_visible()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    # the docs' picture: a taller window, so the whole model is legible
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.get_by_role("button", name="Fit to view").click()
    page.wait_for_timeout(400)  # the fit's short animation
    page.locator('.react-flow__node[data-id="conv1"]').click()
    canvas_shot = shot("canvas")
    if os.environ.get("KOZAK_UPDATE_DOCS_IMAGES"):  # refresh the README's screenshot on request
        shutil.copyfile(canvas_shot, DOCS_IMAGE)
    page.set_viewport_size({"width": 1280, "height": 800})

    # what is on the canvas is what the server stored
    graph = client.get(f"{project.path}/experiments/Tutorial")["graph"]
    assert [n["id"] for n in graph["nodes"]] == [
        "input1", "conv1", "dropout1", "conv2", "dropout2", "conv3", "dropout3",
        "flatten1", "dense1", "dense2", "target1",
    ]  # fmt: skip
    conv1 = graph["nodes"][1]["params"]
    assert (conv1["filters"], conv1["width"], conv1["height"], conv1["padding"]) == (128, 13, 4, "valid")

    # a shape error shows on the block that causes it; undo takes it back
    page.locator('.react-flow__node[data-id="conv3"]').click()
    fill("Height", "3")
    conv3 = page.locator('.react-flow__node[data-id="conv3"]')
    expect(conv3.get_by_test_id("block-issue")).to_contain_text("height")
    expect(totals.get_by_text("1 error")).to_be_visible()
    shot("shape-error")
    page.locator(".react-flow__pane").click(position={"x": 40, "y": 300})
    page.keyboard.press("Control+z")
    expect(shape_of(page, "conv3")).to_have_text("1 x 34 x 128")
    expect(conv3.get_by_test_id("block-issue")).to_have_count(0)

    # the YAML panel: an edit there redraws the canvas, and undo reverts it
    page.get_by_role("button", name="YAML").click()
    yaml_box = page.get_by_role("textbox", name="Graph YAML")
    expect(yaml_box).to_contain_text("- [conv1, dropout1]")
    text = yaml_box.input_value()
    assert "units: 64" in text
    yaml_box.fill(text.replace("units: 64", "units: 32"))
    expect(shape_of(page, "dense1")).to_have_text("32")
    shot("yaml")
    page.locator(".react-flow__pane").click(position={"x": 40, "y": 300})
    page.keyboard.press("Control+z")
    expect(shape_of(page, "dense1")).to_have_text("64")
    expect(yaml_box).to_contain_text("units: 64")
    page.get_by_role("button", name="Close YAML").click()

    # Settings: batch size 32 (the default) and the Adam optimizer, 2 epochs
    inspector.get_by_role("tab", name="Settings").click()
    settings = inspector.get_by_test_id("settings-panel")
    batch = settings.get_by_role("textbox", name="Batch size", exact=True)
    expect(batch).to_have_value("32")
    batch.fill("0")  # the server's check names the setting
    expect(settings.get_by_text("greater than or equal to 1")).to_be_visible()
    batch.fill("32")
    expect(settings.get_by_text("greater than or equal to 1")).to_have_count(0)
    choose(settings, page, "Optimizer", "Adam")
    settings.get_by_role("textbox", name="Epochs", exact=True).fill("2")
    # precision: auto by default, and what auto runs in on this server, with the reason
    auto = auto_precision_choices()["auto"]  # the form shows the device setting, auto
    expect(settings.get_by_test_id("auto-precision")).to_contain_text(f"{auto.used}, because")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    shot("settings")

    # Run: training is queued, its Evaluation view opens, and the experiment is locked
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/projects/{project.id}/evaluation/exp_\w+$"))
    expect(page.get_by_test_id("experiment-name")).to_have_text("Tutorial")
    expect(page.get_by_test_id("experiment-status")).to_have_text(re.compile("queued", re.I))
    page.go_back()
    expect(page.get_by_text("Clone it to try changes")).to_be_visible()
    expect(palette.get_by_role("button", name="Dense", exact=True)).to_be_disabled()
    shot("queued")
    stored = client.get(f"{project.path}/experiments/Tutorial")
    assert stored["status"] == "queued"
    assert stored["settings"]["batch_size"] == 32 and stored["settings"]["optimizer"]["name"] == "adam"
    assert stored["settings"]["epochs"] == 2
    assert len(stored["graph"]["edges"]) == 10


def new_experiment(page: Page, name: str, start: str) -> None:
    page.get_by_role("button", name="New experiment").click()
    wizard = page.get_by_role("dialog", name="New experiment")
    wizard.get_by_label("Name").fill(name)
    wizard.get_by_role("button", name="Next").click()
    wizard.get_by_role("radio", name=start).click()
    wizard.get_by_role("button", name="Create experiment").click()
    expect(wizard).to_be_hidden()


def test_a_snippet_warnings_deleting_and_a_sequence_seen_as_an_image(
    page: Page, sequence_project: dict[str, Any], shot: Callable[[str], Path]
) -> None:
    project = sequence_project["project"]
    log_in(page)
    page.goto(f"/projects/{project.id}/modeling")

    # the tutorial's snippet on a (4, 70) sequence: its Input sees it as 4 x 70 x 1
    new_experiment(page, "From the snippet", "Cuperus et al. 2017, Peltarion tutorial variant")
    for node, shape in [
        ("seq", "4 x 70 x 1"), ("conv1", "1 x 58 x 128"), ("conv2", "1 x 46 x 128"),
        ("conv3", "1 x 34 x 128"), ("flatten", "4352"), ("growth_rate", "1"),
    ]:  # fmt: skip
        expect(shape_of(page, node)).to_have_text(shape)
    totals = page.get_by_test_id("totals")
    expect(totals.get_by_test_id("total-params")).to_have_text(TUTORIAL_PARAMETERS)

    # a ReLU before a regression target: a warning on the Target, with the message
    inspector = page.get_by_role("complementary", name="Inspector")
    page.locator('.react-flow__node[data-id="dense2"]').click()
    choose(inspector, page, "Activation", "ReLU")
    target_issue = page.locator('.react-flow__node[data-id="growth_rate"] [data-testid=block-issue]')
    expect(target_issue).to_contain_text("linear")
    expect(totals.get_by_text("1 warning")).to_be_visible()
    shot("warning")
    page.get_by_role("button", name="Undo").click()
    expect(target_issue).to_have_count(0)

    # deleting a block inside the chain keeps the chain: conv1 now feeds conv2
    page.locator('.react-flow__node[data-id="dropout1"]').click()
    page.keyboard.press("Delete")
    expect(page.locator('.react-flow__node[data-id="dropout1"]')).to_have_count(0)
    expect(shape_of(page, "conv2")).to_have_text("1 x 46 x 128")
    expect(totals.get_by_text("Ready")).to_be_visible()
    page.get_by_role("button", name="Auto-layout").click()
    expect(shape_of(page, "flatten")).to_have_text("4352")

    # a blank canvas on sequences: the Input is there; a 2D convolution makes it 4 x 70 x 1
    new_experiment(page, "Blank on sequences", "Blank experiment")
    expect(shape_of(page, "seq")).to_have_text("4 x 70")
    page.locator('.react-flow__node[data-id="seq"]').click()
    page.get_by_role("navigation", name="Blocks").get_by_role("button", name="2D Convolution").click()
    expect(page.get_by_text("is now seen as 4 x 70 x 1")).to_be_visible()
    expect(shape_of(page, "seq")).to_have_text("4 x 70 x 1")
    expect(shape_of(page, "conv1")).to_have_text("2 x 68 x 64")  # the defaults: 64 filters 3 x 3

    # a block dragged from the palette lands where it is dropped, unconnected (and says so)
    page.get_by_role("navigation", name="Blocks").get_by_role(
        "button", name="Dense", exact=True
    ).drag_to(page.locator(".react-flow__pane"), target_position={"x": 560, "y": 160})
    dense = page.locator('.react-flow__node[data-id="dense1"]')
    expect(dense.get_by_test_id("block-issue")).to_contain_text("connect")
    shot("dropped")

    # the experiment's name is edited in the Settings tab
    inspector.get_by_role("tab", name="Settings").click()
    name = inspector.get_by_role("textbox", name="Experiment name", exact=True)
    name.fill("Sequences as images")
    name.press("Enter")
    expect(page.get_by_role("textbox", name="Experiment", exact=True)).to_have_value(
        "Sequences as images"
    )
    page.get_by_role("button", name="Switch to the dark theme").click()
    shot("dark")


@pytest.fixture
def snippet_experiment(
    live_server: LiveServer, tmp_path: Path, request: pytest.FixtureRequest
) -> tuple[str, str]:
    """The tutorial's snippet (11 blocks) on sequences, not run, in a project of the test's
    own: (project, experiment) ids."""
    name = request.node.name.removeprefix("test_")[:60]
    project = yeast_project(live_server, tmp_path, name, as_array=False)["project"]
    made = project.create_experiment("Snippet", dataset="Yeast", preset="cuperus2017-tutorial")
    return project.id, made["id"]


def test_leaving_with_an_unsaved_edit_asks_first(
    page: Page, snippet_experiment: tuple[str, str]
) -> None:
    project_id, experiment_id = snippet_experiment
    log_in(page)
    page.goto(f"/projects/{project_id}/modeling/{experiment_id}")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    held: list[sync_api.Route] = []  # the save stays on its way: "Saving…" until the page goes
    page.route(
        re.compile(rf".*/experiments/{experiment_id}$"),
        lambda route: held.append(route) if route.request.method == "PATCH" else route.continue_(),
    )
    page.locator('.react-flow__node[data-id="dense1"]').click()
    nodes = page.get_by_role("complementary", name="Inspector").get_by_role("textbox", name="Nodes")
    with page.expect_request(lambda r: r.method == "PATCH"):
        nodes.fill("48")
    expect(page.get_by_test_id("save-state")).to_have_text("Saving…")
    asked: list[str] = []

    def answer(dialog: sync_api.Dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"] and len(held) == 1


def test_several_blocks_are_selected_by_shift_click_or_a_box(
    page: Page, snippet_experiment: tuple[str, str]
) -> None:
    project_id, experiment_id = snippet_experiment
    log_in(page)
    page.goto(f"/projects/{project_id}/modeling/{experiment_id}")
    expect(page.get_by_test_id("selection-hint")).to_contain_text("Shift+click")
    inspector = page.get_by_role("complementary", name="Inspector")
    page.locator('.react-flow__node[data-id="conv1"]').click()
    page.locator('.react-flow__node[data-id="conv2"]').click(modifiers=["Shift"])
    expect(inspector).to_contain_text("2 blocks selected")

    page.locator(".react-flow__pane").click(position={"x": 20, "y": 20})
    expect(page.locator(".react-flow__node.selected")).to_have_count(0)
    boxes = [page.locator(f'.react-flow__node[data-id="{n}"]').bounding_box() for n in ("seq", "conv1")]
    assert boxes[0] and boxes[1]
    left = min(b["x"] for b in boxes if b) - 8
    top = min(b["y"] for b in boxes if b) - 8
    right = max(b["x"] + b["width"] for b in boxes if b) + 8
    bottom = max(b["y"] + b["height"] for b in boxes if b) + 8
    page.keyboard.down("Shift")
    page.mouse.move(left, top)
    page.mouse.down()
    page.mouse.move((left + right) / 2, (top + bottom) / 2, steps=4)
    page.mouse.move(right, bottom, steps=4)
    page.mouse.up()
    page.keyboard.up("Shift")
    expect(inspector).to_contain_text("2 blocks selected")


def test_fit_to_view_stays_readable_and_clear_of_the_totals(
    page: Page, snippet_experiment: tuple[str, str], shot: Callable[[str], Path]
) -> None:
    """The snippet's 11 blocks with the YAML panel open: Fit to view keeps the zoom readable,
    shows the Input, and leaves no block under the totals card."""
    project_id, experiment_id = snippet_experiment
    log_in(page)
    page.goto(f"/projects/{project_id}/modeling/{experiment_id}")
    page.get_by_role("button", name="YAML").click()
    page.get_by_role("button", name="Fit to view").click()
    page.wait_for_timeout(400)  # the fit's short animation
    zoom = page.locator(".react-flow__viewport").evaluate(
        "v => new DOMMatrix(getComputedStyle(v).transform).a"
    )
    assert zoom >= 0.78, zoom
    expect(page.locator('.react-flow__node[data-id="seq"]')).to_be_in_viewport()
    totals = page.get_by_test_id("totals").bounding_box()
    assert totals
    for node in page.locator(".react-flow__node").all():
        box = node.bounding_box()
        assert box
        apart = (
            box["x"] + box["width"] <= totals["x"]
            or box["x"] >= totals["x"] + totals["width"]
            or box["y"] >= totals["y"] + totals["height"]
            or box["y"] + box["height"] <= totals["y"]
        )
        assert apart, (node.get_attribute("data-id"), box, totals)
    shot("fit-yaml")
