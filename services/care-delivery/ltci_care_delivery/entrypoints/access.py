"""Who may call which care-delivery endpoint (admin: all). A route missing here is refused.

A provider reads and writes only its own visits, plans, rentals and caregivers; a TPA
(承办机构) works on providers and persons of its regions; dashboards read the exception queue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request

from ltci_care_delivery.adapters.family import FamilyCaregiverRepository
from ltci_care_delivery.adapters.plans import PlanRepository, RentalRepository, StayRepository
from ltci_care_delivery.adapters.read_models import PersonRepository
from ltci_care_delivery.adapters.registry import CaregiverRepository, ProviderRepository
from ltci_care_delivery.adapters.visits import VisitRepository
from ltci_shared.auth import (
    AccessTable,
    Guard,
    OutsideTenancy,
    Principal,
    allow,
    json_body,
    provider_query,
    region_body,
    region_query,
)
from ltci_shared.runtime import ServiceRuntime
from ltci_shared.uow import UnitOfWork

Row = dict[str, Any] | None
Lookup = Callable[[UnitOfWork, str], Awaitable[Row]]


async def _region_of(uow: UnitOfWork, row: Row) -> str | None:
    """A record's region: its own, else its person's, else its provider's."""
    if row is None:
        return None
    if row.get("region_code"):
        return str(row["region_code"])
    if row.get("person_id"):
        person = await PersonRepository(uow.session).get(row["person_id"])
        if person is not None:
            return str(person["region_code"])
    if row.get("provider_id"):
        provider = await ProviderRepository(uow.session).get(row["provider_id"])
        if provider is not None:
            return str(provider["region_code"])
    return None


async def _check(principal: Principal, uow: UnitOfWork, row: Row, what: str) -> None:
    if row is None:
        return  # unknown: the route answers 404 (or 422)
    if principal.role == "provider":
        principal.require_provider(row.get("provider_id"), what)
        return
    region = await _region_of(uow, row)
    if region is not None:
        principal.require_region(region, what)


def _record(param: str, lookup: Lookup) -> Guard:
    async def guard(request: Request, principal: Principal) -> None:
        rt: ServiceRuntime = request.app.state.runtime
        async with rt.uow() as uow:
            row = await lookup(uow, request.path_params[param])
            await _check(principal, uow, row, f"the {param.removesuffix('_id')}")

    return guard


def _from_query_or_body(*names: str, body: bool = False) -> Guard:
    """The first of ``names`` found (query or JSON body) must be in the client's tenancy:
    ``person_id`` by the person's region, ``provider_id`` by the provider (or its region)."""

    async def guard(request: Request, principal: Principal) -> None:
        source: dict[str, Any] = await json_body(request) if body else dict(request.query_params)
        rt: ServiceRuntime = request.app.state.runtime
        for name in names:
            value = source.get(name)
            if isinstance(value, str):
                async with rt.uow() as uow:
                    row = await _LOOKUPS[name](uow, value[:64])
                    if principal.role == "provider" and name == "provider_id":
                        principal.require_provider(value, "the records asked for")
                    await _check(principal, uow, row, f"the {name.removesuffix('_id')}")
                return
        if not body:
            raise OutsideTenancy(f"filter by {' or '.join(names)} within the client's tenancy")

    return guard


async def _caregiver(uow: UnitOfWork, caregiver_id: str) -> Row:
    """A caregiver as the record of one employer: the client's own if it is one of them."""
    providers = await CaregiverRepository(uow.session).provider_ids(caregiver_id)
    if not providers:
        return None
    return {"provider_id": providers[0], "providers": providers}


def _caregiver_guard() -> Guard:
    async def guard(request: Request, principal: Principal) -> None:
        rt: ServiceRuntime = request.app.state.runtime
        async with rt.uow() as uow:
            row = await _caregiver(uow, request.path_params["caregiver_id"])
            if row is None:
                return
            if principal.role == "provider":
                if principal.provider_id not in row["providers"]:
                    raise OutsideTenancy("the caregiver works for other providers")
                return
            for provider_id in row["providers"]:
                region = await _region_of(uow, {"provider_id": provider_id})
                if principal.covers_region(region):
                    return
            raise OutsideTenancy("the caregiver works for providers of other regions")

    return guard


async def _provider_ids_in_body(request: Request, principal: Principal) -> None:
    body = await json_body(request)
    ids = body.get("provider_ids") or ([body["provider_id"]] if "provider_id" in body else [])
    for provider_id in ids if isinstance(ids, list) else [ids]:
        principal.require_provider(provider_id, "a provider named")


def _lookup(repository: Any) -> Lookup:
    async def lookup(uow: UnitOfWork, key: str) -> Row:
        row: Row = await repository(uow.session).get(key)
        return row

    return lookup


async def _person(uow: UnitOfWork, person_id: str) -> Row:
    return await PersonRepository(uow.session).get(person_id)


async def _exception(uow: UnitOfWork, exception_id: str) -> Row:
    return await VisitRepository(uow.session).get_exception(exception_id)


async def _rating_body(request: Request, principal: Principal) -> None:
    """A visit rating: the visit must be the client's; a monthly one: its person/provider."""
    visit_id = (await json_body(request)).get("visit_id")
    if not isinstance(visit_id, str):
        await BODY(request, principal)
        return
    rt: ServiceRuntime = request.app.state.runtime
    async with rt.uow() as uow:
        row = await VisitRepository(uow.session).get(visit_id[:64])
        await _check(principal, uow, row, "the visit")


_LOOKUPS: dict[str, Lookup] = {"person_id": _person, "provider_id": _lookup(ProviderRepository)}
PROVIDER = _record("provider_id", _lookup(ProviderRepository))
PLAN = _record("plan_id", _lookup(PlanRepository))
STAY = _record("stay_id", _lookup(StayRepository))
RENTAL = _record("rental_id", _lookup(RentalRepository))
VISIT = _record("visit_id", _lookup(VisitRepository))
EXCEPTION = _record("exception_id", _exception)
CAREGIVER = _caregiver_guard()
PERSON_OR_PROVIDER_Q = _from_query_or_body("person_id", "provider_id")
PERSON_Q = _from_query_or_body("person_id")
BODY = _from_query_or_body("provider_id", "person_id", body=True)
BODY_PERSON = _from_query_or_body("person_id", body=True)
FAMILY_CAREGIVER = _record("family_caregiver_id", _lookup(FamilyCaregiverRepository))

ACCESS: AccessTable = {
    "POST /providers": allow("tpa", guard=region_body()),
    "GET /providers": {"tpa": region_query(), "dashboard": None},
    "GET /providers/{provider_id}": allow("tpa", "provider", guard=PROVIDER),
    "GET /providers/{provider_id}/agreements": allow("tpa", "provider", guard=PROVIDER),
    "POST /providers/{provider_id}/review": allow("tpa", guard=PROVIDER),
    "POST /providers/{provider_id}/agreements": allow("tpa", guard=PROVIDER),
    "POST /providers/{provider_id}/grade": allow("tpa", guard=PROVIDER),
    "POST /providers/{provider_id}/status": allow("tpa", guard=PROVIDER),
    "POST /caregivers": allow("provider", guard=_provider_ids_in_body),
    "GET /caregivers": {"tpa": _from_query_or_body("provider_id"), "provider": provider_query()},
    "GET /caregivers/{caregiver_id}": allow("tpa", "provider", guard=CAREGIVER),
    "POST /caregivers/{caregiver_id}/providers": allow("provider", guard=_provider_ids_in_body),
    "POST /caregivers/{caregiver_id}/certification": allow("provider", guard=CAREGIVER),
    "POST /care-plans": {"tpa": BODY_PERSON, "provider": BODY},
    "GET /care-plans": {"tpa": PERSON_OR_PROVIDER_Q, "provider": provider_query()},
    "GET /care-plans/{plan_id}": allow("tpa", "provider", guard=PLAN),
    "POST /care-plans/{plan_id}/end": allow("tpa", "provider", guard=PLAN),
    "POST /stays": allow("tpa", guard=BODY_PERSON),
    "GET /stays": allow("tpa", guard=PERSON_Q),
    "POST /stays/{stay_id}/discharge": allow("tpa", guard=STAY),
    "POST /device-rentals": {"tpa": BODY_PERSON, "provider": BODY},
    "GET /device-rentals": allow("tpa", guard=PERSON_Q),
    "POST /device-rentals/{rental_id}/end": allow("tpa", "provider", guard=RENTAL),
    "POST /providers/{provider_id}/visits": allow("provider", guard=PROVIDER),
    "POST /providers/{provider_id}/visits/batch": allow("provider", guard=PROVIDER),
    "GET /visits": {"tpa": PERSON_OR_PROVIDER_Q, "provider": provider_query()},
    "GET /visits/{visit_id}": allow("tpa", "provider", guard=VISIT),
    "POST /visits/{visit_id}/void": allow("tpa", "provider", guard=VISIT),
    "GET /visit-exceptions": {
        "tpa": _from_query_or_body("provider_id"),
        "provider": provider_query(),
        "dashboard": None,
    },
    "POST /visit-exceptions/{exception_id}/resolution": allow("tpa", guard=EXCEPTION),
    "POST /visit-exceptions/resolutions": allow(
        "tpa", guard=_from_query_or_body("provider_id", body=True)
    ),
    "POST /visits/{visit_id}/correction": allow("tpa", "provider", guard=VISIT),
    "POST /caregivers/{caregiver_id}/providers/{provider_id}/end": allow(
        "tpa", "provider", guard=PROVIDER
    ),
    "POST /family-caregivers": allow("tpa", guard=BODY_PERSON),
    "GET /family-caregivers": allow("tpa", guard=PERSON_Q),
    "GET /family-caregivers/{family_caregiver_id}": allow("tpa", guard=FAMILY_CAREGIVER),
    "POST /family-caregivers/{family_caregiver_id}/training": allow("tpa", guard=FAMILY_CAREGIVER),
    "POST /care-plans/{plan_id}/family-care-certifications": allow("tpa", "provider", guard=PLAN),
    "GET /family-care-certifications": {
        "tpa": PERSON_OR_PROVIDER_Q,
        "provider": provider_query(),
    },
    "POST /ratings": allow("tpa", guard=_rating_body),
    "GET /ratings": {
        "tpa": PERSON_OR_PROVIDER_Q,
        "provider": provider_query(),
        "dashboard": None,
    },
    "GET /providers/{provider_id}/scorecard": {
        "tpa": PROVIDER,
        "provider": PROVIDER,
        "dashboard": None,
    },
    "GET /scorecards": {"tpa": region_query(), "dashboard": None},
    "POST /scorecards/{provider_id}/{period}/issue": allow("tpa", guard=PROVIDER),
    "GET /stats/visits-per-day": {"tpa": region_query(), "dashboard": None},
    "GET /stats/exception-queue": {
        "tpa": region_query(),
        "provider": provider_query(),
        "dashboard": None,
    },
}
