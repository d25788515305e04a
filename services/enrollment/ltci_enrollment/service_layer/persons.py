"""Use cases on insured persons: enroll, change master data (versioned), record a death.

Handlers never commit: the caller's unit of work does, with the events in the outbox.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from ltci_enrollment.adapters.repository import MembershipRepository, PersonRepository
from ltci_enrollment.domain import membership
from ltci_enrollment.domain.commands import EnrollPerson, RecordDeath, UpdatePerson
from ltci_enrollment.domain.membership import Period
from ltci_enrollment.service_layer.deps import Deps
from ltci_shared.errors import Conflict, InvalidInput, NotFound
from ltci_shared.events.base import IntegrationEvent
from ltci_shared.events.contracts import (
    EnrollmentEnded,
    MembershipChanged,
    MembershipPeriod,
    PersonEnrolled,
    PersonUpdated,
)
from ltci_shared.ids import parse_resident_id
from ltci_shared.uow import UnitOfWork

PHONE_FIELDS = ("phone", "contact_phone")
SHARED_FIELDS = ("region_code", "home_latitude", "home_longitude", "address")


class PersonAlreadyEnrolled(Conflict):
    name = "person_already_enrolled"
    title = "Person already enrolled"


class ResidentIdMismatch(InvalidInput):
    name = "resident_id_mismatch"
    title = "Birth date or sex contradicts the resident ID"


class PersonDeceased(Conflict):
    name = "person_deceased"
    title = "The person is recorded as deceased"


def mask_phone(phone: str) -> str:
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def _phone_columns(deps: Deps, name: str, value: str | None) -> dict[str, Any]:
    if value is None:
        return {f"{name}_encrypted": None, f"{name}_masked": None}
    return {f"{name}_encrypted": deps.cipher.encrypt(value), f"{name}_masked": mask_phone(value)}


def membership_event(
    person_id: str, change: str, effective_on: date, periods: list[Period]
) -> MembershipChanged:
    return MembershipChanged(
        person_id=person_id,
        change=change,
        effective_on=effective_on,
        periods=[
            MembershipPeriod(
                scheme=p.scheme,
                region_code=p.region_code,
                valid_from=p.valid_from,
                valid_until=p.valid_until,
                end_reason=p.end_reason,
            )
            for p in sorted(periods, key=lambda p: p.valid_from)
        ],
    )


@dataclass(frozen=True)
class NewPerson:
    """Everything one enrollment writes, prepared before any write."""

    person: dict[str, Any]
    version: dict[str, Any]
    period: Period
    events: tuple[IntegrationEvent, ...]


def prepare_enrollment(cmd: EnrollPerson, deps: Deps, actor: str) -> NewPerson:
    """Validate and build the rows and events of one enrollment (no I/O)."""
    rid = parse_resident_id(cmd.resident_id)
    if (cmd.birth_date and cmd.birth_date != rid.birth_date) or (cmd.sex and cmd.sex != rid.sex):
        raise ResidentIdMismatch("the birth date or sex given does not match the resident ID")
    deps.check_region(cmd.region_code)
    now, person_id = deps.now(), str(uuid.uuid4())
    person = {
        "person_id": person_id,
        "resident_id_hash": deps.cipher.lookup_hash(rid.value),
        "resident_id_encrypted": deps.cipher.encrypt(rid.value),
        "resident_id_masked": rid.masked,
        "name": cmd.name,
        "birth_date": rid.birth_date,
        "sex": rid.sex,
        "region_code": cmd.region_code,
        **_phone_columns(deps, "phone", cmd.phone),
        "address": cmd.address,
        "home_latitude": cmd.home_latitude,
        "home_longitude": cmd.home_longitude,
        "contact_name": cmd.contact_name,
        **_phone_columns(deps, "contact_phone", cmd.contact_phone),
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    version = {
        "person_id": person_id,
        "version": 1,
        "changed_at": now,
        "changed_by": actor,
        "reason": "enrolled",
        "changes": {},
    }
    first = Period(str(uuid.uuid4()), cmd.scheme, cmd.region_code, cmd.valid_from)
    enrolled = PersonEnrolled(
        person_id=person_id,
        region_code=cmd.region_code,
        scheme=cmd.scheme,
        valid_from=cmd.valid_from,
        birth_date=rid.birth_date,
        sex=rid.sex,
        home_latitude=cmd.home_latitude,
        home_longitude=cmd.home_longitude,
    )
    started = membership_event(person_id, "started", cmd.valid_from, [first])
    return NewPerson(person, version, first, (enrolled, started))


async def save_enrollments(uow: UnitOfWork, new: list[NewPerson]) -> None:
    """Insert prepared enrollments in a few bulk statements, with their events."""
    if not new:
        return
    await PersonRepository(uow.session).add_many([n.person for n in new], [n.version for n in new])
    await MembershipRepository(uow.session).add_many(
        [(n.person["person_id"], n.period) for n in new], new[0].person["created_at"]
    )
    for n in new:
        for event in n.events:
            uow.record(event)


async def enroll_person(
    uow: UnitOfWork, cmd: EnrollPerson, deps: Deps, actor: str
) -> dict[str, Any]:
    """Register a person once per resident ID, with the first membership period."""
    new = prepare_enrollment(cmd, deps, actor)
    lookup = new.person["resident_id_hash"]
    if existing := await PersonRepository(uow.session).by_lookup_hash(lookup):
        raise PersonAlreadyEnrolled(
            "a person with this resident ID is already enrolled", person_id=existing["person_id"]
        )
    await save_enrollments(uow, [new])
    return new.person


async def load_person(repo: PersonRepository, person_id: str, *, lock: bool) -> dict[str, Any]:
    person = await repo.get(person_id, lock=lock)
    if person is None:
        raise NotFound(f"no person {person_id}")
    return person


def _as_float(value: Any) -> float | None:
    return None if value is None else float(value)


async def update_person(
    uow: UnitOfWork, person_id: str, cmd: UpdatePerson, deps: Deps, actor: str
) -> dict[str, Any]:
    """Apply the given fields as a new version; unchanged fields make no version."""
    repo = PersonRepository(uow.session)
    person = await load_person(repo, person_id, lock=True)
    if cmd.region_code is not None:
        deps.check_region(cmd.region_code)
    given = cmd.model_dump(exclude_unset=True, exclude={"reason"})
    values: dict[str, Any] = {}
    changes: dict[str, dict[str, Any]] = {}
    for name, new in given.items():
        if name in PHONE_FIELDS:
            old_masked, encrypted = person[f"{name}_masked"], person[f"{name}_encrypted"]
            if encrypted is None and new is None:
                continue
            if encrypted is not None and new is not None and deps.cipher.decrypt(encrypted) == new:
                continue
            values.update(_phone_columns(deps, name, new))
            changes[name] = {"old": old_masked, "new": mask_phone(new) if new else None}
        else:
            old = person[name]
            old_cmp = _as_float(old) if name.startswith("home_") else old
            if old_cmp == new:
                continue
            values[name] = new
            changes[name] = {"old": old_cmp, "new": new}
    if not changes:
        return person
    now, version = deps.now(), person["version"] + 1
    await repo.update(person_id, {**values, "version": version, "updated_at": now})
    await repo.add_version(
        {
            "person_id": person_id,
            "version": version,
            "changed_at": now,
            "changed_by": actor,
            "reason": cmd.reason,
            "changes": changes,
        }
    )
    person = {**person, **values, "version": version, "updated_at": now}
    if shared := [f for f in SHARED_FIELDS if f in changes]:
        uow.record(_updated_event(person, shared))
    return person


def _updated_event(person: dict[str, Any], changed: list[str]) -> PersonUpdated:
    return PersonUpdated(
        person_id=person["person_id"],
        version=person["version"],
        region_code=person["region_code"],
        home_latitude=_as_float(person["home_latitude"]),
        home_longitude=_as_float(person["home_longitude"]),
        changed_fields=changed,
        died_on=person["died_on"],
    )


async def record_death(
    uow: UnitOfWork, person_id: str, cmd: RecordDeath, deps: Deps, actor: str
) -> dict[str, Any]:
    """A death ends the open membership period on the day of death, at once."""
    repo = PersonRepository(uow.session)
    person = await load_person(repo, person_id, lock=True)
    if person["died_on"] is not None:
        raise PersonDeceased(f"the death was already recorded on {person['died_on']}")
    if cmd.died_on < person["birth_date"]:
        raise InvalidInput("died_on is before the birth date")
    members = MembershipRepository(uow.session)
    before = await members.periods(person_id)
    after = before
    current = membership.open_period(before)
    if current is not None:
        after, _ = membership.close(before, cmd.died_on, "death")
        await members.save(person_id, before, after, deps.now())
    now, version = deps.now(), person["version"] + 1
    await repo.update(person_id, {"died_on": cmd.died_on, "version": version, "updated_at": now})
    await repo.add_version(
        {
            "person_id": person_id,
            "version": version,
            "changed_at": now,
            "changed_by": actor,
            "reason": "death recorded",
            "changes": {"died_on": {"old": None, "new": str(cmd.died_on)}},
        }
    )
    person = {**person, "died_on": cmd.died_on, "version": version, "updated_at": now}
    uow.record(_updated_event(person, ["died_on"]))
    if current is not None:
        uow.record(membership_event(person_id, "ended", cmd.died_on, after))
        uow.record(
            EnrollmentEnded(
                person_id=person_id,
                region_code=current.region_code,
                scheme=current.scheme,
                ended_on=cmd.died_on,
                reason="death",
            )
        )
    return person
