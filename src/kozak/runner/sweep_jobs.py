"""Sweep trials as jobs of the queue: the `sweep_trial` kind, and starting and stopping sweeps.

A sweep keeps `concurrency` trials queued or running: `start_sweep` queues that many, and
each trial, when it ends (completed, pruned, failed, stopped, or lost with its worker), is
told to Optuna and queues the next one while the budget lasts. So N `kozak worker` processes
against one database run N trials at once, and the Ray runner runs them as Ray tasks, with no
scheduler beyond the queue. Trial slots are taken with a guarded update, so two workers never
start more trials than the budget; a claimed job is run once (the queue's guarantee).
"""

from __future__ import annotations

import logging

from pydantic import Field

from kozak.errors import Conflict, InvalidConfig, KozakError
from kozak.runner import jobs as queue  # a module import: jobs imports the kinds, this among them
from kozak.runner.job_kind import JobContext, JobKind, JobPayload, describe, payload_arguments
from kozak.runner.training_jobs import run_training
from kozak.store.entities import Event, Experiment, Job, Sweep, SweepTrial
from kozak.store.statuses import SweepStatus, TrialState
from kozak.sweeps import lifecycle
from kozak.sweeps.pruning import TrialReporter
from kozak.sweeps.study import trial_handle
from kozak.workspace import Workspace

KIND = "sweep_trial"
logger = logging.getLogger("kozak.runner")


class TrialPayload(JobPayload):
    """Which trial of which sweep the job trains."""

    sweep_id: str = Field(description="The sweep.")
    number: int = Field(ge=0, description="The trial's number in the sweep's study.")


def emit_sweep_event(workspace: Workspace, sweep: Sweep, trial: SweepTrial | None = None) -> None:
    """Append a `sweep` event (the sweep or one of its trials changed) to the project's log."""
    data: dict[str, object] = {"sweep_id": sweep.id, "status": sweep.status}
    if trial is not None:
        data.update(trial=trial.number, state=trial.state, experiment_id=trial.experiment_id)
    workspace.metadata.append_event(Event(project_id=sweep.project_id, kind="sweep", data=data))


def _check_trial(workspace: Workspace, experiment: Experiment, args: TrialPayload) -> None:
    sweep = workspace.metadata.get_sweep(experiment.project_id, args.sweep_id)
    trial = lifecycle.get_trial(workspace, sweep, args.number)
    if trial.experiment_id != experiment.id:
        raise InvalidConfig(
            f"trial {args.number} of sweep {sweep.name!r} trains another experiment",
            experiment=experiment.name,
        )
    if experiment.epochs_done > 0:
        raise Conflict(
            f"trial experiment {experiment.name!r} has trained already; a trial runs once",
            experiment=experiment.name,
        )


def queue_next_trial(workspace: Workspace, sweep: Sweep) -> Job | None:
    """Plan the sweep's next trial and queue its job; None when no trial can start.

    A sweep that cannot start another trial and has none running is marked completed.
    """
    try:
        trial = lifecycle.plan_trial(workspace, sweep)
    except InvalidConfig as exc:  # the space kept producing invalid graphs: the sweep failed
        logger.warning("sweep %s: %s", sweep.id, exc.message)
        emit_sweep_event(workspace, workspace.metadata.get_sweep(sweep.project_id, sweep.id))
        return None
    if trial is None:
        closed = lifecycle.close_if_done(workspace, sweep)
        if closed.status != sweep.status:
            emit_sweep_event(workspace, closed)
        return None
    assert trial.experiment_id is not None
    experiment = workspace.metadata.get_experiment(sweep.project_id, trial.experiment_id)
    job = queue.enqueue_experiment_job(
        workspace,
        experiment,
        KIND,
        payload={"sweep_id": sweep.id, "number": trial.number},
        created_by=sweep.created_by,
    )
    emit_sweep_event(workspace, sweep, trial)
    return job


def start_sweep(workspace: Workspace, sweep: Sweep) -> list[Job]:
    """Queue the sweep's first `concurrency` trials (fewer when the budget is smaller).

    Raises:
        InvalidConfig: If not even the first trial could be planned (the sweep is failed).
    """
    jobs = []
    for _ in range(lifecycle.sweep_spec(sweep).concurrency):
        job = queue_next_trial(workspace, sweep)
        if job is None:
            break
        jobs.append(job)
    now = workspace.metadata.get_sweep(sweep.project_id, sweep.id)
    if not jobs and now.status == SweepStatus.FAILED:
        raise InvalidConfig(f"sweep {sweep.name!r} failed: {now.message}", field="space")
    return jobs


def end_trial(
    workspace: Workspace,
    sweep: Sweep,
    trial: SweepTrial,
    *,
    pruned_epoch: int | None = None,
    failed: str | None = None,
) -> None:
    """Tell Optuna how the trial ended, then queue the next trial (or close the sweep)."""
    done = lifecycle.finish_trial(workspace, sweep, trial, pruned_epoch=pruned_epoch, failed=failed)
    emit_sweep_event(workspace, sweep, done)
    queue_next_trial(workspace, workspace.metadata.get_sweep(sweep.project_id, sweep.id))


def _run_trial(ctx: JobContext) -> str:
    args = TrialPayload.model_validate(payload_arguments(TrialPayload, ctx.job.payload))
    workspace = ctx.workspace
    sweep = workspace.metadata.get_sweep(ctx.experiment.project_id, args.sweep_id)
    trial = lifecycle.get_trial(workspace, sweep, args.number)
    spec = lifecycle.sweep_spec(sweep)
    reporters = []
    if spec.objective.per_epoch:
        handle = trial_handle(lifecycle.trial_study(workspace, sweep), trial.optuna_trial_id)
        reporters.append(TrialReporter(handle, spec.objective.metric, prune=spec.pruner.name != "none"))
    ctx.log(f"trial {trial.number} of sweep {sweep.name}: {trial.params}")
    try:
        status = run_training(ctx, resume=False, extra=reporters)
    except BaseException as error:
        try:
            end_trial(workspace, sweep, trial, failed=describe(error))
        except KozakError as also:  # the run's own error is the one to report
            logger.warning("sweep %s: trial %d not closed: %s", sweep.id, trial.number, also.message)
        raise
    if status == "completed":
        pruned = reporters[0].pruned_epoch if reporters else None
        end_trial(workspace, sweep, trial, pruned_epoch=pruned)
    else:
        stop = getattr(ctx.stop, "message", status)
        end_trial(workspace, sweep, trial, failed=str(stop))
    return status


def _trial_lost(workspace: Workspace, job: Job) -> None:
    """A trial whose worker was lost is failed, and the sweep goes on with another trial."""
    sweep_id, number = job.payload.get("sweep_id"), job.payload.get("number")
    if not isinstance(sweep_id, str) or not isinstance(number, int):
        return
    sweep = workspace.metadata.get_sweep(job.project_id, sweep_id)
    trial = lifecycle.get_trial(workspace, sweep, number)
    end_trial(workspace, sweep, trial, failed="its worker was lost")


def stop_sweep(workspace: Workspace, sweep: Sweep) -> Sweep:
    """Stop a sweep: no trial starts any more; queued trials are cancelled at once and
    running ones after their current batch (each is told to Optuna as failed, "stopped").

    Raises:
        Conflict: If the sweep has finished already.
    """
    stopped = lifecycle.mark_stopped(workspace, sweep)
    for trial in workspace.metadata.list_sweep_trials(sweep.id):
        if trial.state != TrialState.RUNNING or trial.experiment_id is None:
            continue
        experiment = workspace.metadata.get_experiment(sweep.project_id, trial.experiment_id)
        job = queue.active_job(workspace, experiment)
        if job is None:
            lifecycle.finish_trial(workspace, stopped, trial, failed="the sweep was stopped")
            continue
        try:
            after = queue.cancel_job(workspace, job.id)
        except KozakError as exc:  # finished in between: its own end told Optuna
            logger.info("sweep %s: trial %d: %s", sweep.id, trial.number, exc.message)
            continue
        if after.status == "cancelled":  # it was still queued: no run will report it
            lifecycle.finish_trial(workspace, stopped, trial, failed="the sweep was stopped")
    emit_sweep_event(workspace, stopped)
    return stopped


SWEEP_TRIAL = JobKind(_run_trial, TrialPayload, _check_trial, on_lost=_trial_lost)
