"""Records more than one fuzzer seeds: insured persons of both regions (enrollment), and the
events and one-stop bills of settlement (through its API and its consumer)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import httpx

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

from .support import HOME_COUNTY, OTHER_CITY, OTHER_COUNTY, Seed, feed, post, resident_id

NEIGHBOUR_COUNTY = "320404"  # in Changzhou, outside the foreign TPA's county (one-stop)


async def enroll_persons(client: httpx.AsyncClient, seed: Seed) -> list[str]:
    """A person of region A (guarded) and two of region B, their resident IDs planted for
    the leak check and pooled (a client confusing the two ids is never echoed in full)."""
    person_ids = []
    for n, (region, guarded) in enumerate(
        [(HOME_COUNTY, True), (OTHER_COUNTY, False), (OTHER_COUNTY, False)]
    ):
        rid = resident_id(f"{region}1950010{n + 1}00{n}")
        seed.resident_ids.append(rid)
        person = await post(
            client,
            "/persons",
            {
                "resident_id": rid,
                "name": f"参保人{n}",
                "region_code": region,
                "scheme": "resident",
                "valid_from": "2026-01-01",
            },
        )
        pid = person["person_id"]
        seed.add("person_id", pid, guarded="a person of region A" if guarded else None)
        person_ids.append(pid)
    for rid in seed.resident_ids:
        seed.add("resident_id", rid)
        seed.add("person_id", rid)
    return person_ids


def settlement_events(n: int, region: tuple[str, str, str, list[str]]) -> list[IntegrationEvent]:
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


async def one_stop(client: httpx.AsyncClient, seed: Seed, n: int, county: str) -> None:
    """A person of ``county`` (Changzhou) with two inpatient bills."""
    guarded = county != OTHER_COUNTY
    person = f"fz-person-{n}"

    def add(param: str, value: str, what: str) -> None:
        seed.add(param, value, guarded=f"{what} of another county" if guarded else None)

    await feed(client, settlement_events(n, (OTHER_CITY, county, "CZ-HV", ["CZ-ADL01"]))[0])
    add("person_id", person, "a person")
    hospital = f"H{county}001"
    body = {"name": f"人民医院{n}", "region_code": county, "designated": True}
    response = await client.put(f"/medical-assistance/hospitals/{hospital}", json=body)
    assert response.status_code == 200, response.text
    seed.add("hospital_id", hospital)  # the hospital directory is open to every TPA
    for k in (1, 2):  # the second bill takes the self-pay over the high-cost threshold
        settled = await post(client, "/medical-assistance/settlements", bill(person, hospital, k))
        add("settlement_id", settled["settlement_id"], "a one-stop settlement")
    alerts = await client.get(
        "/medical-assistance/high-cost-alerts", params={"region_code": county}
    )
    for item in alerts.json()["items"]:
        add("alert_id", item["alert_id"], "a high-cost alert")


def bill(person: str, hospital: str, k: int) -> dict[str, object]:
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
