"""What every per-sequence interpretation shares: the model, the output explained, coordinates.

`open_model` loads an experiment's checkpoint for interpretation (float32 by default: effects
of one letter are small differences that bfloat16 rounding would swamp). `choose_output` names
the one model output explained — a regression target (one of its outputs when it has several)
or one class's probability — and checks it exists. `user_positions` turns a sequence's letters
into the user's coordinates: for right-aligned sequences (5'UTRs read up to the start codon) the
distance to the end, −n … −1 (−3 is the Kozak −3 position), otherwise 1 … n; padding and window
positions beyond a sequence never appear. `subset_sequences` reads the sequences of rows of the
experiment's own dataset (a point of the evaluation's scatter, say).
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
from kozak.sequences import EncodedSequences
from kozak.store.entities import Experiment
from kozak.training.data import subset_rows
from kozak.workspace import Workspace

Coordinates = Literal["position", "from_end"]


def open_model(
    workspace: Workspace,
    experiment: Experiment,
    checkpoint: str | int = "best",
    device: str | None = None,
    precision: str = "fp32",
) -> ServingModel:
    """An experiment's checkpoint as a serving model for interpretation.

    Raises:
        NotFound: If the experiment has no such checkpoint (not trained yet).
    """
    path = experiment_checkpoint(workspace, experiment, checkpoint)
    return ServingModel.load(path, device, precision)


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
    too_long = np.flatnonzero(encoded.lengths > scorer.length)
    if len(too_long):
        row = int(too_long[0])
        raise DataError(
            f"sequence {row + 1} has {int(encoded.lengths[row])} letters; the model reads at most "
            f"{scorer.length}",
            row=row,
            field="sequences",
        )
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
