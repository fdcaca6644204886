"""`Evaluator`: candidates as codes → one score per candidate, from one model or an ensemble.

Every model scores every candidate through the shared `SequenceScorer`; the objective's
prediction (a regression output or a class probability) is averaged over the models, their
standard deviation is the uncertainty, and the score is the goal applied to the mean
(maximize: the mean; minimize: its negative; target: minus the distance to the value), less
`uncertainty_penalty` standard deviations. Higher scores are always better.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kozak.deploy.scoring import SequenceScorer
from kozak.design.settings import Objective
from kozak.errors import InvalidConfig


@dataclass(frozen=True)
class Evaluation:
    """Scores of N candidates: `score`, `prediction` (ensemble mean), `uncertainty` (its sd),
    and `per_model` (models, N) predictions."""

    score: np.ndarray
    prediction: np.ndarray
    uncertainty: np.ndarray
    per_model: np.ndarray


class Evaluator:
    """The objective over one or several scorers (of models sharing one alphabet).

    Raises:
        InvalidConfig: If the target, class or output index is not one every model has, or the
            models read different alphabets.
    """

    def __init__(self, scorers: Sequence[SequenceScorer], objective: Objective) -> None:
        if not scorers:
            raise InvalidConfig("a design needs at least one model")
        self.scorers = list(scorers)
        self.objective = objective
        alphabets = {s.alphabet.name for s in self.scorers}
        if len(alphabets) > 1:
            raise InvalidConfig(
                f"the models read different alphabets ({', '.join(sorted(alphabets))}); "
                "an ensemble must share one",
                field="experiments",
            )
        first = self.scorers[0]
        self.target = objective.target or next(iter(first.model.targets))
        self.class_index: int | None = None
        for scorer in self.scorers:
            if self.target not in scorer.model.targets:
                raise InvalidConfig(
                    f"objective target {self.target!r} is not a target of every model; this one "
                    f"has {', '.join(scorer.model.targets)}",
                    field="objective.target",
                )
            if not scorer.numeric(self.target):
                classes = scorer.categories(self.target)
                wanted = objective.class_name or classes[-1]
                if wanted not in classes:
                    raise InvalidConfig(
                        f"objective class {wanted!r} is not a class of {self.target!r} "
                        f"({', '.join(classes)})",
                        field="objective.class_name",
                    )
                self.class_index = classes.index(wanted)
        self.alphabet = first.alphabet
        self.length = min(s.length for s in self.scorers)

    @property
    def label(self) -> str:
        """What the prediction is, for people: the target, or `target: P(class)`."""
        if self.class_index is None:
            return self.target
        classes = self.scorers[0].categories(self.target)
        return f"{self.target}: P({classes[self.class_index]})"

    def _prediction(self, scorer: SequenceScorer, codes: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        values = scorer.score_codes(codes, lengths)[self.target]
        if self.class_index is not None:
            return values[:, self.class_index]
        if values.ndim == 2:
            if self.objective.index >= values.shape[1]:
                raise InvalidConfig(
                    f"objective index {self.objective.index} is past the {values.shape[1]} outputs "
                    f"of {self.target!r}",
                    field="objective.index",
                )
            return values[:, self.objective.index]
        return values

    def first_order(
        self,
        codes: np.ndarray,
        lengths: np.ndarray,
        predictions: np.ndarray,
        parent: np.ndarray,
        position: np.ndarray,
        letter: np.ndarray,
    ) -> np.ndarray:
        """Gradient estimates of how much each single substitution raises the score.

        Args:
            codes: (K, L) the sequences substituted, `lengths` (K,) their lengths.
            predictions: (K,) their current ensemble predictions (for a `target` goal).
            parent, position, letter: (M,) each candidate's sequence row, position and letter.

        Returns:
            (M,) the first-order change of the objective (averaged over the models).
        """
        column = self.class_index if self.class_index is not None else self.objective.index
        current = codes[parent, position]
        total = np.zeros(len(parent))
        for scorer in self.scorers:
            grad = scorer.gradients(codes, lengths, self.target, column)
            total += grad[parent, letter, position] - grad[parent, current, position]
        change = total / len(self.scorers)
        if self.objective.goal == "minimize":
            return -change
        if self.objective.goal == "target":
            assert self.objective.value is not None
            return change * np.sign(self.objective.value - predictions[parent])
        return change

    def __call__(self, codes: np.ndarray, lengths: np.ndarray) -> Evaluation:
        """Score candidates given as (N, L) codes and (N,) lengths."""
        if len(lengths) == 0:
            empty = np.zeros(0)
            return Evaluation(empty, empty, empty, np.zeros((len(self.scorers), 0)))
        per_model = np.stack([self._prediction(s, codes, lengths) for s in self.scorers])
        mean = per_model.mean(axis=0)
        spread = per_model.std(axis=0) if len(self.scorers) > 1 else np.zeros_like(mean)
        goal = self.objective.goal
        if goal == "maximize":
            score = mean.copy()
        elif goal == "minimize":
            score = -mean
        else:
            assert self.objective.value is not None
            score = -np.abs(mean - self.objective.value)
        score = score - self.objective.uncertainty_penalty * spread
        return Evaluation(score, mean, spread, per_model)
