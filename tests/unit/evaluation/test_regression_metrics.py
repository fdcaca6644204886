"""Regression metrics against SciPy, scikit-learn and hand-computed cases; errors for bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats
from sklearn import metrics as skm

from kozak.errors import DataError, SchemaMismatch
from kozak.evaluation import regression_metrics


@pytest.fixture
def noisy() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    y = rng.normal(size=500)
    # A biased, rescaled prediction: well correlated, yet a poor fit, so r2 and pearson_r2 differ.
    return y, 2.0 * y + 1.0 + rng.normal(scale=0.5, size=500)


def test_every_metric_matches_scipy_and_sklearn(noisy: tuple[np.ndarray, np.ndarray]) -> None:
    y, p = noisy
    m = regression_metrics(y, p)
    r = stats.pearsonr(y, p)[0]
    assert m["n"] == 500
    assert m["mse"] == pytest.approx(skm.mean_squared_error(y, p), abs=1e-12)
    assert m["mae"] == pytest.approx(skm.mean_absolute_error(y, p), abs=1e-12)
    assert m["rmse"] == pytest.approx(np.sqrt(skm.mean_squared_error(y, p)), abs=1e-12)
    assert m["r2"] == pytest.approx(skm.r2_score(y, p), abs=1e-12)
    assert m["pearson_r"] == pytest.approx(r, abs=1e-12)
    assert m["pearson_r2"] == pytest.approx(r**2, abs=1e-12)
    assert m["spearman"] == pytest.approx(stats.spearmanr(y, p)[0], abs=1e-12)


def test_papers_metric_is_not_the_coefficient_of_determination(
    noisy: tuple[np.ndarray, np.ndarray],
) -> None:
    m = regression_metrics(*noisy)
    assert m["pearson_r2"] > 0.9  # the ranking is nearly right...
    assert m["r2"] < 0  # ...but the values are off by a scale and a shift


def test_spearman_with_ties_matches_scipy() -> None:
    y = np.array([1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 5.0])
    p = np.array([2.0, 1.0, 1.0, 4.0, 3.0, 3.0, 3.0, 9.0])
    assert regression_metrics(y, p)["spearman"] == pytest.approx(stats.spearmanr(y, p)[0], abs=1e-12)


def test_hand_computed_small_case() -> None:
    m = regression_metrics([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
    assert m["mse"] == pytest.approx(4 / 3)
    assert m["mae"] == pytest.approx(2 / 3)
    assert m["r2"] == pytest.approx(1 - 4 / 2)  # SS_res 4, SS_tot 2
    # x = (-1, 0, 1), y - mean(y) = (-5/3, -2/3, 7/3): r = 4 / sqrt(2 * 78/9)
    assert m["pearson_r"] == pytest.approx(4 / np.sqrt(2 * 78 / 9))
    assert m["spearman"] == pytest.approx(1.0)


def test_perfect_and_anticorrelated() -> None:
    y = np.linspace(-3, 3, 50)
    perfect = regression_metrics(y, y)
    assert perfect["mse"] == perfect["mae"] == 0.0
    for name in ("r2", "pearson_r", "pearson_r2", "spearman"):
        assert perfect[name] == pytest.approx(1.0, abs=1e-12)
    anti = regression_metrics(y, -y)
    assert anti["pearson_r"] == pytest.approx(-1.0)
    assert anti["spearman"] == pytest.approx(-1.0)
    assert anti["pearson_r2"] == pytest.approx(1.0)
    assert anti["r2"] == pytest.approx(skm.r2_score(y, -y))


def test_constant_inputs_give_none_not_nan() -> None:
    m = regression_metrics(np.arange(5.0), np.full(5, 0.1))
    assert m["pearson_r"] is None and m["pearson_r2"] is None and m["spearman"] is None
    assert m["r2"] == pytest.approx(skm.r2_score(np.arange(5.0), np.full(5, 0.1)))
    constant_truth = regression_metrics(np.full(4, 2.0), [1.0, 2.0, 3.0, 4.0])
    assert constant_truth["r2"] is None and constant_truth["pearson_r"] is None
    single = regression_metrics([1.0], [2.0])
    assert single["mse"] == 1.0 and single["pearson_r"] is None
    json.dumps(m, allow_nan=False)


def test_column_vectors_and_multi_output() -> None:
    rng = np.random.default_rng(1)
    y = rng.normal(size=(40, 2))
    p = y + rng.normal(size=(40, 2))
    assert regression_metrics(y[:, :1], p[:, 0]) == regression_metrics(y[:, 0], p[:, 0])
    m = regression_metrics(y, p, names=["growth", "t0"])
    assert m["n"] == 40 and list(m["outputs"]) == ["growth", "t0"]
    assert m["outputs"]["t0"] == regression_metrics(y[:, 1], p[:, 1])
    assert list(regression_metrics(y, p)["outputs"]) == ["0", "1"]
    json.dumps(m, allow_nan=False)


@pytest.mark.parametrize(
    ("y_true", "y_pred", "error"),
    [
        ([1.0, 2.0, 3.0], [1.0, 2.0], SchemaMismatch),
        (np.zeros((3, 2)), np.zeros((3, 3)), SchemaMismatch),
        (np.zeros((2, 2, 2)), np.zeros((2, 2, 2)), SchemaMismatch),
        ([], [], SchemaMismatch),
        ([1.0, np.nan], [1.0, 2.0], DataError),
        ([1.0, 2.0], [np.inf, 2.0], DataError),
        (["a", "b"], [1.0, 2.0], DataError),
    ],
)
def test_bad_inputs_raise_kozak_errors(y_true: object, y_pred: object, error: type) -> None:
    with pytest.raises(error):
        regression_metrics(y_true, y_pred)  # type: ignore[arg-type]


def test_nan_error_names_the_argument_and_index() -> None:
    with pytest.raises(DataError, match=r"y_pred has 1 NaN.*index \[2\]") as caught:
        regression_metrics([1.0, 2.0, 3.0], [1.0, 2.0, np.nan])
    assert caught.value.details["argument"] == "y_pred"


def test_wrong_number_of_names() -> None:
    with pytest.raises(SchemaMismatch):
        regression_metrics(np.zeros((3, 2)), np.zeros((3, 2)), names=["only one"])


@pytest.mark.filterwarnings("error")
def test_undefined_metrics_do_not_warn() -> None:
    # SciPy warns on constant inputs and sklearn on one sample; neither may leak to the caller.
    m = regression_metrics(np.full(3, 0.1), [0.1, 0.1, 0.1])
    assert m["r2"] is None and m["pearson_r"] is None and m["spearman"] is None
    assert regression_metrics([1.0], [1.0])["r2"] is None
    assert regression_metrics([1.0, 2.0], [3.0, 3.0])["spearman"] is None
