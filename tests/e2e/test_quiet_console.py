"""What the browser asks for that the server does not have: nothing, as a user goes about it.

A draft saved and a draft discarded are not asked for again (each answered 404 before).
"""

from __future__ import annotations

import re
from pathlib import Path

from factories import ADMIN_PASSWORD
from kozak.client import Client
from live_server import LiveServer

from .conftest import Page, log_in, sync_api

expect = sync_api.expect
TINY_DNA = Path(__file__).parents[1] / "files" / "tiny_dna.csv"


def not_found(page: Page) -> list[str]:
    """The URLs the page gets a 404 for, from now on."""
    found: list[str] = []
    page.on("response", lambda r: found.append(r.url) if r.status == 404 else None)
    return found


def test_a_saved_or_discarded_draft_is_not_asked_for_again(page: Page, live_server: LiveServer) -> None:
    client = Client(live_server.url, "none")
    client.login("admin", ADMIN_PASSWORD)
    project = client.create_project("Quiet drafts")
    drafts = []
    for name in ("Kept", "Dropped"):
        draft = client.post(f"{project.path}/drafts", {"name": name})
        project.upload(draft["id"], TINY_DNA)
        drafts.append(draft["id"])
    missing = not_found(page)
    log_in(page)
    base = f"/projects/{project.id}/datasets"

    page.goto(f"{base}/draft/{drafts[0]}")
    page.get_by_role("button", name="Save version").click()
    expect(page.get_by_role("heading", name="Kept v1")).to_be_visible()
    page.goto(f"{base}/draft/{drafts[1]}")
    page.get_by_role("button", name="Discard").click()
    page.get_by_role("dialog").get_by_role("button", name="Discard").click()
    expect(page).not_to_have_url(re.compile("/draft/"))
    page.wait_for_timeout(500)  # a refetch the answer set off would have left by now
    assert missing == []
