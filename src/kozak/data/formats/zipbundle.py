"""Peltarion's ZIP bundle: an index CSV plus the `.npy` files its cells reference.

Members are read in memory, never extracted. A member path that leaves the archive's folder
(absolute, `..`) is refused, and so is an archive whose expansion exceeds the configured ratio
(a ZIP bomb) or the upload size limit.
"""

from __future__ import annotations

import io
import posixpath
import zipfile

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kozak.data.formats.base import READERS
from kozak.data.formats.csv import read_csv
from kozak.data.formats.numpy import load_numeric_array
from kozak.data.table import RawColumn, RawTable
from kozak.errors import DataError, LimitExceeded
from kozak.settings import Settings


def _check_members(archive: zipfile.ZipFile, name: str, compressed: int, settings: Settings) -> None:
    total = 0
    for member in archive.infolist():
        path = member.filename
        if path.startswith(("/", "\\")) or ".." in path.replace("\\", "/").split("/") or ":" in path:
            raise DataError(
                f"{name}: member {path!r} escapes the archive's folder", file=name, member=path
            )
        total += member.file_size
    if total > settings.max_upload_bytes or total > settings.max_zip_expansion * max(compressed, 1):
        raise LimitExceeded(
            f"{name} expands to {total} bytes from {compressed}; refusing a possible ZIP bomb "
            f"(limits: {settings.max_zip_expansion}x, {settings.max_upload_bytes} bytes)",
            file=name,
            expanded_bytes=total,
        )


def _index_member(archive: zipfile.ZipFile, name: str) -> str:
    csvs = [m for m in archive.namelist() if m.lower().endswith((".csv", ".tsv"))]
    preferred = [m for m in csvs if posixpath.basename(m).lower() in ("index.csv", "index.tsv")]
    if preferred:
        return preferred[0]
    if len(csvs) == 1:
        return csvs[0]
    raise DataError(
        f"{name}: expected one index CSV (index.csv) in the archive, found {len(csvs)}", file=name
    )


def read_zip(data: bytes, name: str, settings: Settings) -> RawTable:
    """Read the index CSV; columns whose cells name `.npy` members become array columns."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise DataError(f"{name}: not a valid ZIP file ({exc})", file=name) from exc
    _check_members(archive, name, len(data), settings)
    index_path = _index_member(archive, name)
    index = read_csv(archive.read(index_path), f"{name}:{index_path}", settings)
    folder = posixpath.dirname(index_path)
    members = set(archive.namelist())
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
    archive: zipfile.ZipFile, members: set[str], folder: str, column: RawColumn, name: str
) -> RawColumn:
    arrays = []
    shape: tuple[int, ...] | None = None
    for row, ref in enumerate(column.values.to_pylist()):
        path = posixpath.normpath(posixpath.join(folder, ref))
        if path.startswith("..") or path not in members:
            raise DataError(
                f"{name}: row {row} of column {column.name!r} names {ref!r}, which is not in "
                "the archive",
                file=name,
                row=row,
                column=column.name,
            )
        array = load_numeric_array(archive.read(path), f"{name}:{path}")
        if shape is None:
            shape = array.shape
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
