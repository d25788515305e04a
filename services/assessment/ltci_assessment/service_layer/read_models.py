"""Handlers that keep the insured-persons read model current from enrollment's events, and end
eligibility at once when a person dies or leaves insurance."""

from __future__ import annotations

from typing import Any

from ltci_assessment.adapters.persons_repo import PersonRepository
from ltci_assessment.service_layer.eligibility import end_uncovered
from ltci_shared.events.contracts import (
    EnrollmentEnded,
    MembershipChanged,
    PersonEnrolled,
    PersonUpdated,
)
from ltci_shared.events.envelope import Envelope
from ltci_shared.policy import PolicyBook
from ltci_shared.uow import UnitOfWork

_PERIOD_FIELDS = ("scheme", "region_code", "valid_from", "valid_until", "end_reason")


class ReadModels:
    """The consumer ``assessment-read-models``; each handler is idempotent in effect."""

    def __init__(self, book: PolicyBook) -> None:
        self._book = book

    async def on_person_enrolled(
        self, uow: UnitOfWork, event: PersonEnrolled, envelope: Envelope
    ) -> None:
        repo = PersonRepository(uow.session)
        values = {
            "region_code": event.region_code,
            "scheme": event.scheme,
            "birth_date": event.birth_date,
            "sex": event.sex,
        }
        await repo.upsert(event.person_id, values, envelope.time)
        rows = [{k: r[k] for k in _PERIOD_FIELDS} for r in await repo.period_rows(event.person_id)]
        if not any(r["valid_from"] == event.valid_from for r in rows):
            opened = {"scheme": event.scheme, "region_code": event.region_code}
            rows.append(
                {**opened, "valid_from": event.valid_from, "valid_until": None, "end_reason": None}
            )
            await repo.replace_periods(event.person_id, sorted(rows, key=lambda r: r["valid_from"]))

    async def on_membership_changed(
        self, uow: UnitOfWork, event: MembershipChanged, envelope: Envelope
    ) -> None:
        """The event carries the whole history: it replaces the stored periods."""
        repo = PersonRepository(uow.session)
        periods = [p.model_dump() for p in event.periods]
        values: dict[str, Any] = {}
        if periods:
            values = {"region_code": periods[-1]["region_code"], "scheme": periods[-1]["scheme"]}
        elif await repo.get(event.person_id) is None:
            return  # nothing known and nothing to know
        await repo.upsert(event.person_id, values, envelope.time)
        await repo.replace_periods(event.person_id, periods)
        await end_uncovered(uow, self._book, event.person_id)

    async def on_enrollment_ended(
        self, uow: UnitOfWork, event: EnrollmentEnded, envelope: Envelope
    ) -> None:
        repo = PersonRepository(uow.session)
        if await repo.get(event.person_id) is None:
            return
        await repo.close_open_periods(event.person_id, event.ended_on, event.reason)
        if event.reason == "death":
            await repo.upsert(event.person_id, {"died_on": event.ended_on}, envelope.time)
        await end_uncovered(uow, self._book, event.person_id)

    async def on_person_updated(
        self, uow: UnitOfWork, event: PersonUpdated, envelope: Envelope
    ) -> None:
        repo = PersonRepository(uow.session)
        person = await repo.get(event.person_id)
        if person is None or person["master_version"] >= event.version:
            return  # unknown, or an older version than the one applied
        values: dict[str, Any] = {"region_code": event.region_code, "master_version": event.version}
        if event.died_on is not None:
            values["died_on"] = event.died_on
        await repo.upsert(event.person_id, values, envelope.time)
        if event.died_on is not None:
            await end_uncovered(uow, self._book, event.person_id)
