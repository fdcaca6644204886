"""Regression metrics: NumPy arrays in, a JSON-able dict out.

`regression_metrics(y_true, y_pred)` gives mse, mae, rmse, r2, pearson_r, pearson_r2, spearman
and n for (N,) or (N, 1) inputs, and one such dict per output for (N, K). A metric that is
undefined (a correlation of a constant, r2 of a constant truth) is None, never NaN. Mismatched
shapes raise `SchemaMismatch`; NaN, infinite or non-numeric values raise `DataError`.

The libraries compute the metrics: scikit-learn's `mean_squared_error`, `mean_absolute_error`
and `r2_score`, SciPy's `stats.pearsonr` and `stats.spearmanr`. This module only validates the
inputs, splits outputs and maps undefined results (and the libraries' warnings) to None.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

from kozak.errors import DataError, SchemaMismatch

__all__ = ["pearson_r", "regression_metrics", "spearman_rho"]


def _as_float(values: ArrayLike, name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} must be numeric: {exc}", argument=name) from exc
    bad = ~np.isfinite(array)
    if bad.any():
        first = np.argwhere(bad)[0].tolist()
        raise DataError(
            f"{name} has {int(bad.sum())} NaN or infinite value(s), the first at index {first}",
            argument=name,
            count=int(bad.sum()),
            first_index=first,
        )
    return array


def _paired(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Both arrays as float64 (N, K), checked for equal shapes, N ≥ 1 and finite values."""
    arrays = []
    for values, name in ((y_true, "y_true"), (y_pred, "y_pred")):
        array = _as_float(values, name)
        if array.ndim == 1:
            array = array[:, None]
        if array.ndim != 2:
            raise SchemaMismatch(
                f"{name} must have shape (N,) or (N, K), got {array.shape}",
                argument=name,
                shape=list(array.shape),
            )
        arrays.append(array)
    true, pred = arrays
    if true.shape != pred.shape:
        raise SchemaMismatch(
            f"y_true and y_pred differ in shape: {true.shape} vs {pred.shape}",
            y_true_shape=list(true.shape),
            y_pred_shape=list(pred.shape),
        )
    if true.shape[0] == 0:
        raise SchemaMismatch("y_true and y_pred are empty: metrics need at least one example")
    return true, pred


def _paired_1d(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Both arrays as float64 (N,); (N, 1) is accepted, several outputs are not."""
    true, pred = _paired(y_true, y_pred)
    if true.shape[1] != 1:
        raise SchemaMismatch(
            f"expected one output, got {true.shape[1]}: pass one column, e.g. y[:, k]",
            outputs=true.shape[1],
        )
    return true[:, 0], pred[:, 0]


def _defined(value: float) -> float | None:
    """A library's result as a Python float, or None where it is NaN or infinite (undefined)."""
    value = float(value)
    return value if np.isfinite(value) else None


def pearson_r(x: np.ndarray, y: np.ndarray) -> float | None:
    """Pearson's correlation coefficient of two finite 1-D float arrays (`scipy.stats.pearsonr`).

    Args:
        x: Values, shape (N,).
        y: Values, shape (N,).

    Returns:
        r in [-1, 1], or None when N < 2 or either array is constant (r is undefined).
    """
    # Exact equality, not a variance threshold: a constant column stays constant however it rounds.
    if x.size < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.ConstantInputWarning)
        warnings.simplefilter("ignore", stats.NearConstantInputWarning)
        return _defined(stats.pearsonr(x, y).statistic)


def spearman_rho(x: np.ndarray, y: np.ndarray) -> float | None:
    """Spearman's rank correlation of two 1-D float arrays (`scipy.stats.spearmanr`).

    Ties get average ranks.

    Args:
        x: Values, shape (N,).
        y: Values, shape (N,).

    Returns:
        rho in [-1, 1], or None when N < 2 or either array is constant.
    """
    if x.size < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.ConstantInputWarning)
        return _defined(stats.spearmanr(x, y).statistic)


def _r2(true: np.ndarray, pred: np.ndarray) -> float | None:
    # A constant truth leaves 1 - SS_res / SS_tot undefined: None rather than sklearn's 0 or 1.
    # Checked exactly here, since SS_tot of a constant may round to a tiny non-zero value.
    if np.ptp(true) == 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return _defined(r2_score(true, pred, force_finite=False))


def _one_output(true: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
    mse = float(mean_squared_error(true, pred))
    r = pearson_r(true, pred)
    return {
        "n": int(true.size),
        "mse": mse,
        "mae": float(mean_absolute_error(true, pred)),
        "rmse": float(np.sqrt(mse)),
        "r2": _r2(true, pred),
        "pearson_r": r,
        "pearson_r2": None if r is None else r * r,
        "spearman": spearman_rho(true, pred),
    }


def regression_metrics(
    y_true: ArrayLike, y_pred: ArrayLike, names: Sequence[str] | None = None
) -> dict[str, Any]:
    """Error and correlation metrics of predictions against true values.

    `pearson_r2` is the squared Pearson correlation, the metric of Cuperus et al. 2017
    (`scipy.stats.pearsonr(y, yhat)[0] ** 2`); `r2` is the coefficient of determination
    (`sklearn.metrics.r2_score`). They agree only for a least-squares linear fit of the truth.

    Args:
        y_true: True values, shape (N,), (N, 1) or (N, K).
        y_pred: Predictions, the same shape as `y_true` ((N,) and (N, 1) may be mixed).
        names: One name per output for (N, K) inputs; default "0", "1", ....

    Returns:
        For one output: `{"n", "mse", "mae", "rmse", "r2", "pearson_r", "pearson_r2",
        "spearman"}`, floats or None where undefined. For K > 1 outputs:
        `{"n": N, "outputs": {name: <the one-output dict>}}`.

    Raises:
        SchemaMismatch: The shapes differ, are not (N,) / (N, K), N is 0, or `names` has the
            wrong length.
        DataError: A value is NaN, infinite or not a number.
    """
    true, pred = _paired(y_true, y_pred)
    outputs = true.shape[1]
    if outputs == 1 and names is None:
        return _one_output(true[:, 0], pred[:, 0])
    labels = [str(k) for k in range(outputs)] if names is None else [str(name) for name in names]
    if len(labels) != outputs or len(set(labels)) != outputs:
        raise SchemaMismatch(
            f"names must be {outputs} distinct names, one per output, got {list(labels)}",
            outputs=outputs,
        )
    return {
        "n": int(true.shape[0]),
        "outputs": {label: _one_output(true[:, k], pred[:, k]) for k, label in enumerate(labels)},
    }
