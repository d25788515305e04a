"""Who may call which enrollment endpoint (admin: all). A route missing here is refused.

TPAs (承办机构) work on persons of their regions; dashboards read aggregates only; fund
collection, receipts and bulk imports are the agency's (admin). Providers have no access.
"""

from __future__ import annotations

from fastapi import Request

from ltci_enrollment.adapters.repository import PersonRepository
from ltci_shared.auth import AccessTable, Principal, all_of, allow, region_body, region_query
from ltci_shared.runtime import ServiceRuntime


async def person_in_regions(request: Request, principal: Principal) -> None:
    """The person of the path lives in one of the client's regions (unknown: the route 404s)."""
    rt: ServiceRuntime = request.app.state.runtime
    async with rt.uow() as uow:
        person = await PersonRepository(uow.session).get(request.path_params["person_id"])
    if person is not None:
        principal.require_region(person["region_code"], "the person")


PERSON = person_in_regions
PERSON_MOVES_WITHIN = all_of(PERSON, region_body(required=False))
ADMIN_ONLY = allow()

ACCESS: AccessTable = {
    "POST /persons": allow("tpa", guard=region_body()),
    "GET /persons": allow("tpa", guard=region_query()),
    "GET /persons/{person_id}": allow("tpa", guard=PERSON),
    "PATCH /persons/{person_id}": allow("tpa", guard=PERSON_MOVES_WITHIN),
    "GET /persons/{person_id}/versions": allow("tpa", guard=PERSON),
    "POST /persons/{person_id}/death": allow("tpa", guard=PERSON),
    "POST /persons/{person_id}/membership": allow("tpa", guard=PERSON_MOVES_WITHIN),
    "GET /persons/{person_id}/coverage": allow("tpa", guard=PERSON),
    "GET /persons/{person_id}/assistance-categories": allow("tpa", guard=PERSON),
    "POST /persons/{person_id}/assistance-categories": allow("tpa", guard=PERSON),
    "POST /persons/{person_id}/assistance-categories/{assignment_id}/revoke": allow(
        "tpa", guard=PERSON
    ),
    "GET /persons/{person_id}/charges": allow("tpa", guard=PERSON),
    "GET /contributions/charges": allow("tpa", guard=region_query()),
    "GET /contributions/summary": {"tpa": region_query(), "dashboard": None},
    "POST /contributions/receipts": ADMIN_ONLY,
    "POST /contributions/settlements": ADMIN_ONLY,
    "POST /contributions/donations": ADMIN_ONLY,
    "POST /collection-runs": ADMIN_ONLY,
    "GET /collection-runs": allow("dashboard"),
    "GET /collection-runs/{run_id}": allow("dashboard"),
    "GET /stats/counts": allow("dashboard"),
    "POST /imports/{kind}": ADMIN_ONLY,
    "GET /imports": ADMIN_ONLY,
    "GET /imports/{import_id}": ADMIN_ONLY,
    "GET /imports/{import_id}/errors": ADMIN_ONLY,
}
