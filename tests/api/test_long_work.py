"""Slow requests run on their own bounded executor: a full one answers 503, and nothing it runs
holds up the threads that serve log-ins."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from fastapi import FastAPI

from factories import UserClient, tiny_experiment
from kozak.errors import Unavailable
from kozak.server.long_work import LongWork
from kozak.workspace import Workspace


def test_a_full_executor_refuses_and_other_threads_stay_free() -> None:
    release = threading.Event()

    async def scenario() -> str:
        work = LongWork(threads=1, queue=1)
        blocked = [asyncio.ensure_future(work.run(release.wait, 30)) for _ in range(2)]
        await asyncio.sleep(0)  # both have entered run()
        with pytest.raises(Unavailable) as refused:
            await work.run(release.wait, 30)
        assert refused.value.retry_after_s > 0
        # The default pool (log-ins, event streams) still answers while long work is full.
        answer = await asyncio.to_thread(lambda: "logged in")
        release.set()
        assert await asyncio.gather(*blocked) == [True, True]
        work.close()
        return answer

    assert asyncio.run(scenario()) == "logged in"


@pytest.mark.parametrize("route", ["predictions", "report", "url"])
def test_slow_routes_go_through_long_work(
    app: FastAPI,
    client: UserClient,
    project_id: str,
    api_workspace: Workspace,
    tiny_dna: Path,
    route: str,
) -> None:
    experiment = tiny_experiment(api_workspace, "Yeast", tiny_dna)
    app.state.long_work.capacity = 0  # as if every thread and queue place were taken
    base = f"/api/projects/{project_id}"
    if route == "url":
        draft = client.post(f"{base}/drafts", json={"name": "Remote"}).json()["id"]
        answer = client.post(f"{base}/drafts/{draft}/urls", json={"url": "https://example.org/a.csv"})
    else:
        answer = client.get(f"{base}/experiments/{experiment.id}/{route}")
    assert answer.status_code == 503, answer.text
    assert int(answer.headers["Retry-After"]) > 0
    assert answer.json()["error"]["code"] == "unavailable"
