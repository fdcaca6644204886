"""A bounded executor of its own for slow requests: URL import, prediction downloads, reports.

They run on `long_work_threads` threads, never in the thread pool that serves log-ins, event
streams and quick routes, so a viewer asking for ten downloads at once stalls nobody else. At
most `long_work_queue` more wait for a thread; beyond that a request gets 503 with Retry-After.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from kozak.errors import Unavailable

T = TypeVar("T")
RETRY_AFTER_S = 5


class LongWork:
    """`await long_work.run(fn, *args)`: `fn(*args)` on a long-work thread, or a 503 when full.

    Args:
        threads: Threads running slow requests.
        queue: Slow requests allowed to wait for a thread.
    """

    def __init__(self, threads: int, queue: int) -> None:
        self.executor = ThreadPoolExecutor(threads, thread_name_prefix="kozak-long-work")
        self.capacity = threads + queue
        self.pending = 0  # touched only on the event loop, so it needs no lock

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """The result of `fn(*args)`, computed on a long-work thread.

        Raises:
            Unavailable: every thread is busy and the queue is full.
        """
        if self.pending >= self.capacity:
            raise Unavailable(
                "the server is busy with other downloads and imports; try again shortly",
                retry_after_s=RETRY_AFTER_S,
            )
        self.pending += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self.executor, functools.partial(fn, *args))
        finally:
            self.pending -= 1

    def close(self) -> None:
        """Stop taking work; queued work is cancelled, running work finishes on its own."""
        self.executor.shutdown(wait=False, cancel_futures=True)


__all__ = ["LongWork"]
