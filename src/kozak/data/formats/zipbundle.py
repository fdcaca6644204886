"""Peltarion's ZIP bundle: an index CSV plus the `.npy` files its cells reference.

Members are read in memory, never extracted, each at most once within the import's inflation
budget, which also counts every array column as assembled (an index naming one member 100,000
times costs 100,000 rows). A member path that leaves the archive's folder (absolute, `..`) is
refused.
"""

from __future__ import annotations

import posixpath

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kozak.data.formats.base import READERS
from kozak.data.formats.csv import read_csv
from kozak.data.formats.inflate import Archive, InflateBudget
from kozak.data.formats.numpy import load_numeric_array
from kozak.data.table import RawColumn, RawTable
from kozak.errors import DataError


def _check_members(archive: Archive, name: str) -> None:
    for path in archive.names():
        if path.startswith(("/", "\\")) or ".." in path.replace("\\", "/").split("/") or ":" in path:
            raise DataError(
                f"{name}: member {path!r} escapes the archive's folder", file=name, member=path
            )


def _index_member(archive: Archive, name: str) -> str:
    csvs = [m for m in archive.names() if m.lower().endswith((".csv", ".tsv"))]
    preferred = [m for m in csvs if posixpath.basename(m).lower() in ("index.csv", "index.tsv")]
    if preferred:
        return preferred[0]
    if len(csvs) == 1:
        return csvs[0]
    raise DataError(
        f"{name}: expected one index CSV (index.csv) in the archive, found {len(csvs)}", file=name
    )


def read_zip(data: bytes, name: str, budget: InflateBudget) -> RawTable:
    """Read the index CSV; columns whose cells name `.npy` members become array columns."""
    archive = budget.open_archive(data, name, "ZIP")
    _check_members(archive, name)
    index_path = _index_member(archive, name)
    index = read_csv(archive.read(index_path), f"{name}:{index_path}", budget)
    folder = posixpath.dirname(index_path)
    members = set(archive.names())
    columns = []
    for column in index.columns:
        values = column.values
        if (
            isinstance(values, pa.Array)
            and pa.types.is_string(values.type)
            and len(values)
            and pc.all(pc.ends_with(values.fill_null(""), ".npy")).as_py()
        ):
            columns.append(_array_column(archive, members, folder, column, name))
        else:
            columns.append(RawColumn(column.name, values, name))
    return RawTable(columns)


def _array_column(
    archive: Archive, members: set[str], folder: str, column: RawColumn, name: str
) -> RawColumn:
    arrays: list[np.ndarray] = []
    parsed: dict[str, np.ndarray] = {}
    shape: tuple[int, ...] | None = None
    refs = column.values.to_pylist()
    for row, ref in enumerate(refs, start=1):
        path = posixpath.normpath(posixpath.join(folder, ref))
        if path.startswith("..") or path not in members:
            raise DataError(
                f"{name}: row {row} of column {column.name!r} names {ref!r}, which is not in "
                "the archive",
                file=name,
                row=row,
                column=column.name,
            )
        if path not in parsed:
            parsed[path] = load_numeric_array(archive.read(path), f"{name}:{path}")
        array = parsed[path]
        if shape is None:
            shape = array.shape
            archive.budget.charge(len(refs) * array.nbytes, f"{name}:{column.name}")
        elif array.shape != shape:
            raise DataError(
                f"{name}: row {row} of column {column.name!r} has shape {array.shape}, "
                f"expected {shape} like the rows before it",
                file=name,
                row=row,
                column=column.name,
            )
        arrays.append(array)
    return RawColumn(column.name, np.stack(arrays), name)


READERS.register("zip", read_zip)
