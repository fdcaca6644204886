"""Admission of bulk reads: at most `LIST_PAGES_AT_ONCE` experiment list pages are computed at once.

A page of 100 experiments costs about ten single-experiment GETs of CPU, and the server's
threads share one interpreter lock: with a dozen clients listing, a single GET shared the CPU
with every list in flight (its p95 thirty times the idle one, `benchmarks/scale.py`). Lists
beyond the limit wait here, in the event loop, holding no thread of the pool, so cheap requests
keep being served; the app's lifespan makes the semaphore (`app.state.list_slots`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
from fastapi import Depends, Request

LIST_PAGES_AT_ONCE = 2


def list_slots() -> anyio.Semaphore:
    """The semaphore a new app's lifespan keeps in `app.state.list_slots`."""
    return anyio.Semaphore(LIST_PAGES_AT_ONCE)


async def _list_page_slot(request: Request) -> AsyncIterator[None]:
    slots: anyio.Semaphore = request.app.state.list_slots
    async with slots:
        yield


ListPageSlot = Depends(_list_page_slot)
