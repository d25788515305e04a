"""Use cases of family care (亲情照护): register a trained family caregiver, renew the training,
certify a month of care (the flat allowance is paid on it: FamilyCareCertified)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from ltci_care_delivery.adapters.family import CertificationRepository, FamilyCaregiverRepository
from ltci_care_delivery.adapters.plans import PlanRepository, StayRepository
from ltci_care_delivery.adapters.read_models import PersonRepository
from ltci_care_delivery.domain.care_commands import (
    CertifyFamilyCare,
    RegisterFamilyCaregiver,
    RenewFamilyTraining,
)
from ltci_care_delivery.domain.commands import CreateCarePlan
from ltci_care_delivery.domain.errors import (
    CareDaysExceedCovered,
    FamilyCareAlreadyCertified,
    FamilyCaregiverAlreadyRegistered,
    FamilyCaregiverNotCertified,
    FamilyCaregiverNotFound,
    FamilyCaregiverRequired,
    FamilyCarePeriodNotOver,
    NotFamilyCarePlan,
    NothingToCertify,
    PersonNotKnown,
    PlanNotFound,
)
from ltci_care_delivery.domain.family_care import (
    CoverageFacts,
    Month,
    covered_days,
    period_over,
    training_valid,
)
from ltci_care_delivery.domain.ids import new_id
from ltci_shared.events.contracts import FamilyCareCertified
from ltci_shared.ids import PiiCipher, parse_resident_id
from ltci_shared.policy import PolicyBook, PolicyNotInForce
from ltci_shared.policy.benefits import BenefitPolicy
from ltci_shared.uow import UnitOfWork

FAMILY_CARE = "family_care"


async def register(
    uow: UnitOfWork, cmd: RegisterFamilyCaregiver, cipher: PiiCipher
) -> dict[str, Any]:
    """A family caregiver for one person; the same resident ID once per person."""
    if await PersonRepository(uow.session).get(cmd.person_id) is None:
        raise PersonNotKnown(f"no enrolled person {cmd.person_id} is known to care delivery")
    rid = parse_resident_id(cmd.resident_id)
    repo, lookup = FamilyCaregiverRepository(uow.session), cipher.lookup_hash(rid.value)
    if existing := await repo.of_person_by_hash(cmd.person_id, lookup):
        raise FamilyCaregiverAlreadyRegistered(
            "this family caregiver is already registered for the person",
            family_caregiver_id=existing["family_caregiver_id"],
        )
    now = datetime.now(UTC)
    row = {
        "family_caregiver_id": new_id(),
        **cmd.model_dump(exclude={"resident_id"}),
        "resident_id_hash": lookup,
        "resident_id_encrypted": cipher.encrypt(rid.value),
        "resident_id_masked": rid.masked,
        "status": "active",
        "created_at": now,
        "updated_at": now,
    }
    await repo.add(row)
    return row


async def get(uow: UnitOfWork, family_caregiver_id: str) -> dict[str, Any]:
    row = await FamilyCaregiverRepository(uow.session).get(family_caregiver_id)
    if row is None:
        raise FamilyCaregiverNotFound(f"no family caregiver {family_caregiver_id}")
    return row


async def renew_training(
    uow: UnitOfWork, family_caregiver_id: str, cmd: RenewFamilyTraining
) -> dict[str, Any]:
    row = await get(uow, family_caregiver_id)
    values = {**cmd.model_dump(), "updated_at": datetime.now(UTC)}
    await FamilyCaregiverRepository(uow.session).update(family_caregiver_id, values)
    return {**row, **values}


async def check_plan_caregiver(uow: UnitOfWork, cmd: CreateCarePlan) -> None:
    """A family-care plan names a family caregiver of the person, trained on its first day."""
    if cmd.service_form != FAMILY_CARE:
        if cmd.family_caregiver_id is not None:
            raise FamilyCaregiverRequired("only a family-care plan names a family caregiver")
        return
    if cmd.family_caregiver_id is None:
        raise FamilyCaregiverRequired("a family-care plan names its family_caregiver_id")
    row = await FamilyCaregiverRepository(uow.session).get(cmd.family_caregiver_id)
    if row is None or row["person_id"] != cmd.person_id:
        raise FamilyCaregiverNotFound("no family caregiver with this id for the person")
    if not training_valid(row["trained_on"], row["valid_until"], cmd.starts_on):
        raise FamilyCaregiverNotCertified("the family caregiver's training is not valid then")


async def _family_plan(uow: UnitOfWork, plan_id: str) -> dict[str, Any]:
    plan = await PlanRepository(uow.session).get(plan_id)
    if plan is None:
        raise PlanNotFound(f"no care plan {plan_id}")
    if plan["service_form"] != FAMILY_CARE:
        raise NotFamilyCarePlan(f"the plan is {plan['service_form']}, not family care")
    if plan["family_caregiver_id"] is None:
        raise FamilyCaregiverRequired("the plan names no family caregiver")
    return plan


def _policy(book: PolicyBook, plan: dict[str, Any], on: date) -> tuple[bool, str]:
    """Whether family care pauses during stays, and the policy version in force on ``on``."""
    region = plan["region_code"]
    try:
        policy = book.in_force(region, BenefitPolicy, on)
    except PolicyNotInForce:
        return True, plan["policy_version"]
    form = policy.form(FAMILY_CARE)
    return form is None or form.paused_during_stay, policy.version_id(book.region(region).code)


async def certify(
    uow: UnitOfWork, plan_id: str, cmd: CertifyFamilyCare, book: PolicyBook, today: date
) -> dict[str, Any]:
    """Certify a month that is over; only covered days count. Publishes FamilyCareCertified."""
    plan, month = await _family_plan(uow, plan_id), Month.parse(cmd.period)
    if not period_over(month, today):
        raise FamilyCarePeriodNotOver(f"{month} is not over; certify it from its next month")
    if await CertificationRepository(uow.session).of_plan_period(plan_id, str(month)):
        raise FamilyCareAlreadyCertified(f"{month} is already certified for this plan")
    caregiver = await get(uow, plan["family_caregiver_id"])
    stays = (await StayRepository(uow.session).of_persons([plan["person_id"]]))[plan["person_id"]]
    pauses, version = _policy(book, plan, month.first)
    days = covered_days(
        month,
        CoverageFacts(
            plan["starts_on"],
            plan["ends_on"],
            caregiver["trained_on"],
            caregiver["valid_until"],
            stays,
            pauses,
        ),
    )
    if not days:
        raise NothingToCertify(f"the plan covered no payable day in {month}")
    care_days = cmd.care_days or len(days)
    if care_days > len(days):
        raise CareDaysExceedCovered(f"the plan covered {len(days)} payable days in {month}")
    row = {
        "certification_id": new_id(),
        **{k: plan[k] for k in ("plan_id", "person_id", "provider_id", "region_code")},
        "family_caregiver_id": caregiver["family_caregiver_id"],
        "period": str(month),
        "care_days": care_days,
        "days_covered": len(days),
        **cmd.model_dump(include={"confirmation", "certified_by", "note"}),
        "policy_version": version,
        "certified_at": datetime.now(UTC),
    }
    await CertificationRepository(uow.session).add(row)
    uow.record(FamilyCareCertified(**row, days_in_period=month.days))
    return row
