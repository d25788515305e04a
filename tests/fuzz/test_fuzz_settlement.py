"""Settlement under the schema-driven fuzzer: in each region a person, a plan and visits fed
through the consumer and settled by a month-end run (claims, statements); one-stop medical
assistance (Changzhou's pack only has it) with a hospital and a settlement (a high-cost alert)
in two counties of Changzhou. The foreign TPA here holds one county (320402) only, so the other
county's (320404) one-stop records are guarded too."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from schemathesis.schemas import BaseSchema

from ltci_settlement.app import create_app
from ltci_settlement.entrypoints.access import ACCESS
from ltci_settlement.settings import Settings
from ltci_shared.testing.fixtures import CreateDb

from .seeds import NEIGHBOUR_COUNTY, one_stop, settlement_events
from .support import (
    HOME_CITY,
    HOME_COUNTY,
    OTHER_CITY,
    OTHER_COUNTY,
    REGIONS,
    Seed,
    feed,
    fuzz_operations,
    post,
    seeding,
    service_identities,
    serving,
)

pytestmark = pytest.mark.postgres
PERIOD = "2026-03"
REGION_A = (HOME_CITY, HOME_COUNTY, "YC-HV-STD", ["ADL01"])
REGION_B = (OTHER_CITY, OTHER_COUNTY, "CZ-HV", ["CZ-ADL01"])


async def _region(
    client: httpx.AsyncClient, seed: Seed, n: int, region: tuple[str, str, str, list[str]]
) -> None:
    city = region[0]
    guarded = region is REGION_A
    person, provider = f"fz-person-{n}", f"fz-provider-{n}"

    def add(param: str, value: str, what: str, own: bool = False) -> None:
        seed.add(param, value, guarded=f"{what} of region A" if guarded else None, own=own)

    await feed(client, *settlement_events(n, region))
    add("person_id", person, "a person")
    add("provider_id", provider, "the provider", own=True)
    run = await post(client, "/runs/month-end", {"region_code": city, "period": PERIOD})
    add("run_id", run["run_id"], "a month-end run")
    for kind, param in (("claims", "claim_id"), ("statements", "statement_id")):
        listed = await client.get(f"/{kind}", params={"region_code": city})
        assert listed.status_code == 200, listed.text
        for item in listed.json()["items"]:
            add(param, item[param], f"a {param.removesuffix('_id')}", own=True)


@pytest.fixture
async def settlement_seed(new_pg_database: CreateDb) -> Seed:
    seed = Seed(await new_pg_database(), provider_b="fz-provider-2")
    async with seeding(create_app(Settings(database_url=seed.url), migrate=True)) as client:
        await _region(client, seed, 1, REGION_A)
        await _region(client, seed, 2, REGION_B)
        await one_stop(client, seed, 3, OTHER_COUNTY)
        await one_stop(client, seed, 4, NEIGHBOUR_COUNTY)
    assert seed.pools.get("claim_id"), "the seeded month-end runs made no claim"
    assert seed.pools.get("alert_id"), "the seeded bills raised no high-cost alert"
    for region in REGIONS:
        seed.add("region_code", region)
    seed.add("period", PERIOD)
    seed.add("line_no", 1)
    return seed


@pytest.fixture
def settlement_api(settlement_seed: Seed) -> Iterator[BaseSchema]:
    settings = Settings(database_url=settlement_seed.url, auth_mode="required")
    with serving(create_app(settings), settlement_seed) as api:
        yield api


def test_settlement_survives_the_fuzzer(
    settlement_api: BaseSchema, settlement_seed: Seed, subtests: pytest.Subtests
) -> None:
    fuzzer = service_identities(settlement_seed, ACCESS, tpa_regions=[OTHER_COUNTY])
    fuzz_operations(settlement_api, fuzzer, subtests)
