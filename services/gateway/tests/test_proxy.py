"""The gateway routes to the services and answers 503 problem+json when one is down."""

from __future__ import annotations

from pathlib import Path

import httpx

from ltci_gateway.app import create_app
from ltci_gateway.settings import Settings


async def test_a_service_that_is_down_is_a_503_problem(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/gw.db", enrollment_url="http://127.0.0.1:9"
    )
    app = create_app(settings, migrate=True)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        r = await client.get("/enrollment/persons/x")
        services = (await client.get("/services")).json()
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["service"] == "enrollment"
    assert services["enrollment"]["status"].startswith("down")
