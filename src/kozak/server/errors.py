"""One error shape on the wire: `{"error": {"code", "message", "details"}}`, for every failure.

Library errors carry their own status; request validation becomes 422 naming each field;
anything unexpected becomes a logged 500 that shows no internals.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from kozak.errors import KozakError, Retryable
from kozak.server.schemas import ErrorResponse

log = logging.getLogger("kozak.server")

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "limit_exceeded",
    415: "unsupported_media_type",
    429: "too_many_requests",
    503: "unavailable",
}


# Declared on every route, in place of FastAPI's own 422 schema, which is not what we answer.
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    "4XX": {"model": ErrorResponse, "description": "The request cannot be answered as sent."},
    "5XX": {"model": ErrorResponse, "description": "The server failed; its log has the details."},
}


def error_body(code: str, message: str, **details: object) -> dict[str, object]:
    """The wire shape of an error."""
    return {"error": {"code": code, "message": message, "details": details}}


def _field(loc: tuple[object, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


async def _kozak_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, KozakError)
    headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, Retryable) else None
    return JSONResponse(exc.to_dict(), status_code=exc.http_status, headers=headers)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [f"{_field(tuple(e['loc']))}: {e['msg']}" for e in exc.errors()]
    body = error_body("invalid_request", "invalid request: " + "; ".join(problems), problems=problems)
    return JSONResponse(body, status_code=422)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return JSONResponse(
        error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(
        error_body("internal_error", "internal server error; the server log has the details"),
        status_code=500,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Render every error in the one shape."""
    app.add_exception_handler(KozakError, _kozak_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
