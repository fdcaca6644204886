"""An experiment's model and data, ready for per-model interpretation.

`experiment_scorer` loads a checkpoint as a `SequenceScorer` (the one scoring function, fp32 by
default so small effects are not lost to bf16 rounding); `background` samples a subset's
sequences as codes with their measured targets; `Output` picks the one number per sequence an
analysis reports (a regression target's value, or one class's probability); `coordinates` gives
positions in the user's coordinates (distance to the start codon for right-aligned sequences).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kozak.data.feature_spec import NUMERIC_TYPES, FeatureType
from kozak.data.versions import load_version
from kozak.deploy.model import ServingModel
from kozak.deploy.scoring import SequenceScorer
from kozak.errors import DataError
from kozak.experiments.checkpoints import experiment_checkpoint
from kozak.experiments.lifecycle import version_of
from kozak.sequences import PAD, EncodedSequences, alignment_offsets
from kozak.store.entities import Experiment
from kozak.training.checkpoint import load_checkpoint
from kozak.training.data import subset_rows
from kozak.workspace import Workspace


@dataclass(frozen=True)
class LoadedExperiment:
    """A checkpoint's scorer and the subset its run validated on (None: it had none)."""

    scorer: SequenceScorer
    validation_subset: str | None
    training_subset: str


def experiment_scorer(
    workspace: Workspace,
    experiment: Experiment,
    checkpoint: str = "best",
    *,
    device: str | None = None,
    precision: str | None = "fp32",
    feature: str | None = None,
) -> LoadedExperiment:
    """The scorer of an experiment's checkpoint.

    Args:
        workspace: Where the experiment lives.
        experiment: A trained experiment.
        checkpoint: best, last or epoch-N.
        device: Default the first GPU when there is one, else the CPU.
        precision: fp32 by default; None takes the run settings'.
        feature: The sequence input; default the model's only one.

    Raises:
        NotFound: The experiment has no such checkpoint.
        DataError: The model has no (or several, and none named) sequence input.
    """
    loaded = load_checkpoint(experiment_checkpoint(workspace, experiment, checkpoint))
    scorer = SequenceScorer(ServingModel(loaded, device, precision), feature)
    settings = loaded.run_settings
    return LoadedExperiment(scorer, settings.validation_subset, settings.training_subset)


@dataclass(frozen=True)
class Background:
    """Sequences of a dataset version, as the model reads them.

    Attributes:
        rows: (N,) 0-based row indices in the version.
        codes: (N, L) uint8 codes, cut to what the model's window shows, padded with PAD.
        lengths: (N,) lengths after that cut.
        measured: Target name → (N,) float64 measured values (NaN where missing); classification
            targets hold class indices.
    """

    rows: np.ndarray
    codes: np.ndarray
    lengths: np.ndarray
    measured: dict[str, np.ndarray]

    def __len__(self) -> int:
        return int(self.lengths.shape[0])


def background(
    workspace: Workspace,
    experiment: Experiment,
    scorer: SequenceScorer,
    subset: str | None,
    count: int,
    seed: int = 0,
) -> Background:
    """A seeded sample of `count` rows of a subset (all rows when None) of the experiment's data.

    Raises:
        InvalidConfig: The version has no such subset, or it is empty.
        DataError: The version has no column for the model's sequence input.
    """
    content = load_version(workspace, version_of(workspace, experiment))
    rows = subset_rows(content, subset) if subset is not None else np.arange(content.n_rows)
    if count < len(rows):
        rows = np.sort(np.random.default_rng(seed).choice(rows, count, replace=False))
    columns = {data.spec.name: data for data in content.features}
    sequences = columns.get(scorer.feature)
    if sequences is None or not isinstance(sequences.values, EncodedSequences):
        raise DataError(
            f"the experiment's dataset has no sequence column {scorer.feature!r}",
            feature=scorer.feature,
        )
    codes, lengths = visible(scorer, sequences.values.take(rows))
    measured: dict[str, np.ndarray] = {}
    for target in scorer.model.targets:
        data = columns.get(target)
        if data is None or not isinstance(data.values, np.ndarray):
            continue
        values = np.asarray(data.values, dtype=np.float64).reshape(content.n_rows, -1)[rows, 0]
        measured[target] = values
    return Background(rows, codes, lengths, measured)


def visible(scorer: SequenceScorer, encoded: EncodedSequences) -> tuple[np.ndarray, np.ndarray]:
    """Codes cut to the part of each sequence the model's window shows (its alignment's cut).

    Returns:
        (N, L') uint8 codes padded with PAD and (N,) lengths, L' at most the window's positions.
    """
    spec = scorer.model.inputs[scorer.feature].spec
    assert spec.sequence is not None
    window = scorer.length
    lengths = encoded.lengths.astype(np.int64)
    start = alignment_offsets(lengths, window, spec.sequence.alignment)  # < 0: cut on the left
    first = np.maximum(-start, 0)
    kept = np.minimum(lengths - first, window)
    width = int(kept.max()) if len(kept) else 0
    columns = first[:, None] + np.arange(width)[None, :]
    inside = np.arange(width)[None, :] < kept[:, None]
    gathered = np.take_along_axis(
        encoded.codes, np.clip(columns, 0, max(encoded.codes.shape[1] - 1, 0)), axis=1
    )
    codes = np.where(inside, gathered, PAD).astype(np.uint8)
    return codes, kept.astype(np.int32)


@dataclass(frozen=True)
class Output:
    """The one number per sequence an analysis reports.

    Attributes:
        target: The target's name.
        column: A regression target's output column, or a classification target's class index.
        label: How reports name it: the target, or `target:class` (a probability).
        numeric: Whether it is a regression value (else a probability).
    """

    target: str
    column: int
    label: str
    numeric: bool

    def pick(self, predictions: dict[str, np.ndarray]) -> np.ndarray:
        """(N,) values of this output from `SequenceScorer.score_codes`'s predictions."""
        values = predictions[self.target]
        return values if values.ndim == 1 else values[:, self.column]

    def measured(self, data: Background) -> np.ndarray | None:
        """(N,) the measured counterpart (a class: 1.0 where it is the label), or None."""
        values = data.measured.get(self.target)
        if values is None:
            return None
        return values if self.numeric else np.where(np.isnan(values), np.nan, values == self.column)


def choose_output(scorer: SequenceScorer, target: str | None, category: str | None) -> Output:
    """The output a request names: `target` (default the model's first) and, for a
    classification target, `category` (default its last class, the positive one of two).

    Raises:
        DataError: naming the field, for an unknown target or class.
    """
    targets = list(scorer.model.targets)
    name = target if target is not None else targets[0]
    if name not in targets:
        raise DataError(
            f"target {name!r} is not an output of this model; its outputs: {', '.join(targets)}",
            field="target",
        )
    spec = scorer.model.targets[name]
    if spec.type in NUMERIC_TYPES:
        if category is not None:
            raise DataError(f"target {name!r} is a number; 'category' is for classes", field="category")
        return Output(name, 0, name, True)
    if spec.type is not FeatureType.CATEGORICAL:
        raise DataError(f"target {name!r} is {spec.type.value}; interpretation reads regression or "
                        "classification targets", field="target")  # fmt: skip
    classes = scorer.categories(name)
    chosen = category if category is not None else classes[-1]
    if chosen not in classes:
        raise DataError(
            f"class {chosen!r} is not one of target {name!r}'s: {', '.join(classes)}",
            field="category",
        )
    return Output(name, classes.index(chosen), f"{name}:{chosen}", False)


def coordinates(scorer: SequenceScorer, index: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Positions in the user's coordinates: for right-aligned sequences the distance to the
    start codon after them (the last letter is −1), else 1-based from the first letter.

    Args:
        index: 0-based positions in each sequence (as `visible` cut it).
        lengths: Their sequences' lengths.
    """
    spec = scorer.model.inputs[scorer.feature].spec
    assert spec.sequence is not None
    if spec.sequence.alignment == "right":
        return np.asarray(index - lengths, dtype=np.int64)
    return np.asarray(index + 1, dtype=np.int64)


def right_aligned(scorer: SequenceScorer) -> bool:
    """Whether positions count back from the sequence's end (see `coordinates`)."""
    spec = scorer.model.inputs[scorer.feature].spec
    assert spec.sequence is not None
    return spec.sequence.alignment == "right"


def default_subset(loaded: LoadedExperiment, subset: str | None) -> str | None:
    """`subset`, else the subset the run validated on (None: every row)."""
    return subset if subset is not None else loaded.validation_subset
