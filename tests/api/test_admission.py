"""At most `LIST_PAGES_AT_ONCE` experiment list pages are computed at once; the rest wait in the
event loop, and a single experiment is still answered meanwhile (`kozak.server.admission`)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from factories import UserClient
from kozak.experiments import overview
from kozak.server.admission import LIST_PAGES_AT_ONCE
from kozak.store.entities import DatasetVersion

from .conftest import ok

LISTS = LIST_PAGES_AT_ONCE + 4


def test_list_pages_queue_while_a_single_experiment_is_served(
    client: UserClient, project_id: str, version: DatasetVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    experiment = ok(
        client.post(
            f"/api/projects/{project_id}/experiments",
            json={
                "name": "one",
                "dataset_version_id": version.id,
                "graph": {"name": "g", "nodes": [], "edges": []},
            },
        ),
        201,
    )
    computing, most = 0, 0
    lock, release = threading.Lock(), threading.Event()
    original = overview.overviews

    def slow_page(*args: Any, **kwargs: Any) -> Any:
        nonlocal computing, most
        with lock:
            computing += 1
            most = max(most, computing)
        release.wait(10)
        with lock:
            computing -= 1
        return original(*args, **kwargs)

    monkeypatch.setattr(overview, "overviews", slow_page)
    url = f"/api/projects/{project_id}/experiments"
    with ThreadPoolExecutor(LISTS) as pool:
        pages = [pool.submit(client.get, url) for _ in range(LISTS)]
        deadline = time.monotonic() + 10
        while most < LIST_PAGES_AT_ONCE and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # time for a third list to start, were it let in
        single = client.get(f"{url}/{experiment['id']}")  # answered while the lists hang
        assert single.status_code == 200 and most == LIST_PAGES_AT_ONCE
        release.set()
        assert all(page.result(timeout=30).status_code == 200 for page in pages)
    assert most == LIST_PAGES_AT_ONCE
