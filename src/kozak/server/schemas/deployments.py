"""Deployments on the wire: creating, listing, enabling, tokens, usage and trying them out."""

from __future__ import annotations

from datetime import datetime
from typing import (
    Any,
    NotRequired,  # pydantic reads only this TypedDict on 3.11
)

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from kozak.data.feature_spec import FeatureType, NormalizationStats
from kozak.server.schemas import Input, Schema
from kozak.store.entities import Deployment


class DeploymentCreate(Input):
    """Deploy a checkpoint of an experiment."""

    experiment: str = Field(description="The experiment's id or name.")
    checkpoint: str | int = Field("best", description="best, last, or an epoch number (or `epoch-N`).")
    name: str | None = Field(
        None, min_length=1, max_length=200, description="Default: the experiment's name."
    )
    enabled: bool = Field(True, description="Answer requests at once (else enable it later).")


class DeploymentUpdate(Input):
    """Enable, disable or rename a deployment."""

    enabled: bool | None = Field(None, description="Disabled deployments answer 403.")
    name: str | None = Field(None, min_length=1, max_length=200, description="A new name.")


class DeploymentPublic(Schema):
    """A deployment: where to call it and how it is set up (never its token)."""

    id: str
    project_id: str
    experiment_id: str | None = Field(description="Null once the experiment was deleted.")
    name: str
    checkpoint: str = Field(description="best, last or epoch-N, as deployed.")
    epoch: int = Field(description="The epoch the deployed weights come from.")
    enabled: bool
    token_prefix: str = Field(description="The start of the token, to tell tokens apart.")
    url: str = Field(description="The forward endpoint.")
    created_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, deployment: Deployment, base_url: str) -> DeploymentPublic:
        data = deployment.model_dump(exclude={"token_hash", "artifact_path"})
        return cls(**data, url=f"{base_url.rstrip('/')}/deployment/{deployment.id}/forward")


class DeploymentWithToken(DeploymentPublic):
    """A deployment and its token: shown once, at creation or when regenerated."""

    token: str = Field(description="Send as 'Authorization: Bearer <token>'. Shown only now.")


class UsageMinute(Schema):
    """Requests answered in one minute."""

    minute: datetime
    requests: int
    errors: int
    rows: int
    mean_latency_ms: float
    max_latency_ms: float


class DeploymentUsagePublic(Schema):
    """Totals and per-minute series over a time window."""

    requests: int
    errors: int
    rows: int
    mean_latency_ms: float | None
    max_latency_ms: float | None
    minutes: list[UsageMinute]


class DeploymentTry(Input):
    """Rows to predict from the UI's test form (project members, no deployment token)."""

    rows: list[dict[str, Any]] = Field(min_length=1, description="One object per example.")


@with_config(ConfigDict(extra="forbid"))
class InputField(TypedDict):
    """One model input as a deployment describes it; the keys present depend on `type`."""

    name: str
    type: FeatureType
    alphabet: NotRequired[str]
    length: NotRequired[int]
    alignment: NotRequired[str]
    padding: NotRequired[int]
    normalization: NotRequired[str]
    stats: NotRequired[NormalizationStats | None]
    categories: NotRequired[list[str]]
    shape: NotRequired[list[int]]


@with_config(ConfigDict(extra="forbid"))
class OutputField(TypedDict):
    """One model output: numbers (with their normalisation) or classes."""

    name: str
    type: FeatureType
    normalization: NotRequired[str]
    stats: NotRequired[NormalizationStats | None]
    categories: NotRequired[list[str]]


class ModelSchemaPublic(Schema):
    """What a deployment's rows must hold and what its predictions hold."""

    inputs: list[InputField]
    outputs: list[OutputField]
