"""`MicroBatcher` under pressure: closing mid-forward, a full queue, deadlines; and the model
cache, which members' looks cannot empty of the models clients are calling."""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pytest
import torch

from kozak.deploy import host as host_module
from kozak.deploy.host import DeploymentHost, Served
from kozak.deploy.microbatcher import MicroBatcher
from kozak.deploy.model import Batch, ServingModel
from kozak.errors import Unavailable
from kozak.store.entities import Deployment
from kozak.workspace import Workspace

ANSWER_S = 30.0  # a guard against hanging, never reached when the code is right


class GatedModel:
    """A stand-in model whose forward waits until the test opens the gate."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.started = threading.Event()

    def forward(self, batch: Batch) -> dict[str, np.ndarray]:
        self.started.set()
        self.gate.wait(ANSWER_S)
        return {"y": batch["x"].numpy() * 2}


def _batcher(model: GatedModel, **kwargs: Any) -> MicroBatcher:
    return MicroBatcher(cast(ServingModel, model), **kwargs)


def _batch(value: float) -> Batch:
    return {"x": torch.full((1, 1), value)}


async def _outcomes(tasks: list[asyncio.Task[Any]]) -> list[str]:
    done = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), ANSWER_S)
    return [type(result).__name__ for result in done]


def test_close_answers_every_waiting_request() -> None:
    model = GatedModel()

    async def scenario() -> list[str]:
        batcher = _batcher(model)
        running = asyncio.create_task(batcher.forward(_batch(1)))
        await asyncio.to_thread(model.started.wait, ANSWER_S)
        queued = [asyncio.create_task(batcher.forward(_batch(v))) for v in (2, 3)]
        await asyncio.sleep(0)
        batcher.close()
        outcomes = await _outcomes([running, *queued])
        model.gate.set()
        with pytest.raises(Unavailable):
            await batcher.forward(_batch(4))  # a closed batcher refuses at once
        return outcomes

    assert asyncio.run(scenario()) == ["Unavailable"] * 3


def test_a_full_queue_is_refused_with_retry_after() -> None:
    model = GatedModel()

    async def scenario() -> None:
        batcher = _batcher(model, max_queue=2)
        running = asyncio.create_task(batcher.forward(_batch(1)))
        await asyncio.to_thread(model.started.wait, ANSWER_S)
        queued = [asyncio.create_task(batcher.forward(_batch(v))) for v in (2, 3)]
        await asyncio.sleep(0)
        with pytest.raises(Unavailable) as refused:
            await batcher.forward(_batch(4))
        assert refused.value.http_status == 503 and refused.value.retry_after_s >= 1
        model.gate.set()
        answers = await asyncio.wait_for(asyncio.gather(running, *queued), ANSWER_S)
        assert [float(a["y"][0, 0]) for a in answers] == [2.0, 4.0, 6.0]
        batcher.close()

    asyncio.run(scenario())


def test_a_request_past_its_deadline_is_answered_and_skipped() -> None:
    model = GatedModel()

    async def scenario() -> list[str]:
        batcher = _batcher(model, timeout_s=0.2)
        running = asyncio.create_task(batcher.forward(_batch(1)))
        await asyncio.to_thread(model.started.wait, ANSWER_S)
        late = asyncio.create_task(batcher.forward(_batch(2)))
        outcomes = await _outcomes([late])
        model.gate.set()
        await _outcomes([running])
        batcher.close()
        return outcomes

    assert asyncio.run(scenario()) == ["Unavailable"]


class _Host(DeploymentHost):
    """A host whose models are stand-ins (no weights on disk)."""

    def _load(self, deployment: Deployment) -> Served:
        return Served(cast(ServingModel, GatedModel()), _batcher(GatedModel()))


def test_members_cannot_push_out_models_clients_call(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployments = [cast(Deployment, SimpleNamespace(id=f"d{i}")) for i in range(4)]

    async def scenario() -> list[str]:
        host = _Host(workspace, max_models=2)
        await host.served(deployments[0], by_client=True)
        await host.served(deployments[1], by_client=True)
        with pytest.raises(Unavailable) as refused:
            await host.served(deployments[2])  # a member's look while both are in use
        assert refused.value.retry_after_s > 0
        monkeypatch.setattr(host_module, "IDLE_S", 0.0)  # as if both had gone quiet
        await host.served(deployments[2])
        assert list(host._models) == ["d2", "d1"]  # the look took the idle d0's slot
        await host.served(deployments[3], by_client=True)  # a client's call may evict
        loaded = list(host._models)
        host.close()
        return loaded

    # The client's call pushed out the model only a member looked at, not d1.
    assert asyncio.run(scenario()) == ["d1", "d3"]
