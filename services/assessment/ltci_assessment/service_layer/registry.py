"""Registry use cases: assessment organisations (评估机构) and assessors (评估人员)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ltci_assessment.adapters.registry_repo import RegistryRepository
from ltci_assessment.domain import commands as c
from ltci_assessment.domain.errors import (
    DateOutOfOrder,
    OrganisationAlreadyRegistered,
    UnknownRegion,
)
from ltci_assessment.domain.ids import new_id
from ltci_shared.errors import InvalidInput
from ltci_shared.policy import PolicyBook
from ltci_shared.uow import UnitOfWork


def _check(book: PolicyBook, cmd: c.RegisterOrganisation | c.RegisterAssessor) -> None:
    if cmd.valid_until is not None and cmd.valid_until < cmd.valid_from:
        raise DateOutOfOrder("valid_until is before valid_from")
    if not book.knows_region(cmd.region_code):
        raise UnknownRegion(f"no policy pack covers region {cmd.region_code}")


async def register_organisation(
    uow: UnitOfWork, book: PolicyBook, cmd: c.RegisterOrganisation
) -> dict[str, Any]:
    _check(book, cmd)
    repo = RegistryRepository(uow.session)
    if cmd.uscc is not None and (found := await repo.organisation_by_uscc(cmd.uscc)):
        raise OrganisationAlreadyRegistered(
            "an organisation with this credit code is registered",
            organisation_id=found["organisation_id"],
        )
    row = {
        "organisation_id": new_id(),
        **cmd.model_dump(),
        "pack_code": book.region(cmd.region_code).code,
        "created_at": datetime.now(UTC),
    }
    await repo.add_organisation(row)
    return row


async def register_assessor(
    uow: UnitOfWork, book: PolicyBook, cmd: c.RegisterAssessor
) -> dict[str, Any]:
    _check(book, cmd)
    repo = RegistryRepository(uow.session)
    org = await repo.organisation(cmd.organisation_id)
    if org is None:
        raise InvalidInput(f"no organisation {cmd.organisation_id}")
    pack = book.region(cmd.region_code).code
    if org["pack_code"] != pack:
        raise InvalidInput("the assessor's region is not the organisation's region")
    quals = sorted(set(cmd.qualifications))
    row = {
        "assessor_id": new_id(),
        **cmd.model_dump(exclude={"qualifications"}),
        "pack_code": pack,
        "created_at": datetime.now(UTC),
    }
    await repo.add_assessor(row, quals)
    return {**row, "qualifications": quals}
