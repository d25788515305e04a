"""``insert_many`` stores the same rows whichever way they go in: COPY on PostgreSQL (JSON
encoded by the rows' one-pass encoder), an executemany INSERT on PostgreSQL and on SQLite."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from ltci_shared.bulk import insert_many
from ltci_shared.db import create_engine, create_sessionmaker, new_metadata

CN = timezone(timedelta(hours=8))


def _tables(metadata: MetaData) -> tuple[Table, Table, Table]:
    wide = Table(
        "wide",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),  # left to its default
        Column("name", String(40), nullable=False),
        Column("items", JSON, nullable=False),
        Column("day", Date, nullable=True),
        Column("at", DateTime(timezone=True), nullable=True),
        Column("detail", JSON, nullable=True),
        Column("count", Integer, nullable=True),
    )
    plain = Table(
        "plain",
        metadata,
        Column("key", String(10), primary_key=True),
        Column("n", Integer, nullable=False),
    )
    single = Table("single", metadata, Column("key", String(10), primary_key=True))
    return wide, plain, single


def _wide_rows(n: int, zone: timezone) -> list[dict[str, Any]]:
    return [
        {
            "name": f"n-{i}-老人",
            "items": ["ADL01", "ADL02"][: i % 3],
            "day": None if i % 4 == 0 else date(2026, 3, 1) + timedelta(days=i),
            "at": None if i % 5 == 0 else datetime(2026, 3, 1, 9, i % 60, 0, i, zone),
            "detail": None
            if i % 2
            else {"at": "2026-03-02T09:00:00+08:00", "score": 0.93, "ok": True, "none": None},
            "count": None if i % 3 == 0 else i,
        }
        for i in range(n)
    ]


async def _inserted(url: str, *, copy_from: int, zone: timezone = CN) -> list[list[dict[str, Any]]]:
    metadata = new_metadata()
    tables = _tables(metadata)
    engine: AsyncEngine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        session = create_sessionmaker(engine)()
        async with session:
            await insert_many(session, tables[0], _wide_rows(60, zone), copy_from=copy_from)
            rows = [{"key": f"k{i}", "n": i} for i in range(60)]
            await insert_many(session, tables[1], rows, copy_from=copy_from)
            await insert_many(session, tables[2], [{"key": f"k{i}"} for i in range(60)])
            await session.commit()
        out = []
        async with engine.connect() as conn:
            for table in tables:
                result = await conn.execute(select(table).order_by(*table.primary_key))
                out.append([dict(r._mapping) for r in result])
            nulls = select(func.count()).where(tables[0].c.detail.is_(None))  # SQL NULL, not 'null'
            out.append([{"detail_nulls": (await conn.execute(nulls)).scalar_one()}])
        async with engine.begin() as conn:
            await conn.run_sync(metadata.drop_all)
        return out
    finally:
        await engine.dispose()


def _in_utc(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """SQLite hands back naive times (UTC ones, as stored)."""
    return [
        {**r, "at": r["at"] if r["at"] is None or r["at"].tzinfo else r["at"].replace(tzinfo=UTC)}
        for r in rows
    ]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/bulk.db"


async def test_copy_stores_what_the_insert_stores(pg_url: str) -> None:
    copied = await _inserted(pg_url, copy_from=50)
    inserted = await _inserted(pg_url, copy_from=10_000)
    assert copied[:3] == inserted[:3]
    wide = copied[0]
    assert [r["id"] for r in wide] == list(range(1, 61))
    expected = _wide_rows(60, CN)
    for row, want in zip(wide, expected, strict=True):
        assert {k: row[k] for k in want} == want  # JSON, NULL, dates and times as given
    assert copied[1] == [{"key": f"k{i}", "n": i} for i in sorted(range(60), key=str)]
    assert len(copied[2]) == 60
    # COPY writes None as SQL NULL; the executemany INSERT as JSON 'null' (SQLAlchemy's JSON
    # default), as before: both read back as None
    assert (copied[3], inserted[3]) == ([{"detail_nulls": 30}], [{"detail_nulls": 0}])


async def test_sqlite_stores_the_same_rows(pg_url: str, sqlite_url: str) -> None:
    """Times in UTC, as the services store them (SQLite keeps no offset)."""
    on_pg = await _inserted(pg_url, copy_from=50, zone=UTC)
    on_sqlite = await _inserted(sqlite_url, copy_from=50, zone=UTC)
    assert _in_utc(on_sqlite[0]) == on_pg[0]
    assert on_sqlite[1:3] == on_pg[1:3]
