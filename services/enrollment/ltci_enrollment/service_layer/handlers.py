"""Use cases of the enrollment service. Handlers never commit: the caller's unit of work does."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from ltci_enrollment.adapters.repository import PersonRepository
from ltci_enrollment.domain.commands import EnrollPerson
from ltci_shared.errors import Conflict
from ltci_shared.events.contracts import PersonEnrolled
from ltci_shared.ids import PiiCipher, parse_resident_id
from ltci_shared.uow import UnitOfWork


class PersonAlreadyEnrolled(Conflict):
    name = "person_already_enrolled"
    title = "Person already enrolled"


async def enroll_person(uow: UnitOfWork, cmd: EnrollPerson, cipher: PiiCipher) -> dict[str, Any]:
    """Register a person once per resident ID; the same ID again is a conflict naming the person."""
    rid = parse_resident_id(cmd.resident_id)
    repo = PersonRepository(uow.session)
    lookup = cipher.lookup_hash(rid.value)
    if existing := await repo.by_lookup_hash(lookup):
        raise PersonAlreadyEnrolled(
            "a person with this resident ID is already enrolled", person_id=existing["person_id"]
        )
    person = {
        "person_id": str(uuid.uuid4()),
        "resident_id_hash": lookup,
        "resident_id_encrypted": cipher.encrypt(rid.value),
        "resident_id_masked": rid.masked,
        "name": cmd.name,
        "birth_date": rid.birth_date,
        "sex": rid.sex,
        "region_code": cmd.region_code,
        "scheme": cmd.scheme,
        "valid_from": cmd.valid_from,
        "created_at": datetime.now(UTC),
    }
    await repo.add(person)
    uow.record(
        PersonEnrolled(
            person_id=person["person_id"],
            region_code=cmd.region_code,
            scheme=cmd.scheme,
            valid_from=cmd.valid_from,
            birth_date=rid.birth_date,
            sex=rid.sex,
        )
    )
    return person
