"""Cursor (keyset) pagination: opaque cursors, bounded page sizes, one response shape."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any, Generic, NamedTuple, TypeVar

import orjson
from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Column, Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_shared.errors import InvalidInput

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50
T = TypeVar("T")
Key = Column[Any] | Sequence[Column[Any]]

Limit = Annotated[
    int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"page size, at most {MAX_PAGE_SIZE}")
]
Cursor = Annotated[
    str | None,
    Query(max_length=500, description="the next_cursor of the previous page; omit for the first"),
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class InvalidCursor(InvalidInput):
    name, title = "invalid_cursor", "Invalid cursor"


class Rows(NamedTuple):
    """One page of rows as dicts and the cursor of the next page (None on the last)."""

    items: list[dict[str, Any]]
    next_cursor: str | None


def encode_cursor(*key: object) -> str:
    """An opaque cursor for the last row's sort key (strings, ints, ISO dates)."""
    return base64.urlsafe_b64encode(orjson.dumps(list(key), default=str)).decode().rstrip("=")


def decode_cursor(cursor: str | None, arity: int = 1) -> list[object] | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise InvalidCursor("the cursor is not one this service issued") from None
    if not isinstance(key, list) or len(key) != arity:
        raise InvalidCursor("the cursor is not one this service issued")
    return key


def _columns(key: Key) -> tuple[Column[Any], ...]:
    return (key,) if isinstance(key, Column) else tuple(key)


def _typed(value: object, column: Column[Any]) -> Any:
    """``value`` as the column's Python type (dates come back from their ISO form)."""
    try:
        kind: type = column.type.python_type
    except NotImplementedError:
        kind = str
    try:
        if kind is datetime and isinstance(value, str):
            return datetime.fromisoformat(value)
        if kind is date and isinstance(value, str):
            return date.fromisoformat(value)
    except ValueError:
        pass
    if type(value) is kind or (kind is not int and isinstance(value, kind)):
        return value
    raise InvalidCursor("the cursor is not one this service issued")


def cursor_key(cursor: str | None, key: Key) -> tuple[Any, ...] | None:
    """The sort key a page continues after, typed like ``key``'s columns; None for the first
    page; a cursor this service did not issue is a 422 ``invalid_cursor``."""
    columns = _columns(key)
    values = decode_cursor(cursor, len(columns))
    if values is None:
        return None
    return tuple(_typed(v, c) for v, c in zip(values, columns, strict=True))


async def keyset_rows(
    session: AsyncSession,
    query: Select[Any],
    key: Key,
    after: Any,
    limit: int,
    *,
    descending: bool = False,
) -> tuple[list[dict[str, Any]], bool]:
    """One page of ``query`` after ``after`` in ``key`` order, and whether more follow
    (``LIMIT n + 1``: the last page never points to an empty one). ``after`` is a value for
    one column, a tuple for several; ``descending`` pages newest first."""
    columns = _columns(key)
    if after is not None:
        left: Any = columns[0] if len(columns) == 1 else tuple_(*columns)
        query = query.where(left < after if descending else left > after)
    order = [c.desc() if descending else c for c in columns]
    rows = (await session.execute(query.order_by(*order).limit(limit + 1))).all()
    return [dict(r._mapping) for r in rows[:limit]], len(rows) > limit


async def fetch_page(
    session: AsyncSession,
    query: Select[Any],
    key: Key,
    *,
    limit: int,
    cursor: str | None,
    descending: bool = False,
) -> Rows:
    """Rows of ``query`` after ``cursor`` in ``key`` order (a column, or several for a key
    like (period, id)), at most ``limit`` of them, and the next page's cursor."""
    columns = _columns(key)
    values = cursor_key(cursor, columns)
    after = values[0] if values is not None and len(columns) == 1 else values
    items, more = await keyset_rows(session, query, columns, after, limit, descending=descending)
    nxt = encode_cursor(*(items[-1][c.name] for c in columns)) if more else None
    return Rows(items, nxt)
