"""An experiment as a list row shows it: `ExperimentSummary`.

It imports no PyTorch, so a bulk process (`kozak.server.bulk`) serialises pages with it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from kozak.experiments.listing import Overview
from kozak.server.schemas import Schema
from kozak.server.schemas.jobs import JobPublic
from kozak.store.statuses import ExperimentStatus


class BestMetricPublic(Schema):
    """The monitored metric (early stopping's) at the best epoch."""

    name: str
    value: float | None
    epoch: int


class ExperimentSummary(Schema):
    """An experiment as the list shows it."""

    id: str
    project_id: str
    name: str
    dataset_version_id: str
    status: ExperimentStatus = Field(
        description="Where it stands; stopped when its job was cancelled (it can be resumed)."
    )
    message: str = Field(description="Why it stopped or failed, for people.")
    epochs_done: int
    epochs: int = Field(description="Epochs planned (the run settings').")
    progress: float = Field(description="Epochs done of planned, 0 to 1.")
    best_epoch: int | None
    best_metric: BestMetricPublic | None
    parent_id: str | None = Field(description="The experiment it was cloned from.")
    parent_name: str | None = Field(None, description="Its name (null when deleted).")
    param_count: int | None = Field(
        description="Trainable parameters of its graph on its data; null when shapes do not resolve."
    )
    job: JobPublic | None = Field(description="Its queued or running job, if any.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def fields_of(cls, view: Overview) -> dict[str, Any]:
        e = view.experiment
        return {
            **e.model_dump(include=set(cls.model_fields)),
            "epochs": view.epochs,
            "progress": view.progress,
            "parent_name": view.parent_name,
            "best_metric": BestMetricPublic(**vars(view.best)) if view.best else None,
            "job": JobPublic.of(view.job) if view.job else None,
        }

    @classmethod
    def of(cls, view: Overview) -> ExperimentSummary:
        return cls(**cls.fields_of(view))
