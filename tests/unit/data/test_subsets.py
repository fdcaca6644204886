"""Subsets: random, filter, rank with the stable tie-break, split, within/excluding, warnings."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from pydantic import ValidationError

from kozak.data.subsets import (
    Condition,
    FilterSubset,
    RandomSubset,
    RankSubset,
    evaluate_subsets,
    leakage_warnings,
    overlap_warnings,
    sequence_hashes,
    split,
)
from kozak.errors import InvalidConfig

N = 1000
COLUMNS = {"t0": np.arange(N) % 200, "group": pa.array(["T", "V"] * (N // 2))}


def test_random_subsets_with_one_seed_partition_the_rows() -> None:
    masks = evaluate_subsets(split(seed=3), COLUMNS, N)
    assert sum(int(m.sum()) for m in masks.values()) == N
    assert not np.any(masks["training"] & masks["test"])
    assert 700 < masks["training"].sum() < 900
    again = evaluate_subsets(split(seed=3), COLUMNS, N)
    assert all(np.array_equal(masks[k], again[k]) for k in masks)
    other = evaluate_subsets(split(seed=4), COLUMNS, N)
    assert not np.array_equal(masks["training"], other["training"])


def test_filter_conditions_and_or() -> None:
    both = FilterSubset(
        name="f",
        conditions=(
            Condition(feature="t0", op=">", value=100),
            Condition(feature="group", op="==", value="T"),
        ),
    )
    either = both.model_copy(update={"name": "g", "combine": "or"})
    masks = evaluate_subsets([both, either], COLUMNS, N)
    t0, is_t = COLUMNS["t0"], np.array(COLUMNS["group"].to_pylist()) == "T"
    assert np.array_equal(masks["f"], (t0 > 100) & is_t)
    assert np.array_equal(masks["g"], (t0 > 100) | is_t)


def test_in_and_contains() -> None:
    subsets = [
        FilterSubset(name="a", conditions=(Condition(feature="t0", op="in", value=[1, 2]),)),
        FilterSubset(name="b", conditions=(Condition(feature="group", op="contains", value="V"),)),
    ]
    masks = evaluate_subsets(subsets, COLUMNS, N)
    assert masks["a"].sum() == 10 and masks["b"].sum() == N // 2


def test_rank_matches_the_paper_split_and_breaks_ties_by_row_order() -> None:
    t0 = np.array([5, 1, 3, 3, 3, 9, 0, 3, 2, 7])
    subsets = [
        RankSubset(name="test", feature="t0", percent=35),
        RankSubset(name="train", feature="t0", side="bottom", percent=65),
    ]
    masks = evaluate_subsets(subsets, {"t0": t0}, len(t0))
    sorted_rows = np.argsort(t0, kind="stable")
    boundary = int(len(t0) * 0.65)
    assert set(np.flatnonzero(masks["test"])) == set(sorted_rows[boundary:])
    assert not np.any(masks["test"] & masks["train"]) and np.all(masks["test"] | masks["train"])
    # rows 2, 3, 4, 7 tie at 3; the later rows (4, 7) rank higher
    assert masks["test"][7] and not masks["test"][2]


def test_rank_count_within_and_excluding() -> None:
    subsets = [
        RankSubset(name="top", feature="t0", count=5),
        RandomSubset(name="val", end=50, seed=1, excluding=("top",)),
        RankSubset(name="val_top", feature="t0", count=3, within=("val",)),
    ]
    masks = evaluate_subsets(subsets, COLUMNS, N)
    assert masks["top"].sum() == 5 and not np.any(masks["top"] & masks["val"])
    assert masks["val_top"].sum() == 3 and np.all(masks["val"][masks["val_top"]])


def test_bad_definitions_name_the_subset() -> None:
    with pytest.raises(InvalidConfig, match="unknown feature 'nope'"):
        evaluate_subsets([RankSubset(name="r", feature="nope", percent=5)], COLUMNS, N)
    with pytest.raises(InvalidConfig, match="not defined before it"):
        evaluate_subsets([RandomSubset(name="a", end=5, within=("b",))], COLUMNS, N)
    with pytest.raises(InvalidConfig, match="numeric"):
        evaluate_subsets([RankSubset(name="r", feature="group", percent=5)], COLUMNS, N)
    with pytest.raises(ValidationError):
        RankSubset(name="r", feature="t0", percent=5, count=3)
    with pytest.raises(ValidationError):
        RandomSubset(name="r", start=50, end=10)


def test_overlap_and_leakage_warnings() -> None:
    masks = {
        "a": np.array([1, 1, 0, 0], bool),
        "b": np.array([0, 1, 1, 0], bool),
        "c": np.array([0, 0, 0, 1], bool),
    }
    overlaps = overlap_warnings(masks)
    assert [w["subsets"] for w in overlaps] == [["a", "b"]] and overlaps[0]["rows"] == 1
    codes = np.array([[0, 1], [2, 3], [0, 1], [0, 1]], dtype=np.uint8)
    hashes = sequence_hashes(codes, np.array([2, 2, 2, 2], dtype=np.int32))
    leaks = leakage_warnings(masks, hashes, "seq")
    assert {tuple(w["subsets"]): w["rows"] for w in leaks} == {("a", "c"): 1, ("b", "c"): 1}


def test_boolean_text_and_fractional_thresholds() -> None:
    columns = {"flag": pa.array(["true", "false", "true"]), "t0": np.array([100, 101, 102])}
    subsets = [
        FilterSubset(name="on", conditions=(Condition(feature="flag", op="==", value=True),)),
        FilterSubset(name="deep", conditions=(Condition(feature="t0", op=">", value=100.5),)),
    ]
    masks = evaluate_subsets(subsets, columns, 3)
    assert masks["on"].tolist() == [True, False, True]
    assert masks["deep"].tolist() == [False, True, True]
