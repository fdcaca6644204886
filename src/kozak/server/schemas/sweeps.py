"""Sweeps on the wire: starting one, the list, the sweep page's data, the preset spaces."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from kozak.server.schemas import Schema
from kozak.store.statuses import SweepStatus, TrialState
from kozak.sweeps.overview import SweepOverview, SweepSummary
from kozak.sweeps.presets import SpacePreset
from kozak.sweeps.space import Dimension
from kozak.sweeps.spec import Objective, SweepRequest, SweepSpec


class SweepCreate(SweepRequest):
    """A sweep to create and start in this project (the sweep file without `project`)."""

    def spec(self, project: str) -> SweepSpec:
        """The sweep file this body describes, in `project`."""
        return SweepSpec.from_data({**self.model_dump(mode="json"), "project": project})


class SweepCountsPublic(Schema):
    """Trials by state, skipped (invalid) combinations and the trial budget."""

    running: int
    complete: int
    pruned: int
    failed: int
    skipped: int
    budget: int


_SUMMARY_FIELDS = {
    "id",
    "project_id",
    "name",
    "status",
    "message",
    "dataset_version_id",
    "base_experiment_id",
    "created_by",
    "created_at",
    "finished_at",
}


class SweepSummaryPublic(Schema):
    """A sweep in the project's list."""

    id: str
    project_id: str
    name: str
    status: SweepStatus
    message: str
    dataset_version_id: str
    base_experiment_id: str | None
    objective: Objective
    direction: str
    counts: SweepCountsPublic
    best_value: float | None
    created_by: str
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, view: SweepSummary) -> SweepSummaryPublic:
        sweep = view.sweep
        return cls(
            **sweep.model_dump(include=_SUMMARY_FIELDS),
            objective=Objective.model_validate(sweep.spec["objective"]),
            direction=view.direction,
            counts=SweepCountsPublic(**view.counts.model_dump()),
            best_value=view.best_value,
        )


class TrialPublic(Schema):
    """One trial: its values, state, objective and experiment."""

    number: int
    state: TrialState
    params: dict[str, Any] = Field(description="Sampled value of each dimension (null: without).")
    value: float | None = Field(description="The objective; null until the trial completes.")
    pruned_epoch: int | None = Field(description="The epoch after which the pruner stopped it.")
    message: str
    experiment_id: str | None
    experiment_name: str | None
    experiment_status: str | None
    epochs_done: int


class BestPointPublic(Schema):
    """The best objective after a trial finished (trials in the order they finished)."""

    trial: int
    value: float
    best: float


class SweepPublic(SweepSummaryPublic):
    """A sweep with everything its page shows."""

    spec: SweepSpec = Field(description="The sweep as created.")
    graph: dict[str, Any] = Field(description="The base graph every trial changes.")
    settings: dict[str, Any] = Field(description="The base run settings of every trial.")
    dimensions: list[str]
    trials: list[TrialPublic]
    best_trial: int | None
    best_curve: list[BestPointPublic]
    importances: dict[str, float] = Field(description="Optuna's parameter importances (fANOVA).")
    epochs_trained: int

    @classmethod
    def of_overview(cls, view: SweepOverview) -> SweepPublic:
        summary = SweepSummaryPublic.of(view)
        return cls(
            **summary.model_dump(),
            spec=SweepSpec.model_validate(view.sweep.spec),
            graph=view.sweep.graph,
            settings=view.sweep.settings,
            dimensions=view.dimensions,
            trials=[TrialPublic(**t.model_dump()) for t in view.trials],
            best_trial=view.best_trial,
            best_curve=[BestPointPublic(**p.model_dump()) for p in view.best_curve],
            importances=view.importances,
            epochs_trained=view.epochs_trained,
        )


class SpacePresetPublic(Schema):
    """A preset search space: its dimensions, the graph preset it varies, its run settings."""

    name: str
    title: str
    graph_preset: str
    dimensions: list[Dimension]
    size: int | None = Field(description="How many combinations (null when continuous).")
    settings: dict[str, Any]

    @classmethod
    def of(cls, preset: SpacePreset) -> SpacePresetPublic:
        return cls(
            name=preset.name,
            title=preset.title,
            graph_preset=preset.graph_preset,
            dimensions=list(preset.space.dimensions),
            size=preset.space.size(),
            settings=preset.settings,
        )
