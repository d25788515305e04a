"""Assessment behind tokens: every route declared and every role against every endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from ltci_assessment.app import create_app
from ltci_assessment.entrypoints.access import ACCESS
from ltci_assessment.settings import Settings
from ltci_shared.auth.matrix import TokenSigner, role_matrix, undeclared

SIGNER = TokenSigner()
QUERY = "region_code=320900&person_id=p-1&as_of=2026-03-01"


@pytest.fixture
async def secured(pg_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=pg_url, auth_mode="required"), migrate=True)
    async with app.router.lifespan_context(app):
        app.state.token_verifier = SIGNER.verifier()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://assessment") as c:
            yield c


def test_every_route_is_in_the_access_table() -> None:
    missing, stale = undeclared(create_app().routes, ACCESS)
    assert missing == [] and stale == []


async def test_every_role_against_every_endpoint(secured: httpx.AsyncClient) -> None:
    app = secured._transport.app  # type: ignore[attr-defined]
    tokens = SIGNER.tokens(["320900"], "prov-1")
    paths = {"decision": "withdraw"}
    failures = await role_matrix(
        secured, app.routes, ACCESS, tokens, query=QUERY, path_values=paths
    )
    assert failures == []


async def test_a_tpa_sees_the_region_it_names_only(secured: httpx.AsyncClient) -> None:
    suzhou = {"Authorization": f"Bearer {SIGNER.token('tpa', regions=['320500'])}"}
    assert (await secured.get("/applications", headers=suzhou)).status_code == 403
    assert (
        await secured.get("/applications?region_code=320900", headers=suzhou)
    ).status_code == 403
    assert (
        await secured.get("/applications?region_code=320505", headers=suzhou)
    ).status_code == 200
