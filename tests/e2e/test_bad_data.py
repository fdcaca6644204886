"""Bad data in a real browser: found, shown and repaired instead of a dead end.

A CSV of UTRs with one typo (an `X` in row 78, as a spreadsheet counts) is picked with the
file picker: the draft's error names row 78 and links to it in the row browser (every row,
sorted, filtered, only the invalid ones, go to a row), the unknown letter is read as N with the
counts shown before Save and kept in the version. A PNG dropped or picked gets a row saying why
it cannot be used; a new subset is counted while it is written; the wizard validates on
"Validation 5%".
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from factories import ADMIN_PASSWORD
from kozak.client import Client
from live_server import LiveServer

from .conftest import Page, log_in, subset_rows, sync_api

expect = sync_api.expect
DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
ROWS = 120
BAD_ROW = 78
PNG = bytes.fromhex(  # a 1 × 1 PNG
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e5273ee60000000049454e44ae426082"
)


def typo_csv(folder: Path) -> Path:
    """UTRs (30 nt), a growth rate i / 10 and a T/V condition (every third row V); row 78 has
    an X at position 12."""
    rng = np.random.default_rng(3)
    lines = ["seq,growth_rate,condition"]
    for i in range(ROWS):
        seq = "".join(rng.choice(list("ACGT"), 30))
        if i + 1 == BAD_ROW:
            seq = seq[:11] + "X" + seq[12:]
        lines.append(f"{seq},{i / 10:.1f},{'T' if i % 3 else 'V'}")
    path = folder / "utrs.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def new_project(page: Page, name: str) -> None:
    log_in(page)
    page.get_by_role("button", name="New project").first.click()
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name="Bring in your data")).to_be_visible()
    page.get_by_role("button", name="New dataset").first.click()


def pick(page: Page, files: list[Path]) -> None:
    """Choose files with the file picker the drop zone opens when clicked."""
    with page.expect_file_chooser() as chooser:
        page.get_by_label("Drop files here or click to choose them").click()
    chooser.value.set_files([str(f) for f in files])


def row(page: Page, number: int) -> sync_api.Locator:
    return page.get_by_test_id("row-browser").locator(f'tr[data-row="{number}"]')


def test_a_typo_is_found_repaired_and_recorded(
    page: Page, tmp_path: Path, shot: Callable[[str], Path]
) -> None:
    new_project(page, "Typos")
    dialog = page.get_by_role("dialog", name="New dataset")
    pick(page, [typo_csv(tmp_path)])
    expect(dialog.locator('[data-upload="utrs.csv"]')).to_have_attribute("data-status", "done")
    dialog.get_by_role("button", name="Next").click()
    dialog.get_by_role("button", name="Next").click()
    dialog.get_by_label("Name").fill("UTRs")
    dialog.get_by_role("button", name="Done").click()

    # The error counts rows as the table does, and links to the row
    error = page.get_by_test_id("draft-error")
    expect(error).to_contain_text(f"row {BAD_ROW};")
    expect(page.get_by_role("button", name="Save version")).to_be_disabled()
    expect(page.get_by_test_id("rows-note")).to_contain_text(f"{ROWS} rows")
    error.get_by_role("button", name=f"Show row {BAD_ROW}").click()
    expect(row(page, BAD_ROW)).to_be_visible()
    expect(row(page, BAD_ROW)).to_have_class(re.compile("highlight"))
    expect(row(page, BAD_ROW).locator("td.invalid")).to_have_attribute(
        "title", re.compile(r"'X' at position 12")
    )
    page.mouse.move(0, 0)
    path = shot("typo")
    if os.environ.get("KOZAK_UPDATE_DOCS_IMAGES"):
        shutil.copyfile(path, DOCS_IMAGES / "datasets-bad-row.png")

    # Every row can be reached: go to the last, only the invalid ones, sort and filter
    browser = page.get_by_test_id("row-browser")
    browser.get_by_label("Go to row").fill(str(ROWS))
    browser.get_by_label("Go to row").press("Enter")
    expect(row(page, ROWS)).to_be_visible()
    browser.get_by_label(re.compile(r"Show invalid rows only \(1\)")).check(force=True)
    expect(browser.locator("tbody tr[data-row]")).to_have_count(1)
    expect(page.get_by_test_id("rows-note")).to_contain_text(f"1 of {ROWS} rows match")
    browser.get_by_label(re.compile(r"Show invalid rows only")).uncheck(force=True)
    browser.get_by_label("Filter rows").fill("growth_rate >= 11.5")
    browser.get_by_label("Filter rows").press("Enter")
    expect(page.get_by_test_id("rows-note")).to_contain_text(f"5 of {ROWS} rows match")
    browser.get_by_role("textbox", name="Sort by", exact=True).click()
    page.get_by_role("option", name="growth_rate", exact=True).click()
    browser.get_by_role("button", name="Sort descending").click()
    expect(browser.locator("tbody tr[data-row]").first).to_have_attribute("data-row", str(ROWS))
    browser.get_by_role("button", name=re.compile("Remove filter")).click()
    expect(page.get_by_test_id("rows-note")).to_have_text(re.compile(rf"^{ROWS} rows"))

    # Repair: unknown letters read as N, counted before Save
    error.get_by_text("Unknown letters → N").click()
    expect(page.get_by_test_id("draft-error")).to_be_hidden()
    expect(page.get_by_test_id("repairs")).to_contain_text("seq: 1 unknown letter in 1 row read as N")

    # A new subset is counted while it is written, before it exists
    page.get_by_role("button", name="New subset").click()
    subset = page.get_by_role("dialog", name="New subset")
    subset.get_by_label("Name").fill("Validation 33%")
    subset.get_by_role("textbox", name="Feature of condition 1", exact=True).click()
    page.get_by_role("option", name="condition", exact=True).click()
    subset.get_by_role("textbox", name="Value of condition 1", exact=True).click()
    page.get_by_role("option", name="V", exact=True).click()
    expect(subset.get_by_test_id("subset-count")).to_have_text(f"{ROWS // 3} of {ROWS} rows")
    expect(page.locator('[data-subset="Validation 33%"]')).to_have_count(0)
    shot("subset-count")
    subset.get_by_role("button", name="Create subset").click()
    expect(subset_rows(page, "Validation 33%")).to_have_text(str(ROWS // 3))

    page.get_by_role("button", name="Column seq").click()
    inspector = page.get_by_role("complementary", name="Inspector")
    expect(inspector.get_by_test_id("repair-outcome-seq")).to_have_text(
        "Saving reads 1 unknown letter in 1 row as N."
    )
    shot("repaired")

    # The version keeps the repair, and its rows are browsable
    page.get_by_role("button", name="Save version").click()
    expect(page.get_by_role("button", name="Switch dataset (now UTRs · v1)")).to_be_visible()
    expect(page.get_by_role("complementary", name="Inspector")).to_contain_text(
        "1 unknown letter in 1 row read as N"
    )
    browser.get_by_label("Go to row").fill(str(BAD_ROW))
    browser.get_by_label("Go to row").press("Enter")
    expect(row(page, BAD_ROW)).to_contain_text("N")
    expect(row(page, BAD_ROW).locator("td.invalid")).to_have_count(0)


def test_a_file_kozak_cannot_read_gets_a_row_saying_why(
    page: Page, tmp_path: Path, shot: Callable[[str], Path]
) -> None:
    new_project(page, "Pictures")
    dialog = page.get_by_role("dialog", name="New dataset")

    # Dropped on the area
    transfer = page.evaluate_handle(
        """(bytes) => {
            const transfer = new DataTransfer();
            const file = new File([new Uint8Array(bytes)], "plot.png", { type: "image/png" });
            transfer.items.add(file);
            return transfer;
        }""",
        list(PNG),
    )
    zone = dialog.get_by_label("Drop files here or click to choose them")
    for event in ("dragenter", "dragover", "drop"):
        zone.dispatch_event(event, {"dataTransfer": transfer})
    refused = dialog.locator('[data-upload="plot.png"]')
    expect(refused).to_have_attribute("data-status", "failed")
    expect(refused).to_contain_text("plot.png is a PNG image, which Kozak cannot read as data")
    expect(refused).to_contain_text("Upload CSV, TSV, Parquet, NPY, NPZ, FASTA or ZIP")

    # Picked with the file picker
    picked = tmp_path / "notes.docx"
    picked.write_bytes(b"PK\x03\x04 not a table")
    pick(page, [picked])
    row = dialog.locator('[data-upload="notes.docx"]')
    expect(row).to_have_attribute("data-status", "failed")
    expect(row).to_contain_text("notes.docx is a .docx file, which Kozak cannot read as data")
    expect(dialog.get_by_role("button", name="Next")).to_be_disabled()
    shot("refused")


def validation_project(server: LiveServer, folder: Path) -> dict[str, Any]:
    """A saved version whose subsets are named as in the tutorial: Training 95%, Validation 5%."""
    client = Client(server.url, "none")
    client.login("admin", ADMIN_PASSWORD)
    project = client.create_project("Tutorial split")
    draft = client.post(f"{project.path}/drafts", {"name": "UTRs"})
    project.upload(draft["id"], typo_csv(folder))
    url = f"{project.path}/drafts/{draft['id']}"
    client.request("PATCH", f"{url}/features/seq", json={"on_invalid": "drop"})
    for name in ("training", "validation"):
        client.request("DELETE", f"{url}/subsets/{name}")
    for name, start, end in (("Training 95%", 0, 95), ("Validation 5%", 95, 100)):
        client.post(f"{url}/subsets", {"name": name, "kind": "random", "start": start, "end": end})
    client.post(f"{url}/save", {})
    return {"project": project}


def test_the_wizard_validates_on_the_validation_subset(
    page: Page, live_server: LiveServer, tmp_path: Path, shot: Callable[[str], Path]
) -> None:
    project = validation_project(live_server, tmp_path)["project"]
    log_in(page)
    page.goto(f"/projects/{project.id}/modeling")
    page.get_by_role("button", name="New experiment").click()
    wizard = page.get_by_role("dialog", name="New experiment")
    expect(wizard.get_by_role("textbox", name="Training subset", exact=True)).to_have_value(
        re.compile(r"^Training 95% \(\d+ rows\)$")
    )
    validation = wizard.get_by_role("textbox", name="Validation subset", exact=True)
    expect(validation).to_have_value(re.compile(r"^Validation 5% \(\d+ rows\)$"))
    expect(wizard.get_by_test_id("no-validation")).to_be_hidden()
    validation.click()
    page.get_by_role("option", name="None", exact=True).click()
    expect(wizard.get_by_test_id("no-validation")).to_contain_text("No validation subset")
    shot("no-validation")
