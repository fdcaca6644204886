"""`MicroBatcher`: concurrent requests to one model share forward passes.

Requests queue while the model is busy; the next forward takes every waiting request (up to
`max_rows` rows) as one batch and hands each its slice of the outputs. An idle model runs a lone
request at once, so batching adds no delay at low load. Forwards run on one dedicated thread
(PyTorch releases the GIL), leaving the event loop free to parse and encode the next requests.
The queue holds at most `max_queue` requests and each waits at most `timeout_s`; beyond either,
and for every request still waiting when the batcher closes, the answer is `Unavailable` (503).
"""

from __future__ import annotations

import asyncio
from collections import deque
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch

from kozak.deploy.model import Batch, ServingModel, batch_rows
from kozak.errors import Unavailable

Outputs = dict[str, np.ndarray]
Waiting = tuple[Batch, "asyncio.Future[Outputs]"]


class MicroBatcher:
    """Merges concurrent forwards of one `ServingModel`.

    Args:
        model: The model whose `forward` is shared.
        max_rows: Most rows merged into one forward (a larger single request runs alone).
        max_queue: Most requests waiting for the model; more are refused at once.
        timeout_s: Longest a request waits for its answer.
    """

    def __init__(
        self, model: ServingModel, max_rows: int = 4096, max_queue: int = 256, timeout_s: float = 30.0
    ) -> None:
        self.model = model
        self.max_rows, self.max_queue, self.timeout_s = max_rows, max_queue, timeout_s
        self._pending: deque[Waiting] = deque()
        self._running: list[Waiting] = []
        self._closed = False
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kozak-model")

    async def forward(self, batch: Batch) -> Outputs:
        """The model's raw outputs for `batch`, possibly computed together with other requests.

        Raises:
            Unavailable: the queue is full, no answer came within `timeout_s`, or the batcher
                closed (the model was unloaded) before the answer.
        """
        if self._closed:
            raise _unloaded()
        if len(self._pending) >= self.max_queue:
            raise Unavailable(
                f"the model has {len(self._pending)} requests waiting, its limit; try again shortly",
                retry_after_s=1,
            )
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._task = loop.create_task(self._serve())
        future: asyncio.Future[Outputs] = loop.create_future()
        self._pending.append((batch, future))
        assert self._wake is not None
        self._wake.set()
        try:
            return await asyncio.wait_for(future, self.timeout_s)
        except TimeoutError:  # wait_for cancelled the future: _take skips it
            raise Unavailable(
                f"the model did not answer within {self.timeout_s:g} s; it is busy, try again",
                retry_after_s=max(1, int(self.timeout_s / 2)),
            ) from None

    def _take(self) -> list[Waiting]:
        while self._pending and self._pending[0][1].done():  # timed out while queued
            self._pending.popleft()
        taken: list[Waiting] = []
        rows = 0
        while self._pending and (not taken or rows + batch_rows(self._pending[0][0]) <= self.max_rows):
            batch, future = self._pending.popleft()
            if not future.done():
                taken.append((batch, future))
                rows += batch_rows(batch)
        return taken

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        assert self._wake is not None
        while True:
            taken = self._take()
            if not taken:
                self._wake.clear()
                await self._wake.wait()
                continue
            batches = [batch for batch, _ in taken]
            merged = (
                batches[0]
                if len(batches) == 1
                else {name: torch.cat([b[name] for b in batches]) for name in batches[0]}
            )
            self._running = taken
            try:
                outputs = await loop.run_in_executor(self._executor, self.model.forward, merged)
            except Exception as exc:  # every waiting request learns what went wrong
                for _, future in taken:
                    if not future.done():
                        future.set_exception(exc)
                continue
            start = 0
            for batch, future in taken:
                end = start + batch_rows(batch)
                if not future.done():
                    future.set_result({name: value[start:end] for name, value in outputs.items()})
                start = end

    def close(self) -> None:
        """Stop the batching task and the model thread; every request not yet answered (queued
        or in the forward under way) gets `Unavailable`, none is left waiting."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()
        for _, future in [*self._running, *self._pending]:
            if not future.done():
                future.set_exception(_unloaded())
        self._pending.clear()
        self._running = []
        self._executor.shutdown(wait=False, cancel_futures=True)


def _unloaded() -> Unavailable:
    return Unavailable("the model was unloaded while the request waited; send it again", retry_after_s=1)
