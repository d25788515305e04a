"""Through the gateway to the real services: tokens, tenancy, bounds, streaming, audit."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ltci_shared.auth.matrix import TokenSigner

from .platform import Platform, platform
from .support import admin_headers, bearer, client_token

PERSON = {
    "resident_id": "11010519491231002X",
    "name": "张三",
    "region_code": "320902",
    "scheme": "resident",
    "valid_from": "2026-01-01",
}


@pytest.fixture
async def p(new_pg_database: Any) -> AsyncIterator[Platform]:
    urls = [await new_pg_database() for _ in range(3)]
    async with platform(urls, max_body_bytes=4096) as running:
        yield running


async def _tokens(gw: httpx.AsyncClient) -> dict[str, dict[str, str]]:
    admin = await admin_headers(gw)
    return {
        "admin": admin,
        "yancheng": bearer(await client_token(gw, admin, role="tpa", regions=["320900"])),
        "suzhou": bearer(await client_token(gw, admin, role="tpa", regions=["320500"])),
        "provider": bearer(await client_token(gw, admin, role="provider", provider_id="prov-1")),
        "dashboard": bearer(await client_token(gw, admin, role="dashboard")),
    }


async def test_each_client_uses_the_api_within_its_tenancy_and_is_audited(p: Platform) -> None:
    t = await _tokens(p.gw)
    enrolled = await p.gw.post("/enrollment/persons", json=PERSON, headers=t["yancheng"])
    assert enrolled.status_code == 201, enrolled.text
    person = enrolled.json()["person_id"]
    purpose = {"X-Purpose": "eligibility check for application A-102"}
    read = await p.gw.get(f"/enrollment/persons/{person}", headers={**t["yancheng"], **purpose})
    assert read.status_code == 200
    assert read.json()["resident_id_masked"] != PERSON["resident_id"]
    assert (await p.gw.get(f"/enrollment/persons/{person}", headers=t["suzhou"])).status_code == 403
    assert (
        await p.gw.get(f"/enrollment/persons/{person}", headers=t["provider"])
    ).status_code == 403
    assert (await p.gw.get("/enrollment/stats/counts", headers=t["dashboard"])).status_code == 200

    trail = await p.gw.get(f"/admin/audit/persons/{person}", headers=t["admin"])
    assert trail.status_code == 200
    seen = [
        (e["client_id"].split("-")[0], e["action"], e["outcome"], e["purpose"])
        for e in trail.json()["items"]
    ]
    assert seen == [
        ("provider", "read", "denied", None),
        ("tpa", "read", "denied", None),
        ("tpa", "read", "ok", purpose["X-Purpose"]),
        ("tpa", "create", "ok", None),
    ]
    assert all(person in e["person_ids"] for e in trail.json()["items"])
    by_query = await p.gw.get(f"/admin/audit?person_id={person}&limit=2", headers=t["admin"])
    assert len(by_query.json()["items"]) == 2 and by_query.json()["next_cursor"]
    rest = await p.gw.get(
        f"/admin/audit?person_id={person}&cursor={by_query.json()['next_cursor']}",
        headers=t["admin"],
    )
    assert len(rest.json()["items"]) == 2
    assert (await p.gw.get("/admin/audit", headers=t["yancheng"])).status_code == 403


async def test_the_audit_trail_is_append_only(p: Platform) -> None:
    t = await _tokens(p.gw)
    await p.gw.get("/enrollment/stats/counts", headers=t["dashboard"])
    engine = p.gateway.state.runtime.engine
    for statement in ("UPDATE audit_events SET purpose = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(text(statement))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _forged(header: dict[str, Any], claims: dict[str, Any], key: bytes | None) -> str:
    signing_input = f"{_b64(orjson.dumps(header))}.{_b64(orjson.dumps(claims))}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest() if key else b""
    return f"{signing_input}.{_b64(signature)}"


async def test_forged_expired_and_foreign_tokens_are_refused_at_every_door(p: Platform) -> None:
    admin = await admin_headers(p.gw)
    good = admin["Authorization"].split(" ")[1]
    claims = orjson.loads(base64.urlsafe_b64decode(good.split(".")[1] + "=="))
    jwks = (await p.gw.get("/.well-known/jwks.json")).json()
    public = base64.urlsafe_b64decode(jwks["keys"][0]["x"] + "==")
    kid = jwks["keys"][0]["kid"]
    stranger = TokenSigner()
    tokens = {
        "alg none": _forged({"alg": "none", "kid": kid}, claims, None),
        "HS256 with the public key": _forged({"alg": "HS256", "kid": kid}, claims, public),
        "another key": stranger.token("admin"),
        "tampered claims": ".".join(
            [
                good.split(".")[0],
                _b64(orjson.dumps({**claims, "role": "admin", "sub": "x"})),
                good.split(".")[2],
            ]
        ),
        "garbage": "not-a-token",
    }
    enrollment = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=p.enrollment), base_url="http://e"
    )
    async with enrollment:
        for name, value in tokens.items():
            at_gateway = await p.gw.get("/enrollment/stats/counts", headers=bearer(value))
            at_service = await enrollment.get("/stats/counts", headers=bearer(value))
            for response in (at_gateway, at_service):
                assert response.status_code == 401, name
                assert response.headers["content-type"] == "application/problem+json", name
        assert (await p.gw.get("/enrollment/stats/counts")).status_code == 401
        assert (await enrollment.get("/stats/counts")).status_code == 401
        assert (await enrollment.get("/stats/counts", headers=admin)).status_code == 200


async def test_bodies_and_page_sizes_are_bounded_and_uploads_stream(p: Platform) -> None:
    t = await _tokens(p.gw)
    big = {**PERSON, "name": "x" * 5000}
    too_big = await p.gw.post("/enrollment/persons", json=big, headers=t["yancheng"])
    assert too_big.status_code == 413 and too_big.json()["type"] == "/problems/payload_too_large"
    huge_page = await p.gw.get(
        "/enrollment/persons?region_code=320900&limit=100000", headers=t["yancheng"]
    )
    assert huge_page.status_code == 422
    rows = "".join(
        f"1101051949123100{d}X,测试{i},320902,resident,2026-01-01,\n"
        for i, d in enumerate("0123456789" * 20)
    )
    csv = "resident_id,name,region_code,scheme,valid_from,phone\n" + rows
    assert len(csv.encode()) > 4096, "larger than a JSON body may be: uploads have their own bound"
    upload = await p.gw.post(
        "/enrollment/imports/persons",
        content=csv.encode(),
        headers={**t["admin"], "Content-Type": "text/csv"},
    )
    assert upload.status_code == 200, upload.text
    assert upload.json()["rows_done"] == 200


async def test_chunked_bodies_over_the_bound_are_cut_off(p: Platform) -> None:
    admin = await admin_headers(p.gw)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b" " * 1000

    response = await p.gw.post(
        "/admin/clients", content=chunks(), headers={**admin, "Content-Type": "application/json"}
    )
    assert response.status_code == 413, response.text


async def test_one_openapi_document_covers_the_whole_public_api(p: Platform) -> None:
    spec = (await p.gw.get("/openapi.json")).json()
    paths = spec["paths"]
    for path in ("/oauth/token", "/admin/clients", "/enrollment/persons", "/settlement/claims"):
        assert path in paths, path
    assert "/enrollment/healthz" not in paths
    assert spec["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
    refs = {r for r in _refs(spec)}
    assert refs and all(
        r.removeprefix("#/components/schemas/") in spec["components"]["schemas"] for r in refs
    )
    docs = await p.gw.get("/docs")
    assert docs.status_code == 200 and "/openapi.json" in docs.text


def _refs(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [v for k, v in value.items() if k == "$ref"] + [
            r for v in value.values() for r in _refs(v)
        ]
    if isinstance(value, list):
        return [r for v in value for r in _refs(v)]
    return []
