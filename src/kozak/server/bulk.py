"""Bulk reads (experiment list pages) in processes of their own, at a lower CPU priority.

A page of 100 experiments costs about ten single-experiment GETs of CPU. Served in the API
process, it shares that interpreter's lock, and the cores, with every quick request: with a
dozen clients listing, a single GET waited behind them (its p95 seven times the idle one,
`benchmarks/scale.py`). Here each API process hands its pages to `settings.bulk_processes`
processes of its own, niced by `NICENESS`: the operating system runs them on what the quick
requests leave of the cores, and pages beyond the pool wait in its queue, holding no thread.

`await bulk.run(fn, *args)` calls `fn(workspace, *args)` in a bulk process (each opens the
workspace once, from the API process's settings) and returns its result, which must pickle;
errors, `KozakError`s included, come back as they were raised. The process imports `fn`'s
module: keep it light, as `kozak.server.pages` is (no app, no PyTorch). A bulk process that dies
(killed for memory, say) is replaced, and the pages it held are computed again. With
`bulk_processes = 0`, or a database only this process can see (in-memory SQLite), pages are
computed in this process's thread pool instead, `IN_PROCESS_AT_ONCE` at a time.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

import anyio
from sqlalchemy.engine import make_url
from starlette.concurrency import run_in_threadpool

from kozak.settings import Settings
from kozak.workspace import Workspace

T = TypeVar("T")
NICENESS = 10  # CFS weight 110 against 1024: a busy bulk process barely delays a quick request
IN_PROCESS_AT_ONCE = 2
log = logging.getLogger("kozak.server")

_workspace: Workspace | None = None  # a bulk process's own, opened by `_open`


def _open(settings: dict[str, Any]) -> None:
    global _workspace
    os.nice(NICENESS)
    _workspace = Workspace.open(Settings(**settings))


def _call(fn: Callable[..., T], *args: Any) -> T:
    assert _workspace is not None, "a bulk process runs `_open` first"
    with _workspace.metadata.one_connection():  # the caller's check and the page: one check-out
        return fn(_workspace, *args)


def shares_database(settings: Settings) -> bool:
    """Whether another process opening these settings sees the same database."""
    url = make_url(settings.database_url)
    return not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))


class BulkReads:
    """Where an API process computes bulk reads; `close()` ends its processes.

    Args:
        workspace: The API process's workspace (its settings say how many bulk processes).
    """

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._slots = anyio.Semaphore(IN_PROCESS_AT_ONCE)
        settings = workspace.settings
        in_processes = settings.bulk_processes > 0 and shares_database(settings)
        self._pool = self._new_pool() if in_processes else None

    def _new_pool(self) -> ProcessPoolExecutor:
        settings = self.workspace.settings
        return ProcessPoolExecutor(
            settings.bulk_processes,
            mp_context=multiprocessing.get_context("spawn"),  # no copy of this process's threads
            initializer=_open,
            initargs=(settings.model_dump(),),
        )

    def start(self) -> None:
        """Start the bulk processes now, so that the first page is less likely to wait for one;
        the API answers meanwhile (a bulk process imports the package: seconds)."""
        if self._pool is not None:
            self._pool.submit(_call, _ready)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(workspace, *args)` in a bulk process (or, without, a thread here)."""
        if self._pool is None:
            async with self._slots:
                return await run_in_threadpool(fn, self.workspace, *args)
        pool = self._pool
        try:
            return await asyncio.wrap_future(pool.submit(_call, fn, *args))
        except BrokenProcessPool:  # a bulk process was killed (out of memory, say): start anew
            if self._pool is pool:  # the first of the pages it held to get here replaces it
                log.warning("a bulk process ended unexpectedly; starting new ones")
                self._pool = self._new_pool()
                pool.shutdown(wait=False, cancel_futures=True)
            return await asyncio.wrap_future(self._pool.submit(_call, fn, *args))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _ready(workspace: Workspace) -> bool:
    return True
