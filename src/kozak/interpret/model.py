"""What every interpretation shares: the model, the output explained, coordinates, data.

`open_model` loads an experiment's checkpoint for interpretation with the subsets its run used,
in the precision every other inference path uses (the run settings', `auto` by default: bfloat16
on CPUs with native bfloat16 and on GPUs that have it); an analysis that needs float32 asks for
it (filter influences). `choose_output` names the one model
output explained — a regression target (one of its outputs when it has several) or one class's
probability — and checks it exists. `coordinates` and `user_positions` give the user's
coordinates: for right-aligned sequences (5'UTRs read up to the start codon) the distance to the
end, −n … −1 (−3 is the Kozak −3 position), otherwise 1 … n; padding and window positions beyond
a sequence never appear. `subset_sequences` reads the sequences of rows of the experiment's own
dataset (a point of the evaluation's scatter, say); `background` samples a subset's sequences as
codes with their measured targets, for the per-model analyses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from kozak.data.feature_spec import NUMERIC_TYPES
from kozak.data.versions import load_version
from kozak.deploy.model import ServingModel
from kozak.deploy.scoring import SequenceScorer
from kozak.errors import DataError, InvalidConfig
from kozak.experiments.checkpoints import experiment_checkpoint
from kozak.experiments.lifecycle import version_of
from kozak.sequences import PAD, EncodedSequences, alignment_offsets
from kozak.store.entities import Experiment
from kozak.training.checkpoint import load_checkpoint
from kozak.training.data import subset_rows
from kozak.workspace import Workspace

Coordinates = Literal["position", "from_end"]


@dataclass(frozen=True)
class OpenedModel:
    """An experiment's checkpoint, ready to interpret, and the subsets its run used.

    Attributes:
        model: The checkpoint as a serving model.
        training_subset: The subset the run trained on.
        validation_subset: The subset it validated on (None: it had none).
    """

    model: ServingModel
    training_subset: str
    validation_subset: str | None

    def default_subset(self, subset: str | None) -> str | None:
        """`subset`, else the subset the run validated on (None: every row)."""
        return subset if subset is not None else self.validation_subset


def open_model(
    workspace: Workspace,
    experiment: Experiment,
    checkpoint: str | int = "best",
    device: str | None = None,
    precision: str | None = None,
) -> OpenedModel:
    """An experiment's checkpoint for interpretation.

    Args:
        workspace: Where the experiment lives.
        experiment: A trained experiment.
        checkpoint: best, last or epoch-N.
        device: Default the first GPU when there is one, else the CPU.
        precision: auto, fp32, bf16 or fp16; default the run settings' (see the module).

    Raises:
        NotFound: If the experiment has no such checkpoint (not trained yet).
    """
    loaded = load_checkpoint(experiment_checkpoint(workspace, experiment, checkpoint))
    settings = loaded.run_settings
    return OpenedModel(
        ServingModel(loaded, device, precision), settings.training_subset, settings.validation_subset
    )


@dataclass(frozen=True)
class OutputChoice:
    """The one model output an explanation is about.

    Attributes:
        target: The target's name.
        column: Which column of the target's decoded values (an output index, or a class index).
        label: For people: `growth_rate`, `growth_rate[1]` or `label: P(uatg)`.
        numeric: Whether it is a regression output (else a class probability).
        positive: Whether its values are always above 0 (probabilities; a regression target whose
            training values were all positive), so that a log-ratio is defined.
    """

    target: str
    column: int
    label: str
    numeric: bool
    positive: bool

    def values(self, decoded: dict[str, np.ndarray]) -> np.ndarray:
        """This output's (N,) values from `SequenceScorer.score_codes`' result."""
        values = decoded[self.target]
        return values if values.ndim == 1 else values[:, self.column]


def choose_output(
    scorer: SequenceScorer,
    target: str | None = None,
    class_name: str | None = None,
    output: int = 0,
) -> OutputChoice:
    """The output explained: `target` (default the model's first), and for a classification
    target `class_name` (default its last class), for a multi-output regression `output`.

    Raises:
        InvalidConfig: Naming the target, class or output that the model does not have, and the
            ones it has.
    """
    model = scorer.model
    name = target or next(iter(model.targets))
    if name not in model.targets:
        raise InvalidConfig(
            f"target {name!r} is not a target of this model; its targets: {', '.join(model.targets)}",
            field="target",
        )
    spec = model.targets[name]
    if spec.type in NUMERIC_TYPES:
        if class_name is not None:
            raise InvalidConfig(
                f"target {name!r} is a regression target; 'class_name' is for classification",
                field="class_name",
            )
        outputs = int(np.prod(model.model.output_shapes[name]))
        if not 0 <= output < outputs:
            raise InvalidConfig(
                f"output {output}: target {name!r} has {outputs} output(s), 0 to {outputs - 1}",
                field="output",
            )
        label = name if outputs == 1 else f"{name}[{output}]"
        positive = spec.stats is not None and spec.stats.min > 0
        return OutputChoice(name, output, label, numeric=True, positive=positive)
    classes = scorer.categories(name)
    wanted = class_name if class_name is not None else classes[-1]
    if wanted not in classes:
        raise InvalidConfig(
            f"class {wanted!r} is not a class of {name!r} ({', '.join(classes)})", field="class_name"
        )
    return OutputChoice(
        name, classes.index(wanted), f"{name}: P({wanted})", numeric=False, positive=True
    )


def coordinates(scorer: SequenceScorer) -> Coordinates:
    """The coordinate system of the scorer's sequence input (see the module docstring)."""
    spec = scorer.model.inputs[scorer.feature].spec
    assert spec.sequence is not None
    return "from_end" if spec.sequence.alignment == "right" else "position"


def user_positions(system: Coordinates, length: int) -> list[int]:
    """The user's coordinate of each of a sequence's `length` letters, first to last."""
    if system == "from_end":
        return list(range(-length, 0))
    return list(range(1, length + 1))


def encode_sequences(scorer: SequenceScorer, sequences: list[str]) -> EncodedSequences:
    """Validate sequences for interpretation and return their codes.

    Raises:
        RowError: A letter outside the alphabet (its row and position named).
        DataError: No sequences, or one longer than the model's window (a cut sequence would be
            explained at positions the user never sent).
    """
    encoded = scorer.encode(sequences)
    scorer.check_fit(encoded.lengths)
    return encoded


def subset_sequences(
    workspace: Workspace, experiment: Experiment, feature: str, subset: str, rows: list[int]
) -> list[str]:
    """The `feature` sequences of rows of a subset of the experiment's dataset version.

    Args:
        rows: 0-based positions within the subset, in the order the evaluation lists its
            examples (a scatter point's index, or its entry of `indices`).

    Raises:
        InvalidConfig: No such subset (the message lists them).
        DataError: A row outside the subset, or a feature that holds no sequences.
    """
    content = load_version(workspace, version_of(workspace, experiment))
    within = subset_rows(content, subset)
    bad = next((i for i, row in enumerate(rows) if not 0 <= row < len(within)), None)
    if bad is not None:
        raise DataError(
            f"rows[{bad}] = {rows[bad]} is outside subset {subset!r} (0 to {len(within) - 1})",
            field="rows",
        )
    try:
        values = content.feature(feature).values
    except KeyError:
        raise DataError(f"the dataset has no feature {feature!r}", field="feature") from None
    if not isinstance(values, EncodedSequences):
        raise DataError(f"feature {feature!r} holds no sequences", field="feature")
    return values.take(within[np.asarray(rows, dtype=np.int64)]).decode()


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

    def measured_values(self, output: OutputChoice) -> np.ndarray | None:
        """(N,) the measured counterpart of `output` (a class: 1.0 where it is the label), or
        None when the version has no such column."""
        values = self.measured.get(output.target)
        if values is None:
            return None
        if output.numeric:
            return values
        return np.where(np.isnan(values), np.nan, values == output.column)


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


def user_coordinates(scorer: SequenceScorer, index: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """`user_positions` of many letters at once.

    Args:
        index: 0-based positions in each sequence (as `visible` cut it).
        lengths: Their sequences' lengths.
    """
    if coordinates(scorer) == "from_end":
        return np.asarray(index - lengths, dtype=np.int64)
    return np.asarray(index + 1, dtype=np.int64)
