"""Turning a raw column into a feature's stored values, under its spec.

Stored forms: integer → int64, float → float64, categorical → int32 class codes, string →
Arrow string array, sequence → `EncodedSequences` (uint8 codes), array → float32 (N, *shape),
multi-label → uint8 multi-hot (N, K). Conversions that cannot hold raise `DataError` naming the
file, column and first offending row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kozak.data.detect import first_false, is_number
from kozak.data.feature_spec import FeatureSpec, FeatureType
from kozak.data.table import RawColumn
from kozak.errors import DataError
from kozak.sequences import EncodedSequences, encode_strings, get_alphabet, one_hot_to_codes

FeatureValues: TypeAlias = np.ndarray | pa.Array | EncodedSequences


@dataclass(frozen=True)
class FeatureData:
    """A feature's spec (with categories filled in) and its stored values."""

    spec: FeatureSpec
    values: FeatureValues


def missing_mask(column: RawColumn) -> np.ndarray:
    """Rows with no value: nulls, NaN, and for NumPy arrays any non-finite entry."""
    values = column.values
    if isinstance(values, EncodedSequences):
        return np.zeros(len(values), dtype=bool)
    if isinstance(values, np.ndarray):
        if values.dtype.kind != "f":
            return np.zeros(len(values), dtype=bool)
        finite = np.asarray(np.isfinite(values.reshape(len(values), -1)).all(axis=1), dtype=bool)
        return ~finite
    mask = values.is_null()
    if pa.types.is_floating(values.type):
        mask = pc.or_(mask, pc.is_nan(values).fill_null(True))
    result: np.ndarray = np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)
    return result


def _numeric(column: RawColumn, kind: FeatureType) -> np.ndarray:
    values = column.values
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise DataError(
                f"{column.file}: column {column.name!r} has shape {values.shape[1:]} per row; "
                f"a {kind.value} feature needs one number per row",
                file=column.file,
                column=column.name,
            )
        array = values
    elif pa.types.is_integer(values.type) and kind is FeatureType.INTEGER:
        return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.int64)
    elif pa.types.is_string(values.type):
        try:
            array = pc.cast(pc.utf8_trim_whitespace(values), pa.float64()).to_numpy(zero_copy_only=False)
        except pa.ArrowInvalid:
            raise column.error(first_false(is_number(values)), "a number") from None
    else:
        array = pc.cast(values, pa.float64(), safe=False).to_numpy(zero_copy_only=False)
    if kind is FeatureType.INTEGER:
        fractional = np.flatnonzero(array != np.round(array))
        if fractional.size:
            raise column.error(int(fractional[0]), "a whole number")
        return array.astype(np.int64)
    return np.asarray(array, dtype=np.float64)


def _category_strings(column: RawColumn) -> pa.Array:
    values = column.values
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise DataError(
                f"{column.file}: column {column.name!r} is an array; it cannot be categorical",
                file=column.file,
                column=column.name,
            )
        values = pa.array(values)
    return values.cast(pa.string())


def encode_feature(column: RawColumn, spec: FeatureSpec) -> FeatureData:
    """Encode a raw column (without missing rows) into the stored form its spec asks for."""
    kind = spec.type
    if kind in (FeatureType.INTEGER, FeatureType.FLOAT):
        return FeatureData(spec, _numeric(column, kind))
    if kind is FeatureType.CATEGORICAL:
        strings = _category_strings(column)
        categories = spec.categories or tuple(sorted(pc.unique(strings).to_pylist()))
        codes = pc.index_in(strings, value_set=pa.array(categories, pa.string()))
        if codes.null_count:
            row = int(np.flatnonzero(codes.is_null().to_numpy(zero_copy_only=False))[0])
            raise column.error(row, f"one of the categories {list(categories)}")
        data = codes.to_numpy(zero_copy_only=False).astype(np.int32)
        return FeatureData(spec.model_copy(update={"categories": categories}), data)
    if kind is FeatureType.STRING:
        return FeatureData(spec, _category_strings(column))
    if kind is FeatureType.SEQUENCE:
        return FeatureData(spec, _sequence(column, spec))
    if kind is FeatureType.ARRAY:
        values = column.values
        if not isinstance(values, np.ndarray) or values.ndim < 2:
            raise DataError(
                f"{column.file}: column {column.name!r} is not an array column (import arrays "
                "from .npy, .npz or a ZIP bundle)",
                file=column.file,
                column=column.name,
            )
        return FeatureData(
            spec.model_copy(update={"shape": values.shape[1:]}),
            np.ascontiguousarray(values, dtype=np.float32),
        )
    return _multilabel(column, spec)


def _sequence(column: RawColumn, spec: FeatureSpec) -> EncodedSequences:
    assert spec.sequence is not None  # FeatureSpec fills a default encoding
    alphabet = get_alphabet(spec.sequence.alphabet)
    values = column.values
    if isinstance(values, EncodedSequences):
        if values.alphabet != alphabet.name:
            raise DataError(
                f"column {column.name!r} holds {values.alphabet} sequences, not {alphabet.name}",
                column=column.name,
            )
        return values
    if isinstance(values, np.ndarray):
        found = one_hot_to_codes(values)
        if found is None or alphabet.name != "dna":
            raise DataError(
                f"{column.file}: column {column.name!r} has shape {values.shape[1:]} per row and "
                "is not a one-hot DNA array ((4, L) or (L, 4), 0/1, one base per position)",
                file=column.file,
                column=column.name,
            )
        return found.sequences
    if not pa.types.is_string(values.type):
        raise DataError(
            f"{column.file}: column {column.name!r} holds {values.type}, not sequence text",
            file=column.file,
            column=column.name,
        )
    return encode_strings(
        values,
        alphabet,
        column=column.name,
        file=column.file,
        unknown_as_n=spec.on_invalid == "as_n",
    )


def _multilabel(column: RawColumn, spec: FeatureSpec) -> FeatureData:
    strings = _category_strings(column)
    lists = pc.split_pattern(strings, spec.delimiter)
    flat = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    labels = spec.categories or tuple(sorted(t for t in pc.unique(flat).to_pylist() if t))
    index = pc.index_in(flat, value_set=pa.array(labels, pa.string()))
    row_of = np.repeat(
        np.arange(len(strings)), pc.list_value_length(lists).to_numpy(zero_copy_only=False)
    )
    codes = index.to_numpy(zero_copy_only=False)
    unknown = np.flatnonzero(np.isnan(codes.astype(float)) & (flat.to_numpy(zero_copy_only=False) != ""))
    if unknown.size:
        raise column.error(int(row_of[unknown[0]]), f"labels among {list(labels)}")
    hot = np.zeros((len(strings), len(labels)), dtype=np.uint8)
    keep = ~np.isnan(codes.astype(float))
    hot[row_of[keep], codes[keep].astype(np.int64)] = 1
    return FeatureData(spec.model_copy(update={"categories": labels}), hot)
