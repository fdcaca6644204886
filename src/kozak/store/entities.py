"""Domain entities the metadata store speaks in: plain, frozen pydantic models.

Ids are stable, prefixed strings (`prj_…`, `ds_…`, `dsv_…`); names are for people.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def new_id(prefix: str) -> str:
    """A fresh stable id such as `ds_3f9c2a7b1e4d4c05`."""
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


def utcnow() -> datetime:
    """Timezone-aware now, the only clock entities use."""
    return datetime.now(UTC)


class Entity(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Project(Entity):
    """The top-level container every other entity belongs to."""

    id: str = Field(default_factory=lambda: new_id("prj"))
    name: str
    description: str = ""
    created_by: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class Dataset(Entity):
    """A named dataset in a project; its content lives in immutable versions."""

    id: str = Field(default_factory=lambda: new_id("ds"))
    project_id: str
    name: str
    description: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class Experiment(Entity):
    """A model trained on a dataset version: graph, run settings, status and best epoch.

    `graph` is the `GraphSpec` and `settings` the `RunSettings`, both as JSON; `parent_id` names
    the experiment it was cloned from; checkpoints and evaluations live under `artifact_path`.
    """

    id: str = Field(default_factory=lambda: new_id("exp"))
    project_id: str
    name: str
    dataset_version_id: str
    graph: dict[str, Any]
    settings: dict[str, Any]
    status: str = "created"
    message: str = ""
    best_epoch: int | None = None
    epochs_done: int = 0
    parent_id: str | None = None
    artifact_path: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class EpochMetrics(Entity):
    """What one epoch of an experiment measured: losses, metrics, learning rate, seconds."""

    experiment_id: str
    epoch: int
    metrics: dict[str, Any]
    created_at: datetime = Field(default_factory=utcnow)


class DatasetVersion(Entity):
    """One immutable, content-addressed snapshot of a dataset.

    `spec` is the `DatasetSpec` as JSON (features, encodings, normalization, subsets),
    `stats` the statistics computed at save time, `sources` the imported files and digests,
    `subset_counts` the row count of every subset, `artifact_path` where its files live.
    """

    id: str = Field(default_factory=lambda: new_id("dsv"))
    dataset_id: str
    name: str
    digest: str
    row_count: int
    spec: dict[str, Any]
    stats: dict[str, Any] = Field(default_factory=dict)
    sources: list[dict[str, Any]] = Field(default_factory=list)
    subset_counts: dict[str, int] = Field(default_factory=dict)
    artifact_path: str
    created_at: datetime = Field(default_factory=utcnow)
