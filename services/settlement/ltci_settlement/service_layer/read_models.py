"""Handlers that keep settlement's read models current from other services' events."""

from __future__ import annotations

from ltci_settlement.adapters.repository import InsuredPersonRepository
from ltci_shared.events.contracts import EnrollmentEnded, PersonEnrolled
from ltci_shared.events.envelope import Envelope
from ltci_shared.uow import UnitOfWork


async def on_person_enrolled(uow: UnitOfWork, event: PersonEnrolled, envelope: Envelope) -> None:
    await InsuredPersonRepository(uow.session).upsert(
        {
            "person_id": event.person_id,
            "region_code": event.region_code,
            "scheme": event.scheme,
            "valid_from": event.valid_from,
            "ended_on": None,
            "birth_date": event.birth_date,
            "sex": event.sex,
            "updated_at": envelope.time,
        }
    )


async def on_enrollment_ended(uow: UnitOfWork, event: EnrollmentEnded, envelope: Envelope) -> None:
    await InsuredPersonRepository(uow.session).end(event.person_id, event.ended_on, envelope.time)
