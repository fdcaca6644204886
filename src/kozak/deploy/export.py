"""Export a checkpoint as ONNX or TorchScript, with a JSON file that says how to feed it.

`export_model` writes `model.onnx` (or `model.pt`, TorchScript) and `kozak-model.json` to a
folder. The exported model takes the *encoded* input tensors positionally, in the JSON's input
order, with a dynamic batch axis, and returns the raw outputs in the JSON's output order. The
JSON holds what Kozak does around the model: each input's encoding (alphabet, window,
alignment, padding; normalisation statistics; categories) and each output's decoding
(`value * scale + shift` for regression, class names for probabilities).
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from torch import Tensor, nn

from kozak import __version__
from kozak.data.feature_spec import NUMERIC_TYPES, FeatureSpec
from kozak.deploy.model import ServingModel
from kozak.errors import InvalidConfig, KozakError
from kozak.graph.compile import GraphModule
from kozak.training.checkpoint import Checkpoint, load_checkpoint
from kozak.training.data import denormalize

ExportFormat = Literal["onnx", "torchscript"]
FORMATS: tuple[ExportFormat, ...] = ("onnx", "torchscript")
MODEL_FILES: dict[ExportFormat, str] = {"onnx": "model.onnx", "torchscript": "model.pt"}
DESCRIPTION_FILE = "kozak-model.json"
DESCRIPTION_VERSION = 1
# The exporter warns that it skips torchvision's operators when torchvision is not installed.
ONNX_REGISTRY_LOGGER = "torch.onnx._internal.exporter._registration"
EXAMPLE_BATCH = 2  # torch.export specialises an axis whose example size is 0 or 1


class ExportFailed(KozakError):
    """The model could not be translated into the requested format."""

    code = "export_failed"
    http_status = 422


class PositionalModel(nn.Module):
    """A `GraphModule` with tensors in and out by position, as ONNX and TorchScript need.

    Args:
        model: The compiled graph (takes and returns dicts keyed by feature name).
        inputs: Input feature names, in the order the tensors are passed.
        outputs: Target feature names, in the order the tensors are returned.
    """

    def __init__(self, model: GraphModule, inputs: Sequence[str], outputs: Sequence[str]) -> None:
        super().__init__()
        self.model = model
        self.input_names = tuple(inputs)
        self.output_names = tuple(outputs)

    def forward(self, *tensors: Tensor) -> tuple[Tensor, ...]:
        results = self.model(dict(zip(self.input_names, tensors, strict=True)))
        return tuple(results[name] for name in self.output_names)


def denormalization(spec: FeatureSpec) -> dict[str, float]:
    """`{"scale", "shift"}` with value in the target's units = `raw * scale + shift`."""
    # Read off Kozak's own de-normalisation, so the two can never disagree.
    shift, shifted_one = denormalize(np.array([0.0, 1.0]), spec).tolist()
    return {"scale": shifted_one - shift, "shift": shift}


def _head(field: dict[str, Any], shape: tuple[int, ...]) -> dict[str, Any]:
    return {"name": field["name"], "type": field["type"], "shape": list(shape), "dtype": "float32"}


def describe(serving: ServingModel, checkpoint: Checkpoint, format: ExportFormat) -> dict[str, Any]:
    """The contents of `kozak-model.json` for an exported model."""
    schema = serving.schema()
    inputs = [_head(field, serving.inputs[field["name"]].shape) | field for field in schema["inputs"]]
    outputs = []
    for output in schema["outputs"]:
        name = output["name"]
        spec = serving.targets[name]
        shape = list(serving.model.output_shapes[name])
        described = _head(output, tuple(shape)) | output
        if spec.type in NUMERIC_TYPES:
            described["denormalize"] = denormalization(spec)
        elif shape == [1] and len(output["categories"]) == 2:
            described["positive"] = output["categories"][1]  # one sigmoid: P(second class)
        outputs.append(described)
    return {
        "format_version": DESCRIPTION_VERSION,
        "format": format,
        "file": MODEL_FILES[format],
        "graph": checkpoint.graph_spec.name,
        "kozak_version": __version__,
        "epoch": checkpoint.epoch,
        "dataset_version_id": checkpoint.data["dataset_version_id"],
        "inputs": inputs,
        "outputs": outputs,
    }


@contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    """Silence a logger below errors for the duration of the block."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _example(serving: ServingModel) -> tuple[Tensor, ...]:
    return tuple(
        torch.zeros((EXAMPLE_BATCH, *field.shape), dtype=torch.float32)
        for field in serving.inputs.values()
    )


def _export_onnx(model: PositionalModel, example: tuple[Tensor, ...], path: Path) -> None:
    batch = torch.export.Dim("batch")
    with _quiet(ONNX_REGISTRY_LOGGER):
        program = torch.onnx.export(
            model,
            example,
            dynamo=True,
            input_names=list(model.input_names),
            output_names=list(model.output_names),
            dynamic_shapes={"tensors": tuple({0: batch} for _ in example)},
            verbose=False,
        )
    assert program is not None  # the dynamo exporter always returns its program
    program.save(str(path), external_data=False)  # one self-contained file (models < 2 GB)


def _export_torchscript(model: PositionalModel, example: tuple[Tensor, ...], path: Path) -> None:
    traced = torch.jit.trace(model, example, strict=False)
    torch.jit.save(traced, str(path))


def export_model(
    checkpoint: str | Path | Checkpoint, folder: str | Path, format: ExportFormat = "onnx"
) -> Path:
    """Write a checkpoint's model in `format` plus `kozak-model.json` to `folder`.

    Args:
        checkpoint: A Kozak checkpoint or the path of one.
        folder: Where to write (created when missing; files of an earlier export are replaced).
        format: `onnx` (run it with onnxruntime) or `torchscript` (`torch.jit.load`).

    Returns:
        The model file (`model.onnx` or `model.pt`); `kozak-model.json` lies beside it.

    Raises:
        InvalidConfig: For an unknown format.
        ExportFailed: If the model uses an operation the format cannot express.
    """
    if format not in FORMATS:
        raise InvalidConfig(f"export format {format!r} is not one of {', '.join(FORMATS)}")
    loaded = checkpoint if isinstance(checkpoint, Checkpoint) else load_checkpoint(checkpoint)
    serving = ServingModel(loaded, "cpu", precision="fp32")  # exported graphs stay float32
    model = PositionalModel(serving.model, list(serving.inputs), list(serving.targets)).eval()
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    path = target / MODEL_FILES[format]
    try:
        # The exporters warn about their own deprecations and about tracing the per-example
        # shape checks, which are constants by design; none of it is the user's to act on.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if format == "onnx":
                _export_onnx(model, _example(serving), path)
            else:
                _export_torchscript(model, _example(serving), path)
    except ImportError as exc:
        raise ExportFailed(
            f"exporting to {format} needs {exc.name or 'an optional package'}: install kozak[export]"
        ) from exc
    except Exception as exc:  # the exporters raise many types; all mean "cannot translate"
        raise ExportFailed(
            f"graph {loaded.graph_spec.name!r} could not be exported to {format}: {exc}"
            + ("; try --format torchscript" if format == "onnx" else ""),
            graph=loaded.graph_spec.name,
        ) from exc
    description = describe(serving, loaded, format)
    (target / DESCRIPTION_FILE).write_text(json.dumps(description, indent=2) + "\n")
    return path
