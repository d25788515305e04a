"""Use cases of providers (定点护理服务机构): admission, review, agreement, grade, status."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ltci_care_delivery.adapters.plans import PlanRepository
from ltci_care_delivery.adapters.registry import ProviderRepository
from ltci_care_delivery.domain.commands import (
    AdmitProvider,
    ChangeProviderStatus,
    GradeProvider,
    ReviewProvider,
    SignAgreement,
)
from ltci_care_delivery.domain.errors import (
    AreaOutsideRegion,
    FormNotInPolicy,
    ProviderAlreadyAdmitted,
    ProviderNotFound,
    ProviderStateConflict,
)
from ltci_care_delivery.domain.ids import new_id
from ltci_care_delivery.service_layer.plans import end_plans
from ltci_shared.policy import PolicyBook
from ltci_shared.policy.benefits import BenefitPolicy
from ltci_shared.uow import UnitOfWork

# action → (states it may start from, state it leads to)
TRANSITIONS = {
    "suspend": ({"active"}, "suspended"),
    "reinstate": ({"suspended"}, "active"),
    "terminate": ({"admitted", "active", "suspended"}, "terminated"),
}


async def _provider(uow: UnitOfWork, provider_id: str) -> dict[str, Any]:
    provider = await ProviderRepository(uow.session).get(provider_id, for_update=True)
    if provider is None:
        raise ProviderNotFound(f"no provider {provider_id}")
    return provider


async def admit_provider(uow: UnitOfWork, cmd: AdmitProvider, book: PolicyBook) -> dict[str, Any]:
    """Filing admits an already-designated institution; otherwise a capacity review follows."""
    repo = ProviderRepository(uow.session)
    if existing := await repo.by_uscc(cmd.uscc):
        raise ProviderAlreadyAdmitted(
            "a provider with this credit code exists", provider_id=existing["provider_id"]
        )
    if not book.knows_region(cmd.region_code):
        raise AreaOutsideRegion(f"region {cmd.region_code} has no policy pack")
    now = datetime.now(UTC)
    provider = {
        "provider_id": new_id(),
        **cmd.model_dump(),
        "status": "admitted" if cmd.admission_route == "filing" else "under_review",
        "level": None,
        "suspended_since": None,
        "terminated_on": None,
        "status_reason": None,
        "created_at": now,
        "updated_at": now,
    }
    await repo.add(provider)
    return provider


async def review_provider(uow: UnitOfWork, provider_id: str, cmd: ReviewProvider) -> dict[str, Any]:
    provider = await _provider(uow, provider_id)
    if provider["status"] != "under_review":
        raise ProviderStateConflict(f"the provider is {provider['status']}, not under review")
    values = {
        "status": "admitted" if cmd.decision == "approved" else "rejected",
        "status_reason": f"review:{cmd.decision}",
        "updated_at": datetime.now(UTC),
    }
    await ProviderRepository(uow.session).update(provider_id, values)
    return {**provider, **values}


def _check_agreement(book: PolicyBook, provider: dict[str, Any], cmd: SignAgreement) -> None:
    city = book.region(provider["region_code"])
    outside = [c for c in cmd.service_area if c != city.code and c not in city.divisions]
    if outside:
        raise AreaOutsideRegion(f"codes {outside} are not in the provider's region {city.code}")
    policy = book.in_force(city.code, BenefitPolicy, cmd.valid_from)
    unpaid = [f for f in cmd.forms if policy.form(f) is None]
    if unpaid:
        raise FormNotInPolicy(f"the region's policy does not pay {unpaid}")


async def sign_agreement(
    uow: UnitOfWork, provider_id: str, cmd: SignAgreement, book: PolicyBook
) -> dict[str, Any]:
    """A service agreement makes an admitted provider active for its forms and area."""
    provider = await _provider(uow, provider_id)
    if provider["status"] not in ("admitted", "active"):
        raise ProviderStateConflict(f"the provider is {provider['status']}; it cannot sign")
    _check_agreement(book, provider, cmd)
    repo, now = ProviderRepository(uow.session), datetime.now(UTC)
    agreement = {
        "agreement_id": new_id(),
        "provider_id": provider_id,
        **cmd.model_dump(mode="json"),
        "created_at": now,
    }
    agreement["valid_from"], agreement["valid_until"] = cmd.valid_from, cmd.valid_until
    await repo.add_agreement(agreement)
    await repo.update(provider_id, {"status": "active", "updated_at": now})
    return agreement


async def grade_provider(uow: UnitOfWork, provider_id: str, cmd: GradeProvider) -> dict[str, Any]:
    provider = await _provider(uow, provider_id)
    values = {"level": cmd.level, "updated_at": datetime.now(UTC)}
    await ProviderRepository(uow.session).update(provider_id, values)
    return {**provider, **values}


async def change_status(
    uow: UnitOfWork, provider_id: str, cmd: ChangeProviderStatus
) -> dict[str, Any]:
    """Suspend, reinstate or terminate; termination ends the provider's open plans."""
    provider = await _provider(uow, provider_id)
    allowed, target = TRANSITIONS[cmd.action]
    if provider["status"] not in allowed:
        raise ProviderStateConflict(f"a {provider['status']} provider cannot {cmd.action}")
    values: dict[str, Any] = {
        "status": target,
        "status_reason": cmd.reason_code,
        "suspended_since": cmd.effective_on if cmd.action == "suspend" else None,
        "updated_at": datetime.now(UTC),
    }
    if cmd.action == "terminate":
        values["terminated_on"] = cmd.effective_on
        plans = await PlanRepository(uow.session).open_plans(provider_id=provider_id)
        await end_plans(uow, plans, cmd.effective_on, "provider_terminated")
    await ProviderRepository(uow.session).update(provider_id, values)
    return {**provider, **values}
