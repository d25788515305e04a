"""Use cases of caregivers (护理员): real-name registration, providers worked for, certification."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from ltci_care_delivery.adapters.registry import CaregiverRepository, ProviderRepository
from ltci_care_delivery.domain.commands import (
    AddEmployment,
    EndEmployment,
    RegisterCaregiver,
    UpdateCertification,
)
from ltci_care_delivery.domain.errors import (
    CaregiverAlreadyRegistered,
    CaregiverNotFound,
    EmploymentAlreadyEnded,
    EmploymentNotFound,
    ProviderNotFound,
)
from ltci_care_delivery.domain.ids import new_id
from ltci_shared.ids import PiiCipher, parse_resident_id
from ltci_shared.uow import UnitOfWork


async def _check_providers(uow: UnitOfWork, provider_ids: list[str]) -> None:
    missing = set(provider_ids) - await ProviderRepository(uow.session).existing(provider_ids)
    if missing:
        raise ProviderNotFound(f"no providers {sorted(missing)}")


async def register_caregiver(
    uow: UnitOfWork, cmd: RegisterCaregiver, cipher: PiiCipher, today: date
) -> dict[str, Any]:
    """Register once per resident ID (stored encrypted, looked up by keyed hash, shown masked)."""
    rid = parse_resident_id(cmd.resident_id)
    repo = CaregiverRepository(uow.session)
    lookup = cipher.lookup_hash(rid.value)
    if existing := await repo.by_lookup_hash(lookup):
        raise CaregiverAlreadyRegistered(
            "a caregiver with this resident ID is registered",
            caregiver_id=existing["caregiver_id"],
        )
    provider_ids = list(dict.fromkeys(cmd.provider_ids))
    await _check_providers(uow, provider_ids)
    now = datetime.now(UTC)
    caregiver = {
        "caregiver_id": new_id(),
        "resident_id_hash": lookup,
        "resident_id_encrypted": cipher.encrypt(rid.value),
        "resident_id_masked": rid.masked,
        "name": cmd.name,
        "certificate_no": cmd.certificate_no,
        "certificate_valid_from": cmd.valid_from,
        "certificate_valid_until": cmd.valid_until,
        "star_level": cmd.star_level,
        "created_at": now,
        "updated_at": now,
    }
    await repo.add(caregiver)
    cid = caregiver["caregiver_id"]
    rows = [
        {"caregiver_id": cid, "provider_id": p, "since": today, "created_at": now}
        for p in provider_ids
    ]
    await repo.add_employments(rows)
    employments = [{**r, "until": None, "end_reason": None} for r in rows]
    return {**caregiver, "provider_ids": provider_ids, "employments": employments}


async def caregiver_view(uow: UnitOfWork, caregiver_id: str) -> dict[str, Any]:
    """The caregiver with the providers it works for now and every employment (past too)."""
    repo = CaregiverRepository(uow.session)
    caregiver = await repo.get(caregiver_id)
    if caregiver is None:
        raise CaregiverNotFound(f"no caregiver {caregiver_id}")
    employments = await repo.employments(caregiver_id)
    current = [e["provider_id"] for e in employments if e["until"] is None]
    return {**caregiver, "provider_ids": current, "employments": employments}


async def add_employment(
    uow: UnitOfWork, caregiver_id: str, cmd: AddEmployment, today: date
) -> dict[str, Any]:
    """A caregiver may work for several providers; adding one already listed changes nothing."""
    caregiver = await caregiver_view(uow, caregiver_id)
    if cmd.provider_id in caregiver["provider_ids"]:
        return caregiver
    await _check_providers(uow, [cmd.provider_id])
    repo, since = CaregiverRepository(uow.session), cmd.since or today
    if any(e["provider_id"] == cmd.provider_id for e in caregiver["employments"]):
        values = {"since": since, "until": None, "end_reason": None}
        await repo.update_employment(caregiver_id, cmd.provider_id, values)  # comes back
    else:
        row = {
            "caregiver_id": caregiver_id,
            "provider_id": cmd.provider_id,
            "since": since,
            "created_at": datetime.now(UTC),
        }
        await repo.add_employments([row])
    return await caregiver_view(uow, caregiver_id)


async def end_employment(
    uow: UnitOfWork, caregiver_id: str, provider_id: str, cmd: EndEmployment
) -> dict[str, Any]:
    """The caregiver stops working for one provider; visits after ``until`` are rejected."""
    caregiver = await caregiver_view(uow, caregiver_id)
    employment = next(
        (e for e in caregiver["employments"] if e["provider_id"] == provider_id), None
    )
    if employment is None:
        raise EmploymentNotFound("the caregiver never worked for this provider")
    if employment["until"] is not None:
        raise EmploymentAlreadyEnded(f"the work ended on {employment['until'].isoformat()}")
    values = {"until": cmd.until, "end_reason": cmd.reason_code}
    await CaregiverRepository(uow.session).update_employment(caregiver_id, provider_id, values)
    return await caregiver_view(uow, caregiver_id)


async def update_certification(
    uow: UnitOfWork, caregiver_id: str, cmd: UpdateCertification
) -> dict[str, Any]:
    caregiver = await caregiver_view(uow, caregiver_id)
    values = {
        "certificate_no": cmd.certificate_no,
        "certificate_valid_from": cmd.valid_from,
        "certificate_valid_until": cmd.valid_until,
        "star_level": cmd.star_level,
        "updated_at": datetime.now(UTC),
    }
    await CaregiverRepository(uow.session).update(caregiver_id, values)
    return {**caregiver, **values}
