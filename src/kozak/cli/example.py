"""`kozak example`: the Cuperus et al. 2017 replication in one command, on real or simulated data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

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


@app.command("yeast-evolve")
def yeast_evolve_command(
    synthetic: Annotated[
        bool,
        typer.Option(help="Random-library starts from a simulated library (trained on it if needed)."),
    ] = False,
    from_file: Annotated[
        Path | None, typer.Option(help="The native library: the 100 native starts.")
    ] = None,
    random_file: Annotated[
        Path | None, typer.Option(help="The random library: 100 random starts.")
    ] = None,
    experiment: Annotated[
        str | None, typer.Option(help="The trained model (project Yeast); default the latest completed.")
    ] = None,
    rounds: Annotated[int, typer.Option(help="Rounds of the greedy ascent (the paper: 40).")] = 40,
    rows: Annotated[int, typer.Option(help="--synthetic: rows to simulate when training.")] = 20_000,
    epochs: Annotated[int, typer.Option(help="--synthetic: most epochs when training.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the simulation and training.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON line.")] = False,
) -> None:
    """The paper's model-guided evolution of 5'UTRs: 100 starts, 40 greedy rounds, its figures."""
    from kozak.deploy.model import ServingModel
    from kozak.deploy.scoring import SequenceScorer
    from kozak.design.paper import PAPER_EVOLUTION, evolve, figures, paper_starts
    from kozak.errors import InvalidConfig
    from kozak.examples.yeast import PROJECT
    from kozak.examples.yeast_data import from_file as validated_copy
    from kozak.experiments.checkpoints import experiment_checkpoint

    workspace = open_workspace()
    project = workspace.metadata.get_or_create_project(PROJECT)
    starts: dict[str, Path] = {}
    if from_file is not None:
        starts["native"] = validated_copy("native", from_file, workspace.settings)
    if random_file is not None:
        starts["random"] = validated_copy("random", random_file, workspace.settings)
    trained = None
    if experiment is not None:
        trained = workspace.metadata.get_experiment(project.id, experiment)
    if synthetic:
        with console.status("simulating the growth-selection experiment…"):
            library, ceiling = synthetic_library(workspace, rows, seed)
        starts.setdefault("random", library)
        if trained is None:
            trained = replicate_yeast(
                workspace, library, epochs=epochs, seed=seed, callbacks=[RichProgress()],
                noise_ceiling=ceiling,
            ).experiment  # fmt: skip
    if trained is None:
        done = [e for e in workspace.metadata.list_experiments(project.id) if e.best_epoch is not None]
        if not done:
            raise InvalidConfig(
                "no trained model in the Yeast project; train one first (kozak example yeast-native "
                "--from-file Native_UTRs.csv.gz) or pass --synthetic"
            )
        trained = max(done, key=lambda e: e.updated_at)
    if not starts:
        raise InvalidConfig("give --from-file (native starts), --random-file or --synthetic")
    model = ServingModel.load(experiment_checkpoint(workspace, trained, "best"))
    scorer = SequenceScorer(model)
    console.print(
        f"evolving with [bold]{trained.name}[/] on {model.device} in {model.precision.used}",
        highlight=False,
    )
    measured: dict[str, dict[str, Any]] = {}
    for kind, source in starts.items():
        names, sequences = paper_starts(source, kind)
        with console.status(f"evolving {len(sequences)} {kind} starts for {rounds} rounds…"):
            measured[kind] = figures(evolve(scorer, names, sequences, rounds))
    _print_evolution(measured, PAPER_EVOLUTION)
    if as_json:
        first = next(iter(measured.values()))
        print(json.dumps({"experiment": trained.name, **first, **measured, "paper": PAPER_EVOLUTION}))


def _print_evolution(measured: dict[str, dict[str, Any]], paper: dict[str, dict[str, float]]) -> None:
    table = Table(title="in-silico evolution: predicted growth (ln units)")
    table.add_column("figure")
    for library in measured:
        table.add_column(f"{library} (ours)", justify="right")
        table.add_column(f"{library} (paper)", justify="right")
    for key in next(iter(measured.values())):
        cells = []
        for library, values in measured.items():
            theirs = paper.get(library, {}).get(key)
            cells += [f"{values[key]:.4g}", "" if theirs is None else f"{theirs:.4g}"]
        table.add_row(key, *cells)
    console.print(table)


__all__ = ["app"]
