"""In-silico mutagenesis: every single substitution at every position of each sequence, scored.

All substitutions of a group of sequences (`single_substitutions`) go through the one scoring
function of `kozak.deploy.scoring` together with their references, in device batches; the effect
of a substitution is variant − reference (`difference`) or ln(variant / reference)
(`log_ratio`, for outputs that are always positive: class probabilities, positive targets). Each
sequence's effects form a letters × positions matrix in the user's coordinates, 0 at its own
letter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np

from kozak.deploy.scoring import SequenceScorer, single_substitutions
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
    per_group = max(1, _GROUP_BATCHES * scorer.batch_size // max(1, letters * scorer.length))
    matrices = np.zeros((total, letters, encoded.max_length), dtype=np.float64)
    predictions = np.zeros(total, dtype=np.float64)
    for start in range(0, total, per_group):
        rows = np.arange(start, min(start + per_group, total))
        codes, lengths = encoded.codes[rows], encoded.lengths[rows]
        variants = single_substitutions(codes, lengths, letters)
        scored = output.values(
            scorer.score_codes(
                np.concatenate([codes, variants.codes]), np.concatenate([lengths, variants.lengths])
            )
        )
        reference, alternative = scored[: len(rows)], scored[len(rows) :]
        before = reference[variants.parent]
        if kind == "difference":
            change = alternative - before
        else:
            bad = np.flatnonzero((alternative <= 0) | (before <= 0))
            if len(bad):
                row = int(rows[variants.parent[bad[0]]])
                raise DataError(
                    f"sequence {row + 1}: a prediction of {output.label} is not positive, so its "
                    "log-ratio is undefined; use effect 'difference'",
                    row=row,
                    field="effect",
                )
            change = np.log(alternative) - np.log(before)
        matrices[rows[variants.parent], variants.letter, variants.position] = change
        predictions[rows] = reference
        if on_progress is not None:
            on_progress(int(rows[-1]) + 1, total)
    return explanation("ism", scorer, output, encoded, predictions, matrices, effect=kind)
