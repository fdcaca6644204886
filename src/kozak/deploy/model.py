"""`ServingModel`: a checkpoint turned into a function from raw rows to predictions.

Rows are dicts keyed by input feature name, as a REST client sends them: sequences as strings
(DNA or RNA letters, any case) or as one-hot arrays, numbers as numbers, categories as their
label, arrays in any form `arrays.array_value` reads. They are validated and encoded exactly as
training encoded the dataset (alphabet, window, alignment, padding, normalisation statistics from
the checkpoint; a one-hot array goes through the codes an imported one did); predictions come
back in the targets' own units (regression de-normalised) or as class → probability maps. The
forward runs in the precision of the model's run settings (or the one asked for), resolved on its
device.

Every rejected value raises `RowError`, naming the row index, the feature and what was expected.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from kozak.data.feature_spec import NUMERIC_TYPES, FeatureSpec, FeatureType
from kozak.deploy.arrays import ArrayFormatError, array_value, is_array_form
from kozak.errors import DataError, InvalidConfig
from kozak.graph.compile import GraphModule
from kozak.sequences import (
    PAD,
    EncodedSequences,
    encode_strings,
    get_alphabet,
    one_hot,
    one_hot_to_codes,
)
from kozak.training.checkpoint import Checkpoint, load_checkpoint
from kozak.training.data import denormalize, normalize
from kozak.training.precision import resolve_precision

Row = Mapping[str, Any]
Batch = dict[str, Tensor]

# Below this many rows a CPU forward runs on one thread: splitting a small batch across cores
# costs more in synchronisation than it saves (measured: 1 row of cuperus2017 took 1.1 ms on one
# thread and 9.7 ms on two of a busy 2-core machine).
SMALL_BATCH = 256


def batch_rows(batch: Batch) -> int:
    """How many examples a batch holds."""
    return len(next(iter(batch.values())))


class RowError(DataError):
    """A request row that cannot be encoded; `details` names `row` and `feature`."""


FLOAT32_MAX = float(np.finfo(np.float32).max)


def _where(row: int, feature: str) -> str:
    """How errors and warnings name a cell of a request."""
    return f"row {row}, feature {feature!r}"


def _row_error(row: int, feature: str, problem: str) -> RowError:
    return RowError(f"{_where(row, feature)}: {problem}", row=row, feature=feature)


_CUT = {
    "left": "the last {cut} were left out (the window is left-aligned)",
    "right": "the first {cut} were left out (the window is right-aligned)",
    "center": "{cut} were left out, split between both ends (the window is centred)",
}


@dataclass(frozen=True)
class InputField:
    """One model input: its spec and the per-example tensor shape the model expects."""

    spec: FeatureSpec
    shape: tuple[int, ...]

    @property
    def name(self) -> str:
        """The feature name rows use as key."""
        return self.spec.name

    @property
    def sequence_length(self) -> int:
        """Positions a sequence may occupy (the window without padding)."""
        assert self.spec.sequence is not None
        return self.shape[-1] - 2 * self.spec.sequence.padding

    @property
    def array_shape(self) -> tuple[int, ...]:
        """The shape an array sent for this feature must have.

        A sequence imported from one-hot arrays keeps their per-row shape (the tutorial's
        (4, 70, 1)); any other sequence takes its (channels, window) one-hot tensor.
        """
        if self.spec.type is FeatureType.SEQUENCE and self.spec.shape:
            return self.spec.shape
        return self.shape

    def describe(self) -> dict[str, Any]:
        """The field as the deployment's input schema shows it."""
        spec = self.spec
        field: dict[str, Any] = {"name": spec.name, "type": spec.type.value}
        if spec.type is FeatureType.SEQUENCE:
            assert spec.sequence is not None
            field |= {
                "alphabet": spec.sequence.alphabet,
                "length": self.sequence_length,
                "alignment": spec.sequence.alignment,
                "padding": spec.sequence.padding,
            }
        elif spec.type in NUMERIC_TYPES:
            field |= {"normalization": spec.normalization, "stats": _stats(spec)}
        elif spec.type in (FeatureType.CATEGORICAL, FeatureType.MULTILABEL):
            field["categories"] = list(spec.categories or ())
        elif spec.type is FeatureType.ARRAY:
            field["shape"] = list(self.shape)
        return field


def _stats(spec: FeatureSpec) -> dict[str, float] | None:
    return spec.stats.model_dump() if spec.stats is not None else None


class ServingModel:
    """A trained model with its input encoding and output decoding, ready to answer rows.

    Args:
        checkpoint: A Kozak checkpoint (weights, graph, feature specs with statistics).
        device: Where the model runs; default the first GPU when there is one, else the CPU.
        precision: auto, fp32, bf16 or fp16; default the run settings' (export asks for fp32).
    """

    def __init__(
        self,
        checkpoint: Checkpoint,
        device: str | torch.device | None = None,
        precision: str | None = None,
    ) -> None:
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.precision = resolve_precision(precision or checkpoint.run_settings.precision, self.device)
        self.model: GraphModule = checkpoint.build_model(self.device)
        self.epoch = checkpoint.epoch
        specs = checkpoint.features
        self.inputs = {
            name: InputField(specs[name], tuple(shape))
            for name, shape in self.model.input_shapes.items()
        }
        self.targets = {name: specs[name] for name in self.model.output_shapes}
        for field in self.inputs.values():
            if field.spec.type is FeatureType.STRING:
                raise InvalidConfig(f"input {field.name!r} is free text, which models cannot read")

    @classmethod
    def load(
        cls, path: str | Path, device: str | torch.device | None = None, precision: str | None = None
    ) -> ServingModel:
        """A serving model from a checkpoint file."""
        return cls(load_checkpoint(path), device, precision)

    def schema(self) -> dict[str, Any]:
        """What rows must hold and what predictions hold: `{"inputs": [...], "outputs": [...]}`."""
        outputs = []
        for name, spec in self.targets.items():
            output: dict[str, Any] = {"name": name, "type": spec.type.value}
            if spec.type in NUMERIC_TYPES:
                output |= {"normalization": spec.normalization, "stats": _stats(spec)}
            else:
                output["categories"] = list(spec.categories or ())
            outputs.append(output)
        return {"inputs": [f.describe() for f in self.inputs.values()], "outputs": outputs}

    # ---- encoding ------------------------------------------------------------------------------

    def encode(self, rows: Sequence[Row], *, first_row: int = 0) -> Batch:
        """Validate rows and turn them into the model's input tensors (on the model's device).

        Args:
            rows: One mapping per example, keyed by input feature name; extra keys are ignored.
            first_row: Index of `rows[0]` in the request, for error messages.

        Raises:
            RowError: For the first row that lacks a feature or holds a wrong value.
        """
        if not rows:
            raise DataError("no rows to predict: send at least one")
        for index, row in enumerate(rows):
            if not isinstance(row, Mapping):
                raise RowError(
                    f"row {first_row + index} is {type(row).__name__}; each row must be an object "
                    "keyed by feature name",
                    row=first_row + index,
                )
        batch = {}
        for name, field in self.inputs.items():
            values = []
            for index, row in enumerate(rows):
                if name not in row or row[name] is None:
                    raise _row_error(first_row + index, name, f"missing; expected {_expected(field)}")
                values.append(row[name])
            batch[name] = self._encode_field(field, values, first_row)
        return batch

    def _encode_field(self, field: InputField, values: list[Any], first_row: int) -> Tensor:
        spec = field.spec
        if spec.type is FeatureType.SEQUENCE:
            return self._encode_sequences(field, values, first_row)
        if spec.type in NUMERIC_TYPES:
            numbers = np.empty(len(values), dtype=np.float32)
            for index, value in enumerate(values):
                if isinstance(value, bool) or not _float32(value):
                    raise _row_error(first_row + index, spec.name, f"{value!r} is not a finite number")
                numbers[index] = value
            tensor = torch.from_numpy(numbers).to(self.device).reshape(-1, 1)
            return normalize(tensor, spec)
        if spec.type is FeatureType.CATEGORICAL:
            categories = list(spec.categories or ())
            codes = []
            for index, value in enumerate(values):
                if not isinstance(value, str) or value not in categories:
                    raise _row_error(
                        first_row + index, spec.name, f"{value!r} is not one of {categories}"
                    )
                codes.append(categories.index(value))
            index_tensor = torch.tensor(codes, device=self.device)
            return torch.nn.functional.one_hot(index_tensor, len(categories)).to(self.precision.dtype)
        if spec.type is FeatureType.MULTILABEL:
            return self._encode_labels(field, values, first_row)
        return self._encode_arrays(field, values, first_row)

    def _encode_sequences(self, field: InputField, values: list[Any], first_row: int) -> Tensor:
        spec = field.spec
        assert spec.sequence is not None
        alphabet = get_alphabet(spec.sequence.alphabet)
        arrays = {i: v for i, v in enumerate(values) if is_array_form(v)}
        strings = {i: v for i, v in enumerate(values) if i not in arrays}
        for index, value in strings.items():
            if not isinstance(value, str):
                raise _row_error(
                    first_row + index,
                    spec.name,
                    f"{value!r} is not a sequence string; expected {_expected(field)}",
                )
        parts = []
        if strings:
            rows = list(strings)
            parts.append((rows, self._sequence_codes(field, list(strings.values()), rows, first_row)))
        for index, value in arrays.items():
            parts.append(([index], self._one_hot_codes(field, value, first_row + index)))
        encoded = parts[0][1] if len(parts) == 1 else _in_order(parts, len(values), alphabet.name)
        codes = torch.from_numpy(encoded.codes).to(self.device)
        lengths = torch.from_numpy(encoded.lengths).to(self.device)
        return self.one_hot_codes(field.name, codes, lengths)

    def one_hot_codes(self, feature: str, codes: Tensor, lengths: Tensor) -> Tensor:
        """A sequence input's tensor from uint8 codes, exactly as training built it.

        Args:
            feature: The sequence input's name.
            codes: (N, max_length) uint8 codes padded with PAD, on any device.
            lengths: (N,) sequence lengths.

        Returns:
            (N, channels, window) one-hot on the model's device, in its compute dtype, with the
            training alignment and padding.
        """
        spec = self.inputs[feature].spec
        assert spec.sequence is not None
        return one_hot(
            codes.to(self.device),
            lengths.to(self.device),
            alphabet=get_alphabet(spec.sequence.alphabet),
            length=self.inputs[feature].sequence_length,
            alignment=spec.sequence.alignment,
            padding=spec.sequence.padding,
            dtype=self.precision.dtype,
        )

    def sequence_codes(self, feature: str, values: list[str]) -> EncodedSequences:
        """Validate sequence strings for a sequence input and turn them into codes.

        Raises:
            RowError: naming the row, the position and the letter outside the alphabet.
        """
        return self._sequence_codes(self.inputs[feature], values, list(range(len(values))), 0)

    def _sequence_codes(
        self, field: InputField, values: list[str], rows: list[int], first_row: int
    ) -> EncodedSequences:
        spec = field.spec
        assert spec.sequence is not None
        alphabet = get_alphabet(spec.sequence.alphabet)
        try:
            return encode_strings(values, alphabet, column=spec.name)
        except DataError as exc:
            row = rows[int(exc.details.get("row", 1)) - 1]  # the data layer counts from 1
            problem = exc.message.split(" in column")[0]  # "unexpected character 'X' at position 3"
            if "position" in exc.details:
                problem += f"; a {alphabet.name} sequence may only hold {alphabet.symbols}"
            raise _row_error(first_row + row, spec.name, problem) from None

    def _one_hot_codes(self, field: InputField, value: Any, row: int) -> EncodedSequences:
        """A one-hot array read as training read imported ones: its codes, padding stripped."""
        assert field.spec.sequence is not None
        expected = "a one-hot DNA array of shape " + "x".join(map(str, field.array_shape))
        if field.spec.sequence.alphabet == "protein":
            raise _row_error(row, field.name, "protein sequences are sent as strings, not arrays")
        try:
            array = array_value(value)
        except ArrayFormatError as exc:
            raise _row_error(row, field.name, f"{exc}; expected {expected}") from None
        fits = array.shape in (field.array_shape, field.shape)
        found = one_hot_to_codes(array[None]) if fits else None
        if found is None:
            raise _row_error(
                row,
                field.name,
                f"got an array of shape {'x'.join(map(str, array.shape))}; expected {expected} "
                "(0/1, at most one base per position) or a sequence string",
            )
        return found.sequences

    def _encode_labels(self, field: InputField, values: list[Any], first_row: int) -> Tensor:
        spec = field.spec
        categories = list(spec.categories or ())
        hot = np.zeros((len(values), len(categories)), dtype=np.float32)
        for index, value in enumerate(values):
            labels = value.split(spec.delimiter) if isinstance(value, str) else value
            if not isinstance(labels, list) or any(label not in categories for label in labels):
                raise _row_error(
                    first_row + index, spec.name, f"{value!r} is not a list of labels from {categories}"
                )
            hot[index, [categories.index(label) for label in labels]] = 1.0
        return torch.from_numpy(hot).to(self.device)

    def _encode_arrays(self, field: InputField, values: list[Any], first_row: int) -> Tensor:
        arrays = np.empty((len(values), *field.shape), dtype=np.float32)
        for index, value in enumerate(values):
            try:
                array = array_value(value)
            except ArrayFormatError:
                array = None
            if array is None or array.shape != field.shape or not np.isfinite(array).all():
                raise _row_error(
                    first_row + index, field.name, f"expected {_expected(field)} of finite numbers"
                )
            arrays[index] = array
        return torch.from_numpy(arrays).to(self.device)

    # ---- running and decoding ------------------------------------------------------------------

    def forward(self, batch: Batch) -> dict[str, np.ndarray]:
        """The model's raw outputs (normalised regression values, probabilities) as arrays."""
        threads = torch.get_num_threads()
        single = self.device.type == "cpu" and threads > 1 and batch_rows(batch) < SMALL_BATCH
        if single:
            torch.set_num_threads(1)
        try:
            with torch.inference_mode(), self.precision.autocast():
                outputs = self.model(batch)
                return {name: outputs[name].float().cpu().numpy() for name in self.targets}
        finally:
            if single:
                torch.set_num_threads(threads)

    def decode(self, outputs: Mapping[str, np.ndarray], first_row: int = 0) -> list[dict[str, Any]]:
        """Raw outputs → one dict per row: numbers in the target's units, classes → probability.

        Raises:
            RowError: a prediction is not a finite number (numbering rows from `first_row`).
        """
        columns: dict[str, list[Any]] = {}
        for name, values in self.decode_arrays(outputs, first_row).items():
            spec = self.targets[name]
            if spec.type in NUMERIC_TYPES:
                columns[name] = values.tolist()
            else:
                columns[name] = [
                    dict(zip(spec.categories or (), row, strict=True)) for row in values.tolist()
                ]
        count = len(next(iter(columns.values()))) if columns else 0
        return [{name: column[i] for name, column in columns.items()} for i in range(count)]

    def decode_arrays(
        self, outputs: Mapping[str, np.ndarray], first_row: int = 0
    ) -> dict[str, np.ndarray]:
        """Raw outputs → arrays in the targets' units: (N,) or (N, K) numbers for regression,
        (N, classes) probabilities in category order for classification.

        Raises:
            RowError: a prediction is not a finite number (numbering rows from `first_row`).
        """
        result = {}
        for name, spec in self.targets.items():
            values = outputs[name]
            _check_finite(values, name, first_row)
            if spec.type in NUMERIC_TYPES:
                flat = denormalize(values.astype(np.float64).reshape(len(values), -1), spec)
                _check_finite(flat, name, first_row)
                result[name] = flat[:, 0] if flat.shape[1] == 1 else flat
            else:
                result[name] = _probabilities(values, len(spec.categories or ()))
        return result

    def warnings(self, rows: Sequence[Row], *, first_row: int = 0) -> list[dict[str, Any]]:
        """What the model changed in valid rows without refusing them: sequence strings longer
        than the window, cut to fit as training cut them.

        Returns:
            One `{"row", "feature", "code": "sequence_truncated", "length", "window",
            "message"}` per such cell, in row order.
        """
        found = []
        for index, row in enumerate(rows):
            for name, field in self.inputs.items():
                value = row.get(name) if isinstance(row, Mapping) else None
                if field.spec.sequence is None or not isinstance(value, str):
                    continue
                window = field.sequence_length
                if len(value) <= window:
                    continue
                cut = _CUT[field.spec.sequence.alignment].format(cut=len(value) - window)
                where = first_row + index
                found.append(
                    {
                        "row": where,
                        "feature": name,
                        "code": "sequence_truncated",
                        "length": len(value),
                        "window": window,
                        "message": f"{_where(where, name)}: {len(value)} letters but the model "
                        f"reads {window}; {cut}",
                    }
                )
        return found

    def predict(self, rows: Sequence[Row]) -> list[dict[str, Any]]:
        """Encode, run and decode `rows` in one call."""
        return self.decode(self.forward(self.encode(rows)))


def _float32(value: Any) -> bool:
    """Whether `value` is a number float32 holds finitely (1e300 is finite only in Python)."""
    try:
        return isinstance(value, int | float) and math.isfinite(value) and abs(value) <= FLOAT32_MAX
    except OverflowError:  # an integer beyond any float
        return False


def _check_finite(values: np.ndarray, target: str, first_row: int) -> None:
    finite = np.isfinite(values.reshape(len(values), -1)).all(axis=1)
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0])
        raise _row_error(
            first_row + row,
            target,
            "the prediction is not a finite number; are the inputs in the range the model was "
            "trained on?",
        )


def _probabilities(values: np.ndarray, classes: int) -> np.ndarray:
    probabilities = values.astype(np.float64).reshape(len(values), -1)
    if probabilities.shape[1] == 1 and classes == 2:  # one sigmoid for two classes
        probabilities = np.concatenate([1.0 - probabilities, probabilities], axis=1)
    return probabilities


def _in_order(
    parts: list[tuple[list[int], EncodedSequences]], count: int, alphabet: str
) -> EncodedSequences:
    """Sequences encoded in parts (strings, then each array) back in request order."""
    width = max(encoded.max_length for _, encoded in parts)
    codes = np.full((count, width), PAD, dtype=np.uint8)
    lengths = np.zeros(count, dtype=np.int32)
    for rows, encoded in parts:
        codes[rows, : encoded.max_length] = encoded.codes
        lengths[rows] = encoded.lengths
    return EncodedSequences(codes, lengths, alphabet)


def _expected(field: InputField) -> str:
    spec = field.spec
    if spec.type is FeatureType.SEQUENCE:
        assert spec.sequence is not None
        kind = f"a {spec.sequence.alphabet.upper()} sequence string"
        if spec.sequence.alphabet == "protein":
            return kind
        return kind + " or a one-hot array of shape " + "x".join(map(str, field.array_shape))
    if spec.type in NUMERIC_TYPES:
        return "a number"
    if spec.type is FeatureType.CATEGORICAL:
        return f"one of {list(spec.categories or ())}"
    if spec.type is FeatureType.MULTILABEL:
        return f"a list of labels from {list(spec.categories or ())}"
    return "an array of shape " + "x".join(map(str, field.shape))
