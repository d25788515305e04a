"""HTTP routes of the settlement service."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from ltci_settlement.adapters.repository import InsuredPersonRepository
from ltci_shared.errors import NotFound, problem_responses
from ltci_shared.web import RuntimeDep

router = APIRouter(tags=["read models"])


class InsuredPersonView(BaseModel):
    person_id: str
    region_code: str
    scheme: str
    valid_from: date
    ended_on: date | None


@router.get(
    "/read-models/insured-persons/{person_id}",
    response_model=InsuredPersonView,
    responses=problem_responses(NotFound),
)
async def get_insured_person(person_id: str, rt: RuntimeDep) -> Any:
    """Settlement's own view of a person's membership, built from enrollment's events."""
    async with rt.uow() as uow:
        person = await InsuredPersonRepository(uow.session).get(person_id)
    if person is None:
        raise NotFound(f"settlement has not learned of person {person_id}")
    return person
