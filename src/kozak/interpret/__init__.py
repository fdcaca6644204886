"""Interpretation: why a trained model predicts what it predicts.

Per sequence: `ism` (every single substitution scored through the shared `SequenceScorer`) and
`attribute` (Captum's gradient attributions), both returning an `Explanation` in the user's
coordinates; `explain` runs either as `ExplainSettings` ask. `model` holds what they share
(loading an experiment's model, the output explained, coordinates, a subset's sequences).
"""

from kozak.interpret.attributions import GRADIENT_METHODS, attribute
from kozak.interpret.explain import explain, explain_experiment, open_scorer
from kozak.interpret.ism import ism
from kozak.interpret.model import OutputChoice, choose_output, open_model
from kozak.interpret.results import METHODS, Explanation, SequenceExplanation, explanation_rows
from kozak.interpret.settings import MAX_SEQUENCES, ExplainRequest, ExplainSettings
from kozak.interpret.shuffle import dinucleotide_shuffle

__all__ = [
    "GRADIENT_METHODS",
    "MAX_SEQUENCES",
    "METHODS",
    "ExplainRequest",
    "ExplainSettings",
    "Explanation",
    "OutputChoice",
    "SequenceExplanation",
    "attribute",
    "choose_output",
    "dinucleotide_shuffle",
    "explain",
    "explain_experiment",
    "explanation_rows",
    "ism",
    "open_model",
    "open_scorer",
]
