"""Pages of a list: a limit, an opaque cursor, a total, a named sort — one mechanism for every list.

Contract:

- A caller asks with a `PageRequest(limit, cursor, sort)`: `sort` names one of the list's sort
  keys, `-` in front for descending (`"-updated"`); empty means the list's default. `cursor` is
  the `next_cursor` of the previous page of the same sort and filters, or None for the first.
- `fetch_page(session, query, request, sorts=..., default=..., tiebreak=...)` runs the filtered
  `query` as two statements whatever its size: one for the page (keyset: rows after the
  cursor's key, `limit + 1` of them), one for the total. It returns `PageOf(items, total,
  next_cursor)` with the query's rows (a row of one entity is that entity, of several a tuple).
- A cursor is base64 of `{"s": sort, "k": key, "i": tie-break id}`; a malformed one, or one made
  for another sort, is `InvalidPage` naming `cursor`; an unknown sort key is `InvalidPage`
  naming `sort` and listing the keys. Nullable keys sort their NULLs last in either direction.

Adding paging to a list (sweeps, designs, ...) in the store takes a `SORTS` table and a query:

    SORTS = {"created": SortKey(SweepRow.created_at), "name": SortKey(SweepRow.name)}
    def page_sweeps(self, project_id, request):
        query = select(SweepRow).where(SweepRow.project_id == project_id)
        with self._session() as s:
            found = fetch_page(s, query, request, sorts=SORTS, default="created",
                               tiebreak=SweepRow.id)
            return found.map(lambda row: _entity(Sweep, row))

and on the server `PageParams` plus `Page.of_page` (`kozak.server.schemas.paging`); the client
iterates with `Client.iterate(path, **params)`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import QueryableAttribute, Session

from kozak.errors import InvalidPage

T = TypeVar("T")
U = TypeVar("U")
Column = ColumnElement[Any] | QueryableAttribute[Any]
AnySelect = Select[*tuple[Any, ...]]

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_CURSOR = 2048  # characters: a cursor holds one key and one id


@dataclass(frozen=True)
class SortKey:
    """One way to sort a list: a column or expression; a `nullable` one sorts its NULLs last."""

    expression: Column
    nullable: bool = False


@dataclass(frozen=True)
class PageRequest:
    """Which page: at most `limit` items after `cursor`, in `sort` order."""

    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    sort: str = ""

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidPage(
                f"limit must be 1 to {MAX_LIMIT}, not {self.limit}", field="limit", value=self.limit
            )


@dataclass(frozen=True)
class PageOf(Generic[T]):
    """One page: its items, how many match in all, and the cursor of the next page (None: last)."""

    items: list[T]
    total: int
    next_cursor: str | None

    def map(self, convert: Callable[[T], U]) -> PageOf[U]:
        return PageOf([convert(item) for item in self.items], self.total, self.next_cursor)


def _encode_value(value: Any) -> Any:
    return {"dt": value.isoformat()} if isinstance(value, datetime) else value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"dt"} and isinstance(value["dt"], str):
        return datetime.fromisoformat(value["dt"])
    if value is None or isinstance(value, str | int | float):
        return value
    raise ValueError("not a key value")


def encode_cursor(sort: str, key: Any, tiebreak: Any) -> str:
    """The opaque cursor after the row whose sort key is `key` and id `tiebreak`."""
    data = json.dumps({"s": sort, "k": _encode_value(key), "i": tiebreak}, separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, Any]:
    """The (key, id) a cursor of `sort` holds.

    Raises:
        InvalidPage: If the cursor is malformed or was made for another sort.
    """
    try:
        if len(cursor) > MAX_CURSOR:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        if not isinstance(data, dict) or set(data) != {"s", "k", "i"}:
            raise ValueError("not a cursor")
        key, tiebreak = _decode_value(data["k"]), data["i"]
        if not isinstance(tiebreak, str | int):
            raise ValueError("not a cursor")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidPage(
            "cursor is not one this server made: pass the next_cursor of the previous page as it is",
            field="cursor",
        ) from None
    if data["s"] != sort:
        raise InvalidPage(
            f"cursor was made for sort {data['s']!r}, not {sort!r}: start again without a cursor",
            field="cursor",
        )
    return key, tiebreak


def _after(
    key: Column, tiebreak: Column, value: Any, last: Any, descending: bool
) -> ColumnElement[bool]:
    """Rows that come after (value, last) in (key, tiebreak) order."""
    if descending:
        return or_(key < value, and_(key == value, tiebreak < last))
    return or_(key > value, and_(key == value, tiebreak > last))


def fetch_page(
    session: Session,
    query: AnySelect,
    request: PageRequest,
    *,
    sorts: Mapping[str, SortKey],
    default: str,
    tiebreak: Column,
    counted: AnySelect | None = None,
) -> PageOf[Any]:
    """One page of `query` (already filtered) and the total it matches.

    Two statements, three for a nullable key (its values, then its NULLs, each walking an index
    on (key, tiebreak) rather than sorting every row). `counted`, when given, is a cheaper query
    matching as many rows (the filtered table without the outer joins that only add columns);
    the total is counted on it.

    Raises:
        InvalidPage: For an unknown sort key or a malformed cursor.
    """
    sort = request.sort or default
    descending = sort.startswith("-")
    name = sort.removeprefix("-")
    if name not in sorts:
        raise InvalidPage(
            f"sort must be one of {', '.join(sorted(sorts))} (prefix - for descending), not {name!r}",
            field="sort",
            allowed=sorted(sorts),
        )
    key = sorts[name].expression
    counting = (counted if counted is not None else query).order_by(None).subquery()
    total = session.scalar(select(func.count()).select_from(counting)) or 0
    paged = query.add_columns(key.label("_page_key"), tiebreak.label("_page_id"))
    cursor = decode_cursor(request.cursor, sort) if request.cursor else None
    wanted = request.limit + 1
    ordering = (key.desc(), tiebreak.desc()) if descending else (key.asc(), tiebreak.asc())
    if not sorts[name].nullable:
        if cursor is not None:
            paged = paged.where(_after(key, tiebreak, *cursor, descending))
        rows = list(session.execute(paged.order_by(*ordering).limit(wanted)).all())
    else:
        # The values in order, then the NULLs by tiebreak: a cursor whose key is None is among
        # the NULLs. Both statements always run (LIMIT 0 when not needed), a fixed count.
        in_nulls = cursor is not None and cursor[0] is None
        values = paged.where(key.is_not(None))
        if cursor is not None and not in_nulls:
            values = values.where(_after(key, tiebreak, *cursor, descending))
        rows = list(session.execute(values.order_by(*ordering).limit(0 if in_nulls else wanted)))
        nulls = paged.where(key.is_(None))
        if in_nulls:
            nulls = nulls.where(tiebreak > cursor[1])  # type: ignore[index]  # in_nulls: not None
        # Ordered by the (all NULL) key too: an index on (..., key, tiebreak) then yields the
        # rows in order; by tiebreak alone PostgreSQL sorted every NULL row of the project.
        ordered = nulls.order_by(key.asc(), tiebreak.asc())
        rows += session.execute(ordered.limit(wanted - len(rows))).all()
    more = len(rows) > request.limit
    rows = rows[: request.limit]
    width = len(rows[0]) - 2 if rows else 0
    items = [row[0] if width == 1 else tuple(row[:width]) for row in rows]
    next_cursor = encode_cursor(sort, rows[-1][-2], rows[-1][-1]) if more and rows else None
    return PageOf(items, total, next_cursor)


def contains(column: Column, text: str) -> ColumnElement[bool]:
    """`column` holds `text`, case-insensitively (LIKE wildcards in `text` match themselves)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")
