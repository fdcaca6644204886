"""`kozak run`, `kozak evaluate` and `kozak experiments`: train, evaluate, list, clone, continue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from kozak.cli.common import console, open_workspace
from kozak.client import Client
from kozak.errors import JobFailed
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
from kozak.experiments.compare import compare_experiments, evaluate_on_file, export_predictions
from kozak.store.entities import Experiment
from kozak.training.callbacks import RichProgress

app = typer.Typer(help="List, show, clone and continue experiments.", no_args_is_help=True)
ProjectOption = Annotated[str, typer.Option("--project", "-p", help="Project name.")]
ServerOption = Annotated[
    str | None,
    typer.Option(
        "--server",
        envvar="KOZAK_SERVER",
        help="Run on this Kozak server (token: KOZAK_TOKEN or `kozak login`).",
    ),
]
REGRESSION_COLUMNS = ("mse", "mae", "r2", "pearson_r", "pearson_r2", "spearman", "n")


def _summary(experiment: Experiment | dict[str, Any], evaluation: dict[str, Any]) -> dict[str, Any]:
    found = experiment if isinstance(experiment, dict) else experiment.model_dump()
    return {
        "experiment": found["id"],
        "name": found["name"],
        "status": found["status"],
        "best_epoch": found["best_epoch"],
        "subsets": {
            subset: {target: found["metrics"] for target, found in targets.items()}
            for subset, targets in evaluation["subsets"].items()
        },
    }


def _print_evaluation(summary: dict[str, Any]) -> None:
    rows = [(s, t, m) for s, targets in summary["subsets"].items() for t, m in targets.items()]
    # Regression columns first in their usual order, then any other single-number metric.
    numbers = [k for _, _, m in rows for k, v in m.items() if isinstance(v, int | float)]
    columns = [k for k in REGRESSION_COLUMNS if k in numbers]
    columns += [k for k in dict.fromkeys(numbers) if k not in columns]
    table = Table("subset", "target", *columns, title=f"best epoch {summary['best_epoch']}")
    for subset, target, metrics in rows:
        cells = [metrics.get(k) for k in columns]
        table.add_row(subset, target, *("-" if v is None else f"{v:.4g}" for v in cells))
    console.print(table)


def _run_on_server(server: str, file: Path) -> dict[str, Any]:
    """`kozak run --server`: the same file, trained by the server's workers, progress streamed."""

    def show(event: dict[str, Any]) -> None:
        data = event["data"]
        if event["event"] == "status":
            console.print(f"[bold]{data['status']}[/] {data.get('message', '')}")
        elif event["event"] == "epoch":
            metrics = ", ".join(
                f"{k} {v:.4g}" for k, v in data["metrics"].items() if isinstance(v, float)
            )
            console.print(f"epoch {data['epoch']}: {metrics}")

    with Client(server) as client:
        experiment = client.run_file(file, show)
        project = client.project(experiment["project_id"])
        if experiment["status"] != "completed":
            raise JobFailed(
                f"experiment {experiment['name']!r} {experiment['status']}: {experiment['message']}"
            )
        return _summary(experiment, project.evaluation(experiment["id"]))


def run_command(
    file: Annotated[Path, typer.Argument(help="Experiment YAML (see docs/experiments.md).")],
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON line of results.")] = False,
    server: ServerOption = None,
) -> None:
    """Train the experiment a YAML file describes, then evaluate its best epoch."""
    if server:
        summary = _run_on_server(server, file)
    else:
        workspace = open_workspace()
        experiment = run_file(workspace, file, [RichProgress()])
        summary = _summary(experiment, stored_evaluation(workspace, experiment))
    _print_evaluation(summary)
    if as_json:
        print(json.dumps(summary))


def evaluate_command(
    experiment: Annotated[str, typer.Argument(help="Experiment name or id.")],
    subset: Annotated[list[str], typer.Option(help="Subsets (default: all).")] = [],  # noqa: B006
    checkpoint: Annotated[str, typer.Option(help="best or last.")] = "best",
    project: ProjectOption = "Default",
    data: Annotated[
        list[Path], typer.Option("--data", help="Evaluate on these files instead of subsets.")
    ] = [],  # noqa: B006
) -> None:
    """Evaluate an experiment's checkpoint on subsets of its dataset version (or other files)."""
    if data and subset:
        raise typer.BadParameter("give --data or --subset, not both")
    workspace = open_workspace()
    found = get_experiment(workspace, project, experiment)
    if data:
        evaluation = evaluate_on_file(workspace, found, data, checkpoint)
    else:
        evaluation = evaluate_experiment(workspace, found, subset or None, checkpoint)
    _print_evaluation(_summary(found, evaluation))


def report_command(
    experiment: Annotated[str, typer.Argument(help="Experiment name or id.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="HTML file (default: <name>.html).")
    ] = None,
    checkpoint: Annotated[str, typer.Option(help="best or last.")] = "best",
    project: ProjectOption = "Default",
    interpretation: Annotated[
        bool, typer.Option(help="Add the filter motifs and the ATG motif effect (seconds more).")
    ] = True,
) -> None:
    """Write a self-contained HTML report: curves, scatter and residual plots, metrics, settings,
    and the interpretation (filter motifs, motif effects)."""
    from kozak.interpret.report_sections import interpretation_sections
    from kozak.report import write_report  # plotly is only needed here

    workspace = open_workspace()
    found = get_experiment(workspace, project, experiment)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in found.name)
    sections = interpretation_sections(workspace, found, checkpoint) if interpretation else []
    path = write_report(workspace, found, output or Path(f"{safe}.html"), checkpoint, sections)
    console.print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


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


@app.command("compare")
def compare_command(
    experiments: Annotated[list[str], typer.Argument(help="Two or more experiment names or ids.")],
    project: ProjectOption = "Default",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead.")] = False,
) -> None:
    """Compare experiments: the settings that differ, graphs and best-epoch metrics."""
    workspace = open_workspace()
    found = [get_experiment(workspace, project, ref) for ref in experiments]
    result = compare_experiments(workspace, found)
    if as_json:
        print(json.dumps(result))
        return
    rows = result["table"]
    table = Table("", *(row["name"] for row in rows), title="experiments")
    table.add_row("status", *(row["status"] for row in rows))
    table.add_row("best epoch", *(str(row["best_epoch"] or "-") for row in rows))
    table.add_row("dataset version", *(row["dataset_version"] for row in rows))
    table.add_row("graph", *(f"{row['graph']['name']} {row['graph']['digest'][:8]}" for row in rows))
    table.add_row("parameters", *(str(row["graph"]["parameters"] or "-") for row in rows))
    for key in result["settings_diff"]:
        table.add_row(key, *(json.dumps(row["settings"][key]) for row in rows))
    metrics = sorted({(s, t) for row in rows for s, targets in row["metrics"].items() for t in targets})
    for subset, target in metrics:
        for name in ("mse", "pearson_r2"):
            cells = [row["metrics"].get(subset, {}).get(target, {}).get(name) for row in rows]
            table.add_row(
                f"{subset} {target} {name}", *("-" if v is None else f"{v:.4g}" for v in cells)
            )
    console.print(table)


@app.command("predictions")
def predictions_command(
    experiment: Annotated[str, typer.Argument(help="Experiment name or id.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="A .csv or .parquet file.")],
    subset: Annotated[str | None, typer.Option(help="Only this subset's rows.")] = None,
    checkpoint: Annotated[str, typer.Option(help="best or last.")] = "best",
    project: ProjectOption = "Default",
) -> None:
    """Write a checkpoint's predictions on its dataset version to CSV or Parquet."""
    workspace = open_workspace()
    found = get_experiment(workspace, project, experiment)
    path = export_predictions(workspace, found, output, subset, checkpoint)
    console.print(f"wrote {path}")
