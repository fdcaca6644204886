"""What the sweep page, `kozak sweep show` and the API show of a sweep, in one read.

`sweep_overview` gathers the sweep, its trials with their experiments' status and epochs, the
best trial, the best-so-far curve (trials in the order they finished) and Optuna's parameter
importances; `sweep_summaries` and `page_sweep_summaries` list a project's sweeps with their
counts and best value, every sweep's trials tallied in one statement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kozak.errors import NotFound
from kozak.store.entities import Sweep, SweepTrial
from kozak.store.metadata import TrialTally
from kozak.store.paging import PageOf, PageRequest
from kozak.store.statuses import TrialState
from kozak.sweeps.lifecycle import best_of, best_trial, budget_trials, importances, space_of, sweep_spec
from kozak.workspace import Workspace


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class TrialView(_View):
    """One trial as shown: its values, state, score and experiment."""

    number: int
    state: TrialState
    params: dict[str, Any]
    value: float | None
    pruned_epoch: int | None
    message: str
    experiment_id: str | None
    experiment_name: str | None
    experiment_status: str | None
    epochs_done: int


class BestPoint(_View):
    """The best objective after a trial finished."""

    trial: int
    value: float
    best: float


class SweepCounts(_View):
    """How many trials are in each state, and how many combinations were skipped."""

    running: int = 0
    complete: int = 0
    pruned: int = 0
    failed: int = 0
    skipped: int = 0
    budget: int = 0


class SweepSummary(_View):
    """A sweep in a list."""

    sweep: Sweep
    counts: SweepCounts
    best_value: float | None
    direction: str


class SweepOverview(SweepSummary):
    """A sweep with everything its page shows."""

    trials: list[TrialView]
    best_trial: int | None
    best_curve: list[BestPoint]
    importances: dict[str, float] = Field(description="Optuna's, over completed trials.")
    dimensions: list[str]
    epochs_trained: int


def _counts(sweep: Sweep, states: Mapping[str, int]) -> SweepCounts:
    return SweepCounts(
        running=states.get(TrialState.RUNNING, 0),
        complete=states.get(TrialState.COMPLETE, 0),
        pruned=states.get(TrialState.PRUNED, 0),
        failed=states.get(TrialState.FAILED, 0),
        skipped=sweep.skipped,
        budget=budget_trials(sweep),
    )


def summarize(workspace: Workspace, sweeps: list[Sweep]) -> list[SweepSummary]:
    """The sweeps with their counts and best values, their trials tallied in one statement."""
    tallies = workspace.metadata.tally_sweep_trials([s.id for s in sweeps])
    summaries = []
    for sweep in sweeps:
        tally = tallies.get(sweep.id, TrialTally({}, None, None))
        direction = sweep_spec(sweep).objective.direction
        best = tally.best_max if direction == "maximize" else tally.best_min
        counts = _counts(sweep, tally.states)
        summaries.append(SweepSummary(sweep=sweep, counts=counts, best_value=best, direction=direction))
    return summaries


def sweep_summaries(workspace: Workspace, project_id: str) -> list[SweepSummary]:
    """A project's sweeps, oldest first, with counts and best values."""
    return summarize(workspace, workspace.metadata.list_sweeps(project_id))


def page_sweep_summaries(
    workspace: Workspace, project_id: str, request: PageRequest, q: str | None = None
) -> PageOf[SweepSummary]:
    """A page of the project's sweeps with counts and best values (three statements)."""
    found = workspace.metadata.page_sweeps(project_id, request, q)
    return PageOf(summarize(workspace, found.items), found.total, found.next_cursor)


def _curve(trials: list[SweepTrial], maximize: bool) -> list[BestPoint]:
    finished = sorted(
        (t for t in trials if t.state == TrialState.COMPLETE and t.value is not None),
        key=lambda t: t.updated_at,
    )
    points, best = [], None
    for trial in finished:
        assert trial.value is not None
        if best is None or (trial.value > best if maximize else trial.value < best):
            best = trial.value
        points.append(BestPoint(trial=trial.number, value=trial.value, best=best))
    return points


def sweep_overview(workspace: Workspace, sweep: Sweep) -> SweepOverview:
    """Everything the sweep page shows."""
    trials = workspace.metadata.list_sweep_trials(sweep.id)
    experiments = {e.id: e for e in workspace.metadata.list_experiments(sweep.project_id)}
    views = []
    for trial in trials:
        experiment = experiments.get(trial.experiment_id or "")
        views.append(
            TrialView(
                number=trial.number,
                state=TrialState(trial.state),
                params=trial.params,
                value=trial.value,
                pruned_epoch=trial.pruned_epoch,
                message=trial.message,
                experiment_id=experiment.id if experiment else None,
                experiment_name=experiment.name if experiment else None,
                experiment_status=experiment.status if experiment else None,
                epochs_done=experiment.epochs_done if experiment else 0,
            )
        )
    spec = sweep_spec(sweep)
    best = best_of(sweep, trials)
    states = Counter(t.state for t in trials)
    return SweepOverview(
        sweep=sweep,
        counts=_counts(sweep, states),
        best_value=best.value if best else None,
        direction=spec.objective.direction,
        trials=views,
        best_trial=best.number if best else None,
        best_curve=_curve(trials, spec.objective.direction == "maximize"),
        importances=importances(workspace, sweep),
        dimensions=[d.name for d in space_of(spec).dimensions],
        epochs_trained=sum(v.epochs_done for v in views),
    )


def best_experiment_id(workspace: Workspace, sweep: Sweep) -> str:
    """The experiment of the sweep's best trial.

    Raises:
        NotFound: Before a trial completes, or when its experiment was deleted.
    """
    best = best_trial(workspace, sweep)
    if best is None or best.experiment_id is None:
        raise NotFound(f"sweep {sweep.name!r} has no completed trial yet", sweep=sweep.name)
    return best.experiment_id
