"""API schemas, one module per resource; inputs are `*Create`/`*Update`, outputs `*Public`.

Inputs forbid unknown fields, so a typo is a 422 naming the field, not a silent no-op.
List endpoints return `Page[T]`: `{"data": [...], "count": n}`.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class Schema(BaseModel):
    """Base of every request and response body."""

    model_config = ConfigDict(extra="forbid")


class Page(Schema, Generic[T]):
    """A list of items and how many there are."""

    data: list[T]
    count: int

    @classmethod
    def of(cls, items: list[T]) -> Page[T]:
        return cls(data=items, count=len(items))
