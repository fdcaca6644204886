"""Domain entities the metadata store speaks in: plain, frozen pydantic models.

Ids are stable, prefixed strings (`prj_…`, `ds_…`, `dsv_…`); names are for people.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kozak.errors import InvalidConfig


def new_id(prefix: str) -> str:
    """A fresh stable id such as `ds_3f9c2a7b1e4d4c05`."""
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


ID_SHAPE = re.compile(r"[a-z]+_[0-9a-f]{16}")


def check_name(name: str, kind: str) -> str:
    """`name`, unless it is shaped like an id: references are by id or name, and a name that
    looks like another entity's id would make them ambiguous (or capture what was meant for it).

    Raises:
        InvalidConfig: naming the field.
    """
    if ID_SHAPE.fullmatch(name.strip()):
        raise InvalidConfig(
            f"{kind} name {name!r} is shaped like an id (such as prj_0123456789abcdef); "
            "choose another name",
            field="name",
        )
    return name


def utcnow() -> datetime:
    """Timezone-aware now, the only clock entities use."""
    return datetime.now(UTC)


class Entity(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


MAX_REFERENCE_LINES = 20


class ReferenceLine(Entity):
    """A published or target value of a metric, drawn on a project's evaluation plots."""

    name: str = Field(min_length=1, max_length=80, description="What it is, e.g. a paper and set.")
    metric: str = Field(
        max_length=64,
        pattern=r"^[a-z][a-z0-9_]{0,63}$",
        description="The metric key as evaluations name it (pearson_r2, spearman_r, mae, "
        "accuracy, ...); it applies to every subset's value of that metric.",
    )
    value: float = Field(allow_inf_nan=False, description="The value the line is drawn at.")


class Project(Entity):
    """The top-level container every other entity belongs to; `reference_lines` are drawn on
    its experiments' plots (a paper's result being replicated, a target to reach)."""

    id: str = Field(default_factory=lambda: new_id("prj"))
    name: str
    description: str = ""
    created_by: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    reference_lines: tuple[ReferenceLine, ...] = Field(default=(), max_length=MAX_REFERENCE_LINES)


class Dataset(Entity):
    """A named dataset in a project; its content lives in immutable versions."""

    id: str = Field(default_factory=lambda: new_id("ds"))
    project_id: str
    name: str
    description: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class ExperimentHead(Entity):
    """An experiment without its graph, run settings and files: what a list row shows.

    `parent_id` names the experiment it was cloned from.
    """

    id: str = Field(default_factory=lambda: new_id("exp"))
    project_id: str
    name: str
    dataset_version_id: str
    status: str = "created"
    message: str = ""
    best_epoch: int | None = None
    epochs_done: int = 0
    parent_id: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # Kept by the store from the settings and the best epoch (`store/summaries.py`).
    epochs_planned: int = 0
    best_metric: str | None = None
    best_value: float | None = None
    best_score: float | None = None
    # Set by the experiments layer from the graph's shapes; None when they cannot be inferred.
    param_count: int | None = None


class Experiment(ExperimentHead):
    """A model trained on a dataset version: graph, run settings, status and best epoch.

    `graph` is the `GraphSpec` and `settings` the `RunSettings`, both as JSON; checkpoints and
    evaluations live under `artifact_path`.
    """

    graph: dict[str, Any]
    settings: dict[str, Any]
    artifact_path: str = ""


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


class User(Entity):
    """Someone who logs in; `password_hash` is an argon2 hash, never the password."""

    id: str = Field(default_factory=lambda: new_id("usr"))
    name: str
    password_hash: str
    is_admin: bool = False
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class ApiToken(Entity):
    """A revocable API token; only its SHA-256 is stored, `prefix` shows which one it is."""

    id: str = Field(default_factory=lambda: new_id("tok"))
    user_id: str
    name: str
    token_hash: str
    prefix: str
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class BrowserSession(Entity):
    """A logged-in browser: the SHA-256 of its cookie, its CSRF token and when it expires."""

    id: str  # SHA-256 hex of the cookie value
    user_id: str
    csrf_token: str
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class Member(Entity):
    """A user's role in a project: `owner`, `editor` or `viewer`."""

    project_id: str
    user_id: str
    role: str


class Job(Entity):
    """One unit of work in the queue (train, resume, evaluate an experiment).

    A worker claims a `queued` job, holding a lease it renews with heartbeats; a job whose lease
    runs out is marked `failed` with its log. `cancel_requested` asks the worker to stop it.
    Statuses: queued, running, completed, failed, cancelled.
    """

    id: str = Field(default_factory=lambda: new_id("job"))
    project_id: str
    experiment_id: str | None = None
    kind: str
    payload: dict[str, Any] = Field(default_factory=dict)
    status: str = "queued"
    worker_id: str | None = None
    lease_expires_at: datetime | None = None
    heartbeat_at: datetime | None = None
    attempts: int = 0
    cancel_requested: bool = False
    error: str = ""
    log: str = ""
    created_by: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None


class Event(Entity):
    """One entry of the event log the live streams read: progress, epoch metrics, status.

    `id` is assigned by the store, increasing, so a stream resumes after the last id it sent.
    """

    id: int = 0
    project_id: str
    experiment_id: str | None = None
    kind: str
    data: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime = Field(default_factory=utcnow)


class Draft(Entity):
    """A dataset being prepared over the API: uploaded files plus the spec being edited.

    `files` lists `{"name", "path", "size", "sha256"}` of the uploads in the artifact store;
    `spec` is the `DatasetSpec` as JSON once the files were read (None before); `dataset_id` is
    set when the draft edits an existing dataset (a new version of it).
    """

    id: str = Field(default_factory=lambda: new_id("drf"))
    project_id: str
    name: str
    description: str = ""
    dataset_id: str | None = None
    files: list[dict[str, Any]] = Field(default_factory=list)
    spec: dict[str, Any] | None = None
    created_by: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Deployment(Entity):
    """A trained model served at `/deployment/{id}/forward`, with its own token.

    The checkpoint is copied to `artifact_path` when the deployment is made, so training the
    experiment further never changes what the deployment answers. Only the token's SHA-256 is
    stored; `token_prefix` tells tokens apart. A deployment must be disabled before deletion.
    """

    id: str = Field(default_factory=lambda: new_id("dep"))
    project_id: str
    experiment_id: str | None
    name: str
    checkpoint: str
    epoch: int
    artifact_path: str = ""
    token_hash: str
    token_prefix: str
    enabled: bool = True
    created_by: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class DeploymentUsage(Entity):
    """Requests a deployment answered in one minute: counts and latencies (milliseconds)."""

    deployment_id: str
    minute: datetime
    requests: int = 0
    errors: int = 0
    rows: int = 0
    latency_ms_sum: float = 0.0
    latency_ms_max: float = 0.0


class Design(Entity):
    """A model-guided design: experiments scoring, settings, start sequences, its job, results.

    `settings` is the `DesignSettings` and `starts` the start-sequence request, both as JSON;
    `experiment_ids` are the models (an ensemble when several) and `checkpoint` the one of each
    used; `job_id` is the job that runs it, whose status is the design's; `summary` holds the
    headline figures once it ran, and the full result lives under `artifact_path`.
    """

    id: str = Field(default_factory=lambda: new_id("dsn"))
    project_id: str
    name: str
    experiment_ids: list[str]
    checkpoint: str = "best"
    settings: dict[str, Any] = Field(default_factory=dict)
    starts: dict[str, Any] = Field(default_factory=dict)
    job_id: str | None = None
    summary: dict[str, Any] = Field(default_factory=dict)
    artifact_path: str = ""
    created_by: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Sweep(Entity):
    """A hyperparameter search whose trials are ordinary experiments on one dataset version.

    `spec` is the `SweepSpec` as JSON (search space, objective, sampler, pruner, budget,
    concurrency); `graph` and `settings` are the base every trial changes. The Optuna study
    named `study_name` lives in the same database. `trials_started` counts the trial slots
    taken (the budget's guard); `skipped` counts sampled combinations whose graph was invalid.
    """

    id: str = Field(default_factory=lambda: new_id("swp"))
    project_id: str
    name: str
    dataset_version_id: str
    base_experiment_id: str | None = None
    graph: dict[str, Any]
    settings: dict[str, Any]
    spec: dict[str, Any]
    study_name: str = ""
    status: str = "running"
    message: str = ""
    trials_started: int = 0
    skipped: int = 0
    created_by: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class SweepTrial(Entity):
    """One trial of a sweep: its Optuna trial, the experiment it trains and how it ended.

    `params` are the sampled values by dimension name; `value` the objective (None until it
    completes); `pruned_epoch` the epoch after which the pruner stopped it.
    """

    sweep_id: str
    number: int
    optuna_trial_id: int
    experiment_id: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    state: str = "running"
    value: float | None = None
    pruned_epoch: int | None = None
    message: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
