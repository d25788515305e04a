"""Family care (亲情照护) on PostgreSQL: the family caregiver, the family-care plan, and the
monthly certification that settlement pays the allowance on (FamilyCareCertified)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from ltci_care_delivery.domain.family_care import Month
from tests.support import TODAY, active_provider, enrol, ok, outbox, resident_id

STARTS = TODAY - timedelta(days=60)
LAST_MONTH = Month.parse((TODAY.replace(day=1) - timedelta(days=1)).strftime("%Y-%m"))


def _family(person_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "resident_id": resident_id(),
        "name": "王家属",
        "relationship": "child",
        "training_certificate_no": "QQ-1",
        "trained_on": "2020-01-01",
        "valid_until": (TODAY + timedelta(days=300)).isoformat(),
        **extra,
    }


def _plan(person_id: str, provider_id: str, family_caregiver_id: str | None) -> dict[str, Any]:
    body = {
        "person_id": person_id,
        "provider_id": provider_id,
        "service_form": "family_care",
        "package_code": "YC-FAMILY",
        "starts_on": STARTS.isoformat(),
    }
    return (
        body
        if family_caregiver_id is None
        else {**body, "family_caregiver_id": family_caregiver_id}
    )


async def _family_plan(client: httpx.AsyncClient) -> tuple[str, dict[str, Any]]:
    person_id, _ = await enrol(client)
    provider_id = await active_provider(client, forms=["family_care", "home_visit"])
    family = ok(await client.post("/family-caregivers", json=_family(person_id)), 201)
    plan = ok(
        await client.post(
            "/care-plans", json=_plan(person_id, provider_id, family["family_caregiver_id"])
        ),
        201,
    )
    return person_id, plan


def _certify(period: Month | str, **extra: Any) -> dict[str, Any]:
    return {
        "period": str(period),
        "confirmation": "supervisor_visit",
        "certified_by": "provider:kn/u-3",
        **extra,
    }


def _expected_days(stay: tuple[date, date] | None = None) -> int:
    days = [
        LAST_MONTH.first + timedelta(days=i)
        for i in range(LAST_MONTH.days)
        if LAST_MONTH.first + timedelta(days=i) >= STARTS
    ]
    if stay is not None:
        days = [d for d in days if not stay[0] <= d < stay[1]]
    return len(days)


async def test_a_family_caregiver_is_registered_once_per_person_and_shown_masked(
    client: httpx.AsyncClient,
) -> None:
    person_id, _ = await enrol(client)
    body = _family(person_id)
    created = ok(await client.post("/family-caregivers", json=body), 201)
    assert body["resident_id"] not in str(created)
    assert created["resident_id_masked"].count("*") >= 8 and created["status"] == "active"
    again = await client.post("/family-caregivers", json=body)
    assert (
        again.status_code == 409
        and again.json()["type"] == "/problems/family_caregiver_already_registered"
    )
    assert body["resident_id"] not in again.text
    unknown = await client.post("/family-caregivers", json=_family("p-nobody"))
    assert unknown.status_code == 404
    listed = ok(await client.get("/family-caregivers", params={"person_id": person_id}))
    assert [f["family_caregiver_id"] for f in listed["items"]] == [created["family_caregiver_id"]]
    bad = await client.post(
        "/family-caregivers",
        json=_family(person_id, trained_on="2026-01-02", valid_until="2026-01-01"),
    )
    assert bad.status_code == 422


async def test_a_family_care_plan_names_a_trained_family_caregiver_of_the_person(
    client: httpx.AsyncClient,
) -> None:
    person_id, _ = await enrol(client)
    other_person, _ = await enrol(client)
    provider_id = await active_provider(client, forms=["family_care", "home_visit"])
    missing = await client.post("/care-plans", json=_plan(person_id, provider_id, None))
    assert (
        missing.status_code == 422
        and missing.json()["type"] == "/problems/family_caregiver_required"
    )
    stranger = ok(await client.post("/family-caregivers", json=_family(other_person)), 201)
    wrong = await client.post(
        "/care-plans", json=_plan(person_id, provider_id, stranger["family_caregiver_id"])
    )
    assert (
        wrong.status_code == 404 and wrong.json()["type"] == "/problems/family_caregiver_not_found"
    )
    untrained = ok(
        await client.post(
            "/family-caregivers",
            json=_family(person_id, trained_on=TODAY.isoformat(), valid_until=TODAY.isoformat()),
        ),
        201,
    )
    late = await client.post(
        "/care-plans", json=_plan(person_id, provider_id, untrained["family_caregiver_id"])
    )
    assert (
        late.status_code == 409
        and late.json()["type"] == "/problems/family_caregiver_not_certified"
    )


async def test_a_finished_month_is_certified_once_and_published_for_settlement(
    client: httpx.AsyncClient,
) -> None:
    person_id, plan = await _family_plan(client)
    path = f"/care-plans/{plan['plan_id']}/family-care-certifications"
    done = ok(await client.post(path, json=_certify(LAST_MONTH)), 201)
    assert done["care_days"] == done["days_covered"] == _expected_days()
    events = [e for e in await outbox(client) if e["type"] == "FamilyCareCertified"]
    assert len(events) == 1
    event = events[0]
    assert event["certification_id"] == done["certification_id"]
    assert event["person_id"] == person_id and event["plan_id"] == plan["plan_id"]
    assert event["period"] == str(LAST_MONTH) and event["days_in_period"] == LAST_MONTH.days
    assert event["family_caregiver_id"] == plan["family_caregiver_id"]
    twice = await client.post(path, json=_certify(LAST_MONTH))
    assert (
        twice.status_code == 409
        and twice.json()["type"] == "/problems/family_care_already_certified"
    )
    this_month = await client.post(path, json=_certify(TODAY.strftime("%Y-%m")))
    assert (
        this_month.status_code == 409 and this_month.json()["type"] == "/problems/period_not_over"
    )
    listed = ok(await client.get("/family-care-certifications", params={"person_id": person_id}))
    assert len(listed["items"]) == 1


async def test_stay_days_are_left_out_and_care_days_cannot_exceed_the_covered_days(
    client: httpx.AsyncClient,
) -> None:
    person_id, plan = await _family_plan(client)
    stay = (LAST_MONTH.first + timedelta(days=9), LAST_MONTH.first + timedelta(days=12))
    body = {
        "person_id": person_id,
        "kind": "hospital",
        "admitted_on": stay[0].isoformat(),
        "discharged_on": stay[1].isoformat(),
    }
    ok(await client.post("/stays", json=body), 201)
    path = f"/care-plans/{plan['plan_id']}/family-care-certifications"
    covered = _expected_days(stay)
    too_many = await client.post(path, json=_certify(LAST_MONTH, care_days=covered + 1))
    assert (
        too_many.status_code == 422
        and too_many.json()["type"] == "/problems/care_days_exceed_covered"
    )
    done = ok(await client.post(path, json=_certify(LAST_MONTH, care_days=covered - 1)), 201)
    assert done["days_covered"] == covered and done["care_days"] == covered - 1


async def test_only_a_family_care_plan_with_payable_days_is_certified(
    client: httpx.AsyncClient,
) -> None:
    _, plan = await _family_plan(client)
    path = f"/care-plans/{plan['plan_id']}/family-care-certifications"
    before = (STARTS.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    nothing = await client.post(path, json=_certify(before))
    assert nothing.status_code == 409 and nothing.json()["type"] == "/problems/nothing_to_certify"
    assert (
        await client.post("/care-plans/nope/family-care-certifications", json=_certify(LAST_MONTH))
    ).status_code == 404
    bad = await client.post(path, json=_certify("2026-13"))
    assert bad.status_code == 422
