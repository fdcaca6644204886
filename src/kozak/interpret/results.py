"""What a per-sequence explanation returns (`Explanation`) and its table form.

An explanation holds, for each sequence, a letters × positions matrix in the user's coordinates
(padding excluded): for in-silico mutagenesis the predicted effect of putting each letter at each
position (0 at the sequence's own letter), for gradient methods each letter's attribution. The
API returns it as it is; `explanation_rows` flattens it into the CLI's table, one row per
position × letter, or one per position (its importance, the logo's letter height).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from kozak.deploy.scoring import SequenceScorer
from kozak.interpret.model import OutputChoice, coordinates, user_positions
from kozak.sequences import EncodedSequences

Method = Literal["ism", "saliency", "input_x_gradient", "ig", "deeplift", "deepshap"]
METHODS: tuple[str, ...] = ("ism", "saliency", "input_x_gradient", "ig", "deeplift", "deepshap")
Effect = Literal["difference", "log_ratio"]


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SequenceExplanation(_Result):
    """One sequence's explanation."""

    index: int = Field(description="Position of the sequence in the request (0-based).")
    sequence: str = Field(description="The sequence, upper case.")
    positions: list[int] = Field(
        description="Each letter's coordinate: 1…n, or −n…−1 (distance to the start codon) for "
        "right-aligned sequences."
    )
    prediction: float = Field(description="The model's prediction of the explained output.")
    values: list[list[float]] = Field(
        description="letters × positions: effects (ISM) or attributions, in `letters` order."
    )
    importance: list[float] = Field(
        description="One number per position, the height of its letter in a logo: for ISM minus "
        "the mean effect of replacing the letter; for saliency the gradient of the sequence's "
        "own letter; for the other methods the position's whole attribution (summed over letters)."
    )


class Explanation(_Result):
    """Per-sequence explanations of one model output by one method."""

    method: Method
    target: str
    label: str = Field(description="The output explained, for people (target, or P(class)).")
    effect: Effect | None = Field(
        None, description="ISM: difference (variant − reference) or log_ratio ln(variant/reference)."
    )
    coordinates: Literal["position", "from_end"]
    letters: list[str] = Field(description="The rows of every `values` matrix.")
    sequences: list[SequenceExplanation]


def explanation(
    method: str,
    scorer: SequenceScorer,
    output: OutputChoice,
    encoded: EncodedSequences,
    predictions: np.ndarray,
    values: np.ndarray,
    effect: str | None = None,
) -> Explanation:
    """The `Explanation` of `encoded`'s sequences from (N, letters, width) `values`, each cut
    to its own length and placed in the user's coordinates."""
    system = coordinates(scorer)
    letters = scorer.alphabet.letters
    sequences = []
    for row, sequence in enumerate(encoded.decode()):
        own = values[row, :, : len(sequence)]
        sequences.append(
            SequenceExplanation(
                index=row,
                sequence=sequence,
                positions=user_positions(system, len(sequence)),
                prediction=float(predictions[row]),
                values=own.tolist(),
                importance=importance(method, letters, sequence, own),
            )
        )
    return Explanation.model_validate(
        {
            "method": method,
            "target": output.target,
            "label": output.label,
            "effect": effect,
            "coordinates": system,
            "letters": list(letters),
            "sequences": sequences,
        }
    )


def explanation_rows(
    explanation: Explanation, per: Literal["letter", "position"]
) -> list[dict[str, Any]]:
    """The explanation as table rows.

    `letter`: one row per sequence × position × letter (`value` the effect or attribution).
    `position`: one row per sequence × position (`importance`, see `SequenceExplanation`).
    """
    rows: list[dict[str, Any]] = []
    letters = explanation.letters
    for item in explanation.sequences:
        for column, position in enumerate(item.positions):
            base = {"sequence": item.index + 1, "position": position, "reference": item.sequence[column]}
            if per == "letter":
                for row, letter in enumerate(letters):
                    rows.append({**base, "letter": letter, "value": item.values[row][column]})
            else:
                rows.append({**base, "importance": item.importance[column]})
    return rows


def importance(method: str, letters: str, sequence: str, values: np.ndarray) -> list[float]:
    """Each position's logo height from a letters × positions matrix (see
    `SequenceExplanation.importance`)."""
    table = np.full(256, -1, dtype=np.int64)
    table[np.frombuffer(letters.encode(), dtype=np.uint8)] = np.arange(len(letters))
    own = table[np.frombuffer(sequence.encode(), dtype=np.uint8)]  # (n,) row of each letter, -1: N
    columns = np.arange(len(sequence))
    if method == "ism":
        others = np.arange(len(letters))[:, None] != own[None, :]  # (letters, n)
        count = others.sum(axis=0)
        total = np.where(others, values, 0.0).sum(axis=0)
        heights = np.where(count > 0, -total / np.maximum(count, 1), 0.0)
    elif method == "saliency":
        heights = np.where(own >= 0, values[np.maximum(own, 0), columns], 0.0)
    else:
        heights = values.sum(axis=0)
    return [float(h) for h in heights]
