"""Who may call which settlement endpoint (admin: all). A route missing here is refused.

TPAs (承办机构) settle and review in their regions; a provider reads its own claims and
statements; dashboards read aggregates (runs, ledger totals, one-stop statistics and the
high-cost warnings they show).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request

from ltci_settlement.adapters.claims_repository import ClaimRepository
from ltci_settlement.adapters.onestop_repository import OneStopRepository
from ltci_settlement.adapters.payments_repository import PaymentRepository
from ltci_settlement.adapters.repository import InsuredPersonRepository
from ltci_shared.auth import (
    AccessTable,
    Guard,
    Principal,
    allow,
    json_body,
    provider_query,
    region_body,
    region_query,
)
from ltci_shared.runtime import ServiceRuntime
from ltci_shared.uow import UnitOfWork

Lookup = Callable[[UnitOfWork, str], Awaitable[dict[str, Any] | None]]


def _record(param: str, lookup: Lookup, *, region: bool = True, provider: bool = False) -> Guard:
    """The record named by path parameter ``param`` is in the client's tenancy (its region for
    a TPA, its provider for a provider); an unknown record is left to the route (404)."""

    async def guard(request: Request, principal: Principal) -> None:
        rt: ServiceRuntime = request.app.state.runtime
        async with rt.uow() as uow:
            row = await lookup(uow, request.path_params[param])
        if row is None:
            return
        if principal.role == "provider" and provider:
            principal.require_provider(row.get("provider_id"), f"the {param.removesuffix('_id')}")
        elif region:
            principal.require_region(row.get("region_code"), f"the {param.removesuffix('_id')}")

    return guard


async def _person(uow: UnitOfWork, person_id: str) -> dict[str, Any] | None:
    return await InsuredPersonRepository(uow.session).get(person_id)


async def _run(uow: UnitOfWork, run_id: str) -> dict[str, Any] | None:
    return await ClaimRepository(uow.session).get_run(run_id)


async def _claim(uow: UnitOfWork, claim_id: str) -> dict[str, Any] | None:
    return await ClaimRepository(uow.session).get_claim(claim_id)


async def _statement(uow: UnitOfWork, statement_id: str) -> dict[str, Any] | None:
    return await ClaimRepository(uow.session).get_statement(statement_id)


async def _settlement(uow: UnitOfWork, settlement_id: str) -> dict[str, Any] | None:
    return await OneStopRepository(uow.session).settlement(settlement_id)


async def _hospital(uow: UnitOfWork, hospital_id: str) -> dict[str, Any] | None:
    return await OneStopRepository(uow.session).hospital(hospital_id)


async def _alert(uow: UnitOfWork, alert_id: str) -> dict[str, Any] | None:
    return await OneStopRepository(uow.session).alert(alert_id)


async def _batch(uow: UnitOfWork, batch_id: str) -> dict[str, Any] | None:
    return await PaymentRepository(uow.session).get_batch(batch_id)


async def person_in_body(request: Request, principal: Principal) -> None:
    """The body's ``person_id`` is a person of the client's regions (settlement's read model)."""
    person_id = (await json_body(request)).get("person_id")
    if not isinstance(person_id, str):
        return  # the body fails validation: a 422 from the route
    rt: ServiceRuntime = request.app.state.runtime
    async with rt.uow() as uow:
        person = await _person(uow, person_id[:64])
    if person is not None:
        principal.require_region(person["region_code"], "the person")


PERSON = _record("person_id", _person)
CLAIM = _record("claim_id", _claim, provider=True)
STATEMENT = _record("statement_id", _statement, provider=True)
REGION_Q = region_query()
MA = "/medical-assistance"

ACCESS: AccessTable = {
    "GET /read-models/insured-persons/{person_id}": allow("tpa", guard=PERSON),
    "POST /runs/month-end": allow("tpa", guard=region_body()),
    "GET /runs": {"tpa": REGION_Q, "dashboard": None},
    "GET /runs/{run_id}": {"tpa": _record("run_id", _run), "dashboard": None},
    "GET /claims": {"tpa": REGION_Q, "provider": provider_query()},
    "GET /claims/{claim_id}": allow("tpa", "provider", guard=CLAIM),
    "GET /claims/{claim_id}/lines": allow("tpa", "provider", guard=CLAIM),
    "POST /claims/{claim_id}/lines/{line_no}/review": allow("tpa", guard=CLAIM),
    "GET /ledger/trial-balance": {"tpa": REGION_Q, "dashboard": None},
    "GET /ledger/balance": {"tpa": REGION_Q, "dashboard": None},
    "GET /ledger/entries": allow("tpa", guard=REGION_Q),
    "GET /statements": {"tpa": REGION_Q, "provider": provider_query()},
    "GET /statements/{statement_id}": allow("tpa", "provider", guard=STATEMENT),
    "GET /statements/{statement_id}/lines.csv": allow("tpa", "provider", guard=STATEMENT),
    "GET /statements/{statement_id}/print": allow("tpa", "provider", guard=STATEMENT),
    f"POST {MA}/settlements": allow("tpa", guard=person_in_body),
    f"GET {MA}/settlements": allow("tpa", guard=REGION_Q),
    f"GET {MA}/settlements/{{settlement_id}}": allow(
        "tpa", guard=_record("settlement_id", _settlement)
    ),
    f"POST {MA}/settlements/{{settlement_id}}/cancel": allow(
        "tpa", guard=_record("settlement_id", _settlement)
    ),
    f"PUT {MA}/hospitals/{{hospital_id}}": allow(),
    f"GET {MA}/hospitals": allow("tpa", "dashboard"),
    f"GET {MA}/hospitals/{{hospital_id}}/statement": allow(
        "tpa", guard=_record("hospital_id", _hospital)
    ),
    f"GET {MA}/persons/{{person_id}}/counters": allow("tpa", guard=PERSON),
    f"GET {MA}/high-cost-alerts": {"tpa": REGION_Q, "dashboard": None},
    f"POST {MA}/high-cost-alerts/{{alert_id}}/follow-up": allow(
        "tpa", guard=_record("alert_id", _alert)
    ),
    f"GET {MA}/statistics": {"tpa": REGION_Q, "dashboard": None},
    "GET /stats/funds": {"tpa": REGION_Q, "dashboard": None},
    "GET /stats/beneficiaries": {"tpa": REGION_Q, "dashboard": None},
    # provider payments and the quality holdback: a TPA pays and releases in its regions, a
    # provider reads its own items (it must name itself with provider_id)
    "POST /payments/batches": allow("tpa", guard=region_body()),
    "GET /payments/batches": {"tpa": REGION_Q, "provider": provider_query()},
    "GET /payments/batches/{batch_id}": {
        "tpa": _record("batch_id", _batch),
        "provider": provider_query(),
    },
    "POST /payments/batches/{batch_id}/results": allow("tpa", guard=_record("batch_id", _batch)),
    "GET /payments/items": {"tpa": REGION_Q, "provider": provider_query()},
    "GET /payments/reconciliation": {"tpa": REGION_Q, "provider": provider_query()},
    "POST /holdback/releases": allow("tpa", guard=region_body()),
    "GET /holdback/releases": {"tpa": REGION_Q, "provider": provider_query()},
    "POST /what-if/backtests": allow("tpa", guard=region_body()),
}
