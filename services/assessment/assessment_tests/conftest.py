"""Fixtures of the assessment tests: the app on a fresh PostgreSQL database, an HTTP client,
and a driver with an insured person and a registry of assessors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from ltci_assessment.app import create_app
from ltci_assessment.settings import Settings

from .support import Driver, enrolled, feed


@pytest.fixture
async def app(pg_url: str) -> AsyncIterator[FastAPI]:
    application = create_app(Settings(database_url=pg_url), migrate=True)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://assessment") as c:
        yield c


@pytest.fixture
async def driver(app: FastAPI, client: httpx.AsyncClient) -> Driver:
    await feed(app, enrolled())
    d = Driver(app, client)
    await d.registry()
    return d
