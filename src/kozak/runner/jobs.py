"""Experiment jobs: enqueue (at most one queued or running per experiment), stop, reap, execute.

Each kind (train, resume, continue, evaluate) is one `JobKind` in `JOB_KINDS`. Every change of
an experiment's status made here also appends a `status` event. A job a worker lost (its lease
ran out, or its process died) leaves the experiment `failed` but resumable from its last checkpoint.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kozak.errors import AlreadyExists, Conflict, InvalidConfig, KozakError, NotFound, invalid_config
from kozak.experiments.checkpoints import CHECKPOINT_PATTERN, work_dir
from kozak.experiments.lifecycle import evaluate_experiment, run_experiment
from kozak.runner.events import EventRecorder, emit_status
from kozak.store.entities import Experiment, Job
from kozak.store.statuses import EXPERIMENT_BUSY, JOB_ACTIVE
from kozak.training import RunSettings
from kozak.training.callbacks import Callback, Metrics, RunControl
from kozak.workspace import Workspace

RESUME_HINT = "resume to continue from the last checkpoint"
MAX_LOG_CHARS = 100_000  # the log lives in a database row; keep its newest part

logger = logging.getLogger("kozak.runner")


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


class JobLog:
    """A job's short text log (thread-safe): start, each epoch's metrics, the error on failure."""

    def __init__(self, max_chars: int = MAX_LOG_CHARS) -> None:
        self.max_chars = max_chars
        self._text = ""
        self._lock = threading.Lock()

    def write(self, line: str) -> None:
        """Append one line (or several)."""
        with self._lock:
            self._text += line.rstrip("\n") + "\n"
            if len(self._text) > self.max_chars:
                self._text = "[earlier lines dropped]\n" + self._text[-self.max_chars :]

    def text(self) -> str:
        """Everything kept so far."""
        with self._lock:
            return self._text


# ---- kinds --------------------------------------------------------------------------------


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoPayload(_Payload):
    """Train and resume take no arguments."""


class ContinuePayload(_Payload):
    """How much longer to train."""

    epochs: int = Field(ge=1, description="Epochs to train beyond those already done.")


class EvaluatePayload(_Payload):
    """What to evaluate."""

    subsets: list[str] | None = Field(None, description="Subsets to evaluate; default all.")
    checkpoint: str = Field(
        "best", pattern=CHECKPOINT_PATTERN, description="best, last or epoch-N (any epoch of the run)."
    )


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
    """

    run: Callable[[JobContext], str]
    payload: type[_Payload]
    check: Callable[[Workspace, Experiment, Any], None]
    trains: bool = True


def _checkpoint_exists(workspace: Workspace, experiment: Experiment, kind: str) -> bool:
    return workspace.artifacts.exists(f"{experiment.artifact_path}/checkpoints/{kind}.pt")


def _check_train(workspace: Workspace, experiment: Experiment, args: NoPayload) -> None:
    if experiment.epochs_done > 0:
        raise Conflict(
            f"experiment {experiment.name!r} has trained {experiment.epochs_done} epochs already; "
            "resume or continue it, or clone it to train again from scratch",
            experiment=experiment.name,
        )


def _check_resumable(workspace: Workspace, experiment: Experiment, args: Any) -> None:
    if not _checkpoint_exists(workspace, experiment, "last"):
        raise InvalidConfig(
            f"experiment {experiment.name!r} has no checkpoint to resume from; run it first",
            experiment=experiment.name,
        )


def _check_evaluable(workspace: Workspace, experiment: Experiment, args: EvaluatePayload) -> None:
    if not _checkpoint_exists(workspace, experiment, args.checkpoint):
        raise NotFound(
            f"experiment {experiment.name!r} has no {args.checkpoint!r} checkpoint; run it first",
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


def _training(ctx: JobContext, *, resume: bool) -> str:
    """Run (or resume) the experiment's training; statuses and events on every outcome."""
    workspace, experiment = ctx.workspace, ctx.set_status("running")
    callbacks = [EventRecorder(workspace, experiment, ctx.job.id), _LogLines(ctx.log)]
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
    return _training(ctx, resume=False)


def _resume(ctx: JobContext) -> str:
    return _training(ctx, resume=True)


def _continue(ctx: JobContext) -> str:
    args = ContinuePayload.model_validate(_arguments(ContinuePayload, ctx.job.payload))
    settings = RunSettings.from_data(ctx.experiment.settings)
    longer = settings.model_copy(update={"epochs": ctx.experiment.epochs_done + args.epochs})
    ctx.experiment = ctx.workspace.metadata.update_experiment(
        ctx.experiment.id, settings=longer.model_dump(mode="json")
    )
    ctx.log(f"continuing for {args.epochs} more epochs (to {longer.epochs})")
    return _training(ctx, resume=True)


def _evaluate(ctx: JobContext) -> str:
    args = EvaluatePayload.model_validate(_arguments(EvaluatePayload, ctx.job.payload))
    status = ctx.job.payload.get("previous_status", "completed")
    message = ctx.job.payload.get("previous_message", "")
    ctx.set_status("evaluating")
    try:
        report = evaluate_experiment(ctx.workspace, ctx.experiment, args.subsets, args.checkpoint)
    except BaseException as error:
        ctx.set_status(status, f"evaluation failed: {describe(error)}")
        raise
    subsets = ", ".join(report["subsets"])
    ctx.log(f"evaluated the {args.checkpoint} checkpoint (epoch {report['epoch']}) on {subsets}")
    ctx.set_status(status, message)
    return "completed"


JOB_KINDS: dict[str, JobKind] = {
    "train": JobKind(_train, NoPayload, _check_train),
    "resume": JobKind(_resume, NoPayload, _check_resumable),
    "continue": JobKind(_continue, ContinuePayload, _check_resumable),
    "evaluate": JobKind(_evaluate, EvaluatePayload, _check_evaluable, trains=False),
}


def _kind(name: str) -> JobKind:
    if name not in JOB_KINDS:
        raise InvalidConfig(f"unknown job kind {name!r}; choose one of: {', '.join(JOB_KINDS)}")
    return JOB_KINDS[name]


def _arguments(model: type[_Payload], payload: dict[str, Any]) -> dict[str, Any]:
    """The payload without the bookkeeping keys `enqueue_experiment_job` adds."""
    return {k: v for k, v in payload.items() if k in model.model_fields}


# ---- the queue ----------------------------------------------------------------------------


def active_job(workspace: Workspace, experiment: Experiment) -> Job | None:
    """The experiment's queued or running job, if it has one."""
    jobs = workspace.metadata.list_jobs(
        experiment.project_id, statuses=JOB_ACTIVE, experiment_id=experiment.id
    )
    return jobs[0] if jobs else None


def enqueue_experiment_job(
    workspace: Workspace,
    experiment: Experiment,
    kind: str,
    *,
    payload: dict[str, Any] | None = None,
    created_by: str = "",
) -> Job:
    """Queue a job for an experiment and mark the experiment `queued`.

    Args:
        workspace: The workspace.
        experiment: The experiment to train, resume, continue or evaluate.
        kind: "train", "resume", "continue" (payload `{"epochs": extra}`) or "evaluate"
            (payload `{"subsets": [...], "checkpoint": "best"}`, both optional).
        payload: The kind's arguments.
        created_by: Id of the user asking.

    Returns:
        The queued job; its payload also keeps the experiment's status and message from before.

    Raises:
        InvalidConfig: For an unknown kind, a bad payload, or resuming without a checkpoint.
        NotFound: When evaluating a checkpoint that does not exist.
        Conflict: When the experiment already has a queued or running job, or "train" is asked
            of an experiment that has trained epochs already.
    """
    job_kind = _kind(kind)
    try:
        args = job_kind.payload.model_validate(payload or {})
    except ValidationError as exc:
        raise invalid_config(exc, f"{kind} job") from None
    experiment = workspace.metadata.get_experiment(experiment.project_id, experiment.id)
    running = active_job(workspace, experiment)
    if running is not None:
        raise Conflict(
            f"experiment {experiment.name!r} already has a {running.status} job ({running.id}); "
            "stop it or wait for it to finish",
            experiment=experiment.name,
            job=running.id,
        )
    job_kind.check(workspace, experiment, args)
    try:
        job = workspace.metadata.enqueue_job(
            Job(
                project_id=experiment.project_id,
                experiment_id=experiment.id,
                kind=kind,
                payload={
                    **args.model_dump(mode="json"),
                    "previous_status": experiment.status,
                    "previous_message": experiment.message,
                },
                created_by=created_by,
            )
        )
    except AlreadyExists as exc:  # a store that enforces one active job per experiment
        raise Conflict(f"experiment {experiment.name!r} already has a queued or running job") from exc
    # Two requests at once can both pass the check above. A job that then sees another yields:
    # at most one survives (both yield, and both callers hear 409, only if each sees the other).
    others = [
        j.id
        for j in workspace.metadata.list_jobs(
            experiment.project_id, statuses=JOB_ACTIVE, experiment_id=experiment.id
        )
        if j.id != job.id
    ]
    if others:
        workspace.metadata.request_cancel(job.id)
        raise Conflict(
            f"experiment {experiment.name!r} already has a job ({others[0]})",
            experiment=experiment.name,
            job=others[0],
        )
    workspace.metadata.update_experiment(experiment.id, status="queued", message="")
    emit_status(workspace, experiment.id, experiment.project_id, "queued", "", job.id)
    return job


def cancel_job(workspace: Workspace, job_id: str) -> Job:
    """Cancel a job: a queued one at once (its experiment returns to its status from before),
    a running one after its current batch (its worker then marks the experiment `stopped`).

    Returns:
        The job after the request.

    Raises:
        NotFound: If there is no such job.
    """
    job = workspace.metadata.request_cancel(job_id)
    if job.status == "cancelled" and job.started_at is None and job.experiment_id is not None:
        status = job.payload.get("previous_status", "created")
        message = job.payload.get("previous_message", "")
        experiment = workspace.metadata.get_experiment(job.project_id, job.experiment_id)
        if experiment.status == "queued":
            workspace.metadata.update_experiment(experiment.id, status=status, message=message)
            emit_status(workspace, experiment.id, job.project_id, status, message, job.id)
    return job


def stop_experiment(workspace: Workspace, experiment: Experiment) -> Job:
    """Stop the experiment's queued or running job (see `cancel_job`).

    Raises:
        Conflict: If the experiment has no queued or running job.
    """
    job = active_job(workspace, experiment)
    if job is None:
        raise Conflict(
            f"experiment {experiment.name!r} is not queued or running", experiment=experiment.name
        )
    return cancel_job(workspace, job.id)


def _mark_lost(workspace: Workspace, job: Job, what: str) -> None:
    """Leave a lost job's experiment failed-but-resumable (or as it was, for an evaluation)."""
    if job.experiment_id is None:
        return
    experiment = workspace.metadata.get_experiment(job.project_id, job.experiment_id)
    if experiment.status not in EXPERIMENT_BUSY:
        return  # the worker got as far as recording the end of the run
    kind = JOB_KINDS.get(job.kind)
    if kind is None or kind.trains:
        status = "failed"
        hint = RESUME_HINT if _checkpoint_exists(workspace, experiment, "last") else "run it again"
        message = f"{what} during epoch {experiment.epochs_done + 1}; {hint}"
    else:
        status = job.payload.get("previous_status", "completed")
        message = f"{what} during evaluation; evaluate again"
    workspace.metadata.update_experiment(experiment.id, status=status, message=message)
    emit_status(workspace, experiment.id, job.project_id, status, message, job.id)


def reap_lost_jobs(workspace: Workspace) -> list[Job]:
    """Fail every running job whose lease ran out, and mark its experiment failed, resumable.

    Returns:
        The jobs marked failed.
    """
    lost = workspace.metadata.expire_jobs()
    for job in lost:
        _mark_lost(workspace, job, "worker lost")
    return lost


def fail_worker_jobs(
    workspace: Workspace, worker_id: str, error: str = "worker process died"
) -> list[Job]:
    """Fail the running jobs of a worker known to be gone, without waiting for their leases.

    Args:
        workspace: The workspace.
        worker_id: The worker that is gone.
        error: What happened, stored as the jobs' error.

    Returns:
        The jobs marked failed.
    """
    failed = []
    for job in workspace.metadata.list_jobs(statuses=("running",)):
        if job.worker_id != worker_id:
            continue
        try:
            done = workspace.metadata.finish_job(job.id, worker_id, "failed", error=error, log=job.log)
        except KozakError:  # finished or reaped in between
            continue
        _mark_lost(workspace, done, "worker lost")
        failed.append(done)
    return failed


# ---- running a job ------------------------------------------------------------------------


def execute_job(
    workspace: Workspace, job: Job, stop_event: threading.Event, log: Callable[[str], None]
) -> str:
    """Run a claimed job by its kind, in this process.

    The experiment's local work folder is removed first: another worker may have trained it
    since, so the checkpoints must come from the artifact store, not a stale local copy.

    Args:
        workspace: The workspace.
        job: A job this process has claimed.
        stop_event: Set to stop the run after its current batch; a `StopSignal` also says why.
        log: Receives the job log's lines.

    Returns:
        The job's final status: "completed", "cancelled" (stopped), or "failed" when the stop
        signal said the worker lost the job.

    Raises:
        InvalidConfig: For a job of an unknown kind or without an experiment.
        Exception: Whatever failed the run, after the experiment was marked failed.
    """
    kind = _kind(job.kind)
    if job.experiment_id is None:
        raise InvalidConfig(f"job {job.id} ({job.kind}) names no experiment")
    experiment = workspace.metadata.get_experiment(job.project_id, job.experiment_id)
    shutil.rmtree(work_dir(workspace, experiment), ignore_errors=True)
    log(f"{job.kind} {experiment.name} ({experiment.id}), attempt {job.attempts}")
    return kind.run(JobContext(workspace, job, experiment, stop_event, log))
