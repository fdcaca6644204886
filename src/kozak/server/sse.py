"""Server-sent event streams over the metadata store's event log.

Each event goes out as `id: <event id>\\nevent: <kind>\\ndata: <json>\\n\\n`, in id order. A stream
starts after `Last-Event-ID` (or `?after=`), so a reconnecting browser misses nothing; it polls
the store (synchronous, so in a worker thread) every `POLL_S` seconds, sends a `: keep-alive`
comment after `KEEPALIVE_S` quiet seconds, and ends when the client goes away or, checked every
`RECHECK_S` seconds, may no longer see the project. With `once` it sends what is there and
closes, for clients that poll.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from kozak.errors import KozakError
from kozak.store.entities import Event
from kozak.workspace import Workspace

POLL_S = 0.3
KEEPALIVE_S = 15.0  # below the 30-60 s idle timeouts of common proxies
PAGE = 500
RETRY_MS = 2000  # how soon a browser's EventSource reconnects after the stream ends
KEEPALIVE = ": keep-alive\n\n"
RECHECK_S = 5.0  # how soon a removed member's open stream ends

log = logging.getLogger("kozak.server")


def format_event(event: Event) -> str:
    """One event in the wire format; `data` is the event's data as one line of JSON."""
    data = json.dumps(event.data, separators=(",", ":"))
    return f"id: {event.id}\nevent: {event.kind}\ndata: {data}\n\n"


def start_after(last_event_id: int | None, after: int | None) -> int:
    """The id a stream starts after: the `Last-Event-ID` header wins over `?after=`.

    A browser reconnecting sends the header with the URL it first opened, whose `after` is
    older; the header is where it really got to.
    """
    if last_event_id is not None:
        return max(last_event_id, 0)
    return max(after or 0, 0)


async def event_stream(
    workspace: Workspace,
    project_id: str,
    *,
    after: int = 0,
    experiment_id: str | None = None,
    once: bool = False,
    disconnected: Callable[[], Awaitable[bool]] | None = None,
    allowed: Callable[[], bool] | None = None,
    poll_s: float = POLL_S,
    keepalive_s: float = KEEPALIVE_S,
) -> AsyncIterator[str]:
    """The project's (or one experiment's) events after `after`, as SSE text chunks.

    Args:
        workspace: Where the event log lives.
        project_id: The project whose events are sent.
        after: Send only events with a greater id.
        experiment_id: Only this experiment's events.
        once: Send the events there are now, then end.
        disconnected: Tells whether the client has gone (checked between polls).
        allowed: Tells whether the client may still see the project (a blocking call, made
            every `RECHECK_S` seconds); the stream ends when it says no.
        poll_s: Seconds between looks at the store.
        keepalive_s: Quiet seconds before a keep-alive comment.

    Yields:
        A `retry:` line first (streaming only), then events and keep-alive comments.
    """
    last = after
    if not once:
        yield f"retry: {RETRY_MS}\n\n"
    quiet_since = checked = time.monotonic()
    while True:
        if allowed is not None and time.monotonic() - checked >= RECHECK_S:
            if not await run_in_threadpool(allowed):
                log.info("event stream of project %s ended: access was taken away", project_id)
                return
            checked = time.monotonic()
        try:
            events = await run_in_threadpool(
                workspace.metadata.list_events,
                project_id,
                after=last,
                experiment_id=experiment_id,
                limit=PAGE,
            )
        except KozakError as exc:
            # The browser reconnects (after RETRY_MS) from the last id it got; nothing is lost.
            log.warning("event stream of project %s ended: %s", project_id, exc.message)
            return
        for event in events:
            yield format_event(event)
            last = event.id
        if len(events) == PAGE:
            continue  # more are waiting
        if once or (disconnected is not None and await disconnected()):
            return
        now = time.monotonic()
        if events:
            quiet_since = now
        elif now - quiet_since >= keepalive_s:
            yield KEEPALIVE
            quiet_since = now
        await asyncio.sleep(poll_s)


def event_response(chunks: AsyncIterator[str]) -> StreamingResponse:
    """A `text/event-stream` response that no proxy buffers or caches."""
    return StreamingResponse(
        chunks,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
