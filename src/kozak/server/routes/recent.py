"""Across projects: the experiments changed last in the projects the caller is a member of."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kozak.experiments import overview
from kozak.server.deps import CurrentUser, WorkspaceDep
from kozak.server.schemas import Page
from kozak.server.schemas.experiments import RecentExperiment

router = APIRouter(prefix="/experiments", tags=["experiments"])


@router.get("/recent")
def recent_experiments(
    workspace: WorkspaceDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100, description="How many, 1 to 100.")] = 8,
) -> Page[RecentExperiment]:
    """The most recently changed experiments of all your projects, newest first (one query)."""
    found = overview.recent(workspace, user.id, limit)
    return Page.of([RecentExperiment.of(view, project) for view, project in found])
