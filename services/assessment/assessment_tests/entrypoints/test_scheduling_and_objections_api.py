"""Assessor draws (qualified, valid, no conflicts), objections and the expert panel with
different assessors whose decision is final."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from ..support import DEMENTIA, SEVERE, Driver, enrolled, feed, outbox


@pytest.fixture
async def bare(app: FastAPI, client: httpx.AsyncClient) -> Driver:
    """An insured person and an empty registry."""
    await feed(app, enrolled())
    return Driver(app, client)


async def _objected(d: Driver) -> tuple[str, list[str]]:
    app_id = await d.apply()
    await d.to_assessed(app_id, SEVERE)
    await d.post(f"/applications/{app_id}/public-notice", {"actor": "c", "starts_on": "2025-03-10"})
    body = {"filed_by": "applicant", "filed_on": "2025-03-16", "reason": "memory under-scored"}
    objected = await d.post(f"/applications/{app_id}/objections", body)
    assert objected["status"] == "objected" and objected["objections"][0]["reason"]
    return app_id, objected["assessors"]["onsite"]


async def test_the_expert_panel_is_drawn_without_the_onsite_assessors_and_decides_finally(
    bare: Driver,
) -> None:
    await bare.registry(onsite=0, panel=4)  # four assessors qualified for both rounds
    app_id, onsite = await _objected(bare)
    scheduled = await bare.post(
        f"/applications/{app_id}/schedule", {"actor": "c", "scheduled_on": "2025-03-18"}
    )
    panel = scheduled["assessors"]["panel"]
    assert set(panel) == set(bare.panel) - set(onsite)
    worse = {**SEVERE, **{k: v for k, v in DEMENTIA.items() if k not in SEVERE or v == 0}}
    body = {"actor": panel[0], "assessed_on": "2025-03-20", "assessor_ids": panel, "scores": worse}
    decided = await bare.post(f"/applications/{app_id}/assessments", body, 201)
    assert (decided["round"], decided["grade"]) == ("panel", 5)
    final = (await bare.client.get(f"/applications/{app_id}")).json()
    assert (final["status"], final["grade"], final["final_on"]) == ("final", 5, "2025-03-20")
    completed = await outbox(bare.app, "AssessmentCompleted")
    assert [(c["assessment_id"], c["grade"]) for c in completed] == [(decided["assessment_id"], 5)]
    granted = await outbox(bare.app, "EligibilityGranted")
    assert [(g["grade"], g["valid_from"]) for g in granted] == [(5, "2025-03-20")]
    r = await bare.client.post(
        f"/applications/{app_id}/objections",
        json={"filed_by": "applicant", "filed_on": "2025-03-21", "reason": "again"},
    )
    assert (r.status_code, r.json()["type"]) == (409, "/problems/application_not_open")


async def test_too_few_different_panel_assessors_is_refused_and_onsite_ones_cannot_be_named(
    bare: Driver,
) -> None:
    await bare.registry(onsite=0, panel=3)
    app_id, onsite = await _objected(bare)
    r = await bare.client.post(
        f"/applications/{app_id}/schedule", json={"actor": "c", "scheduled_on": "2025-03-18"}
    )
    assert (r.status_code, r.json()["type"]) == (409, "/problems/not_enough_assessors")
    spare = next(a for a in bare.panel if a not in onsite)
    r = await bare.client.post(
        f"/applications/{app_id}/schedule",
        json={"actor": "c", "scheduled_on": "2025-03-18", "assessor_ids": [onsite[0], spare]},
    )
    assert (r.status_code, r.json()["type"]) == (409, "/problems/assessor_not_different")
    assert (await bare.client.get(f"/applications/{app_id}")).json()["status"] == "objected"


async def test_an_objection_outside_the_window_is_refused(bare: Driver) -> None:
    await bare.registry(onsite=2, panel=0)
    app_id = await bare.apply()
    await bare.to_assessed(app_id, SEVERE)
    await bare.post(
        f"/applications/{app_id}/public-notice", {"actor": "c", "starts_on": "2025-03-10"}
    )
    late = {"filed_by": "applicant", "filed_on": "2025-03-17", "reason": "late"}
    r = await bare.client.post(f"/applications/{app_id}/objections", json=late)
    assert (r.status_code, r.json()["type"]) == (409, "/problems/objection_window_closed")
    assert (await bare.client.get(f"/applications/{app_id}")).json()["status"] == "on_notice"


async def test_conflicted_assessors_are_never_drawn_or_accepted(bare: Driver) -> None:
    await bare.registry(onsite=3, panel=0, conflicted="prov-9")
    app_id = await bare.apply()
    await bare.post(f"/applications/{app_id}/accept", {"actor": "c", "reason": "ok"})
    body = {"actor": "c", "scheduled_on": "2025-03-05", "provider_ids": ["prov-9"]}
    r = await bare.client.post(
        f"/applications/{app_id}/schedule", json={**body, "assessor_ids": bare.assessors[:2]}
    )
    assert (r.status_code, r.json()["type"]) == (409, "/problems/assessor_conflicted")
    scheduled = await bare.post(f"/applications/{app_id}/schedule", body)
    assert scheduled["assessors"]["onsite"] == sorted(bare.assessors[1:])
    steps = (await bare.client.get(f"/applications/{app_id}/transitions")).json()["items"]
    assert steps[-1]["details"]["conflicts_excluded"] == [bare.assessors[0]]


async def test_unqualified_or_expired_assessors_are_refused(bare: Driver) -> None:
    await bare.registry(onsite=2, panel=0)
    org = (await bare.client.get("/organisations")).json()["items"][0]["organisation_id"]
    expired = await bare.post(
        "/assessors",
        {"organisation_id": org, "name": "old", "region_code": "320900",
         "qualifications": ["national_2021"], "valid_from": "2020-01-01",
         "valid_until": "2024-12-31"},
        201,
    )  # fmt: skip
    app_id = await bare.apply()
    await bare.post(f"/applications/{app_id}/accept", {"actor": "c", "reason": "ok"})
    r = await bare.client.post(
        f"/applications/{app_id}/schedule",
        json={"actor": "c", "scheduled_on": "2025-03-05",
              "assessor_ids": [bare.assessors[0], expired["assessor_id"]]},
    )  # fmt: skip
    assert (r.status_code, r.json()["type"]) == (409, "/problems/assessor_not_qualified")
    valid = (await bare.client.get("/assessors?valid_on=2025-03-05&region_code=320902")).json()
    assert {a["assessor_id"] for a in valid["items"]} == set(bare.assessors)
    panel = (await bare.client.get("/assessors?qualification=expert_panel")).json()
    assert panel["items"] == []
