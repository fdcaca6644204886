"""`kozak datasets`: import files as a dataset version, list datasets, show and diff versions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from pydantic import TypeAdapter, ValidationError
from rich.table import Table

from kozak.cli.common import console, open_workspace
from kozak.data import DatasetEditor, diff_versions, find_version, import_files, list_datasets
from kozak.data.subsets import RankSubset, SubsetSpec
from kozak.errors import InvalidConfig, invalid_config
from kozak.store.entities import DatasetVersion

app = typer.Typer(help="Import, list and inspect datasets.", no_args_is_help=True)

ProjectOption = Annotated[str, typer.Option("--project", "-p", help="Project name.")]


def _pairs(items: list[str], option: str) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise InvalidConfig(f"{option} expects FEATURE=VALUE, got {item!r}", option=option)
        pairs.append((key, value))
    return pairs


def _rank(text: str) -> RankSubset:
    """NAME:top|bottom:PERCENT:FEATURE, e.g. test:top:5:t0."""
    parts = text.split(":")
    if len(parts) != 4:
        raise InvalidConfig(f"--rank expects NAME:top|bottom:PERCENT:FEATURE, got {text!r}")
    name, side, percent, feature = parts
    values = {"name": name, "side": side, "percent": percent, "feature": feature}
    return _validated(RankSubset, f"--rank {text}", values)


def _validated(model: Any, what: str, values: Any) -> Any:
    try:
        return TypeAdapter(model).validate_python(values)
    except ValidationError as exc:
        raise invalid_config(exc, what) from None


def _numbers(text: str, option: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise InvalidConfig(f"{option} expects numbers separated by commas, got {text!r}") from None


def _apply_options(draft: DatasetEditor, options: dict[str, Any]) -> None:
    for old, new in _pairs(options["rename"], "--rename"):
        draft.rename(old, new)
    for feature, kind in _pairs(options["type"], "--type"):
        draft.set_type(feature, kind)
    for feature, alignment in _pairs(options["align"], "--align"):
        draft.set_encoding(feature, alignment=alignment)
    for feature, length in _pairs(options["length"], "--length"):
        draft.set_encoding(feature, length=_numbers(length, "--length")[0])
    for feature, padding in _pairs(options["padding"], "--padding"):
        draft.set_encoding(feature, padding=_numbers(padding, "--padding")[0])
    for feature, kind in _pairs(options["normalize"], "--normalize"):
        draft.set_normalization(feature, kind)
    for feature, choice in _pairs(options["invalid"], "--invalid"):
        draft.set_on_invalid(feature, choice)
    custom = options["split"] or options["rank"] or options["subsets"]
    if custom:
        for subset in list(draft.spec.subsets):
            draft.remove_subset(subset.name)
    if options["split"]:
        percents = _numbers(options["split"], "--split")
        names = ("training", "validation", "test")[: len(percents)]
        draft.split(names, percents, seed=options["seed"])
    for text in options["rank"]:
        draft.add_subset(_rank(text))
    if options["subsets"]:
        loaded = yaml.safe_load(Path(options["subsets"]).read_text())
        for subset in _validated(list[SubsetSpec], options["subsets"], loaded):
            draft.add_subset(subset)
    if options["normalize_on"]:
        draft.set_options(normalize_on=options["normalize_on"])
    if options["drop_missing"]:
        draft.set_options(drop_missing=True)


@app.command("import")
def import_command(
    files: Annotated[list[str], typer.Argument(help="Files or URLs, combined column-wise.")],
    name: Annotated[str, typer.Option("--name", "-n", help="Dataset name.")],
    project: ProjectOption = "Default",
    rename: Annotated[list[str], typer.Option(help="OLD=NEW feature label.")] = [],  # noqa: B006
    type: Annotated[list[str], typer.Option(help="FEATURE=TYPE override.")] = [],  # noqa: B006
    align: Annotated[list[str], typer.Option(help="FEATURE=left|center|right.")] = [],  # noqa: B006
    length: Annotated[list[str], typer.Option(help="FEATURE=LENGTH of the one-hot window.")] = [],  # noqa: B006
    padding: Annotated[list[str], typer.Option(help="FEATURE=N all-zero positions on each side.")] = [],  # noqa: B006
    normalize: Annotated[list[str], typer.Option(help="FEATURE=zscore|minmax|none.")] = [],  # noqa: B006
    split: Annotated[str, typer.Option(help="Random split percents, e.g. 80,10,10.")] = "",
    rank: Annotated[list[str], typer.Option(help="Rank subset NAME:top|bottom:PERCENT:FEATURE.")] = [],  # noqa: B006
    subsets: Annotated[str, typer.Option(help="YAML file with a list of subset definitions.")] = "",
    seed: Annotated[int, typer.Option(help="Seed of --split.")] = 0,
    normalize_on: Annotated[str, typer.Option(help="Subset for normalisation statistics.")] = "",
    drop_missing: Annotated[bool, typer.Option(help="Drop rows with missing values.")] = False,
    invalid: Annotated[
        list[str],
        typer.Option(help="FEATURE=refuse|drop|as_n: rows the feature cannot read (as_n: DNA, RNA)."),
    ] = [],  # noqa: B006
    version_name: Annotated[str, typer.Option(help="Name of the new version.")] = "",
) -> None:
    """Import FILES as a new version of dataset NAME; prints what was detected."""
    workspace = open_workspace()
    with console.status("reading and detecting columns…"):
        draft = import_files(workspace, files, name=name, project=project)
    _apply_options(draft, locals())
    with console.status("encoding, computing statistics and saving…"):
        version = draft.save(version_name or None)
    _print_version(name, version)


@app.command("list")
def list_command(project: ProjectOption = "Default") -> None:
    """List the project's datasets and their versions."""
    table = Table("dataset", "id", "versions", "latest", "rows", "created")
    for dataset, versions in list_datasets(open_workspace(), project):
        latest = versions[-1] if versions else None
        table.add_row(
            dataset.name,
            dataset.id,
            str(len(versions)),
            latest.name if latest else "-",
            str(latest.row_count) if latest else "-",
            dataset.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


@app.command("show")
def show_command(
    ref: Annotated[str, typer.Argument(help="NAME or NAME@VERSION.")],
    project: ProjectOption = "Default",
    as_json: Annotated[bool, typer.Option("--json", help="Print the version as JSON.")] = False,
) -> None:
    """Show a version's features, subsets, statistics and warnings."""
    dataset, version = find_version(open_workspace(), project, ref)
    if as_json:
        console.print_json(version.model_dump_json())
        return
    _print_version(dataset.name, version)


@app.command("diff")
def diff_command(
    old: Annotated[str, typer.Argument(help="NAME@VERSION")],
    new: Annotated[str, typer.Argument(help="NAME@VERSION")],
    project: ProjectOption = "Default",
) -> None:
    """What changed between two versions."""
    workspace = open_workspace()
    console.print_json(
        json.dumps(
            diff_versions(
                find_version(workspace, project, old)[1], find_version(workspace, project, new)[1]
            )
        )
    )


def _summary(feature: dict[str, Any], stats: dict[str, Any]) -> str:
    if "mean" in stats:
        low, high = stats["min"], stats["max"]
        return f"mean {stats['mean']:.4g} sd {stats['sd']:.4g} [{low:.4g}, {high:.4g}]"
    if "length" in stats:
        comp = " ".join(f"{k}{v:.2f}" for k, v in stats["composition"].items())
        return f"length {stats['length']['min']}-{stats['length']['max']}  {comp}"
    if "counts" in stats:
        return f"{len(stats['counts'])} classes"
    if "distinct" in stats:
        return f"{stats['distinct']} distinct"
    return ""


def _print_version(name: str, version: DatasetVersion) -> None:
    console.print(
        f"[bold]{name}[/] version [bold]{version.name}[/] ({version.id}), "
        f"{version.row_count} rows, digest {version.digest[:16]}"
    )
    table = Table("feature", "column", "type", "encoding", "normalization", "statistics")
    for feature in version.spec["features"]:
        encoding = ""
        if feature.get("sequence"):
            seq = feature["sequence"]
            encoding = f"{seq['alphabet']} {seq['alignment']} length={seq['length'] or 'max'}"
            encoding += f" +{seq['padding']}" if seq["padding"] else ""
        elif feature.get("shape"):
            encoding = "x".join(map(str, feature["shape"]))
        table.add_row(
            feature["name"],
            feature["source"],
            feature["type"],
            encoding,
            feature["normalization"],
            _summary(feature, version.stats["all"][feature["name"]]),
        )
    console.print(table)
    if version.subset_counts:
        subsets = Table("subset", "definition", "rows")
        for subset in version.spec["subsets"]:
            definition = {k: v for k, v in subset.items() if k != "name" and v not in ((), [], None)}
            subsets.add_row(
                subset["name"], json.dumps(definition), str(version.subset_counts[subset["name"]])
            )
        console.print(subsets)
    for warning in version.stats.get("warnings", []):
        console.print(f"[yellow]warning[/] ({warning['code']}): {warning['message']}")
