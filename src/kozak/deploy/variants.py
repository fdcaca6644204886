"""Variant effects: the predicted change from a reference sequence to an alternative one.

A variant gives the alternative either as a whole sequence or as substitutions in the notation
`<ref><position><alt>` with 1-based positions (`A12G`: the A at position 12 becomes G). The
effect is alternative minus reference, per target: a number for regression, a class →
probability-difference map for classification.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from kozak.data.feature_spec import FeatureType
from kozak.deploy.model import RowError, ServingModel
from kozak.errors import DataError

_SUBSTITUTION = re.compile(r"^([A-Za-z])(\d+)([A-Za-z])$")


def apply_substitutions(sequence: str, substitutions: Sequence[str], *, variant: int = 0) -> str:
    """`sequence` with each `A12G`-style substitution made.

    Raises:
        RowError: For a malformed substitution, a position outside the sequence, or a reference
            letter that differs from the sequence's.
    """
    letters = list(sequence)
    for text in substitutions:
        match = _SUBSTITUTION.match(text) if isinstance(text, str) else None
        if match is None:
            raise RowError(
                f"variant {variant}: substitution {text!r} is not of the form A12G "
                "(reference letter, 1-based position, alternative letter)",
                row=variant,
            )
        ref, position, alt = match.group(1).upper(), int(match.group(2)), match.group(3).upper()
        if not 1 <= position <= len(letters):
            raise RowError(
                f"variant {variant}: substitution {text!r} is outside the sequence (1..{len(letters)})",
                row=variant,
            )
        found = letters[position - 1].upper()
        if found != ref:
            raise RowError(
                f"variant {variant}: substitution {text!r} expects {ref} at position {position}, "
                f"the sequence has {found}",
                row=variant,
            )
        letters[position - 1] = alt
    return "".join(letters)


def sequence_feature(model: ServingModel, requested: str | None) -> str:
    """The sequence input a variant changes: `requested`, or the model's only sequence input.

    Raises:
        DataError: If the model has no such sequence input, or several and none was named.
    """
    names = [n for n, f in model.inputs.items() if f.spec.type is FeatureType.SEQUENCE]
    if requested is not None:
        if requested not in names:
            raise DataError(
                f"feature {requested!r} is not a sequence input of this model; its sequence "
                f"inputs: {', '.join(names) or '(none)'}",
                feature=requested,
            )
        return requested
    if not names:
        raise DataError("this model has no sequence input")
    if len(names) > 1:
        raise DataError(
            f"this model has several sequence inputs ({', '.join(names)}); name one in 'feature'"
        )
    return names[0]


def variant_rows(
    variants: Sequence[Mapping[str, Any]], feature: str, context: Mapping[str, Any]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Model rows for every variant, references first then alternatives, and the alternatives.

    Raises:
        RowError: For a variant without a reference string, or with neither an alternative nor
            substitutions.
    """
    references, alternatives = [], []
    for index, variant in enumerate(variants):
        if not isinstance(variant, Mapping):
            raise RowError(f"variant {index} must be an object", row=index)
        reference = variant.get("reference")
        if not isinstance(reference, str):
            raise RowError(f"variant {index}: 'reference' must be a sequence string", row=index)
        if isinstance(variant.get("alternative"), str):
            alternative = variant["alternative"]
        elif isinstance(variant.get("substitutions"), list):
            alternative = apply_substitutions(reference, variant["substitutions"], variant=index)
        else:
            raise RowError(
                f"variant {index}: give 'alternative' (a sequence) or 'substitutions' (e.g. ['A12G'])",
                row=index,
            )
        references.append(reference)
        alternatives.append(alternative)
    rows = [{**context, feature: s} for s in [*references, *alternatives]]
    return rows, alternatives


def effects(
    model: ServingModel, predictions: list[dict[str, Any]], alternatives: list[str]
) -> list[dict[str, Any]]:
    """Pair the references' and alternatives' predictions (as `variant_rows` ordered them)."""
    count = len(alternatives)
    result = []
    for index in range(count):
        reference, alternative = predictions[index], predictions[count + index]
        effect: dict[str, Any] = {}
        for name in model.targets:
            ref, alt = reference[name], alternative[name]
            if isinstance(ref, dict):
                effect[name] = {label: alt[label] - p for label, p in ref.items()}
            elif isinstance(ref, list):
                effect[name] = [a - r for a, r in zip(alt, ref, strict=True)]
            else:
                effect[name] = alt - ref
        result.append(
            {
                "alternative_sequence": alternatives[index],
                "reference": reference,
                "alternative": alternative,
                "effect": effect,
            }
        )
    return result
