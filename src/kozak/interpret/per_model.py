"""Per-model interpretation of a stored experiment: load its checkpoint and data, run one analysis.

The entry points the API, the CLI and the report call: each opens the checkpoint
(`interpret.model`), picks the output and samples the subset the settings name (default the
run's validation subset) through `prepare`, and returns the analysis as a typed model. Filters
run in float32, whatever the run's precision: a filter's influence is a small difference of
predictions that bfloat16 rounding would swamp; the other analyses follow the run's precision.
"""

from __future__ import annotations

from dataclasses import dataclass

from kozak.deploy.scoring import SequenceScorer
from kozak.interpret.filters import FilterAnalysis, FilterSettings, analyze_filters
from kozak.interpret.model import Background, OutputChoice, background, choose_output, open_model
from kozak.interpret.modisco import ModiscoSettings, ModiscoSummary, modisco_summary
from kozak.interpret.motif_effects import MotifEffects, MotifEffectSettings, motif_effects
from kozak.interpret.settings import SampleSettings
from kozak.store.entities import Experiment
from kozak.workspace import Workspace


@dataclass(frozen=True)
class Prepared:
    """What a per-model analysis runs on: the scorer, the output it reads, the sampled rows."""

    scorer: SequenceScorer
    output: OutputChoice
    data: Background


def prepare(
    workspace: Workspace,
    experiment: Experiment,
    settings: SampleSettings,
    checkpoint: str,
    device: str | None,
    precision: str | None = None,
) -> Prepared:
    """Open the checkpoint, choose the settings' output and sample their subset.

    Raises:
        NotFound: No such checkpoint. InvalidConfig: no such subset, or an unknown target or
        class.
    """
    opened = open_model(workspace, experiment, checkpoint, device, precision)
    scorer = SequenceScorer(opened.model)
    output = choose_output(scorer, settings.target, settings.category)
    subset = opened.default_subset(settings.subset)
    data = background(workspace, experiment, scorer, subset, settings.sequences, settings.seed)
    return Prepared(scorer, output, data)


def experiment_filters(
    workspace: Workspace,
    experiment: Experiment,
    settings: FilterSettings | None = None,
    *,
    checkpoint: str = "best",
    device: str | None = None,
) -> FilterAnalysis:
    """The first-layer filters of an experiment's checkpoint, read as motifs (in float32).

    Raises:
        NotFound: No such checkpoint. InvalidConfig: no such subset, or a first layer that is
        not a convolution. DataError: an unknown target or class.
    """
    settings = settings or FilterSettings()
    run = prepare(workspace, experiment, settings, checkpoint, device, precision="fp32")
    return analyze_filters(run.scorer, run.data, run.output, settings)


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
    run = prepare(workspace, experiment, settings, checkpoint, device)
    return motif_effects(run.scorer, run.data, run.output, settings)


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
    run = prepare(workspace, experiment, settings, checkpoint, device)
    return modisco_summary(run.scorer, run.data, run.output, settings)
