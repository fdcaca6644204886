"""`kozak motifs`: per-model interpretation of a trained experiment, in this process.

`filters` reads the first convolution's filters as motifs (a ranked table; `--meme` writes them
in MEME format, `--compare` matches them against a MEME database with TomTom, `--plot` draws
their logos); `effects` inserts and deletes a motif across a sample of sequences (`--plot` draws
the effect by position and frame); `modisco` summarises attributions with TF-MoDISco.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.table import Table

from kozak.cli.common import console, open_workspace
from kozak.cli.experiments import ProjectOption
from kozak.experiments.lifecycle import get_experiment
from kozak.interpret.filters import FilterSettings
from kozak.interpret.meme import compare, parse_meme, to_meme
from kozak.interpret.modisco import ModiscoSettings
from kozak.interpret.motif_effects import MotifEffectSettings
from kozak.interpret.per_model import (
    experiment_filters,
    experiment_modisco,
    experiment_motif_effects,
)

app = typer.Typer(
    help="Motifs a trained model learned: first-layer filters, motif effects, TF-MoDISco.",
    no_args_is_help=True,
)

ExperimentArgument = Annotated[str, typer.Argument(help="Experiment name or id.")]
CheckpointOption = Annotated[str, typer.Option(help="best, last or epoch-N.")]
SubsetOption = Annotated[
    str | None, typer.Option(help="Rows read; default the run's validation subset.")
]
DeviceOption = Annotated[str | None, typer.Option(help="cpu or cuda; default a GPU if any.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the whole result as JSON.")]


def _consensus(probabilities: list[list[float]], letters: str) -> str:
    """Upper case where a letter has half the column or more, lower case otherwise."""
    p = np.asarray(probabilities)
    best = p.argmax(axis=0)
    return "".join(
        letters[i] if p[i, j] >= 0.5 else letters[i].lower() for j, i in enumerate(best.tolist())
    )


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:+.3g}"


@app.command("filters")
def filters_command(
    experiment: ExperimentArgument,
    project: ProjectOption = "Default",
    checkpoint: CheckpointOption = "best",
    subset: SubsetOption = None,
    sequences: Annotated[int, typer.Option(help="Rows sampled.")] = 2000,
    threshold: Annotated[float, typer.Option(help="Site threshold, × the largest activation.")] = 0.5,
    top_k: Annotated[int | None, typer.Option(help="Instead: each filter's k best windows.")] = None,
    influence_sequences: Annotated[int, typer.Option(help="Rows scored per zeroed filter.")] = 64,
    meme: Annotated[Path | None, typer.Option(help="Write the motifs to this MEME file.")] = None,
    compare_with: Annotated[
        Path | None, typer.Option("--compare", help="A MEME motif database to match against.")
    ] = None,
    plot: Annotated[Path | None, typer.Option(help="Draw the top logos (.png or .svg).")] = None,
    top: Annotated[int, typer.Option(help="Filters shown and drawn.")] = 12,
    device: DeviceOption = None,
    as_json: JsonOption = False,
) -> None:
    """The first convolution's filters as motifs, ranked by influence."""
    workspace = open_workspace()
    found = get_experiment(workspace, project, experiment)
    settings = FilterSettings(subset=subset, sequences=sequences, threshold=threshold, top_k=top_k,
                              influence_sequences=influence_sequences)  # fmt: skip
    analysis = experiment_filters(workspace, found, settings, checkpoint=checkpoint, device=device)
    matches = {}
    if compare_with is not None:
        database = parse_meme(compare_with.read_text(), len(analysis.letters))
        comparison = compare(analysis, database, best=1)
        matches = {f.filter: f.matches[0] for f in comparison.filters if f.matches}
        if comparison.note:
            console.print(f"[dim]{comparison.note}[/]")
    if meme is not None:
        meme.write_text(to_meme(analysis))
    if plot is not None:
        from kozak.interpret.plots import filter_logos, save  # matplotlib only when drawing

        save(filter_logos(analysis, top), plot)
    if as_json:
        print(analysis.model_dump_json())
        return
    table = Table("filter", "motif", "sites", "bits", "influence", "r", title=(
        f"{analysis.layer}: {len(analysis.motifs)} filters on {analysis.sequences} sequences, "
        f"influence on {analysis.output}"))  # fmt: skip
    if matches:
        table.add_column("best match (p)")
    for motif in analysis.ranked()[:top]:
        consensus = _consensus(motif.probabilities, analysis.letters)
        cells = [motif.name, consensus, str(motif.sites), f"{motif.information_total:.2f}",
                 _number(motif.influence), _number(motif.correlation)]  # fmt: skip
        if matches:
            match = matches.get(motif.name)
            cells.append("-" if match is None else f"{match.motif} ({match.p_value:.2g})")
        table.add_row(*cells)
    console.print(table)
    for path in (meme, plot):
        if path is not None:
            console.print(f"wrote {path}")


@app.command("effects")
def effects_command(
    experiment: ExperimentArgument,
    motif: Annotated[str, typer.Option(help="The motif to insert and delete.")] = "ATG",
    project: ProjectOption = "Default",
    checkpoint: CheckpointOption = "best",
    subset: SubsetOption = None,
    sequences: Annotated[int, typer.Option(help="Background rows sampled.")] = 100,
    plot: Annotated[Path | None, typer.Option(help="Draw effect by position (.png or .svg).")] = None,
    device: DeviceOption = None,
    as_json: JsonOption = False,
) -> None:
    """A motif's mean predicted effect by frame (and, with --plot, by position)."""
    workspace = open_workspace()
    found = get_experiment(workspace, project, experiment)
    settings = MotifEffectSettings(motif=motif, subset=subset, sequences=sequences)
    effects = experiment_motif_effects(workspace, found, settings, checkpoint=checkpoint, device=device)
    if plot is not None:
        from kozak.interpret.plots import motif_effect_figure, save  # matplotlib only when drawing

        save(motif_effect_figure(effects), plot)
    if as_json:
        print(effects.model_dump_json())
        return
    title = f"{effects.motif} on {effects.sequences} sequences ({effects.output})"
    table = Table("edit", "frame", "mean effect", "± sem", "variants", title=title)
    for edit, found_table in (("inserted", effects.insertion), ("deleted", effects.deletion)):
        if found_table is None:
            table.add_row(edit, "-", "-", "-", "0 (the motif is in no sequence)")
            continue
        for frame in found_table.frames:
            label = f"{frame.frame}" + (" (in frame)" if frame.frame == 0 else "")
            sem = "-" if frame.sem is None else f"{frame.sem:.2g}"
            table.add_row(edit, label, f"{frame.mean:+.4g}", sem, str(frame.count))
        table.add_row(edit, "all", f"{found_table.mean:+.4g}", "", str(found_table.count))
    console.print(table)
    if plot is not None:
        console.print(f"wrote {plot}")


@app.command("modisco")
def modisco_command(
    experiment: ExperimentArgument,
    project: ProjectOption = "Default",
    checkpoint: CheckpointOption = "best",
    subset: SubsetOption = None,
    sequences: Annotated[int, typer.Option(help="Rows sampled.")] = 2000,
    window: Annotated[int, typer.Option(help="Seqlet core width.")] = 7,
    device: DeviceOption = None,
    as_json: JsonOption = False,
) -> None:
    """TF-MoDISco patterns of the model's attributions (needs `pip install 'kozak[modisco]'`)."""
    workspace = open_workspace()
    found = get_experiment(workspace, project, experiment)
    settings = ModiscoSettings(subset=subset, sequences=sequences, window=window)
    summary = experiment_modisco(workspace, found, settings, checkpoint=checkpoint, device=device)
    if as_json:
        print(json.dumps(summary.model_dump()))
        return
    table = Table("pattern", "motif", "seqlets", "bits",
                  title=f"TF-MoDISco on {summary.sequences} sequences ({summary.output})")  # fmt: skip
    for pattern in summary.patterns:
        table.add_row(pattern.name, _consensus(pattern.probabilities, summary.letters),
                      str(pattern.seqlets), f"{sum(pattern.information):.2f}")  # fmt: skip
    if not summary.patterns:
        table.add_row("-", "no pattern: too few seqlets", "", "")
    console.print(table)
