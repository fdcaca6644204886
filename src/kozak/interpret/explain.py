"""`explain`: one entry point for per-sequence explanations, by the settings' method.

The API, deployments and the CLI call it with what a request names; it opens the scorer of the
named sequence input with its fixed context (`open_scorer`), picks the output, runs in-silico
mutagenesis or a gradient attribution, and returns the `Explanation`.
"""

from __future__ import annotations

from collections.abc import Sequence

from kozak.deploy.model import ServingModel
from kozak.deploy.scoring import SequenceScorer
from kozak.interpret.attributions import Progress, attribute
from kozak.interpret.ism import ism
from kozak.interpret.model import choose_output, open_model, subset_sequences
from kozak.interpret.results import Explanation
from kozak.interpret.settings import DatasetRows, ExplainSettings
from kozak.store.entities import Experiment
from kozak.workspace import Workspace


def open_scorer(model: ServingModel, settings: ExplainSettings) -> SequenceScorer:
    """The scorer of the settings' sequence input, other inputs at their context.

    Raises:
        DataError: No such sequence input, or the context lacks another input's value.
    """
    return SequenceScorer(model, settings.feature, settings.context)


def explain(
    scorer: SequenceScorer,
    sequences: Sequence[str],
    settings: ExplainSettings | None = None,
    on_progress: Progress | None = None,
) -> Explanation:
    """Explain one output of the scorer's model for each sequence.

    Raises:
        InvalidConfig: An unknown target, class or output.
        DataError: A sequence the model cannot read (its row named), or one longer than its window.
    """
    settings = settings or ExplainSettings()
    chosen = choose_output(scorer, settings.target, settings.class_name, settings.output)
    if settings.method == "ism":
        return ism(scorer, sequences, chosen, settings.effect, on_progress=on_progress)
    return attribute(
        scorer,
        sequences,
        chosen,
        settings.method,
        baseline=settings.baseline,
        references=settings.references,
        steps=settings.steps,
        gradient_correction=settings.gradient_correction,
        seed=settings.seed,
        on_progress=on_progress,
    )


def explain_experiment(
    workspace: Workspace,
    experiment: Experiment,
    sequences: Sequence[str] | DatasetRows,
    settings: ExplainSettings | None = None,
    checkpoint: str | int = "best",
    device: str | None = None,
    on_progress: Progress | None = None,
) -> Explanation:
    """`explain` with an experiment's checkpoint on `device`, in its run's precision.

    Args:
        sequences: Sequence strings, or rows of a subset of the experiment's own dataset.

    Raises:
        NotFound: The experiment has no such checkpoint (not trained yet).
        InvalidConfig, DataError: As `explain`, `open_scorer` and `subset_sequences`.
    """
    settings = settings or ExplainSettings()
    scorer = open_scorer(open_model(workspace, experiment, checkpoint, device).model, settings)
    if isinstance(sequences, DatasetRows):
        sequences = subset_sequences(
            workspace, experiment, scorer.feature, sequences.subset, list(sequences.rows)
        )
    return explain(scorer, sequences, settings, on_progress)
