"""API schemas, one module per resource; inputs are `*Create`/`*Update`, outputs `*Public`.

Inputs forbid unknown fields, so a typo is a 422 naming the field, not a silent no-op, and
bound every string (`Input`), so no field makes the server hold or hash megabytes.
List endpoints return `Page[T]`: `{"data": [...], "count": n}`.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Schema(BaseModel):
    """Base of every request and response body."""

    model_config = ConfigDict(extra="forbid")


MAX_TEXT = 4096  # characters in any request string without a tighter limit of its own
MAX_PASSWORD = 1024  # hashing costs 64 MiB of argon2 whatever the length; no need to add to it


class Input(Schema):
    """Base of every request body: every string field has a maximum length."""

    model_config = ConfigDict(str_max_length=MAX_TEXT)


class Page(Schema, Generic[T]):
    """A list of items and how many there are."""

    data: list[T]
    count: int

    @classmethod
    def of(cls, items: list[T]) -> Page[T]:
        return cls(data=items, count=len(items))


class ErrorDetail(BaseModel):
    """What went wrong: a stable code, a sentence, and the field, row, file or node concerned."""

    code: str
    message: str
    details: dict[str, Any]


class ErrorResponse(BaseModel):
    """The body of every 4xx and 5xx answer; deployment calls add Peltarion's `errorCode` and
    `errorMessage` beside `error`, hence extra members are allowed."""

    model_config = ConfigDict(extra="allow")

    error: ErrorDetail = Field(description="The one error shape.")
