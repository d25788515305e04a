"""The engine's disconnect handling on PostgreSQL: a pooled connection that sat idle is pinged
and replaced if its server went away; one in steady use is not pinged (no round trips added to
a busy service's transactions), and if it died the failure is a disconnect error that makes
the pool replace every older connection."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from ltci_shared.db import create_engine

pytestmark = pytest.mark.postgres


async def _backend(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _cut(url: str, pid: int) -> None:
    """Terminate one server process, as a restart or a proxy's idle timeout would."""
    other = create_engine(url)
    try:
        async with other.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        for _ in range(100):  # wait until the server process is gone
            async with other.connect() as conn:
                gone = (
                    await conn.execute(
                        text("SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = :pid"),
                        {"pid": pid},
                    )
                ).scalar_one()
            if gone:
                return
            await asyncio.sleep(0.02)
    finally:
        await other.dispose()


def _pings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the pings of pooled connections from now on (SQLAlchemy's pre-ping pings the same
    way: the adapted connection's ``ping``)."""
    seen: list[int] = []
    original = AsyncAdapt_asyncpg_connection.ping

    def counted(self: AsyncAdapt_asyncpg_connection) -> None:
        seen.append(1)
        original(self)

    monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "ping", counted)
    return seen


async def test_an_idle_connection_whose_server_went_away_is_replaced(pg_url: str) -> None:
    engine = create_engine(pg_url, pool_size=1, ping_idle_seconds=0.05)
    try:
        dead = await _backend(engine)
        await _cut(pg_url, dead)
        await asyncio.sleep(0.1)  # idle longer than ping_idle_seconds
        assert await _backend(engine) != dead  # pinged, replaced, answered
    finally:
        await engine.dispose()


async def test_a_connection_in_steady_use_is_not_pinged(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(pg_url, pool_size=1, ping_idle_seconds=60)
    try:
        first = await _backend(engine)
        pinged = _pings(monkeypatch)
        for _ in range(20):
            assert await _backend(engine) == first
        assert pinged == []
    finally:
        await engine.dispose()


async def test_a_busy_connection_that_died_fails_once_and_the_pool_heals(pg_url: str) -> None:
    engine = create_engine(pg_url, pool_size=2, ping_idle_seconds=60)
    try:
        async with engine.connect() as a, engine.connect() as b:  # two pooled connections
            pids = [
                int((await c.execute(text("SELECT pg_backend_pid()"))).scalar_one()) for c in (a, b)
            ]
        for pid in pids:
            await _cut(pg_url, pid)
        with pytest.raises(DBAPIError) as failed:
            await _backend(engine)
        assert failed.value.connection_invalidated
        # the disconnect invalidated the whole pool: the other dead connection is not handed out
        assert await _backend(engine) not in pids
        assert await _backend(engine) not in pids
    finally:
        await engine.dispose()
