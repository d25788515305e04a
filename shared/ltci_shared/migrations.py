"""Alembic helpers: each service keeps its own history; these run it on PostgreSQL or SQLite."""

from __future__ import annotations

import asyncio

from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, async_engine_from_config

from ltci_shared.db import _ensure_sqlite_folder
from ltci_shared.idempotency import idempotency_table
from ltci_shared.messaging.tables import messaging_tables


def alembic_config(package: str, url: str) -> Config:
    """A programmatic Alembic config for ``<package>/migrations`` against ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", f"{package}:migrations")
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg


def upgrade(package: str, url: str, revision: str = "head") -> None:
    """Apply a service's migrations from synchronous code (the ``migrate`` command)."""
    if url.startswith("sqlite"):
        _ensure_sqlite_folder(url)
    command.upgrade(alembic_config(package, url), revision)


async def upgrade_async(package: str, engine: AsyncEngine, revision: str = "head") -> None:
    """Apply a service's migrations on an engine from inside a running event loop (lifespan)."""

    def run(connection: Connection) -> None:
        cfg = alembic_config(package, engine.url.render_as_string(hide_password=False))
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)

    # Alembic's ``context`` and ``op`` are process-wide proxies: one migration at a time.
    async with _migration_lock(), engine.begin() as connection:
        await connection.run_sync(run)


_locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}


def _migration_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    return _locks.setdefault(loop, asyncio.Lock())


def run_migrations(target_metadata: MetaData) -> None:
    """The body of every service's ``migrations/env.py`` (online mode, async engine)."""
    config = context.config
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=target_metadata,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _do_run(connection, target_metadata)
    else:
        asyncio.run(_run_online(config, target_metadata))


async def _run_online(config: Config, target_metadata: MetaData) -> None:
    engine = async_engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    async with engine.connect() as connection:
        await connection.run_sync(_do_run, target_metadata)
    await engine.dispose()


def _do_run(connection: Connection, target_metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def create_platform_tables_v1() -> None:
    """Create the outbox, inbox, dead-letter and idempotency tables (version 1) in a migration."""
    from ltci_shared.db import new_metadata

    md = new_metadata()
    tables = messaging_tables(md)
    idempotency_table(md)
    bind = op.get_bind()
    md.create_all(
        bind,
        tables=[tables.outbox, tables.inbox, tables.dead_letters, md.tables["idempotency_keys"]],
    )


def drop_platform_tables_v1() -> None:
    for name in ("idempotency_keys", "dead_letters", "inbox", "outbox"):
        op.drop_table(name)
