"""Jobs and events on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from kozak.server.schemas import Schema
from kozak.store.entities import Event, Job
from kozak.store.statuses import JobStatus


class JobPublic(Schema):
    """A unit of work in the queue: train, resume, continue or evaluate an experiment, or run a
    design (no experiment; `payload.design_id` names it)."""

    id: str
    project_id: str
    experiment_id: str | None
    kind: str = Field(description="train, resume, continue, evaluate or design.")
    payload: dict[str, Any] = Field(description="The kind's arguments, e.g. {epochs} to continue.")
    status: JobStatus = Field(
        description="Where it stands; a cancelled job leaves its experiment stopped."
    )
    cancel_requested: bool
    error: str
    attempts: int
    worker_id: str | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, job: Job) -> JobPublic:
        return cls(**job.model_dump(exclude={"log", "lease_expires_at", "heartbeat_at"}))


class JobDetail(JobPublic):
    """A job with its log (start, each epoch's metrics, the error on failure)."""

    log: str
    heartbeat_at: datetime | None

    @classmethod
    def of(cls, job: Job) -> JobDetail:
        return cls(**job.model_dump(exclude={"lease_expires_at"}))


class EventPublic(Schema):
    """One entry of the event log (what the event streams send as `data`)."""

    id: int
    kind: str = Field(description="status, progress or epoch.")
    experiment_id: str | None
    data: dict[str, Any]
    created_at: datetime

    @classmethod
    def of(cls, event: Event) -> EventPublic:
        return cls(**event.model_dump(exclude={"project_id"}))
