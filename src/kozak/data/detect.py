"""Column type detection: a raw column in, a default `FeatureSpec` out.

Rules, in order: NumPy arrays are `array` (or `sequence` when they are one-hot DNA); Arrow
integers are `integer`, floats `float`, booleans `categorical`; text is a `sequence` when ≥ 95 % of
values are made of nucleotide (or, for long values, amino-acid) letters, `multilabel` when values
are delimited lists over a small vocabulary, `categorical` when it has few distinct values, and
`string` otherwise. Text that is almost all numbers is an error naming the first bad row.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kozak.data.feature_spec import FeatureSpec, FeatureType, SequenceEncoding
from kozak.data.table import RawColumn
from kozak.sequences import DNA, INVALID, PROTEIN, RNA, Alphabet, one_hot_to_codes, string_buffers

MAX_CATEGORIES = 50
MIN_SEQUENCE_LENGTH = 8  # shorter ACGT strings are more likely codes than sequences
MIN_PROTEIN_LENGTH = 20
SEQUENCE_SHARE = 0.95
LABEL_DELIMITERS = ("|", ";")
NUMBER_PATTERN = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"


def detect(column: RawColumn) -> FeatureSpec:
    """The default feature spec for a raw column."""
    values = column.values
    if isinstance(values, np.ndarray):
        return _detect_array(column.name, values)
    kind = values.type
    if pa.types.is_integer(kind):
        return FeatureSpec(name=column.name, source=column.name, type=FeatureType.INTEGER)
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return FeatureSpec(name=column.name, source=column.name, type=FeatureType.FLOAT)
    if pa.types.is_boolean(kind) or pa.types.is_null(kind):
        return FeatureSpec(name=column.name, source=column.name, type=FeatureType.CATEGORICAL)
    return _detect_text(column)


def _detect_array(name: str, values: np.ndarray) -> FeatureSpec:
    found = one_hot_to_codes(values) if values.ndim >= 3 else None
    if found is not None:
        alignment, length, padding = found.encoding()
        encoding = SequenceEncoding(alignment=alignment, length=length, padding=padding)
        # The array's own shape stays with the feature: deployments accept it back as sent.
        return FeatureSpec(
            name=name,
            source=name,
            type=FeatureType.SEQUENCE,
            sequence=encoding,
            shape=values.shape[1:],
        )
    if values.ndim == 1:
        kind = FeatureType.FLOAT if values.dtype.kind == "f" else FeatureType.INTEGER
        return FeatureSpec(name=name, source=name, type=kind)
    return FeatureSpec(name=name, source=name, type=FeatureType.ARRAY, shape=values.shape[1:])


def _share_in(alphabet: Alphabet, strings: pa.Array) -> float:
    """Share of values made only of the alphabet's letters."""
    offsets, data = string_buffers(strings)
    bad = np.flatnonzero(alphabet.lookup_table()[data[offsets[0] : offsets[-1]]] == INVALID)
    if not len(strings):
        return 0.0
    bad_rows = np.unique(np.searchsorted(offsets, bad + offsets[0], side="right") - 1)
    return 1.0 - len(bad_rows) / len(strings)


def _detect_text(column: RawColumn) -> FeatureSpec:
    name = column.name
    strings = column.values.cast(pa.string())
    present = strings.drop_null()
    if _mostly_numeric(column, present):
        return FeatureSpec(name=name, source=name, type=FeatureType.FLOAT)
    lengths = pc.utf8_length(present)
    mean_length = pc.mean(lengths).as_py() or 0.0
    if mean_length >= MIN_SEQUENCE_LENGTH and present.null_count == 0:
        for alphabet in (DNA, RNA):
            # A few bad rows are typos in a sequence column: encoding then names each one.
            if _share_in(alphabet, present) >= SEQUENCE_SHARE:
                detected = (
                    "rna" if _has_letter(present, "U") and not _has_letter(present, "T") else "dna"
                )
                return FeatureSpec(
                    name=name,
                    source=name,
                    type=FeatureType.SEQUENCE,
                    sequence=SequenceEncoding(alphabet=detected),
                )
        if mean_length >= MIN_PROTEIN_LENGTH and _share_in(PROTEIN, present) >= SEQUENCE_SHARE:
            return FeatureSpec(
                name=name,
                source=name,
                type=FeatureType.SEQUENCE,
                sequence=SequenceEncoding(alphabet="protein"),
            )
    for delimiter in LABEL_DELIMITERS:
        if pc.any(pc.match_substring(present, delimiter)).as_py():
            tokens = pc.unique(pc.list_flatten(pc.split_pattern(present, delimiter)))
            if len(tokens) <= MAX_CATEGORIES * 2 and len(tokens) <= max(len(present) // 2, 2):
                return FeatureSpec(
                    name=name, source=name, type=FeatureType.MULTILABEL, delimiter=delimiter
                )
    n_unique = len(pc.unique(present))
    if n_unique <= MAX_CATEGORIES and n_unique <= max(len(present) // 2, 2):
        return FeatureSpec(name=name, source=name, type=FeatureType.CATEGORICAL)
    return FeatureSpec(name=name, source=name, type=FeatureType.STRING)


def _has_letter(strings: pa.Array, letter: str) -> bool:
    """Whether `letter` occurs anywhere in the column, in either case."""
    offsets, data = string_buffers(strings)
    used = data[offsets[0] : offsets[-1]]
    return bool(np.any((used | 0x20) == ord(letter.lower())))


def _mostly_numeric(column: RawColumn, present: pa.Array) -> bool:
    """A text column that is ≥ 90 % numbers has typos, not a meaning: it is a number column
    whose bad rows encoding names (and the user can drop)."""
    if not len(present):
        return False
    numeric = is_number(column.values.cast(pa.string()))
    return bool(pc.sum(numeric).as_py() / len(present) >= 0.9)


def is_number(strings: pa.Array) -> pa.Array:
    """Per value: does the text spell a number (nulls stay null)?"""
    return pc.match_substring_regex(strings, NUMBER_PATTERN)


def first_false(flags: pa.Array) -> int:
    """Row of the first false flag (nulls count as true)."""
    return int(np.flatnonzero(~flags.fill_null(True).to_numpy(zero_copy_only=False))[0])
