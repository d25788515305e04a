"""The embedded mode as a new user runs it: five services, SQLite files, the in-process bus."""

from __future__ import annotations

import asyncio
import json
import random
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from ltci_embedded.launcher import build, serve

BODY = {
    "resident_id": "11010519491231002X",
    "name": "张三",
    "region_code": "320900",
    "scheme": "resident",
    "valid_from": "2026-01-01",
}
SERVICES = ["enrollment", "assessment", "care-delivery", "settlement"]


def _free_base_port() -> int:
    for _ in range(50):
        base = random.randint(20_000, 40_000)
        try:
            for port in range(base, base + 5):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no five free consecutive ports")


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    base = _free_base_port()
    platform = build(tmp_path / "var", "127.0.0.1", base)
    assert platform.admin_credentials == (tmp_path / "var" / "admin-client.json").resolve()
    stop = asyncio.Event()
    task = asyncio.create_task(serve(platform, "127.0.0.1", stop))
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{base}", timeout=10) as client:
        for _ in range(200):
            if task.done():
                task.result()
            try:
                if (
                    await client.get("/healthz")
                ).status_code == 200 and platform.bus._open.is_set():
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
        credentials = json.loads(platform.admin_credentials.read_text())
        assert platform.admin_credentials.stat().st_mode & 0o077 == 0, "only the owner reads it"
        form = {"grant_type": "client_credentials", **credentials}
        issued = await client.post("/oauth/token", data=form)
        assert issued.status_code == 200, issued.text
        client.headers["Authorization"] = f"Bearer {issued.json()['access_token']}"
        yield client
    stop.set()
    await asyncio.wait_for(task, timeout=20)
    assert sorted(p.name for p in (tmp_path / "var").iterdir() if p.suffix == ".db") == [
        "assessment.db",
        "care_delivery.db",
        "enrollment.db",
        "gateway.db",
        "settlement.db",
    ]


async def test_every_service_answers_through_the_gateway(gateway: httpx.AsyncClient) -> None:
    assert (await gateway.get("/services")).json() == {s: {"status": "ok"} for s in SERVICES}
    for service in SERVICES:
        assert (await gateway.get(f"/{service}/healthz")).json()["service"] == service
        assert (await gateway.get(f"/{service}/readyz")).json()["checks"] == {"database": "ok"}
        spec = (await gateway.get(f"/{service}/openapi.json")).json()
        assert spec["info"]["title"].startswith("LTCI")
        docs = await gateway.get(f"/{service}/docs")
        assert f"/{service}/openapi.json" in docs.text, (
            "the docs page loads its spec through the gateway"
        )


async def test_an_enrollment_reaches_settlement_over_the_in_process_bus(
    gateway: httpx.AsyncClient,
) -> None:
    r = await gateway.post("/enrollment/persons", json=BODY, headers={"X-Request-ID": "req-e2e"})
    assert r.status_code == 201 and r.headers["X-Request-ID"] == "req-e2e"
    person_id = r.json()["person_id"]
    for _ in range(100):
        seen = await gateway.get(f"/settlement/read-models/insured-persons/{person_id}")
        if seen.status_code == 200:
            break
        await asyncio.sleep(0.05)
    assert seen.status_code == 200 and seen.json()["scheme"] == "resident"


async def test_tokens_are_required_at_the_gateway_and_at_each_service(
    gateway: httpx.AsyncClient,
) -> None:
    anonymous = await gateway.get("/enrollment/persons/x", headers={"Authorization": ""})
    assert anonymous.status_code == 401
    service = str(gateway.base_url).rsplit(":", 1)
    direct = f"{service[0]}:{int(service[1]) + 1}/stats/counts"
    async with httpx.AsyncClient(timeout=10) as raw:
        assert (await raw.get(direct)).status_code == 401
        token = {"Authorization": gateway.headers["Authorization"]}
        assert (await raw.get(direct, headers=token)).status_code == 200, "JWKS from the gateway"


async def test_unknown_service_is_a_404_problem(gateway: httpx.AsyncClient) -> None:
    r = await gateway.get("/nope/anything")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
