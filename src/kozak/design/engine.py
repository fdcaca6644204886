"""`run_design`: start sequences + models + settings → `DesignResult`, one round at a time.

The starts are validated in the models' alphabet (a bad letter names its row and position),
scored once, then the strategy runs up to `settings.rounds` rounds, ending early when every design
is done or `stop` is set; `on_round` hears each finished round (for progress events).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import numpy as np

from kozak.deploy.scoring import SequenceScorer
from kozak.design.constraints import ConstraintSet
from kozak.design.objective import Evaluation, Evaluator
from kozak.design.results import Design, DesignResult, TrajectoryStep
from kozak.design.settings import DesignSettings
from kozak.design.state import DesignState
from kozak.design.strategies import STRATEGIES, Search
from kozak.errors import DataError

RoundCallback = Callable[[DesignState, int], None]
MAX_STARTS = 10_000


class _Counting:
    """Wraps the evaluator to count the candidates it scores (for throughput figures)."""

    def __init__(self, evaluator: Evaluator) -> None:
        self.evaluator = evaluator
        self.count = 0

    def __call__(self, codes: np.ndarray, lengths: np.ndarray) -> Evaluation:
        self.count += len(lengths) * len(self.evaluator.scorers)
        return self.evaluator(codes, lengths)

    def first_order(self, *args: np.ndarray) -> np.ndarray:
        """`Evaluator.first_order` (gradients are not counted as scored candidates)."""
        return self.evaluator.first_order(*args)


def run_design(
    scorers: Sequence[SequenceScorer],
    sequences: Sequence[str],
    settings: DesignSettings,
    *,
    names: Sequence[str] | None = None,
    models: Sequence[str] = (),
    on_round: RoundCallback | None = None,
    stop: threading.Event | None = None,
) -> DesignResult:
    """Design better sequences from `sequences`.

    Args:
        scorers: One scorer per model (an ensemble when several).
        sequences: The start sequences, in the models' letters (any case).
        settings: Strategy, rounds, objective and constraints.
        names: One name per start; default `seq1`, `seq2`, ...
        models: Names of the models, for the result.
        on_round: Called after each round with the state and the round number.
        stop: When set, the run ends after its current round.

    Raises:
        DataError: No starts, too many, names not matching, or a start the models cannot read
            (its row and letter named), or one longer than the models' window.
        InvalidConfig: An unknown strategy, target or class, or a bad constraint.
    """
    strategy = STRATEGIES.get(settings.strategy)
    if not sequences:
        raise DataError("a design needs at least one start sequence", field="starts")
    if len(sequences) > MAX_STARTS:
        raise DataError(f"{len(sequences)} start sequences; at most {MAX_STARTS}", field="starts")
    labels = list(names) if names is not None else [f"seq{i + 1}" for i in range(len(sequences))]
    if len(labels) != len(sequences):
        raise DataError(f"{len(labels)} names for {len(sequences)} sequences", field="names")
    evaluator = Evaluator(scorers, settings.objective)
    constraints = ConstraintSet(settings.constraints, evaluator.alphabet)
    encoded = scorers[0].encode(sequences)
    for scorer in scorers:  # the shortest window of an ensemble decides
        scorer.check_fit(encoded.lengths, "starts", lambda row: f"start {row} ({labels[row]})")
    ambiguous = np.flatnonzero(
        ((encoded.codes >= evaluator.alphabet.channels) & (encoded.codes != 255)).any(axis=1)
    )
    if len(ambiguous):
        row = int(ambiguous[0])
        raise DataError(
            f"start {row} ({labels[row]}) holds ambiguity letters; a design starts from "
            f"{evaluator.alphabet.letters} only",
            row=row,
            field="starts",
        )
    counting = _Counting(evaluator)
    started = time.perf_counter()
    state = DesignState.begin(
        labels,
        encoded.codes,
        encoded.lengths,
        counting(encoded.codes, encoded.lengths),
        evaluator.alphabet.letters,
    )
    search = Search(
        counting,  # type: ignore[arg-type]
        constraints,
        settings,
        np.random.default_rng(settings.seed),
        constraints.allowed_positions(encoded.lengths, encoded.max_length),
        constraints.motif_hits(encoded.codes),
    )
    rounds, stopped = 0, False
    for round_ in range(1, settings.rounds + 1):
        if stop is not None and stop.is_set():
            stopped = True
            break
        if state.done.all():
            break
        strategy(state, search, round_)
        state.end_round()
        rounds = round_
        if on_round is not None:
            on_round(state, round_)
    return _result(
        state,
        evaluator,
        settings,
        rounds,
        stopped,
        list(models),
        time.perf_counter() - started,
        counting.count,
    )


def _result(
    state: DesignState,
    evaluator: Evaluator,
    settings: DesignSettings,
    rounds: int,
    stopped: bool,
    models: list[str],
    seconds: float,
    scored: int,
) -> DesignResult:
    starts, finals = state.sequences(state.starts), state.sequences()
    designs = []
    for i, name in enumerate(state.names):
        designs.append(
            Design(
                index=i,
                name=name,
                start=starts[i],
                sequence=finals[i],
                edits=state.edits(state.starts[i], state.codes[i], int(state.lengths[i])),
                start_prediction=float(state.start_prediction[i]),
                prediction=float(state.prediction[i]),
                uncertainty=float(state.uncertainty[i]),
                per_model=[float(v) for v in state.per_model[:, i]],
                score=float(state.score[i]),
                last_change=int(state.last_change[i]),
                converged=bool(state.done[i]),
                trajectory=[
                    TrajectoryStep(
                        round=s.round,
                        edits=s.edits,
                        prediction=s.prediction,
                        score=s.score,
                        uncertainty=s.uncertainty,
                    )
                    for s in state.history[i]
                ],
            )
        )
    return DesignResult(
        label=evaluator.label,
        goal=settings.objective.goal,
        strategy=settings.strategy,
        rounds=rounds,
        stopped=stopped,
        models=models,
        round_predictions=state.round_predictions,
        designs=designs,
        seconds=seconds,
        candidates_scored=scored,
    )
