"""Request body limits at the ASGI level, counted as the bytes arrive.

`BodyLimit` refuses a body whose Content-Length is over `max_request_body_bytes` before reading
it, and stops a body sent without one (chunked) at the first chunk over it: 413 in the usual
error shape. Routes with limits of their own are exempt: file uploads (streamed to disk against
`max_upload_bytes`) and the deployment endpoints (`serve_max_body_bytes`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kozak.server.errors import error_body
from kozak.settings import Settings

_UPLOAD = re.compile(r"^/api/projects/[^/]+/drafts/[^/]+/files/[^/]+$")


def has_own_limit(method: str, path: str) -> bool:
    """Whether the route at (method, path) limits its body itself."""
    return (method == "PUT" and _UPLOAD.match(path) is not None) or path.startswith("/deployment/")


def _too_large(limit: int) -> str:
    return f"the request body is over the limit of {limit} bytes (KOZAK_MAX_REQUEST_BODY_BYTES)"


class BodyLimit:
    """ASGI middleware: at most `settings.max_request_body_bytes` of request body, except where
    `exempt(method, path)`."""

    def __init__(
        self, app: ASGIApp, settings: Settings, exempt: Callable[[str, str], bool] = has_own_limit
    ) -> None:
        self.app = app
        self.limit = settings.max_request_body_bytes
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.exempt(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        limit = self.limit
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            body = error_body("limit_exceeded", _too_large(limit), limit=limit)
            await JSONResponse(body, status_code=413)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # An HTTPException passes FastAPI's body parsing untouched, to the one handler.
                    raise HTTPException(413, _too_large(limit))
            return message

        await self.app(scope, counted, send)


__all__ = ["BodyLimit", "has_own_limit"]
