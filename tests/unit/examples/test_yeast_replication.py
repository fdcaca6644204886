"""The replication: the paper's split exactly, and `kozak example yeast` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from kozak.cli import app
from kozak.examples.yeast import paper_split, python2_constant_shuffle


def test_python2_constant_shuffle_matches_the_documented_rule() -> None:
    # random.shuffle(x, lambda: 0.5) in Python 2: for i = n-1..1, swap x[i] and x[int(0.5 * (i + 1))]
    assert python2_constant_shuffle(np.arange(5)).tolist() == [0, 3, 1, 4, 2]


def test_paper_split_reproduces_the_notebooks_validation_rows() -> None:
    labels = paper_split(np.arange(489_348))  # distinct t0: row = t0-rank
    assert (labels == "test").sum() == 24_468 and (labels == "training").sum() == 418_392
    # benchmarks.md: t0-ranks 209,196–232,440 plus every second rank in 418,394–464,878
    expected = set(range(209_196, 232_441)) | set(range(418_394, 464_879, 2))
    assert set(np.flatnonzero(labels == "validation").tolist()) == expected


def test_ties_at_the_test_boundary_break_by_row_order() -> None:
    t0 = np.array([5, 101, 101, 101, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17])
    labels = paper_split(t0)  # 20 rows: the top 1 row (5 %) is the test set
    assert np.flatnonzero(labels == "test").tolist() == [3]  # the last of the tied rows
    random = paper_split(t0, "random", seed=1)
    assert (random == "validation").sum() == 2 and (random == "test").sum() == 1  # int(19 * 0.9) = 17


def test_kozak_example_yeast_synthetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOZAK_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(
        app, ["example", "yeast", "--synthetic", "--rows", "20000", "--epochs", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures["paper"]["test_pearson_r2"] == 0.62
    assert 0.0 < figures["test_pearson_r2"] <= figures["noise_ceiling_pearson_r2"] + 0.05
    share = figures["test_pearson_r2"] / figures["noise_ceiling_pearson_r2"]
    assert figures["test_share_of_noise_ceiling"] == pytest.approx(share)
    assert figures["train_pearson_r2"] is not None and figures["rows"] == 20_000
