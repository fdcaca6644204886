"""Rows a feature cannot read (`validity`), and pages of sorted, filtered rows (`rows`)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from kozak.data.dataset_spec import DatasetSpec
from kozak.data.feature_spec import FeatureSpec
from kozak.data.rows import RowQuery, RowView, page_rows
from kozak.data.subsets import Condition
from kozak.data.table import RawColumn, RawTable
from kozak.data.validity import invalid_rows, reason
from kozak.errors import InvalidConfig
from kozak.sequences import DNA, encode_strings


def column(values: list, name: str = "x") -> RawColumn:
    return RawColumn(name, pa.array(values), "t.csv")


@pytest.mark.parametrize(
    ("values", "spec", "bad", "why"),
    [
        (["1", "2.5", "x", None], {"type": "float"}, [2, 3], "'x' is not a number"),
        ([1.0, 2.5, 3.0], {"type": "integer"}, [1], "2.5 is not a whole number"),
        (["a", "b", "c"], {"type": "categorical", "categories": ["a", "b"]}, [2], "'c' is not one"),
        (["ACGT", "AXGT", ""], {"type": "sequence"}, [1, 2], "letter 'X' at position 2"),
    ],
)
def test_invalid_rows_are_what_encoding_refuses(
    values: list, spec: dict, bad: list[int], why: str
) -> None:
    feature = FeatureSpec(name="x", source="x", **spec)
    found = invalid_rows(column(values), feature)
    assert np.flatnonzero(found.mask).tolist() == bad and found.first == bad[0] + 1
    assert reason(column(values), feature, bad[0]).startswith(why)


def test_unknown_letters_are_counted_per_row_and_only_they_are_repairable() -> None:
    found = invalid_rows(
        column(["AXXT", "ACGT", None]), FeatureSpec(name="x", source="x", type="sequence")
    )
    assert found.unknown_letters.tolist() == [2, 0, 0]
    assert found.after_as_n().tolist() == [False, False, True]  # a missing sequence stays invalid


def test_pages_are_sorted_filtered_and_numbered_from_1() -> None:
    table = RawTable(
        [
            RawColumn("seq", encode_strings(["AAA", "CCC", "GGG", "TTT"], DNA), "stored version"),
            RawColumn("y", np.array([3.0, 1.0, np.nan, 2.0]), "stored version"),
        ]
    )
    spec = DatasetSpec(
        features=(
            FeatureSpec(name="seq", source="seq", type="sequence"),
            FeatureSpec(name="y", source="y", type="float"),
        )
    )
    view = RowView(table, spec)
    page = page_rows(view, RowQuery(sort="y", descending=True), 0, 10, find=3)
    assert [r["number"] for r in page["rows"]] == [1, 4, 2, 3]  # missing last, either way
    assert page["rows"][3] == {
        "number": 3,
        "values": {"seq": "GGG", "y": None},
        "invalid": {"y": "missing value"},
    }
    assert page["position"] == 3 and page["invalid_rows"] == 1
    where = (Condition(feature="seq", op="contains", value="C"),)
    assert [r["number"] for r in page_rows(view, RowQuery(where=where), 0, 10)["rows"]] == [2]
    assert page_rows(view, RowQuery(invalid_only=True), 0, 10)["total"] == 1
    assert page_rows(view, RowQuery(), 2, 1)["rows"][0]["number"] == 3


def test_arrays_cannot_be_sorted_by() -> None:
    table = RawTable([RawColumn("img", np.zeros((3, 2, 2)), "x.npy")])
    view = RowView(table, DatasetSpec(features=(FeatureSpec(name="img", source="img", type="array"),)))
    assert page_rows(view, RowQuery(), 0, 1)["rows"][0]["values"]["img"] == [[0.0, 0.0], [0.0, 0.0]]
    with pytest.raises(InvalidConfig, match="'img' is an array"):
        page_rows(view, RowQuery(sort="img"), 0, 1)
