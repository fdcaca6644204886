"""Type detection and encoding of raw columns into stored values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
import torch

from kozak.data.detect import detect
from kozak.data.encode import encode_feature
from kozak.data.feature_spec import FeatureSpec, FeatureType
from kozak.data.formats import read_files
from kozak.data.table import RawColumn
from kozak.errors import DataError
from kozak.sequences import DNA, EncodedSequences, one_hot
from kozak.settings import Settings


def column(values: list[object], name: str = "c") -> RawColumn:
    return RawColumn(name, pa.array(values), "f.csv")


@pytest.mark.parametrize(
    "values,expected",
    [
        ([1, 2, 3], FeatureType.INTEGER),
        ([1.5, 2.0, None], FeatureType.FLOAT),
        (["ACGTACGTAC", "GGGTTTAACC"], FeatureType.SEQUENCE),
        (["T", "V", "T", "T", "V", "T"], FeatureType.CATEGORICAL),
        (["a|b", "b", "a|c", "c", "a", "b"], FeatureType.MULTILABEL),
        (["YAL001C:38:0", "YAL002W:125:75", "YAL003W:1:0"], FeatureType.STRING),
        (["ACG", "GTA", "TTT", "CCA"], FeatureType.STRING),  # too short to be sequences
    ],
)
def test_detected_types(values: list[object], expected: FeatureType) -> None:
    assert detect(column(values)).type is expected


def test_rna_and_protein_are_recognised() -> None:
    rna = detect(column(["ACGUACGUAC", "UUUAAACCCG"]))
    assert rna.type is FeatureType.SEQUENCE and rna.sequence and rna.sequence.alphabet == "rna"
    protein = detect(column(["MKTAYIAKQRQISFVKSHFSRQ", "MSDNGPQNQRNAPRITFGGPSDS"]))
    assert protein.sequence and protein.sequence.alphabet == "protein"


def test_one_hot_npy_is_detected_as_dna_sequence_keeping_its_window() -> None:
    array = np.zeros((2, 4, 70, 1), dtype=np.float32)
    array[:, 0, 10:60, 0] = 1
    spec = detect(RawColumn("onehot", array, "x.npy"))
    assert spec.type is FeatureType.SEQUENCE and spec.sequence is not None
    assert (spec.sequence.length, spec.sequence.padding) == (50, 10)
    assert spec.sequence.window(50) == 70
    data = encode_feature(RawColumn("onehot", array, "x.npy"), spec)
    assert isinstance(data.values, EncodedSequences)
    assert data.values.decode() == ["A" * 50, "A" * 50]


def test_other_arrays_keep_their_shape() -> None:
    spec = detect(RawColumn("img", np.random.default_rng(0).random((3, 5, 2)), "x.npy"))
    assert spec.type is FeatureType.ARRAY and spec.shape == (5, 2)


def test_mostly_numeric_text_column_is_a_number_whose_bad_row_encoding_names() -> None:
    values = [str(i) for i in range(30)]
    values[17] = "abc"
    spec = detect(column(values, "t0"))
    assert spec.type is FeatureType.FLOAT
    with pytest.raises(DataError, match="row 18: expected a number, got 'abc'") as err:
        encode_feature(column(values, "t0"), spec)
    assert err.value.details["column"] == "t0" and err.value.details["row"] == 18


def test_type_override_errors_name_the_row() -> None:
    spec = FeatureSpec(name="y", source="y", type=FeatureType.INTEGER)
    with pytest.raises(DataError, match="row 2: expected a whole number"):
        encode_feature(column([1.0, 2.5], "y"), spec)
    with pytest.raises(DataError, match="row 1: expected a number"):
        encode_feature(column(["x", "1"], "y"), spec)


def test_categorical_and_multilabel_encodings() -> None:
    cat = encode_feature(column(["b", "a", "b"]), FeatureSpec(name="c", source="c", type="categorical"))
    assert cat.spec.categories == ("a", "b") and cat.values.tolist() == [1, 0, 1]  # type: ignore[union-attr]
    multi = encode_feature(
        column(["a|b", "c", "b"]), FeatureSpec(name="c", source="c", type="multilabel")
    )
    assert multi.spec.categories == ("a", "b", "c")
    assert multi.values.tolist() == [[1, 1, 0], [0, 0, 1], [0, 1, 0]]  # type: ignore[union-attr]


def test_native_library_types(native_utrs: Path, settings: Settings) -> None:
    table = read_files([native_utrs], settings)
    types = {c.name: detect(c).type for c in table.columns}
    assert types == {
        "index": FeatureType.INTEGER,
        "UTR_name": FeatureType.STRING,
        "UTR": FeatureType.SEQUENCE,
        "t0": FeatureType.INTEGER,
        "t1": FeatureType.INTEGER,
        "growth_rate": FeatureType.FLOAT,
    }
    assert table.n_rows == 11_856


def test_imported_right_aligned_one_hot_is_reproduced_exactly() -> None:
    rng = np.random.default_rng(0)
    lengths = rng.integers(2, 51, size=30)
    array = np.zeros((30, 4, 70, 1), dtype=np.float32)
    for row, n in enumerate(lengths):  # right-aligned: 3' end at column 59, as the authors did
        array[row, rng.integers(0, 4, size=n), np.arange(60 - n, 60), 0] = 1
    column = RawColumn("onehot", array, "x.npy")
    spec = detect(column)
    assert spec.sequence is not None and spec.sequence.alignment == "right"
    values = encode_feature(column, spec).values
    assert isinstance(values, EncodedSequences)
    tensor = one_hot(
        torch.from_numpy(values.codes),
        torch.from_numpy(values.lengths),
        alphabet=DNA,
        length=spec.sequence.length or values.max_length,
        alignment=spec.sequence.alignment,
        padding=spec.sequence.padding,
    )
    assert torch.equal(tensor, torch.from_numpy(array[..., 0]))
