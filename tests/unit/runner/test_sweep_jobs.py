"""Sweeps run as jobs of the queue, with real Optuna and real training on the 40 tiny rows.

Trials are run in-process by `Worker.run_one`; each test runs on SQLite and, when
`KOZAK_TEST_DATABASE_URL` is set, on PostgreSQL (where Optuna keeps its own schema).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import optuna
import pytest

from kozak.errors import InvalidConfig
from kozak.graph import chain
from kozak.runner.jobs import fail_worker_jobs
from kozak.runner.sweep_jobs import start_sweep, stop_sweep
from kozak.runner.worker import Worker
from kozak.store.entities import Experiment, Sweep
from kozak.sweeps import SweepSpec, create_sweep
from kozak.sweeps.lifecycle import best_trial
from kozak.sweeps.pruning import TrialReporter
from kozak.sweeps.study import load_study
from kozak.training import RunSettings
from kozak.workspace import Workspace


def hidden_graph(kernel: int = 3) -> Any:
    """A conv, a hidden dense block with dropout, and the output: a few hundred weights."""
    return chain(
        ("seq", "input", {"feature": "seq"}),
        ("conv", "conv1d", {"filters": 2, "kernel_size": kernel}),
        ("flatten", "flatten", {}),
        ("hidden", "dense", {"units": 4, "activation": "relu"}),
        ("drop", "dropout", {"rate": 0.1}),
        ("out", "dense", {"units": 1, "activation": "linear"}),
        ("expression", "target", {"feature": "expression", "loss": "mse"}),
        name="hidden",
    )


@pytest.fixture
def base(job_workspace: Workspace, make_experiment: Callable[..., Experiment]) -> Experiment:
    from kozak.experiments import create_experiment

    version = job_workspace.metadata.get_dataset_version_by_id(make_experiment().dataset_version_id)
    run = RunSettings(epochs=2, batch_size=8)
    return create_experiment(job_workspace, "Lab", "base", version, hidden_graph(), run)


def sweep_of(workspace: Workspace, base: Experiment, **fields: Any) -> Sweep:
    spec = {
        "name": "search",
        "project": "Lab",
        "base": {"experiment": base.name},
        "space": {
            "dimensions": [
                {"name": "units", "values": [2, 4, 8], "targets": ["hidden.units"]},
                {"name": "dropout", "values": ["none", 0.2], "targets": ["drop.rate"]},
                {"name": "layers", "type": "int", "low": 1, "high": 2,
                 "repeat": {"nodes": ["hidden", "drop"]}},
                {"name": "lr", "type": "float", "low": 1e-3, "high": 1e-1, "log": True,
                 "targets": ["settings.optimizer.lr"]},
            ]
        },
        "budget": {"trials": 4},
        "concurrency": 2,
        **fields,
    }  # fmt: skip
    return create_sweep(workspace, SweepSpec.from_data(spec))


def run_all(workspace: Workspace, worker_id: str = "test-worker") -> int:
    worker, ran = Worker(workspace, worker_id), 0
    while worker.run_one():
        ran += 1
    return ran


def fresh(workspace: Workspace, sweep: Sweep) -> Sweep:
    return workspace.metadata.get_sweep(sweep.project_id, sweep.id)


def test_a_sweep_runs_its_budget_of_trials_as_ordinary_experiments(
    job_workspace: Workspace, base: Experiment
) -> None:
    sweep = sweep_of(job_workspace, base, pruner={"name": "median", "startup_trials": 1})
    assert len(start_sweep(job_workspace, sweep)) == 2  # the concurrency
    assert run_all(job_workspace) == 4  # each trial queued the next while the budget lasted
    done = fresh(job_workspace, sweep)
    assert done.status == "completed" and done.trials_started == 4 and done.finished_at
    trials = job_workspace.metadata.list_sweep_trials(sweep.id)
    assert len(trials) == 4 and {t.state for t in trials} <= {"complete", "pruned"}
    for trial in trials:
        experiment = job_workspace.metadata.get_experiment(base.project_id, trial.experiment_id or "")
        assert experiment.status == "completed" and experiment.parent_id == base.id
        assert experiment.settings["optimizer"]["lr"] == trial.params["lr"]
        hidden = [n for n in experiment.graph["nodes"] if n["type"] == "dense" and n["id"] != "out"]
        assert len(hidden) == trial.params["layers"]
        jobs = job_workspace.metadata.list_jobs(base.project_id, experiment_id=experiment.id)
        assert [j.status for j in jobs] == ["completed"]  # one job per trial, run once
    complete = [t for t in trials if t.state == "complete"]
    best = best_trial(job_workspace, done)
    assert best is not None and best.value == min(t.value for t in complete if t.value is not None)
    study = load_study(job_workspace.settings.database_url, done.study_name)
    assert len(study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))) == len(complete)
    kinds = [e.data for e in job_workspace.metadata.list_events(base.project_id) if e.kind == "sweep"]
    assert kinds[-1] == {"sweep_id": sweep.id, "status": "completed"}


def test_invalid_combinations_are_skipped_and_counted_not_crashed(
    job_workspace: Workspace, base: Experiment
) -> None:
    # 14 positions: a kernel of 15 or more leaves no output, so three of four kernels fail
    space = {
        "dimensions": [{"name": "kernel", "values": [3, 15, 16, 17], "targets": ["conv.kernel_size"]}]
    }
    sweep = sweep_of(
        job_workspace, base, space=space, sampler={"name": "random", "seed": 1},
        budget={"trials": 3}, concurrency=1,
    )  # fmt: skip
    start_sweep(job_workspace, sweep)
    assert run_all(job_workspace) == 3
    done = fresh(job_workspace, sweep)
    trials = job_workspace.metadata.list_sweep_trials(sweep.id)
    assert done.status == "completed" and done.skipped >= 1
    assert [t.params["kernel"] for t in trials] == [3, 3, 3]


def test_a_space_without_a_valid_graph_fails_the_sweep_saying_why(
    job_workspace: Workspace, base: Experiment
) -> None:
    space = {"dimensions": [{"name": "kernel", "values": [15, 16], "targets": ["conv.kernel_size"]}]}
    sweep = sweep_of(job_workspace, base, space=space, sampler={"name": "random"})
    with pytest.raises(InvalidConfig, match="sampled combinations in a row had an invalid graph"):
        start_sweep(job_workspace, sweep)
    assert fresh(job_workspace, sweep).status == "failed"
    assert not job_workspace.metadata.list_jobs(base.project_id, statuses=("queued",))


def test_a_trial_whose_worker_is_lost_is_failed_and_the_sweep_goes_on(
    job_workspace: Workspace, base: Experiment
) -> None:
    sweep = sweep_of(job_workspace, base, budget={"trials": 2}, concurrency=1)
    start_sweep(job_workspace, sweep)
    claimed = job_workspace.metadata.claim_job("ghost:1", 60)
    assert claimed is not None and claimed.kind == "sweep_trial"
    fail_worker_jobs(job_workspace, "ghost:1")  # what the runner does when a worker process dies
    lost = job_workspace.metadata.list_sweep_trials(sweep.id)[0]
    assert lost.state == "failed" and lost.message == "its worker was lost"
    assert run_all(job_workspace) == 1  # the replacement trial
    trials = job_workspace.metadata.list_sweep_trials(sweep.id)
    assert [t.state for t in trials] == ["failed", "complete"]
    assert fresh(job_workspace, sweep).status == "completed"


def test_stopping_a_sweep_cancels_its_queued_trials_and_starts_no_more(
    job_workspace: Workspace, base: Experiment
) -> None:
    sweep = sweep_of(job_workspace, base)
    start_sweep(job_workspace, sweep)
    stopped = stop_sweep(job_workspace, sweep)
    assert stopped.status == "stopped"
    trials = job_workspace.metadata.list_sweep_trials(sweep.id)
    assert [(t.state, t.message) for t in trials] == [("failed", "the sweep was stopped")] * 2
    assert run_all(job_workspace) == 0
    study = load_study(job_workspace.settings.database_url, sweep.study_name)
    assert {t.state for t in study.get_trials()} == {optuna.trial.TrialState.FAIL}


class _Run:
    """The part of a training run a callback sees: its settings and its stop request."""

    def __init__(self, epochs: int) -> None:
        self.settings = RunSettings(epochs=epochs)
        self.stopped: str | None = None

    def request_stop(self, reason: str) -> None:
        self.stopped = reason


def test_the_reporter_prunes_a_trial_worse_than_the_median_at_the_same_epoch() -> None:
    study = optuna.create_study(pruner=optuna.pruners.MedianPruner(n_startup_trials=1, n_warmup_steps=0))
    first = study.ask()
    for epoch in (1, 2, 3):
        first.report(0.5, epoch)
    study.tell(first, 0.5)
    good, bad = _Run(3), _Run(3)
    keeper = TrialReporter(study.ask(), "val_loss", prune=True)
    keeper.on_epoch_end(good, 1, {"val_loss": 0.4})  # type: ignore[arg-type]
    pruned = TrialReporter(study.ask(), "val_loss", prune=True)
    pruned.on_epoch_end(bad, 1, {"val_loss": 0.9})  # type: ignore[arg-type]
    assert good.stopped is None and keeper.pruned_epoch is None
    assert bad.stopped == "pruned" and pruned.pruned_epoch == 1
    watcher = TrialReporter(study.ask(), "val_loss", prune=False)
    watcher.on_epoch_end(_Run(3), 1, {"val_loss": 0.9})  # type: ignore[arg-type]
    assert watcher.pruned_epoch is None  # reports, never stops


def test_a_grid_runs_each_valid_point_once_and_skips_the_invalid(
    job_workspace: Workspace, base: Experiment
) -> None:
    space = {
        "dimensions": [
            {"name": "kernel", "values": [3, 15], "targets": ["conv.kernel_size"]},
            {"name": "units", "values": [2, 4], "targets": ["hidden.units"]},
        ]
    }
    sweep = sweep_of(
        job_workspace, base, space=space, sampler={"name": "grid"}, budget={"trials": 10},
        concurrency=1,
    )  # fmt: skip
    start_sweep(job_workspace, sweep)
    assert run_all(job_workspace) == 2
    done = fresh(job_workspace, sweep)
    assert done.status == "completed" and done.skipped == 2 and done.trials_started == 2
    points = sorted(
        (t.params["kernel"], t.params["units"])
        for t in job_workspace.metadata.list_sweep_trials(sweep.id)
    )
    assert points == [(3, 2), (3, 4)]
