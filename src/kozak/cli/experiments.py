"""`kozak run`, `kozak evaluate` and `kozak experiments`: train, evaluate, list, clone, continue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from kozak.cli.common import console, open_workspace
from kozak.experiments import (
    ExperimentFile,
    clone_experiment,
    continue_experiment,
    evaluate_experiment,
    get_experiment,
    list_experiments,
    run_file,
    stored_evaluation,
)
from kozak.store.entities import Experiment
from kozak.training.callbacks import RichProgress

app = typer.Typer(help="List, show, clone and continue experiments.", no_args_is_help=True)
ProjectOption = Annotated[str, typer.Option("--project", "-p", help="Project name.")]
REGRESSION_COLUMNS = ("mse", "mae", "r2", "pearson_r", "pearson_r2", "spearman", "n")


def _summary(experiment: Experiment, evaluation: dict[str, Any]) -> dict[str, Any]:
    return {
        "experiment": experiment.id,
        "name": experiment.name,
        "status": experiment.status,
        "best_epoch": experiment.best_epoch,
        "subsets": {
            subset: {target: found["metrics"] for target, found in targets.items()}
            for subset, targets in evaluation["subsets"].items()
        },
    }


def _print_evaluation(summary: dict[str, Any]) -> None:
    table = Table("subset", "target", *REGRESSION_COLUMNS, title=f"best epoch {summary['best_epoch']}")
    for subset, targets in summary["subsets"].items():
        for target, metrics in targets.items():
            cells = [metrics.get(k) for k in REGRESSION_COLUMNS]
            table.add_row(subset, target, *("-" if v is None else f"{v:.4g}" for v in cells))
    console.print(table)


def run_command(
    file: Annotated[Path, typer.Argument(help="Experiment YAML (see docs/experiments.md).")],
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON line of results.")] = False,
) -> None:
    """Train the experiment a YAML file describes, then evaluate its best epoch."""
    workspace = open_workspace()
    experiment = run_file(workspace, file, [RichProgress()])
    evaluation = stored_evaluation(workspace, experiment)
    summary = _summary(experiment, evaluation)
    _print_evaluation(summary)
    if as_json:
        print(json.dumps(summary))


def evaluate_command(
    experiment: Annotated[str, typer.Argument(help="Experiment name or id.")],
    subset: Annotated[list[str], typer.Option(help="Subsets (default: all).")] = [],  # noqa: B006
    checkpoint: Annotated[str, typer.Option(help="best or last.")] = "best",
    project: ProjectOption = "Default",
) -> None:
    """Evaluate an experiment's checkpoint on subsets of its dataset version."""
    workspace = open_workspace()
    found = get_experiment(workspace, project, experiment)
    evaluation = evaluate_experiment(workspace, found, subset or None, checkpoint)
    _print_evaluation(_summary(found, evaluation))


@app.command("schema")
def schema_command() -> None:
    """The JSON Schema of experiment files (`kozak run FILE.yaml`)."""
    print(json.dumps(ExperimentFile.model_json_schema(), indent=1))


@app.command("list")
def list_command(project: ProjectOption = "Default") -> None:
    """The project's experiments with status and best epoch."""
    table = Table("experiment", "id", "status", "epochs", "best epoch", "parent", "created")
    for e in list_experiments(open_workspace(), project):
        table.add_row(
            e.name, e.id, e.status, str(e.epochs_done), str(e.best_epoch or "-"),
            e.parent_id or "-", e.created_at.strftime("%Y-%m-%d %H:%M"),
        )  # fmt: skip
    console.print(table)


@app.command("show")
def show_command(experiment: str, project: ProjectOption = "Default") -> None:
    """An experiment's settings and per-epoch metrics."""
    workspace = open_workspace()
    found = get_experiment(workspace, project, experiment)
    console.print(f"[bold]{found.name}[/] ({found.id}) {found.status} {found.message}")
    console.print_json(json.dumps(found.settings))
    epochs = workspace.metadata.list_epochs(found.id)
    if epochs:
        keys = [k for k in epochs[0].metrics if k != "epoch"]
        table = Table("epoch", *keys)
        for e in epochs:
            table.add_row(str(e.epoch), *(f"{e.metrics.get(k, float('nan')):.4g}" for k in keys))
        console.print(table)


@app.command("clone")
def clone_command(
    experiment: str,
    name: Annotated[str, typer.Option("--name", "-n", help="Name of the clone.")],
    with_weights: Annotated[bool, typer.Option(help="Start from its best weights.")] = False,
    project: ProjectOption = "Default",
) -> None:
    """Copy an experiment (optionally with its weights) as a new, not yet run experiment."""
    workspace = open_workspace()
    clone = clone_experiment(
        workspace, get_experiment(workspace, project, experiment), name, with_weights=with_weights
    )
    console.print(f"created {clone.name} ({clone.id})")


@app.command("continue")
def continue_command(
    experiment: str,
    epochs: Annotated[int, typer.Option(help="More epochs to train.")] = 1,
    project: ProjectOption = "Default",
) -> None:
    """Train an experiment for more epochs from its last checkpoint."""
    workspace = open_workspace()
    found = continue_experiment(
        workspace, get_experiment(workspace, project, experiment), epochs, [RichProgress()]
    )
    _print_evaluation(_summary(found, stored_evaluation(workspace, found)))
