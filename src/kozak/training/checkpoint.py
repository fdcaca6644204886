"""Self-describing checkpoints: everything needed to rebuild, use and resume a model.

A checkpoint is a dict of JSON-like values and tensors (so `torch.load(weights_only=True)` reads
it): format_version, graph_spec, run_settings, dataset_version_id, features (specs with encodings
and normalisation statistics, plus tensor shapes), model/optimizer/scheduler state, position
(epoch, batch), metrics, best_metric, callbacks_state and RNG state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from kozak.data.feature_spec import FeatureSpec
from kozak.errors import SchemaMismatch
from kozak.graph.compile import GraphModule, compile_graph
from kozak.graph.feature_shapes import FeatureInfo
from kozak.graph.graph_spec import GraphSpec
from kozak.training.settings import RunSettings

FORMAT_VERSION = 1
REQUIRED_KEYS = (
    "format_version",
    "graph_spec",
    "run_settings",
    "dataset_version_id",
    "features",
    "model_state",
    "optimizer_state",
    "scheduler_state",
    "epoch",
    "batch",
    "metrics",
    "callbacks_state",
)


def state_mismatches(model: nn.Module, state: Mapping[str, torch.Tensor]) -> list[str]:
    """Every difference between a model's state and `state`: missing, unexpected, wrong shape."""
    own = model.state_dict()
    problems = [f"missing {key}" for key in own if key not in state]
    problems += [f"unexpected {key}" for key in state if key not in own]
    problems += [
        f"{key}: checkpoint {tuple(state[key].shape)}, model {tuple(value.shape)}"
        for key, value in own.items()
        if key in state and tuple(state[key].shape) != tuple(value.shape)
    ]
    return problems


def load_state_strict(model: nn.Module, state: Mapping[str, torch.Tensor]) -> None:
    """Load weights only when keys and shapes match exactly.

    Raises:
        SchemaMismatch: Listing every mismatch in the message and in `details["problems"]`.
    """
    problems = state_mismatches(model, state)
    if problems:
        raise SchemaMismatch(
            f"checkpoint does not fit the model ({len(problems)} problems): " + "; ".join(problems),
            problems=problems,
        )
    model.load_state_dict(dict(state), strict=True)


@dataclass(frozen=True)
class Checkpoint:
    """A loaded checkpoint with typed views of its parts."""

    data: dict[str, Any]

    @property
    def graph_spec(self) -> GraphSpec:
        """The model's graph."""
        return GraphSpec.from_data(self.data["graph_spec"])

    @property
    def run_settings(self) -> RunSettings:
        """The run settings it was trained with."""
        return RunSettings.from_data(self.data["run_settings"])

    @property
    def features(self) -> dict[str, FeatureSpec]:
        """Input and target feature specs (encodings, normalisation statistics), by name."""
        return {name: FeatureSpec.model_validate(f["spec"]) for name, f in self.data["features"].items()}

    @property
    def feature_infos(self) -> dict[str, FeatureInfo]:
        """The features as the graph saw them (shapes), for rebuilding the model."""
        return {name: FeatureInfo.model_validate(f["info"]) for name, f in self.data["features"].items()}

    @property
    def epoch(self) -> int:
        """Epochs completed."""
        return int(self.data["epoch"])

    @property
    def metrics(self) -> list[dict[str, float]]:
        """Metrics of every completed epoch."""
        return list(self.data["metrics"])

    def build_model(self, device: torch.device | str = "cpu") -> GraphModule:
        """Rebuild the model from the graph spec and load its weights strictly, in eval mode.

        Raises:
            SchemaMismatch: If the weights do not fit the rebuilt graph (all mismatches listed).
        """
        model = compile_graph(self.graph_spec, self.feature_infos)
        load_state_strict(model, self.data["model_state"])
        return model.to(device).eval()


def save_checkpoint(data: dict[str, Any], path: str | Path) -> Path:
    """Write a checkpoint atomically (a temporary file renamed into place)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    torch.save(data, partial)
    partial.replace(target)
    return target


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> Checkpoint:
    """Read a checkpoint written by `save_checkpoint` (safely: `weights_only=True`).

    Raises:
        SchemaMismatch: If the file is not a Kozak checkpoint, or of another format version, or
            lacks required parts (all listed).
    """
    try:
        data = torch.load(Path(path), map_location=map_location, weights_only=True)
    except Exception as exc:  # torch raises several types for foreign or corrupt files
        raise SchemaMismatch(
            f"{path} is not a readable Kozak checkpoint: {exc}", path=str(path)
        ) from None
    if not isinstance(data, dict):
        raise SchemaMismatch(f"{path} is not a Kozak checkpoint", path=str(path))
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise SchemaMismatch(
            f"{path} is not a complete Kozak checkpoint; missing: {', '.join(missing)}",
            path=str(path),
            missing=missing,
        )
    if data["format_version"] != FORMAT_VERSION:
        raise SchemaMismatch(
            f"{path} has checkpoint format {data['format_version']}, this Kozak reads "
            f"format {FORMAT_VERSION}",
            path=str(path),
        )
    return Checkpoint(data)
