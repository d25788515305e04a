"""The persons and eligibility read models on a real PostgreSQL database: each event applied
once, older person versions never overwrite newer ones, unknown ids tolerated."""

from __future__ import annotations

from datetime import date

import httpx
from sqlalchemy import select

from ltci_care_delivery.adapters.tables import eligibilities, persons
from ltci_shared.events.contracts import (
    EligibilityChanged,
    EligibilityGranted,
    EligibilityRevoked,
    EnrollmentEnded,
    PersonEnrolled,
    PersonUpdated,
)
from ltci_shared.events.envelope import Envelope
from ltci_shared.messaging.consumer import Outcome
from ltci_shared.messaging.message import Message

from ..support import app_of, count, feed, feed_message, ok, outbox, world

ENROLLED = PersonEnrolled(
    person_id="p-1",
    region_code="320902",
    scheme="resident",
    valid_from=date(2026, 1, 1),
    birth_date=date(1940, 1, 1),
    sex="M",
    home_latitude=33.0,
    home_longitude=120.0,
)


def updated(version: int, latitude: float) -> PersonUpdated:
    return PersonUpdated(
        person_id="p-1",
        version=version,
        region_code="320902",
        home_latitude=latitude,
        home_longitude=120.0,
        changed_fields=["home_latitude"],
    )


async def person(client: httpx.AsyncClient, person_id: str = "p-1") -> dict[str, object]:
    async with app_of(client).state.runtime.uow() as uow:
        row = (
            await uow.session.execute(select(persons).where(persons.c.person_id == person_id))
        ).first()
    assert row is not None
    return dict(row._mapping)


async def test_a_redelivered_event_is_applied_once(client: httpx.AsyncClient) -> None:
    message = Message("ltci.enrollment.events", "p-1", Envelope.wrap(ENROLLED).to_bytes())
    assert await feed_message(client, message) == Outcome.APPLIED
    assert await feed_message(client, message) == Outcome.DUPLICATE
    assert await count(client, "persons") == 1
    assert (await person(client))["home_latitude"] == 33.0


async def test_an_older_person_version_never_overwrites_a_newer_one(
    client: httpx.AsyncClient,
) -> None:
    assert await feed(client, updated(3, 33.3)) == Outcome.APPLIED  # before the enrolment
    assert await feed(client, ENROLLED) == Outcome.APPLIED
    assert await feed(client, updated(2, 33.2)) == Outcome.APPLIED
    row = await person(client)
    assert (row["version"], row["home_latitude"]) == (3, 33.3)
    assert await feed(client, updated(4, 33.4)) == Outcome.APPLIED
    assert (await person(client))["home_latitude"] == 33.4


async def test_enrollment_ended_is_recorded_and_unknown_persons_are_tolerated(
    client: httpx.AsyncClient,
) -> None:
    ended = EnrollmentEnded(
        person_id="p-1",
        region_code="320902",
        scheme="resident",
        ended_on=date(2026, 6, 30),
        reason="moved_away",
    )
    assert await feed(client, ended) == Outcome.APPLIED  # nobody known yet: nothing to do
    await feed(client, ENROLLED)
    await feed(client, ended)
    assert (await person(client))["enrollment_ended_on"] == date(2026, 6, 30)


async def test_eligibility_grant_and_revocation(client: httpx.AsyncClient) -> None:
    revoke = EligibilityRevoked(
        eligibility_id="e-1",
        person_id="p-1",
        region_code="320902",
        ended_on=date(2026, 5, 1),
        reason="review",
    )
    assert await feed(client, revoke) == Outcome.APPLIED  # never granted here: ignored
    assert await count(client, "eligibilities") == 0
    grant = EligibilityGranted(
        eligibility_id="e-1",
        person_id="p-1",
        region_code="320902",
        grade=4,
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
    )
    assert await feed(client, grant) == Outcome.APPLIED
    assert await feed(client, revoke) == Outcome.APPLIED
    async with app_of(client).state.runtime.uow() as uow:
        row = (await uow.session.execute(select(eligibilities))).one()
    assert (row.grade, row.ended_on, row.end_reason) == (4, date(2026, 5, 1), "review")


async def test_a_redelivered_revocation_ends_plans_once(client: httpx.AsyncClient) -> None:
    w = await world(client)
    revoke = EligibilityRevoked(
        eligibility_id=w.eligibility_id,
        person_id=w.person_id,
        region_code="320902",
        ended_on=date.today(),
        reason="death",
    )
    message = Message("ltci.assessment.events", w.person_id, Envelope.wrap(revoke).to_bytes())
    assert await feed_message(client, message) == Outcome.APPLIED
    assert await feed_message(client, message) == Outcome.DUPLICATE
    assert [e["type"] for e in await outbox(client)].count("CarePlanEnded") == 1


async def test_a_regraded_eligibility_changes_the_plans_quotas_and_end(
    client: httpx.AsyncClient,
) -> None:
    w = await world(client, grade=3)
    before = ok(await client.get(f"/care-plans/{w.plan_id}"))
    assert (before["visits_per_month"], before["hours_per_month"]) == (12, 12)
    new_end = date.fromisoformat(before["ends_on"]).replace(year=date.today().year + 2)
    change = EligibilityChanged(
        eligibility_id=w.eligibility_id,
        person_id=w.person_id,
        region_code="320902",
        grade=5,
        previous_grade=3,
        effective_from=date.today(),
        valid_until=new_end,
        reason="review",
    )
    assert await feed(client, change) == Outcome.APPLIED
    after = ok(await client.get(f"/care-plans/{w.plan_id}"))
    assert (after["grade"], after["visits_per_month"], after["hours_per_month"]) == (5, 28, 28)
    assert after["ends_on"] == str(new_end)
