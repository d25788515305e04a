"""Assessment under the schema-driven fuzzer: in each region an insured person (fed through the
consumer), an assessment organisation with its assessors, and an application taken to a final
result with an eligibility."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from schemathesis.schemas import BaseSchema

from ltci_assessment.app import create_app
from ltci_assessment.entrypoints.access import ACCESS
from ltci_assessment.settings import Settings
from ltci_shared.events.contracts import PersonEnrolled
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
ADL = ("eating", "dressing", "face_mouth_hygiene", "bowel_control", "bladder_control",
       "toilet_use", "level_walking", "bed_chair_transfer", "stairs", "bathing")  # fmt: skip
COGNITION = ("time_orientation", "person_orientation", "place_orientation", "memory")
PERCEPTION = ("vision", "hearing", "communication")
SEVERE = {**dict.fromkeys(ADL, 0), **dict.fromkeys(COGNITION, 4), **dict.fromkeys(PERCEPTION, 4)}


async def _region(
    client: httpx.AsyncClient, seed: Seed, n: int, city: str, county: str, guarded: bool
) -> None:
    def add(param: str, value: str, what: str) -> None:
        seed.add(param, value, guarded=f"{what} of region A" if guarded else None)

    person = f"fz-person-{n}"
    await feed(
        client,
        PersonEnrolled(
            person_id=person,
            region_code=county,
            scheme="resident",
            valid_from=date(2023, 1, 1),
            birth_date=date(1940, 5, 1),
            sex="F",
        ),
    )
    add("person_id", person, "a person")
    org = await post(
        client,
        "/organisations",
        {"name": f"评估中心{n}", "region_code": city, "valid_from": "2020-01-01"},
    )
    add("organisation_id", org["organisation_id"], "an organisation")
    for i in range(5):
        assessor = await post(
            client,
            "/assessors",
            {
                "organisation_id": org["organisation_id"],
                "name": f"assessor {n}-{i}",
                "region_code": county,
                "qualifications": ["national_2021"] if i < 3 else ["national_2021", "expert_panel"],
                "valid_from": "2020-01-01",
            },
        )
        add("assessor_id", assessor["assessor_id"], "an assessor")
    await _to_final(client, seed, person, add)


async def _to_final(client: httpx.AsyncClient, seed: Seed, person: str, add: Any) -> None:
    applied = await post(
        client,
        "/applications",
        {
            "person_id": person,
            "applied_on": "2025-03-03",
            "disability_onset": "2024-06-01",
            "actor": "clerk",
        },
    )
    app_id = applied["application_id"]
    add("application_id", app_id, "an application")
    path = f"/applications/{app_id}"
    await post(client, f"{path}/accept", {"actor": "clerk", "reason": "complete"}, 200)
    scheduled = await post(
        client, f"{path}/schedule", {"actor": "clerk", "scheduled_on": "2025-03-05"}, 200
    )
    onsite = scheduled["assessors"]["onsite"]
    assessed = await post(
        client,
        f"{path}/assessments",
        {"actor": onsite[0], "assessed_on": "2025-03-10", "assessor_ids": onsite, "scores": SEVERE},
    )
    add("assessment_id", assessed["assessment_id"], "an assessment")
    notice = await post(
        client, f"{path}/public-notice", {"actor": "clerk", "starts_on": "2025-03-10"}, 200
    )
    due = notice["notice"]["final_due_on"]
    await post(client, f"/jobs/close-notices?as_of={due}", {}, 200)
    final = (await client.get(path)).json()
    if final.get("eligibility_id"):
        add("eligibility_id", final["eligibility_id"], "an eligibility")


@pytest.fixture
async def assessment_seed(new_pg_database: CreateDb) -> Seed:
    seed = Seed(await new_pg_database())
    async with seeding(create_app(Settings(database_url=seed.url), migrate=True)) as client:
        await _region(client, seed, 1, HOME_CITY, HOME_COUNTY, True)
        await _region(client, seed, 2, OTHER_CITY, OTHER_COUNTY, False)
        listed = (await client.get("/eligibilities")).json()["items"]
        for item in listed:
            guarded = item["person_id"] == "fz-person-1"
            what = "an eligibility of region A" if guarded else None
            seed.add("eligibility_id", item["eligibility_id"], guarded=what)
    assert seed.pools.get("eligibility_id"), "the seeded applications granted no eligibility"
    for region in REGIONS:
        seed.add("region_code", region)
    return seed


@pytest.fixture
def assessment_api(assessment_seed: Seed) -> Iterator[BaseSchema]:
    settings = Settings(database_url=assessment_seed.url, auth_mode="required")
    with serving(create_app(settings), assessment_seed) as api:
        yield api


def test_assessment_survives_the_fuzzer(
    assessment_api: BaseSchema, assessment_seed: Seed, subtests: pytest.Subtests
) -> None:
    fuzzer = service_identities(assessment_seed, ACCESS)
    fuzz_operations(assessment_api, fuzzer, subtests)
