"""Cursor (keyset) pagination: opaque cursors, bounded page sizes, one response shape."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Generic, TypeVar

import orjson
from fastapi import Query
from pydantic import BaseModel

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
