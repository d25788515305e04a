"""Who may call which assessment endpoint (admin: all). A route missing here is refused.

TPAs (承办机构) run applications, assessments and eligibility for persons of their regions and
keep the assessor registry of their regions; dashboards read applications in progress.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request

from ltci_assessment.adapters.applications_repo import ApplicationRepository
from ltci_assessment.adapters.eligibility_repo import EligibilityRepository
from ltci_assessment.adapters.persons_repo import PersonRepository
from ltci_assessment.adapters.registry_repo import RegistryRepository
from ltci_shared.auth import (
    AccessTable,
    Guard,
    Principal,
    allow,
    json_body,
    region_body,
    region_query,
)
from ltci_shared.runtime import ServiceRuntime
from ltci_shared.uow import UnitOfWork

Row = dict[str, Any] | None
Lookup = Callable[[UnitOfWork, str], Awaitable[Row]]


def _record(param: str, lookup: Lookup) -> Guard:
    """The record named by the path parameter is in the client's regions (unknown: 404)."""

    async def guard(request: Request, principal: Principal) -> None:
        rt: ServiceRuntime = request.app.state.runtime
        async with rt.uow() as uow:
            row = await lookup(uow, request.path_params[param])
        if row is not None:
            principal.require_region(row.get("region_code"), f"the {param.removesuffix('_id')}")

    return guard


async def _application(uow: UnitOfWork, application_id: str) -> Row:
    return await ApplicationRepository(uow.session).get(application_id)


async def _assessment(uow: UnitOfWork, assessment_id: str) -> Row:
    assessment = await ApplicationRepository(uow.session).assessment(assessment_id)
    return await _application(uow, assessment["application_id"]) if assessment else None


async def _eligibility(uow: UnitOfWork, eligibility_id: str) -> Row:
    return await EligibilityRepository(uow.session).get(eligibility_id)


async def _person(uow: UnitOfWork, person_id: str) -> Row:
    return await PersonRepository(uow.session).get(person_id)


async def _organisation(uow: UnitOfWork, organisation_id: str) -> Row:
    return await RegistryRepository(uow.session).organisation(organisation_id)


async def _assessor(uow: UnitOfWork, assessor_id: str) -> Row:
    return await RegistryRepository(uow.session).assessor(assessor_id)


async def person_in_body(request: Request, principal: Principal) -> None:
    person_id = (await json_body(request)).get("person_id")
    if isinstance(person_id, str):
        rt: ServiceRuntime = request.app.state.runtime
        async with rt.uow() as uow:
            person = await _person(uow, person_id[:64])
        if person is not None:
            principal.require_region(person["region_code"], "the person")


APPLICATION = _record("application_id", _application)
REGION_Q = region_query()
AID = "/applications/{application_id}"

ACCESS: AccessTable = {
    "POST /applications": allow("tpa", guard=person_in_body),
    "GET /applications": {"tpa": REGION_Q, "dashboard": None},
    f"GET {AID}": allow("tpa", guard=APPLICATION),
    f"GET {AID}/assessments": allow("tpa", guard=APPLICATION),
    f"GET {AID}/evidence": allow("tpa", guard=APPLICATION),
    f"GET {AID}/transitions": allow("tpa", guard=APPLICATION),
    f"POST {AID}/assessments": allow("tpa", guard=APPLICATION),
    f"POST {AID}/evidence": allow("tpa", guard=APPLICATION),
    f"POST {AID}/objections": allow("tpa", guard=APPLICATION),
    f"POST {AID}/public-notice": allow("tpa", guard=APPLICATION),
    f"POST {AID}/schedule": allow("tpa", guard=APPLICATION),
    f"POST {AID}/{{decision}}": allow("tpa", guard=APPLICATION),
    "GET /assessments/{assessment_id}": allow("tpa", guard=_record("assessment_id", _assessment)),
    "GET /eligibilities": {"tpa": REGION_Q, "dashboard": None},
    "GET /eligibilities/{eligibility_id}": allow(
        "tpa", guard=_record("eligibility_id", _eligibility)
    ),
    "GET /persons/{person_id}": allow("tpa", guard=_record("person_id", _person)),
    "POST /organisations": allow("tpa", guard=region_body()),
    "GET /organisations": allow("tpa", guard=REGION_Q),
    "GET /organisations/{organisation_id}": allow(
        "tpa", guard=_record("organisation_id", _organisation)
    ),
    "POST /assessors": allow("tpa", guard=region_body()),
    "GET /assessors": allow("tpa", guard=REGION_Q),
    "GET /assessors/{assessor_id}": allow("tpa", guard=_record("assessor_id", _assessor)),
    "POST /jobs/close-notices": allow(),
    "POST /jobs/schedule-reviews": allow(),
    "GET /stats/applications": {"tpa": REGION_Q, "dashboard": None},
    "GET /stats/eligibilities": {"tpa": REGION_Q, "dashboard": None},
}
