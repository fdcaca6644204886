"""Dinucleotide shuffles keep every adjacent pair, the ends and the padding; they do shuffle."""

from __future__ import annotations

from collections import Counter

import numpy as np

from kozak.interpret import dinucleotide_shuffle
from kozak.sequences import DNA, PAD, encode_strings


def _pairs(text: str) -> Counter[str]:
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def test_shuffles_keep_dinucleotides_ends_and_padding() -> None:
    rng = np.random.default_rng(0)
    texts = ["".join(rng.choice(list("ACGT"), n)) for n in (50, 37, 2, 1)] + ["AAAAAAA"]
    encoded = encode_strings(texts, DNA)
    shuffled = dinucleotide_shuffle(encoded.codes, encoded.lengths, 5, np.random.default_rng(1))
    assert shuffled.shape == (5, 5, 50)
    changed = 0
    for row, text in enumerate(texts):
        for copy in shuffled[row]:
            assert (copy[len(text) :] == PAD).all()
            out = "".join("ACGT"[c] for c in copy[: len(text)])
            assert _pairs(out) == _pairs(text)
            assert out[:1] == text[:1] and out[-1:] == text[-1:]
            changed += out != text
    assert changed == 10  # every shuffle of the two long ones (the short ones have one walk)


def test_same_seed_same_shuffles() -> None:
    encoded = encode_strings(["ACGTTGCAATGCCGTA"], DNA)
    first = dinucleotide_shuffle(encoded.codes, encoded.lengths, 3, np.random.default_rng(7))
    again = dinucleotide_shuffle(encoded.codes, encoded.lengths, 3, np.random.default_rng(7))
    assert (first == again).all()
