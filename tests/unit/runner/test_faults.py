"""Faults injected into the job machinery: a database that goes away, a supervisor that errs.

The metadata store is wrapped so that every call fails while it is "away", as a real database
restart looks from here (a `StoreError` per call); the rest is the real store, worker and reaper.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from typing import Any

from kozak.errors import StoreError
from kozak.runner import enqueue_experiment_job
from kozak.runner.base import Reaper
from kozak.runner.worker import Worker
from kozak.store.entities import Experiment
from kozak.store.metadata import MetadataStore
from kozak.workspace import Workspace


class AwayStore:
    """The real metadata store, except that every call raises `StoreError` while `away` is set."""

    def __init__(self, store: MetadataStore) -> None:
        self.store = store
        self.away = threading.Event()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.store, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.away.is_set():
                raise StoreError("the metadata database failed; the server log has the details")
            return attribute(*args, **kwargs)

        return call


def with_store_away(workspace: Workspace, lease_s: float) -> tuple[Workspace, AwayStore]:
    settings = workspace.settings.model_copy(update={"job_lease_s": lease_s, "heartbeat_s": 0.1})
    store = AwayStore(workspace.metadata)
    return dataclasses.replace(workspace, settings=settings, metadata=store), store  # type: ignore[arg-type]


def test_a_job_that_ends_while_the_database_is_away_is_recorded_not_reaped(
    job_workspace: Workspace, make_experiment: Callable[..., Experiment]
) -> None:
    lease = 2.0
    ws, store = with_store_away(job_workspace, lease)
    for name in ("ends", "vanishes"):
        enqueue_experiment_job(ws, make_experiment(name), "train")
    ending = ws.metadata.claim_job("host:1", lease)
    vanished = ws.metadata.claim_job("host:2", lease)  # its worker never comes back
    assert ending is not None and vanished is not None
    reaper = Reaper(ws)

    store.away.set()
    reaper.run_pass()  # fails: the database is away
    finisher = threading.Thread(
        target=Worker(ws, worker_id="host:1")._finish, args=(ending, "completed", "", "trained")
    )
    finisher.start()  # the run ended during the outage; the worker keeps trying to record it
    time.sleep(lease + 0.5)  # both leases run out while nobody can renew them
    store.away.clear()
    reaper.run_pass()  # the database is back: no lease counts as run out yet
    finisher.join(timeout=10)

    assert ws.metadata.get_job(ending.id).status == "completed"
    assert ws.metadata.get_job(vanished.id).status == "running"
    time.sleep(lease + 0.2)
    reaper.run_pass()  # a whole lease later, a worker that did not come back is lost
    lost = ws.metadata.get_job(vanished.id)
    assert lost.status == "failed" and lost.error.startswith("worker lost")
    assert ws.metadata.get_job(ending.id).status == "completed"


def test_the_reaper_outlives_errors_of_any_kind(job_workspace: Workspace) -> None:
    ws, store = with_store_away(job_workspace, 5.0)
    calls: list[float] = []

    def supervise() -> None:
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise OSError(24, "Too many open files")  # e.g. starting a worker process

    reaper = Reaper(ws, also=supervise)
    store.away.set()
    reaper.start()
    try:
        deadline = time.monotonic() + 10
        while len(calls) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        reaper.stop()
    assert len(calls) >= 3, "the reaper thread stopped after an OSError"
