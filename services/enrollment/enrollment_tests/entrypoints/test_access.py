"""Enrollment behind tokens: every route declared, every role against every endpoint, and
object-level tenancy (a TPA only in its regions; a city code covers its divisions)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from ltci_enrollment.app import create_app
from ltci_enrollment.entrypoints.access import ACCESS
from ltci_enrollment.settings import EnrollmentSettings
from ltci_shared.auth.matrix import TokenSigner, role_matrix, undeclared

from ..support import PERSON

SIGNER = TokenSigner()
QUERY = "region_code=320900&year=2026&on=2026-03-01&provider_id=prov-1"


@pytest.fixture
async def secured(pg_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(EnrollmentSettings(database_url=pg_url, auth_mode="required"), migrate=True)
    async with app.router.lifespan_context(app):
        app.state.token_verifier = SIGNER.verifier()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://enrollment") as c:
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


async def test_a_tpa_works_only_on_persons_of_its_regions(secured: httpx.AsyncClient) -> None:
    yancheng, suzhou = _as("tpa", regions=["320900"]), _as("tpa", regions=["320500"])
    enrolled = await secured.post("/persons", json=PERSON, headers=yancheng)  # 320902 ⊂ 320900
    assert enrolled.status_code == 201, enrolled.text
    person = enrolled.json()["person_id"]
    assert (await secured.get(f"/persons/{person}", headers=yancheng)).status_code == 200
    other = await secured.get(f"/persons/{person}", headers=suzhou)
    assert other.status_code == 403 and other.json()["type"] == "/problems/outside_tenancy"
    assert "张三" not in other.text
    death = await secured.post(
        f"/persons/{person}/death", json={"died_on": "2026-05-01"}, headers=suzhou
    )
    assert death.status_code == 403
    move = await secured.patch(
        f"/persons/{person}", json={"region_code": "320500"}, headers=yancheng
    )
    assert move.status_code == 403, "moving a person out of the TPA's regions is the agency's"
    elsewhere = {**PERSON, "region_code": "320505"}
    assert (await secured.post("/persons", json=elsewhere, headers=yancheng)).status_code == 403


async def test_lists_must_name_a_region_of_the_tpa(secured: httpx.AsyncClient) -> None:
    tpa = _as("tpa", regions=["320902"])  # a county: not the whole city
    assert (await secured.get("/persons", headers=tpa)).status_code == 403
    assert (await secured.get("/persons?region_code=320900", headers=tpa)).status_code == 403
    assert (await secured.get("/persons?region_code=320902", headers=tpa)).status_code == 200


async def test_a_dashboard_reads_aggregates_only(secured: httpx.AsyncClient) -> None:
    dashboard = _as("dashboard")
    assert (await secured.get("/stats/counts", headers=dashboard)).status_code == 200
    refused = await secured.get("/persons?region_code=320900", headers=dashboard)
    assert refused.status_code == 403 and refused.json()["type"] == "/problems/role_not_allowed"


@pytest.mark.parametrize(
    ("claims", "name"),
    [
        ({"ttl": -120}, "token_expired"),
        ({"aud": "another-platform"}, "invalid_token"),
        ({"iss": "someone-else"}, "invalid_token"),
        ({"role": "root"}, "invalid_token"),
        ({"regions": "320900"}, "invalid_token"),
    ],
)
async def test_bad_tokens_are_401_problems(
    secured: httpx.AsyncClient, claims: dict[str, object], name: str
) -> None:
    role = str(claims.pop("role", "admin"))
    response = await secured.get("/stats/counts", headers=_as(role, **claims))
    assert response.status_code == 401
    assert response.json()["type"] == f"/problems/{name}"


async def test_without_auth_the_service_stays_open_for_its_own_tests(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/stats/counts")).status_code == 200
