"""Search strategies, one round at a time, in the `STRATEGIES` registry.

A strategy is `round(state, search, round_number)`: it scores candidates through
`search.evaluator` (every candidate of every design in one batched call) and records each
improvement with `state.apply`, marking designs it can no longer improve `done`.

- `greedy`: the paper's ascent. Every single substitution at every changeable position inside the
  sequence is scored; the best is kept if it beats the current sequence, else the design is done.
- `beam`: the same expansion from the `beam_width` best distinct sequences found per start.
- `annealing`: `proposals` random substitutions a round; the best is accepted by the Metropolis
  rule at a temperature falling linearly to zero; the best sequence ever seen is the design.
- `gradient`: gradient-guided proposals (as in Ledidi): the model's input gradient ranks every
  allowed substitution to first order, only the `proposals` best per design are scored exactly,
  and the best is kept if it improves; far fewer forwards per round than `greedy`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kozak.deploy.scoring import single_substitutions
from kozak.design.constraints import ConstraintSet
from kozak.design.objective import Evaluator
from kozak.design.settings import DesignSettings
from kozak.design.state import DesignState
from kozak.registry import Registry


@dataclass
class Search:
    """What a strategy works with: the objective, the constraints, the settings, the RNG."""

    evaluator: Evaluator
    constraints: ConstraintSet
    settings: DesignSettings
    rng: np.random.Generator
    allowed: np.ndarray  # (N, L) positions that may change
    start_hits: np.ndarray  # (N, L) where the starts have forbidden motifs


Strategy = Callable[[DesignState, Search, int], None]
STRATEGIES: Registry[Strategy] = Registry("design strategy")


def _pick(
    state: DesignState,
    search: Search,
    index: int,
    codes: np.ndarray,
    scores: np.ndarray,
    floor: float,
) -> int | None:
    """The first candidate (best score first) above `floor` that is far enough from the others."""
    order = np.argsort(-scores, kind="stable")
    order = order[scores[order] > floor]
    if len(order) == 0:
        return None
    if search.settings.constraints.min_distance is None:
        return int(order[0])
    others = np.arange(len(state.lengths)) != index
    lengths = np.full(len(order), state.lengths[index])
    far = search.constraints.far_enough(
        codes[order], lengths, state.codes[others], state.lengths[others]
    )
    hits = np.flatnonzero(far)
    return int(order[hits[0]]) if len(hits) else None


Arrays = tuple[np.ndarray, ...]


def _candidates(
    state: DesignState, search: Search, parents_codes: np.ndarray, owners: np.ndarray
) -> Arrays:
    """Every allowed single substitution of `parents_codes` (rows owned by designs `owners`)."""
    subs = single_substitutions(
        parents_codes, state.lengths[owners], len(state.letters), search.allowed[owners]
    )
    design = owners[subs.parent]
    ok = search.constraints.check(
        subs.codes,
        subs.lengths,
        parents_codes[subs.parent],
        state.starts[design],
        search.start_hits[design],
    )
    return subs.codes[ok], subs.lengths[ok], design[ok], subs.parent[ok]


def _candidate_sites(state: DesignState, search: Search, active: np.ndarray) -> Arrays:
    """Allowed single substitutions of the active designs, with their positions and letters."""
    subs = single_substitutions(
        state.codes[active], state.lengths[active], len(state.letters), search.allowed[active]
    )
    design = active[subs.parent]
    ok = search.constraints.check(
        subs.codes, subs.lengths, state.codes[design], state.starts[design], search.start_hits[design]
    )
    return (
        subs.codes[ok],
        subs.lengths[ok],
        design[ok],
        subs.parent[ok],
        subs.position[ok],
        subs.letter[ok],
    )


@STRATEGIES.decorator("greedy")
def greedy(state: DesignState, search: Search, round_: int) -> None:
    """One round of the paper's greedy single-substitution ascent."""
    active = np.flatnonzero(~state.done)
    if len(active) == 0:
        return
    codes, lengths, design, _ = _candidates(state, search, state.codes[active], active)
    evaluation = search.evaluator(codes, lengths)
    bounds = np.searchsorted(design, active, side="left"), np.searchsorted(design, active, side="right")
    for index, lo, hi in zip(active.tolist(), *bounds, strict=True):
        chosen = _pick(state, search, index, codes[lo:hi], evaluation.score[lo:hi], state.score[index])
        if chosen is None:
            state.done[index] = True
            continue
        state.apply(index, codes[lo + chosen], evaluation, lo + chosen, round_)


@STRATEGIES.decorator("beam")
def beam(state: DesignState, search: Search, round_: int) -> None:
    """One round of beam search: expand every beam member, keep the best distinct ones."""
    width = search.settings.beam_width
    if "beam" not in state.extra:
        state.extra["beam"] = [state.codes[i : i + 1].copy() for i in range(len(state.lengths))]
        state.extra["beam_scores"] = [state.score[i : i + 1].copy() for i in range(len(state.lengths))]
    beams: list[np.ndarray] = state.extra["beam"]
    beam_scores: list[np.ndarray] = state.extra["beam_scores"]
    active = np.flatnonzero(~state.done)
    if len(active) == 0:
        return
    owners = np.concatenate([np.full(len(beams[i]), i) for i in active])
    members = np.concatenate([beams[i] for i in active])
    codes, lengths, design, _ = _candidates(state, search, members, owners)
    # Candidates are grouped by member, members by design: `design` is sorted.
    evaluation = search.evaluator(codes, lengths)
    for index in active.tolist():
        lo, hi = np.searchsorted(design, index, "left"), np.searchsorted(design, index, "right")
        pool = np.concatenate([beams[index], codes[lo:hi]])
        scores = np.concatenate([beam_scores[index], evaluation.score[lo:hi]])
        _, first = np.unique(pool, axis=0, return_index=True)
        first = first[np.argsort(-scores[first], kind="stable")][:width]
        unchanged = set(first.tolist()) == set(range(len(beams[index])))
        members_before = len(beams[index])
        beams[index], beam_scores[index] = pool[first], scores[first]
        best = int(first[0])
        # Beam members score at most the design's best, so a better pool entry is a candidate.
        if scores[best] > state.score[index]:
            row = lo + best - members_before
            if (
                _pick(
                    state,
                    search,
                    index,
                    pool[best : best + 1],
                    scores[best : best + 1],
                    state.score[index],
                )
                is not None
            ):
                state.apply(index, pool[best], evaluation, int(row), round_)
        if unchanged:
            state.done[index] = True


@STRATEGIES.decorator("annealing")
def annealing(state: DesignState, search: Search, round_: int) -> None:
    """One round of simulated annealing from each design's current walker."""
    settings, rng = search.settings, search.rng
    if "walker" not in state.extra:
        state.extra["walker"] = state.codes.copy()
        state.extra["walker_score"] = state.score.copy()
    walker: np.ndarray = state.extra["walker"]
    walker_score: np.ndarray = state.extra["walker_score"]
    n = len(state.lengths)
    owners = np.repeat(np.arange(n), settings.proposals)
    codes = walker[owners].copy()
    letters = len(state.letters)
    changeable = search.allowed[owners]
    counts = changeable.sum(axis=1)
    has = counts > 0
    pick = (rng.random(len(owners)) * np.maximum(counts, 1)).astype(np.int64)
    cumulative = changeable.cumsum(axis=1)
    position = (cumulative <= pick[:, None]).sum(axis=1)  # the pick-th changeable position
    rows = np.flatnonzero(has)
    old = codes[rows, position[rows]]
    shift = rng.integers(1, letters, len(rows)).astype(np.uint8)
    codes[rows, position[rows]] = (old + shift) % letters
    ok = has & search.constraints.check(
        codes, state.lengths[owners], walker[owners], state.starts[owners], search.start_hits[owners]
    )
    codes, design = codes[ok], owners[ok]
    evaluation = search.evaluator(codes, state.lengths[design])
    temperature = settings.temperature * max(1.0 - (round_ - 1) / settings.rounds, 1e-6)
    for index in range(n):
        lo, hi = np.searchsorted(design, index, "left"), np.searchsorted(design, index, "right")
        if lo == hi:
            continue
        best = lo + int(np.argmax(evaluation.score[lo:hi]))
        delta = evaluation.score[best] - walker_score[index]
        if delta > 0 or rng.random() < np.exp(delta / temperature):
            walker[index], walker_score[index] = codes[best], evaluation.score[best]
        if evaluation.score[best] > state.score[index]:
            far = _pick(
                state,
                search,
                index,
                codes[best : best + 1],
                evaluation.score[best : best + 1],
                state.score[index],
            )
            if far is not None:
                state.apply(index, codes[best], evaluation, int(best), round_)


@STRATEGIES.decorator("gradient")
def gradient(state: DesignState, search: Search, round_: int) -> None:
    """One round of gradient-guided proposals, scored exactly, the best kept if it improves."""
    active = np.flatnonzero(~state.done)
    if len(active) == 0:
        return
    codes, lengths, design, local, position, letter = _candidate_sites(state, search, active)
    estimate = search.evaluator.first_order(
        state.codes[active], state.lengths[active], state.prediction[active], local, position, letter
    )
    keep = np.zeros(len(design), dtype=bool)
    for index in active.tolist():
        lo, hi = np.searchsorted(design, index, "left"), np.searchsorted(design, index, "right")
        best = np.argsort(-estimate[lo:hi], kind="stable")[: search.settings.proposals]
        keep[lo + best] = True
    codes, lengths, design = codes[keep], lengths[keep], design[keep]
    evaluation = search.evaluator(codes, lengths)
    for index in active.tolist():
        lo, hi = np.searchsorted(design, index, "left"), np.searchsorted(design, index, "right")
        chosen = _pick(state, search, index, codes[lo:hi], evaluation.score[lo:hi], state.score[index])
        if chosen is None:
            state.done[index] = True
            continue
        state.apply(index, codes[lo + chosen], evaluation, int(lo + chosen), round_)
