"""Designs on the wire: create one, see it (status from its job, summary), its settings schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from kozak.design.settings import DesignSettings
from kozak.design.starts import StartSequences
from kozak.server.schemas import Input, Schema
from kozak.store.entities import Design, Job


class DesignCreate(Input):
    """A design to run: its models, settings and start sequences."""

    name: str | None = Field(None, max_length=200, description="Default design, design-2, ...")
    experiments: list[str] = Field(
        min_length=1, max_length=8, description="Experiment ids or names; several make an ensemble."
    )
    checkpoint: str = Field("best", max_length=50, description="best, last or an epoch number.")
    settings: DesignSettings = Field(default_factory=DesignSettings)
    starts: StartSequences


class DesignSummaryPublic(Schema):
    """A finished design's headline figures."""

    designs: int
    rounds: int
    stopped: bool
    label: str
    start_mean: float
    final_mean: float
    mean_gain: float
    improved: int
    mean_edits: float
    seconds: float


class DesignPublic(Schema):
    """A design as lists and the Design view show it."""

    id: str
    project_id: str
    name: str
    experiment_ids: list[str]
    checkpoint: str
    settings: DesignSettings
    start_source: str = Field(description="Where the starts came from (sequences, text, ...).")
    start_count: int
    status: str = Field(description="Its job's: queued, running, completed, cancelled, failed.")
    message: str = Field(description="Why it failed, when it did.")
    job_id: str | None
    summary: DesignSummaryPublic | None
    created_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, design: Design, job: Job | None) -> DesignPublic:
        request: dict[str, Any] = design.starts.get("request", {})
        return cls(
            id=design.id,
            project_id=design.project_id,
            name=design.name,
            experiment_ids=design.experiment_ids,
            checkpoint=design.checkpoint,
            settings=DesignSettings.model_validate(design.settings),
            start_source=str(request.get("source", "sequences")),
            start_count=len(design.starts.get("sequences", [])),
            status=job.status if job is not None else ("completed" if design.summary else "created"),
            message=job.error if job is not None else "",
            job_id=design.job_id,
            summary=DesignSummaryPublic.model_validate(design.summary) if design.summary else None,
            created_by=design.created_by,
            created_at=design.created_at,
            updated_at=design.updated_at,
        )


class DesignSchemaPublic(Schema):
    """What the Design view's forms are rendered from."""

    settings: dict[str, Any] = Field(description="JSON Schema of the design settings.")
    starts: dict[str, Any] = Field(description="JSON Schema of the start-sequence request.")
    strategies: list[str]
    defaults: DesignSettings
