"""FASTA: columns `id`, `sequence`, plus one column per `key=value` field in the headers.

Header fields holding numbers become numeric columns; a record without a field has a missing
value there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

from kozak.data.formats.base import READERS, check_utf8
from kozak.data.formats.inflate import InflateBudget
from kozak.data.table import RawColumn, RawTable
from kozak.errors import DataError


def _typed(values: list[str | None]) -> pa.Array:
    """Header field values as integers, else floats, else text."""
    strings = pa.array(values, pa.string())
    for target in (pa.int64(), pa.float64()):
        try:
            return pc.cast(strings, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
    return strings


def fasta_records(lines: Iterable[str], name: str) -> Iterator[tuple[list[str], str]]:
    """(header words, sequence) per record, read lazily; sequences may span lines; blank and
    `;` comment lines are ignored.

    Raises:
        DataError: For a header without an id or sequence data before the first header,
            naming the line.
    """
    words: list[str] | None = None
    chunks: list[str] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if line.startswith(">"):
            if words is not None:
                yield words, "".join(chunks)
            words, chunks = line[1:].split(), []
            if not words:
                raise DataError(
                    f"{name}: line {number} is a header without an id", file=name, line=number
                )
        elif words is None:
            raise DataError(
                f"{name}: line {number} has sequence data before the first '>' header",
                file=name,
                line=number,
            )
        else:
            chunks.append(line)
    if words is not None:
        yield words, "".join(chunks)


def read_fasta(data: bytes, name: str, budget: InflateBudget) -> RawTable:
    """Parse records into columns (see the module docstring)."""
    check_utf8(data, name)
    ids: list[str] = []
    sequences: list[str] = []
    fields: dict[str, dict[int, str]] = {}
    for words, sequence in fasta_records(data.decode("utf-8").splitlines(), name):
        for word in words[1:]:
            key, sep, value = word.partition("=")
            if sep and key:
                fields.setdefault(key, {})[len(ids)] = value
        ids.append(words[0])
        sequences.append(sequence)
    if not ids:
        raise DataError(f"{name} holds no FASTA records", file=name)
    columns = [
        RawColumn("id", pa.array(ids, pa.string()), name),
        RawColumn("sequence", pa.array(sequences, pa.string()), name),
    ]
    for key, values in fields.items():
        if key in ("id", "sequence"):
            key = f"{key}_field"
        columns.append(RawColumn(key, _typed([values.get(i) for i in range(len(ids))]), name))
    return RawTable(columns)


READERS.register("fasta", read_fasta)
