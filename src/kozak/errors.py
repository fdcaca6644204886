"""One error hierarchy for the whole library.

Every error the library raises for a user's input or request is a `KozakError` with a stable
`code` (for clients and tests), an `http_status` (for the server) and structured `details`
(file, row, column, node, ...). The server renders them as `{"error": {code, message, details}}`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ValidationError


class KozakError(Exception):
    """Base class: a message for people, a stable code for programs, details for both."""

    code: ClassVar[str] = "kozak_error"
    http_status: ClassVar[int] = 500

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = {k: v for k, v in details.items() if v is not None and v != ""}

    def to_dict(self) -> dict[str, Any]:
        """The wire shape: `{"error": {"code", "message", "details"}}`."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class NotFound(KozakError):
    """A named or identified entity does not exist."""

    code = "not_found"
    http_status = 404


class AlreadyExists(KozakError):
    """An entity with the same unique name already exists."""

    code = "already_exists"
    http_status = 409


class Conflict(KozakError):
    """The request conflicts with the entity's current state (a run already going, ...)."""

    code = "conflict"
    http_status = 409


class NotAuthenticated(KozakError):
    """No valid session, token or password came with the request."""

    code = "not_authenticated"
    http_status = 401


class Forbidden(KozakError):
    """The user is known but their role does not allow this."""

    code = "forbidden"
    http_status = 403


class Retryable(KozakError):
    """Refused for now: `retry_after_s` says when to try again (sent as `Retry-After`)."""

    def __init__(self, message: str, *, retry_after_s: int, **details: Any) -> None:
        self.retry_after_s = max(1, int(retry_after_s))
        super().__init__(message, retry_after_s=self.retry_after_s, **details)


class TooManyRequests(Retryable):
    """The caller sent too many requests of a kind (failed log-ins) in a window."""

    code = "too_many_requests"
    http_status = 429


class Unavailable(Retryable):
    """The server is at capacity for this kind of work (a full queue, every slot busy)."""

    code = "unavailable"
    http_status = 503


class InvalidConfig(KozakError):
    """A user-facing setting (feature spec, subset, graph, run settings) is not valid."""

    code = "invalid_config"
    http_status = 422


class InvalidPage(InvalidConfig):
    """A list was asked for a page it cannot give: a malformed cursor, an unknown sort, a bad limit.

    `details["field"]` names the query parameter at fault.
    """

    code = "invalid_page"
    http_status = 400


def invalid_config(exc: ValidationError, what: str) -> InvalidConfig:
    """An `InvalidConfig` listing every field pydantic refused, for `what` (e.g. "feature seq")."""
    problems = [
        f"{'.'.join(str(p) for p in error['loc']) or 'value'}: {error['msg']}" for error in exc.errors()
    ]
    return InvalidConfig(f"invalid {what}: " + "; ".join(problems), problems=problems)


class DataError(KozakError):
    """Uploaded data is malformed: details name the file, row, column and what was expected."""

    code = "invalid_data"
    http_status = 422


class LimitExceeded(KozakError):
    """An input is larger than a configured limit (file size, ZIP expansion, row count)."""

    code = "limit_exceeded"
    http_status = 413


class ExpansionLimit(LimitExceeded):
    """Compressed input expands beyond the import's budget or ratio: details name the setting."""

    code = "expansion_limit"
    http_status = 422


class ShapeError(KozakError):
    """A model graph's shapes do not fit: details name the node, expected and actual shapes."""

    code = "shape_error"
    http_status = 422


class SchemaMismatch(KozakError):
    """Stored data, a checkpoint or a request does not match the schema it must follow."""

    code = "schema_mismatch"
    http_status = 422


class JobFailed(KozakError):
    """A training or evaluation job ended with an error."""

    code = "job_failed"
    http_status = 500


class StoreError(KozakError):
    """The metadata or artifact store failed or is in an unusable state."""

    code = "store_error"
    http_status = 500


class NetworkError(KozakError):
    """A remote resource could not be fetched."""

    code = "network_error"
    http_status = 502
