"""The gateway, the one public entry, under the schema-driven fuzzer through the OpenAPI document
it publishes: its own routes (OAuth, JWKS, admin of clients, keys and the audit trail) and a
few proxied routes of the real services behind it (enrollment's persons, settlement's one-stop
bills), called with tokens the gateway issued.

Clients: the admin, a TPA of county 320402 (region B), provider B and the dashboard. Guarded: the TPA client of
region A, the persons of region A (Yancheng) and the one-stop records of the neighbour county
320404; the foreign TPA must never read one of them through the gateway. Assessment and care
delivery are not started (the gateway reports them unavailable)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from schemathesis.schemas import BaseSchema

from ltci_enrollment.app import create_app as enrollment_app
from ltci_enrollment.settings import EnrollmentSettings
from ltci_gateway.app import create_app as gateway_app
from ltci_gateway.settings import Settings
from ltci_settlement.app import create_app as settlement_app
from ltci_settlement.settings import Settings as SettlementSettings
from ltci_shared.auth import JwksCache, TokenVerifier
from ltci_shared.testing.fixtures import CreateDb

from .seeds import NEIGHBOUR_COUNTY, enroll_persons, one_stop
from .support import (
    CHECKS,
    HOME_CITY,
    OTHER_COUNTY,
    REGIONS,
    Seed,
    fuzz_operations,
    identities,
    post,
    seeding,
    serving,
)

pytestmark = pytest.mark.postgres
ADMIN_SECRET = "admin-secret-for-the-fuzzer-0123456789"
JWKS = "http://gateway/.well-known/jwks.json"
SERVICES = ("enrollment", "settlement")  # the others are not started
PROXIED = {  # the service routes fuzzed through the gateway
    "/enrollment/persons": {"get"},
    "/enrollment/persons/{person_id}": {"get"},
    "/settlement/medical-assistance/settlements": {"get", "post"},
    "/settlement/medical-assistance/settlements/{settlement_id}": {"get"},
}
STOPPED = httpx.MockTransport(
    lambda request: httpx.Response(503, json={"detail": "not started in this test"})
)


@dataclass
class Platform:
    seed: Seed
    databases: dict[str, str]  # gateway and each service started: its database
    tokens: dict[str, str]
    document: dict[str, Any]  # the OpenAPI document the gateway publishes


def _settings(url: str) -> Settings:
    return Settings(
        database_url=url,
        bootstrap_admin_secret=ADMIN_SECRET,
        secret_hash_cost=10,
        client_cache_seconds=0,
        token_ttl_seconds=3600,
        rate_per_second=10_000,
        rate_burst=100_000,
    )


def _gateway(url: str, behind: Mapping[str, FastAPI]) -> FastAPI:
    settings = _settings(url)
    transports: dict[str, httpx.AsyncBaseTransport] = dict.fromkeys(settings.upstreams(), STOPPED)
    transports.update({name: httpx.ASGITransport(app=app) for name, app in behind.items()})
    return gateway_app(settings, migrate=True, transports=transports)


def _services(databases: Mapping[str, str], auth: str) -> dict[str, FastAPI]:
    return {
        "enrollment": enrollment_app(
            EnrollmentSettings(database_url=databases["enrollment"], auth_mode=auth), migrate=True
        ),
        "settlement": settlement_app(
            SettlementSettings(database_url=databases["settlement"], auth_mode=auth), migrate=True
        ),
    }


async def _token(client: httpx.AsyncClient, client_id: str, secret: str) -> str:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    response = await client.post("/oauth/token", data=form)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def _clients(client: httpx.AsyncClient, seed: Seed) -> dict[str, str]:
    """The admin's token, and clients registered by it: the guarded TPA of region A, one the
    fuzzer may change, and the foreign TPA, provider and the dashboard (their tokens)."""
    tokens = {"admin": await _token(client, "admin", ADMIN_SECRET)}
    client.headers["Authorization"] = f"Bearer {tokens['admin']}"
    specs: dict[str, dict[str, Any]] = {
        "a": {"role": "tpa", "regions": [HOME_CITY]},
        "work": {"role": "tpa", "regions": [OTHER_COUNTY]},
        "tpa_b": {"role": "tpa", "regions": [OTHER_COUNTY]},
        "provider_b": {"role": "provider", "provider_id": "prov-b"},
        "dashboard": {"role": "dashboard"},
    }
    for name, spec in specs.items():
        made = await post(client, "/admin/clients", {"name": f"client {name}", **spec})
        if name == "a":
            seed.add("client_id", made["client_id"], guarded="the TPA client of region A")
        elif name == "work":
            seed.add("client_id", made["client_id"])
        else:
            tokens[name] = await _token(client, made["client_id"], made["client_secret"])
    return tokens


@pytest.fixture
async def platform(new_pg_database: CreateDb) -> Platform:
    databases = {name: await new_pg_database() for name in ("gateway", *SERVICES)}
    seed = Seed(databases["gateway"])
    services = _services(databases, auth="off")
    async with seeding(services["enrollment"]) as client:
        await enroll_persons(client, seed)
    async with seeding(services["settlement"]) as client:
        await one_stop(client, seed, 3, OTHER_COUNTY)
        await one_stop(client, seed, 4, NEIGHBOUR_COUNTY)
    async with seeding(_gateway(seed.url, services)) as client:
        tokens = await _clients(client, seed)
        published = await client.get("/openapi.json")
        assert published.status_code == 200, published.text
    for region in REGIONS:
        seed.add("region_code", region)
    return Platform(seed, databases, tokens, _fuzzed(published.json()))


def _fuzzed(document: dict[str, Any]) -> dict[str, Any]:
    """The proxied operations of ``PROXIED``, then the gateway's own: the admin reads the
    audit trail of what the fuzzer did through the gateway."""
    own = {path for path in document["paths"] if path.split("/")[1] not in SERVICES}
    assert "/oauth/token" in own and "/admin/audit" in own, sorted(own)
    proxied = {
        path: {k: v for k, v in document["paths"][path].items() if k in methods}
        for path, methods in PROXIED.items()
    }
    assert all(proxied.values()), "a proxied route is missing from the published document"
    own_paths = {path: item for path, item in document["paths"].items() if path in own}
    return {**document, "paths": {**proxied, **own_paths}}


def _started_with(gateway: FastAPI, services: Sequence[FastAPI]) -> None:
    """The services start and stop with the gateway, on the event loop that serves it, and
    verify its tokens against its JWKS like in production."""
    inner, settings = gateway.router.lifespan_context, _settings("")
    keys = JwksCache(JWKS, min_refresh=0.0, transport=httpx.ASGITransport(app=gateway))
    for service in services:
        service.state.token_verifier = TokenVerifier(
            keys, settings.auth_audience, settings.auth_issuer
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for service in services:
                await stack.enter_async_context(service.router.lifespan_context(service))
            await stack.enter_async_context(inner(app))
            yield

    gateway.router.lifespan_context = lifespan


@pytest.fixture
def gateway_api(platform: Platform) -> Iterator[BaseSchema]:
    services = _services(platform.databases, auth="required")
    gateway = _gateway(platform.seed.url, services)
    _started_with(gateway, list(services.values()))
    with serving(gateway, platform.seed, verifier=False, document=platform.document) as api:
        yield api


def test_the_gateway_and_the_routes_behind_it_survive_the_fuzzer(
    gateway_api: BaseSchema, platform: Platform, subtests: pytest.Subtests
) -> None:
    t = platform.tokens
    fuzzer = identities(
        platform.seed, t["admin"], t["tpa_b"], t["provider_b"], dashboard=t["dashboard"]
    )
    fuzz_operations(gateway_api, fuzzer, subtests)
    # the tenancy check above had something to check: the foreign TPA did read its own county
    persons = gateway_api["/enrollment/persons"]["GET"].Case(query={"region_code": OTHER_COUNTY})
    listed = persons.call(headers=fuzzer.tpa_b.headers)
    assert listed.status_code == 200, listed.text
    assert listed.json()["items"], "the foreign TPA's own persons are listed"
    persons.validate_response(listed, checks=CHECKS)
