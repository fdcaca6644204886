"""From raw columns and a dataset spec to the content of a version (not yet written).

Steps: check the spec against the columns, drop or refuse missing and invalid values (as each
feature's `on_invalid` says), encode every feature, evaluate subsets, compute normalisation
statistics on the `normalize_on` subset, statistics and warnings. Pure: nothing is written.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from kozak.data.dataset_spec import DatasetSpec
from kozak.data.encode import FeatureData, encode_feature, missing_mask
from kozak.data.feature_spec import NUMERIC_TYPES, FeatureType, NormalizationStats
from kozak.data.stats import compute_stats
from kozak.data.subsets import (
    SubsetSpec,
    evaluate_subsets,
    leakage_warnings,
    overlap_warnings,
    sequence_hashes,
)
from kozak.data.table import RawColumn, RawTable
from kozak.data.validity import invalid_rows
from kozak.errors import DataError, InvalidConfig
from kozak.sequences import EncodedSequences

_STATS_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kozak-stats")


@dataclass(frozen=True)
class VersionContent:
    """Everything a version holds: the resolved spec, encoded features, subset masks, stats."""

    spec: DatasetSpec
    features: list[FeatureData]
    masks: dict[str, np.ndarray]
    pending_stats: Future[dict[str, Any]]
    warnings: list[dict[str, Any]] = field(default_factory=list)
    dropped_rows: int = 0
    repairs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def stats(self) -> dict[str, Any]:
        """Statistics and warnings (computed in the background; waits when not done yet)."""
        return self.pending_stats.result()

    @property
    def n_rows(self) -> int:
        first = self.features[0].values if self.features else None
        return 0 if first is None else len(first)

    def feature(self, name: str) -> FeatureData:
        """The encoded feature called `name`."""
        for data in self.features:
            if data.spec.name == name:
                return data
        raise KeyError(name)


def check_spec(spec: DatasetSpec, table: RawTable) -> None:
    """Feature names unique and non-empty, sources present, `normalize_on` a subset."""
    seen: set[str] = set()
    for feature in spec.features:
        if not feature.name.strip():
            raise InvalidConfig(f"feature from column {feature.source!r} has an empty name")
        if feature.name in seen:
            raise InvalidConfig(f"two features are named {feature.name!r}", feature=feature.name)
        seen.add(feature.name)
        if feature.source not in table.names:
            raise InvalidConfig(
                f"feature {feature.name!r} reads column {feature.source!r}, which the imported "
                f"files do not have; columns: {', '.join(table.names)}",
                feature=feature.name,
                column=feature.source,
            )
    subset_names = [s.name for s in spec.subsets]
    if spec.normalize_on is not None and spec.normalize_on not in subset_names:
        raise InvalidConfig(
            f"normalize_on names {spec.normalize_on!r}, which is not a subset; "
            f"subsets: {', '.join(subset_names) or '(none)'}",
            normalize_on=spec.normalize_on,
        )


def _drop_rows(
    spec: DatasetSpec, table: RawTable
) -> tuple[list[RawColumn], int, int, list[dict[str, Any]]]:
    """The used columns without the rows to drop, how many were dropped (of them, how many for
    missing values under `drop_missing`) and the repairs.

    A feature that drops its invalid rows drops its missing ones too; any other missing value
    is refused unless `drop_missing`. Repairs list, per feature that drops rows or reads unknown
    letters as N, how many rows (and letters) that touched.
    """
    used = {f.source for f in spec.features}
    dropping = {f.source for f in spec.features if f.on_invalid == "drop"}
    drop = np.zeros(table.n_rows, dtype=bool)
    repairs: list[dict[str, Any]] = []
    for feature in spec.features:
        if feature.on_invalid == "refuse":
            continue
        found = invalid_rows(table.column(feature.source), feature)
        if feature.on_invalid == "drop":
            drop |= found.mask
            repairs.append({"feature": feature.name, "action": "drop", "rows": found.count})
        else:
            fixed = found.unknown_letters > 0
            repairs.append(
                {
                    "feature": feature.name,
                    "action": "as_n",
                    "rows": int(fixed.sum()),
                    "letters": int(found.unknown_letters.sum()),
                }
            )
    missing = np.zeros(table.n_rows, dtype=bool)
    for column in table.columns:
        if column.name not in used or column.name in dropping:
            continue
        mask = missing_mask(column)
        if mask.any() and not spec.drop_missing:
            row = int(np.flatnonzero(mask)[0]) + 1
            raise DataError(
                f"{column.file}: column {column.name!r} has {int(mask.sum())} missing or NaN "
                f"values, the first at row {row}; fix the file or import with drop_missing "
                "(--drop-missing) to drop those rows",
                file=column.file,
                column=column.name,
                row=row,
                missing=int(mask.sum()),
            )
        missing |= mask
    drop |= missing
    if not drop.any():
        return [c for c in table.columns if c.name in used], 0, 0, repairs
    keep = ~drop
    if not keep.any():
        raise DataError("every row has a missing or invalid value; nothing would remain")
    keep_arrow = pa.array(keep)
    columns = [
        RawColumn(
            c.name,
            c.values[keep] if isinstance(c.values, np.ndarray) else c.values.filter(keep_arrow),
            c.file,
        )
        for c in table.columns
        if c.name in used
    ]
    return columns, int(drop.sum()), int(missing.sum()), repairs


def _repair_warnings(repairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    warnings = []
    for repair in repairs:
        if not repair["rows"]:
            continue
        rows = f"{repair['rows']} row{'s' if repair['rows'] != 1 else ''}"
        if repair["action"] == "drop":
            message = f"dropped {rows} that {repair['feature']} cannot read"
            warnings.append({"code": "invalid_rows_dropped", **repair, "message": message})
        else:
            letters = f"{repair['letters']} unknown letter{'s' if repair['letters'] != 1 else ''}"
            message = f"read {letters} in {rows} of {repair['feature']} as N"
            warnings.append({"code": "letters_read_as_n", **repair, "message": message})
    return warnings


def _normalization(data: FeatureData, rows: np.ndarray) -> FeatureData:
    spec = data.spec
    if spec.normalization == "none" or spec.type not in NUMERIC_TYPES | {FeatureType.ARRAY}:
        if spec.normalization != "none":
            raise InvalidConfig(
                f"feature {spec.name!r} is {spec.type.value}; only numbers and arrays can be normalised",
                feature=spec.name,
            )
        return data
    values = np.asarray(data.values, dtype=np.float64)[rows]
    if not values.size:
        raise InvalidConfig(f"no rows to compute normalisation of {spec.name!r} on", feature=spec.name)
    stats = NormalizationStats(
        mean=float(values.mean()),
        std=float(values.std()),
        min=float(values.min()),
        max=float(values.max()),
    )
    return FeatureData(spec.model_copy(update={"stats": stats}), data.values)


def filter_columns(features: list[FeatureData]) -> dict[str, Any]:
    """Values subsets can filter and rank by: numbers, class names, text."""
    columns: dict[str, Any] = {}
    for data in features:
        values = data.values
        if data.spec.type is FeatureType.CATEGORICAL:
            assert isinstance(values, np.ndarray) and data.spec.categories is not None
            columns[data.spec.name] = pa.array(
                np.asarray(data.spec.categories, dtype=object)[values], pa.string()
            )
        elif data.spec.type is FeatureType.SEQUENCE:
            assert isinstance(values, EncodedSequences)
            columns[data.spec.name] = pa.array(values.decode(), pa.string())
        elif isinstance(values, pa.Array) or (isinstance(values, np.ndarray) and values.ndim == 1):
            columns[data.spec.name] = values
    return columns


class _LazyColumns(dict[str, Any]):
    """Decode sequences to text only when a subset actually filters on them."""

    def __init__(self, features: list[FeatureData]) -> None:
        super().__init__({d.spec.name: d for d in features})

    def __getitem__(self, name: str) -> Any:
        data = super().__getitem__(name)
        return filter_columns([data]).get(name, data.values)


def subset_rows(content: VersionContent, subset: SubsetSpec) -> int:
    """Rows `subset` would hold if added after the content's subsets (nothing is kept).

    Raises:
        InvalidConfig: naming the subset and its unknown feature, subset or bad condition.
    """
    subsets = (*content.spec.subsets, subset)
    masks = evaluate_subsets(subsets, _LazyColumns(content.features), content.n_rows)
    return int(masks[subset.name].sum())


def prepare(table: RawTable, spec: DatasetSpec) -> VersionContent:
    """Build a version's content from raw columns under `spec`."""
    check_spec(spec, table)
    columns, dropped, missing, repairs = _drop_rows(spec, table)
    by_name = {c.name: c for c in columns}
    features = [encode_feature(by_name[f.source], f) for f in spec.features]
    n_rows = len(features[0].values) if features else 0
    masks = evaluate_subsets(spec.subsets, _LazyColumns(features), n_rows)
    normalize_on = spec.normalize_on or ("training" if "training" in masks else None)
    rows = masks[normalize_on] if normalize_on else np.ones(n_rows, dtype=bool)
    features = [_normalization(f, rows) for f in features]
    resolved = spec.model_copy(update={"features": tuple(f.spec for f in features)})
    warnings = overlap_warnings(masks)
    for data in features:
        if isinstance(data.values, EncodedSequences) and len(masks) > 1:
            hashes = sequence_hashes(data.values.codes, data.values.lengths)
            warnings += leakage_warnings(masks, hashes, data.spec.name)
    if missing:
        warnings.append(
            {
                "code": "rows_dropped",
                "rows": missing,
                "message": f"dropped {missing} rows with missing values",
            }
        )
    warnings += _repair_warnings(repairs)
    # Statistics overlap with what follows (the digest, writing files): NumPy releases the GIL.
    stats = _STATS_WORKER.submit(
        lambda: {
            **compute_stats(features, masks),
            "warnings": warnings,
            "dropped_rows": dropped,
            "repairs": repairs,
        }
    )
    return VersionContent(resolved, features, masks, stats, warnings, dropped, repairs)


def done(stats: dict[str, Any]) -> Future[dict[str, Any]]:
    """Already-known statistics, in the form `VersionContent` holds them."""
    future: Future[dict[str, Any]] = Future()
    future.set_result(stats)
    return future
