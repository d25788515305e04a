"""The gateway routes to the services and answers 503 problem+json when one is down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

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


@pytest.fixture
async def recorded(pg_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, list[bytes]]]:
    """The gateway in front of an enrollment that records the raw path of what reaches it."""
    paths: list[bytes] = []

    def enrollment(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.raw_path)
        return httpx.Response(404, json={"detail": "no such person"})

    transports = {"enrollment": httpx.MockTransport(enrollment)}
    app = create_app(gateway_settings(pg_url), migrate=True, transports=transports)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        client.headers.update(await admin_headers(client))
        yield client, paths


async def test_the_path_goes_on_as_the_client_encoded_it(
    recorded: tuple[httpx.AsyncClient, list[bytes]],
) -> None:
    """An escaped control character or ``/`` stays escaped (it was a 500 and a changed route),
    a NUL is audited (it was a 503: PostgreSQL text refuses it)."""
    gw, paths = recorded
    sent = ["/persons/%1B%C2%BAge", "/persons/a%2Fb?x=1", "/persons/%00", "/persons/%E4%B8%AD"]
    for path in sent:
        response = await gw.get("/enrollment" + path)
        assert response.status_code == 404, response.text
    assert paths == [path.encode() for path in sent]
    escaped_prefix = await gw.get("/enr%6Fllment/persons/%1B")
    assert escaped_prefix.status_code == 404 and paths[-1] == b"/persons/%1B"
    trail = (await gw.get("/admin/audit", params={"limit": 1})).json()["items"]
    assert trail[0]["path"] == "/enrollment/persons/\x1b"


async def test_the_page_size_must_be_a_number_in_bounds(
    recorded: tuple[httpx.AsyncClient, list[bytes]],
) -> None:
    gw, paths = recorded
    for limit in ("²", "0", "501", "-1", "1e3"):
        response = await gw.get("/enrollment/persons", params={"limit": limit})
        assert response.status_code == 422, (limit, response.text)
    assert paths == []
    assert (await gw.get("/enrollment/persons", params={"limit": "500"})).status_code == 404


async def test_resident_ids_sent_to_the_gateway_are_masked_in_the_audit_trail(
    recorded: tuple[httpx.AsyncClient, list[bytes]],
) -> None:
    """A client sending a resident ID where a person id goes (path, query) or in its purpose:
    the audit trail shows it masked and never files it as a person id."""
    gw, _ = recorded
    rid = "11010519491231002X"
    await gw.get(
        f"/enrollment/persons/{rid}",
        params={"person_id": rid},
        headers={"X-Purpose": f"checking {rid}"},
    )
    trail = await gw.get("/admin/audit", params={"limit": 1})
    assert rid not in trail.text
    entry = trail.json()["items"][0]
    assert entry["path"] == "/enrollment/persons/110***********002X"
    assert entry["purpose"] == "checking 110***********002X"
    assert entry["person_ids"] == []
    assert (await gw.get(f"/admin/audit/persons/{rid}")).json()["items"] == []
