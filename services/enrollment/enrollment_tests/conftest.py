"""Fixtures of the enrollment tests: the service on a fresh real PostgreSQL database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from ltci_enrollment.app import create_app
from ltci_enrollment.settings import EnrollmentSettings


@pytest.fixture
async def client(pg_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(EnrollmentSettings(database_url=pg_url), migrate=True)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://enrollment") as c:
            yield c
