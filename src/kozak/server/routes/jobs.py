"""The project's job queue: list (by status), one job with its log, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kozak.experiments import overview
from kozak.runner import jobs as queue
from kozak.server.deps import ProjectEditor, ProjectViewer, WorkspaceDep
from kozak.server.paging import PageParams
from kozak.server.schemas import Page
from kozak.server.schemas.jobs import JobDetail, JobPublic
from kozak.store.statuses import JobStatus

router = APIRouter(prefix="/projects/{project_id}/jobs", tags=["jobs"])

Statuses = Annotated[
    list[JobStatus],
    Query(description="Only jobs with one of these statuses (queued, running, completed, ...)."),
]


@router.get("")
def list_jobs(
    project: ProjectViewer,
    workspace: WorkspaceDep,
    page: PageParams,
    status: Statuses = [],  # noqa: B006  # FastAPI copies defaults
    experiment_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[JobPublic]:
    """A page of the project's jobs. Sorts: `created`, `status`, `kind`; default `-created`."""
    found = workspace.metadata.page_jobs(
        project.id, page, statuses=tuple(status), experiment_id=experiment_id
    )
    return Page.of_page(found, JobPublic.of)


@router.get("/{job_id}")
def get_job(job_id: str, project: ProjectViewer, workspace: WorkspaceDep) -> JobDetail:
    """One job with its log."""
    return JobDetail.of(overview.job_in_project(workspace, project.id, job_id))


@router.post("/{job_id}/cancel")
def cancel_job(job_id: str, project: ProjectEditor, workspace: WorkspaceDep) -> JobPublic:
    """Cancel a job: a queued one at once, a running one after its current batch."""
    job = overview.job_in_project(workspace, project.id, job_id)
    return JobPublic.of(queue.cancel_job(workspace, job.id))
