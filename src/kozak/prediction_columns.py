"""Predictions as table columns: the one naming used wherever a prediction becomes a column.

`<target>_pred` is the prediction (a number, or the predicted class), `<target>_pred:<i>` position
i of a multi-output regression, `<target>_prob:<class>` one class's probability, `<target>_prob`
the predicted class's probability and `<target>_true` the measured value beside them. Deployment
clients, file predictions and predictions exports all name columns through this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

PREDICTED_PREFIX = "predicted_"  # for prediction columns whose names the data already uses


def true_column(target: str) -> str:
    """The column of a target's measured value."""
    return f"{target}_true"


def predicted_column(target: str, position: int | None = None) -> str:
    """The column of a target's prediction, or of one position of a multi-output prediction."""
    return f"{target}_pred" if position is None else f"{target}_pred:{position}"


def probability_column(target: str, label: str | None = None) -> str:
    """The column of one class's probability, or (no `label`) of the predicted class's."""
    return f"{target}_prob" if label is None else f"{target}_prob:{label}"


def prediction_columns(prediction: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """One prediction as flat table columns.

    A number becomes `target_pred`, a class → probability map one `target_prob:class` column per
    class, and a list (a multi-output regression) one `target_pred:i` column per position.
    """
    columns: dict[str, Any] = {}
    for target, value in prediction.items():
        name = prefix + target
        if isinstance(value, Mapping):
            columns |= {probability_column(name, str(label)): p for label, p in value.items()}
        elif isinstance(value, list):
            columns |= {predicted_column(name, i): v for i, v in enumerate(value)}
        else:
            columns[predicted_column(name)] = value
    return columns


def free_prefix(prediction: Mapping[str, Any], taken: Iterable[str], prefix: str = "") -> str:
    """`prefix`, or `predicted_` when a prediction column would overwrite one of `taken`."""
    if prefix or not set(prediction_columns(prediction)) & set(taken):
        return prefix
    return PREDICTED_PREFIX
