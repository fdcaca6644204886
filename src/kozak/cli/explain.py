"""`kozak explain`: why a trained experiment predicts what it does for each sequence of a file.

Reads FASTA, a CSV/TSV with a `sequence`/`seq`/`utr` column (and `name`/`id`), or one sequence a
line; explains one model output by in-silico mutagenesis or a gradient attribution; writes a CSV
(one row per position × letter, or per position) and with `--plot` one PNG/SVG logo per sequence.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from kozak.cli.common import console, err_console, open_workspace
from kozak.cli.experiments import ProjectOption
from kozak.design.starts import parse_text
from kozak.errors import InvalidConfig, invalid_config
from kozak.experiments import get_experiment


def _context(pairs: list[str]) -> dict[str, Any]:
    """`name=value` pairs; a value that reads as JSON (a number, true) is taken as such."""
    context: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InvalidConfig(f"--context {pair!r}: write NAME=VALUE", field="context")
        try:
            context[name] = json.loads(value)
        except json.JSONDecodeError:
            context[name] = value
    return context


def explain_command(
    experiment: Annotated[str, typer.Argument(help="Experiment name or id.")],
    sequences: Annotated[
        Path,
        typer.Option("--sequences", "-s", help="FASTA, CSV/TSV with a sequence column, or one a line."),
    ],
    method: Annotated[
        str,
        typer.Option(help="ism, saliency, input_x_gradient, ig, deeplift or deepshap."),
    ] = "ism",
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV to write.")] = Path(
        "explanation.csv"
    ),
    per: Annotated[
        str, typer.Option(help="letter: a row per position × letter; position: a row per position.")
    ] = "letter",
    plot: Annotated[
        Path | None,
        typer.Option(help="Also draw logos: a .png or .svg path (NAME-<n> for several sequences)."),
    ] = None,
    target: Annotated[str | None, typer.Option(help="The target explained; default the first.")] = None,
    class_name: Annotated[
        str | None, typer.Option("--class", help="A classification target's class; default the last.")
    ] = None,
    effect: Annotated[str, typer.Option(help="ism: auto, difference or log_ratio.")] = "auto",
    references: Annotated[
        int | None, typer.Option(help="Shuffled references (ig, deeplift, deepshap).")
    ] = None,
    steps: Annotated[int, typer.Option(help="ig: integration steps.")] = 50,
    correct: Annotated[
        bool, typer.Option("--gradient-correction", help="Remove the mean over letters from gradients.")
    ] = False,
    context: Annotated[
        list[str], typer.Option(help="Another input's fixed value, NAME=VALUE (repeatable).")
    ] = [],  # noqa: B006
    checkpoint: Annotated[str, typer.Option(help="best, last or an epoch number.")] = "best",
    project: ProjectOption = "Default",
) -> None:
    """Explain each sequence: ISM effects or attributions per position and letter."""
    from kozak.interpret import ExplainSettings, explain_experiment, explanation_rows  # Captum
    from kozak.interpret.logos import check_format, save_figures  # matplotlib

    if per not in ("letter", "position"):
        raise InvalidConfig(f"--per {per!r}: letter or position", field="per")
    if plot is not None:
        check_format(plot)
    try:
        settings = ExplainSettings.model_validate(
            {
                "method": method,
                "target": target,
                "class_name": class_name,
                "effect": effect,
                "references": references,
                "steps": steps,
                "gradient_correction": correct,
                "context": _context(context),
            }
        )
    except ValidationError as exc:
        raise invalid_config(exc, "explain options") from None
    names, texts = parse_text(sequences.read_text())
    workspace = open_workspace()
    found = get_experiment(workspace, project, experiment)
    columns = (
        TextColumn(f"explaining ({method})"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err_console) as progress:
        task = progress.add_task("sequences", total=len(texts))
        explanation = explain_experiment(
            workspace,
            found,
            texts,
            settings,
            checkpoint,
            on_progress=lambda done, _: progress.update(task, completed=done),
        )
    rows = explanation_rows(explanation, "letter" if per == "letter" else "position")
    _write_csv(output, [{"name": names[r["sequence"] - 1], **r} for r in rows])
    console.print(
        f"wrote {len(rows)} rows ({explanation.label}, {method}, coordinates: "
        f"{explanation.coordinates}) to {output}"
    )
    if plot is not None:
        written = save_figures(explanation, plot, names)
        console.print(f"drew {len(written)} logo(s): {written[0]}{' …' if len(written) > 1 else ''}")


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
