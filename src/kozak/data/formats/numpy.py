"""NPY (one array column, first axis = rows) and NPZ (one column per array).

Object arrays are never unpickled: a ragged or non-numeric array is refused with its name.
"""

from __future__ import annotations

import io

import numpy as np

from kozak.data.formats.base import READERS
from kozak.data.formats.inflate import InflateBudget
from kozak.data.table import RawColumn, RawTable
from kozak.errors import DataError


def load_numeric_array(data: bytes, name: str) -> np.ndarray:
    """Parse one .npy payload and insist on a numeric array with a row axis."""
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as exc:
        if "allow_pickle" in str(exc) or "Object arrays" in str(exc):
            raise DataError(
                f"{name} holds Python objects (a ragged array?); every row must have the same "
                "shape and a numeric type",
                file=name,
            ) from exc
        raise DataError(f"{name}: not a valid .npy file ({exc})", file=name) from exc
    except (OSError, EOFError) as exc:
        raise DataError(f"{name}: not a valid .npy file ({exc})", file=name) from exc
    if not isinstance(array, np.ndarray):
        raise DataError(f"{name}: expected one array", file=name)
    if array.dtype.kind not in "biuf":
        raise DataError(
            f"{name} has dtype {array.dtype}; expected integers, floats or booleans",
            file=name,
            dtype=str(array.dtype),
        )
    if array.ndim == 0 or array.shape[0] == 0:
        raise DataError(f"{name} has no rows (shape {array.shape})", file=name)
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        row = int(np.flatnonzero(~np.isfinite(array.reshape(array.shape[0], -1)).all(axis=1))[0]) + 1
        raise DataError(f"{name}: row {row} holds NaN or infinity", file=name, row=row)
    return array


def read_npy(data: bytes, name: str, budget: InflateBudget) -> RawTable:
    """One column named after the file, one row per entry of the first axis."""
    array = load_numeric_array(data, name)
    column = name.rsplit("/", 1)[-1].removesuffix(".gz").removesuffix(".npy")
    return RawTable([RawColumn(column, array, name)])


def read_npz(data: bytes, name: str, budget: InflateBudget) -> RawTable:
    """One column per array in the archive; all must have the same number of rows."""
    archive = budget.open_archive(data, name, ".npz")
    columns = []
    for member in archive.names():
        array = load_numeric_array(archive.read(member), f"{name}:{member}")
        columns.append(RawColumn(member.removesuffix(".npy"), array, name))
    if not columns:
        raise DataError(f"{name} holds no arrays", file=name)
    rows = {len(c) for c in columns}
    if len(rows) > 1:
        counts = ", ".join(f"{c.name}: {len(c)}" for c in columns)
        raise DataError(f"{name}: arrays have different row counts ({counts})", file=name)
    return RawTable(columns)


READERS.register("npy", read_npy)
READERS.register("npz", read_npz)
