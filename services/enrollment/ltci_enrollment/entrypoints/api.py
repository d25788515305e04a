"""HTTP routes of the enrollment service: parse, call a handler, map the result."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ltci_enrollment.adapters.repository import PersonRepository
from ltci_enrollment.domain.commands import EnrollPerson
from ltci_enrollment.service_layer import handlers
from ltci_shared.errors import NotFound, problem_responses
from ltci_shared.idempotency import run_idempotent
from ltci_shared.ids import PiiCipher
from ltci_shared.web import RuntimeDep

router = APIRouter(tags=["persons"])


class PersonView(BaseModel):
    person_id: str
    resident_id_masked: str
    name: str
    birth_date: date
    sex: str
    region_code: str
    scheme: str
    valid_from: date


def cipher(request: Request) -> PiiCipher:
    return request.app.state.cipher


Cipher = Annotated[PiiCipher, Depends(cipher)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


def _view(person: dict[str, Any]) -> dict[str, Any]:
    return PersonView.model_validate(person).model_dump(mode="json")


@router.post(
    "/persons",
    status_code=201,
    response_model=PersonView,
    responses=problem_responses(handlers.PersonAlreadyEnrolled),
)
async def enroll_person(
    cmd: EnrollPerson, rt: RuntimeDep, pii: Cipher, key: IdempotencyKey = None
) -> Any:
    """Enroll an insured person. The resident ID is stored encrypted and only ever shown masked."""

    async def use_case(uow: Any) -> tuple[int, Any]:
        return 201, _view(await handlers.enroll_person(uow, cmd, pii))

    result = await run_idempotent(
        rt.uow,
        rt.idempotency,
        scope="POST /persons",
        key=key,
        body=cmd.model_dump(mode="json"),
        use_case=use_case,
    )
    headers = {"Idempotent-Replayed": "true"} if result.replayed else None
    return JSONResponse(result.body, status_code=result.status_code, headers=headers)


@router.get(
    "/persons/{person_id}", response_model=PersonView, responses=problem_responses(NotFound)
)
async def get_person(person_id: str, rt: RuntimeDep) -> Any:
    """One insured person, resident ID masked."""
    async with rt.uow() as uow:
        person = await PersonRepository(uow.session).get(person_id)
    if person is None:
        raise NotFound(f"no person {person_id}")
    return _view(person)
