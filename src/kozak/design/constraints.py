"""`ConstraintSet`: which candidates a design may choose, checked on codes in bulk.

Fixed positions are never offered for change. A candidate is refused when it gains a forbidden
motif at a place its start did not have it, has more edits from its start than `max_edits`, or
leaves the GC range (a candidate moving toward the range is allowed, so a start outside it can
get in). The least distance between designs depends on the order they change in and is applied
by the strategies (`far_enough`).
"""

from __future__ import annotations

import numpy as np

from kozak.design.settings import Constraints
from kozak.errors import InvalidConfig
from kozak.sequences import Alphabet

GC_CODES = (1, 2)  # C and G in the DNA and RNA code order


class ConstraintSet:
    """The constraints of a design, ready to check candidates of one alphabet.

    Raises:
        InvalidConfig: For a motif with letters outside the alphabet, or a GC range on protein.
    """

    def __init__(self, constraints: Constraints, alphabet: Alphabet) -> None:
        self.constraints = constraints
        self.alphabet = alphabet
        self._motifs = [self._motif_tables(m) for m in constraints.forbidden_motifs]
        self._gc = constraints.gc_min is not None or constraints.gc_max is not None
        if self._gc and alphabet.name == "protein":
            raise InvalidConfig("a GC range applies to DNA or RNA designs", field="constraints.gc_min")

    def _motif_tables(self, motif: str) -> np.ndarray:
        """(k, 256) bool: which codes each motif letter matches."""
        if not motif:
            raise InvalidConfig(
                "forbidden motifs may not be empty", field="constraints.forbidden_motifs"
            )
        lookup = self.alphabet.lookup_table()
        tables = np.zeros((len(motif), 256), dtype=bool)
        for j, letter in enumerate(motif):
            code = int(lookup[ord(letter)]) if ord(letter) < 256 else 254
            if code >= len(self.alphabet.symbols):
                raise InvalidConfig(
                    f"forbidden motif {motif!r}: {letter!r} is not a {self.alphabet.name} letter "
                    f"({self.alphabet.symbols})",
                    field="constraints.forbidden_motifs",
                )
            symbol = self.alphabet.symbols[code]
            bases = self.alphabet.ambiguity.get(symbol, symbol)
            for base in bases:
                tables[j, self.alphabet.letters.index(base)] = True
        return tables

    def allowed_positions(self, lengths: np.ndarray, width: int) -> np.ndarray:
        """(N, width) bool: positions inside each sequence that may change."""
        columns = np.arange(width)[None, :]
        allowed = columns < lengths[:, None]
        for position in self.constraints.fixed_positions:
            index = position - 1 if position > 0 else lengths + position  # (N,) when negative
            allowed &= columns != np.asarray(index).reshape(-1, 1)
        return allowed

    def motif_hits(self, codes: np.ndarray) -> np.ndarray:
        """(N, width) bool: where any forbidden motif starts."""
        n, width = codes.shape
        hits = np.zeros((n, width), dtype=bool)
        for tables in self._motifs:
            k = len(tables)
            if k > width:
                continue
            match = np.ones((n, width - k + 1), dtype=bool)
            for j in range(k):
                match &= tables[j][codes[:, j : width - k + 1 + j]]
            hits[:, : width - k + 1] |= match
        return hits

    def check(
        self,
        codes: np.ndarray,
        lengths: np.ndarray,
        parents: np.ndarray,
        starts: np.ndarray,
        start_hits: np.ndarray | None = None,
    ) -> np.ndarray:
        """(M,) bool: which candidates keep every constraint.

        Args:
            codes: (M, L) candidate codes.
            lengths: (M,) their lengths.
            parents: (M, L) codes of the sequences they were made from (for the GC rule).
            starts: (M, L) codes of their start sequences.
            start_hits: (M, L) `motif_hits(starts)`, when already computed.
        """
        ok = np.ones(len(lengths), dtype=bool)
        inside = np.arange(codes.shape[1])[None, :] < lengths[:, None]
        if self._motifs:
            before = self.motif_hits(starts) if start_hits is None else start_hits
            ok &= ~(self.motif_hits(codes) & ~before).any(axis=1)
        if self.constraints.max_edits is not None:
            edits = ((codes != starts) & inside).sum(axis=1)
            ok &= edits <= self.constraints.max_edits
        if self._gc:
            ok &= self._gc_ok(codes, parents, lengths)
        return ok

    def _gc_ok(self, codes: np.ndarray, parents: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        low = self.constraints.gc_min if self.constraints.gc_min is not None else 0.0
        high = self.constraints.gc_max if self.constraints.gc_max is not None else 1.0

        def outside(values: np.ndarray) -> np.ndarray:
            gc = np.isin(values, GC_CODES).sum(axis=1) / np.maximum(lengths, 1)
            return np.maximum(low - gc, 0) + np.maximum(gc - high, 0)

        distance, before = outside(codes), outside(parents)
        return (distance == 0) | (distance < before)

    def far_enough(
        self, candidates: np.ndarray, lengths: np.ndarray, others: np.ndarray, other_lengths: np.ndarray
    ) -> np.ndarray:
        """(M,) bool: candidates at least `min_distance` from every one of `others` of their length."""
        needed = self.constraints.min_distance
        if needed is None or len(others) == 0:
            return np.ones(len(candidates), dtype=bool)
        same = lengths[:, None] == other_lengths[None, :]  # (M, K)
        distance = (candidates[:, None, :] != others[None, :, :]).sum(axis=2)
        return ~(same & (distance < needed)).any(axis=1)
