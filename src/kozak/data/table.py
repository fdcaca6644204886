"""The in-memory result of reading files: named raw columns with equal row counts.

A column holds either an Arrow array (scalars and strings) or a NumPy array whose first axis
is rows (arrays from NPY files). Several files combine column-wise when their row counts match.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from kozak.errors import DataError


@dataclass(frozen=True)
class RawColumn:
    """One imported column and the file it came from (sequences when re-editing a version)."""

    name: str
    values: Any  # pa.Array | np.ndarray | EncodedSequences; narrowed by isinstance where used
    file: str

    def __len__(self) -> int:
        return len(self.values)

    def error(self, row: int, expected: str) -> DataError:
        """The error for the bad value at index `row`: names the file, column, row (counted from
        1, as a spreadsheet does), what was expected and what was found."""
        value = self.values[row]
        shown = value.as_py() if isinstance(value, pa.Scalar) else value
        return DataError(
            f"{self.file}: column {self.name!r}, row {row + 1}: expected {expected}, got {shown!r}",
            file=self.file,
            column=self.name,
            row=row + 1,
            expected=expected,
        )


@dataclass(frozen=True)
class Source:
    """An imported file as uploaded: its name, format, size in bytes and SHA-256."""

    file: str
    format: str
    bytes: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "format": self.format,
            "bytes": self.bytes,
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class RawTable:
    """Columns read from one or more files, all with `n_rows` rows."""

    columns: list[RawColumn]
    sources: list[Source] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def column(self, name: str) -> RawColumn:
        """The column called `name`."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def digest_bytes(data: bytes) -> str:
    """Hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def digest_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def combine(tables: list[RawTable]) -> RawTable:
    """Join tables column-wise; row counts must match, clashing names get a `_2`, `_3` suffix.

    Raises:
        DataError: naming the files whose row counts differ.
    """
    first = tables[0]
    columns: list[RawColumn] = []
    taken: set[str] = set()
    for table in tables:
        if table.n_rows != first.n_rows:
            raise DataError(
                f"{table.sources[0].file} has {table.n_rows} rows but {first.sources[0].file} "
                f"has {first.n_rows}; files combine column-wise only when row counts match",
                file=table.sources[0].file,
                rows=table.n_rows,
                expected_rows=first.n_rows,
            )
        for column in table.columns:
            name, k = column.name, 2
            while name in taken:
                name, k = f"{column.name}_{k}", k + 1
            taken.add(name)
            columns.append(RawColumn(name, column.values, column.file))
    return RawTable(columns, [s for t in tables for s in t.sources])
