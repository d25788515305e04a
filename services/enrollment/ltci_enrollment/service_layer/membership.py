"""Use cases on membership periods: start, change scheme, move region, end; coverage queries."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from ltci_enrollment.adapters.repository import MembershipRepository, PersonRepository
from ltci_enrollment.domain import membership
from ltci_enrollment.domain.commands import ChangeMembership
from ltci_enrollment.domain.membership import Period
from ltci_enrollment.service_layer.deps import Deps
from ltci_enrollment.service_layer.persons import PersonDeceased, load_person, membership_event
from ltci_shared.errors import Conflict
from ltci_shared.events.contracts import EnrollmentEnded
from ltci_shared.uow import UnitOfWork


class MembershipChangeAlreadyApplied(Conflict):
    name = "membership_change_already_applied"
    title = "This membership change is already recorded"


async def change_membership(
    uow: UnitOfWork, person_id: str, cmd: ChangeMembership, deps: Deps
) -> list[Period]:
    """Apply one change to the person's periods; periods never overlap and history is kept."""
    person = await load_person(PersonRepository(uow.session), person_id, lock=True)
    if person["died_on"] is not None:
        raise PersonDeceased(f"the person died on {person['died_on']}")
    if cmd.region_code is not None:
        deps.check_region(cmd.region_code)
    repo = MembershipRepository(uow.session)
    before = await repo.periods(person_id)
    if membership.already_applied(
        before, cmd.action, cmd.effective_on, scheme=cmd.scheme, region_code=cmd.region_code
    ):
        raise MembershipChangeAlreadyApplied("the membership history already shows this change")
    new_id = str(uuid.uuid4())
    change: str
    if cmd.action == "start":
        assert cmd.scheme and cmd.region_code  # checked by the command
        new = Period(new_id, cmd.scheme, cmd.region_code, cmd.effective_on)
        after, change = membership.start(before, new), "reopened" if before else "started"
    elif cmd.action == "end":
        assert cmd.end_reason
        after, closed = membership.close(before, cmd.effective_on, cmd.end_reason)
        change = "ended"
    else:
        after = membership.switch(
            before, cmd.effective_on, new_id, scheme=cmd.scheme, region_code=cmd.region_code
        )
        change = "scheme_change" if cmd.action == "change_scheme" else "region_move"
    await repo.save(person_id, before, after, deps.now())
    uow.record(membership_event(person_id, change, cmd.effective_on, after))
    if cmd.action == "end":
        uow.record(
            EnrollmentEnded(
                person_id=person_id,
                region_code=closed.region_code,
                scheme=closed.scheme,
                ended_on=cmd.effective_on,
                reason="moved_away" if cmd.end_reason == "moved_away" else "other",
            )
        )
    return sorted(after, key=lambda p: p.valid_from)


async def coverage(uow: UnitOfWork, person_id: str, on: date) -> dict[str, Any]:
    """Was the person insured on ``on``, and under which scheme and region."""
    await load_person(PersonRepository(uow.session), person_id, lock=False)
    period = membership.on(await MembershipRepository(uow.session).periods(person_id), on)
    return {
        "person_id": person_id,
        "on": on,
        "insured": period is not None,
        "care_insured": period is not None,  # care insurance follows basic insurance
        "scheme": period.scheme if period else None,
        "region_code": period.region_code if period else None,
        "membership_id": period.membership_id if period else None,
    }
