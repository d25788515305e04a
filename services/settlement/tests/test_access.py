"""Settlement behind tokens: every route declared, every role against every endpoint, and
object-level tenancy (a TPA in its regions, a provider on its own claims)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import insert

from ltci_settlement.adapters.tables import claims
from ltci_settlement.app import create_app
from ltci_settlement.entrypoints.access import ACCESS
from ltci_settlement.settings import Settings
from ltci_shared.auth.matrix import TokenSigner, role_matrix, undeclared
from ltci_shared.messaging.consumer import Outcome

from .support import message, person

SIGNER = TokenSigner()
QUERY = "region_code=320900&provider_id=prov-1&year=2026&period=2026-03&fund=ltci&account=fund"
PATHS = {"line_no": "1", "hospital_id": "H320402001", "kind": "persons"}


@pytest.fixture
async def app(pg_url: str) -> AsyncIterator[object]:
    application = create_app(Settings(database_url=pg_url, auth_mode="required"), migrate=True)
    async with application.router.lifespan_context(application):
        application.state.token_verifier = SIGNER.verifier()
        yield application


@pytest.fixture
async def secured(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://settlement") as client:
        yield client


def _as(role: str, **claims: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {SIGNER.token(role, **claims)}"}


def test_every_route_is_in_the_access_table() -> None:
    missing, stale = undeclared(create_app().routes, ACCESS)
    assert missing == [] and stale == []


async def test_every_role_against_every_endpoint(app: object, secured: httpx.AsyncClient) -> None:
    tokens = SIGNER.tokens(["320900"], "prov-1")
    routes = app.routes  # type: ignore[attr-defined]
    failures = await role_matrix(secured, routes, ACCESS, tokens, query=QUERY, path_values=PATHS)
    assert failures == []


async def test_a_tpa_reads_persons_of_its_regions_only(
    app: object, secured: httpx.AsyncClient
) -> None:
    event = person("p-1", "resident", valid_from=date(2026, 1, 1), birth_date=date(1950, 1, 1))
    consumer = app.state.runtime.event_consumers[0]  # type: ignore[attr-defined]
    assert await consumer.handle(message(event)) == Outcome.APPLIED
    path = "/read-models/insured-persons/p-1"
    assert (await secured.get(path, headers=_as("tpa", regions=["320900"]))).status_code == 200
    other = await secured.get(path, headers=_as("tpa", regions=["320500"]))
    assert other.status_code == 403 and other.json()["type"] == "/problems/outside_tenancy"
    assert (
        await secured.get(path, headers=_as("provider", provider_id="prov-1"))
    ).status_code == 403


async def test_a_provider_sees_its_own_claims_only(app: object, secured: httpx.AsyncClient) -> None:
    now = datetime.now(UTC)
    row = {
        "claim_id": "c-1",
        "region_code": "320900",
        "provider_id": "prov-1",
        "period": "2026-03",
        "status": "adjudicated",
        **dict.fromkeys(("line_count", "pending_count", "held_count"), 0),
        **dict.fromkeys(("billed_fen", "fund_fen", "person_fen", "denied_fen"), 0),
        "created_at": now,
        "updated_at": now,
    }
    async with app.state.runtime.uow() as uow:  # type: ignore[attr-defined]
        await uow.session.execute(insert(claims).values(row))
        await uow.commit()
    own, other = _as("provider", provider_id="prov-1"), _as("provider", provider_id="prov-2")
    assert (await secured.get("/claims/c-1", headers=own)).status_code == 200
    assert (await secured.get("/claims/c-1/lines", headers=other)).status_code == 403
    assert (await secured.get("/claims?provider_id=prov-1", headers=own)).status_code == 200
    assert (await secured.get("/claims?provider_id=prov-1", headers=other)).status_code == 403
    assert (await secured.get("/claims", headers=own)).status_code == 403
    listed = await secured.get("/claims?region_code=320900", headers=_as("tpa", regions=["320900"]))
    assert [c["claim_id"] for c in listed.json()["items"]] == ["c-1"]
    review = await secured.post(
        "/claims/c-1/lines/1/review",
        json={"decision": "approve"},
        headers=_as("tpa", regions=["320500"]),
    )
    assert review.status_code == 403
