"""Predictions as table columns: the one naming used wherever a prediction becomes a column.

`prediction_columns` flattens one prediction (target → number, list or class → probability map)
into named columns; `free_prefix` picks a prefix when those names would overwrite the data's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

PREDICTED_PREFIX = "predicted_"  # for prediction columns whose names the data already uses


def prediction_columns(prediction: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """One prediction as flat table columns.

    A number stays `target`, a class → probability map becomes one `target:class` column per
    class, and a list (a multi-output regression) one `target:i` column per position.
    """
    columns: dict[str, Any] = {}
    for target, value in prediction.items():
        if isinstance(value, Mapping):
            columns |= {f"{prefix}{target}:{label}": p for label, p in value.items()}
        elif isinstance(value, list):
            columns |= {f"{prefix}{target}:{i}": v for i, v in enumerate(value)}
        else:
            columns[f"{prefix}{target}"] = value
    return columns


def free_prefix(prediction: Mapping[str, Any], taken: Iterable[str], prefix: str = "") -> str:
    """`prefix`, or `predicted_` when a prediction column would overwrite one of `taken`."""
    if prefix or not set(prediction_columns(prediction)) & set(taken):
        return prefix
    return PREDICTED_PREFIX
