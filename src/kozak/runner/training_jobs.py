"""The training job kinds: train, resume (from the last checkpoint) and continue (for more epochs).

Each sets the experiment `running`, streams epochs to the event log and the job log, and ends
it `completed`, `stopped` (the job `cancelled`) or, when the worker lost the job, `failed`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import Field

from kozak.errors import Conflict, InvalidConfig
from kozak.experiments.lifecycle import run_experiment
from kozak.runner.events import EventRecorder, emit_status
from kozak.runner.job_kind import (
    JobContext,
    JobKind,
    JobPayload,
    NoPayload,
    StopSignal,
    checkpoint_exists,
    payload_arguments,
)
from kozak.store.entities import Experiment
from kozak.training import RunSettings
from kozak.training.callbacks import Callback, Metrics, RunControl
from kozak.workspace import Workspace


class ContinuePayload(JobPayload):
    """How much longer to train."""

    epochs: int = Field(ge=1, description="Epochs to train beyond those already done.")


def _check_train(workspace: Workspace, experiment: Experiment, args: NoPayload) -> None:
    if experiment.epochs_done > 0:
        raise Conflict(
            f"experiment {experiment.name!r} has trained {experiment.epochs_done} epochs already; "
            "resume or continue it, or clone it to train again from scratch",
            experiment=experiment.name,
        )


def _check_resumable(workspace: Workspace, experiment: Experiment, args: Any) -> None:
    if not checkpoint_exists(workspace, experiment, "last"):
        raise InvalidConfig(
            f"experiment {experiment.name!r} has no checkpoint to resume from; run it first",
            experiment=experiment.name,
        )


class _LogLines(Callback):
    """Writes the run's start, each epoch's metrics and its end to the job log."""

    name = "job_log"
    order = 300

    def __init__(self, log: Callable[[str], None]) -> None:
        self.log = log

    def on_train_start(self, run: RunControl, epoch: int) -> None:
        self.log(
            f"training epochs {epoch + 1}-{run.settings.epochs}, "
            f"{run.batches_per_epoch} batches per epoch"
        )

    def on_epoch_end(self, run: RunControl, epoch: int, metrics: Metrics) -> None:
        shown = "  ".join(f"{k} {v:.4g}" for k, v in metrics.items() if k != "epoch")
        self.log(f"epoch {epoch}: {shown}")

    def on_train_end(self, run: RunControl, reason: str) -> None:
        self.log(f"training ended: {reason.replace('_', ' ')}")


def run_training(ctx: JobContext, *, resume: bool, extra: Sequence[Callback] = ()) -> str:
    """Run (or resume) the experiment's training; statuses and events on every outcome.

    Args:
        ctx: The job's context.
        resume: Continue from the last checkpoint.
        extra: More training callbacks (a sweep trial's reporter).

    Returns:
        The job's final status: completed, cancelled (stopped) or failed (the worker lost it).
    """
    workspace, experiment = ctx.workspace, ctx.set_status("running")
    callbacks = [EventRecorder(workspace, experiment, ctx.job.id), _LogLines(ctx.log), *extra]
    try:
        done = run_experiment(workspace, experiment, callbacks, resume=resume, stop_event=ctx.stop)
    except BaseException:
        now = workspace.metadata.get_experiment(experiment.project_id, experiment.id)
        emit_status(workspace, now.id, now.project_id, now.status, now.message, ctx.job.id)
        raise
    if done.status != "stopped":
        ctx.experiment = done
        emit_status(workspace, done.id, done.project_id, done.status, done.message, ctx.job.id)
        return "completed"
    failed = isinstance(ctx.stop, StopSignal) and ctx.stop.failed
    message = ctx.stop.message if isinstance(ctx.stop, StopSignal) else "stopped"
    ctx.set_status("failed" if failed else "stopped", message)
    return "failed" if failed else "cancelled"


def _train(ctx: JobContext) -> str:
    return run_training(ctx, resume=False)


def _resume(ctx: JobContext) -> str:
    return run_training(ctx, resume=True)


def _continue(ctx: JobContext) -> str:
    args = ContinuePayload.model_validate(payload_arguments(ContinuePayload, ctx.job.payload))
    settings = RunSettings.from_data(ctx.experiment.settings)
    longer = settings.model_copy(update={"epochs": ctx.experiment.epochs_done + args.epochs})
    ctx.experiment = ctx.workspace.metadata.update_experiment(
        ctx.experiment.id, settings=longer.model_dump(mode="json")
    )
    ctx.log(f"continuing for {args.epochs} more epochs (to {longer.epochs})")
    return run_training(ctx, resume=True)


TRAIN = JobKind(_train, NoPayload, _check_train)
RESUME = JobKind(_resume, NoPayload, _check_resumable)
CONTINUE = JobKind(_continue, ContinuePayload, _check_resumable)
