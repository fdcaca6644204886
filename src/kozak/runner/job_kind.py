"""What a job kind is: `JobKind` (payload, check, run), the `JobContext` a run gets, `StopSignal`.

A kind's payload model is validated when the job is enqueued, its check refuses a job that
cannot run, and its `run` returns the job's final status. The kinds are listed in
`runner/kinds.py`; adding one is a module that defines its `JobKind` and one line there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from kozak.errors import KozakError
from kozak.experiments.checkpoints import checkpoint_path
from kozak.runner.events import emit_status
from kozak.store.entities import Experiment, Job
from kozak.workspace import Workspace

RESUME_HINT = "resume to continue from the last checkpoint"


def describe(error: BaseException) -> str:
    """A one-line message for people: a `KozakError`'s message, else the type and text."""
    return error.message if isinstance(error, KozakError) else f"{type(error).__name__}: {error}"


class StopSignal(threading.Event):
    """A stop event that says why: the first `stop` wins, later ones keep its reason.

    `message` becomes the experiment's message; `failed` makes the run end `failed` (the worker
    lost the job) rather than `stopped`.
    """

    def __init__(self) -> None:
        super().__init__()
        self.message = "stopped"
        self.failed = False
        self._lock = threading.Lock()

    def stop(self, message: str, *, failed: bool = False) -> None:
        """Ask the run to stop after the current batch, saying why."""
        with self._lock:
            if not self.is_set():
                self.message, self.failed = message, failed
                self.set()


class JobPayload(BaseModel):
    """A kind's arguments: validated when the job is enqueued, stored in its payload."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoPayload(JobPayload):
    """Train and resume take no arguments."""


@dataclass
class JobContext:
    """What a kind's `run` gets: the workspace, the job, its experiment, the stop signal, the log."""

    workspace: Workspace
    job: Job
    experiment: Experiment
    stop: threading.Event
    log: Callable[[str], None]

    def set_status(self, status: str, message: str = "") -> Experiment:
        """Change the experiment's status and append the status event."""
        self.experiment = self.workspace.metadata.update_experiment(
            self.experiment.id, status=status, message=message
        )
        emit_status(
            self.workspace, self.experiment.id, self.experiment.project_id, status, message, self.job.id
        )
        return self.experiment


@dataclass(frozen=True)
class JobKind:
    """One kind of experiment job.

    Attributes:
        run: Runs a claimed job; returns its final status (completed, cancelled or failed).
        payload: The arguments the job takes, validated when it is enqueued.
        check: Refuses, when enqueuing, a job that cannot run (e.g. no checkpoint yet).
        trains: Whether the job trains (a lost one leaves the experiment failed, resumable).
        on_lost: Called after the queue marked a job of this kind failed because its worker
            was lost (the run itself never ends to clean up; a sweep trial is told failed).
    """

    run: Callable[[JobContext], str]
    payload: type[JobPayload]
    check: Callable[[Workspace, Experiment, Any], None]
    trains: bool = True
    on_lost: Callable[[Workspace, Job], None] | None = None


@dataclass
class ProjectJobContext:
    """What a project job's `run` gets (a job of no one experiment, such as a design)."""

    workspace: Workspace
    job: Job
    stop: threading.Event
    log: Callable[[str], None]


@dataclass(frozen=True)
class ProjectJobKind:
    """A kind of job that belongs to a project, not to one experiment (a design).

    Its status is the job's own; it changes no experiment, so any number may run beside an
    experiment's job. `run` returns the final status (completed or cancelled).
    """

    run: Callable[[ProjectJobContext], str]


def checkpoint_exists(workspace: Workspace, experiment: Experiment, kind: str) -> bool:
    """Whether the artifact store holds the experiment's `kind` checkpoint."""
    return workspace.artifacts.exists(checkpoint_path(experiment, kind))


def payload_arguments(model: type[JobPayload], payload: dict[str, Any]) -> dict[str, Any]:
    """The payload without the bookkeeping keys `enqueue_experiment_job` adds."""
    return {k: v for k, v in payload.items() if k in model.model_fields}
