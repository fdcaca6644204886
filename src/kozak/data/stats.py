"""Statistics per feature, for all rows and per subset, computed once at save time.

Numbers: count, mean, sd, min, max and a 20-bin histogram (bins shared by all subsets).
Categories and labels: counts. Text: count and distinct values. Sequences: length
distribution, base composition and (for all rows) per-position composition in the feature's
encoding window. Arrays: shape and summary numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kozak.data.encode import FeatureData
from kozak.data.feature_spec import FeatureType, SequenceEncoding
from kozak.sequences import EncodedSequences, alignment_offsets, get_alphabet

HISTOGRAM_BINS = 20


def _numbers(values: np.ndarray, edges: np.ndarray | None) -> dict[str, Any]:
    if not len(values):
        return {"count": 0}
    as_float = values.astype(np.float64, copy=False)
    counts, _ = np.histogram(as_float, bins=edges if edges is not None else HISTOGRAM_BINS)
    return {
        "count": len(values),
        "mean": float(as_float.mean()),
        "sd": float(as_float.std(ddof=1)) if len(values) > 1 else 0.0,
        "min": float(as_float.min()),
        "max": float(as_float.max()),
        "histogram": {"counts": counts.tolist()},
    }


def _sequences(
    seqs: EncodedSequences, encoding: SequenceEncoding | None, max_length: int
) -> dict[str, Any]:
    alphabet = get_alphabet(seqs.alphabet)
    letters = list(alphabet.letters)
    lengths = seqs.lengths
    if not len(seqs):
        return {"count": 0}
    by_length = np.bincount(lengths)
    total = float(lengths.sum()) or 1.0
    positions = None
    if encoding is not None:
        positions = _position_counts(seqs, encoding, max_length, len(letters))
    if positions is not None and positions.sum() == total:
        composition = positions.sum(axis=0)  # nothing was cut: the window holds every letter
    else:
        # count_nonzero per letter avoids materialising an int64 copy of every code
        counts = [np.count_nonzero(seqs.codes == code) for code in range(len(letters))]
        composition = np.array([*counts, total - sum(counts)], dtype=np.float64)
    result: dict[str, Any] = {
        "count": len(seqs),
        "length": {
            "min": int(lengths.min()),
            "max": int(lengths.max()),
            "mean": float(lengths.mean()),
            "counts": {str(n): int(c) for n, c in enumerate(by_length) if c},
        },
        "composition": {
            **{letter: float(composition[i] / total) for i, letter in enumerate(letters)},
            "other": float(composition[-1] / total),
        },
    }
    if positions is not None:
        covered = positions.sum(axis=1, keepdims=True)
        fractions = np.divide(positions, covered, out=np.zeros_like(positions), where=covered > 0)
        result["per_position"] = {
            "window": len(positions),
            "fractions": np.round(fractions, 5).tolist(),
            "coverage": covered[:, 0].astype(int).tolist(),
        }
    return result


def _position_counts(
    seqs: EncodedSequences, encoding: SequenceEncoding, max_length: int, n_letters: int
) -> np.ndarray:
    """(window, letters + 1) counts of each letter (and `other`) at every one-hot position."""
    length = encoding.length or max_length
    window = encoding.window(max_length)
    lengths = seqs.lengths.astype(np.int64)
    offsets = alignment_offsets(lengths, length, encoding.alignment) + encoding.padding
    slots = n_letters + 1
    table = np.zeros((window, slots), dtype=np.float64)
    # Rows of one length share one offset, so each group is counted column-wise in one pass.
    for size in np.unique(lengths):
        rows = lengths == size
        position = np.arange(size) + int(offsets[np.argmax(rows)])
        inside = (position >= encoding.padding) & (position < encoding.padding + length)
        block = seqs.codes[:, :size] if rows.all() else seqs.codes[rows, :size]  # view if we can
        if not inside.all():
            block = block[:, inside]  # (rows of this length, positions kept)
        target = position[inside]
        for code in range(n_letters):
            table[target, code] += np.count_nonzero(block == code, axis=0)
        table[target, n_letters] += np.count_nonzero(block >= n_letters, axis=0)  # ambiguity
    return table


def feature_stats(
    data: FeatureData,
    rows: np.ndarray | None = None,
    *,
    edges: np.ndarray | None = None,
    per_position: bool = False,
) -> dict[str, Any]:
    """Statistics of one feature over `rows` (a boolean mask; all rows when None)."""
    spec, values = data.spec, data.values
    kind = spec.type
    if kind in (FeatureType.INTEGER, FeatureType.FLOAT):
        assert isinstance(values, np.ndarray)
        return _numbers(values if rows is None else values[rows], edges)
    if kind is FeatureType.SEQUENCE:
        assert isinstance(values, EncodedSequences) and spec.sequence is not None
        subset = values if rows is None else values.take(rows)
        encoding = spec.sequence
        return _sequences(subset, encoding if per_position else None, values.max_length)
    if kind in (FeatureType.CATEGORICAL, FeatureType.MULTILABEL):
        assert isinstance(values, np.ndarray) and spec.categories is not None
        chosen = values if rows is None else values[rows]
        if kind is FeatureType.CATEGORICAL:
            counts = np.bincount(chosen, minlength=len(spec.categories))
        else:
            counts = chosen.sum(axis=0)
        return {
            "count": len(chosen),
            "counts": {c: int(n) for c, n in zip(spec.categories, counts, strict=True)},
        }
    if kind is FeatureType.STRING:
        assert isinstance(values, pa.Array)
        chosen_text = values if rows is None else values.filter(pa.array(rows))
        return {"count": len(chosen_text), "distinct": len(pc.unique(chosen_text))}
    assert isinstance(values, np.ndarray)
    chosen = values if rows is None else values[rows]
    summary = _numbers(chosen.reshape(-1), None) if chosen.size else {"count": 0}
    summary.pop("histogram", None)
    return {**summary, "count": len(chosen), "shape": list(values.shape[1:])}


def compute_stats(features: list[FeatureData], masks: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """`{"all": {feature: stats}, "subsets": {subset: {feature: stats}}}`."""
    everything: dict[str, Any] = {}
    subsets: dict[str, dict[str, Any]] = {name: {} for name in masks}
    for data in features:
        edges = None
        if data.spec.type in (FeatureType.INTEGER, FeatureType.FLOAT):
            assert isinstance(data.values, np.ndarray)
            edges = np.histogram_bin_edges(data.values.astype(np.float64), bins=HISTOGRAM_BINS)
        stats = feature_stats(data, edges=edges, per_position=True)
        if edges is not None:
            stats["histogram"]["edges"] = edges.tolist()
        everything[data.spec.name] = stats
        for name, mask in masks.items():
            subsets[name][data.spec.name] = feature_stats(data, mask, edges=edges)
    return {"all": everything, "subsets": subsets}
