"""Fixtures of the gateway tests: the gateway on a fresh real PostgreSQL database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from ltci_gateway.app import create_app

from .support import gateway_settings


@pytest.fixture
async def gateway(pg_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(gateway_settings(pg_url), migrate=True)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        yield client
