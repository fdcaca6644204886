"""Where the forward endpoint finds its model: `ServingBackend` and its two implementations.

`DeploymentHost` serves a workspace's deployments: it checks each request's token against the
deployment (records cached until this home's `changes_path` grows, so enabling, disabling or
re-keying takes effect at once in every process serving from this home, and for at most a couple
of seconds on other hosts sharing the database), loads each model once and keeps
the ones most recently used by token-holding clients in memory, and counts usage. A project
member's look (schema, try) loads a model only into a free slot or one idle for `IDLE_S`, so
viewers touching many deployments cannot push out the models serving traffic. `SingleModel`
serves one model with an optional fixed token and no database, for `kozak serve`.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kozak.deploy.deployments import changes_path, model_path
from kozak.deploy.microbatcher import MicroBatcher
from kozak.deploy.model import Row, ServingModel
from kozak.deploy.tokens import token_matches
from kozak.deploy.usage import UsageRecorder
from kozak.errors import Forbidden, NotAuthenticated, NotFound, Unavailable
from kozak.store.entities import Deployment
from kozak.workspace import Workspace


@dataclass
class Served:
    """A model ready to answer requests: its encoding and a shared, batched forward."""

    model: ServingModel
    batcher: MicroBatcher

    @classmethod
    def of(
        cls, model: ServingModel, max_rows: int, max_queue: int = 256, timeout_s: float = 30.0
    ) -> Served:
        """Wrap a model with a batcher that merges up to `max_rows` rows per forward, holds at
        most `max_queue` waiting requests and answers each within `timeout_s` (else 503)."""
        return cls(model, MicroBatcher(model, max_rows, max_queue, timeout_s))

    async def predict(self, rows: Sequence[Row]) -> list[dict[str, Any]]:
        """Predictions for `rows` (validated first; see `ServingModel.encode`)."""
        batch = self.model.encode(rows)
        return self.model.decode(await self.batcher.forward(batch))


def answer_rows(
    served: Served, rows: Sequence[Row], predictions: list[dict[str, Any]]
) -> dict[str, Any]:
    """A forward answer: `{"rows": predictions}`, with `warnings` (see
    `ServingModel.warnings`) only when there are some, so that other answers stay Peltarion's."""
    answer: dict[str, Any] = {"rows": predictions}
    warnings = served.model.warnings(rows)
    if warnings:
        answer["warnings"] = warnings
    return answer


class ServingBackend(Protocol):
    """What the serving routes need from the app (`app.state.serving`)."""

    max_rows: int
    max_body_bytes: int

    async def open(self, deployment_id: str, token: str | None) -> Served:
        """The model of an authorised request.

        Raises:
            NotFound: No such deployment.
            NotAuthenticated: The token is missing or not this deployment's.
            Forbidden: The deployment is disabled.
        """
        ...

    def record(self, deployment_id: str, *, rows: int, latency_ms: float, error: bool) -> None:
        """Count one answered request."""
        ...

    def close(self) -> None:
        """Release the models."""
        ...


IDLE_S = 300.0  # a model no client called for this long may make room for a member's look


def _unauthenticated() -> NotAuthenticated:
    return NotAuthenticated(
        "missing or wrong deployment token: send 'Authorization: Bearer <token>' (or HTTP Basic "
        "with the token as user name)"
    )


class DeploymentHost:
    """The platform's `ServingBackend` over a workspace's deployments.

    Args:
        workspace: Where deployments and their weights live.
        max_models: Models kept loaded; the least recently used is dropped beyond this.
        record_ttl_s: How long a deployment's record (token hash, enabled) is trusted when this
            home announced no change (a change made on another host is seen after this).
    """

    def __init__(self, workspace: Workspace, *, max_models: int = 8, record_ttl_s: float = 2.0) -> None:
        self.workspace = workspace
        self.max_rows = workspace.settings.serve_max_rows
        self.max_body_bytes = workspace.settings.serve_max_body_bytes
        self.max_models = max_models
        self.record_ttl_s = record_ttl_s
        self.usage = UsageRecorder()
        self._changes = changes_path(workspace)
        # Each record with when it was read and the size of `_changes` just before.
        self._records: dict[str, tuple[Deployment, float, int]] = {}
        # Least recently called by a client first; models only members looked at go in front.
        self._models: OrderedDict[str, Served] = OrderedDict()
        self._called: dict[str, float] = {}
        self._loading: dict[str, asyncio.Lock] = {}

    def _changes_seen(self) -> int:
        try:
            return self._changes.stat().st_size
        except FileNotFoundError:
            return 0

    async def _record(self, deployment_id: str) -> Deployment:
        changes = self._changes_seen()
        cached = self._records.get(deployment_id)
        if (
            cached is not None
            and cached[2] == changes
            and time.monotonic() - cached[1] < self.record_ttl_s
        ):
            return cached[0]
        deployment = await asyncio.to_thread(self.workspace.metadata.get_deployment, deployment_id)
        self._records[deployment_id] = (deployment, time.monotonic(), changes)
        return deployment

    async def open(self, deployment_id: str, token: str | None) -> Served:
        try:
            deployment = await self._record(deployment_id)
        except NotFound:
            self._records.pop(deployment_id, None)
            raise
        if token is None or not token_matches(token, deployment.token_hash):
            raise _unauthenticated()
        if not deployment.enabled:
            raise Forbidden(
                f"deployment {deployment.name!r} is disabled; enable it to use it",
                deployment=deployment.id,
            )
        return await self.served(deployment, by_client=True)

    async def served(self, deployment: Deployment, *, by_client: bool = False) -> Served:
        """The deployment's loaded model (loading it on first use, off the event loop).

        Args:
            deployment: The deployment.
            by_client: A token-holding client's call (may push out the least recently called
                model); otherwise a member's look, which may only take a free or idle slot.

        Raises:
            Unavailable: a member's look found every slot held by a model clients are calling.
        """
        found = self._models.get(deployment.id)
        if found is None:
            lock = self._loading.setdefault(deployment.id, asyncio.Lock())
            async with lock:
                found = self._models.get(deployment.id)
                if found is None:
                    if not by_client and not self._room_for_a_look():
                        raise Unavailable(
                            "every model slot is serving clients; try this deployment again later",
                            retry_after_s=60,
                        )
                    found = await asyncio.to_thread(self._load, deployment)
                    while len(self._models) >= self.max_models:
                        dropped_id, dropped = self._models.popitem(last=False)
                        self._called.pop(dropped_id, None)
                        dropped.batcher.close()
                    self._models[deployment.id] = found
                    if not by_client:
                        self._models.move_to_end(deployment.id, last=False)
        if by_client:
            self._models.move_to_end(deployment.id)
            self._called[deployment.id] = time.monotonic()
        return found

    def _room_for_a_look(self) -> bool:
        if len(self._models) < self.max_models:
            return True
        oldest = next(iter(self._models))
        return time.monotonic() - self._called.get(oldest, -IDLE_S) >= IDLE_S

    def _load(self, deployment: Deployment) -> Served:
        settings = self.workspace.settings
        model = ServingModel.load(model_path(self.workspace, deployment))
        return Served.of(model, self.max_rows, settings.serve_max_queue, settings.serve_timeout_s)

    def forget(self, deployment_id: str) -> None:
        """Drop what is cached of a deployment (after it changed or was deleted here)."""
        self._records.pop(deployment_id, None)
        self._called.pop(deployment_id, None)
        served = self._models.pop(deployment_id, None)
        if served is not None:
            served.batcher.close()

    def record(self, deployment_id: str, *, rows: int, latency_ms: float, error: bool) -> None:
        self.usage.record(deployment_id, rows=rows, latency_ms=latency_ms, error=error)

    def flush_usage(self) -> int:
        """Write the counted usage to the store."""
        return self.usage.flush(self.workspace.metadata)

    def close(self) -> None:
        for served in self._models.values():
            served.batcher.close()
        self._models.clear()


class SingleModel:
    """A `ServingBackend` for one model under a fixed id, with an optional token; no database.

    Args:
        served: The model.
        deployment_id: The id in its URL (`/deployment/<id>/forward`).
        token_hash: SHA-256 of the accepted token; None accepts any request.
        max_rows: Most rows per request.
        max_body_bytes: Largest request body.
    """

    def __init__(
        self,
        served: Served,
        deployment_id: str,
        *,
        token_hash: str | None = None,
        max_rows: int = 10_000,
        max_body_bytes: int = 16 * 2**20,
    ) -> None:
        self.served = served
        self.deployment_id = deployment_id
        self.token_hash = token_hash
        self.max_rows = max_rows
        self.max_body_bytes = max_body_bytes

    async def open(self, deployment_id: str, token: str | None) -> Served:
        if deployment_id != self.deployment_id:
            raise NotFound(f"no deployment {deployment_id!r} here", deployment=deployment_id)
        if self.token_hash is not None and (token is None or not token_matches(token, self.token_hash)):
            raise _unauthenticated()
        return self.served

    def record(self, deployment_id: str, *, rows: int, latency_ms: float, error: bool) -> None:
        pass  # no database: the proxy in front of a standalone server keeps the access log

    def close(self) -> None:
        self.served.batcher.close()
