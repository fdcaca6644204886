"""CSV and TSV: delimiter sniffed from the first lines, gzip looked through, typed by Arrow.

A row with too few or too many fields is refused naming its line as an editor counts lines
(the header is line 1), its field counts and its text.
"""

from __future__ import annotations

import csv as std_csv
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from kozak.data.formats.base import READERS, check_utf8
from kozak.data.formats.inflate import InflateBudget
from kozak.data.table import RawColumn, RawTable
from kozak.errors import DataError

DELIMITERS = ",\t;|"


def sniff_delimiter(data: bytes, name: str) -> str:
    """The delimiter of a delimited text file, judged from its first lines."""
    head = data[:65536].decode("utf-8", errors="replace")
    lines = head.splitlines()[:20]
    if len(lines) > 1 and not head.endswith("\n"):
        lines = lines[:-1]  # the last line may be cut mid-row
    sample = "\n".join(lines)
    try:
        return std_csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except std_csv.Error:
        counts = {d: lines[0].count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        if counts[best] == 0 and len(lines) > 1:
            return ","  # a single-column file
        return best


def unique_names(names: list[str]) -> list[str]:
    """Name blank headers (`index` for a leading one, as pandas writes) and de-duplicate."""
    result: list[str] = []
    for i, raw in enumerate(names):
        name = raw.strip() or ("index" if i == 0 else f"column_{i + 1}")
        base, k = name, 2
        while name in result:
            name, k = f"{base}_{k}", k + 1
        result.append(name)
    return result


def read_csv(data: bytes, name: str, budget: InflateBudget) -> RawTable:
    """Read delimited text into Arrow-typed columns."""
    # Arrow decodes column names only when they are read, and raises a bare UnicodeDecodeError
    header_end = data.find(b"\n") + 1 or len(data)
    check_utf8(data[:header_end], name)
    delimiter = sniff_delimiter(data, name)
    bad_rows: list[Any] = []

    def on_invalid_row(row: Any) -> str:
        bad_rows.append(row)
        return "skip"

    def parse(threads: bool) -> pa.Table:
        try:
            return pacsv.read_csv(
                pa.BufferReader(data),
                read_options=pacsv.ReadOptions(block_size=1 << 24, use_threads=threads),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter, invalid_row_handler=on_invalid_row
                ),
            )
        except pa.ArrowInvalid as exc:
            raise DataError(f"{name}: cannot parse as delimited text: {exc}", file=name) from exc

    table = parse(threads=True)
    if bad_rows and bad_rows[0].number is None:
        # Arrow numbers lines only when it parses on one thread: pay for that on a bad file only.
        bad_rows.clear()
        parse(threads=False)
    if bad_rows:
        row = bad_rows[0]
        where = f"line {row.number}" if row.number is not None else "a row"
        fields = f"{row.actual_columns} field{'' if row.actual_columns == 1 else 's'}"
        raise DataError(
            f"{name}: {where} has {fields}, expected {row.expected_columns} "
            f"(delimiter {delimiter!r}): {row.text[:80]!r}",
            file=name,
            line=row.number,
            expected=row.expected_columns,
            actual=row.actual_columns,
        )
    if any(pa.types.is_binary(column.type) for column in table.columns):
        check_utf8(data, name)  # Arrow types undecodable text as binary; say where it is
    if table.num_rows == 0:
        raise DataError(f"{name} has a header but no rows", file=name)
    names = unique_names(table.column_names)
    columns = [RawColumn(n, c.combine_chunks(), name) for n, c in zip(names, table.columns, strict=True)]
    return RawTable(columns)


READERS.register("csv", read_csv)
