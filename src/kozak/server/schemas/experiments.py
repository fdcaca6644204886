"""Experiments on the wire: creating (from a spec or the wizard), editing, results, comparison."""

from __future__ import annotations

from datetime import datetime
from typing import (
    Any,
    Literal,
    NotRequired,  # pydantic reads only this TypedDict on 3.11
)

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from kozak.experiments.checkpoints import CHECKPOINT_PATTERN
from kozak.experiments.listing import Overview, ProjectSummary
from kozak.experiments.setup import ExperimentChoices, SetupReport, WizardChoices
from kozak.graph.graph_spec import GraphSpec
from kozak.server.schemas import MAX_TEXT, Input, Schema
from kozak.server.schemas.experiment_summaries import ExperimentSummary
from kozak.server.schemas.models import GraphCheckPublic, IssuePublic, NodeInfoPublic
from kozak.store.entities import EpochMetrics, Project
from kozak.store.statuses import ExperimentStatus


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
    def of_report(cls, report: SetupReport) -> ExperimentCheckPublic:
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


class ExperimentCounts(Schema):
    """The project's experiments in numbers: how many per status, and the best by a metric."""

    statuses: dict[str, int] = Field(description="Experiments per status (absent: none).")
    count: int = Field(description="Experiments in all.")
    metric: str = Field(description="The metric `best` is judged by.")
    best: ExperimentSummary | None = Field(description="The best by `metric`; null when none has it.")

    @classmethod
    def of(cls, summary: ProjectSummary, metric: str) -> ExperimentCounts:
        return cls(
            statuses=summary.statuses,
            count=sum(summary.statuses.values()),
            metric=metric,
            best=ExperimentSummary.of(summary.best) if summary.best else None,
        )


class RecentExperiment(Schema):
    """An experiment changed lately, with the project it is in."""

    project_id: str
    project_name: str
    experiment: ExperimentSummary = Field(description="Its `job` is left out (null) here.")

    @classmethod
    def of(cls, view: Overview, project: Project) -> RecentExperiment:
        return cls(
            project_id=project.id, project_name=project.name, experiment=ExperimentSummary.of(view)
        )


class ExperimentPublic(ExperimentSummary):
    """An experiment with its graph and run settings."""

    graph: GraphSpec
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


@with_config(ConfigDict(extra="forbid"))
class Density(TypedDict):
    """Examples counted per (y bin, x bin), rows following y as a heatmap draws them."""

    counts: list[list[int]]
    x_edges: list[float]
    y_edges: list[float]


@with_config(ConfigDict(extra="forbid"))
class Scatter(TypedDict):
    """True (x) against predicted (y): every point, or a sample plus a density (`evaluation.plots`)."""

    n: int
    kind: Literal["points", "density"]
    x: list[float]
    y: list[float]
    indices: list[int] | None
    range: list[float]  # [low, high] over both axes
    density: Density | None


@with_config(ConfigDict(extra="forbid"))
class Residuals(TypedDict):
    """The distribution of prediction errors (predicted minus true)."""

    n: int
    edges: list[float]
    counts: list[int]
    mean: float
    sd: float | None
    skewness: float | None


@with_config(ConfigDict(extra="forbid"))
class TargetEvaluation(TypedDict):
    """One target on one subset: its metrics (by task) and, for regression, the plot data."""

    metrics: dict[str, Any]
    scatter: NotRequired[Scatter]
    residuals: NotRequired[Residuals]


class EvaluationPublic(Schema):
    """Metrics and plot data of a checkpoint per subset and target."""

    checkpoint: str
    epoch: int | None
    subsets: dict[str, dict[str, TargetEvaluation]] = Field(
        description="{subset: {target: {metrics, scatter, residuals}}} (classification: metrics)."
    )


class ExperimentCompare(Input):
    """Experiments of the project to compare."""

    experiment_ids: list[str] = Field(min_length=2, max_length=50, description="Ids or names.")


class ComparedGraph(Schema):
    """An experiment's graph as a comparison shows it."""

    name: str
    digest: str = Field(description="Equal digests mean equal graphs.")
    parameters: int | None = Field(description="Trainable parameters; null when not inferable.")


class ComparisonRow(Schema):
    """One experiment of a comparison."""

    name: str
    id: str
    status: ExperimentStatus
    best_epoch: int | None
    epochs_done: int
    dataset_version: str = Field(description="The dataset version's id.")
    graph: ComparedGraph
    settings: dict[str, Any] = Field(description="Its values of the settings that differ.")
    metrics: dict[str, dict[str, dict[str, Any]]] = Field(
        description="{subset: {target: metrics}} of the stored best-epoch evaluation; {} when none."
    )


class ComparisonPublic(Schema):
    """Experiments side by side."""

    experiments: list[str] = Field(description="Their names, in the order asked.")
    settings_diff: dict[str, list[Any]] = Field(
        description="Run settings (dotted keys) that differ, with each experiment's value."
    )
    graphs_equal: bool
    graph_diff: dict[str, Any] = Field(description="{nodes: [...], edges: [...]} that differ.")
    table: list[ComparisonRow] = Field(description="Per experiment, in the order asked.")
    curves: dict[str, dict[str, list[float | None]]] = Field(
        description="Per experiment name: epoch, loss, val_loss and val_pearson_r2 series."
    )
