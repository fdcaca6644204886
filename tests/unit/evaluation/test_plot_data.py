"""Scatter and residual-histogram plot data: sizes, counts summing to N, moments against SciPy."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from kozak.errors import InvalidConfig, SchemaMismatch
from kozak.evaluation import residual_histogram, scatter_data


def test_scatter_returns_every_point_up_to_the_limit() -> None:
    y = np.arange(10.0)
    s = scatter_data(y, y[::-1], max_points=10)
    assert s["kind"] == "points" and s["density"] is None and s["indices"] is None
    assert s["x"] == y.tolist() and s["y"] == y[::-1].tolist()
    assert s["range"] == [0.0, 9.0]


def test_scatter_switches_to_density_above_the_limit() -> None:
    rng = np.random.default_rng(5)
    y = rng.normal(size=1001)
    p = y + rng.normal(size=1001)
    s = scatter_data(y[:, None], p, max_points=1000, bins=20)
    assert s["kind"] == "density" and s["n"] == 1001
    counts = np.array(s["density"]["counts"])
    assert counts.shape == (20, 20) and counts.sum() == 1001
    expected, _, _ = np.histogram2d(y, p, bins=20)
    assert (counts == expected.T).all()  # rows follow y
    assert len(s["density"]["x_edges"]) == len(s["density"]["y_edges"]) == 21
    assert len(s["x"]) == len(s["indices"]) == 1000
    assert len(set(s["indices"])) == 1000 and s["indices"] == sorted(s["indices"])
    assert s["x"] == y[s["indices"]].tolist() and s["y"] == p[s["indices"]].tolist()
    assert scatter_data(y, p, max_points=1000, bins=20) == s  # seeded: the same every time
    assert scatter_data(y, p, max_points=1000, bins=20, seed=1)["indices"] != s["indices"]
    json.dumps(s, allow_nan=False)


def test_residual_histogram_matches_numpy_and_scipy() -> None:
    rng = np.random.default_rng(2)
    y = rng.normal(size=777)
    p = y + rng.gamma(2.0, size=777)  # skewed over-prediction
    h = residual_histogram(y, p, bins=30)
    error = p - y
    counts, edges = np.histogram(error, bins=30)
    assert h["n"] == 777 and sum(h["counts"]) == 777
    assert h["counts"] == counts.tolist() and h["edges"] == pytest.approx(edges)
    assert h["mean"] == pytest.approx(error.mean())
    assert h["sd"] == pytest.approx(np.std(error, ddof=1))
    assert h["skewness"] == pytest.approx(stats.skew(error), abs=1e-12)
    assert h["skewness"] > 0.5


def test_residual_histogram_of_perfect_predictions() -> None:
    h = residual_histogram([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], bins=4)
    assert sum(h["counts"]) == 3 and h["mean"] == 0.0 and h["sd"] == 0.0
    assert h["skewness"] is None
    json.dumps(h, allow_nan=False)
    assert residual_histogram([1.0], [2.0])["sd"] is None


def test_plot_inputs_are_checked() -> None:
    with pytest.raises(InvalidConfig):
        scatter_data([1.0], [1.0], max_points=0)
    with pytest.raises(InvalidConfig):
        residual_histogram([1.0], [1.0], bins=0)
    with pytest.raises(SchemaMismatch):
        scatter_data(np.zeros((3, 2)), np.zeros((3, 2)))
    with pytest.raises(SchemaMismatch):
        residual_histogram([1.0, 2.0], [1.0])
