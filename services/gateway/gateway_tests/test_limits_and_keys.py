"""Rate limits shared by replicas (PostgreSQL bucket), in memory on SQLite; key rotation."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import orjson

from ltci_gateway.adapters.tables import metadata
from ltci_gateway.app import create_app
from ltci_shared.auth import JwksCache, TokenVerifier
from ltci_shared.testing.migrations import migration_drift

from .support import admin_headers, bearer, gateway_settings, register, token


async def _replicas(url: str, n: int, **kw: Any) -> AsyncIterator[list[httpx.AsyncClient]]:
    async with AsyncExitStack() as stack:
        clients = []
        for i in range(n):
            app = create_app(gateway_settings(url, **kw), migrate=True)
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app)
            clients.append(
                await stack.enter_async_context(
                    httpx.AsyncClient(transport=transport, base_url=f"http://gw{i}")
                )
            )
        yield clients


async def test_the_bucket_is_shared_by_replicas_and_429_says_when_to_retry(pg_url: str) -> None:
    async for a, b in _replicas(pg_url, 2):
        admin = await admin_headers(a)
        created = await register(a, admin, role="dashboard", rate_per_second=0.01, burst=3)
        headers = bearer(await token(b, created["client_id"], created["client_secret"]))
        answers = [(await c.get("/admin/keys", headers=headers)).status_code for c in (a, b, a)]
        assert answers == [403, 403, 403]
        assert (await b.get("/admin/keys", headers=headers)).status_code == 429


async def test_burst_over_quota_gets_429_problems_never_5xx(pg_url: str) -> None:
    async for a, b in _replicas(pg_url, 2):
        admin = await admin_headers(a)
        created = await register(a, admin, role="dashboard", rate_per_second=0.01, burst=4)
        headers = bearer(await token(a, created["client_id"], created["client_secret"]))
        statuses = [
            (await (a, b)[i % 2].get("/enrollment/stats/counts", headers=headers)) for i in range(8)
        ]
        codes = [r.status_code for r in statuses]
        assert codes[4:] == [429] * 4 and 429 not in codes[:4]
        limited = statuses[-1]
        assert limited.headers["content-type"] == "application/problem+json"
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.json()["type"] == "/problems/rate_limited"


async def test_embedded_mode_keeps_buckets_in_memory(tmp_path: Path) -> None:
    async for (gw,) in _replicas(f"sqlite+aiosqlite:///{tmp_path}/gw.db", 1):
        assert gw._transport.app.state.buckets.__class__.__name__ == "MemoryBuckets"  # type: ignore[attr-defined]
        admin = await admin_headers(gw)
        created = await register(gw, admin, role="dashboard", rate_per_second=0.01, burst=2)
        headers = bearer(await token(gw, created["client_id"], created["client_secret"]))
        codes = [(await gw.get("/admin/keys", headers=headers)).status_code for _ in range(3)]
        assert codes == [403, 403, 429]


async def test_the_token_endpoint_has_its_own_rate(pg_url: str) -> None:
    async for (gw,) in _replicas(pg_url, 1, token_rate_per_second=0.01, token_rate_burst=2):
        form = {"grant_type": "client_credentials", "client_id": "admin", "client_secret": "wrong"}
        codes = [(await gw.post("/oauth/token", data=form)).status_code for _ in range(3)]
        assert codes == [401, 401, 429]


def _kid(access_token: str) -> str:
    return str(orjson.loads(base64.urlsafe_b64decode(access_token.split(".")[0] + "=="))["kid"])


async def test_a_rotated_key_is_published_before_it_signs(pg_url: str) -> None:
    async for (gw,) in _replicas(pg_url, 1):
        admin = await admin_headers(gw)
        before = await token(gw, "admin", "admin-secret-for-tests-only-0123456789")
        rotated = await gw.post("/admin/keys/rotate", headers=admin)
        assert rotated.status_code == 201 and rotated.json()["status"] == "pending"
        kids = [k["kid"] for k in (await gw.get("/.well-known/jwks.json")).json()["keys"]]
        assert kids == [_kid(before), rotated.json()["kid"]]
        after = await token(gw, "admin", "admin-secret-for-tests-only-0123456789")
        assert _kid(after) == _kid(before), "the pending key does not sign yet"


async def test_rotation_without_downtime_old_and_new_tokens_verify(pg_url: str) -> None:
    async for (gw,) in _replicas(pg_url, 1, key_publish_lead_seconds=0):
        app = gw._transport.app  # type: ignore[attr-defined]
        keys = JwksCache(
            "http://gw/.well-known/jwks.json",
            min_refresh=0.0,
            transport=httpx.ASGITransport(app=app),
        )
        service = TokenVerifier(keys, "ltci-platform", "ltci-gateway")
        admin = await admin_headers(gw)
        old = admin["Authorization"].split(" ")[1]
        assert (await service.verify(old))["sub"] == "admin"
        await gw.post("/admin/keys/rotate", headers=admin)
        new = await token(gw, "admin", "admin-secret-for-tests-only-0123456789")
        assert _kid(new) != _kid(old)
        assert (await service.verify(new))["sub"] == "admin", "an unknown kid refreshes the JWKS"
        assert (await service.verify(old))["sub"] == "admin", (
            "the old key stays until its tokens expire"
        )
        assert (await gw.get("/admin/keys", headers=admin)).status_code == 200
        statuses = {k["status"] for k in (await gw.get("/admin/keys", headers=bearer(new))).json()}
        assert statuses == {"signing", "retiring"}


async def test_the_migrations_match_the_tables(pg_url: str, tmp_path: Path) -> None:
    assert await migration_drift("ltci_gateway", metadata, pg_url) == []
    assert (
        await migration_drift("ltci_gateway", metadata, f"sqlite+aiosqlite:///{tmp_path}/g.db")
        == []
    )


async def test_a_saturated_service_is_shed_with_429_not_queued(pg_url: str) -> None:
    """Admission control: with ``upstream_max_in_flight`` requests in the service's hands,
    the next one is answered at once with a 429 problem and Retry-After (never a 5xx), and
    a freed place admits again."""
    release, both_in = asyncio.Event(), asyncio.Event()
    seen: list[str] = []

    async def slow_settlement(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if len(seen) == 2:
            both_in.set()
        await release.wait()
        return httpx.Response(200, json={"ok": True})

    transports = {"settlement": httpx.MockTransport(slow_settlement)}
    app = create_app(
        gateway_settings(pg_url, upstream_max_in_flight=2), migrate=True, transports=transports
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as gw,
    ):
        headers = await admin_headers(gw)
        held = [asyncio.create_task(gw.get("/settlement/runs", headers=headers)) for _ in range(2)]
        await asyncio.wait_for(both_in.wait(), 30)
        shed = await asyncio.wait_for(gw.get("/settlement/runs", headers=headers), 30)
        assert shed.status_code == 429
        assert shed.headers["content-type"] == "application/problem+json"
        assert shed.headers["retry-after"] == "1"
        assert shed.json()["type"] == "/problems/upstream_busy"
        assert len(seen) == 2, "the shed request never reached the service"
        release.set()
        assert [(await t).status_code for t in held] == [200, 200]
        assert (await gw.get("/settlement/runs", headers=headers)).status_code == 200
