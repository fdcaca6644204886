"""Experiment list pages are computed apart from quick requests (`kozak.server.bulk`).

In a bulk process: the same pages and errors as in the API process (that it is niced below the
API process: tests/api/test_api_processes.py), and only for a database other processes can
open. In the API process (`bulk_processes = 0`): at most `IN_PROCESS_AT_ONCE` pages at once, the
rest waiting in the event loop while a single experiment is still answered."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from factories import UserClient
from kozak.errors import InvalidPage, KozakError, NotAuthenticated
from kozak.experiments import listing
from kozak.server.access import Credentials, ProjectAccess
from kozak.server.bulk import IN_PROCESS_AT_ONCE, BulkReads, shares_database
from kozak.server.pages import experiment_page
from kozak.settings import Settings
from kozak.store.entities import DatasetVersion
from kozak.store.metadata import ExperimentFilter
from kozak.store.paging import PageRequest
from kozak.workspace import Workspace

from .conftest import ok

LISTS = IN_PROCESS_AT_ONCE + 4


def test_list_pages_queue_while_a_single_experiment_is_served(
    client: UserClient,
    project_id: str,
    empty_experiment: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    experiment = empty_experiment
    computing, most = 0, 0
    lock, release = threading.Lock(), threading.Event()
    original = listing.overviews

    def slow_page(*args: Any, **kwargs: Any) -> Any:
        nonlocal computing, most
        with lock:
            computing += 1
            most = max(most, computing)
        release.wait(10)
        with lock:
            computing -= 1
        return original(*args, **kwargs)

    monkeypatch.setattr(listing, "overviews", slow_page)
    url = f"/api/projects/{project_id}/experiments"
    with ThreadPoolExecutor(LISTS) as pool:
        pages = [pool.submit(client.get, url) for _ in range(LISTS)]
        deadline = time.monotonic() + 10
        while most < IN_PROCESS_AT_ONCE and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # time for a third list to start, were it let in
        single = client.get(f"{url}/{experiment['id']}")  # answered while the lists hang
        assert single.status_code == 200 and most == IN_PROCESS_AT_ONCE
        release.set()
        assert all(page.result(timeout=30).status_code == 200 for page in pages)
    assert most == IN_PROCESS_AT_ONCE


def _loads_pytorch(pid: int | str) -> bool:
    return "libtorch" in Path(f"/proc/{pid}/maps").read_text()


def test_a_bulk_process_answers_as_the_api_process_would_without_pytorch(
    client: UserClient, project_id: str, version: DatasetVersion, api_settings: Settings
) -> None:
    for name in ("a", "b", "c"):
        ok(
            client.post(
                f"/api/projects/{project_id}/experiments",
                json={
                    "name": name,
                    "dataset_version_id": version.id,
                    "graph": {"name": "g", "nodes": [], "edges": []},
                },
            ),
            201,
        )
    page = PageRequest(limit=2, sort="-name")
    expected = ok(client.get(f"/api/projects/{project_id}/experiments?limit=2&sort=-name"))
    workspace = Workspace.open(api_settings.model_copy(update={"bulk_processes": 1}))
    bulk = BulkReads(workspace)

    def access(token: str) -> ProjectAccess:
        return ProjectAccess(
            project_id, "viewer", Credentials("GET", token, None, b"", "x", None, False)
        )

    async def pages() -> tuple[bytes, KozakError, list[bool]]:
        bulk.start()
        found = await bulk.run(experiment_page, access(client.token), page, ExperimentFilter())
        # Its page imports no PyTorch (about 340 MB of a process's own memory), as this one does.
        pytorch = [_loads_pytorch(child.pid) for child in multiprocessing.active_children()]
        with pytest.raises(InvalidPage) as refused:
            await bulk.run(
                experiment_page,
                access(client.token),
                PageRequest(cursor="not-a-cursor"),
                ExperimentFilter(),
            )
        with pytest.raises(NotAuthenticated):  # the caller is checked there too
            await bulk.run(experiment_page, access("not-a-token"), page, ExperimentFilter())
        return found, refused.value, pytorch

    try:
        found, refused, pytorch = asyncio.run(pages())
    finally:
        bulk.close()
        workspace.metadata.close()
    assert json.loads(found) == expected and [e["name"] for e in expected["data"]] == ["c", "b"]
    assert refused.details["field"] == "cursor"
    assert pytorch == [False] and _loads_pytorch("self")


@pytest.mark.parametrize(
    ("url", "shared"),
    [
        ("sqlite://", False),
        ("sqlite:///:memory:", False),
        ("sqlite:////tmp/kozak.db", True),
        ("postgresql+psycopg://kozak@db/kozak", True),
    ],
)
def test_only_a_database_other_processes_can_open_gets_bulk_processes(
    url: str, shared: bool, tmp_path: Path
) -> None:
    assert shares_database(Settings(home=tmp_path, database_url=url)) is shared


def _pid(workspace: Workspace) -> int:
    return os.getpid()


def test_a_killed_bulk_process_is_replaced(api_settings: Settings) -> None:
    workspace = Workspace.open(api_settings.model_copy(update={"bulk_processes": 1}))
    bulk = BulkReads(workspace)

    async def pids() -> tuple[int, int]:
        bulk.start()
        first = await bulk.run(_pid)
        os.kill(first, signal.SIGKILL)  # as the kernel's out-of-memory killer would
        return first, await bulk.run(_pid)

    try:
        first, second = asyncio.run(pids())
    finally:
        bulk.close()
        workspace.metadata.close()
    assert second not in (first, os.getpid())
