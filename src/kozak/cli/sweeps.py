"""`kozak sweep`: run a sweep file with local workers, list, show, stop, best, schema, spaces.

`kozak sweep run FILE.yaml --workers N` creates the sweep, queues its first trials and runs N
local `kozak worker` processes until it ends; `--workers 0` only queues, for workers that run
elsewhere against the same database (`kozak worker` on other machines, PostgreSQL).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from kozak.cli.common import console, open_workspace
from kozak.runner import sweep_jobs
from kozak.runner.local import LocalProcessRunner
from kozak.store.entities import Sweep
from kozak.store.statuses import SweepStatus
from kozak.sweeps import SPACES, create_sweep, get_sweep, load_sweep_file, sweep_file_schema
from kozak.sweeps.overview import SweepOverview, sweep_overview, sweep_summaries
from kozak.workspace import Workspace

app = typer.Typer(help="Hyperparameter sweeps: trials are experiments.", no_args_is_help=True)
ProjectOption = Annotated[str, typer.Option("--project", "-p", help="Project name.")]
SweepArgument = Annotated[str, typer.Argument(help="Sweep id or name.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
POLL_S = 1.0


def _fmt(value: Any) -> str:
    if value is None:
        return "none"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _print_overview(view: SweepOverview) -> None:
    sweep, counts = view.sweep, view.counts
    console.print(
        f"[bold]{sweep.name}[/] ({sweep.id}) {sweep.status} {sweep.message}".rstrip()
        + f"\n  trials: {counts.complete} complete, {counts.pruned} pruned, {counts.failed} "
        f"failed, {counts.running} running of {counts.budget}; {counts.skipped} invalid skipped; "
        f"{view.epochs_trained} epochs trained"
    )
    table = Table("trial", "state", *view.dimensions, "objective", "epochs", "experiment")
    for trial in view.trials:
        state = str(trial.state)
        if trial.pruned_epoch is not None:
            state += f" @{trial.pruned_epoch}"
        marker = " *" if trial.number == view.best_trial else ""
        table.add_row(
            f"{trial.number}{marker}",
            state,
            *(_fmt(trial.params.get(d)) for d in view.dimensions),
            _fmt(trial.value),
            str(trial.epochs_done),
            trial.experiment_name or "-",
        )
    console.print(table)
    if view.importances:
        shown = ", ".join(f"{k} {v:.2f}" for k, v in view.importances.items())
        console.print(f"  importances: {shown}")


def _follow(workspace: Workspace, sweep: Sweep) -> Sweep:
    """Print each trial as it ends until the sweep is no longer running."""
    seen: dict[int, str] = {}
    while True:
        now = workspace.metadata.get_sweep(sweep.project_id, sweep.id)
        for trial in workspace.metadata.list_sweep_trials(sweep.id):
            if seen.get(trial.number) != trial.state and trial.state != "running":
                params = ", ".join(f"{k}={_fmt(v)}" for k, v in trial.params.items())
                console.print(f"trial {trial.number} {trial.state} {_fmt(trial.value)}  {params}")
            seen[trial.number] = trial.state
        if now.status != SweepStatus.RUNNING:
            return now
        time.sleep(POLL_S)


def run_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Sweep YAML file.")],
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-w",
            min=0,
            help="Local worker processes; default the sweep's concurrency; 0 only queues.",
        ),
    ] = None,
) -> None:
    """Create a sweep from FILE, queue its trials and run them with local workers."""
    workspace = open_workspace()
    spec = load_sweep_file(file)
    sweep = create_sweep(workspace, spec)
    jobs = sweep_jobs.start_sweep(workspace, sweep)
    console.print(f"sweep {sweep.name} ({sweep.id}): {len(jobs)} trials queued")
    count = spec.concurrency if workers is None else workers
    if count == 0:
        console.print("run `kozak worker` processes against this workspace to train the trials")
        return
    runner = LocalProcessRunner(workspace, workers=count)
    runner.start()
    try:
        sweep = _follow(workspace, sweep)
    except KeyboardInterrupt:
        sweep_jobs.stop_sweep(workspace, sweep)
        raise
    finally:
        runner.stop()
    _print_overview(sweep_overview(workspace, sweep))


@app.command("list")
def list_command(project: ProjectOption = "default") -> None:
    """The project's sweeps."""
    workspace = open_workspace()
    table = Table("name", "id", "status", "complete", "pruned", "failed", "budget", "best")
    for view in sweep_summaries(workspace, workspace.metadata.get_project(project).id):
        c = view.counts
        table.add_row(
            view.sweep.name, view.sweep.id, view.sweep.status, str(c.complete), str(c.pruned),
            str(c.failed), str(c.budget), _fmt(view.best_value),
        )  # fmt: skip
    console.print(table)


@app.command("show")
def show_command(
    sweep: SweepArgument, project: ProjectOption = "default", as_json: JsonOption = False
) -> None:
    """A sweep's trials, best trial and parameter importances."""
    workspace = open_workspace()
    view = sweep_overview(workspace, get_sweep(workspace, project, sweep))
    if as_json:
        console.print_json(view.model_dump_json())
    else:
        _print_overview(view)


@app.command("stop")
def stop_command(sweep: SweepArgument, project: ProjectOption = "default") -> None:
    """Stop a sweep: no more trials; queued ones cancelled, running ones after their batch."""
    workspace = open_workspace()
    stopped = sweep_jobs.stop_sweep(workspace, get_sweep(workspace, project, sweep))
    console.print(f"sweep {stopped.name}: {stopped.status}")


@app.command("best")
def best_command(
    sweep: SweepArgument, project: ProjectOption = "default", as_json: JsonOption = False
) -> None:
    """The best completed trial: its experiment (to evaluate, clone or deploy), values, score."""
    workspace = open_workspace()
    view = sweep_overview(workspace, get_sweep(workspace, project, sweep))
    best = next((t for t in view.trials if t.number == view.best_trial), None)
    if best is None:
        console.print(f"sweep {view.sweep.name} has no completed trial yet")
        raise typer.Exit(1)
    found = {
        "trial": best.number,
        "experiment": best.experiment_name,
        "experiment_id": best.experiment_id,
        "objective": best.value,
        "params": best.params,
    }
    if as_json:
        console.print_json(json.dumps(found))
        return
    console.print(
        f"trial {best.number}: {view.sweep.spec['objective']['metric']} {_fmt(best.value)}, "
        f"experiment {best.experiment_name} ({best.experiment_id})"
    )
    for name, value in best.params.items():
        console.print(f"  {name}: {_fmt(value)}")


@app.command("schema")
def schema_command() -> None:
    """The JSON Schema of sweep files."""
    print(json.dumps(sweep_file_schema(), indent=2))


@app.command("spaces")
def spaces_command() -> None:
    """The preset search spaces."""
    for name in SPACES.names():
        preset = SPACES.get(name)
        dims = ", ".join(
            f"{d.name} {d.values if d.type == 'categorical' else [d.low, d.high]}"
            for d in preset.space.dimensions
        )
        console.print(
            f"[bold]{name}[/] ({preset.space.size()} combinations, graph preset "
            f"{preset.graph_preset}): {dims}"
        )
