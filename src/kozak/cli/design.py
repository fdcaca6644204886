"""`kozak design`: run a design a YAML file describes, list designs, show one, export it.

A design file holds the keys of the REST request: `project`, `name`, `experiments`, `checkpoint`,
`settings` (`DesignSettings`) and `starts` (`StartSequences`); `starts: {file: PATH}` reads a
FASTA or CSV next to the file. `run` runs it in this process (no worker needed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table

from kozak.cli.common import console, open_workspace
from kozak.cli.experiments import ProjectOption
from kozak.design import designs_csv, designs_fasta
from kozak.design.records import load_result, summarize
from kozak.errors import InvalidConfig
from kozak.runner.design_job import create_design, execute_design

app = typer.Typer(
    help="Design: evolve sequences toward what trained models predict.", no_args_is_help=True
)

DesignArgument = Annotated[str, typer.Argument(help="Design id or name.")]


def read_design_file(path: Path) -> dict[str, Any]:
    """A design file's keys; `starts.file` replaced by the file's text (source `text`).

    Raises:
        InvalidConfig: The file is not a YAML mapping or names a missing starts file.
    """
    data = yaml.safe_load(path.read_text())
    if not isinstance(data, dict):
        raise InvalidConfig(f"{path}: a design file is a YAML mapping", file=str(path))
    starts = dict(data.get("starts") or {})
    if "file" in starts:
        source = (path.parent / str(starts.pop("file"))).resolve()
        if not source.exists():
            raise InvalidConfig(f"{path}: starts file {source} does not exist", file=str(path))
        starts = {**starts, "source": "text", "text": source.read_text()}
    data["starts"] = starts
    return data


@app.command("run")
def run(
    file: Annotated[Path, typer.Argument(help="Design YAML (see docs/design.md).")],
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON line of figures.")] = False,
) -> None:
    """Run the design a YAML file describes, in this process, and print its figures."""
    spec = read_design_file(file)
    workspace = open_workspace()
    project = workspace.metadata.get_project(spec.get("project", "Default"))
    experiments = spec.get("experiments") or []
    design, _ = create_design(
        workspace,
        project,
        experiments=[str(e) for e in experiments]
        if isinstance(experiments, list)
        else [str(experiments)],
        settings=spec.get("settings"),
        starts=spec["starts"],
        checkpoint=spec.get("checkpoint", "best"),
        name=spec.get("name"),
        queue=False,
    )
    result = execute_design(workspace, design, log=lambda line: console.print(line, highlight=False))
    summary = summarize(result)
    _print_summary(design.name, summary)
    if as_json:
        print(json.dumps({"design": design.id, "name": design.name, **summary}))


def _print_summary(name: str, summary: dict[str, Any]) -> None:
    table = Table(title=f"design {name}")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        table.add_row(key, f"{value:.4g}" if isinstance(value, float) else str(value))
    console.print(table)


@app.command("list")
def list_designs(project: ProjectOption = "Default") -> None:
    """The project's designs."""
    workspace = open_workspace()
    table = Table()
    for column in ("name", "id", "starts", "rounds", "start mean", "final mean"):
        table.add_column(column)
    for d in workspace.metadata.list_designs(workspace.metadata.get_project(project).id):
        s = d.summary
        table.add_row(
            d.name, d.id, str(len(d.starts.get("sequences", []))), str(s.get("rounds", "")),
            f"{s['start_mean']:.4g}" if s else "", f"{s['final_mean']:.4g}" if s else "",
        )  # fmt: skip
    console.print(table)


@app.command("show")
def show(design: DesignArgument, project: ProjectOption = "Default", top: int = 10) -> None:
    """A design's figures and its best designs beside their starts."""
    workspace = open_workspace()
    found = workspace.metadata.get_design(workspace.metadata.get_project(project).id, design)
    result = load_result(workspace, found)
    _print_summary(found.name, summarize(result))
    table = Table(title=f"best {top} designs ({result.label})")
    for column in ("name", "start", "design", "edits", "start pred", "pred"):
        table.add_column(column)
    for d in sorted(result.designs, key=lambda d: -d.score)[:top]:
        table.add_row(
            d.name, d.start, d.sequence, str(len(d.edits)),
            f"{d.start_prediction:.4g}", f"{d.prediction:.4g}",
        )  # fmt: skip
    console.print(table)


@app.command("export")
def export(
    design: DesignArgument,
    project: ProjectOption = "Default",
    format: Annotated[str, typer.Option(help="csv or fasta.")] = "csv",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Default: stdout.")] = None,
    prefix: Annotated[str, typer.Option(help="FASTA: fixed letters before each sequence.")] = "",
    suffix: Annotated[str, typer.Option(help="FASTA: fixed letters after each sequence.")] = "",
    starts: Annotated[bool, typer.Option(help="FASTA: write the starts too.")] = False,
) -> None:
    """Write a design's results as CSV or as FASTA ready to order."""
    if format not in ("csv", "fasta"):
        raise typer.BadParameter("format is csv or fasta")
    workspace = open_workspace()
    found = workspace.metadata.get_design(workspace.metadata.get_project(project).id, design)
    result = load_result(workspace, found)
    text = (
        designs_csv(result) if format == "csv" else designs_fasta(result, prefix, suffix, starts=starts)
    )
    if output is None:
        print(text, end="")
    else:
        output.write_text(text)
        console.print(f"wrote {len(result.designs)} designs to {output}")
