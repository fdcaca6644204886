"""Live event streams (server-sent events) of a project and of one experiment.

`GET …/events` sends `status`, `progress` and `epoch` events as they are logged; it resumes
after the `Last-Event-ID` header (or `?after=`), and with `?once=1` sends what there is and
closes (for tests and clients that poll). See `kozak.server.sse` for the wire format.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from kozak import accounts
from kozak.server import sse
from kozak.server.deps import CurrentUser, ProjectViewer, WorkspaceDep

router = APIRouter(prefix="/projects/{project_id}", tags=["events"])

MAX_EVENT_ID = 2**63 - 1  # event ids are 64-bit database integers; a larger one cannot be queried

LastEventId = Annotated[
    int | None,
    Header(
        alias="Last-Event-ID",
        le=MAX_EVENT_ID,
        description="Resume after this event id (sent on reconnect).",
    ),
]
After = Annotated[int | None, Query(ge=0, le=MAX_EVENT_ID, description="Start after this event id.")]
Once = Annotated[bool, Query(description="Send the events there are now, then close.")]

_STREAM: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {}}, "description": "An event stream."}
}


@router.get("/events", response_class=StreamingResponse, responses=_STREAM)
def project_events(
    request: Request,
    project: ProjectViewer,
    user: CurrentUser,
    workspace: WorkspaceDep,
    last_event_id: LastEventId = None,
    after: After = None,
    once: Once = False,
) -> StreamingResponse:
    """Every event of the project: status changes, training progress, epoch metrics."""
    chunks = sse.event_stream(
        workspace,
        project.id,
        after=sse.start_after(last_event_id, after),
        once=once,
        disconnected=request.is_disconnected,
        allowed=partial(accounts.can_view, workspace, user, project.id),
    )
    return sse.event_response(chunks)


@router.get("/experiments/{experiment_id}/events", response_class=StreamingResponse, responses=_STREAM)
def experiment_events(
    experiment_id: str,
    request: Request,
    project: ProjectViewer,
    user: CurrentUser,
    workspace: WorkspaceDep,
    last_event_id: LastEventId = None,
    after: After = None,
    once: Once = False,
) -> StreamingResponse:
    """The events of one experiment of the project."""
    experiment = workspace.metadata.get_experiment(project.id, experiment_id)
    chunks = sse.event_stream(
        workspace,
        project.id,
        after=sse.start_after(last_event_id, after),
        experiment_id=experiment.id,
        once=once,
        disconnected=request.is_disconnected,
        allowed=partial(accounts.can_view, workspace, user, project.id),
    )
    return sse.event_response(chunks)
