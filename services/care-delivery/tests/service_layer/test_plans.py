"""Care-plan rules on a real PostgreSQL database: eligibility, agreements, one institutional
plan, plans ending with eligibility or death, stays pausing home plans."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from ltci_shared.events.contracts import EligibilityRevoked, PersonUpdated

from ..support import (
    DAY,
    TODAY,
    active_provider,
    enrol,
    feed,
    ok,
    outbox,
    plan,
    visit,
    world,
)


async def test_a_plan_takes_its_quotas_from_the_package_by_grade(client: httpx.AsyncClient) -> None:
    person, _ = await enrol(client, grade=4)
    provider = await active_provider(client)
    p = ok(await plan(client, person, provider), 201)
    assert (p["grade"], p["visits_per_month"], p["hours_per_month"]) == (4, 20, 20)
    assert p["min_minutes_per_visit"] == 30 and p["status"] == "active"
    assert p["ends_on"] == str(TODAY + timedelta(days=300))  # the eligibility window's end
    assert p["policy_version"] == "320900/benefits@2022-07-01"
    [event] = [e for e in await outbox(client) if e["type"] == "CarePlanActivated"]
    assert (event["plan_id"], event["package_code"], event["grade"]) == (
        p["plan_id"],
        "YC-HV-STD",
        4,
    )
    listed = ok(await client.get("/care-plans", params={"person_id": person}))
    assert [x["plan_id"] for x in listed["items"]] == [p["plan_id"]]


async def test_at_most_one_institutional_plan_at_a_time(client: httpx.AsyncClient) -> None:
    person, _ = await enrol(client)
    first, second = await active_provider(client), await active_provider(client)
    ok(await plan(client, person, first, "institutional"), 201)
    r = await plan(client, person, second, "institutional")
    assert r.status_code == 409 and r.json()["type"] == "/problems/institutional_plan_exists"
    ok(await plan(client, person, second, "home_visit"), 201)  # a home plan beside it is allowed


@pytest.mark.parametrize(
    ("grade", "form", "package", "problem"),
    [
        (2, "home_visit", "YC-HV-STD", "person_not_eligible"),  # Yancheng pays grades 3-5
        (4, "home_visit", "YC-INST-STD", "unknown_package"),  # package of another form
        (4, "home_visit", "NOPE", "unknown_package"),
        (4, "home_self_care", "YC-HV-STD", "form_not_in_policy"),
    ],
)
async def test_plans_the_policy_does_not_allow_are_refused(
    client: httpx.AsyncClient, grade: int, form: str, package: str, problem: str
) -> None:
    person, _ = await enrol(client, grade=grade)
    provider = await active_provider(client)
    body = {
        "person_id": person,
        "provider_id": provider,
        "service_form": form,
        "package_code": package,
        "starts_on": str(TODAY),
    }
    r = await client.post("/care-plans", json=body)
    assert r.json()["type"] == f"/problems/{problem}", r.text


async def test_a_plan_needs_a_known_eligible_person_and_a_covering_agreement(
    client: httpx.AsyncClient,
) -> None:
    person, _ = await enrol(client)
    home_only = await active_provider(client, forms=["home_visit"])
    r = await plan(client, person, home_only, "institutional")
    assert r.status_code == 409 and r.json()["type"] == "/problems/agreement_not_covering"
    r = await plan(client, "nobody", home_only)
    assert r.status_code == 404 and r.json()["type"] == "/problems/person_not_known"
    body = {
        "person_id": person,
        "provider_id": home_only,
        "service_form": "home_visit",
        "package_code": "YC-HV-STD",
        "starts_on": str(TODAY + timedelta(days=400)),  # past the eligibility window
    }
    r = await client.post("/care-plans", json=body)
    assert r.status_code == 409 and r.json()["type"] == "/problems/person_not_eligible"


async def test_plans_end_when_eligibility_is_revoked(client: httpx.AsyncClient) -> None:
    w = await world(client)
    revoked = EligibilityRevoked(
        eligibility_id=w.eligibility_id,
        person_id=w.person_id,
        region_code="320902",
        ended_on=DAY - timedelta(days=1),
        reason="review",
    )
    await feed(client, revoked)
    p = ok(await client.get(f"/care-plans/{w.plan_id}"))
    assert (p["status"], p["ends_on"], p["end_reason"]) == (
        "ended",
        str(DAY - timedelta(days=1)),
        "eligibility_revoked",
    )
    [ended] = [e for e in await outbox(client) if e["type"] == "CarePlanEnded"]
    assert ended["plan_id"] == w.plan_id and ended["reason"] == "eligibility_revoked"
    r = await client.post(f"/providers/{w.provider_id}/visits", json=visit(w, "after-end"))
    assert ok(r, 201)["visit"]["exceptions"] == ["not_in_care_plan"]
    earlier = visit(w, "before-end", day=DAY - timedelta(days=2))
    r = await client.post(f"/providers/{w.provider_id}/visits", json=earlier)
    assert ok(r, 201)["visit"]["plan_id"] == w.plan_id  # the ended plan still covers its past


async def test_plans_end_when_the_person_dies(client: httpx.AsyncClient) -> None:
    w = await world(client)
    died = PersonUpdated(
        person_id=w.person_id,
        version=2,
        region_code="320902",
        changed_fields=["died_on"],
        died_on=TODAY,
    )
    await feed(client, died)
    p = ok(await client.get(f"/care-plans/{w.plan_id}"))
    assert (p["status"], p["end_reason"], p["ends_on"]) == ("ended", "death", str(TODAY))


async def test_a_stay_pauses_home_plans_and_discharge_resumes_them(
    client: httpx.AsyncClient,
) -> None:
    w = await world(client)
    institution = ok(await plan(client, w.person_id, w.provider_id, "institutional"), 201)
    stay = ok(
        await client.post(
            "/stays",
            json={"person_id": w.person_id, "kind": "hospital", "admitted_on": str(DAY)},
        ),
        201,
    )
    home = ok(await client.get(f"/care-plans/{w.plan_id}"))
    assert (home["status"], home["paused_since"]) == ("paused", str(TODAY))
    assert ok(await client.get(f"/care-plans/{institution['plan_id']}"))["status"] == "active"
    overlapping = {"person_id": w.person_id, "kind": "institution", "admitted_on": str(TODAY)}
    r = await client.post("/stays", json=overlapping)
    assert r.status_code == 409 and r.json()["type"] == "/problems/stay_overlaps"
    out = ok(
        await client.post(f"/stays/{stay['stay_id']}/discharge", json={"discharged_on": str(TODAY)})
    )
    assert out["discharged_on"] == str(TODAY)
    assert ok(await client.get(f"/care-plans/{w.plan_id}"))["status"] == "active"
    reported = [e for e in await outbox(client) if e["type"] == "StayReported"]
    assert [e["discharged_on"] for e in reported] == [None, str(TODAY)]
    again = await client.post(
        f"/stays/{stay['stay_id']}/discharge", json={"discharged_on": str(TODAY)}
    )
    assert again.status_code == 409


async def test_terminating_a_provider_ends_its_plans(client: httpx.AsyncClient) -> None:
    w = await world(client)
    change = {"action": "terminate", "effective_on": str(TODAY), "reason_code": "breach"}
    assert ok(await client.post(f"/providers/{w.provider_id}/status", json=change))["status"] == (
        "terminated"
    )
    p = ok(await client.get(f"/care-plans/{w.plan_id}"))
    assert (p["status"], p["end_reason"]) == ("ended", "provider_terminated")


async def test_closing_a_plan(client: httpx.AsyncClient) -> None:
    w = await world(client)
    closed = ok(await client.post(f"/care-plans/{w.plan_id}/end", json={"ended_on": str(TODAY)}))
    assert (closed["status"], closed["end_reason"]) == ("ended", "closed")
    r = await client.post(f"/care-plans/{w.plan_id}/end", json={"ended_on": str(TODAY)})
    assert r.status_code == 409 and r.json()["type"] == "/problems/plan_already_ended"
    assert (await client.get("/care-plans/nope")).status_code == 404
