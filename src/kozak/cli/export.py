"""`kozak export`: an experiment's checkpoint as ONNX or TorchScript plus `kozak-model.json`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kozak.cli.common import console, open_workspace
from kozak.deploy.export import DESCRIPTION_FILE, FORMATS, ExportFormat, export_model
from kozak.errors import InvalidConfig
from kozak.experiments import get_experiment
from kozak.experiments.checkpoints import experiment_checkpoint


def export_command(
    experiment: Annotated[str, typer.Argument(help="Experiment name or id.")],
    format: Annotated[str, typer.Option("--format", "-f", help="onnx or torchscript.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write the files to.")],
    checkpoint: Annotated[str, typer.Option(help="best, last or an epoch number.")] = "best",
    project: Annotated[str, typer.Option("--project", "-p", help="Project name.")] = "Default",
) -> None:
    """Export a trained model to run outside Kozak (onnxruntime, torch.jit.load).

    The model takes encoded inputs; `kozak-model.json` says how to encode and de-normalise.
    """
    if format not in FORMATS:
        raise InvalidConfig(f"--format must be one of {', '.join(FORMATS)}, not {format!r}")
    workspace = open_workspace()
    found = get_experiment(workspace, project, experiment)
    chosen: ExportFormat = "onnx" if format == "onnx" else "torchscript"
    path = export_model(experiment_checkpoint(workspace, found, checkpoint), output, chosen)
    console.print(f"wrote {path} and {path.parent / DESCRIPTION_FILE}")
