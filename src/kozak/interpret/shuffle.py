"""Dinucleotide-preserving shuffles of sequences given as uint8 codes (the references of
DeepLIFT/SHAP and integrated gradients).

`dinucleotide_shuffle(codes, lengths, count, rng)` returns `count` shuffles of every sequence,
each with exactly the dinucleotide (adjacent-pair) counts of its original, its first and last
letter kept, and padding left as it was. It is the Altschul–Erickson Eulerian-walk algorithm: the
sequence is a walk over the graph whose vertices are letters and whose edges are its
dinucleotides; a random arborescence of "last exits" into the final letter guarantees the
reshuffled walk uses every edge once.
"""

from __future__ import annotations

import numpy as np

from kozak.sequences import PAD


def dinucleotide_shuffle(
    codes: np.ndarray, lengths: np.ndarray, count: int, rng: np.random.Generator
) -> np.ndarray:
    """`count` dinucleotide-preserving shuffles of each sequence.

    Args:
        codes: (N, L) uint8 codes padded with PAD.
        lengths: (N,) lengths.
        count: Shuffles per sequence.
        rng: Source of randomness (seeded by the caller for repeatable references).

    Returns:
        (N, count, L) uint8 codes; positions past each sequence's end stay PAD.
    """
    n, width = codes.shape
    result = np.full((n, count, width), PAD, dtype=np.uint8)
    for row in range(n):
        sequence = codes[row, : int(lengths[row])]
        for index in range(count):
            result[row, index, : len(sequence)] = shuffle_one(sequence, rng)
    return result


def shuffle_one(sequence: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One dinucleotide-preserving shuffle of a 1-D code array (sequences under 3 letters and
    those with a single possible walk come back unchanged)."""
    length = len(sequence)
    if length < 3:
        return sequence.copy()
    exits: dict[int, list[int]] = {}
    for first, second in zip(sequence[:-1].tolist(), sequence[1:].tolist(), strict=True):
        exits.setdefault(first, []).append(second)
    last = int(sequence[-1])
    last_exit = _arborescence(exits, last, rng)
    order: dict[int, list[int]] = {}
    for vertex, targets in exits.items():
        targets = list(targets)
        if vertex in last_exit:
            targets.remove(last_exit[vertex])
        rng.shuffle(targets)
        if vertex in last_exit:
            targets.append(last_exit[vertex])
        order[vertex] = targets
    walk = [int(sequence[0])]
    cursor = dict.fromkeys(order, 0)
    for _ in range(length - 1):
        vertex = walk[-1]
        walk.append(order[vertex][cursor[vertex]])
        cursor[vertex] += 1
    return np.asarray(walk, dtype=sequence.dtype)


def _arborescence(exits: dict[int, list[int]], root: int, rng: np.random.Generator) -> dict[int, int]:
    """A random last exit for every vertex but `root` such that following last exits from any
    vertex reaches `root` (so the walk never strands an edge); rejection-sampled."""
    vertices = [v for v in exits if v != root]
    while True:
        chosen = {v: exits[v][int(rng.integers(len(exits[v])))] for v in vertices}
        if all(_reaches(v, root, chosen) for v in vertices):
            return chosen


def _reaches(vertex: int, root: int, chosen: dict[int, int]) -> bool:
    seen = set()
    while vertex != root:
        if vertex in seen or vertex not in chosen:
            return False
        seen.add(vertex)
        vertex = chosen[vertex]
    return True
