"""`kozak up --api-processes N`: N processes answer on one port, and nothing per-process shows.

Against a real server with two API processes: each has a bulk process of its own, niced below
it, that computes experiment list pages (their errors come back as the API process's would);
and log-in failures count against the address whichever process answers. (The usage counts
both processes flush add up: `tests/contract/test_platform_store.py`.)
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kozak.client import Client
from kozak.server.bulk import NICENESS
from live_server import LiveServer

from .conftest import error, ok

PASSWORD = "processes-password"
ATTEMPTS = 3


def _children(pid: int) -> list[int]:
    """The processes `pid` started with multiprocessing's spawn (from /proc; its resource
    tracker, say, is left out)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"spawn_main" in command:
                found.append(int(entry.name))
    return found


def _niced_child(pid: int) -> bool:
    """Whether `pid` has one bulk process, niced by NICENESS."""
    children = _children(pid)
    return len(children) == 1 and os.getpriority(os.PRIO_PROCESS, children[0]) == NICENESS


@pytest.fixture
def server(tmp_path: Path, database_url: str) -> Iterator[LiveServer]:
    env = {
        "KOZAK_API_PROCESSES": "2",
        "KOZAK_BULK_PROCESSES": "1",
        "KOZAK_WORKERS": "0",
        "KOZAK_LOGIN_ATTEMPTS": str(ATTEMPTS),
    }
    running = LiveServer(tmp_path / "home", database_url, password=PASSWORD, env=env).start()
    yield running
    running.stop()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_two_api_processes_each_with_a_niced_bulk_process(server: LiveServer) -> None:
    assert server.process is not None
    api = _children(server.process.pid)
    assert len(api) == 2, api
    deadline = time.monotonic() + 60  # the process that did not answer yet may still be starting
    while time.monotonic() < deadline and not all(_niced_child(pid) for pid in api):
        time.sleep(0.2)
    for pid in api:
        assert os.getpriority(os.PRIO_PROCESS, pid) == 0
        assert _niced_child(pid)
    headers = {"Authorization": f"Bearer {Client(server.url, 'none').login('admin', PASSWORD)}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
        project = ok(http.post("/api/projects", json={"name": "Lists"}), 201)
        url = f"/api/projects/{project['id']}/experiments"
        for _ in range(4):  # new connections: both processes answer some
            assert ok(httpx.get(server.url + url, headers=headers, timeout=30)) == {
                "data": [],
                "count": 0,
                "next_cursor": None,
            }
        bad = error(http.get(url, params={"cursor": "not-a-cursor"}), 400, "invalid_page")
        assert bad["details"]["field"] == "cursor"
        # A bulk process checks the caller too; its refusals come back as it raised them.
        wrong = {"Authorization": "Bearer not-a-token"}
        for _ in range(4):
            error(httpx.get(server.url + url, timeout=30), 401, "not_authenticated")
            error(httpx.get(server.url + url + "?limit=0", timeout=30), 401, "not_authenticated")
            error(httpx.get(server.url + url, headers=wrong, timeout=30), 401, "not_authenticated")
            error(httpx.get(server.url + "/api/projects/p-none/experiments", headers=headers), 404)


def test_log_in_failures_count_whichever_process_answers(server: LiveServer) -> None:
    for _ in range(ATTEMPTS):  # each on a new connection, so either process may take it
        answer = httpx.post(
            f"{server.url}/api/auth/login", json={"name": "admin", "password": "wrong"}, timeout=30
        )
        error(answer, 401, "not_authenticated")
    for _ in range(4):
        answer = httpx.post(
            f"{server.url}/api/auth/login", json={"name": "admin", "password": PASSWORD}, timeout=30
        )
        error(answer, 429)
