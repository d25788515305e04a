"""Fixtures of the care-delivery tests: the service on a fresh real PostgreSQL database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from ltci_care_delivery.app import create_app
from ltci_care_delivery.settings import Settings


@pytest.fixture
async def client(pg_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=pg_url, batch_max_bytes=1_000_000), migrate=True)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://care") as c:
            yield c


@pytest.fixture
async def sqlite_client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The service on SQLite, as the embedded mode runs it."""
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/c.db"), migrate=True)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://care") as c,
    ):
        yield c
