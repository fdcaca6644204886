"""Parquet: columns as stored, nested and binary columns refused with their name."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from kozak.data.formats.base import READERS
from kozak.data.formats.inflate import InflateBudget
from kozak.data.table import RawColumn, RawTable
from kozak.errors import DataError


def read_parquet(data: bytes, name: str, budget: InflateBudget) -> RawTable:
    """Read a Parquet file's flat columns."""
    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"{name}: not a readable Parquet file ({exc})", file=name) from exc
    if table.num_rows == 0:
        raise DataError(f"{name} has no rows", file=name)
    columns = []
    for field_name, column in zip(table.column_names, table.columns, strict=True):
        values = column.combine_chunks()
        if pa.types.is_dictionary(values.type):
            values = values.dictionary_decode()
        if pa.types.is_large_string(values.type):
            values = values.cast(pa.string())
        if not (
            pa.types.is_integer(values.type)
            or pa.types.is_floating(values.type)
            or pa.types.is_string(values.type)
            or pa.types.is_boolean(values.type)
        ):
            raise DataError(
                f"{name}: column {field_name!r} has type {values.type}; expected numbers, "
                "booleans or text",
                file=name,
                column=field_name,
            )
        columns.append(RawColumn(field_name, values, name))
    return RawTable(columns)


READERS.register("parquet", read_parquet)
