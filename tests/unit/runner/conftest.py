"""Fixtures for job tests: a workspace on each database and tiny experiments on `tiny_dna`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kozak.data import import_files
from kozak.experiments import create_experiment
from kozak.graph import GraphSpec, chain
from kozak.settings import Settings
from kozak.store.entities import DatasetVersion, Experiment
from kozak.store.sql import SqlAlchemyMetadataStore
from kozak.training import RunSettings
from kozak.workspace import Workspace


@pytest.fixture
def job_settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings on SQLite or PostgreSQL, with heartbeats frequent enough for quick cancels."""
    return Settings(home=tmp_path / "home", database_url=database_url, job_lease_s=5, heartbeat_s=0.1)


@pytest.fixture
def job_workspace(job_settings: Settings) -> Iterator[Workspace]:
    workspace = Workspace.open(job_settings)
    yield workspace
    if isinstance(workspace.metadata, SqlAlchemyMetadataStore):
        workspace.metadata.close()  # before the PostgreSQL fixture drops the schema


@pytest.fixture
def tiny_version(job_workspace: Workspace, tiny_dna: Path) -> DatasetVersion:
    """The 40 tiny sequences, split 80/20 into training and validation."""
    return import_files(job_workspace, [tiny_dna], name="Tiny", project="Lab").save()


def tiny_graph() -> GraphSpec:
    """A linear model of the one-hot sequence: a few hundred weights."""
    return chain(
        ("seq", "input", {"feature": "seq"}),
        ("flatten", "flatten", {}),
        ("out", "dense", {"units": 1, "activation": "linear"}),
        ("expression", "target", {"feature": "expression", "loss": "mse"}),
        name="tiny",
    )


@pytest.fixture
def make_experiment(job_workspace: Workspace, tiny_version: DatasetVersion) -> Callable[..., Experiment]:
    """Creates (does not run) a tiny experiment: 2 epochs of 4 batches unless told otherwise."""

    def make(name: str = "tiny", **settings: Any) -> Experiment:
        run = RunSettings(**{"epochs": 2, "batch_size": 8, **settings})
        return create_experiment(job_workspace, "Lab", name, tiny_version, tiny_graph(), run)

    return make
