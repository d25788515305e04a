"""Handlers keeping the persons and eligibility read models current from other services' events.

Idempotent (the runner's inbox applies each event id once) and tolerant of order across
persons: ``PersonUpdated`` carries a version and an older one never overwrites a newer one.
Plans end when eligibility or enrollment ends, or the person dies.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from ltci_care_delivery.adapters.plans import PlanRepository
from ltci_care_delivery.adapters.read_models import EligibilityRepository, PersonRepository
from ltci_care_delivery.service_layer.plans import end_plans, regrade_plans
from ltci_shared.events.contracts import (
    EligibilityChanged,
    EligibilityGranted,
    EligibilityRevoked,
    EnrollmentEnded,
    PersonEnrolled,
    PersonUpdated,
)
from ltci_shared.events.envelope import Envelope
from ltci_shared.uow import UnitOfWork

log = logging.getLogger(__name__)


def _home(event: PersonEnrolled | PersonUpdated) -> dict[str, Any]:
    return {"home_latitude": event.home_latitude, "home_longitude": event.home_longitude}


async def on_person_enrolled(uow: UnitOfWork, event: PersonEnrolled, envelope: Envelope) -> None:
    repo = PersonRepository(uow.session)
    values = {
        "region_code": event.region_code,
        **_home(event),
        "enrollment_ended_on": None,
        "updated_at": envelope.time,
    }
    existing = await repo.get(event.person_id)
    if existing is None:
        await repo.add({"person_id": event.person_id, "version": 0, "died_on": None, **values})
    elif existing["version"] == 0:
        await repo.update(event.person_id, values)
    else:  # master data from a newer PersonUpdated stays; only the membership reopens
        await repo.update(event.person_id, {"enrollment_ended_on": None})


async def on_person_updated(uow: UnitOfWork, event: PersonUpdated, envelope: Envelope) -> None:
    repo = PersonRepository(uow.session)
    values = {
        "region_code": event.region_code,
        **_home(event),
        "version": event.version,
        "died_on": event.died_on,
        "updated_at": envelope.time,
    }
    existing = await repo.get(event.person_id)
    if existing is None:
        await repo.add({"person_id": event.person_id, "enrollment_ended_on": None, **values})
    elif existing["version"] < event.version:
        await repo.update(event.person_id, values)
    else:
        return
    if event.died_on is not None:
        await _end_person_plans(uow, event.person_id, event.died_on, "death")


async def on_enrollment_ended(uow: UnitOfWork, event: EnrollmentEnded, envelope: Envelope) -> None:
    repo = PersonRepository(uow.session)
    if await repo.get(event.person_id) is None:
        log.info("enrollment ended for a person not known here; nothing to end")
        return
    await repo.update(
        event.person_id, {"enrollment_ended_on": event.ended_on, "updated_at": envelope.time}
    )
    reason = "death" if event.reason == "death" else "enrollment_ended"
    await _end_person_plans(uow, event.person_id, event.ended_on, reason)


async def on_eligibility_granted(
    uow: UnitOfWork, event: EligibilityGranted, envelope: Envelope
) -> None:
    repo = EligibilityRepository(uow.session)
    values = {
        "person_id": event.person_id,
        "region_code": event.region_code,
        "grade": event.grade,
        "valid_from": event.valid_from,
        "valid_until": event.valid_until,
        "updated_at": envelope.time,
    }
    if await repo.get(event.eligibility_id) is None:
        await repo.add(
            {"eligibility_id": event.eligibility_id, "ended_on": None, "end_reason": None, **values}
        )
    else:
        await repo.update(event.eligibility_id, values)


async def on_eligibility_changed(
    uow: UnitOfWork, event: EligibilityChanged, envelope: Envelope
) -> None:
    """Re-grading or renewal from a review: the window and the plans' quotas follow."""
    repo = EligibilityRepository(uow.session)
    current = await repo.get(event.eligibility_id)
    if current is None:
        log.warning("change of an eligibility never granted here; ignored")
        return
    values = {"grade": event.grade, "valid_until": event.valid_until, "updated_at": envelope.time}
    await repo.update(event.eligibility_id, values)
    await regrade_plans(
        uow, event.eligibility_id, event.grade, current["valid_until"], event.valid_until
    )


async def on_eligibility_revoked(
    uow: UnitOfWork, event: EligibilityRevoked, envelope: Envelope
) -> None:
    repo = EligibilityRepository(uow.session)
    if await repo.get(event.eligibility_id) is None:
        log.warning("revocation of an eligibility never granted here; ignored")
        return
    await repo.update(
        event.eligibility_id,
        {"ended_on": event.ended_on, "end_reason": event.reason, "updated_at": envelope.time},
    )
    plans = await PlanRepository(uow.session).open_plans(eligibility_id=event.eligibility_id)
    await end_plans(uow, plans, event.ended_on, "eligibility_revoked")


async def _end_person_plans(uow: UnitOfWork, person_id: str, ended_on: date, reason: str) -> None:
    plans = await PlanRepository(uow.session).open_plans(person_id=person_id)
    await end_plans(uow, plans, ended_on, reason)
