"""Live events of a run in the metadata store's event log, which the server's streams read.

Kinds: `status` {status, message, job_id}, `progress` {epoch, batch, batches, loss} (at most two
a second, plus each epoch's last batch) and `epoch` {epoch, metrics}. Every event's `data`
carries `experiment_id`; numbers that are not finite are stored as null (JSON has no NaN).
Designs append `design_status` and `design_round` events of their own (`runner/design_job.py`).
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from kozak.errors import StoreError
from kozak.store.entities import Event, Experiment
from kozak.training.callbacks import Callback, Metrics, RunControl
from kozak.workspace import Workspace

PROGRESS_INTERVAL_S = 0.5  # a browser redraws a progress bar no faster than this is useful

logger = logging.getLogger("kozak.runner")


def finite(value: float) -> float | None:
    """`value`, or None when it is NaN or infinite."""
    return value if math.isfinite(value) else None


def emit_status(
    workspace: Workspace,
    experiment_id: str,
    project_id: str,
    status: str,
    message: str = "",
    job_id: str | None = None,
) -> Event:
    """Append a `status` event: the experiment's status changed (the caller changed it).

    Args:
        workspace: Where the event log lives.
        experiment_id: The experiment whose status changed.
        project_id: Its project.
        status: The new status (queued, running, completed, stopped, failed, ...).
        message: Why, for people ("worker shut down; resume to continue").
        job_id: The job that changed it, when one did.

    Returns:
        The stored event, with its id.
    """
    data: dict[str, Any] = {"experiment_id": experiment_id, "status": status, "message": message}
    if job_id is not None:
        data["job_id"] = job_id
    event = Event(project_id=project_id, experiment_id=experiment_id, kind="status", data=data)
    return workspace.metadata.append_event(event)


class EventRecorder(Callback):
    """A training callback appending `progress` and `epoch` events for one experiment.

    Args:
        workspace: Where the event log lives.
        experiment: The experiment being trained.
        job_id: The job running it, added to each event when given.
        interval_s: Least seconds between two progress events within an epoch.
    """

    name = "events"
    order = 300  # after the recorder (200), so an epoch event's metrics are already stored

    def __init__(
        self,
        workspace: Workspace,
        experiment: Experiment,
        job_id: str | None = None,
        interval_s: float = PROGRESS_INTERVAL_S,
    ) -> None:
        self.workspace = workspace
        self.experiment = experiment
        self.job_id = job_id
        self.interval_s = interval_s
        self._last = -math.inf

    def _append(self, kind: str, data: dict[str, Any]) -> None:
        data = {"experiment_id": self.experiment.id, **data}
        if self.job_id is not None:
            data["job_id"] = self.job_id
        self.workspace.metadata.append_event(
            Event(
                project_id=self.experiment.project_id,
                experiment_id=self.experiment.id,
                kind=kind,
                data=data,
            )
        )

    def on_batch_end(self, run: RunControl, epoch: int, batch: int, batches: int, loss: float) -> None:
        now = time.monotonic()
        if now - self._last < self.interval_s and batch + 1 < batches:
            return
        self._last = now
        progress = {"epoch": epoch, "batch": batch + 1, "batches": batches, "loss": finite(loss)}
        try:
            self._append("progress", progress)
        except StoreError as exc:  # a missed progress tick must not fail hours of training
            logger.warning("progress event not stored: %s", exc.message)

    def on_epoch_end(self, run: RunControl, epoch: int, metrics: Metrics) -> None:
        shown = {key: finite(float(value)) for key, value in metrics.items()}
        self._append("epoch", {"epoch": epoch, "metrics": shown})
