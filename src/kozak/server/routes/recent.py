"""What the views show of many experiments at once, each in one call: the experiments changed
last across the caller's projects, and a project's experiments counted by status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kozak.experiments import listing
from kozak.server.deps import CurrentUser, ProjectViewer, WorkspaceDep
from kozak.server.schemas import Page
from kozak.server.schemas.experiments import ExperimentCounts, RecentExperiment

router = APIRouter(tags=["experiments"])


@router.get("/experiments/recent")
def recent_experiments(
    workspace: WorkspaceDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100, description="How many, 1 to 100.")] = 8,
) -> Page[RecentExperiment]:
    """The most recently changed experiments of all your projects, newest first (one query)."""
    found = listing.recent(workspace, user.id, limit)
    return Page.of([RecentExperiment.of(view, project) for view, project in found])


@router.get("/projects/{project_id}/experiment-counts")
def experiment_counts(
    project: ProjectViewer,
    workspace: WorkspaceDep,
    metric: Annotated[
        str, Query(max_length=200, description="The monitored metric the best is judged by.")
    ] = "val_loss",
) -> ExperimentCounts:
    """How many experiments have each status, and the best by `metric` (two queries)."""
    return ExperimentCounts.of(listing.project_summary(workspace, project.id, metric), metric)
