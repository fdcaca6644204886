"""The Data API dialog in a real browser: its URL and a fresh token, used by a sidekick client.

The URL and token shown are copied into the sidekick-shaped client; its upload becomes a draft
that the Datasets view opens.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from factories import ADMIN_PASSWORD, tiny_onehot_files
from kozak.client import Client
from live_server import LiveServer
from sidekick_client import DatasetClient

from .conftest import Page, log_in, sync_api

expect = sync_api.expect


def test_the_data_api_dialog_gives_a_url_and_token_that_sidekick_uploads_with(
    page: Page, live_server: LiveServer, tiny_dna: Path, tmp_path: Path, shot: Callable[[str], Path]
) -> None:
    client = Client(live_server.url, "none")
    client.login("admin", ADMIN_PASSWORD)
    project = client.create_project("Data API lab")

    log_in(page)
    page.goto(f"/projects/{project.id}/datasets")
    page.get_by_role("button", name="Data API").click()
    dialog = page.get_by_role("dialog", name="Data API")
    url = dialog.get_by_role("textbox", name="URL").input_value()
    assert url == f"{live_server.url}/api/projects/{project.id}/data-api"
    dialog.get_by_role("button", name="Create a token").click()
    token = dialog.get_by_role("textbox", name="Token").input_value()
    expect(dialog.get_by_test_id("data-api-snippet")).to_contain_text(token)
    shot("dialog")
    page.keyboard.press("Escape")

    DatasetClient(url, token).upload_data(tiny_onehot_files(tmp_path, tiny_dna), name="From sidekick")
    page.reload()
    page.get_by_text("Continue the draft “From sidekick”").click()
    expect(page.get_by_role("button", name="Column expression")).to_be_visible()
