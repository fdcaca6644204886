"""In-silico mutagenesis: every single substitution at every position of each sequence, scored.

The sequences go through the one scoring function of `kozak.deploy.scoring`, then all their
substitutions (`substitution_sites`, scored by `score_substitutions`: each variant's one-hot made
on the device from its sequence's, no variant spelled out), in device batches; the effect
of a substitution is variant − reference (`difference`) or ln(variant / reference)
(`log_ratio`, for outputs that are always positive: class probabilities, positive targets). Each
sequence's effects form a letters × positions matrix in the user's coordinates, 0 at its own
letter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np

from kozak.deploy.scoring import SequenceScorer, substitution_sites
from kozak.errors import DataError, InvalidConfig
from kozak.interpret.model import OutputChoice, encode_sequences
from kozak.interpret.results import Effect, Explanation, explanation

Progress = Callable[[int, int], None]  # (sequences done, total)

# Variants per scoring call: several device batches, so progress reports stay cheap while the
# scorer's own batching decides the forward sizes.
_GROUP_BATCHES = 8


def ism(
    scorer: SequenceScorer,
    sequences: Sequence[str],
    output: OutputChoice,
    effect: Effect | Literal["auto"] = "auto",
    on_progress: Progress | None = None,
) -> Explanation:
    """Effects of every single substitution of every sequence on one output.

    Args:
        scorer: The model's scorer (its sequence input and fixed context).
        sequences: In the model's letters, any case; none longer than its window.
        output: The output explained (`choose_output`).
        effect: `difference`, `log_ratio`, or `auto` (log-ratio for positive outputs).
        on_progress: Hears (sequences done, total) after each group.

    Raises:
        DataError: A sequence the model cannot read (its row named), or a log-ratio asked of an
            output that is not always positive.
    """
    kind: Effect = ("log_ratio" if output.positive else "difference") if effect == "auto" else effect
    if kind == "log_ratio" and not output.positive:
        raise InvalidConfig(
            f"a log-ratio needs an output that is always positive; {output.label} is not "
            "(use effect 'difference')",
            field="effect",
        )
    encoded = encode_sequences(scorer, list(sequences))
    letters = scorer.alphabet.channels
    total = len(encoded)
    sites = substitution_sites(encoded.codes, encoded.lengths, letters)
    predictions = output.values(scorer.score_codes(encoded.codes, encoded.lengths))
    _check_positive(kind, output, predictions, np.arange(total))
    matrices = np.zeros((total, letters, encoded.max_length), dtype=np.float64)
    group = _GROUP_BATCHES * scorer.batch_size
    for start in range(0, len(sites), group):
        stop = min(start + group, len(sites))
        first, last = int(sites.parent[start]), int(sites.parent[stop - 1]) + 1
        part = sites.part(start, stop, first)
        alternative = output.values(
            scorer.score_substitutions(encoded.codes[first:last], encoded.lengths[first:last], part)
        )
        parent = part.parent + first
        before = predictions[parent]
        if kind == "difference":
            change = alternative - before
        else:
            _check_positive(kind, output, alternative, parent)
            change = np.log(alternative) - np.log(before)
        matrices[parent, part.letter, part.position] = change
        if on_progress is not None:
            done = int(sites.parent[stop]) if stop < len(sites) else total  # fully scored
            on_progress(done, total)
    return explanation("ism", scorer, output, encoded, predictions, matrices, effect=kind)


def _check_positive(kind: Effect, output: OutputChoice, values: np.ndarray, rows: np.ndarray) -> None:
    """For a log-ratio, refuse a prediction that is not above 0, naming its sequence."""
    if kind != "log_ratio":
        return
    bad = np.flatnonzero(values <= 0)
    if len(bad):
        row = int(rows[bad[0]])
        raise DataError(
            f"sequence {row + 1}: a prediction of {output.label} is not positive, so its "
            "log-ratio is undefined; use effect 'difference'",
            row=row,
            field="effect",
        )
