"""`kozak models`: list presets and blocks, show a graph's shapes, parameters and FLOPs.

Calls the same graph functions the server's Modeling routes use.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from kozak.blocks import BLOCKS, block_schemas
from kozak.cli.common import console
from kozak.errors import InvalidConfig
from kozak.graph import PRESETS, GraphSpec, preset, validate_graph
from kozak.graph.shapes import describe_shape

app = typer.Typer(help="Model graphs: presets, blocks and shapes.", no_args_is_help=True)


@app.command("list")
def list_models() -> None:
    """List the presets (snippets) and the block types."""
    presets = Table(title="Presets")
    for column in ("name", "title", "task", "input length", "source"):
        presets.add_column(column, overflow="fold")
    for name in PRESETS.names():
        p = PRESETS.get(name)
        presets.add_row(name, p.title, p.task, str(p.default_length), p.url)
    console.print(presets)
    blocks = Table(title="Blocks")
    for column in ("type", "name", "category", "description"):
        blocks.add_column(column, overflow="fold")
    for name in BLOCKS.names():
        cls = BLOCKS.get(name)
        blocks.add_row(name, cls.display_name, cls.category, cls.summary())
    console.print(blocks)


def load_graph(source: str, input_length: int | None) -> GraphSpec:
    """A preset by name, else a YAML/JSON graph file.

    Raises:
        InvalidConfig: If `source` is neither, or `--input-length` is given with a file.
    """
    if source in PRESETS:
        return preset(source, input_length)
    path = Path(source)
    if not path.exists():
        raise InvalidConfig(
            f"{source!r} is neither a preset nor a graph file; presets: " + ", ".join(PRESETS.names()),
            source=source,
        )
    if input_length is not None:
        raise InvalidConfig(
            "--input-length applies to presets; for a file, edit the Input block's shape",
            source=source,
        )
    return GraphSpec.load(path)


def _count(n: int) -> str:
    return f"{n:,}"


def _flops(n: int) -> str:
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= scale:
            return f"{n / scale:.2f} {unit}"
    return str(n)


@app.command("show")
def show(
    source: str = typer.Argument(..., help="A preset name or a graph YAML/JSON file."),
    input_length: int | None = typer.Option(
        None, "--input-length", "-L", help="Sequence length for a preset."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the inferred info as JSON."),
) -> None:
    """Show every node's output shape, parameters and FLOPs per example, and the totals.

    Exits with status 1 when the graph has errors (they are listed under the table).
    """
    spec = load_graph(source, input_length)
    report = validate_graph(spec)
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "name": spec.name,
                    "info": report.info.model_dump(mode="json"),
                    "issues": [i.model_dump(mode="json") for i in report.issues],
                }
            )
        )
        raise typer.Exit(0 if report.ok else 1)
    table = Table(title=spec.name or source, caption=spec.description or None)
    table.add_column("node")
    table.add_column("type")
    table.add_column("output shape", justify="right")
    table.add_column("parameters", justify="right")
    table.add_column("FLOPs", justify="right")
    for node in report.info.nodes:
        table.add_row(
            node.id,
            BLOCKS.get(node.type).display_name,
            describe_shape(node.output_shape),
            _count(node.params),
            _flops(node.flops),
        )
    table.add_section()
    table.add_row("total", "", "", _count(report.info.total_params), _flops(report.info.total_flops))
    console.print(table)
    for issue in report.issues:
        colour = "red" if issue.severity == "error" else "yellow"
        console.print(f"[{colour}]{issue.severity}[/] [dim]({issue.code})[/]: {issue.message}")
    if not report.ok:
        raise typer.Exit(1)


@app.command("export")
def export(
    name: str = typer.Argument(..., help="A preset name."),
    output: Path = typer.Option(..., "--output", "-o", help="File to write (.yaml or .json)."),
    input_length: int | None = typer.Option(None, "--input-length", "-L", help="Sequence length."),
) -> None:
    """Write a preset as a graph file to start a model from."""
    preset(name, input_length).save(output)
    console.print(f"wrote {output}")


@app.command("schema")
def schema(
    block: str | None = typer.Argument(None, help="One block type; default all."),
) -> None:
    """Print the JSON Schema of block params (what the UI renders forms from)."""
    schemas = block_schemas()
    console.print_json(json.dumps(schemas[BLOCKS.get(block).type_name] if block else schemas))
