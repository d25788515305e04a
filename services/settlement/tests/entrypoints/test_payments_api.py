"""Payments and holdback releases behind tokens on PostgreSQL: a TPA pays and releases in its
own region only, a provider reads only its own items, batches and reconciliation rows, and
the scorecard consumed from care delivery's event feeds the release."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from ltci_settlement.app import create_app
from ltci_settlement.settings import Settings
from ltci_shared.auth.matrix import TokenSigner

from ..support import MONTH, A, B, eligible, feed, person, plan, rental, scorecard, visit

SIGNER = TokenSigner()


def _as(role: str, **claims: object) -> dict[str, str]:
    # long-lived: the tokens are made at import, minutes before the tests run in a full suite
    return {"Authorization": f"Bearer {SIGNER.token(role, ttl=86_400, **claims)}"}


ADMIN = _as("admin")
TPA = _as("tpa", regions=["320900"])
OTHER_TPA = _as("tpa", regions=["320500"])
PROV_A = _as("provider", provider_id=A)


@pytest.fixture
async def client(pg_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A settled Yancheng month: prov-a owed 83.36 (87.75 less 4.39), prov-b 275.36."""
    app = create_app(Settings(database_url=pg_url, auth_mode="required"), migrate=True)
    async with app.router.lifespan_context(app):
        app.state.token_verifier = SIGNER.verifier()
        await feed(
            app, person("p1"), eligible("p1"), plan("p1"), visit("v1", "p1", 2, 90), rental()
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://settlement") as c:
            run = await c.post("/runs/month-end", json=MONTH, headers=ADMIN)
            assert run.status_code == 201 and run.json()["status"] == "completed", run.text
            yield c


async def test_a_tpa_pays_in_its_own_region_only(client: httpx.AsyncClient) -> None:
    other = await client.post("/payments/batches", json=MONTH, headers=OTHER_TPA)
    assert other.status_code == 403 and other.json()["type"] == "/problems/outside_tenancy"
    mine = await client.post(
        "/payments/batches", json=MONTH, headers={**TPA, "Idempotency-Key": "pay-1"}
    )
    assert mine.status_code == 201, mine.text
    batch = mine.json()
    assert [(i["provider_id"], i["amount"]) for i in batch["items"]] == [
        (A, "83.36"),
        (B, "275.36"),
    ]
    replay = await client.post(
        "/payments/batches", json=MONTH, headers={**TPA, "Idempotency-Key": "pay-1"}
    )
    assert replay.json()["batch_id"] == batch["batch_id"]
    url = f"/payments/batches/{batch['batch_id']}"
    assert (await client.get(url, headers=OTHER_TPA)).status_code == 403
    answer = {"results": [{"item_id": batch["items"][0]["item_id"], "status": "paid"}]}
    assert (await client.post(f"{url}/results", json=answer, headers=OTHER_TPA)).status_code == 403
    assert (await client.post(f"{url}/results", json=answer, headers=PROV_A)).status_code == 403
    assert (await client.post(f"{url}/results", json=answer, headers=TPA)).status_code == 200
    listed = await client.get("/payments/batches", params=MONTH, headers=OTHER_TPA)
    assert listed.status_code == 403
    assert (await client.get("/payments/batches", headers=TPA)).status_code == 403  # unfiltered


async def test_a_provider_sees_only_its_own_items(client: httpx.AsyncClient) -> None:
    batch = (await client.post("/payments/batches", json=MONTH, headers=TPA)).json()
    url = f"/payments/batches/{batch['batch_id']}"
    own = await client.get(url, params={"provider_id": A}, headers=PROV_A)
    assert own.status_code == 200
    assert [i["provider_id"] for i in own.json()["items"]] == [A]
    assert own.json()["total"] == "83.36" and own.json()["item_count"] == 1
    assert (await client.get(url, headers=PROV_A)).status_code == 403
    assert (await client.get(url, params={"provider_id": B}, headers=PROV_A)).status_code == 403
    items = await client.get("/payments/items", params={"provider_id": A}, headers=PROV_A)
    assert [i["provider_id"] for i in items.json()["items"]] == [A]
    assert (
        await client.get("/payments/items", params={"provider_id": B}, headers=PROV_A)
    ).status_code == 403
    rec = await client.get(
        "/payments/reconciliation", params={**MONTH, "provider_id": A}, headers=PROV_A
    )
    assert rec.status_code == 200 and [r["provider_id"] for r in rec.json()["rows"]] == [A]
    assert (
        await client.get("/payments/reconciliation", params=MONTH, headers=PROV_A)
    ).status_code == 403
    assert (await client.post("/payments/batches", json=MONTH, headers=PROV_A)).status_code == 403


async def test_a_scorecard_event_releases_the_holdback_for_the_regions_tpa(
    client: httpx.AsyncClient,
) -> None:
    app = client._transport.app  # type: ignore[attr-defined]
    await feed(app, scorecard(A, "90.00", issued_at=datetime(2026, 4, 3, tzinfo=UTC)))
    other = await client.post("/holdback/releases", json=MONTH, headers=OTHER_TPA)
    assert other.status_code == 403
    done = await client.post("/holdback/releases", json=MONTH, headers=TPA)
    assert done.status_code == 200, done.text
    body = done.json()
    assert [(r["provider_id"], r["released"]) for r in body["released"]] == [(A, "4.39")]
    assert [(w["provider_id"], w["holdback_held"]) for w in body["waiting"]] == [(B, "14.49")]
    releases = await client.get("/holdback/releases", params={"provider_id": A}, headers=PROV_A)
    assert [r["released"] for r in releases.json()["items"]] == ["4.39"]
    assert (
        await client.get("/holdback/releases", params={"provider_id": B}, headers=PROV_A)
    ).status_code == 403
    schema = (await client.get("/openapi.json")).json()
    assert {"/payments/batches", "/payments/reconciliation", "/holdback/releases"} <= set(
        schema["paths"]
    )
