"""Async SQLAlchemy plumbing: metadata with a naming convention, engines made at start-up."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import MetaData, event, exc, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

PlanCacheMode = Literal["auto", "force_custom_plan", "force_generic_plan"]
"""PostgreSQL's ``plan_cache_mode`` values (see ``create_engine``)."""

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    """A service's MetaData, with constraint names Alembic can diff and drop reliably."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    echo: bool = False,
    plan_cache_mode: PlanCacheMode = "auto",
    ping_idle_seconds: float = 1.0,
) -> AsyncEngine:
    """An engine for PostgreSQL (asyncpg) or SQLite (aiosqlite). Call it in lifespan, never at import.

    ``plan_cache_mode`` is PostgreSQL's for the engine's sessions: ``force_custom_plan`` plans
    each execution of a prepared statement with its actual parameters, where ``auto`` may
    settle, after five executions, on one generic plan until the next ANALYZE.

    A PostgreSQL connection idle in the pool for ``ping_idle_seconds`` or more is pinged when
    it is taken out, and replaced if the server does not answer (see ``_ping_when_idle``)."""
    kwargs: dict[str, Any] = {"echo": echo}
    if url.startswith("sqlite"):
        _ensure_sqlite_folder(url)
        kwargs["connect_args"] = {"timeout": 30}
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.update(pool_size=pool_size, max_overflow=pool_size)
    if plan_cache_mode != "auto":
        kwargs["connect_args"] = {"server_settings": {"plan_cache_mode": plan_cache_mode}}
    engine = create_async_engine(url, **kwargs)
    _ping_when_idle(engine, ping_idle_seconds)
    return engine


def _ping_when_idle(engine: AsyncEngine, after: float) -> None:
    """Pessimistic disconnect handling that costs nothing on a busy pool.

    SQLAlchemy's ``pool_pre_ping`` pings at every checkout: on asyncpg that is three round
    trips (BEGIN, an empty query, ROLLBACK) before each transaction, a third of a single-visit
    group commit's. Here only a connection that sat idle for ``after`` seconds is pinged; one
    in steady use goes straight to work. A dead connection that was not pinged (the server
    restarted within the last ``after`` seconds) fails its statement with a disconnect error,
    which answers 503 and makes SQLAlchemy replace every pooled connection older than it."""
    pool = engine.sync_engine.pool

    @event.listens_for(pool, "checkin")
    def _idle_from(_dbapi: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _ping(dbapi: Any, record: Any, _proxy: Any) -> None:
        # info is cleared when a connection is replaced: a new one has no idle_since
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < after:
            return
        try:
            dbapi.ping()
        except Exception as error:  # as pool_pre_ping: the pool replaces its connections older
            # than now (the server went away under them) and checks out again
            raise exc.InvalidatePoolError(f"an idle connection did not answer: {error}") from error


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> None:
    """Raise if the database does not answer (used by /readyz)."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _ensure_sqlite_folder(url: str) -> None:
    path = url.split("///", 1)[-1].split("?", 1)[0]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
