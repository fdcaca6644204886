"""The headless form of an experiment: one YAML file naming data, model and run settings.

name: tutorial
project: Yeast
dataset:                      # an existing dataset (newest version unless `version`) ...
  name: Native
  files: [Native_UTRs.csv.gz] # ... or files to import as a new version of it
  rename: {UTR: seq}
  encoding: {seq: {alignment: right, length: 50, padding: 10}}
  subsets:                    # replace the default 80/20 split
    - {name: training, kind: random, end: 80, seed: 1}
    - {name: validation, kind: random, start: 80, end: 100, seed: 1}
model: {preset: cuperus2017-tutorial}   # or `graph: {...}` or `file: model.yaml`
settings: {epochs: 3, batch_size: 64}
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kozak.data import find_version, import_files
from kozak.data.feature_spec import SequenceEncoding
from kozak.data.subsets import SubsetSpec
from kozak.errors import InvalidConfig, invalid_config
from kozak.experiments.lifecycle import create_experiment, free_experiment_name, run_experiment
from kozak.graph.graph_spec import GraphSpec
from kozak.graph.presets import preset
from kozak.store.entities import DatasetVersion, Experiment
from kozak.training import RunSettings
from kozak.training.callbacks import Callback
from kozak.workspace import Workspace


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatasetChoice(_Strict):
    """Which data: an existing dataset's version, or files imported as a new version."""

    name: str = Field(description="Dataset name.")
    version: str | None = Field(None, description="Version name or id; default the newest.")
    files: tuple[str, ...] = Field((), description="Files to import (paths relative to the YAML).")
    rename: dict[str, str] = Field({}, description="Feature renames, old → new.")
    encoding: dict[str, SequenceEncoding] = Field({}, description="Sequence encodings by feature.")
    subsets: tuple[SubsetSpec, ...] | None = Field(
        None, description="Subsets replacing the default 80/20 split."
    )


class ModelChoice(_Strict):
    """Which model: a preset, an inline graph, or a graph file."""

    preset: str | None = Field(None, description="Preset name, e.g. cuperus2017.")
    graph: dict[str, Any] | None = Field(None, description="A graph spec, inline.")
    file: str | None = Field(None, description="A graph YAML/JSON file (relative to the YAML).")

    @model_validator(mode="after")
    def _exactly_one(self) -> ModelChoice:
        if sum(x is not None for x in (self.preset, self.graph, self.file)) != 1:
            raise ValueError("give exactly one of preset, graph and file")
        return self


class ExperimentFile(_Strict):
    """An experiment as a file: `kozak run FILE.yaml`."""

    name: str = Field(description="Experiment name (suffixed -2, -3… when taken).")
    project: str = Field("Default", description="Project name (created when missing).")
    dataset: DatasetChoice
    model: ModelChoice
    settings: RunSettings = Field(default_factory=RunSettings, description="Run settings.")

    @classmethod
    def load(cls, path: Path) -> ExperimentFile:
        """Parse and validate a YAML file, naming every problem."""
        try:
            return cls.model_validate(yaml.safe_load(path.read_text()))
        except ValidationError as exc:
            raise invalid_config(exc, f"experiment file {path}") from None
        except (OSError, yaml.YAMLError) as exc:
            raise InvalidConfig(f"cannot read experiment file {path}: {exc}") from exc


def _dataset_version(
    workspace: Workspace, choice: DatasetChoice, project: str, base: Path
) -> DatasetVersion:
    if not choice.files:
        return find_version(
            workspace, project, f"{choice.name}@{choice.version}" if choice.version else choice.name
        )[1]
    draft = import_files(workspace, [base / f for f in choice.files], name=choice.name, project=project)
    for old, new in choice.rename.items():
        draft.rename(old, new)
    for feature, encoding in choice.encoding.items():
        draft.set_encoding(feature, **encoding.model_dump())
    if choice.subsets is not None:
        for subset in list(draft.spec.subsets):
            draft.remove_subset(subset.name)
        for subset in choice.subsets:
            draft.add_subset(subset)
    return draft.save(choice.version)


def _graph(choice: ModelChoice, base: Path) -> GraphSpec:
    if choice.preset is not None:
        return preset(choice.preset)
    if choice.graph is not None:
        return GraphSpec.from_data(choice.graph)
    assert choice.file is not None  # _exactly_one
    return GraphSpec.from_yaml((base / choice.file).read_text())


def run_file(workspace: Workspace, path: Path, callbacks: Sequence[Callback] = ()) -> Experiment:
    """Import or find the data, build the model, create the experiment, train and evaluate it."""
    spec = ExperimentFile.load(path)
    base = path.parent
    workspace.metadata.get_or_create_project(spec.project)
    version = _dataset_version(workspace, spec.dataset, spec.project, base)
    graph = _graph(spec.model, base)
    name = free_experiment_name(workspace, spec.project, spec.name)
    experiment = create_experiment(workspace, spec.project, name, version, graph, spec.settings)
    return run_experiment(workspace, experiment, callbacks)
