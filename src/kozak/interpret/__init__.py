"""Interpretation: why a model predicts what it predicts, from a sequence up to a motif.

Per model: first-layer filters read as motifs (`filters`), exported to MEME and compared with a
motif database (`meme`), a motif's effect by position and frame across a dataset
(`motif_effects`), and a TF-MoDISco summary of attributions (`modisco`, an optional extra).
"""

from kozak.interpret.filters import FilterAnalysis, FilterMotif, FilterSettings, analyze_filters
from kozak.interpret.meme import Comparison, compare, parse_meme, to_meme
from kozak.interpret.motif_effects import MotifEffects, MotifEffectSettings, motif_effects
from kozak.interpret.per_model import experiment_filters, experiment_motif_effects

__all__ = [
    "Comparison",
    "FilterAnalysis",
    "FilterMotif",
    "FilterSettings",
    "MotifEffectSettings",
    "MotifEffects",
    "analyze_filters",
    "compare",
    "experiment_filters",
    "experiment_motif_effects",
    "motif_effects",
    "parse_meme",
    "to_meme",
]
