"""Use cases of hospital/institutional stays (住院/入住机构): report, discharge; home plans pause."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from ltci_care_delivery.adapters.plans import PlanRepository, StayRepository
from ltci_care_delivery.adapters.read_models import PersonRepository
from ltci_care_delivery.domain.commands import ReportStay
from ltci_care_delivery.domain.errors import (
    PersonNotKnown,
    StayAlreadyDischarged,
    StayNotFound,
    StayOverlaps,
)
from ltci_care_delivery.domain.ids import new_id
from ltci_care_delivery.domain.verification import in_stay
from ltci_shared.events.contracts import StayReported
from ltci_shared.policy import PolicyBook, PolicyNotInForce
from ltci_shared.policy.benefits import BenefitPolicy
from ltci_shared.uow import UnitOfWork


def _event(stay: dict[str, Any]) -> StayReported:
    return StayReported(**{k: stay[k] for k in StayReported.model_fields})


async def report_stay(
    uow: UnitOfWork, cmd: ReportStay, book: PolicyBook, today: date
) -> dict[str, Any]:
    """Record a stay; while it lasts, the person's home plans are paused (Changchun rule)."""
    person = await PersonRepository(uow.session).get(cmd.person_id)
    if person is None:
        raise PersonNotKnown(f"no enrolled person {cmd.person_id} is known to care delivery")
    repo = StayRepository(uow.session)
    if other := await repo.overlapping(cmd.person_id, cmd.admitted_on, cmd.discharged_on):
        raise StayOverlaps("the person has another stay in this period", stay_id=other["stay_id"])
    now = datetime.now(UTC)
    stay = {"stay_id": new_id(), **cmd.model_dump(), "created_at": now, "updated_at": now}
    await repo.add(stay)
    uow.record(_event(stay))
    await sync_pauses(uow, book, cmd.person_id, person["region_code"], today)
    return stay


async def discharge_stay(
    uow: UnitOfWork, stay_id: str, discharged_on: date, book: PolicyBook, today: date
) -> dict[str, Any]:
    repo = StayRepository(uow.session)
    stay = await repo.get(stay_id)
    if stay is None:
        raise StayNotFound(f"no stay {stay_id}")
    if stay["discharged_on"] is not None:
        raise StayAlreadyDischarged("the stay already has a discharge date")
    if discharged_on < stay["admitted_on"]:
        raise StayOverlaps("discharge is before admission")
    if await repo.overlapping(
        stay["person_id"], stay["admitted_on"], discharged_on, besides=stay_id
    ):
        raise StayOverlaps("the discharge date makes the stay overlap another")
    values = {"discharged_on": discharged_on, "updated_at": datetime.now(UTC)}
    await repo.update(stay_id, values)
    stay = {**stay, **values}
    uow.record(_event(stay))
    person = await PersonRepository(uow.session).get(stay["person_id"])
    region = person["region_code"] if person else ""
    await sync_pauses(uow, book, stay["person_id"], region, today)
    return stay


async def sync_pauses(
    uow: UnitOfWork, book: PolicyBook, person_id: str, region_code: str, today: date
) -> None:
    """Pause the person's plans whose form pauses during a stay if one covers today; else resume."""
    stays = (await StayRepository(uow.session).of_persons([person_id]))[person_id]
    staying = in_stay(today, stays)
    pausing = _pausing_forms(book, region_code, today)
    repo, now = PlanRepository(uow.session), datetime.now(UTC)
    for plan in await repo.open_plans(person_id=person_id):
        if staying and plan["status"] == "active" and plan["service_form"] in pausing:
            await repo.update(
                plan["plan_id"], {"status": "paused", "paused_since": today, "updated_at": now}
            )
        elif not staying and plan["status"] == "paused":
            await repo.update(
                plan["plan_id"], {"status": "active", "paused_since": None, "updated_at": now}
            )


def _pausing_forms(book: PolicyBook, region_code: str, on: date) -> set[str]:
    if not book.knows_region(region_code):
        return set()
    try:
        policy = book.in_force(region_code, BenefitPolicy, on)
    except PolicyNotInForce:
        return set()
    return {f.form for f in policy.forms if f.paused_during_stay}
