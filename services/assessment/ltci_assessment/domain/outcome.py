"""What a final grade means: eligibility (待遇资格), the fee split, the public-notice dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ltci_assessment.domain.calendar import add_months
from ltci_shared.money import split_by_ratio
from ltci_shared.policy.assessment import AssessmentPolicy


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: list[str]


def eligibility(
    policy: AssessmentPolicy, grade: int, disability_onset: date, assessed_on: date
) -> Eligibility:
    """Eligible when the grade is one the policy pays and the disability has lasted at least
    ``min_disability_months`` on the assessment date."""
    reasons = []
    if grade not in policy.eligible_grades:
        reasons.append(f"grade {grade} is not among the eligible grades {policy.eligible_grades}")
    lasted_from = add_months(disability_onset, policy.min_disability_months)
    if lasted_from > assessed_on:
        reasons.append(
            f"disability since {disability_onset.isoformat()} has not lasted "
            f"{policy.min_disability_months} months on {assessed_on.isoformat()}"
        )
    return Eligibility(not reasons, reasons)


def fee_split(policy: AssessmentPolicy, eligible: bool) -> tuple[Decimal, Decimal]:
    """(fee, fund share): the fund's part rounded half-up to the fen."""
    fee = policy.fee
    ratio = fee.fund_share
    if eligible and fee.fund_share_when_eligible is not None:
        ratio = fee.fund_share_when_eligible
    fund, _ = split_by_ratio(fee.amount, ratio)
    return fee.amount, fund


@dataclass(frozen=True)
class NoticeDates:
    starts_on: date
    notice_until: date
    objection_until: date
    final_on: date  # the day the grade becomes final when no objection was filed


def notice_dates(policy: AssessmentPolicy, starts_on: date) -> NoticeDates:
    notice_until = starts_on + timedelta(days=policy.public_notice_days - 1)
    objection_until = starts_on + timedelta(days=policy.objection_days - 1)
    final_on = max(notice_until, objection_until) + timedelta(days=1)
    return NoticeDates(starts_on, notice_until, objection_until, final_on)
