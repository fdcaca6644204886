"""API schemas, one module per resource; inputs are `*Create`/`*Update`, outputs `*Public`.

Inputs forbid unknown fields, so a typo is a 422 naming the field, not a silent no-op, and
bound every string (`Input`), so no field makes the server hold or hash megabytes.
List endpoints return `Page[T]`: `{"data": [...], "count": n, "next_cursor": c}`; `count` is how
many match in all, `next_cursor` (null on the last page) fetches the next page
(`kozak.server.paging`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from kozak.store.paging import PageOf

T = TypeVar("T")
U = TypeVar("U")


class Schema(BaseModel):
    """Base of every request and response body."""

    model_config = ConfigDict(extra="forbid")


MAX_TEXT = 4096  # characters in any request string without a tighter limit of its own
MAX_PASSWORD = 1024  # hashing costs 64 MiB of argon2 whatever the length; no need to add to it


class Input(Schema):
    """Base of every request body: every string field has a maximum length."""

    model_config = ConfigDict(str_max_length=MAX_TEXT)


class Page(Schema, Generic[T]):
    """A page of a list: its items, how many match in all, and the cursor of the next page."""

    data: list[T]
    count: int = Field(description="How many items match in all pages (not only this one).")
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` for the next page; null on the last page."
    )

    @classmethod
    def of(cls, items: list[T]) -> Page[T]:
        """A whole list as one page."""
        return cls(data=items, count=len(items))

    @classmethod
    def of_page(cls, page: PageOf[U], convert: Callable[[U], T]) -> Page[T]:
        """A store page, each item converted to its schema."""
        return cls(
            data=[convert(item) for item in page.items], count=page.total, next_cursor=page.next_cursor
        )


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
