"""Cursor (keyset) pagination: opaque cursors, bounded page sizes, one response shape."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Column, Select
from sqlalchemy.ext.asyncio import AsyncSession

from ltci_shared.errors import InvalidInput

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50
T = TypeVar("T")

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
        raise InvalidInput("the cursor is not one this service issued") from None
    if not isinstance(key, list) or len(key) != arity:
        raise InvalidInput("the cursor is not one this service issued")
    return key


async def keyset_rows(
    session: AsyncSession, query: Select[Any], id_column: Column[Any], after: Any, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """One page of ``query`` after ``after`` in ``id_column`` order, and whether more follow
    (``LIMIT n + 1``: the last page never points to an empty one)."""
    if after is not None:
        query = query.where(id_column > after)
    rows = (await session.execute(query.order_by(id_column).limit(limit + 1))).all()
    return [dict(r._mapping) for r in rows[:limit]], len(rows) > limit
