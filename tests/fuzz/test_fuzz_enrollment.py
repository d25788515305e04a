"""Enrollment under the schema-driven fuzzer: persons of both regions seeded, every operation
fuzzed as the admin and as foreign clients (see support)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from schemathesis.schemas import BaseSchema

from ltci_enrollment.app import create_app
from ltci_enrollment.entrypoints.access import ACCESS
from ltci_enrollment.settings import EnrollmentSettings
from ltci_shared.testing.fixtures import CreateDb

from .seeds import enroll_persons
from .support import (
    REGIONS,
    Seed,
    fuzz_operations,
    post,
    seeding,
    service_identities,
    serving,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
async def enrollment_seed(new_pg_database: CreateDb) -> Seed:
    seed = Seed(await new_pg_database())
    app = create_app(EnrollmentSettings(database_url=seed.url), migrate=True)
    async with seeding(app) as client:
        for pid in await enroll_persons(client, seed):
            assigned = await post(
                client,
                f"/persons/{pid}/assistance-categories",
                {"category": "dibao", "valid_from": "2026-01-01", "source": "民政局名单"},
            )
            seed.add("assignment_id", assigned["assignment_id"])
    for region in REGIONS:
        seed.add("region_code", region)
    return seed


@pytest.fixture
def enrollment_api(enrollment_seed: Seed) -> Iterator[BaseSchema]:
    settings = EnrollmentSettings(database_url=enrollment_seed.url, auth_mode="required")
    with serving(create_app(settings), enrollment_seed) as loaded:
        yield loaded


def test_enrollment_survives_the_fuzzer(
    enrollment_api: BaseSchema, enrollment_seed: Seed, subtests: pytest.Subtests
) -> None:
    fuzz_operations(enrollment_api, service_identities(enrollment_seed, ACCESS), subtests)
