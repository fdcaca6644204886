"""Exported models (ONNX, TorchScript) answer exactly as Kozak does, given `kozak-model.json`."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from kozak.cli import app
from kozak.deploy.export import DESCRIPTION_FILE, export_model
from kozak.deploy.model import ServingModel
from kozak.errors import InvalidConfig, NotFound
from kozak.experiments import create_experiment
from kozak.experiments.checkpoints import local_checkpoint
from kozak.experiments.lifecycle import version_of
from kozak.graph.graph_spec import GraphSpec
from kozak.settings import Settings
from kozak.store.entities import Experiment
from kozak.training import RunSettings
from kozak.workspace import Workspace

ort = pytest.importorskip("onnxruntime")

Runner = Callable[[list[np.ndarray]], list[np.ndarray]]
ROWS = [
    {"seq": "ACGTACGTAC", "count": 3.0},
    {"seq": "ttgacaATG", "count": 0.5},
    {"seq": "GGGGCCCCAAAATTTT", "count": 12.0},  # longer than the window: cut to fit
    {"seq": "A", "count": -1.0},
    {"seq": "ACGUACGU", "count": 7.0},
    {"seq": "CATCATCAT", "count": 2.0},
    {"seq": "TTTTTTTTTTTT", "count": 0.0},
]


def _checkpoint(workspace: Workspace, experiment: Experiment) -> Path:
    path = local_checkpoint(workspace, experiment, "best")
    assert path is not None
    return path


def _onnx(model_path: Path) -> Runner:
    session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    return lambda tensors: list(session.run(None, dict(zip(names, tensors, strict=True))))


def _torchscript(model_path: Path) -> Runner:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # PyTorch deprecates TorchScript
        module = torch.jit.load(str(model_path))

    def run(tensors: list[np.ndarray]) -> list[np.ndarray]:
        with torch.no_grad():
            return [t.numpy() for t in module(*(torch.from_numpy(a) for a in tensors))]

    return run


RUNNERS = {"onnx": _onnx, "torchscript": _torchscript}


def _decode(description: dict[str, Any], raw: list[np.ndarray]) -> list[dict[str, Any]]:
    """Predictions from raw outputs using only the JSON, as a user outside Kozak would."""
    columns: dict[str, list[Any]] = {}
    for output, values in zip(description["outputs"], raw, strict=True):
        if "denormalize" in output:
            scale, shift = output["denormalize"]["scale"], output["denormalize"]["shift"]
            columns[output["name"]] = (values.astype(np.float64)[:, 0] * scale + shift).tolist()
        else:
            columns[output["name"]] = [dict(zip(output["categories"], p, strict=True)) for p in values]
    return [{name: column[i] for name, column in columns.items()} for i in range(len(raw[0]))]


@pytest.mark.parametrize("format", ["onnx", "torchscript"])
def test_exported_regression_equals_kozak(
    workspace: Workspace, trained: Experiment, tmp_path: Path, format: str
) -> None:
    checkpoint = _checkpoint(workspace, trained)
    path = export_model(checkpoint, tmp_path / "out", format)  # type: ignore[arg-type]
    description = json.loads((tmp_path / "out" / DESCRIPTION_FILE).read_text())
    assert description["graph"] == "seq-and-count" and description["epoch"] >= 1
    assert description["dataset_version_id"] == trained.dataset_version_id
    assert [(i["name"], i["shape"]) for i in description["inputs"]] == [("seq", [4, 12]), ("count", [1])]
    assert description["inputs"][0]["alphabet"] == "dna" and description["inputs"][1]["stats"]
    run = RUNNERS[format](path)
    serving = ServingModel.load(checkpoint, "cpu", precision="fp32")  # what was exported
    for rows in (ROWS[:1], ROWS):  # the batch axis is dynamic
        batch = serving.encode(rows)
        raw = run([batch[i["name"]].numpy() for i in description["inputs"]])
        expected = serving.forward(batch)["expression"]
        assert raw[0].shape == (len(rows), 1)
        np.testing.assert_allclose(raw[0], expected, atol=1e-5, rtol=0)
        predicted = [r["expression"] for r in serving.predict(rows)]
        exported = [r["expression"] for r in _decode(description, raw)]
        np.testing.assert_allclose(exported, predicted, atol=1e-5, rtol=0)


@pytest.mark.parametrize("format", ["onnx", "torchscript"])
def test_exported_classifier_equals_kozak(
    workspace: Workspace, classifier: Experiment, tmp_path: Path, format: str
) -> None:
    checkpoint = _checkpoint(workspace, classifier)
    path = export_model(checkpoint, tmp_path, format)  # type: ignore[arg-type]
    description = json.loads((tmp_path / DESCRIPTION_FILE).read_text())
    (output,) = description["outputs"]
    assert output["name"] == "label" and sorted(output["categories"]) == ["none", "uatg"]
    rows = [{"seq": s} for s in ("ACGTATGCAAACCCGG", "CCCCCCCCGGGGGGGG", "atgatgatgatgatga")]
    serving = ServingModel.load(checkpoint, "cpu", precision="fp32")  # what was exported
    raw = RUNNERS[format](path)([serving.encode(rows)["seq"].numpy()])
    for got, want in zip(_decode(description, raw), serving.predict(rows), strict=True):
        assert got["label"] == pytest.approx(want["label"], abs=1e-5)


def test_unknown_format_is_refused(workspace: Workspace, trained: Experiment, tmp_path: Path) -> None:
    with pytest.raises(InvalidConfig, match="onnx, torchscript"):
        export_model(_checkpoint(workspace, trained), tmp_path, "tflite")  # type: ignore[arg-type]


def test_cli_exports_an_experiment(
    workspace: Workspace, settings: Settings, trained: Experiment, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("KOZAK_HOME", str(settings.home))
    out = tmp_path / "exported"
    result = CliRunner().invoke(
        app, ["export", trained.name, "-p", "P", "--format", "torchscript", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert (out / "model.pt").exists() and (out / DESCRIPTION_FILE).exists()
    arguments = ["-p", "P", "--format", "onnx", "--output", str(out)]
    missing = CliRunner().invoke(app, ["export", trained.name, "--checkpoint", "9", *arguments])
    assert isinstance(missing.exception, NotFound)
    assert "'epoch-9'" in missing.exception.message and "up to 2" in missing.exception.message
    untrained = create_experiment(
        workspace, "P", "untrained", version_of(workspace, trained),
        GraphSpec.from_data(trained.graph), RunSettings(),
    )  # fmt: skip
    never = CliRunner().invoke(app, ["export", untrained.name, *arguments])
    assert isinstance(never.exception, NotFound) and "run it first" in never.exception.message
