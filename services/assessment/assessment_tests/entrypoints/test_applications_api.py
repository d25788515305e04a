"""The application lifecycle through the API on a real PostgreSQL database: the whole path to a
final grade, refusals, bad input with nothing changed, history, idempotency, OpenAPI."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ..support import DEMENTIA, INTACT, PERSON, SEVERE, Driver, enrolled, feed, outbox


async def _count(client: httpx.AsyncClient, person: str = PERSON) -> int:
    return len((await client.get(f"/applications?person_id={person}")).json()["items"])


async def test_the_whole_lifecycle_reaches_a_final_grade_and_grants_eligibility(
    driver: Driver,
) -> None:
    app_id = await driver.apply()
    final = await driver.to_final(app_id, SEVERE)
    assert (final["status"], final["grade"], final["eligible"]) == ("final", 3, True)
    assert (final["scheduled_on"], final["deadline"]) == ("2025-03-05", "2025-03-26")
    assert final["final_on"] == "2025-03-17"  # notice 2025-03-10..16, final the day after
    assert (final["fee"], final["fee_fund_share"]) == ("300.00", "150.00")
    assert final["policy_version"] == "320900/assessment@2022-07-01"
    steps = (await driver.client.get(f"/applications/{app_id}/transitions")).json()["items"]
    assert [(s["from_status"], s["to_status"]) for s in steps] == [
        (None, "submitted"),
        ("submitted", "accepted"),
        ("accepted", "scheduled"),
        ("scheduled", "assessed"),
        ("assessed", "on_notice"),
        ("on_notice", "final"),
    ]
    assert steps[-1]["actor"] == "system:close-notices" and all(s["reason"] for s in steps)
    assert steps[2]["details"]["pool_size"] == 5
    completed = await outbox(driver.app, "AssessmentCompleted")
    assert len(completed) == 1
    assert completed[0]["grade"] == 3
    assert (completed[0]["fee"], completed[0]["fee_fund_share"]) == ("300.00", "150.00")
    granted = await outbox(driver.app, "EligibilityGranted")
    assert [(g["grade"], g["valid_from"], g["valid_until"]) for g in granted] == [
        (3, "2025-03-17", "2027-03-16")
    ]
    windows = (await driver.client.get(f"/eligibilities?person_id={PERSON}")).json()["items"]
    assert [w["eligibility_id"] for w in windows] == [granted[0]["eligibility_id"]]
    again = await driver.post("/jobs/close-notices?as_of=2025-04-30")
    assert again["application_ids"] == []
    assert len(await outbox(driver.app, "AssessmentCompleted")) == 1


async def test_a_result_explains_itself_and_dementia_alone_is_severe(driver: Driver) -> None:
    app_id = await driver.apply()
    assessment = await driver.to_assessed(app_id, DEMENTIA)
    result = assessment["result"]
    assert result["group_scores"] == {"adl": 100, "cognition": 0, "perception": 12}
    assert result["group_levels"] == {"adl": 0, "cognition": 3, "perception": 0}
    assert result["matrix_cell"] == {"adl_level": 0, "worse_other_level": 3}
    assert (result["grade"], result["grade_name"]) == (3, "severe I")
    assert result["policy_version"] == "320900/assessment@2022-07-01"
    fetched = (await driver.client.get(f"/assessments/{assessment['assessment_id']}")).json()
    assert fetched == assessment


async def test_a_grade_not_paid_is_final_without_eligibility_and_the_fund_pays_its_share(
    driver: Driver,
) -> None:
    final = await driver.to_final(await driver.apply(), INTACT)
    assert (final["grade"], final["eligible"]) == (0, False)
    assert await outbox(driver.app, "EligibilityGranted") == []
    assert (await outbox(driver.app, "AssessmentCompleted"))[0]["fee_fund_share"] == "150.00"


async def test_short_disability_is_not_eligible_even_at_a_severe_grade(driver: Driver) -> None:
    final = await driver.to_final(await driver.apply(onset="2025-01-01"), SEVERE)
    assert (final["grade"], final["eligible"]) == (3, False)
    steps = (await driver.client.get(f"/applications/{final['application_id']}/transitions")).json()
    assert "6 months" in steps["items"][-1]["details"]["not_eligible_because"][0]


@pytest.mark.parametrize(
    ("person", "applied_on", "problem"),
    [
        ("nobody", "2025-03-03", "person_not_insured"),
        (PERSON, "2022-12-31", "person_not_insured"),  # before the membership began
        (PERSON, "2099-01-01", "date_out_of_order"),  # in the future
    ],
)
async def test_refusals_change_nothing(
    driver: Driver, person: str, applied_on: str, problem: str
) -> None:
    body = {"person_id": person, "applied_on": applied_on, "disability_onset": "2022-01-01",
            "actor": "clerk"}  # fmt: skip
    r = await driver.client.post("/applications", json=body)
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == f"/problems/{problem}", r.text
    assert await _count(driver.client, person) == 0


async def test_one_open_application_and_the_waiting_period_after_a_decision(driver: Driver) -> None:
    first = await driver.apply()
    body = {"person_id": PERSON, "applied_on": "2025-03-04", "disability_onset": "2024-06-01",
            "actor": "clerk"}  # fmt: skip
    r = await driver.client.post("/applications", json=body)
    assert (r.status_code, r.json()["type"]) == (409, "/problems/application_already_open")
    assert r.json()["application_id"] == first
    await driver.to_final(first, SEVERE)  # final on 2025-03-17
    too_soon = await driver.client.post("/applications", json={**body, "applied_on": "2025-09-16"})
    assert too_soon.status_code == 409
    assert (too_soon.json()["type"], too_soon.json()["earliest"]) == (
        "/problems/reapply_too_soon",
        "2025-09-17",
    )
    assert await _count(driver.client) == 1
    await driver.apply(applied_on="2025-09-17")
    assert await _count(driver.client) == 2


async def test_bad_scores_and_wrong_assessors_are_clear_errors_and_nothing_is_recorded(
    driver: Driver,
) -> None:
    app_id = await driver.apply()
    await driver.post(f"/applications/{app_id}/accept", {"actor": "clerk", "reason": "ok"})
    scheduled = await driver.post(
        f"/applications/{app_id}/schedule", {"actor": "clerk", "scheduled_on": "2025-03-05"}
    )
    ids = scheduled["assessors"]["onsite"]
    base: dict[str, Any] = {"actor": "a", "assessed_on": "2025-03-10", "assessor_ids": ids}
    bad = {**INTACT, "eating": 7, "bathing": 10}
    bad.pop("memory")
    r = await driver.client.post(
        f"/applications/{app_id}/assessments", json={**base, "scores": bad}
    )
    assert (r.status_code, r.json()["type"]) == (422, "/problems/invalid_scores")
    assert {e["item"] for e in r.json()["errors"]} == {"eating", "bathing", "memory"}
    other = [a for a in driver.assessors + driver.panel if a not in ids][:2]
    r = await driver.client.post(
        f"/applications/{app_id}/assessments",
        json={**base, "assessor_ids": other, "scores": INTACT},
    )
    assert (r.status_code, r.json()["type"]) == (409, "/problems/assessors_not_assigned")
    r = await driver.client.post(
        f"/applications/{app_id}/assessments", json={**base, "scores": {**INTACT, "vision": 4.0}}
    )
    assert r.status_code == 422  # a float is not an item score
    assert (await driver.client.get(f"/applications/{app_id}/assessments")).json() == []
    assert (await driver.client.get(f"/applications/{app_id}")).json()["status"] == "scheduled"


async def test_withdrawal_closes_the_application_and_closed_ones_refuse_changes(
    driver: Driver,
) -> None:
    app_id = await driver.apply()
    await driver.to_assessed(app_id, SEVERE)
    await driver.post(f"/applications/{app_id}/withdraw", {"actor": "applicant", "reason": "moved"})
    for path, body in [
        ("accept", {"actor": "clerk", "reason": "x"}),
        ("public-notice", {"actor": "clerk", "starts_on": "2025-03-12"}),
    ]:
        r = await driver.client.post(f"/applications/{app_id}/{path}", json=body)
        assert (r.status_code, r.json()["type"]) == (409, "/problems/application_not_open")
    steps = (await driver.client.get(f"/applications/{app_id}/transitions")).json()["items"]
    assert (steps[-1]["to_status"], steps[-1]["actor"], steps[-1]["reason"]) == (
        "withdrawn",
        "applicant",
        "moved",
    )
    r = await driver.client.post(
        f"/applications/{app_id}/approve", json={"actor": "clerk", "reason": "x"}
    )
    assert r.status_code == 422  # not a decision


async def test_evidence_is_recorded_by_reference(driver: Driver) -> None:
    app_id = await driver.apply()
    body = {"actor": "clerk", "kind": "document", "uri": "dms://records/1.pdf", "sha256": "a" * 64}
    made = await driver.post(f"/applications/{app_id}/evidence", body, 201)
    assert made["uri"] == "dms://records/1.pdf"
    listed = (await driver.client.get(f"/applications/{app_id}/evidence")).json()
    assert [e["evidence_id"] for e in listed["items"]] == [made["evidence_id"]]
    r = await driver.client.post(f"/applications/{app_id}/evidence", json={**body, "sha256": "x"})
    assert r.status_code == 422


async def test_the_same_idempotency_key_has_one_effect(driver: Driver) -> None:
    body = {"person_id": PERSON, "applied_on": "2025-03-03", "disability_onset": "2024-06-01",
            "actor": "clerk"}  # fmt: skip
    headers = {"Idempotency-Key": "apply-1"}
    first = await driver.client.post("/applications", json=body, headers=headers)
    second = await driver.client.post("/applications", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json() and second.headers["Idempotent-Replayed"] == "true"
    other = await driver.client.post(
        "/applications", json={**body, "applied_on": "2025-03-04"}, headers=headers
    )
    assert other.json()["type"] == "/problems/idempotency_key_reused"
    assert await _count(driver.client) == 1


async def test_lists_page_with_cursors_and_filters(driver: Driver) -> None:
    for i in range(3):
        await feed(driver.app, enrolled(f"p-{i + 10}"))
        await driver.apply(person=f"p-{i + 10}")
    page = (await driver.client.get("/applications?status=submitted&limit=2")).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = (
        await driver.client.get(
            f"/applications?status=submitted&limit=2&cursor={page['next_cursor']}"
        )
    ).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    ids = [a["application_id"] for a in page["items"] + rest["items"]]
    assert len(set(ids)) == 3
    assert (await driver.client.get("/applications?status=final")).json()["items"] == []
    assert (await driver.client.get("/applications?cursor=%%%")).status_code == 422
    assert (await driver.client.get("/applications?limit=100000")).status_code == 422


async def test_openapi_documents_the_routes_with_examples(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    for path in ["/applications", "/applications/{application_id}/schedule",
                 "/jobs/close-notices", "/jobs/schedule-reviews", "/eligibilities", "/assessors"]:  # fmt: skip
        assert path in spec["paths"], path
    schemas = spec["components"]["schemas"]
    assert schemas["SubmitApplication"]["examples"]
    assert schemas["RecordAssessment"]["examples"][0]["scores"]["memory"] == 1
    responses = spec["paths"]["/applications"]["post"]["responses"]
    assert "409" in responses and "422" in responses
