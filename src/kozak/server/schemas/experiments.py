"""Experiments on the wire: creating (from a spec or the wizard), editing, results, comparison."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field

from kozak.experiments.design import DesignReport, ExperimentChoices, WizardChoices
from kozak.experiments.overview import Overview
from kozak.experiments.service import CHECKPOINT_PATTERN
from kozak.server.schemas import MAX_TEXT, Input, Schema
from kozak.server.schemas.jobs import JobPublic
from kozak.server.schemas.models import GraphCheckPublic, IssuePublic, NodeInfoPublic
from kozak.store.entities import EpochMetrics


class ExperimentCreate(ExperimentChoices):
    """An experiment from a version (by id, or dataset and version), a graph or preset, settings."""

    model_config = ConfigDict(str_max_length=MAX_TEXT)
    run: bool = Field(False, description="Queue its training at once.")


class ExperimentWizard(WizardChoices):
    """The New-experiment wizard's choices."""

    model_config = ConfigDict(str_max_length=MAX_TEXT)


class ExperimentCheck(Input):
    """A graph and run settings to check against a version; nothing is written."""

    dataset_version_id: str = Field(description="The dataset version to check against.")
    graph: dict[str, Any] = Field(description="The graph spec: {name, nodes, edges}.")
    settings: dict[str, Any] = Field({}, description="Run settings to change from the defaults.")


class ExperimentCheckPublic(GraphCheckPublic):
    """The graph check plus the complete run settings (null when they are invalid)."""

    settings: dict[str, Any] | None

    @classmethod
    def of_report(cls, report: DesignReport) -> ExperimentCheckPublic:
        return cls(
            ok=report.ok,
            nodes=[NodeInfoPublic.of(n) for n in report.info.nodes],
            total_params=report.info.total_params,
            total_flops=report.info.total_flops,
            issues=[IssuePublic.of(i) for i in report.issues],
            settings=report.settings.model_dump(mode="json") if report.settings else None,
        )


class ExperimentUpdate(Input):
    """Rename an experiment any time; change its graph or settings only before it runs."""

    name: str | None = Field(None, min_length=1, max_length=200, description="A new name.")
    graph: dict[str, Any] | None = Field(None, description="A complete new graph spec.")
    settings: dict[str, Any] | None = Field(
        None,
        description='Run settings to change, merged into the current ones: {"optimizer": {"lr": 0.01}}.',
    )


class ExperimentClone(Input):
    """A copy of an experiment as a new, not yet run, experiment."""

    name: str = Field(min_length=1, max_length=200, description="Name of the copy.")
    with_weights: bool = Field(False, description="Start from the experiment's best weights.")


class ExperimentContinue(Input):
    """Train more epochs from the last checkpoint."""

    epochs: int = Field(ge=1, le=100_000, description="Epochs to train beyond those done.")


class ExperimentEvaluate(Input):
    """Evaluate a checkpoint again (e.g. on subsets added to the version since)."""

    subsets: list[str] | None = Field(None, description="Subsets to evaluate; default all.")
    checkpoint: str = Field(
        "best", pattern=CHECKPOINT_PATTERN, description="best, last or epoch-N (any epoch of the run)."
    )


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
    status: str = Field(
        description="created, queued, running, evaluating, completed, stopped or failed."
    )
    message: str = Field(description="Why it stopped or failed, for people.")
    epochs_done: int
    epochs: int = Field(description="Epochs planned (the run settings').")
    progress: float = Field(description="Epochs done of planned, 0 to 1.")
    best_epoch: int | None
    best_metric: BestMetricPublic | None
    parent_id: str | None = Field(description="The experiment it was cloned from.")
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
            "best_metric": BestMetricPublic(**vars(view.best)) if view.best else None,
            "job": JobPublic.of(view.job) if view.job else None,
        }

    @classmethod
    def of(cls, view: Overview) -> ExperimentSummary:
        return cls(**cls.fields_of(view))


class ExperimentPublic(ExperimentSummary):
    """An experiment with its graph and run settings."""

    graph: dict[str, Any]
    settings: dict[str, Any]

    @classmethod
    def of(cls, view: Overview) -> ExperimentPublic:
        return cls(**cls.fields_of(view))


class EpochPublic(Schema):
    """What one epoch measured: losses, metrics, learning rate, seconds."""

    epoch: int
    metrics: dict[str, Any]
    created_at: datetime

    @classmethod
    def of(cls, epoch: EpochMetrics) -> EpochPublic:
        return cls(epoch=epoch.epoch, metrics=epoch.metrics, created_at=epoch.created_at)


class EvaluationPublic(Schema):
    """Metrics and plot data of a checkpoint per subset and target."""

    checkpoint: str
    epoch: int | None
    subsets: dict[str, dict[str, Any]] = Field(
        description="{subset: {target: {metrics, scatter, residuals}}} (classification: metrics)."
    )


class ExperimentCompare(Input):
    """Experiments of the project to compare."""

    experiment_ids: list[str] = Field(min_length=2, max_length=50, description="Ids or names.")


class ComparisonPublic(Schema):
    """Experiments side by side."""

    experiments: list[str] = Field(description="Their names, in the order asked.")
    settings_diff: dict[str, list[Any]] = Field(
        description="Run settings (dotted keys) that differ, with each experiment's value."
    )
    graphs_equal: bool
    graph_diff: dict[str, Any] = Field(description="{nodes: [...], edges: [...]} that differ.")
    table: list[dict[str, Any]] = Field(
        description="Per experiment: status, best epoch, graph, differing settings, metrics."
    )
    curves: dict[str, dict[str, list[float | None]]] = Field(
        description="Per experiment name: epoch, loss, val_loss and val_pearson_r2 series."
    )
