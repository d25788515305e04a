"""Care delivery behind tokens: every route declared, every role against every endpoint, and
a provider confined to its own visits and plans, a TPA to its regions."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from ltci_care_delivery.app import create_app
from ltci_care_delivery.entrypoints.access import ACCESS
from ltci_care_delivery.settings import Settings
from ltci_shared.auth.matrix import TokenSigner, role_matrix, undeclared

SIGNER = TokenSigner()
QUERY = "region_code=320900&provider_id=prov-1&person_id=p-1"


@pytest.fixture
async def secured(pg_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(database_url=pg_url, auth_mode="required", batch_max_bytes=1_000_000)
    app = create_app(settings, migrate=True)
    async with app.router.lifespan_context(app):
        app.state.token_verifier = SIGNER.verifier()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://care") as c:
            yield c


def _as(role: str, **claims: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {SIGNER.token(role, **claims)}"}


def test_every_route_is_in_the_access_table() -> None:
    missing, stale = undeclared(create_app().routes, ACCESS)
    assert missing == [] and stale == []


async def test_every_role_against_every_endpoint(secured: httpx.AsyncClient) -> None:
    app = secured._transport.app  # type: ignore[attr-defined]
    tokens = SIGNER.tokens(["320900"], "prov-1")
    failures = await role_matrix(secured, app.routes, ACCESS, tokens, query=QUERY)
    assert failures == []


async def test_a_provider_writes_only_its_own_visits(secured: httpx.AsyncClient) -> None:
    body = {
        "uscc": "91320900MA1XY1234W",
        "name": "盐城市康宁护理院",
        "region_code": "320900",
        "kind": "elderly_care",
        "admission_route": "filing",
    }
    admitted = await secured.post("/providers", json=body, headers=_as("admin"))
    assert admitted.status_code == 201, admitted.text
    provider = admitted.json()["provider_id"]
    own, other = _as("provider", provider_id=provider), _as("provider", provider_id="prov-x")
    assert (await secured.get(f"/providers/{provider}", headers=own)).status_code == 200
    refused = await secured.post(f"/providers/{provider}/visits", json={}, headers=other)
    assert refused.status_code == 403 and refused.json()["type"] == "/problems/outside_tenancy"
    assert (
        await secured.post(f"/providers/{provider}/visits", json={}, headers=own)
    ).status_code == 422
    assert (await secured.get("/visits", headers=own)).status_code == 403, "must filter by itself"
    assert (await secured.get(f"/visits?provider_id={provider}", headers=own)).status_code == 200
    assert (await secured.get(f"/visits?provider_id={provider}", headers=other)).status_code == 403
    suzhou = _as("tpa", regions=["320500"])
    assert (await secured.get(f"/providers/{provider}", headers=suzhou)).status_code == 403
    yancheng = _as("tpa", regions=["320900"])
    assert (
        await secured.get(f"/visits?provider_id={provider}", headers=yancheng)
    ).status_code == 200
