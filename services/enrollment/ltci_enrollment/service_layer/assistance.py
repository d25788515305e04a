"""Use cases on medical-assistance categories: assign and revoke, with the highest class."""

from __future__ import annotations

import calendar
import uuid
from datetime import date, timedelta
from typing import Any

from ltci_enrollment.adapters.repository import AssistanceRepository, PersonRepository
from ltci_enrollment.domain import assistance
from ltci_enrollment.domain.assistance import Assignment
from ltci_enrollment.domain.commands import AssignCategory, RevokeCategory
from ltci_enrollment.service_layer.deps import Deps
from ltci_enrollment.service_layer.persons import load_person
from ltci_shared.errors import Conflict, InvalidInput, NotFound
from ltci_shared.events.contracts import AssistanceAssignment, AssistanceCategoryChanged
from ltci_shared.policy import AssistancePolicy
from ltci_shared.uow import UnitOfWork


class UnknownCategory(InvalidInput):
    name = "unknown_category"
    title = "Unknown assistance category"


class CategoryOverlap(Conflict):
    name = "category_overlap"
    title = "The person already holds this category for that time"


class AssignmentNotActive(Conflict):
    name = "assignment_not_active"
    title = "The assignment is already revoked or lapsed"


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _event(
    person: dict[str, Any], held: list[Assignment], effective: date
) -> AssistanceCategoryChanged:
    top = assistance.highest(held, effective)
    return AssistanceCategoryChanged(
        person_id=person["person_id"],
        region_code=person["region_code"],
        categories=[a.category for a in assistance.active(held, effective)],
        valid_from=effective,
        valid_until=top.valid_until if top else None,
        assignments=[
            AssistanceAssignment(
                assignment_id=a.assignment_id,
                category=a.category,
                recipient_class=a.recipient_class,
                valid_from=a.valid_from,
                valid_until=a.valid_until,
                revoked_on=a.revoked_on,
            )
            for a in held
        ],
        highest_category=top.category if top else None,
        highest_class=top.recipient_class if top else None,
    )


async def assign_category(
    uow: UnitOfWork, person_id: str, cmd: AssignCategory, deps: Deps
) -> Assignment:
    person = await load_person(PersonRepository(uow.session), person_id, lock=True)
    policy = deps.book.in_force(person["region_code"], AssistancePolicy, cmd.valid_from)
    category = policy.category(cmd.category)
    if category is None:
        known = ", ".join(c.code for c in policy.categories)
        raise UnknownCategory(f"category {cmd.category} is not in the region's list ({known})")
    valid_until = cmd.valid_until
    if valid_until is None and category.validity_months:
        valid_until = add_months(cmd.valid_from, category.validity_months) - timedelta(days=1)
    repo = AssistanceRepository(uow.session)
    held = await repo.for_person(person_id)
    new = Assignment(
        str(uuid.uuid4()), cmd.category, category.recipient_class, cmd.valid_from, valid_until
    )
    for a in held:
        if a.category == new.category and _overlaps(a, new):
            raise CategoryOverlap(
                f"{a.category} is already held from {a.valid_from}", assignment_id=a.assignment_id
            )
    await repo.add(
        {
            "assignment_id": new.assignment_id,
            "person_id": person_id,
            "category": new.category,
            "recipient_class": new.recipient_class,
            "valid_from": new.valid_from,
            "valid_until": new.valid_until,
            "source": cmd.source,
            "created_at": deps.now(),
        }
    )
    uow.record(_event(person, [*held, new], cmd.valid_from))
    return new


def _overlaps(a: Assignment, b: Assignment) -> bool:
    a_end = min(
        d
        for d in (a.valid_until, a.revoked_on and a.revoked_on - timedelta(days=1), date.max)
        if d is not None
    )
    b_end = b.valid_until or date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


async def revoke_category(
    uow: UnitOfWork, person_id: str, assignment_id: str, cmd: RevokeCategory
) -> Assignment:
    person = await load_person(PersonRepository(uow.session), person_id, lock=True)
    repo = AssistanceRepository(uow.session)
    held = await repo.for_person(person_id)
    target = next((a for a in held if a.assignment_id == assignment_id), None)
    if target is None:
        raise NotFound(f"no assignment {assignment_id} for this person")
    if target.revoked_on is not None or (
        target.valid_until is not None and target.valid_until < cmd.revoked_on
    ):
        raise AssignmentNotActive("the assignment has already ended")
    if cmd.revoked_on < target.valid_from:
        raise InvalidInput("revoked_on is before the assignment began")
    await repo.revoke(assignment_id, cmd.revoked_on)
    revoked = Assignment(
        target.assignment_id,
        target.category,
        target.recipient_class,
        target.valid_from,
        target.valid_until,
        cmd.revoked_on,
    )
    uow.record(_event(person, [revoked if a is target else a for a in held], cmd.revoked_on))
    return revoked


async def categories_of(uow: UnitOfWork, person_id: str, on: date) -> dict[str, Any]:
    await load_person(PersonRepository(uow.session), person_id, lock=False)
    repo = AssistanceRepository(uow.session)
    held = await repo.for_person(person_id)
    sources = await repo.sources(person_id)
    top = assistance.highest(held, on)
    return {
        "person_id": person_id,
        "on": on,
        "highest_category": top.category if top else None,
        "highest_class": top.recipient_class if top else None,
        "active": [a.category for a in assistance.active(held, on)],
        "assignments": [
            {**a.__dict__, "source": sources.get(a.assignment_id), "active": a.active_on(on)}
            for a in held
        ],
    }
