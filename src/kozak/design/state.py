"""`DesignState`: the sequences a design is changing, their scores and what happened to them.

All sequences are uint8 codes (`kozak.sequences`) of one width; a strategy's round reads the
state and records each change with `apply`, which keeps the trajectories and the edits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kozak.design.objective import Evaluation


@dataclass(frozen=True)
class Step:
    """One change of a design: the round, the edits made, and the scores after it."""

    round: int
    edits: list[str]
    score: float
    prediction: float
    uncertainty: float


@dataclass
class DesignState:
    """The designs of one run; index i is the design made from start i.

    Attributes:
        names: One name per start.
        starts: (N, L) codes of the starts.
        lengths: (N,) their lengths (designs keep them).
        codes: (N, L) the best sequence found so far for each start.
        score: (N,) its score; `prediction`, `uncertainty` and `per_model` likewise.
        last_change: (N,) the last round that changed it (0: never).
        done: (N,) bool: the search has nothing better to offer it.
        history: Per design, its changes in order.
        round_predictions: Per round (0 = the starts), the N predictions after it.
        extra: Strategy-owned state (the beam, the annealing walker).
    """

    names: list[str]
    starts: np.ndarray
    lengths: np.ndarray
    codes: np.ndarray
    score: np.ndarray
    prediction: np.ndarray
    uncertainty: np.ndarray
    per_model: np.ndarray
    letters: str
    last_change: np.ndarray = field(init=False)
    done: np.ndarray = field(init=False)
    history: list[list[Step]] = field(init=False)
    round_predictions: list[list[float]] = field(init=False)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.lengths)
        self.last_change = np.zeros(n, dtype=np.int64)
        self.done = np.zeros(n, dtype=bool)
        self.history = [[] for _ in range(n)]
        self.round_predictions = [self.prediction.astype(float).tolist()]
        self.start_prediction = self.prediction.copy()
        self.start_score = self.score.copy()
        self.start_uncertainty = self.uncertainty.copy()
        self.start_per_model = self.per_model.copy()

    @classmethod
    def begin(
        cls, names: list[str], codes: np.ndarray, lengths: np.ndarray, first: Evaluation, letters: str
    ) -> DesignState:
        """The state before round 1: every design is its start."""
        return cls(
            names,
            codes.copy(),
            lengths.copy(),
            codes.copy(),
            first.score.copy(),
            first.prediction.copy(),
            first.uncertainty.copy(),
            first.per_model.copy(),
            letters,
        )

    def edits(self, old: np.ndarray, new: np.ndarray, length: int) -> list[str]:
        """`A12G`-style edits (1-based) that turn `old` into `new`."""
        changed = np.flatnonzero(old[:length] != new[:length])
        return [f"{self.letters[old[p]]}{p + 1}{self.letters[new[p]]}" for p in changed]

    def apply(
        self, index: int, codes: np.ndarray, evaluation: Evaluation, row: int, round_: int
    ) -> None:
        """Make `codes` design `index`'s best, with the scores at `row` of `evaluation`."""
        edits = self.edits(self.codes[index], codes, int(self.lengths[index]))
        self.codes[index] = codes
        self.score[index] = evaluation.score[row]
        self.prediction[index] = evaluation.prediction[row]
        self.uncertainty[index] = evaluation.uncertainty[row]
        self.per_model[:, index] = evaluation.per_model[:, row]
        self.last_change[index] = round_
        self.history[index].append(
            Step(
                round_,
                edits,
                float(evaluation.score[row]),
                float(evaluation.prediction[row]),
                float(evaluation.uncertainty[row]),
            )
        )

    def end_round(self) -> None:
        """Record the predictions after a round (for the per-round box plots)."""
        self.round_predictions.append(self.prediction.astype(float).tolist())

    def sequences(self, codes: np.ndarray | None = None) -> list[str]:
        """The designs (or `codes`) as strings."""
        rows = self.codes if codes is None else codes
        return [
            "".join(self.letters[c] for c in row[:n])
            for row, n in zip(rows, self.lengths.tolist(), strict=True)
        ]
