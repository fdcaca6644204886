"""Hyperparameter sweeps of a project: start, list, show, stop, best trial, delete; preset spaces.

Starting a sweep creates it (the space checked against its base before any trial) and queues
its first trials as jobs; the runner's workers run them, and each trial queues the next.
Trials are ordinary experiments: their curves, evaluation, clone and deploy are the
experiments' routes. Changes stream as `sweep` events on the project's event stream.
"""

from __future__ import annotations

from fastapi import APIRouter

from kozak.experiments import listing
from kozak.runner import sweep_jobs
from kozak.server.deps import CurrentUser, ProjectEditor, ProjectViewer, RunnerDep, WorkspaceDep
from kozak.server.paging import NameSearch, PageParams
from kozak.server.schemas import Page
from kozak.server.schemas.experiments import ExperimentPublic
from kozak.server.schemas.sweeps import (
    SpacePresetPublic,
    SweepCreate,
    SweepPublic,
    SweepSummaryPublic,
)
from kozak.store.entities import Project, Sweep
from kozak.sweeps import lifecycle
from kozak.sweeps.overview import best_experiment_id, page_sweep_summaries, sweep_overview
from kozak.sweeps.presets import SPACES
from kozak.workspace import Workspace

router = APIRouter(tags=["sweeps"])
PREFIX = "/projects/{project_id}/sweeps"


def _sweep(workspace: Workspace, project: Project, sweep_id: str) -> Sweep:
    return workspace.metadata.get_sweep(project.id, sweep_id)


def _public(workspace: Workspace, sweep: Sweep) -> SweepPublic:
    return SweepPublic.of_overview(sweep_overview(workspace, sweep))


@router.get("/sweep-spaces")
def list_space_presets(_: CurrentUser) -> Page[SpacePresetPublic]:
    """The preset search spaces (e.g. the paper's, `cuperus2017-search`)."""
    return Page.of([SpacePresetPublic.of(SPACES.get(name)) for name in SPACES.names()])


@router.get(PREFIX)
def list_sweeps(
    project: ProjectViewer, workspace: WorkspaceDep, page: PageParams, q: NameSearch = None
) -> Page[SweepSummaryPublic]:
    """A page of the project's sweeps with trial counts and best values; sorts `created`
    (default, oldest first), `name`, `status`."""
    return Page.of_page(page_sweep_summaries(workspace, project.id, page, q), SweepSummaryPublic.of)


@router.post(PREFIX, status_code=201)
def start_sweep(
    body: SweepCreate,
    project: ProjectEditor,
    workspace: WorkspaceDep,
    runner: RunnerDep,
    user: CurrentUser,
) -> SweepPublic:
    """Create a sweep and queue its first `concurrency` trials."""
    sweep = lifecycle.create_sweep(workspace, body.spec(project.id), created_by=user.id)
    for job in sweep_jobs.start_sweep(workspace, sweep):
        runner.submit(job)
    return _public(workspace, _sweep(workspace, project, sweep.id))


@router.get(PREFIX + "/{sweep_id}")
def get_sweep(sweep_id: str, project: ProjectViewer, workspace: WorkspaceDep) -> SweepPublic:
    """A sweep with its trials, best-so-far curve and parameter importances."""
    return _public(workspace, _sweep(workspace, project, sweep_id))


@router.post(PREFIX + "/{sweep_id}/stop")
def stop_sweep(sweep_id: str, project: ProjectEditor, workspace: WorkspaceDep) -> SweepPublic:
    """Stop a sweep: no more trials; queued ones cancelled, running ones after their batch."""
    sweep_jobs.stop_sweep(workspace, _sweep(workspace, project, sweep_id))
    return _public(workspace, _sweep(workspace, project, sweep_id))


@router.get(PREFIX + "/{sweep_id}/best")
def best_trial_experiment(
    sweep_id: str, project: ProjectViewer, workspace: WorkspaceDep
) -> ExperimentPublic:
    """The experiment of the best completed trial (to open, clone or deploy)."""
    experiment_id = best_experiment_id(workspace, _sweep(workspace, project, sweep_id))
    return ExperimentPublic.of(listing.overview(workspace, project.id, experiment_id))


@router.delete(PREFIX + "/{sweep_id}", status_code=204)
def delete_sweep(sweep_id: str, project: ProjectEditor, workspace: WorkspaceDep) -> None:
    """Delete a finished sweep and its study; its trials' experiments stay."""
    lifecycle.delete_sweep(workspace, _sweep(workspace, project, sweep_id))
