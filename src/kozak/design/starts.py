"""Start sequences of a design: pasted, from text (FASTA, CSV, one a line), from a dataset
version (a subset, ranked or spread along a column), or random.

`StartSequences` is the request; `resolve_starts` turns it into (names, sequences). Errors name
the line, row or field and what was expected.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

import numpy as np
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from kozak.data.feature_spec import NUMERIC_TYPES, FeatureType
from kozak.data.versions import load_version
from kozak.errors import DataError, InvalidConfig
from kozak.sequences import EncodedSequences
from kozak.store.entities import DatasetVersion
from kozak.workspace import Workspace

MAX_STARTS = 10_000

Source = Literal["sequences", "text", "dataset", "random"]
Pick = Literal["first", "top", "bottom", "spread", "random"]
Name = Annotated[str, Field(max_length=200)]
Letters = Annotated[str, Field(max_length=100_000)]


class StartSequences(BaseModel):
    """Where a design's start sequences come from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Source = Field(
        "sequences",
        description="sequences: listed here; text: pasted FASTA, CSV or one a line; dataset: rows "
        "of a dataset version; random: random sequences.",
    )
    sequences: list[Letters] = Field(default_factory=list, max_length=MAX_STARTS)
    names: list[Name] | None = Field(
        None, max_length=MAX_STARTS, description="One name per listed sequence."
    )
    text: str = Field(
        "", max_length=5_000_000, description="FASTA, CSV (a sequence column) or one a line."
    )
    dataset_version: Name | None = Field(
        None, description="A dataset version id; default the first experiment's own."
    )
    subset: Name | None = Field(None, description="Only rows of this subset (a filter).")
    rank_by: Name | None = Field(None, description="A numeric column to rank or spread by.")
    name_column: Name | None = Field(None, description="A text column naming the rows.")
    pick: Pick = Field(
        "first",
        description="first rows; top or bottom by rank_by; spread: the row nearest each of "
        "`count` evenly spaced values of rank_by, duplicates dropped (the paper's choice); random.",
    )
    count: int = Field(10, ge=1, le=MAX_STARTS, description="How many starts to take or make.")
    length: int | None = Field(None, ge=1, le=100_000, description="random: letters per sequence.")
    seed: int = Field(0, ge=0, description="random: the seed.")


def parse_text(text: str) -> tuple[list[str], list[str]]:
    """(names, sequences) from FASTA, a CSV with a `sequence`/`seq` column, or one a line.

    Raises:
        DataError: naming the line of an empty FASTA record or a CSV without a sequence column.
    """
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if not lines:
        raise DataError("the start text holds no sequences", field="starts.text")
    if lines[0].startswith(">"):
        names: list[str] = []
        sequences: list[str] = []
        for line in lines:
            if line.startswith(">"):
                names.append(line[1:].split()[0] if line[1:].split() else f"seq{len(names) + 1}")
                sequences.append("")
            else:
                sequences[-1] += line
        empty = [n for n, s in zip(names, sequences, strict=True) if not s]
        if empty:
            raise DataError(f"FASTA record {empty[0]!r} has no sequence", field="starts.text")
        return names, sequences
    if "," in lines[0] or "\t" in lines[0]:
        dialect = "excel-tab" if "\t" in lines[0] else "excel"
        rows = list(csv.reader(io.StringIO("\n".join(lines)), dialect=dialect))
        header = [h.strip().lower() for h in rows[0]]
        column = next((header.index(c) for c in ("sequence", "seq", "utr") if c in header), None)
        if column is None:
            raise DataError(
                f"line 1: a CSV of starts needs a 'sequence' column; found {', '.join(rows[0])}",
                field="starts.text",
            )
        named = next((header.index(c) for c in ("name", "id") if c in header), None)
        body = rows[1:]
        for number, row in enumerate(body, 2):
            if len(row) <= column or not row[column].strip():
                raise DataError(f"line {number}: no sequence", field="starts.text", line=number)
        names = [row[named] if named is not None else f"seq{i + 1}" for i, row in enumerate(body)]
        return names, [row[column].strip() for row in body]
    return [f"seq{i + 1}" for i in range(len(lines))], lines


def resolve_starts(
    request: StartSequences,
    *,
    feature: str,
    letters: str,
    window: int,
    workspace: Workspace | None = None,
    version: DatasetVersion | None = None,
) -> tuple[list[str], list[str]]:
    """The (names, sequences) a request stands for.

    Args:
        request: The start-sequence request.
        feature: The sequence input being designed (the dataset column read).
        letters: The alphabet's canonical letters (random sequences use them).
        window: The most letters the models read (the default random length).
        workspace: Needed for `dataset` sources.
        version: The dataset version to read for `dataset` sources.

    Raises:
        DataError: No sequences, names not matching them, a missing column or subset.
    """
    if request.source == "sequences":
        names = request.names or [f"seq{i + 1}" for i in range(len(request.sequences))]
        if not request.sequences:
            raise DataError("no start sequences given", field="starts.sequences")
        if len(names) != len(request.sequences):
            raise DataError(
                f"{len(names)} names for {len(request.sequences)} sequences", field="starts.names"
            )
        return list(names), list(request.sequences)
    if request.source == "text":
        names, sequences = parse_text(request.text)
        if len(sequences) > MAX_STARTS:
            raise DataError(
                f"{len(sequences)} start sequences; at most {MAX_STARTS}", field="starts.text"
            )
        return names, sequences
    if request.source == "random":
        length = request.length or window
        rng = np.random.default_rng(request.seed)
        picks = rng.integers(0, len(letters), (request.count, length))
        sequences = ["".join(letters[i] for i in row) for row in picks]
        return [f"random{i + 1}" for i in range(request.count)], sequences
    if workspace is None or version is None:
        raise InvalidConfig("dataset starts need a dataset version", field="starts.dataset_version")
    return _from_dataset(request, feature, workspace, version)


def _from_dataset(
    request: StartSequences, feature: str, workspace: Workspace, version: DatasetVersion
) -> tuple[list[str], list[str]]:
    content = load_version(workspace, version)
    columns = {data.spec.name: data for data in content.features}
    if feature not in columns or columns[feature].spec.type is not FeatureType.SEQUENCE:
        raise DataError(
            f"dataset version {version.name} has no sequence column {feature!r}",
            field="starts.dataset_version",
        )
    rows = np.arange(content.n_rows)
    if request.subset is not None:
        if request.subset not in content.masks:
            raise DataError(
                f"no subset {request.subset!r}; the version has {', '.join(content.masks)}",
                field="starts.subset",
            )
        rows = rows[content.masks[request.subset]]
    values: np.ndarray | None = None
    if request.rank_by is not None:
        data = columns.get(request.rank_by)
        if data is None or data.spec.type not in NUMERIC_TYPES:
            numeric = [n for n, d in columns.items() if d.spec.type in NUMERIC_TYPES]
            raise DataError(
                f"rank_by {request.rank_by!r} is not a numeric column; numeric: {', '.join(numeric)}",
                field="starts.rank_by",
            )
        values = np.asarray(data.values, dtype=np.float64).reshape(content.n_rows, -1)[:, 0]
        finite = np.isfinite(values[rows])
        rows = rows[finite]
    elif request.pick in ("top", "bottom", "spread"):
        raise DataError(f"pick {request.pick!r} needs rank_by", field="starts.rank_by")
    rows = _pick_rows(request, rows, values)
    encoded = columns[feature].values
    assert isinstance(encoded, EncodedSequences)
    sequences = encoded.take(rows).decode()
    names = [f"row{r}" for r in rows.tolist()]
    if request.name_column is not None:
        data = columns.get(request.name_column)
        if data is None:
            raise DataError(f"no column {request.name_column!r}", field="starts.name_column")
        labels = data.values
        names = [
            str(x)
            for x in (
                labels.take(pa.array(rows)).to_pylist()
                if isinstance(labels, pa.Array)
                else np.asarray(labels)[rows].tolist()
            )
        ]
    return names, sequences


def _pick_rows(request: StartSequences, rows: np.ndarray, values: np.ndarray | None) -> np.ndarray:
    if len(rows) == 0:
        raise DataError("no rows to start from (is the subset empty?)", field="starts.subset")
    count = request.count
    if request.pick == "first":
        return rows[:count]
    if request.pick == "random":
        rng = np.random.default_rng(request.seed)
        return np.sort(rng.choice(rows, min(count, len(rows)), replace=False))
    assert values is not None
    ranked = values[rows]
    if request.pick == "top":
        return rows[np.argsort(-ranked, kind="stable")[:count]]
    if request.pick == "bottom":
        return rows[np.argsort(ranked, kind="stable")[:count]]
    return rows[spread_indices(ranked, count)]


def spread_indices(values: np.ndarray, count: int) -> np.ndarray:
    """Indices of the values nearest `count` evenly spaced targets from min to max, in target
    order, duplicates dropped (the paper's Notebook 4 choice: 106 targets gave 100 starts)."""
    targets = np.linspace(values.min(), values.max(), count)
    nearest = np.abs(values[None, :] - targets[:, None]).argmin(axis=1)  # first of ties
    _, first = np.unique(nearest, return_index=True)
    return nearest[np.sort(first)]
