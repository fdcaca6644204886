"""The rest of the Datasets view in a real browser, on data unlike the tutorial's.

A CSV imported from a URL and an NPY of numeric arrays (drawn as heat maps); a random subset
that overlaps the default split (warnings name it) and a rank subset ("top 5 % by t0"); a saved
version, a new version without the random subset, and the diff between the two.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from factories import ADMIN_PASSWORD
from kozak.client import Client
from live_server import LiveServer

from .conftest import Page, log_in, subset_rows, sync_api

expect = sync_api.expect
ROWS = 400


def test_url_import_arrays_random_and_rank_subsets_and_versions(
    page: Page,
    live_server: LiveServer,
    served: tuple[str, Path],
    tmp_path: Path,
    shot: Callable[[str], Path],
) -> None:
    base, root = served
    rng = np.random.default_rng(3)
    pd.DataFrame(
        {"id": np.arange(ROWS), "t0": rng.gamma(2.0, 50.0, ROWS), "expression": rng.normal(0, 1, ROWS)}
    ).to_csv(root / "measurements.csv", index=False)
    profiles = tmp_path / "profile.npy"
    np.save(profiles, rng.normal(0, 1, (ROWS, 4, 12)).astype(np.float32))
    client = Client(live_server.url, "none")
    client.login("admin", ADMIN_PASSWORD)
    project = client.create_project("Profiles lab")

    log_in(page)
    page.goto(f"/projects/{project.id}/datasets")
    page.get_by_role("button", name="New dataset").first.click()
    dialog = page.get_by_role("dialog", name="New dataset")
    dialog.get_by_label("Import from a URL").fill(f"{base}/measurements.csv")
    dialog.get_by_role("button", name="Import", exact=True).click()
    expect(dialog.locator('[data-upload="measurements.csv"]')).to_have_attribute("data-status", "done")
    dialog.locator("input[type=file]").set_input_files(str(profiles))
    expect(dialog.locator('[data-upload="profile.npy"]')).to_have_attribute("data-status", "done")
    dialog.get_by_role("button", name="Next").click()
    expect(dialog.get_by_text("Array", exact=True)).to_be_visible()
    dialog.get_by_role("button", name="Next").click()
    dialog.get_by_label("Name").fill("Profiles")
    dialog.get_by_role("button", name="Done").click()
    expect(page.get_by_role("img", name="array 4 × 12").first).to_be_visible()

    # A random subset over every row overlaps the default split: a warning names it
    page.get_by_role("button", name="New subset").click()
    dialog = page.get_by_role("dialog", name="New subset")
    dialog.get_by_label("Name").fill("everything")
    dialog.get_by_text("Random %").click()
    dialog.get_by_label("To %").fill("100")
    dialog.get_by_role("button", name="Create subset").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("Subsets overlap").first).to_be_visible()
    expect(subset_rows(page, "everything")).to_have_text(f"{ROWS}")

    # "Top 5 % by t0"
    page.get_by_role("button", name="New subset").click()
    dialog.get_by_label("Name").fill("top t0")
    dialog.get_by_text("Rank").click()
    dialog.get_by_label("Amount").fill("5")
    dialog.get_by_role("textbox", name="By").click()
    page.get_by_role("option", name="t0", exact=True).click()
    shot("rank-subset")
    dialog.get_by_role("button", name="Create subset").click()
    expect(subset_rows(page, "top t0")).to_have_text(f"{ROWS // 20}")
    expect(page.locator('[data-subset="top t0"]')).to_contain_text("top 5 % by t0")
    page.get_by_role("button", name="Column profile").click()
    page.mouse.move(0, 0)
    shot("draft-warnings")

    # v1, then a new version without the overlapping subset, and what changed
    page.get_by_role("button", name="Save version").click()
    expect(page.get_by_role("button", name="Switch dataset (now Profiles · v1)")).to_be_visible()
    page.get_by_role("button", name="New version").click()
    expect(page.get_by_text("unsaved new version")).to_be_visible()
    page.get_by_role("button", name="Options of subset everything").click()
    page.get_by_role("menuitem", name="Delete").click()
    expect(page.locator('[data-subset="everything"]')).to_have_count(0)
    expect(page.get_by_role("alert").filter(has_text="'everything'")).to_have_count(0)
    page.get_by_role("button", name="Save version").click()
    expect(page.get_by_role("button", name="Switch dataset (now Profiles · v2)")).to_be_visible()
    page.get_by_role("tab", name="Versions (2)").click()
    expect(page.get_by_text("Changes from v1")).to_be_visible()
    expect(page.get_by_text("subset everything")).to_be_visible()
    page.mouse.move(0, 0)
    shot("versions")
    page.get_by_role("button", name="Switch dataset (now Profiles · v2)").click()
    page.get_by_role("menuitem", name="Profiles · v1").click()
    expect(subset_rows(page, "everything")).to_have_text(f"{ROWS}")
