"""The tutorial's Datasets steps in a real browser.

Log in, create the "Yeast Blog" project, upload the CSV and the NPY of one-hot sequences, check
the preview, name the dataset "Yeast", label the target `growth_rate` and the sequences `seq`,
delete the default subsets, make "Training 95%" and "Validation 5%" by condition on the T/V
column, normalize on training, save, and see the version, its statistics and its versions list.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from factories import ADMIN_PASSWORD
from kozak.client import Client
from live_server import LiveServer

from .conftest import Page, log_in, subset_rows, sync_api

expect = sync_api.expect
DOCS_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "images" / "datasets.png"


def choose(page: Page, field: str, option: str) -> None:
    """Pick `option` in the Mantine select labelled `field`."""
    page.get_by_role("textbox", name=field, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def rename_column(page: Page, old: str, new: str) -> None:
    page.get_by_role("button", name=f"Column {old}").click()
    inspector = page.get_by_role("complementary", name="Inspector")
    label = inspector.get_by_label("Label")
    label.fill(new)
    label.press("Enter")
    expect(page.get_by_role("button", name=f"Column {new}")).to_be_visible()


def add_condition_subset(page: Page, name: str, feature: str, value: str) -> None:
    page.get_by_role("button", name="New subset").click()
    dialog = page.get_by_role("dialog", name="New subset")
    dialog.get_by_label("Name").fill(name)
    choose(page, "Feature of condition 1", feature)
    choose(page, "Value of condition 1", value)
    dialog.get_by_role("button", name="Create subset").click()
    expect(dialog).to_be_hidden()


def test_the_tutorial_dataset(
    page: Page,
    live_server: LiveServer,
    tutorial_files: tuple[Path, Path],
    shot: Callable[[str], Path],
) -> None:
    csv, npy = tutorial_files
    split = pd.read_csv(csv)["subset"]
    training, validation = int((split == "T").sum()), int((split == "V").sum())

    log_in(page)
    page.get_by_role("button", name="New project").first.click()
    page.get_by_label("Name").fill("Yeast Blog")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name="Bring in your data")).to_be_visible()
    shot("empty-project")

    # New dataset: upload both files, preview, name
    page.get_by_role("button", name="New dataset").first.click()
    dialog = page.get_by_role("dialog", name="New dataset")
    dialog.locator("input[type=file]").set_input_files([str(csv), str(npy)])
    for file in (csv, npy):
        expect(dialog.locator(f'[data-upload="{file.name}"]')).to_have_attribute("data-status", "done")
    shot("uploaded")
    dialog.get_by_role("button", name="Next").click()
    for column in ("index", "rl", "subset", "onehot"):
        expect(dialog.get_by_role("button", name=f"Column {column}")).to_be_visible()
    expect(dialog.get_by_text("Sequence", exact=True)).to_be_visible()
    expect(dialog.get_by_text("Categorical", exact=True)).to_be_visible()
    shot("preview")
    dialog.get_by_role("button", name="Next").click()
    dialog.get_by_label("Name").fill("Yeast")
    dialog.get_by_role("button", name="Done").click()
    expect(page.get_by_role("button", name="Switch dataset (now Yeast)")).to_be_visible()

    # Labels, as in the tutorial; the target is standardized
    rename_column(page, "rl", "growth_rate")
    rename_column(page, "onehot", "seq")
    page.get_by_role("button", name="Column growth_rate").click()
    page.get_by_role("complementary", name="Inspector").get_by_text("Standardize").click()
    expect(page.get_by_role("button", name="Column growth_rate")).to_contain_text("z-score")
    page.get_by_role("button", name="Column seq").click()
    expect(page.get_by_role("complementary", name="Inspector")).to_contain_text("one-hot 4 × 70")

    # Subsets: delete the defaults, two by condition on the T/V column
    for default in ("training", "validation"):
        page.get_by_role("button", name=f"Options of subset {default}").click()
        page.get_by_role("menuitem", name="Delete").click()
        expect(page.locator(f'[data-subset="{default}"]')).to_have_count(0)
    add_condition_subset(page, "Training 95%", "subset", "T")
    add_condition_subset(page, "Validation 5%", "subset", "V")
    expect(subset_rows(page, "Training 95%")).to_have_text(f"{training:,}")
    expect(subset_rows(page, "Validation 5%")).to_have_text(f"{validation:,}")
    choose(page, "Normalize on subset", "Training 95%")
    page.get_by_role("button", name="Subset Training 95%", exact=True).click()
    expect(page.get_by_role("complementary", name="Inspector")).to_contain_text("subset = T")
    page.get_by_role("button", name="Column seq").click()
    page.mouse.move(0, 0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    path = shot("draft")
    if os.environ.get("KOZAK_UPDATE_DOCS_IMAGES"):
        shutil.copyfile(path, DOCS_IMAGE)

    # Save: a version with the choices made
    page.get_by_role("button", name="Save version").click()
    expect(page.get_by_role("button", name="Switch dataset (now Yeast · v1)")).to_be_visible()
    expect(subset_rows(page, "Training 95%")).to_have_text(f"{training:,}")
    expect(page.get_by_text("Normalized on")).to_contain_text("Training 95%")
    shot("version")
    page.get_by_role("tab", name="Statistics per subset").click()
    expect(page.get_by_role("img", name="distribution per subset").first).to_be_visible()
    shot("statistics")
    page.get_by_role("tab", name="Versions (1)").click()
    expect(page.get_by_text("The first version")).to_be_visible()

    client = Client(live_server.url, "none")
    client.login("admin", ADMIN_PASSWORD)
    [dataset] = client.project("Yeast Blog").datasets()
    [version] = dataset["versions"]
    assert dataset["name"] == "Yeast" and version["row_count"] == training + validation
    assert version["subset_counts"] == {"Training 95%": training, "Validation 5%": validation}
    full = client.get(f"/projects/{dataset['project_id']}/datasets/Yeast/versions/v1")
    features = {f["name"]: f for f in full["spec"]["features"]}
    assert features["seq"]["type"] == "sequence" and features["growth_rate"]["normalization"] == "zscore"
    assert full["spec"]["normalize_on"] == "Training 95%"
