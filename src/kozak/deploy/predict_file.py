"""Batch prediction: a CSV, TSV or FASTA file in, a CSV of its rows plus predictions out.

`predict_file` reads the input `batch_size` rows at a time, turns each cell into the value the
model's input schema asks for, predicts with a `Predictor` (a local `ServingModel` or a remote
`Deployment`) and appends the rows to the output: the input columns as read, then one column
per prediction (`target_pred`, or `target_prob:class` probabilities). The output is written under a
temporary name and renamed at the end, so a run that fails leaves no truncated file. Row
errors name the file, the row (data rows counted from 1, as a spreadsheet and the dataset
layer count them) and the feature.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Protocol

import pandas as pd

from kozak.data.formats.base import EXTENSIONS, extension_of, separator_of
from kozak.data.formats.fasta import fasta_records
from kozak.deploy.model import Row, RowError, ServingModel
from kozak.errors import DataError, KozakError
from kozak.prediction_columns import free_prefix, prediction_columns

NUMERIC = ("integer", "float")


class Predictor(Protocol):
    """What batch prediction needs from a model, local or remote."""

    def schema(self) -> dict[str, Any]:
        """`{"inputs": [{"name", "type", ...}], "outputs": [...]}`."""
        ...

    def predict(self, rows: Sequence[Row], *, first_row: int = 0) -> list[dict[str, Any]]:
        """One prediction per row; errors name rows counted from `first_row`."""
        ...


class LocalPredictor:
    """A `Predictor` over a `ServingModel` in this process."""

    def __init__(self, model: ServingModel) -> None:
        self.model = model

    def schema(self) -> dict[str, Any]:
        return self.model.schema()

    def predict(self, rows: Sequence[Row], *, first_row: int = 0) -> list[dict[str, Any]]:
        model = self.model
        return model.decode(model.forward(model.encode(rows, first_row=first_row)), first_row)


def input_format(path: Path) -> str:
    """`fasta` or the CSV separator of a file, by its extension (`.gz` is looked through).

    Raises:
        DataError: For any other extension.
    """
    suffix = extension_of(path.name)
    if suffix in EXTENSIONS["fasta"]:
        return "fasta"
    if suffix in EXTENSIONS["csv"]:
        return separator_of(path.name)
    known = ", ".join(f".{s}" for s in (*EXTENSIONS["csv"], *EXTENSIONS["fasta"]))
    raise DataError(
        f"{path.name}: cannot read {suffix!r} files here; use one of {known}", file=path.name
    )


def _open_text(path: Path) -> IO[str]:
    if not path.is_file():
        raise DataError(f"{path}: no such file", file=str(path))
    with path.open("rb") as probe:
        compressed = probe.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rt") if compressed else path.open()


def count_rows(path: Path) -> int:
    """Examples in a file (records of a FASTA, lines after the header of a table), for progress."""
    fasta = input_format(path) == "fasta"
    with _open_text(path) as handle:
        if fasta:
            return sum(line.startswith(">") for line in handle)
        return max(sum(1 for line in handle if line.strip()) - 1, 0)


def _fasta_records(handle: IO[str], name: str) -> Iterator[tuple[str, str]]:
    """(id, sequence) per record; the id is the header's first word."""
    for words, sequence in fasta_records(handle, name):
        yield words[0], sequence


def _sequence_input(inputs: Sequence[Mapping[str, Any]], path: Path) -> str:
    """The model's one input a FASTA file can feed."""
    names = [field["name"] for field in inputs]
    sequences = [field["name"] for field in inputs if field["type"] == "sequence"]
    if len(sequences) != 1 or len(names) != 1:
        raise DataError(
            f"{path.name}: a FASTA file gives one sequence per example, but the model reads "
            f"{', '.join(names)}; write a CSV with these columns instead",
            file=path.name,
        )
    return sequences[0]


def read_frames(
    path: Path, inputs: Sequence[Mapping[str, Any]], batch_size: int
) -> Iterator[pd.DataFrame]:
    """The input file as text cells, `batch_size` rows at a time.

    A FASTA file becomes the columns `id` and the model's sequence input. A table must have a
    column for every input (other columns are kept and passed through).

    Raises:
        DataError: For an unreadable file, a missing column or a FASTA file for a model that
            reads more than one sequence.
    """
    separator = input_format(path)
    if separator == "fasta":
        feature = _sequence_input(inputs, path)
        with _open_text(path) as handle:
            records = _fasta_records(handle, path.name)
            while batch := [record for _, record in zip(range(batch_size), records, strict=False)]:
                yield pd.DataFrame(batch, columns=["id", feature], dtype=str)
        return
    with _open_text(path) as handle:
        try:
            reader = pd.read_csv(
                handle, sep=separator, dtype=str, keep_default_na=False, chunksize=batch_size
            )
            for frame in reader:
                _check_columns(frame, inputs, path)
                yield frame
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise DataError(f"{path.name} is not a readable table: {exc}", file=path.name) from None


def _check_columns(frame: pd.DataFrame, inputs: Sequence[Mapping[str, Any]], path: Path) -> None:
    missing = [field["name"] for field in inputs if field["name"] not in frame.columns]
    if missing:
        raise DataError(
            f"{path.name} has no column {', '.join(map(repr, missing))}, which the model reads; "
            f"its columns: {', '.join(map(str, frame.columns))}",
            file=path.name,
            missing=missing,
        )


def _value(field: Mapping[str, Any], text: str, row: int) -> Any:
    """A cell as the value a request row holds; an empty cell is a missing value."""
    if text == "":
        return None
    kind = field["type"]
    if kind in NUMERIC:
        try:
            return float(text)
        except ValueError:
            raise RowError(
                f"row {row}, feature {field['name']!r}: {text!r} is not a number",
                row=row,
                feature=field["name"],
            ) from None
    if kind == "array":
        try:
            return json.loads(text)
        except ValueError:
            raise RowError(
                f"row {row}, feature {field['name']!r}: {text!r} is not a JSON array",
                row=row,
                feature=field["name"],
            ) from None
    return text


def frame_rows(
    frame: pd.DataFrame, inputs: Sequence[Mapping[str, Any]], first_row: int
) -> list[dict[str, Any]]:
    """Request rows for a frame of text cells (only the model's inputs, typed per the schema)."""
    columns = {field["name"]: frame[field["name"]].tolist() for field in inputs}
    return [
        {
            field["name"]: _value(field, columns[field["name"]][index], first_row + index)
            for field in inputs
        }
        for index in range(len(frame))
    ]


def _in_file(error: KozakError, name: str) -> KozakError:
    """A row's error with the file named, as the user knows the row from it."""
    if "row" not in error.details:
        return error
    return type(error)(f"{name}: {error.message}", **{**error.details, "file": name})


def predict_file(
    predictor: Predictor,
    source: str | Path,
    target: str | Path,
    *,
    batch_size: int = 1024,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Predict every row of `source` and write the rows with their predictions to `target`.

    Args:
        predictor: The model (`LocalPredictor`, or a `Deployment` for a remote one).
        source: A CSV, TSV (columns named like the model's inputs) or FASTA file, maybe gzipped.
        target: The CSV to write (TSV when it ends in `.tsv`).
        batch_size: Rows read and predicted at a time.
        on_progress: Called with the number of rows done after each batch.

    Returns:
        The number of rows written.

    Raises:
        DataError: For an unreadable input, a missing column or a bad value (naming the file,
            row and feature).
        KozakError: Whatever the predictor raises (a remote deployment's 401, 403, ...).
    """
    source, target = Path(source), Path(target)
    if batch_size < 1:
        raise DataError(f"the batch size must be at least 1, not {batch_size}")
    inputs = predictor.schema()["inputs"]
    separator = separator_of(target.name)
    partial = target.with_name(target.name + ".partial")
    target.parent.mkdir(parents=True, exist_ok=True)
    done, prefix = 0, ""
    try:
        for frame in read_frames(source, inputs, batch_size):
            try:
                first = done + 1  # the file's rows count from 1
                predictions = predictor.predict(frame_rows(frame, inputs, first), first_row=first)
            except KozakError as exc:
                raise _in_file(exc, source.name) from None
            columns = [prediction_columns(p) for p in predictions]
            if done == 0:
                prefix = free_prefix(predictions[0], frame.columns)
            added = pd.DataFrame(columns, index=frame.index).add_prefix(prefix)
            pd.concat([frame, added], axis=1).to_csv(
                partial, sep=separator, index=False, header=done == 0, mode="w" if done == 0 else "a"
            )
            done += len(frame)
            if on_progress is not None:
                on_progress(done)
        if done == 0:
            raise DataError(f"{source.name} holds no rows to predict", file=source.name)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return done
