"""Every status an experiment or a job can have, and which of them mean active or finished.

A job's `cancelled` and an experiment's `stopped` are one event seen from two sides: cancelling
the job that trains an experiment leaves the job `cancelled` and the experiment `stopped`
(resumable from its last checkpoint). Both are `StrEnum`s: they compare equal to, store as and
serialise as their plain values, and the OpenAPI schema gives the UI their unions.
"""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    """Where a job of the queue stands."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ExperimentStatus(StrEnum):
    """Where an experiment stands: never run, with a job, or finished (why is in its message)."""

    CREATED = "created"
    QUEUED = "queued"
    RUNNING = "running"
    EVALUATING = "evaluating"
    COMPLETED = "completed"
    STOPPED = "stopped"
    FAILED = "failed"


class SweepStatus(StrEnum):
    """Where a hyperparameter sweep stands: trials still to come, or finished (why: its message)."""

    RUNNING = "running"
    COMPLETED = "completed"
    STOPPED = "stopped"
    FAILED = "failed"


class TrialState(StrEnum):
    """Where one trial of a sweep stands (Optuna's trial states, as Kozak names them)."""

    RUNNING = "running"
    COMPLETE = "complete"
    PRUNED = "pruned"
    FAILED = "failed"


# A job in the queue or on a worker.
JOB_ACTIVE: tuple[JobStatus, ...] = (JobStatus.QUEUED, JobStatus.RUNNING)
JOB_FINISHED: tuple[JobStatus, ...] = (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED)

# An experiment a job has; a lost job only overwrites these.
EXPERIMENT_BUSY: tuple[ExperimentStatus, ...] = (
    ExperimentStatus.QUEUED,
    ExperimentStatus.RUNNING,
    ExperimentStatus.EVALUATING,
)
EXPERIMENT_FINISHED: tuple[ExperimentStatus, ...] = (
    ExperimentStatus.COMPLETED,
    ExperimentStatus.STOPPED,
    ExperimentStatus.FAILED,
)
