"""Benchmark: sweeps on the simulated library — overhead, pruning, and two workers with one killed.

One workspace holds a simulated random library (`--rows`, the paper's split). Then, in one run:

1. The paper's space (`cuperus2017-search`) searched twice with TPE at the same seed and trial
   count (`--trials`, at most `--epochs` epochs each, early stopping patience 1): once with the
   median pruner, once without. Trials run one at a time in this process (`Worker.run_one`),
   so each sweep's wall time is the sum of its trials' lives. Reported: epochs trained with the
   pruner ÷ without (issue goal ≤ 0.6) and the relative gap between the two best validation
   MSEs (goal ≤ 2 %).
2. For the unpruned sweep, the scheduling overhead per trial (its job queued → its first
   training batch, read from the job and the first progress event) and the sweep's own
   bookkeeping (creating the sweep and study, asking and telling Optuna, planning and queueing
   trials: the time inside `create_sweep`, `start_sweep` and `end_trial`), as a share of the
   sweep's wall time (goal ≤ 5 %).
3. `--kill-check`: a small sweep run by two `kozak worker` processes (the local runner) against
   the same database; one worker is killed (SIGKILL) while it trains a trial. Checked: no trial
   ran twice (one job per trial experiment), none was lost (the killed one is failed, the sweep
   completes its budget).

Prints a table, then one JSON line with the figures.

    .venv/bin/python benchmarks/sweep.py --rows 20000 --trials 20 --epochs 10 --kill-check
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import signal
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console
from rich.table import Table

from kozak.examples.yeast import random_library_version, synthetic_library
from kozak.runner import sweep_jobs
from kozak.runner.local import LocalProcessRunner
from kozak.runner.worker import Worker
from kozak.settings import Settings
from kozak.store.entities import DatasetVersion, Sweep
from kozak.sweeps import SweepSpec, create_sweep
from kozak.sweeps.lifecycle import best_trial
from kozak.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])


class Stopwatch:
    """Sums the seconds spent inside wrapped functions."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, function: F) -> F:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        return timed  # type: ignore[return-value]


def paper_sweep(name: str, trials: int, epochs: int, pruner: str, seed: int) -> SweepSpec:
    return SweepSpec.from_data({
        "name": name, "project": "Yeast", "base": {"dataset": "Random UTRs"},
        "space": "cuperus2017-search", "objective": {"metric": "val_loss"},
        "sampler": {"name": "tpe", "seed": seed, "startup_trials": min(10, trials // 2)},
        "pruner": {"name": pruner, "startup_trials": 3, "warmup_epochs": 1},
        "budget": {"trials": trials}, "concurrency": 1, "settings": {"epochs": epochs},
    })  # fmt: skip


def run_in_process(workspace: Workspace, spec: SweepSpec, clock: Stopwatch) -> dict[str, Any]:
    """Create, start and run a sweep with one in-process worker; its figures."""
    start = time.perf_counter()
    sweep = clock.wrap(create_sweep)(workspace, spec)
    clock.wrap(sweep_jobs.start_sweep)(workspace, sweep)
    worker = Worker(workspace, f"bench-{spec.name}")
    while worker.run_one():
        pass
    wall = time.perf_counter() - start
    return figures(workspace, workspace.metadata.get_sweep(sweep.project_id, sweep.id), wall)


def figures(workspace: Workspace, sweep: Sweep, wall: float) -> dict[str, Any]:
    trials = workspace.metadata.list_sweep_trials(sweep.id)
    epochs, scheduling = 0, []
    events = workspace.metadata.list_events(sweep.project_id, limit=1_000_000)
    first_batch: dict[str, float] = {}
    for event in events:
        if event.kind == "progress" and event.experiment_id not in first_batch:
            first_batch[event.experiment_id or ""] = event.created_at.timestamp()
    for trial in trials:
        if trial.experiment_id is None:
            continue
        experiment = workspace.metadata.get_experiment(sweep.project_id, trial.experiment_id)
        epochs += experiment.epochs_done
        jobs = workspace.metadata.list_jobs(sweep.project_id, experiment_id=experiment.id)
        if jobs and experiment.id in first_batch:
            scheduling.append(first_batch[experiment.id] - jobs[-1].created_at.timestamp())
    best = best_trial(workspace, sweep)
    return {
        "status": sweep.status,
        "trials": len(trials),
        "pruned": sum(t.state == "pruned" for t in trials),
        "failed": sum(t.state == "failed" for t in trials),
        "skipped": sweep.skipped,
        "epochs": epochs,
        "best_val_mse": None if best is None else best.value,
        "best_params": None if best is None else best.params,
        "wall_s": round(wall, 1),
        "scheduling_s": scheduling,
    }


def kill_check(settings: Settings, trials: int, epochs: int) -> dict[str, Any]:
    """Two worker processes, one killed mid-trial: no trial twice, none lost."""
    workspace = Workspace.open(settings)
    spec = paper_sweep("two-workers", trials, epochs, "none", seed=7)
    spec = spec.model_copy(update={"concurrency": 2})
    sweep = create_sweep(workspace, spec)
    sweep_jobs.start_sweep(workspace, sweep)
    runner = LocalProcessRunner(workspace, workers=2)
    runner.start()
    killed_pid = None
    try:
        deadline = time.monotonic() + 1800
        while time.monotonic() < deadline:
            now = workspace.metadata.get_sweep(sweep.project_id, sweep.id)
            running = workspace.metadata.list_jobs(sweep.project_id, statuses=("running",))
            if killed_pid is None and running:
                progressed = workspace.metadata.list_events(
                    sweep.project_id, experiment_id=running[0].experiment_id
                )
                if any(e.kind == "progress" for e in progressed):
                    killed_pid = int((running[0].worker_id or ":0").rsplit(":", 1)[1])
                    os.kill(killed_pid, signal.SIGKILL)
            if now.status != "running":
                break
            time.sleep(0.5)
    finally:
        runner.stop()
    done = workspace.metadata.get_sweep(sweep.project_id, sweep.id)
    trial_rows = workspace.metadata.list_sweep_trials(sweep.id)
    runs_per_trial = [
        len([
            j for j in workspace.metadata.list_jobs(sweep.project_id, experiment_id=t.experiment_id)
            if j.started_at is not None
        ])
        for t in trial_rows
    ]  # fmt: skip
    return {
        "status": done.status,
        "killed_pid": killed_pid,
        "trials": len(trial_rows),
        "budget": trials,
        "states": [t.state for t in trial_rows],
        "lost_trial_failed": any(t.message == "its worker was lost" for t in trial_rows),
        "max_runs_per_trial": max(runs_per_trial, default=0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=10, help="most epochs of a trial")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kill-check", action="store_true", help="also run the two-worker check")
    parser.add_argument("--kill-trials", type=int, default=4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home), heartbeat_s=1.0, job_lease_s=10)
        workspace = Workspace.open(settings)
        library, _ = synthetic_library(workspace, args.rows, args.seed)
        version: DatasetVersion = random_library_version(workspace, library, seed=args.seed)
        plain_clock, pruned_clock = Stopwatch(), Stopwatch()
        results = {}
        for label, pruner, clock in (("none", "none", plain_clock), ("median", "median", pruned_clock)):
            original = sweep_jobs.end_trial
            sweep_jobs.end_trial = clock.wrap(original)  # type: ignore[method-assign]
            try:
                spec = paper_sweep(f"search-{label}", args.trials, args.epochs, pruner, args.seed)
                results[label] = run_in_process(workspace, spec, clock)
            finally:
                sweep_jobs.end_trial = original  # type: ignore[method-assign]
        killed = kill_check(settings, args.kill_trials, 2) if args.kill_check else None
        workspace.metadata.close()

    plain, pruned = results["none"], results["median"]
    scheduling = plain["scheduling_s"]
    overhead = (sum(scheduling) + plain_clock.seconds) / plain["wall_s"]
    epochs_ratio = pruned["epochs"] / max(plain["epochs"], 1)
    gap = (
        (pruned["best_val_mse"] - plain["best_val_mse"]) / plain["best_val_mse"]
        if pruned["best_val_mse"] is not None and plain["best_val_mse"] is not None
        else None
    )
    table = Table(title=f"sweeps on {version.row_count:,} simulated rows, {args.trials} trials each")
    for column in ("pruner", "trials", "pruned", "failed", "epochs", "best val MSE", "wall s"):
        table.add_column(column, justify="right")
    for label, found in results.items():
        best = found["best_val_mse"]
        table.add_row(
            label, str(found["trials"]), str(found["pruned"]), str(found["failed"]),
            str(found["epochs"]), "-" if best is None else f"{best:.4f}", f"{found['wall_s']:.0f}",
        )  # fmt: skip
    console = Console(width=160)
    console.print(table)
    mean_scheduling = sum(scheduling) / max(len(scheduling), 1)
    console.print(
        f"scheduling per trial (queued → first batch): mean {mean_scheduling:.2f} s, "
        f"max {max(scheduling, default=0):.2f} s; sweep bookkeeping {plain_clock.seconds:.2f} s; "
        f"overhead share {overhead:.3f} (goal ≤ 0.05)"
    )
    console.print(
        f"pruned epochs ÷ unpruned {epochs_ratio:.3f} (goal ≤ 0.6); best val MSE gap "
        f"{'-' if gap is None else f'{gap:+.4f}'} (goal ≤ 0.02)"
    )
    if killed is not None:
        console.print(f"two workers, one killed: {killed}")
    print(json.dumps({
        "rows": version.row_count, "trials": args.trials, "max_epochs": args.epochs,
        "overhead_share": round(overhead, 4),
        "scheduling_mean_s": round(mean_scheduling, 3),
        "bookkeeping_s": round(plain_clock.seconds, 3),
        "pruned_epochs_ratio": round(epochs_ratio, 4),
        "best_mse_gap": None if gap is None else round(gap, 4),
        "best_mse_unpruned": plain["best_val_mse"], "best_mse_pruned": pruned["best_val_mse"],
        "epochs_unpruned": plain["epochs"], "epochs_pruned": pruned["epochs"],
        "wall_s_unpruned": plain["wall_s"], "wall_s_pruned": pruned["wall_s"],
        "best_params_unpruned": plain["best_params"], "kill_check": killed,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
