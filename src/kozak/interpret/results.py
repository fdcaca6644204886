"""What a per-sequence explanation returns (`Explanation`) and its table form.

An explanation holds, for each sequence, a letters × positions matrix in the user's coordinates
(padding excluded): for in-silico mutagenesis the predicted effect of putting each letter at each
position (0 at the sequence's own letter), for gradient methods each letter's attribution. The
API returns it as it is; `explanation_rows` flattens it into the CLI's table, one row per
position × letter, or one per position.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

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


def explanation_rows(
    explanation: Explanation, per: Literal["letter", "position"]
) -> list[dict[str, Any]]:
    """The explanation as table rows.

    `letter`: one row per sequence × position × letter (`value` the effect or attribution).
    `position`: one row per sequence × position (`position_values`).
    """
    rows: list[dict[str, Any]] = []
    letters = explanation.letters
    for item in explanation.sequences:
        summary = position_values(explanation, item)
        for column, position in enumerate(item.positions):
            own = item.sequence[column]
            base = {"sequence": item.index + 1, "position": position, "reference": own}
            if per == "letter":
                for row, letter in enumerate(letters):
                    rows.append({**base, "letter": letter, "value": item.values[row][column]})
                continue
            rows.append({**base, "value": summary[column]})
    return rows


def position_values(explanation: Explanation, item: SequenceExplanation) -> list[float]:
    """One number per position: for ISM the mean effect of the substitutions there; for
    saliency the gradient of the sequence's own letter; for the other attributions the
    position's whole contribution (the sum over letters: with a shuffled reference, the
    reference's letter takes part too). The heights of an attribution logo's letters."""
    letters = explanation.letters
    result = []
    for column, own in enumerate(item.sequence):
        values = [item.values[row][column] for row in range(len(letters))]
        if explanation.method == "ism":
            others = [v for letter, v in zip(letters, values, strict=True) if letter != own]
            result.append(sum(others) / len(others) if others else 0.0)
        elif explanation.method == "saliency":
            result.append(values[letters.index(own)] if own in letters else 0.0)
        else:
            result.append(sum(values))
    return result
