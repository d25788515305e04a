"""The gateway routes to the services and answers 503 problem+json when one is down."""

from __future__ import annotations

from pathlib import Path

import httpx

from ltci_gateway.app import create_app

from .support import admin_headers, gateway_settings


async def test_a_service_that_is_down_is_a_503_problem(tmp_path: Path) -> None:
    settings = gateway_settings(
        f"sqlite+aiosqlite:///{tmp_path}/gw.db", enrollment_url="http://127.0.0.1:9"
    )
    app = create_app(settings, migrate=True)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        admin = await admin_headers(client)
        r = await client.get("/enrollment/persons/x", headers=admin)
        services = (await client.get("/services")).json()
        health = await client.get("/enrollment/healthz")
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["service"] == "enrollment"
    assert services["enrollment"]["status"].startswith("down")
    assert health.status_code == 503, "health checks pass without a token, to a 503 here"


async def test_the_dashboard_has_its_place(tmp_path: Path) -> None:
    app = create_app(gateway_settings(f"sqlite+aiosqlite:///{tmp_path}/gw.db"), migrate=True)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        page = await client.get("/dashboard/")
        index = await client.get("/")
    assert page.status_code == 200 and "看板" in page.text
    assert 'href="/dashboard/"' in index.text
