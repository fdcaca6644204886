"""`MicroBatcher`: concurrent requests to one model share forward passes.

Requests queue while the model is busy; the next forward takes every waiting request (up to
`max_rows` rows) as one batch and hands each its slice of the outputs. An idle model runs a lone
request at once, so batching adds no delay at low load. Forwards run on one dedicated thread
(PyTorch releases the GIL), leaving the event loop free to parse and encode the next requests.
"""

from __future__ import annotations

import asyncio
from collections import deque
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch

from kozak.deploy.model import Batch, ServingModel, batch_rows

Outputs = dict[str, np.ndarray]


class MicroBatcher:
    """Merges concurrent forwards of one `ServingModel`.

    Args:
        model: The model whose `forward` is shared.
        max_rows: Most rows merged into one forward (a larger single request runs alone).
    """

    def __init__(self, model: ServingModel, max_rows: int = 4096) -> None:
        self.model = model
        self.max_rows = max_rows
        self._pending: deque[tuple[Batch, asyncio.Future[Outputs]]] = deque()
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kozak-model")

    async def forward(self, batch: Batch) -> Outputs:
        """The model's raw outputs for `batch`, possibly computed together with other requests."""
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._task = loop.create_task(self._serve())
        future: asyncio.Future[Outputs] = loop.create_future()
        self._pending.append((batch, future))
        assert self._wake is not None
        self._wake.set()
        return await future

    def _take(self) -> list[tuple[Batch, asyncio.Future[Outputs]]]:
        taken = [self._pending.popleft()]
        rows = batch_rows(taken[0][0])
        while self._pending and rows + batch_rows(self._pending[0][0]) <= self.max_rows:
            batch, future = self._pending.popleft()
            taken.append((batch, future))
            rows += batch_rows(batch)
        return taken

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        assert self._wake is not None
        while True:
            if not self._pending:
                self._wake.clear()
                await self._wake.wait()
                continue
            taken = self._take()
            batches = [batch for batch, _ in taken]
            merged = (
                batches[0]
                if len(batches) == 1
                else {name: torch.cat([b[name] for b in batches]) for name in batches[0]}
            )
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
        """Stop the batching task and the model thread."""
        if self._task is not None:
            self._task.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)
