"""Settlement under the schema-driven fuzzer: in each region a person, a plan and visits fed
through the consumer and settled by a month-end run (claims, statements); one-stop medical
assistance (Changzhou's pack only has it) with a hospital and a settlement (a high-cost alert)
in two counties of Changzhou. The foreign TPA here holds one county (320402) only, so the other
county's (320404) one-stop records are guarded too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest
from schemathesis.schemas import BaseSchema

from ltci_settlement.app import create_app
from ltci_settlement.entrypoints.access import ACCESS
from ltci_settlement.settings import Settings
from ltci_shared.events.base import IntegrationEvent
from ltci_shared.events.contracts import (
    AssistanceAssignment,
    AssistanceCategoryChanged,
    CarePlanActivated,
    ContributionPosted,
    EligibilityGranted,
    PersonEnrolled,
    ServiceVisitLogged,
)
from ltci_shared.testing.fixtures import CreateDb

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
NEIGHBOUR_COUNTY = "320404"  # in Changzhou, outside the foreign TPA's county


def _events(n: int, region: tuple[str, str, str, list[str]]) -> list[IntegrationEvent]:
    city, county, package, items = region
    person, provider, plan = f"fz-person-{n}", f"fz-provider-{n}", f"fz-plan-{n}"
    since = date(2024, 1, 1)
    visits = [
        ServiceVisitLogged(
            visit_id=f"fz-visit-{n}-{day}",
            provider_id=provider,
            person_id=person,
            caregiver_id=f"fz-caregiver-{n}",
            plan_id=plan,
            region_code=county,
            service_form="home_visit",
            service_date=date(2026, 3, day),
            begin_at=datetime(2026, 3, day, 1, 0, tzinfo=UTC),
            end_at=datetime(2026, 3, day, 2, 0, tzinfo=UTC),
            items=items,
            verified=True,
            exceptions=[],
        )
        for day in (2, 3)
    ]
    return [
        PersonEnrolled(
            person_id=person,
            region_code=county,
            scheme="employee",
            valid_from=since,
            birth_date=date(1940, 1, 1),
            sex="F",
        ),
        EligibilityGranted(
            eligibility_id=f"fz-elig-{n}",
            person_id=person,
            region_code=city,
            grade=3,
            valid_from=since,
            valid_until=date(2027, 12, 31),
        ),
        ContributionPosted(
            contribution_id=f"fz-contribution-{n}",
            region_code=city,
            fund="employee_ltc",
            payer="employer",
            year=2026,
            amount=Decimal("100000.00"),
            posted_on=date(2026, 3, 1),
        ),
        AssistanceCategoryChanged(
            person_id=person,
            region_code=county,
            categories=["dibao"],
            valid_from=since,
            assignments=[
                AssistanceAssignment(
                    assignment_id=f"fz-assignment-{n}",
                    category="dibao",
                    recipient_class=2,
                    valid_from=since,
                    valid_until=None,
                )
            ],
            highest_category="dibao",
            highest_class=2,
        ),
        CarePlanActivated(
            plan_id=plan,
            person_id=person,
            provider_id=provider,
            region_code=county,
            service_form="home_visit",
            package_code=package,
            grade=3,
            starts_on=since,
        ),
        *visits,
    ]


async def _region(
    client: httpx.AsyncClient, seed: Seed, n: int, region: tuple[str, str, str, list[str]]
) -> None:
    city = region[0]
    guarded = region is REGION_A
    person, provider = f"fz-person-{n}", f"fz-provider-{n}"

    def add(param: str, value: str, what: str, own: bool = False) -> None:
        seed.add(param, value, guarded=f"{what} of region A" if guarded else None, own=own)

    await feed(client, *_events(n, region))
    add("person_id", person, "a person")
    add("provider_id", provider, "the provider", own=True)
    run = await post(client, "/runs/month-end", {"region_code": city, "period": PERIOD})
    add("run_id", run["run_id"], "a month-end run")
    for kind, param in (("claims", "claim_id"), ("statements", "statement_id")):
        listed = await client.get(f"/{kind}", params={"region_code": city})
        assert listed.status_code == 200, listed.text
        for item in listed.json()["items"]:
            add(param, item[param], f"a {param.removesuffix('_id')}", own=True)


async def _one_stop(client: httpx.AsyncClient, seed: Seed, n: int, county: str) -> None:
    """A person of ``county`` (Changzhou) with two inpatient bills."""
    guarded = county != OTHER_COUNTY
    person = f"fz-person-{n}"

    def add(param: str, value: str, what: str) -> None:
        seed.add(param, value, guarded=f"{what} of another county" if guarded else None)

    await feed(client, _events(n, (OTHER_CITY, county, "CZ-HV", ["CZ-ADL01"]))[0])
    add("person_id", person, "a person")
    hospital = f"H{county}001"
    body = {"name": f"人民医院{n}", "region_code": county, "designated": True}
    response = await client.put(f"/medical-assistance/hospitals/{hospital}", json=body)
    assert response.status_code == 200, response.text
    seed.add("hospital_id", hospital)  # the hospital directory is open to every TPA
    for k in (1, 2):  # the second bill takes the self-pay over the high-cost threshold
        settled = await post(client, "/medical-assistance/settlements", _bill(person, hospital, k))
        add("settlement_id", settled["settlement_id"], "a one-stop settlement")
    alerts = await client.get(
        "/medical-assistance/high-cost-alerts", params={"region_code": county}
    )
    for item in alerts.json()["items"]:
        add("alert_id", item["alert_id"], "a high-cost alert")


def _bill(person: str, hospital: str, k: int) -> dict[str, object]:
    return {
        "person_id": person,
        "hospital_id": hospital,
        "bill_id": f"ZY2026-{person}-{k}",
        "care_kind": "inpatient",
        "referred": False,
        "total": "100000.00",
        "in_policy": "90000.00",
        "out_of_policy": "10000.00",
        "service_from": "2026-03-02",
        "service_to": "2026-03-20",
    }


@pytest.fixture
async def settlement_seed(new_pg_database: CreateDb) -> Seed:
    seed = Seed(await new_pg_database(), provider_b="fz-provider-2")
    async with seeding(create_app(Settings(database_url=seed.url), migrate=True)) as client:
        await _region(client, seed, 1, REGION_A)
        await _region(client, seed, 2, REGION_B)
        await _one_stop(client, seed, 3, OTHER_COUNTY)
        await _one_stop(client, seed, 4, NEIGHBOUR_COUNTY)
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
