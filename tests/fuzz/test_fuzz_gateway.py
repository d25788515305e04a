"""The gateway's own API under the schema-driven fuzzer (OAuth, JWKS, admin of clients, keys and
the audit trail): two TPA clients registered, one per region; the foreign one fuzzes every
route too and must never read the other's client record nor pass an admin route.

The proxied service routes are not in the gateway's own schema: each service is fuzzed
directly (test_fuzz_<service>.py). The services are not started here: their transport answers
every health check."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from schemathesis.schemas import BaseSchema

from ltci_gateway.app import create_app
from ltci_gateway.settings import Settings
from ltci_shared.testing.fixtures import CreateDb

from .support import (
    HOME_CITY,
    OTHER_CITY,
    REGIONS,
    Fuzzer,
    Seed,
    fuzz_operations,
    identity,
    post,
    seeding,
    serving,
)

pytestmark = pytest.mark.postgres
ADMIN_SECRET = "admin-secret-for-the-fuzzer-0123456789"


def _app(url: str) -> FastAPI:
    settings = Settings(
        database_url=url,
        bootstrap_admin_secret=ADMIN_SECRET,
        secret_hash_cost=10,
        client_cache_seconds=0,
        rate_per_second=10_000,
        rate_burst=100_000,
    )
    healthy = httpx.MockTransport(lambda request: httpx.Response(200, json={"status": "ok"}))
    return create_app(
        settings, migrate=True, transports=dict.fromkeys(settings.upstreams(), healthy)
    )


async def _token(client: httpx.AsyncClient, client_id: str, secret: str) -> str:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    response = await client.post("/oauth/token", data=form)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.fixture
async def gateway_seed(new_pg_database: CreateDb) -> Seed:
    seed = Seed(await new_pg_database())
    async with seeding(_app(seed.url)) as client:
        admin = await _token(client, "admin", ADMIN_SECRET)
        client.headers["Authorization"] = f"Bearer {admin}"
        seed.tokens["admin"] = admin
        for name, region in (("a", HOME_CITY), ("b", OTHER_CITY), ("work", OTHER_CITY)):
            spec = {"name": f"TPA {name}", "role": "tpa", "regions": [region]}
            made = await post(client, "/admin/clients", spec)
            if name == "a":
                seed.add("client_id", made["client_id"], guarded="the TPA client of region A")
            elif name == "work":
                seed.add("client_id", made["client_id"])
            else:
                seed.tokens[name] = await _token(client, made["client_id"], made["client_secret"])
    for region in REGIONS:
        seed.add("region_code", region)
    return seed


@pytest.fixture
def gateway_api(gateway_seed: Seed) -> Iterator[BaseSchema]:
    with serving(_app(gateway_seed.url), gateway_seed, verifier=False) as api:
        yield api


def test_the_gateway_survives_the_fuzzer(
    gateway_api: BaseSchema, gateway_seed: Seed, subtests: pytest.Subtests
) -> None:
    tokens = gateway_seed.tokens
    fuzzer = Fuzzer(
        gateway_seed,
        identity("gateway admin", "admin", tokens["admin"], {}),
        identity("tpa client of region B", "tpa", tokens["b"], gateway_seed.guarded),
        None,
    )
    fuzz_operations(gateway_api, fuzzer, subtests)
