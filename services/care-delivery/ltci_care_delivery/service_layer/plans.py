"""Use cases of care plans (护理计划): create for an eligible person, end, and end in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from ltci_care_delivery.adapters.plans import PlanRepository, StayRepository
from ltci_care_delivery.adapters.read_models import EligibilityRepository, PersonRepository
from ltci_care_delivery.adapters.registry import ProviderRepository
from ltci_care_delivery.domain.commands import CreateCarePlan
from ltci_care_delivery.domain.errors import (
    AgreementNotCovering,
    FormNotInPolicy,
    InstitutionalPlanExists,
    PersonNotEligible,
    PersonNotKnown,
    PlanAlreadyEnded,
    PlanNotFound,
    ProviderNotFound,
    ProviderStateConflict,
    UnknownPackage,
)
from ltci_care_delivery.domain.ids import new_id
from ltci_care_delivery.domain.verification import in_stay
from ltci_care_delivery.service_layer.family_care import check_plan_caregiver
from ltci_shared.events.contracts import CarePlanActivated, CarePlanEnded
from ltci_shared.policy import PolicyBook
from ltci_shared.policy.benefits import BenefitPolicy
from ltci_shared.uow import UnitOfWork


def area_covers(book: PolicyBook, area: Sequence[str], region_code: str) -> bool:
    """Whether a service area (division codes) covers a person's region code."""
    if region_code in area:
        return True
    if not book.knows_region(region_code):
        return False
    city = book.region(region_code)
    if city.code in area:
        return True
    return region_code == city.code and any(code in city.divisions for code in area)


async def known_person(uow: UnitOfWork, person_id: str, on: date) -> dict[str, Any]:
    person = await PersonRepository(uow.session).get(person_id)
    if person is None:
        raise PersonNotKnown(f"no enrolled person {person_id} is known to care delivery")
    for gone in (person["died_on"], person["enrollment_ended_on"]):
        if gone is not None and gone < on:
            raise PersonNotEligible("the person's enrollment ended before this date")
    return person


async def eligible_grade(uow: UnitOfWork, person_id: str, on: date) -> dict[str, Any]:
    eligibility = await EligibilityRepository(uow.session).covering(person_id, on)
    if eligibility is None:
        raise PersonNotEligible(f"the person has no eligibility in force on {on.isoformat()}")
    return eligibility


async def active_provider(uow: UnitOfWork, provider_id: str) -> dict[str, Any]:
    provider = await ProviderRepository(uow.session).get(provider_id)
    if provider is None:
        raise ProviderNotFound(f"no provider {provider_id}")
    if provider["status"] != "active":
        raise ProviderStateConflict(f"the provider is {provider['status']}, not active")
    return provider


def quotas_by_grade(package: Any) -> dict[str, list[int | None]]:
    """The package's monthly (visits, hours) for every grade, kept on the plan for re-grading."""
    grades = set(package.visits_per_month_by_grade) | set(package.hours_per_month_by_grade)
    return {
        str(g): [package.visits_per_month_by_grade.get(g), package.hours_per_month_by_grade.get(g)]
        for g in sorted(grades)
    }


async def regrade_plans(
    uow: UnitOfWork, eligibility_id: str, grade: int, old_until: date, new_until: date
) -> None:
    """A re-graded or renewed eligibility: open plans take the new grade's quotas, and plans
    that ended with the old window follow the new one."""
    repo, now = PlanRepository(uow.session), datetime.now(UTC)
    for plan in await repo.open_plans(eligibility_id=eligibility_id):
        visits, hours = plan["quotas_by_grade"].get(str(grade), [None, None])
        values: dict[str, Any] = {
            "grade": grade,
            "visits_per_month": visits,
            "hours_per_month": hours,
            "updated_at": now,
        }
        if plan["ends_on"] == old_until or (plan["ends_on"] and plan["ends_on"] > new_until):
            values["ends_on"] = new_until
        await repo.update(plan["plan_id"], values)


def _package(policy: BenefitPolicy, cmd: CreateCarePlan, grade: int) -> Any:
    form = policy.form(cmd.service_form)
    if form is None:
        raise FormNotInPolicy(f"the region's policy does not pay {cmd.service_form}")
    if grade not in form.eligible_grades:
        raise PersonNotEligible(f"grade {grade} is not eligible for {cmd.service_form}")
    package = policy.package(cmd.package_code)
    if package is None or package.form != cmd.service_form:
        raise UnknownPackage(f"no {cmd.service_form} package {cmd.package_code} in the policy")
    return package


async def _check_provider(
    uow: UnitOfWork, book: PolicyBook, cmd: CreateCarePlan, region_code: str
) -> None:
    await active_provider(uow, cmd.provider_id)
    agreement = await ProviderRepository(uow.session).covering_agreement(
        cmd.provider_id, cmd.starts_on, cmd.service_form
    )
    if agreement is None or not area_covers(book, agreement["service_area"], region_code):
        raise AgreementNotCovering(
            "no agreement of the provider covers this form, date and the person's area"
        )
    if cmd.service_form == "institutional":
        other = await PlanRepository(uow.session).overlapping_institutional(
            cmd.person_id, cmd.starts_on, cmd.ends_on
        )
        if other is not None:
            raise InstitutionalPlanExists(
                "the person already has an institutional plan", plan_id=other["plan_id"]
            )


async def create_plan(
    uow: UnitOfWork, cmd: CreateCarePlan, book: PolicyBook, today: date
) -> dict[str, Any]:
    """A plan for an eligible person with a provider whose agreement covers the form."""
    person = await known_person(uow, cmd.person_id, cmd.starts_on)
    eligibility = await eligible_grade(uow, cmd.person_id, cmd.starts_on)
    policy = book.in_force(person["region_code"], BenefitPolicy, cmd.starts_on)
    grade = eligibility["grade"]
    package = _package(policy, cmd, grade)
    await _check_provider(uow, book, cmd, person["region_code"])
    await check_plan_caregiver(uow, cmd)
    limits = [d for d in (cmd.ends_on, eligibility["valid_until"], eligibility["ended_on"]) if d]
    stays = (await StayRepository(uow.session).of_persons([cmd.person_id]))[cmd.person_id]
    form = policy.form(cmd.service_form)
    paused = bool(form and form.paused_during_stay and in_stay(today, stays))
    now = datetime.now(UTC)
    plan = {
        "plan_id": new_id(),
        **cmd.model_dump(exclude={"ends_on"}),
        "eligibility_id": eligibility["eligibility_id"],
        "region_code": person["region_code"],
        "grade": grade,
        "items": list(package.items),
        "visits_per_month": package.visits_per_month_by_grade.get(grade),
        "hours_per_month": package.hours_per_month_by_grade.get(grade),
        "min_minutes_per_visit": package.min_minutes_per_visit,
        "quotas_by_grade": quotas_by_grade(package),
        "ends_on": min(limits),
        "status": "paused" if paused else "active",
        "paused_since": today if paused else None,
        "end_reason": None,
        "policy_version": policy.version_id(book.region(person["region_code"]).code),
        "created_at": now,
        "updated_at": now,
    }
    await PlanRepository(uow.session).add(plan)
    uow.record(CarePlanActivated(**{k: plan[k] for k in CarePlanActivated.model_fields}))
    return plan


async def end_plans(
    uow: UnitOfWork, plans: Sequence[dict[str, Any]], ended_on: date, reason: str
) -> list[dict[str, Any]]:
    """End open plans on a date (never later than they already end); one event each."""
    repo, now, out = PlanRepository(uow.session), datetime.now(UTC), []
    for plan in plans:
        ends_on = min(d for d in (plan["ends_on"], ended_on) if d is not None)
        values = {"status": "ended", "ends_on": ends_on, "end_reason": reason, "updated_at": now}
        await repo.update(plan["plan_id"], values)
        uow.record(
            CarePlanEnded(
                plan_id=plan["plan_id"],
                person_id=plan["person_id"],
                provider_id=plan["provider_id"],
                service_form=plan["service_form"],
                ended_on=ends_on,
                reason=reason,
            )
        )
        out.append({**plan, **values})
    return out


async def end_plan(uow: UnitOfWork, plan_id: str, ended_on: date) -> dict[str, Any]:
    plan = await PlanRepository(uow.session).get(plan_id)
    if plan is None:
        raise PlanNotFound(f"no care plan {plan_id}")
    if plan["status"] == "ended":
        raise PlanAlreadyEnded("the care plan has already ended")
    return (await end_plans(uow, [plan], ended_on, "closed"))[0]
