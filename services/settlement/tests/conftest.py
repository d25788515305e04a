"""Settlement test helpers: an app on a fresh database and events fed through the consumer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from ltci_settlement.app import create_app
from ltci_settlement.settings import Settings
from ltci_shared.events.base import IntegrationEvent
from ltci_shared.events.envelope import Envelope

from .support import feed


class Harness:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s")

    async def feed(self, *events: IntegrationEvent) -> list[Envelope]:
        return await feed(self.app, *events)

    async def month_end(
        self, period: str = "2026-03", region: str = "320900", key: str | None = None
    ) -> dict[str, Any]:
        headers = {"Idempotency-Key": key} if key else {}
        response = await self.client.post(
            "/runs/month-end", json={"region_code": region, "period": period}, headers=headers
        )
        assert response.status_code == 201, response.text
        return response.json()


def settings(url: str, **kw: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "review_sample_share": "0",
        "review_high_value": "100000",
    }
    values.update(kw)
    return Settings(**values)


@pytest.fixture(params=["postgres", "sqlite"])
async def db_url(request: pytest.FixtureRequest, new_pg_database: Any, tmp_path: Path) -> str:
    if request.param == "postgres":
        return str(await new_pg_database())
    return f"sqlite+aiosqlite:///{tmp_path}/settlement.db"


@pytest.fixture
async def harness(db_url: str) -> AsyncIterator[Harness]:
    async with running(db_url) as h:
        yield h


@asynccontextmanager
async def running(url: str, **kw: Any) -> AsyncIterator[Harness]:
    app = create_app(settings(url, **kw), migrate=True)
    async with app.router.lifespan_context(app):
        h = Harness(app)
        try:
            yield h
        finally:
            await h.client.aclose()


@pytest.fixture
def make_harness(db_url: str) -> Any:
    """``async with make_harness(review_high_value="200") as h:`` for other settings."""
    return lambda **kw: running(db_url, **kw)
