"""What every event-stream route shares: where the stream starts, and the response.

A route takes one `StreamStart` parameter (the `Last-Event-ID` header, `?after=` and `?once=`,
bounded to the database's 64-bit event ids) and answers `stream(...)`: the project's events, or
one experiment's or design's, for as long as the caller may see the project.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from fastapi.responses import StreamingResponse

from kozak import accounts
from kozak.server import sse
from kozak.store.entities import User
from kozak.workspace import Workspace

MAX_EVENT_ID = 2**63 - 1  # event ids are 64-bit database integers; a larger one cannot be queried

RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {}}, "description": "An event stream."}
}


_RESUME = "Resume after this event id (sent on reconnect)."
_AFTER = "Start after this event id."
_ONCE = "Send the events there are now, then close."


@dataclass(frozen=True)
class Start:
    """The id a stream starts after, and whether it closes once it has sent what there is."""

    after: int
    once: bool


def _start(
    last_event_id: Annotated[
        int | None, Header(alias="Last-Event-ID", le=MAX_EVENT_ID, description=_RESUME)
    ] = None,
    after: Annotated[int | None, Query(ge=0, le=MAX_EVENT_ID, description=_AFTER)] = None,
    once: Annotated[bool, Query(description=_ONCE)] = False,
) -> Start:
    return Start(sse.start_after(last_event_id, after), once)


StreamStart = Annotated[Start, Depends(_start)]


def stream(
    request: Request,
    workspace: Workspace,
    user: User,
    project_id: str,
    start: Start,
    subject_id: str | None = None,
) -> StreamingResponse:
    """The project's events after `start` (only `subject_id`'s, an experiment or a design, if
    given), ending when the client leaves or may no longer see the project."""
    chunks = sse.event_stream(
        workspace,
        project_id,
        after=start.after,
        experiment_id=subject_id,
        once=start.once,
        disconnected=request.is_disconnected,
        allowed=partial(accounts.can_view, workspace, user, project_id),
    )
    return sse.event_response(chunks)
