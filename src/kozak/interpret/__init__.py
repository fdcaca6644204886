"""Interpretation: why a trained model predicts what it predicts, from a sequence up to a motif.

Per sequence: `ism` (every single substitution scored through the shared `SequenceScorer`) and
`attribute` (Captum's gradient attributions), both returning an `Explanation` in the user's
coordinates; `explain` runs either as `ExplainSettings` ask. Per model: first-layer filters read
as motifs (`filters`), exported to MEME and compared with a motif database (`meme`), a motif's
effect by position and frame across a dataset (`motif_effects`), and a TF-MoDISco summary of
attributions (`modisco`, an optional extra). `model` holds what they all share (loading an
experiment's model, the output explained, coordinates, a subset's sequences).
"""

from kozak.interpret.attributions import GRADIENT_METHODS, attribute
from kozak.interpret.explain import explain, explain_experiment, open_scorer
from kozak.interpret.filters import FilterAnalysis, FilterMotif, FilterSettings, analyze_filters
from kozak.interpret.ism import ism
from kozak.interpret.meme import Comparison, compare, parse_meme, to_meme
from kozak.interpret.model import OutputChoice, choose_output, open_model
from kozak.interpret.motif_effects import MotifEffects, MotifEffectSettings, motif_effects
from kozak.interpret.per_model import experiment_filters, experiment_motif_effects
from kozak.interpret.results import METHODS, Explanation, SequenceExplanation, explanation_rows
from kozak.interpret.settings import MAX_SEQUENCES, ExplainRequest, ExplainSettings
from kozak.interpret.shuffle import dinucleotide_shuffle

__all__ = [
    "GRADIENT_METHODS",
    "MAX_SEQUENCES",
    "METHODS",
    "Comparison",
    "ExplainRequest",
    "ExplainSettings",
    "Explanation",
    "FilterAnalysis",
    "FilterMotif",
    "FilterSettings",
    "MotifEffectSettings",
    "MotifEffects",
    "OutputChoice",
    "SequenceExplanation",
    "analyze_filters",
    "attribute",
    "choose_output",
    "compare",
    "dinucleotide_shuffle",
    "experiment_filters",
    "experiment_motif_effects",
    "explain",
    "explain_experiment",
    "explanation_rows",
    "ism",
    "motif_effects",
    "open_model",
    "open_scorer",
    "parse_meme",
    "to_meme",
]
