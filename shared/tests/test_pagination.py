"""Cursors round-trip, foreign cursors are a clear error, and ``fetch_page`` on PostgreSQL never
hands out a cursor to an empty page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Column, Date, Integer, String, Table, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ltci_shared.db import create_engine, new_metadata
from ltci_shared.errors import InvalidInput, install_error_handlers
from ltci_shared.pagination import (
    Cursor,
    InvalidCursor,
    Key,
    Limit,
    Rows,
    decode_cursor,
    encode_cursor,
    fetch_page,
)

metadata = new_metadata()
things = Table(
    "things",
    metadata,
    Column("thing_id", String(10), primary_key=True),
    Column("day", Date, nullable=False),
    Column("n", Integer, nullable=False),
)


def test_a_cursor_round_trips_its_key() -> None:
    assert decode_cursor(encode_cursor("2026-01-01", "abc", 7), 3) == ["2026-01-01", "abc", 7]
    assert decode_cursor(None) is None


@pytest.mark.parametrize("bad", ["%%%", "bm90IGpzb24", encode_cursor("a", "b")])
def test_a_cursor_not_issued_here_is_invalid_input(bad: str) -> None:
    with pytest.raises(InvalidInput):
        decode_cursor(bad, 1)


@pytest.fixture
async def engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(pg_url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        yield engine
    finally:
        await engine.dispose()


async def _fill(engine: AsyncEngine, count: int) -> None:
    rows = [
        {"thing_id": f"t-{i:03d}", "day": date(2026, 3, 1 + i % 3), "n": i} for i in range(count)
    ]
    async with engine.begin() as conn:
        await conn.execute(things.insert(), rows)


async def _page(
    engine: AsyncEngine,
    limit: int,
    cursor: str | None,
    key: Key = things.c.thing_id,
    *,
    descending: bool = False,
) -> Rows:
    async with AsyncSession(engine) as session:
        query = select(things)
        return await fetch_page(
            session, query, key, limit=limit, cursor=cursor, descending=descending
        )


async def test_exactly_limit_rows_is_one_page_without_a_cursor(engine: AsyncEngine) -> None:
    await _fill(engine, 3)
    page = await _page(engine, 3, None)
    assert [r["thing_id"] for r in page.items] == ["t-000", "t-001", "t-002"]
    assert page.next_cursor is None


async def test_one_row_more_than_the_limit_is_a_page_of_one_then_the_end(
    engine: AsyncEngine,
) -> None:
    await _fill(engine, 4)
    first = await _page(engine, 3, None)
    assert len(first.items) == 3 and first.next_cursor is not None
    rest = await _page(engine, 3, first.next_cursor)
    assert [r["thing_id"] for r in rest.items] == ["t-003"] and rest.next_cursor is None


async def test_a_two_column_key_and_newest_first_page_every_row_once(
    engine: AsyncEngine,
) -> None:
    await _fill(engine, 7)
    for descending in (False, True):
        seen: list[str] = []
        cursor = None
        while True:
            key = (things.c.day, things.c.thing_id)
            page = await _page(engine, 2, cursor, key, descending=descending)
            seen += [r["thing_id"] for r in page.items]
            if (cursor := page.next_cursor) is None:
                break
        ordered = sorted((f"{i % 3}", f"t-{i:03d}") for i in range(7))
        expected = [t for _, t in (reversed(ordered) if descending else ordered)]
        assert seen == expected


async def test_a_tampered_cursor_is_a_422_problem(engine: AsyncEngine) -> None:
    await _fill(engine, 2)
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/things")
    async def list_things(limit: Limit = 1, cursor: Cursor = None) -> dict[str, object]:
        page = await _page(engine, limit, cursor)
        return {"items": page.items, "next_cursor": page.next_cursor}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        good = (await client.get("/things")).json()["next_cursor"]
        assert (await client.get("/things", params={"cursor": good})).status_code == 200
        for bad in (good[:-2] + "!!", encode_cursor(7), encode_cursor("a", "b"), "zz"):
            answer = await client.get("/things", params={"cursor": bad})
            assert answer.status_code == 422, bad
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["detail"] == "the cursor is not one this service issued"
    assert issubclass(InvalidCursor, InvalidInput)
