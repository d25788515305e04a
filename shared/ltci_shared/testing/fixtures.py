"""Pytest fixtures: a fresh PostgreSQL database per test and a unique Kafka topic prefix.

The servers are the project's own (``scripts/postgres.sh``, ``scripts/kafka.sh``), reached via
``LTCI_TEST_POSTGRES`` (a URL of the maintenance database) and ``LTCI_TEST_KAFKA``;
``scripts/test`` sets both. A test that needs a server fails, never skips, when it is missing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

DEFAULT_PG = "postgresql+asyncpg://ltci:ltci@127.0.0.1:5432/postgres"
DEFAULT_KAFKA = "127.0.0.1:9092"


def postgres_admin_url() -> str:
    return os.environ.get("LTCI_TEST_POSTGRES", DEFAULT_PG)


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    return os.environ.get("LTCI_TEST_KAFKA", DEFAULT_KAFKA)


@pytest.fixture
def topic_prefix() -> str:
    """A topic prefix of this test's own, so tests never see each other's messages."""
    return f"t{uuid.uuid4().hex[:10]}"


CreateDb = Callable[[], Awaitable[str]]


@pytest.fixture
async def new_pg_database() -> AsyncIterator[CreateDb]:
    """A factory of fresh, empty PostgreSQL databases, dropped after the test."""
    admin = create_async_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    created: list[str] = []

    async def create() -> str:
        name = f"ltci_t_{uuid.uuid4().hex[:12]}"
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return postgres_admin_url().rsplit("/", 1)[0] + "/" + name

    yield create
    async with admin.connect() as conn:
        for name in created:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture
async def pg_url(new_pg_database: CreateDb) -> str:
    return await new_pg_database()
