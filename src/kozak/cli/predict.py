"""`kozak predict`: a CSV, TSV or FASTA file through an experiment or a deployment, to a CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from kozak.cli.common import console, err_console, open_workspace
from kozak.deploy.model import ServingModel
from kozak.deploy.predict_file import LocalPredictor, Predictor, count_rows, predict_file
from kozak.deployment_client import TOKEN_VARIABLE, Deployment
from kozak.experiments import get_experiment
from kozak.experiments.checkpoints import experiment_checkpoint


def _predictor(source: str, project: str, checkpoint: str, token: str | None) -> Predictor:
    if source.startswith(("http://", "https://")):
        return Deployment(source, token)
    workspace = open_workspace()
    experiment = get_experiment(workspace, project, source)
    return LocalPredictor(ServingModel.load(experiment_checkpoint(workspace, experiment, checkpoint)))


def predict_command(
    source: Annotated[
        str,
        typer.Argument(
            help="Experiment name or id, or a deployment URL (http(s)://HOST/deployment/ID/forward)."
        ),
    ],
    input: Annotated[
        Path, typer.Option("--input", "-i", help="CSV/TSV with the model's input columns, or FASTA.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV to write.")],
    project: Annotated[str, typer.Option("--project", "-p", help="Project name.")] = "Default",
    checkpoint: Annotated[str, typer.Option(help="best, last or an epoch number.")] = "best",
    token: Annotated[
        str | None,
        typer.Option(envvar=TOKEN_VARIABLE, help="The deployment's token (for a URL source)."),
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Rows per forward pass or request.")] = 1024,
) -> None:
    """Predict every row of a file; write its columns plus one column per prediction.

    Classification targets get one `target_prob:class` probability column per class.
    """
    predictor = _predictor(source, project, checkpoint, token)
    total = count_rows(input)
    columns = (TextColumn("predicting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console) as progress:
        task = progress.add_task("rows", total=total)
        written = predict_file(
            predictor,
            input,
            output,
            batch_size=batch_size,
            on_progress=lambda done: progress.update(task, completed=done),
        )
        progress.update(task, total=written)  # the count from lines misses quoted line breaks
    console.print(f"wrote {written} rows to {output}")
