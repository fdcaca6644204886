"""A sweep's life: create (validated before any trial), plan trials, score and close them.

`create_sweep` resolves the base (an experiment, or a version with a graph preset), applies a
preset space's graph and settings, checks the space against them and creates the Optuna study.
`plan_trial` takes one trial slot of the budget, asks Optuna for values, builds the trial's
graph (skipping and counting combinations whose graph fails shape inference) and records the
trial's experiment. `finish_trial` scores a trained trial and tells Optuna; `close_if_done`
marks the sweep completed once no trial runs and no slot is left. Queueing the trials' jobs is
the runner's part (`kozak.runner.sweep_jobs`): this module enqueues nothing.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import optuna

from kozak.errors import Conflict, InvalidConfig, KozakError, NotFound
from kozak.experiments.lifecycle import (
    create_experiment,
    free_experiment_name,
    stored_evaluation,
    version_of,
)
from kozak.experiments.setup import bind_preset, deep_merge, resolve_version, run_settings_for
from kozak.graph.feature_shapes import feature_infos
from kozak.graph.graph_spec import GraphSpec
from kozak.graph.raw_report import check_graph_data
from kozak.store.entities import DatasetVersion, Experiment, Project, Sweep, SweepTrial, utcnow
from kozak.store.statuses import SweepStatus, TrialState
from kozak.sweeps import study as studies
from kozak.sweeps.presets import SPACES
from kozak.sweeps.space import SearchSpace
from kozak.sweeps.spec import SweepSpec
from kozak.training import RunSettings
from kozak.workspace import Workspace

MAX_INVALID_IN_A_ROW = 50  # sampled combinations whose graph fails before the sweep gives up


def space_of(spec: SweepSpec) -> SearchSpace:
    """The spec's search space (a preset's, by name).

    Raises:
        InvalidConfig: For an unknown preset space (the message lists them).
    """
    if isinstance(spec.space, SearchSpace):
        return spec.space
    if spec.space not in SPACES:
        raise InvalidConfig(
            f"unknown search space {spec.space!r}; presets: {', '.join(SPACES.names())}",
            field="space",
        )
    return SPACES.get(spec.space).space


def sweep_spec(sweep: Sweep) -> SweepSpec:
    """The stored spec of a sweep."""
    return SweepSpec.model_validate(sweep.spec)


def _base(
    workspace: Workspace, project: Project, spec: SweepSpec
) -> tuple[DatasetVersion, dict[str, Any], dict[str, Any], Experiment | None]:
    """Version, graph, settings and experiment (if any) the search starts from."""
    base = spec.base
    if base.experiment is not None:
        experiment = workspace.metadata.get_experiment(project.id, base.experiment)
        return version_of(workspace, experiment), experiment.graph, experiment.settings, experiment
    version = resolve_version(workspace, project, dataset=base.dataset, version=base.version)
    if base.preset is None and isinstance(spec.space, SearchSpace):
        raise InvalidConfig(
            "base names a dataset but no graph: give base.preset, base.experiment or a preset space",
            field="base",
        )
    graph = {} if base.preset is None else bind_preset(base.preset, feature_infos(version)).to_dict()
    return version, graph, {}, None


def _bound_inputs(graph: dict[str, Any]) -> tuple[list[str], str | None]:
    inputs = [n["params"]["feature"] for n in graph.get("nodes", []) if n["type"] == "input"]
    targets = [n["params"]["feature"] for n in graph.get("nodes", []) if n["type"] == "target"]
    return inputs, targets[0] if targets else None


def _check_objective(spec: SweepSpec, version: DatasetVersion, settings: RunSettings) -> None:
    objective = spec.objective
    if objective.subset is not None:
        if objective.subset not in version.subset_counts:
            raise InvalidConfig(
                f"objective subset {objective.subset!r} is not in the dataset version; subsets: "
                + ", ".join(version.subset_counts),
                field="objective.subset",
            )
        return
    if objective.metric.startswith("val_") and settings.validation_subset is None:
        raise InvalidConfig(
            f"objective {objective.metric!r} is a validation metric, but the run settings "
            "validate on no subset",
            field="objective.metric",
        )
    if objective.metric != "loss" and not objective.metric.startswith("val_"):
        raise InvalidConfig(
            f"objective {objective.metric!r} is not an epoch metric (loss, val_loss, val_mse, "
            "val_pearson_r2, …); to score a subset's evaluation, give objective.subset",
            field="objective.metric",
        )


def create_sweep(workspace: Workspace, spec: SweepSpec, *, created_by: str = "") -> Sweep:
    """Record a sweep and create its study; nothing is queued.

    Raises:
        NotFound: For an unknown project, experiment, dataset or version.
        InvalidConfig: For a space that names an unknown node, parameter or setting, an
            objective the trials cannot report, or settings that are invalid.
        AlreadyExists: If the project has a sweep of that name.
    """
    project = workspace.metadata.get_project(spec.project)
    space = space_of(spec)
    version, graph, settings, experiment = _base(workspace, project, spec)
    if isinstance(spec.space, str):
        preset = SPACES.get(spec.space)
        inputs, target = _bound_inputs(graph)
        graph = bind_preset(preset.graph_preset, feature_infos(version), inputs, target).to_dict()
        settings = deep_merge(settings, preset.settings)
    settings = deep_merge(deep_merge(settings, spec.settings), {"seed": spec.sampler.seed})
    run = run_settings_for(version, settings)
    base_graph = GraphSpec.from_data(graph)
    space.check(base_graph, run)
    _check_objective(spec, version, run)
    if spec.sampler.name == "grid":
        space.size() or next(d.grid() for d in space.dimensions)  # refuses a stepless float
    sweep = Sweep(
        project_id=project.id,
        name=spec.name,
        dataset_version_id=version.id,
        base_experiment_id=experiment.id if experiment else None,
        graph=base_graph.to_dict(),
        settings=run.model_dump(mode="json"),
        spec=spec.model_dump(mode="json"),
        created_by=created_by,
    )
    sweep = sweep.model_copy(update={"study_name": sweep.id})
    sweep = workspace.metadata.create_sweep(sweep)
    try:
        studies.create_study(workspace.settings.database_url, sweep.study_name, spec.objective.direction)
    except Exception:
        workspace.metadata.delete_sweep(sweep.id)
        raise
    return sweep


def get_sweep(workspace: Workspace, project: str, ref: str) -> Sweep:
    """A sweep of `project` (id or name) by id or name."""
    return workspace.metadata.get_sweep(workspace.metadata.get_project(project).id, ref)


def budget_trials(sweep: Sweep) -> int:
    """Trials the sweep runs at most: its budget, or, when smaller, the grid's valid points
    (its size less the combinations skipped as invalid: the grid never revisits them)."""
    spec = sweep_spec(sweep)
    size = space_of(spec).size() if spec.sampler.name == "grid" else None
    return min(spec.budget.trials, size - sweep.skipped) if size else spec.budget.trials


def past_deadline(sweep: Sweep, now: datetime | None = None) -> bool:
    """Whether the sweep's wall-time budget is spent (no trial starts after it)."""
    limit = sweep_spec(sweep).budget.wall_time_s
    return limit is not None and ((now or utcnow()) - sweep.created_at).total_seconds() >= limit


def _study(workspace: Workspace, sweep: Sweep, slot: int = 0) -> optuna.Study:
    spec = sweep_spec(sweep)
    sampler = studies.make_sampler(spec.sampler, space_of(spec), slot)
    epochs = RunSettings.from_data(sweep.settings).epochs
    pruner = studies.make_pruner(spec.pruner, epochs)
    return studies.load_study(workspace.settings.database_url, sweep.study_name, sampler, pruner)


def trial_study(workspace: Workspace, sweep: Sweep) -> optuna.Study:
    """The sweep's study with its pruner, for a running trial to report to."""
    return _study(workspace, sweep)


def plan_trial(workspace: Workspace, sweep: Sweep) -> SweepTrial | None:
    """Take a trial slot and make the trial's experiment; None when the budget is spent.

    Combinations whose graph or settings are invalid are told to Optuna as failed, counted in
    `sweep.skipped`, and sampled again (they use no slot).

    Raises:
        InvalidConfig: After `MAX_INVALID_IN_A_ROW` invalid combinations in a row (the sweep is
            marked failed first).
    """
    sweep = workspace.metadata.get_sweep(sweep.project_id, sweep.id)
    if past_deadline(sweep) or not workspace.metadata.take_trial_slot(sweep.id, budget_trials(sweep)):
        return None
    spec = sweep_spec(sweep)
    space = space_of(spec)
    version = workspace.metadata.get_dataset_version_by_id(sweep.dataset_version_id)
    features = feature_infos(version)
    current = workspace.metadata.get_sweep(sweep.project_id, sweep.id)
    study = _study(workspace, sweep, slot=current.trials_started)
    base_graph, base_settings = GraphSpec.from_data(sweep.graph), RunSettings.from_data(sweep.settings)
    problem: str | None = None
    for _ in range(MAX_INVALID_IN_A_ROW):
        sampler = study.sampler
        if isinstance(sampler, optuna.samplers.GridSampler) and sampler.is_exhausted(study):
            return None  # every point was tried or is running: the slot stays unused
        trial = study.ask()
        values = {dim.name: studies.suggest(trial, dim) for dim in space.dimensions}
        try:
            graph, settings = space.apply(base_graph, base_settings, values)
            problem = _graph_problem(graph, features)
            if problem is None:
                run = run_settings_for(version, settings)
        except KozakError as exc:
            problem = exc.message
        if problem is not None:
            trial.set_user_attr("invalid", problem)
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            workspace.metadata.add_skipped(sweep.id, 1)
            continue
        project = workspace.metadata.get_project(sweep.project_id)
        name = free_experiment_name(workspace, project.name, f"{sweep.name}-trial-{trial.number}")
        graph_spec = GraphSpec.from_data({**graph, "name": name})
        experiment = create_experiment(
            workspace, project.id, name, version, graph_spec, run, parent_id=sweep.base_experiment_id
        )
        return workspace.metadata.add_sweep_trial(
            SweepTrial(
                sweep_id=sweep.id,
                number=trial.number,
                optuna_trial_id=trial._trial_id,
                experiment_id=experiment.id,
                params=values,
            )
        )
    message = (
        f"{MAX_INVALID_IN_A_ROW} sampled combinations in a row had an invalid graph "
        f"(the last: {problem})"
    )
    fail_sweep(workspace, sweep, message)
    raise InvalidConfig(f"sweep {sweep.name!r}: {message}; narrow the search space", field="space")


def _graph_problem(graph: dict[str, Any], features: dict[str, Any]) -> str | None:
    report = check_graph_data(graph, features)
    return report.errors[0].message if report.errors else None


def objective_value(workspace: Workspace, sweep: Sweep, experiment: Experiment) -> float | None:
    """The trial's score: its best epoch's metric, or a subset's evaluation of its best
    checkpoint; None when the run reported none (e.g. it diverged)."""
    objective = sweep_spec(sweep).objective
    if objective.per_epoch:
        values = [
            float(m.metrics[objective.metric])
            for m in workspace.metadata.list_epochs(experiment.id)
            if isinstance(m.metrics.get(objective.metric), int | float)
            and math.isfinite(m.metrics[objective.metric])
        ]
        if not values:
            return None
        return min(values) if objective.direction == "minimize" else max(values)
    try:
        report = stored_evaluation(workspace, experiment)
    except NotFound:
        return None
    targets = report["subsets"].get(objective.subset or "", {})
    target = objective.target or (next(iter(targets)) if len(targets) == 1 else None)
    if target not in targets:
        raise InvalidConfig(
            f"objective target {target!r} is not among the targets: {', '.join(targets)}",
            field="objective.target",
        )
    value = targets[target]["metrics"].get(objective.metric)
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def get_trial(workspace: Workspace, sweep: Sweep, number: int) -> SweepTrial:
    """One trial of a sweep by number."""
    for trial in workspace.metadata.list_sweep_trials(sweep.id):
        if trial.number == number:
            return trial
    raise NotFound(f"sweep {sweep.name!r} has no trial {number}", trial=number)


def finish_trial(
    workspace: Workspace,
    sweep: Sweep,
    trial: SweepTrial,
    *,
    pruned_epoch: int | None = None,
    failed: str | None = None,
) -> SweepTrial:
    """Score a trained trial and tell Optuna: complete, pruned, or failed (with why).

    A trial that is not running any more (finished by another path, e.g. the reaper) is
    returned as it is: a trial is told once.
    """
    now = get_trial(workspace, sweep, trial.number)
    if now.state != TrialState.RUNNING:
        return now
    study = studies.load_study(workspace.settings.database_url, sweep.study_name)
    value: float | None = None
    if failed is None and now.experiment_id is not None:
        experiment = workspace.metadata.get_experiment(sweep.project_id, now.experiment_id)
        value = objective_value(workspace, sweep, experiment)
        if value is None:
            failed = "the run reported no objective value"
    if failed is not None:
        state, message = TrialState.FAILED, failed
        study.tell(now.number, state=optuna.trial.TrialState.FAIL, skip_if_finished=True)
    elif pruned_epoch is not None:
        state, message = TrialState.PRUNED, f"pruned after epoch {pruned_epoch}"
        study.tell(now.number, state=optuna.trial.TrialState.PRUNED, skip_if_finished=True)
    else:
        state, message = TrialState.COMPLETE, ""
        study.tell(now.number, value, skip_if_finished=True)
    return workspace.metadata.update_sweep_trial(
        sweep.id, now.number, state=state, value=value, pruned_epoch=pruned_epoch, message=message
    )


def close_if_done(workspace: Workspace, sweep: Sweep) -> Sweep:
    """Mark a running sweep completed when no trial runs and no trial can start any more."""
    current = workspace.metadata.get_sweep(sweep.project_id, sweep.id)
    if current.status != SweepStatus.RUNNING:
        return current
    trials = workspace.metadata.list_sweep_trials(sweep.id)
    if any(t.state == TrialState.RUNNING for t in trials):
        return current
    if current.trials_started < budget_trials(current) and not past_deadline(current):
        return current
    message = "wall-time budget reached" if past_deadline(current) else ""
    return workspace.metadata.update_sweep(
        sweep.id, status=SweepStatus.COMPLETED, message=message, finished_at=utcnow()
    )


def fail_sweep(workspace: Workspace, sweep: Sweep, message: str) -> Sweep:
    """Mark a sweep failed (no trial starts any more)."""
    return workspace.metadata.update_sweep(
        sweep.id, status=SweepStatus.FAILED, message=message, finished_at=utcnow()
    )


def mark_stopped(workspace: Workspace, sweep: Sweep) -> Sweep:
    """Mark a running sweep stopped (no trial starts any more).

    Raises:
        Conflict: If the sweep has finished already.
    """
    current = workspace.metadata.get_sweep(sweep.project_id, sweep.id)
    if current.status != SweepStatus.RUNNING:
        raise Conflict(f"sweep {sweep.name!r} is {current.status} already", sweep=sweep.name)
    return workspace.metadata.update_sweep(
        sweep.id, status=SweepStatus.STOPPED, message="stopped on request", finished_at=utcnow()
    )


def best_trial(workspace: Workspace, sweep: Sweep) -> SweepTrial | None:
    """The completed trial with the best objective (None before one completes)."""
    return best_of(sweep, workspace.metadata.list_sweep_trials(sweep.id))


def best_of(sweep: Sweep, trials: list[SweepTrial]) -> SweepTrial | None:
    """The completed one of `trials` with the sweep's best objective (None if none completed)."""
    done = [t for t in trials if t.state == TrialState.COMPLETE and t.value is not None]
    if not done:
        return None
    maximize = sweep_spec(sweep).objective.direction == "maximize"
    return (max if maximize else min)(done, key=lambda t: t.value or 0.0)


def importances(workspace: Workspace, sweep: Sweep) -> dict[str, float]:
    """Optuna's parameter importances for the sweep so far (empty before two trials complete)."""
    return studies.importances(studies.load_study(workspace.settings.database_url, sweep.study_name))


def delete_sweep(workspace: Workspace, sweep: Sweep) -> None:
    """Delete a finished sweep and its study; its trials' experiments stay.

    Raises:
        Conflict: While the sweep runs; stop it first.
    """
    if sweep.status == SweepStatus.RUNNING:
        raise Conflict(f"sweep {sweep.name!r} is running; stop it first", sweep=sweep.name)
    studies.delete_study(workspace.settings.database_url, sweep.study_name)
    workspace.metadata.delete_sweep(sweep.id)
