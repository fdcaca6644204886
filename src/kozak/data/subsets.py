"""Subset definitions and their evaluation to boolean row masks.

Kinds: `random` (a seeded random number per row, kept when it falls in [start, end) percent),
`filter` (conditions combined with and/or), `rank` (top or bottom percent or count by a feature;
ties are broken by row order, so a stable sort on the original rows decides the boundary).
Every kind can be restricted `within` other subsets and `excluding` others; a subset may only
refer to subsets defined before it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, model_validator

from kozak.data.feature_spec import MAX_TEXT_LENGTH
from kozak.errors import InvalidConfig

Operator = Literal["==", "!=", "<", "<=", ">", ">=", "in", "contains"]


class _Subset(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=MAX_TEXT_LENGTH)

    name: str = Field(min_length=1, description="Subset name, e.g. training.")
    within: tuple[str, ...] = Field((), description="Only rows in all of these subsets.")
    excluding: tuple[str, ...] = Field((), description="Never rows in any of these subsets.")


class RandomSubset(_Subset):
    """Rows whose seeded random number in [0, 100) falls in [start, end)."""

    kind: Literal["random"] = "random"
    start: float = Field(0.0, ge=0, le=100, description="Lower bound, percent.")
    end: float = Field(ge=0, le=100, description="Upper bound, percent.")
    seed: int = Field(0, ge=0, description="Same seed, same rows: subsets of one seed never overlap.")

    @model_validator(mode="after")
    def _ordered(self) -> RandomSubset:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be greater than start ({self.start})")
        return self


class Condition(BaseModel):
    """`feature operator value`, e.g. t0 > 100 or subset == T."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=MAX_TEXT_LENGTH)

    feature: str = Field(description="Feature (or imported column) to test.")
    op: Operator = Field(description="Comparison operator.")
    value: Any = Field(description="Value to compare with (a list for `in`).")


class FilterSubset(_Subset):
    """Rows where the conditions hold, combined with `and` or `or`."""

    kind: Literal["filter"] = "filter"
    conditions: tuple[Condition, ...] = Field(min_length=1, description="Conditions.")
    combine: Literal["and", "or"] = Field("and", description="How conditions combine.")


class RankSubset(_Subset):
    """The top or bottom rows by a feature (stable: ties are broken by row order).

    "Top 5 % by t0" sorts rows ascending by t0, keeping the original order among equal values,
    and takes the rows after position int(n × 0.95), exactly as the Cuperus et al. code does
    (minus its unstable sort).
    """

    kind: Literal["rank"] = "rank"
    feature: str = Field(description="Feature to rank by.")
    side: Literal["top", "bottom"] = Field("top", description="Highest or lowest values.")
    percent: float | None = Field(None, gt=0, le=100, description="Share of rows to take.")
    count: int | None = Field(None, gt=0, description="Number of rows to take.")

    @model_validator(mode="after")
    def _one_size(self) -> RankSubset:
        if (self.percent is None) == (self.count is None):
            raise ValueError("give exactly one of percent and count")
        return self


SubsetSpec = Annotated[RandomSubset | FilterSubset | RankSubset, Field(discriminator="kind")]


def split(
    names: Sequence[str] = ("training", "validation", "test"),
    percents: Sequence[float] = (80, 10, 10),
    seed: int = 0,
) -> list[RandomSubset]:
    """Disjoint random subsets that cover all rows, e.g. an 80/10/10 split."""
    if len(names) != len(percents) or abs(sum(percents) - 100) > 1e-9:
        raise InvalidConfig("a split needs one percentage per name, adding up to 100")
    bounds = np.concatenate([[0.0], np.cumsum(percents)])
    bounds[-1] = 100.0
    return [
        RandomSubset(name=n, start=float(a), end=float(b), seed=seed)
        for n, a, b in zip(names, bounds[:-1], bounds[1:], strict=True)
    ]


def _condition_mask(condition: Condition, column: pa.Array | np.ndarray, subset: str) -> np.ndarray:
    values = pa.array(column) if isinstance(column, np.ndarray) else column
    value = condition.value
    try:
        if condition.op == "in":
            items = value if isinstance(value, list | tuple) else [value]
            result = pc.is_in(values, value_set=pa.array(items).cast(values.type))
        elif condition.op == "contains":
            result = pc.match_substring(values.cast(pa.string()), str(value))
        else:
            if pa.types.is_string(values.type):
                # CSV booleans arrive as the text true/false; match them however they are typed
                scalar = pa.scalar(str(value).lower() if isinstance(value, bool) else str(value))
            elif pa.types.is_integer(values.type) and isinstance(value, float):
                values, scalar = values.cast(pa.float64()), pa.scalar(value)
            else:
                scalar = pa.scalar(value).cast(values.type)
            compare = {
                "==": pc.equal,
                "!=": pc.not_equal,
                "<": pc.less,
                "<=": pc.less_equal,
                ">": pc.greater,
                ">=": pc.greater_equal,
            }[condition.op]
            result = compare(values, scalar)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError) as exc:
        raise InvalidConfig(
            f"subset {subset!r}: cannot test {condition.feature} {condition.op} {value!r}: {exc}",
            subset=subset,
            feature=condition.feature,
        ) from exc
    return np.asarray(result.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _rank_mask(
    subset: RankSubset, values: np.ndarray, eligible: np.ndarray, order: np.ndarray
) -> np.ndarray:
    """`order` is the stable ascending order of all rows; ineligible rows are skipped."""
    order = order[eligible[order]]
    n = len(order)
    if subset.count is not None:
        take = min(subset.count, n)
    else:
        assert subset.percent is not None
        # int(n * (1 - p)) mirrors `sorted_inds[int(0.95 * n):]` for the top side.
        keep_bottom = int(n * (100 - subset.percent) / 100)
        take = n - keep_bottom if subset.side == "top" else int(n * subset.percent / 100)
    chosen = order[n - take :] if subset.side == "top" else order[:take]
    mask = np.zeros(len(values), dtype=bool)
    mask[chosen] = True
    return mask


def evaluate_subsets(
    subsets: Sequence[RandomSubset | FilterSubset | RankSubset],
    columns: Mapping[str, pa.Array | np.ndarray],
    n_rows: int,
) -> dict[str, np.ndarray]:
    """Boolean row masks for every subset, in definition order.

    Args:
        subsets: the definitions; names must be unique.
        columns: feature name → 1-D values (Arrow array or NumPy array) to filter and rank by.
        n_rows: number of rows.

    Raises:
        InvalidConfig: naming the subset and the unknown feature, subset or bad condition.
    """
    masks: dict[str, np.ndarray] = {}
    orders: dict[str, np.ndarray] = {}
    for subset in subsets:
        if subset.name in masks:
            raise InvalidConfig(f"two subsets are named {subset.name!r}", subset=subset.name)
        eligible = np.ones(n_rows, dtype=bool)
        for other in subset.within:
            eligible &= _known(masks, other, subset.name)
        for other in subset.excluding:
            eligible &= ~_known(masks, other, subset.name)
        if isinstance(subset, RandomSubset):
            draws = np.random.default_rng(subset.seed).random(n_rows) * 100
            mask = (draws >= subset.start) & (draws < subset.end)
        elif isinstance(subset, FilterSubset):
            parts = [
                _condition_mask(c, _column(columns, c.feature, subset.name), subset.name)
                for c in subset.conditions
            ]
            mask = (
                np.logical_and.reduce(parts) if subset.combine == "and" else np.logical_or.reduce(parts)
            )
        else:
            values = np.asarray(_column(columns, subset.feature, subset.name))
            if values.ndim != 1 or values.dtype.kind not in "iufb":
                raise InvalidConfig(
                    f"subset {subset.name!r}: can only rank by a numeric feature, "
                    f"not {subset.feature!r}",
                    subset=subset.name,
                    feature=subset.feature,
                )
            if subset.feature not in orders:  # one stable sort per feature serves every rank
                orders[subset.feature] = np.argsort(values, kind="stable")
            mask = _rank_mask(subset, values, eligible, orders[subset.feature])
        masks[subset.name] = mask & eligible
    return masks


def _known(masks: Mapping[str, np.ndarray], name: str, subset: str) -> np.ndarray:
    if name not in masks:
        raise InvalidConfig(
            f"subset {subset!r} refers to {name!r}, which is not defined before it",
            subset=subset,
            refers_to=name,
        )
    return masks[name]


def _column(columns: Mapping[str, Any], feature: str, subset: str) -> Any:
    if feature not in columns:
        raise InvalidConfig(
            f"subset {subset!r} uses unknown feature {feature!r}; features: {', '.join(columns)}",
            subset=subset,
            feature=feature,
        )
    return columns[feature]


def overlap_warnings(masks: Mapping[str, np.ndarray]) -> list[dict[str, Any]]:
    """One warning per pair of subsets that share rows, with the count."""
    warnings = []
    names = list(masks)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            shared = int(np.count_nonzero(masks[a] & masks[b]))
            if shared:
                warnings.append(
                    {
                        "code": "subset_overlap",
                        "message": f"subsets {a!r} and {b!r} share {shared} rows",
                        "subsets": [a, b],
                        "rows": shared,
                    }
                )
    return warnings


def sequence_hashes(codes: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """A 64-bit hash per sequence (polynomial over 8-byte words, wrapping), for duplicate checks."""
    width = -(-codes.shape[1] // 8) * 8
    padded = np.full((codes.shape[0], width), 255, dtype=np.uint8)
    padded[:, : codes.shape[1]] = codes
    words = padded.view(np.uint64)  # (N, width / 8): eight positions per multiply-add
    hashes = lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    multiplier = np.uint64(0x100000001B3)
    with np.errstate(over="ignore"):
        for column in range(words.shape[1]):
            hashes = (hashes ^ words[:, column]) * multiplier
    return hashes


def leakage_warnings(
    masks: Mapping[str, np.ndarray], hashes: np.ndarray, feature: str
) -> list[dict[str, Any]]:
    """Warnings for identical sequences found in two subsets that share no rows."""
    warnings = []
    names = list(masks)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if np.any(masks[a] & masks[b]):
                continue  # overlapping subsets are reported as overlaps already
            in_a = np.unique(hashes[masks[a]])
            shared_rows = int(np.count_nonzero(np.isin(hashes[masks[b]], in_a)))
            if shared_rows:
                warnings.append(
                    {
                        "code": "sequence_leakage",
                        "message": f"{shared_rows} rows of {b!r} have a {feature!r} sequence that "
                        f"also occurs in {a!r}",
                        "subsets": [a, b],
                        "feature": feature,
                        "rows": shared_rows,
                    }
                )
    return warnings
