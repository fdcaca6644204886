"""Plot data for the regression evaluation view: NumPy arrays in, JSON-able dicts out.

`scatter_data` gives true-vs-predicted points, or above `max_points` a 2-D density grid plus a
seeded uniform sample; `residual_histogram` gives the error distribution (prediction − truth)
with its mean, sd and skewness. Inputs are (N,) or (N, 1) and are checked as in `regression`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from kozak.errors import InvalidConfig
from kozak.evaluation.regression import _paired_1d

__all__ = ["residual_histogram", "scatter_data"]


def _positive(value: int, name: str) -> None:
    if value < 1:
        raise InvalidConfig(f"{name} must be at least 1, got {value}", argument=name)


def scatter_data(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    max_points: int = 25_000,
    bins: int = 100,
    seed: int = 0,
) -> dict[str, Any]:
    """True (x) against predicted (y) values, as points or, for many examples, as a density.

    Args:
        y_true: True values, shape (N,) or (N, 1).
        y_pred: Predictions, the same shape.
        max_points: Most points returned; above it the result is a density plus a sample.
        bins: Bins per axis of the density grid.
        seed: Seed of the sample, so the same inputs always give the same plot.

    Returns:
        `{"n", "kind", "x", "y", "indices", "range", "density"}`. `kind` is "points" (all N
        points, `indices` None, `density` None) or "density" (`x`, `y` a uniform sample of
        `max_points` examples in index order, `indices` their row numbers, and `density` =
        `{"counts", "x_edges", "y_edges"}` where `counts[i][j]` counts the examples with x in
        bin j and y in bin i, rows following y as a heatmap draws them; counts sum to N).
        `range` is `[low, high]` over both axes, for a shared scale and the identity line.

    Raises:
        InvalidConfig: `max_points` or `bins` is below 1.
        SchemaMismatch: The shapes differ, are empty, or have several outputs.
        DataError: A value is NaN, infinite or not a number.
    """
    _positive(max_points, "max_points")
    _positive(bins, "bins")
    true, pred = _paired_1d(y_true, y_pred)
    n = int(true.size)
    result: dict[str, Any] = {
        "n": n,
        "kind": "points",
        "x": true.tolist(),
        "y": pred.tolist(),
        "indices": None,
        "range": [float(min(true.min(), pred.min())), float(max(true.max(), pred.max()))],
        "density": None,
    }
    if n <= max_points:
        return result
    counts, x_edges, y_edges = np.histogram2d(true, pred, bins=bins)  # (x bins, y bins)
    sample = np.sort(np.random.default_rng(seed).choice(n, size=max_points, replace=False))
    result.update(
        kind="density",
        x=true[sample].tolist(),
        y=pred[sample].tolist(),
        indices=sample.tolist(),
        density={
            "counts": counts.T.astype(np.int64).tolist(),
            "x_edges": x_edges.tolist(),
            "y_edges": y_edges.tolist(),
        },
    )
    return result


def residual_histogram(y_true: ArrayLike, y_pred: ArrayLike, bins: int = 50) -> dict[str, Any]:
    """Distribution of prediction errors, `y_pred - y_true` (positive means over-prediction).

    A good regressor's errors peak at 0 and are symmetric; a skew shows systematic over- or
    under-prediction (e.g. a ReLU before the target cannot predict negative values).

    Args:
        y_true: True values, shape (N,) or (N, 1).
        y_pred: Predictions, the same shape.
        bins: Number of equal-width bins between the smallest and largest error.

    Returns:
        `{"n", "edges", "counts", "mean", "sd", "skewness"}`: `bins + 1` edges, `bins` counts
        summing to N, the mean error, its sample standard deviation (ddof 1; None when N < 2)
        and its skewness (the biased Fisher–Pearson estimate, as `scipy.stats.skew`; None when
        every error is the same).

    Raises:
        InvalidConfig: `bins` is below 1.
        SchemaMismatch: The shapes differ, are empty, or have several outputs.
        DataError: A value is NaN, infinite or not a number.
    """
    _positive(bins, "bins")
    true, pred = _paired_1d(y_true, y_pred)
    error = pred - true
    counts, edges = np.histogram(error, bins=bins)
    centred = error - error.mean()
    m2 = float(np.mean(centred**2))
    constant = np.ptp(error) == 0
    return {
        "n": int(error.size),
        "edges": edges.tolist(),
        "counts": counts.astype(np.int64).tolist(),
        "mean": float(error.mean()),
        "sd": float(np.std(error, ddof=1)) if error.size > 1 else None,
        "skewness": None if constant else float(np.mean(centred**3) / m2**1.5),
    }
