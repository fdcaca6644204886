"""`kozak example`: the Cuperus et al. 2017 replication in one command, on real or simulated data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kozak.cli.common import console, open_workspace
from kozak.examples.yeast import (
    YeastResult,
    replicate_native,
    replicate_yeast,
    synthetic_library,
)
from kozak.training.callbacks import RichProgress
from kozak.training.precision import Precision
from kozak.workspace import Workspace

app = typer.Typer(help="Worked examples: the yeast 5'UTR replication.", no_args_is_help=True)
FULL_ROWS = 489_348


def _print(result: YeastResult, as_json: bool) -> None:
    table = Table("figure", "Kozak (this run)", "paper", title=f"experiment {result.experiment.name}")
    for key, value in result.figures.items():
        shown = "-" if value is None else (f"{value:.4f}" if isinstance(value, float) else str(value))
        table.add_row(key, shown, str(result.paper.get(key, "")))
    console.print(table)
    if as_json:
        print(json.dumps(result.to_json()))


def _fetch(library: str, workspace: Workspace) -> Path:
    from kozak.examples.yeast_data import download

    with console.status(f"downloading the {library} library…"):
        return download(library, workspace.settings)


@app.command("yeast")
def yeast_command(
    synthetic: Annotated[bool, typer.Option(help="Simulate the library (the default).")] = False,
    download: Annotated[bool, typer.Option(help="Fetch the GEO files (needs internet).")] = False,
    from_file: Annotated[Path | None, typer.Option(help="Your copy of the random library.")] = None,
    native: Annotated[Path | None, typer.Option(help="Native library for the zero-shot figure.")] = None,
    rows: Annotated[int | None, typer.Option(help="Rows to use (default all).")] = None,
    epochs: Annotated[int, typer.Option(help="Most epochs (early stopping ends sooner).")] = 10,
    preset: Annotated[str, typer.Option(help="cuperus2017 or cuperus2017-tutorial.")] = "cuperus2017",
    random_validation: Annotated[
        bool, typer.Option(help="Random instead of the paper's validation.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of simulation, sampling and training.")] = 0,
    precision: Annotated[
        Precision, typer.Option(help="auto, fp32, bf16 or fp16 (the run setting).")
    ] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON line.")] = False,
) -> None:
    """Replicate Cuperus et al. 2017 on the random library; prints our numbers beside the paper's."""
    workspace = open_workspace()
    ceiling = None
    if download or from_file is not None:
        from kozak.examples.yeast_data import from_file as validated_copy

        if from_file is not None:
            library = validated_copy("random", from_file, workspace.settings)
        else:
            library = _fetch("random", workspace)
        native = _fetch("native", workspace) if download and native is None else native
    else:
        with console.status("simulating the growth-selection experiment…"):
            library, ceiling = synthetic_library(workspace, rows or FULL_ROWS, seed)
        rows = None  # the simulation already has the requested size, aligned with its latent
    result = replicate_yeast(
        workspace, library, native=native, rows=rows, epochs=epochs, preset_name=preset,
        validation="random" if random_validation else "paper", seed=seed,
        callbacks=[RichProgress()], noise_ceiling=ceiling, precision=precision,
    )  # fmt: skip
    _print(result, as_json)


@app.command("yeast-native")
def yeast_native_command(
    download: Annotated[bool, typer.Option(help="Fetch the GEO file (needs internet).")] = False,
    from_file: Annotated[Path | None, typer.Option(help="Your copy of the native library.")] = None,
    epochs: Annotated[int, typer.Option(help="Most epochs (early stopping ends sooner).")] = 20,
    preset: Annotated[str, typer.Option(help="cuperus2017 or cuperus2017-tutorial.")] = "cuperus2017",
    seed: Annotated[int, typer.Option(help="Seed of the split and training.")] = 0,
    precision: Annotated[
        Precision, typer.Option(help="auto, fp32, bf16 or fp16 (the run setting).")
    ] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON line.")] = False,
) -> None:
    """Train on the native library alone (the paper: r² 0.47) and evaluate on its test rows."""
    from kozak.errors import InvalidConfig
    from kozak.examples.yeast_data import from_file as validated_copy

    workspace = open_workspace()
    if download:
        native = _fetch("native", workspace)
    elif from_file is not None:
        native = validated_copy("native", from_file, workspace.settings)
    else:
        raise InvalidConfig("give --download or --from-file PATH (the GSM2793754 native library)")
    result = replicate_native(
        workspace, native, epochs=epochs, preset_name=preset, seed=seed,
        callbacks=[RichProgress()], precision=precision,
    )  # fmt: skip
    _print(result, as_json)


__all__ = ["app"]
