"""The experiment job queue: enqueue (at most one queued or running per experiment), stop, reap, execute.

Every change of an experiment's status made here also appends a `status` event. A job a worker
lost (its lease ran out, or its process died) leaves the experiment `failed` but resumable from
its last checkpoint. The kinds of job are in `runner/kinds.py`.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from kozak.errors import AlreadyExists, Conflict, InvalidConfig, KozakError, invalid_config
from kozak.experiments.checkpoints import work_dir
from kozak.runner import kinds  # a module import: a kind (sweep trials) queues jobs too
from kozak.runner.events import emit_status
from kozak.runner.job_kind import RESUME_HINT, JobContext, ProjectJobContext, checkpoint_exists
from kozak.store.entities import Experiment, Job
from kozak.store.statuses import EXPERIMENT_BUSY, JOB_ACTIVE
from kozak.workspace import Workspace

logger = logging.getLogger("kozak.runner")


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
    found = kinds.job_kind(kind)
    try:
        args = found.payload.model_validate(payload or {})
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
    found.check(workspace, experiment, args)
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
    """Leave a lost job's experiment failed-but-resumable (or as it was, for an evaluation),
    then let the job's kind clean up after it."""
    _mark_experiment_lost(workspace, job, what)
    kind = kinds.JOB_KINDS.get(job.kind)
    if kind is not None and kind.on_lost is not None:
        try:
            kind.on_lost(workspace, job)
        except KozakError as exc:  # one kind's clean-up must not stop the reaper's pass
            logger.warning("job %s: clean-up after its lost worker failed: %s", job.id, exc.message)


def _mark_experiment_lost(workspace: Workspace, job: Job, what: str) -> None:
    if job.experiment_id is None:
        return
    experiment = workspace.metadata.get_experiment(job.project_id, job.experiment_id)
    if experiment.status not in EXPERIMENT_BUSY:
        return  # the worker got as far as recording the end of the run
    kind = kinds.JOB_KINDS.get(job.kind)
    if kind is None or kind.trains:
        status = "failed"
        hint = RESUME_HINT if checkpoint_exists(workspace, experiment, "last") else "run it again"
        # The last epoch logged counts even when the worker died before its summary followed.
        logged = workspace.metadata.list_epochs(experiment.id)
        done = max(experiment.epochs_done, logged[-1].epoch if logged else 0)
        message = f"{what} during epoch {done + 1}; {hint}"
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
    if job.kind in kinds.PROJECT_JOB_KINDS:
        log(f"{job.kind} {job.payload}, attempt {job.attempts}")
        project_kind = kinds.PROJECT_JOB_KINDS[job.kind]
        return project_kind.run(ProjectJobContext(workspace, job, stop_event, log))
    kind = kinds.job_kind(job.kind)
    if job.experiment_id is None:
        raise InvalidConfig(f"job {job.id} ({job.kind}) names no experiment")
    experiment = workspace.metadata.get_experiment(job.project_id, job.experiment_id)
    shutil.rmtree(work_dir(workspace, experiment), ignore_errors=True)
    log(f"{job.kind} {experiment.name} ({experiment.id}), attempt {job.attempts}")
    return kind.run(JobContext(workspace, job, experiment, stop_event, log))
