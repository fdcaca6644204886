"""Which rows of an imported column a feature cannot encode, and why, without encoding anything.

`invalid_rows(column, spec)` marks the rows `encode_feature` would refuse under `spec`: missing
values, text in a number column, fractions in an integer column, classes outside fixed
categories, empty sequences and letters outside a sequence's alphabet (vectorised: no per-row
Python work). `reason(column, spec, index)` says in words what is wrong with one row. Array
columns are checked whole by encoding (a shape or one-hot problem is the column's, not a row's).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kozak.data.detect import is_number
from kozak.data.encode import missing_mask
from kozak.data.feature_spec import NUMERIC_TYPES, FeatureSpec, FeatureType
from kozak.data.table import RawColumn
from kozak.sequences import INVALID, get_alphabet, string_buffers


@dataclass(frozen=True)
class InvalidRows:
    """Rows a feature cannot encode.

    `mask` (N,) marks every invalid row; `unknown_letters` (N,) counts, per row of a text
    sequence column, the letters outside the alphabet. A row whose only fault is such letters can
    be repaired by reading them as N.
    """

    mask: np.ndarray
    unknown_letters: np.ndarray

    @property
    def count(self) -> int:
        return int(self.mask.sum())

    @property
    def first(self) -> int | None:
        """The first invalid row, counted from 1; None when every row is valid."""
        found = np.flatnonzero(self.mask)
        return int(found[0]) + 1 if found.size else None

    def after_as_n(self) -> np.ndarray:
        """The rows still invalid once unknown letters are read as N (missing or empty ones)."""
        mask: np.ndarray = self.mask & (self.unknown_letters == 0)
        return mask


def _numbers(values: pa.Array) -> pa.Array:
    return pc.cast(pc.utf8_trim_whitespace(values), pa.float64())


def _not_numbers(values: pa.Array, kind: FeatureType) -> np.ndarray:
    n = len(values)
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        numeric = is_number(values).fill_null(True).to_numpy(zero_copy_only=False)
        bad = ~np.asarray(numeric, dtype=bool)
        if kind is FeatureType.INTEGER and not bad.all():
            ok = pc.filter(values, pa.array(~bad))
            whole = np.zeros(n, dtype=bool)
            parsed = _numbers(ok).fill_null(0).to_numpy(zero_copy_only=False)
            whole[~bad] = parsed != np.round(parsed)
            bad |= whole
        return bad
    if kind is FeatureType.INTEGER and pa.types.is_floating(values.type):
        array = values.fill_null(0).to_numpy(zero_copy_only=False)
        finite = np.where(np.isfinite(array), array, 0)
        return np.asarray(finite != np.round(finite), dtype=bool)
    return np.zeros(n, dtype=bool)


def _sequence_letters(values: pa.Array, alphabet_name: str) -> tuple[np.ndarray, np.ndarray]:
    """(empty rows, letters outside the alphabet per row) of a text column."""
    strings = values.cast(pa.string())
    if isinstance(strings, pa.ChunkedArray):
        strings = strings.combine_chunks()
    offsets, data = string_buffers(strings)
    flat = get_alphabet(alphabet_name).lookup_table()[data[offsets[0] : offsets[-1]]]
    bad = np.flatnonzero(flat == INVALID) + offsets[0]
    rows = np.searchsorted(offsets, bad, side="right") - 1
    letters = np.bincount(rows, minlength=len(strings)).astype(np.int64)
    return np.diff(offsets) == 0, letters


def invalid_rows(column: RawColumn, spec: FeatureSpec) -> InvalidRows:
    """The rows of `column` that `spec` cannot encode.

    Args:
        column: The imported column the feature reads.
        spec: The feature as specified (its type, alphabet and fixed categories count).

    Returns:
        The invalid rows, with the unknown letters of a text sequence column.
    """
    values = column.values
    mask = missing_mask(column)
    letters = np.zeros(len(column), dtype=np.int64)
    if not isinstance(values, pa.Array):  # NumPy arrays, already encoded sequences
        return InvalidRows(mask, letters)
    if spec.type in NUMERIC_TYPES:
        mask = mask | _not_numbers(values, spec.type)
    elif spec.type is FeatureType.SEQUENCE and spec.sequence is not None:
        empty, letters = _sequence_letters(values, spec.sequence.alphabet)
        mask = mask | empty | (letters > 0)
    elif spec.type is FeatureType.CATEGORICAL and spec.categories is not None:
        known = pc.is_in(values.cast(pa.string()), value_set=pa.array(spec.categories, pa.string()))
        mask = mask | ~np.asarray(known.fill_null(True).to_numpy(zero_copy_only=False), dtype=bool)
    return InvalidRows(mask, letters)


def reason(column: RawColumn, spec: FeatureSpec, index: int) -> str:
    """What is wrong with the value at `index` (0-based) for `spec`, in words."""
    value = column.values[index]
    shown = value.as_py() if isinstance(value, pa.Scalar) else value
    if shown is None or (isinstance(shown, float) and not np.isfinite(shown)):
        return "missing value"
    if spec.type in NUMERIC_TYPES:
        return f"{shown!r} is not a {'whole number' if spec.type is FeatureType.INTEGER else 'number'}"
    if spec.type is FeatureType.SEQUENCE and spec.sequence is not None:
        text = str(shown)
        if not text:
            return "empty sequence"
        alphabet = get_alphabet(spec.sequence.alphabet)
        table = alphabet.lookup_table()
        for position, char in enumerate(text, start=1):
            if ord(char) > 255 or table[ord(char)] == INVALID:
                return (
                    f"letter {char!r} at position {position} is not {alphabet.name} ({alphabet.symbols})"
                )
    if spec.type is FeatureType.CATEGORICAL:
        return f"{shown!r} is not one of the categories"
    return "cannot be read"


__all__ = ["InvalidRows", "invalid_rows", "reason"]
