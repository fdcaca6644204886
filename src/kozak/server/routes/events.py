"""Live event streams (server-sent events) of a project and of one experiment.

`GET …/events` sends `status`, `progress` and `epoch` events as they are logged; it resumes
after the `Last-Event-ID` header (or `?after=`), and with `?once=1` sends what there is and
closes (for tests and clients that poll). See `kozak.server.sse` for the wire format.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from kozak.server import streams
from kozak.server.deps import CurrentUser, ProjectViewer, WorkspaceDep
from kozak.server.streams import StreamStart

router = APIRouter(prefix="/projects/{project_id}", tags=["events"])


@router.get("/events", response_class=StreamingResponse, responses=streams.RESPONSES)
def project_events(
    request: Request,
    project: ProjectViewer,
    user: CurrentUser,
    workspace: WorkspaceDep,
    start: StreamStart,
) -> StreamingResponse:
    """Every event of the project: status changes, training progress, epoch metrics."""
    return streams.stream(request, workspace, user, project.id, start)


@router.get(
    "/experiments/{experiment_id}/events",
    response_class=StreamingResponse,
    responses=streams.RESPONSES,
)
def experiment_events(
    experiment_id: str,
    request: Request,
    project: ProjectViewer,
    user: CurrentUser,
    workspace: WorkspaceDep,
    start: StreamStart,
) -> StreamingResponse:
    """The events of one experiment of the project."""
    experiment = workspace.metadata.get_experiment(project.id, experiment_id)
    return streams.stream(request, workspace, user, project.id, start, experiment.id)
