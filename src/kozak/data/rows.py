"""Browsing a draft's or a version's rows: all of them, sorted and filtered by any feature.

A `RowView` is a table under a spec, built once per (table, spec) and kept by the caller's key
(`row_view`); what it derives (a feature's values as one sortable column, the rows a feature
cannot read) is computed when first asked. `page_rows` answers one page of a `RowQuery`: each
row with its number (counted from 1, as the table and a spreadsheet show), its values
(sequences as letters, classes as names, arrays as nested lists) and, per feature that cannot
read it, why.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kozak.data.dataset_spec import DatasetSpec
from kozak.data.detect import is_number
from kozak.data.draft_cache import Lru
from kozak.data.feature_spec import NUMERIC_TYPES, FeatureSpec, FeatureType
from kozak.data.subsets import Condition, FilterSubset, evaluate_subsets
from kozak.data.table import RawColumn, RawTable
from kozak.data.validity import InvalidRows, invalid_rows, reason
from kozak.errors import InvalidConfig
from kozak.sequences import EncodedSequences, one_hot_to_codes

VIEW_CACHE_SIZE = 8  # tables under a spec: drafts being edited and versions being browsed
ORDER_CACHE_SIZE = 16  # per view: the sorted, filtered row lists a scroll pages through


@dataclass(frozen=True)
class RowQuery:
    """Which rows, in which order: a sort feature, conditions, only the invalid rows."""

    sort: str | None = None
    descending: bool = False
    where: tuple[Condition, ...] = ()
    invalid_only: bool = False

    def key(self) -> str:
        conditions = [c.model_dump_json() for c in self.where]
        return f"{self.sort}|{self.descending}|{self.invalid_only}|{conditions}"


@dataclass
class RowView:
    """A table under a spec, with what browsing it needs computed on first use."""

    table: RawTable
    spec: DatasetSpec
    _columns: dict[str, pa.Array | None] = field(default_factory=dict)
    _invalid: dict[str, InvalidRows] = field(default_factory=dict)
    _orders: Lru[str, np.ndarray] = field(default_factory=lambda: Lru(ORDER_CACHE_SIZE))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def n_rows(self) -> int:
        return self.table.n_rows

    def raw(self, feature: FeatureSpec) -> RawColumn:
        return self.table.column(feature.source)

    def invalid(self, feature: FeatureSpec) -> InvalidRows:
        """The rows `feature` cannot read."""
        with self._lock:
            if feature.name not in self._invalid:
                self._invalid[feature.name] = invalid_rows(self.raw(feature), feature)
            return self._invalid[feature.name]

    def any_invalid(self) -> np.ndarray:
        """Rows some feature cannot read."""
        mask = np.zeros(self.n_rows, dtype=bool)
        for feature in self.spec.features:
            mask |= self.invalid(feature).mask
        return mask

    def column(self, feature: FeatureSpec) -> pa.Array | None:
        """The feature's values as one Arrow column to filter, sort and show; None for arrays."""
        with self._lock:
            if feature.name not in self._columns:
                self._columns[feature.name] = _view_column(self.raw(feature), feature)
            return self._columns[feature.name]

    def order(self, query: RowQuery) -> np.ndarray:
        """Row indices (from 0) that pass the query, in its order."""
        key = query.key()
        found = self._orders.get(key)
        if found is None:
            found = self._order(query)
            self._orders.put(key, found)
        return found

    def _order(self, query: RowQuery) -> np.ndarray:
        keep = np.ones(self.n_rows, dtype=bool)
        if query.invalid_only:
            keep &= self.any_invalid()
        if query.where:
            columns = {f.name: self._filterable(f) for f in self._features(query.where)}
            subset = FilterSubset(name="rows", conditions=query.where)
            keep &= evaluate_subsets([subset], columns, self.n_rows)["rows"]
        rows = np.flatnonzero(keep)
        if query.sort is None:
            return rows[::-1] if query.descending else rows
        values = self._filterable(self.spec.feature(query.sort)).take(pa.array(rows))
        order = pc.array_sort_indices(
            values, order="descending" if query.descending else "ascending", null_placement="at_end"
        )
        result: np.ndarray = rows[order.to_numpy(zero_copy_only=False)]
        return result

    def _features(self, conditions: tuple[Condition, ...]) -> list[FeatureSpec]:
        return [self.spec.feature(c.feature) for c in conditions]

    def _filterable(self, feature: FeatureSpec) -> pa.Array:
        column = self.column(feature)
        if column is None:
            raise InvalidConfig(
                f"feature {feature.name!r} is an array; rows can be sorted and filtered by "
                "numbers, classes, text and sequences",
                feature=feature.name,
            )
        return column


def _view_column(raw: RawColumn, feature: FeatureSpec) -> pa.Array | None:
    values = raw.values
    if isinstance(values, EncodedSequences):
        return pa.array(values.decode(), pa.string())
    if isinstance(values, np.ndarray):
        if values.ndim == 1:
            return pa.array(values)
        found = one_hot_to_codes(values) if feature.type is FeatureType.SEQUENCE else None
        return None if found is None else pa.array(found.sequences.decode(), pa.string())
    if feature.type in NUMERIC_TYPES and pa.types.is_string(values.type):
        # Text with typos: the numbers are sortable as numbers, the rest are null (and invalid)
        numbers = pc.if_else(is_number(values).fill_null(False), values, pa.scalar(None, pa.string()))
        return pc.cast(pc.utf8_trim_whitespace(numbers), pa.float64())
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    return values


def _cell(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def page_rows(
    view: RowView, query: RowQuery, offset: int, limit: int, find: int | None = None
) -> dict[str, Any]:
    """One page of the rows a query selects, in its order.

    Args:
        view: The table under its spec.
        query: Sort, conditions, only invalid rows.
        offset: Position of the first row of the page in the selected rows (from 0).
        limit: Rows at most.
        find: A row number (from 1) whose position in the selected rows to report.

    Returns:
        `rows` (each `{number, values, invalid}`), `offset`, `total` (rows selected),
        `row_count`, `invalid_rows` (rows some feature cannot read) and `position` (of `find`,
        or None when it is not selected).

    Raises:
        InvalidConfig: a condition or the sort names an unknown or array feature.
        NotFound: the sort names no feature.
    """
    order = view.order(query)
    picked = order[offset : offset + limit]
    taken = pa.array(picked, pa.int64())
    rows: list[dict[str, Any]] = [{"number": int(i) + 1, "values": {}, "invalid": {}} for i in picked]
    for feature in view.spec.features:
        column = view.column(feature)
        if column is not None:
            cells = column.take(taken).to_pylist()
        else:
            cells = np.asarray(view.raw(feature).values)[picked].tolist()
        bad = view.invalid(feature).mask[picked]
        raw = view.raw(feature)
        for row, cell, index, is_bad in zip(rows, cells, picked, bad, strict=True):
            if feature.type in NUMERIC_TYPES and is_bad and column is not None:
                value = raw.values[int(index)]
                cell = value.as_py() if isinstance(value, pa.Scalar) else cell
            row["values"][feature.name] = _cell(cell)
            if is_bad:
                row["invalid"][feature.name] = reason(raw, feature, int(index))
    position = None
    if find is not None:
        at = np.flatnonzero(order == find - 1)
        position = int(at[0]) if at.size else None
    return {
        "rows": rows,
        "offset": offset,
        "total": len(order),
        "row_count": view.n_rows,
        "invalid_rows": int(view.any_invalid().sum()),
        "position": position,
    }


_views: Lru[tuple[Any, ...], RowView] = Lru(VIEW_CACHE_SIZE)


def row_view(key: tuple[Any, ...], build: Callable[[], tuple[RawTable, DatasetSpec]]) -> RowView:
    """The view kept under `key` (what identifies the table and the spec), built when missing."""
    found = _views.get(key)
    if found is None:
        table, spec = build()
        found = RowView(table, spec)
        _views.put(key, found)
    return found


__all__ = ["RowQuery", "RowView", "page_rows", "row_view"]
