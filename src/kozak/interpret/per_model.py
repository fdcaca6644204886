"""Per-model interpretation of a stored experiment: load its checkpoint and data, run one analysis.

The entry points the API, the CLI and the report call: each loads the checkpoint's scorer
(`interpret.model`), samples the subset the settings name (default the run's validation
subset), and returns the analysis as a typed model.
"""

from __future__ import annotations

from kozak.interpret.filters import FilterAnalysis, FilterSettings, analyze_filters
from kozak.interpret.model import background, choose_output, default_subset, experiment_scorer
from kozak.interpret.modisco import ModiscoSettings, ModiscoSummary, modisco_summary
from kozak.interpret.motif_effects import MotifEffects, MotifEffectSettings, motif_effects
from kozak.store.entities import Experiment
from kozak.workspace import Workspace


def experiment_filters(
    workspace: Workspace,
    experiment: Experiment,
    settings: FilterSettings | None = None,
    *,
    checkpoint: str = "best",
    device: str | None = None,
) -> FilterAnalysis:
    """The first-layer filters of an experiment's checkpoint, read as motifs.

    Raises:
        NotFound: No such checkpoint. InvalidConfig: no such subset, or a first layer that is
        not a convolution. DataError: an unknown target or class.
    """
    settings = settings or FilterSettings()
    loaded = experiment_scorer(workspace, experiment, checkpoint, device=device)
    output = choose_output(loaded.scorer, settings.target, settings.category)
    subset = default_subset(loaded, settings.subset)
    data = background(workspace, experiment, loaded.scorer, subset, settings.sequences, settings.seed)
    return analyze_filters(loaded.scorer, data, output, settings)


def experiment_motif_effects(
    workspace: Workspace,
    experiment: Experiment,
    settings: MotifEffectSettings | None = None,
    *,
    checkpoint: str = "best",
    device: str | None = None,
) -> MotifEffects:
    """A motif's mean effect by position and frame on an experiment's checkpoint.

    Raises:
        NotFound: No such checkpoint. InvalidConfig: no such subset. DataError: a motif outside
        the alphabet, or an unknown target or class.
    """
    settings = settings or MotifEffectSettings()
    loaded = experiment_scorer(workspace, experiment, checkpoint, device=device)
    output = choose_output(loaded.scorer, settings.target, settings.category)
    subset = default_subset(loaded, settings.subset)
    data = background(workspace, experiment, loaded.scorer, subset, settings.sequences, settings.seed)
    return motif_effects(loaded.scorer, data, output, settings)


def experiment_modisco(
    workspace: Workspace,
    experiment: Experiment,
    settings: ModiscoSettings | None = None,
    *,
    checkpoint: str = "best",
    device: str | None = None,
) -> ModiscoSummary:
    """TF-MoDISco patterns of an experiment's attributions over a subset's sample.

    Raises:
        ModiscoUnavailable: modisco-lite is not installed. NotFound, InvalidConfig, DataError:
        as `experiment_filters`.
    """
    settings = settings or ModiscoSettings()
    loaded = experiment_scorer(workspace, experiment, checkpoint, device=device)
    output = choose_output(loaded.scorer, settings.target, settings.category)
    subset = default_subset(loaded, settings.subset)
    data = background(workspace, experiment, loaded.scorer, subset, settings.sequences, settings.seed)
    return modisco_summary(loaded.scorer, data, output, settings)
