"""The feature table of a saved version in a real browser: what stays readable as it scrolls."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from factories import ADMIN_PASSWORD
from kozak.client import Client
from live_server import LiveServer

from .conftest import Page, log_in, sync_api

expect = sync_api.expect
TINY_DNA = Path(__file__).parents[1] / "files" / "tiny_dna.csv"


def test_the_selected_columns_sticky_header_hides_the_rows_under_it(
    page: Page, live_server: LiveServer, shot: Callable[[str], Path]
) -> None:
    client = Client(live_server.url, "none")
    client.login("admin", ADMIN_PASSWORD)
    project = client.create_project("Sticky header")
    version = project.create_dataset("Tiny", [TINY_DNA])
    log_in(page)
    page.goto(f"/projects/{project.id}/datasets/{version['dataset_id']}/{version['id']}")
    page.get_by_role("button", name="Column expression").click()
    header = page.locator("thead th.selected")
    expect(header).to_have_count(1)
    # Opaque: a translucent tint would let the scrolled rows show through (alpha 1 or none).
    colour = header.evaluate("th => getComputedStyle(th).backgroundColor")
    assert colour.startswith("rgb(") or colour.endswith(", 1)"), colour
    page.locator("tbody tr").nth(8).scroll_into_view_if_needed()
    shot("selected-column")
