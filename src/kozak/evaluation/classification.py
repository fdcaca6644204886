"""Classification metrics: NumPy arrays in, a JSON-able dict out.

`classification_metrics` scores single-label predictions (class probabilities, argmax decides);
`multilabel_metrics` scores multi-hot targets (a probability per label, a threshold decides).
Per-class numbers are lists in the order of `classes`/`labels`, so any class name works.
An undefined AUC (a class with no positives or no negatives) is None; an undefined precision,
recall or F1 (nothing predicted or nothing true) is 0.0, as in scikit-learn's `zero_division=0`.

scikit-learn computes every metric: `accuracy_score`, `hamming_loss`, `confusion_matrix`,
`precision_recall_fscore_support`, `roc_curve` with `auc` (as `roc_auc_score` does),
`average_precision_score` and `precision_recall_curve`. This module only validates the inputs,
maps undefined results (and scikit-learn's `UndefinedMetricWarning`) to None, and thins the
curves to `max_curve_points`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import (
    accuracy_score,
    auc,
    average_precision_score,
    confusion_matrix,
    hamming_loss,
    precision_recall_curve,
    precision_recall_fscore_support,
    roc_curve,
)

from kozak.errors import DataError, InvalidConfig, SchemaMismatch

__all__ = ["MAX_CURVE_POINTS", "classification_metrics", "multilabel_metrics"]

MAX_CURVE_POINTS = 200  # enough for a smooth curve in the UI, small enough for every epoch's payload


def _json_value(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _probabilities(values: ArrayLike, rows: int, columns: int, name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} must be numeric: {exc}", argument=name) from exc
    if array.shape != (rows, columns):
        raise SchemaMismatch(
            f"{name} must have shape ({rows}, {columns}), got {array.shape}",
            argument=name,
            expected=[rows, columns],
            actual=list(array.shape),
        )
    bad = ~np.isfinite(array)
    if bad.any():
        raise DataError(
            f"{name} has {int(bad.sum())} NaN or infinite value(s), the first at index "
            f"{np.argwhere(bad)[0].tolist()}",
            argument=name,
            count=int(bad.sum()),
        )
    return array


def _names(names: Sequence[Any], what: str) -> list[Any]:
    values = [_json_value(name) for name in names]
    if len(values) < 1 or len(set(values)) != len(values):
        raise InvalidConfig(f"{what} must be distinct and not empty, got {values}", argument=what)
    return values


def _label_indices(labels: ArrayLike, classes: list[Any]) -> np.ndarray:
    """Each label's index in `classes`: labels are class names, or else integer indices."""
    array = np.asarray(labels)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise SchemaMismatch(f"y_true must have shape (N,), got {array.shape}", shape=list(array.shape))
    position = {name: k for k, name in enumerate(classes)}
    # Look up each distinct label once: validation sets hold hundreds of thousands of rows.
    distinct, inverse = np.unique(array, return_inverse=True)
    found = [position.get(_json_value(label)) for label in distinct]
    if all(k is not None for k in found):
        return np.asarray(found, dtype=np.int64)[inverse]
    if array.dtype.kind in "iu" and (
        array.size == 0 or (array.min() >= 0 and array.max() < len(classes))
    ):
        return array.astype(np.int64)
    unknown = [str(_json_value(label)) for label, k in zip(distinct, found, strict=True) if k is None]
    raise DataError(
        f"y_true has labels that are not among the classes {classes}: {unknown[:10]}",
        unknown=unknown[:10],
    )


def _downsample(x: np.ndarray, y: np.ndarray, limit: int) -> np.ndarray:
    """Indices of at most `limit` points spread evenly along the curve's length, ends kept."""
    if x.size <= limit:
        return np.arange(x.size)
    length = np.r_[0.0, np.cumsum(np.hypot(np.diff(x), np.diff(y)))]
    targets = np.linspace(0.0, length[-1], limit)
    picked = np.unique(np.r_[0, np.searchsorted(length, targets).clip(0, x.size - 1), x.size - 1])
    if picked.size > limit:  # rounding may add one or two; keep both ends
        inner = picked[1:-1]
        keep = np.linspace(0, inner.size - 1, limit - 2).round().astype(np.int64)
        picked = np.r_[picked[0], inner[keep], picked[-1]]
    return picked


def _defined(value: Any) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


def _scores(positive: np.ndarray, score: np.ndarray, max_points: int) -> dict[str, Any]:
    """One-vs-rest ROC-AUC, average precision and their curves for one class."""
    n_pos = int(positive.sum())
    n_neg = positive.size - n_pos
    result: dict[str, Any] = {"roc_auc": None, "pr_auc": None, "roc": None, "pr": None}
    with warnings.catch_warnings():
        # One class only: scikit-learn warns and gives NaN; the checks below return None instead.
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        if n_pos > 0 and n_neg > 0:
            fpr, tpr, thresholds = roc_curve(positive, score, drop_intermediate=False)
            # What `roc_auc_score` computes, without sorting the scores a second time.
            result["roc_auc"] = _defined(auc(fpr, tpr))
            keep = _downsample(fpr, tpr, max_points)
            result["roc"] = {
                "fpr": fpr[keep].tolist(),
                "tpr": tpr[keep].tolist(),
                # Point 0 is "predict nothing": its threshold (inf in sklearn) is None here.
                "thresholds": [_defined(t) for t in thresholds[keep]],
            }
        if n_pos > 0:
            result["pr_auc"] = _defined(average_precision_score(positive, score))
            precision, recall, _ = precision_recall_curve(positive, score)
            # sklearn lists the curve from recall 1 down to (0, 1); reverse it to start at (0, 1).
            recall, precision = recall[::-1], precision[::-1]
            keep = _downsample(recall, precision, max_points)
            result["pr"] = {"recall": recall[keep].tolist(), "precision": precision[keep].tolist()}
    return result


def _prf(true: np.ndarray, predicted: np.ndarray, labels: list[int] | None) -> dict[str, Any]:
    """Precision, recall, F1 and support per class, macro (mean of classes) and micro (pooled)."""
    by_average: dict[str | None, tuple[Any, ...]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        for average in (None, "macro", "micro"):
            by_average[average] = precision_recall_fscore_support(
                true, predicted, labels=labels, average=average, zero_division=0
            )
    result: dict[str, Any] = {
        name: {
            "macro": float(by_average["macro"][k]),
            "micro": float(by_average["micro"][k]),
            "per_class": np.asarray(by_average[None][k], dtype=np.float64).tolist(),
        }
        for k, name in enumerate(("precision", "recall", "f1"))
    }
    result["support"] = np.asarray(by_average[None][3], dtype=np.int64).tolist()
    return result


def _macro(values: list[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return float(np.mean(defined)) if defined else None


def _check_curve_points(max_curve_points: int) -> None:
    if max_curve_points < 2:
        raise InvalidConfig(
            f"max_curve_points must be at least 2, got {max_curve_points}",
            argument="max_curve_points",
        )


def classification_metrics(
    y_true_labels: ArrayLike,
    probabilities: ArrayLike,
    classes: Sequence[Any],
    *,
    max_curve_points: int = MAX_CURVE_POINTS,
) -> dict[str, Any]:
    """Metrics of single-label predictions; the predicted class is the most probable one.

    Args:
        y_true_labels: True classes, shape (N,): names from `classes`, or else integer indices
            into `classes`.
        probabilities: Class probabilities (or any scores), shape (N, K) in the order of
            `classes`; for two classes, shape (N,) is read as the probability of `classes[1]`.
        classes: The K class names, distinct.
        max_curve_points: Most points kept per ROC or PR curve.

    Returns:
        `{"n", "classes", "accuracy", "precision", "recall", "f1", "support", "roc_auc",
        "pr_auc", "confusion_matrix", "roc_curves", "pr_curves"}`. `precision`, `recall` and
        `f1` are `{"macro", "micro", "per_class": [...]}`; `roc_auc` and `pr_auc` (average
        precision) are one-vs-rest, `{"macro", "per_class"}`, with None for a class that is
        absent or is every example, and a macro mean over the defined classes.
        `confusion_matrix` is `{"classes", "matrix"}` with rows for true and columns for
        predicted classes. Curves are lists, one per class: `{"fpr", "tpr", "thresholds"}` and
        `{"recall", "precision"}`, or None where undefined.

    Raises:
        InvalidConfig: `classes` are not distinct, fewer than two, or `max_curve_points` < 2.
        SchemaMismatch: The shapes of the labels and the probabilities do not fit.
        DataError: A label is not a class, or a probability is NaN, infinite or not a number.
    """
    _check_curve_points(max_curve_points)
    names = _names(classes, "classes")
    if len(names) < 2:
        raise InvalidConfig(f"classification needs at least two classes, got {names}")
    true = _label_indices(y_true_labels, names)
    n, k = true.size, len(names)
    if n == 0:
        raise SchemaMismatch("y_true is empty: metrics need at least one example")
    raw = np.asarray(probabilities)
    if k == 2 and raw.ndim == 1:
        raw = np.stack([1.0 - raw.astype(np.float64), raw.astype(np.float64)], axis=1)
    proba = _probabilities(raw, n, k, "probabilities")

    predicted = proba.argmax(axis=1)
    indices = list(range(k))
    per_class = [_scores(true == c, proba[:, c], max_curve_points) for c in range(k)]
    roc_auc = [s["roc_auc"] for s in per_class]
    pr_auc = [s["pr_auc"] for s in per_class]
    return {
        "n": n,
        "classes": names,
        "accuracy": float(accuracy_score(true, predicted)),
        **_prf(true, predicted, indices),
        "roc_auc": {"macro": _macro(roc_auc), "per_class": roc_auc},
        "pr_auc": {"macro": _macro(pr_auc), "per_class": pr_auc},
        "confusion_matrix": {
            "classes": names,
            "matrix": confusion_matrix(true, predicted, labels=indices).tolist(),
        },
        "roc_curves": [s["roc"] for s in per_class],
        "pr_curves": [s["pr"] for s in per_class],
    }


def multilabel_metrics(
    y_true_multi_hot: ArrayLike,
    probabilities: ArrayLike,
    labels: Sequence[Any],
    threshold: float = 0.5,
    *,
    max_curve_points: int = MAX_CURVE_POINTS,
) -> dict[str, Any]:
    """Metrics of multi-label predictions; a label is predicted when its probability ≥ threshold.

    Args:
        y_true_multi_hot: True labels, shape (N, L), each value 0 or 1 (or bool).
        probabilities: One probability per label, shape (N, L) in the order of `labels`.
        labels: The L label names, distinct.
        threshold: Probability at or above which a label counts as predicted.
        max_curve_points: Most points kept per ROC or PR curve.

    Returns:
        `{"n", "labels", "threshold", "hamming_loss", "subset_accuracy", "precision", "recall",
        "f1", "support", "roc_auc", "pr_auc", "roc_curves", "pr_curves"}`. `hamming_loss` is the
        fraction of wrong (example, label) decisions; `subset_accuracy` the fraction of
        examples with every label right. `precision`, `recall`, `f1` are `{"macro", "micro",
        "per_class": [...]}` (per label); `roc_auc` and `pr_auc` are `{"macro", "per_class"}`,
        None where a label is always or never present.

    Raises:
        InvalidConfig: `labels` are not distinct or empty, `threshold` is outside [0, 1], or
            `max_curve_points` < 2.
        SchemaMismatch: The arrays are not both (N, L) with N ≥ 1.
        DataError: A true value is not 0 or 1, or a probability is NaN, infinite or not a number.
    """
    _check_curve_points(max_curve_points)
    names = _names(labels, "labels")
    if not 0.0 <= threshold <= 1.0:
        raise InvalidConfig(f"threshold must lie in [0, 1], got {threshold}", argument="threshold")
    raw = np.asarray(y_true_multi_hot)
    if raw.ndim != 2 or raw.shape[1] != len(names) or raw.shape[0] == 0:
        raise SchemaMismatch(
            f"y_true_multi_hot must have shape (N, {len(names)}) with N ≥ 1, got {raw.shape}",
            expected_labels=len(names),
            actual=list(raw.shape),
        )
    if raw.dtype.kind not in "biuf" or not np.isin(raw, (0, 1)).all():
        raise DataError("y_true_multi_hot must hold only 0 and 1", argument="y_true_multi_hot")
    true = raw.astype(bool)
    n = true.shape[0]
    proba = _probabilities(probabilities, n, len(names), "probabilities")
    predicted = proba >= threshold

    per_label = [_scores(true[:, j], proba[:, j], max_curve_points) for j in range(len(names))]
    roc_auc = [s["roc_auc"] for s in per_label]
    pr_auc = [s["pr_auc"] for s in per_label]
    return {
        "n": n,
        "labels": names,
        "threshold": float(threshold),
        "hamming_loss": float(hamming_loss(true, predicted)),
        "subset_accuracy": float(accuracy_score(true, predicted)),
        **_prf(true, predicted, None),
        "roc_auc": {"macro": _macro(roc_auc), "per_class": roc_auc},
        "pr_auc": {"macro": _macro(pr_auc), "per_class": pr_auc},
        "roc_curves": [s["roc"] for s in per_label],
        "pr_curves": [s["pr"] for s in per_label],
    }
