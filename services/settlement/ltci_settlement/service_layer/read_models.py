"""Handlers that keep settlement's read models current from other services' events.

Each runs in the consumer's transaction with the inbox row (an event applies once). Events of
one person arrive in order; across persons and topics they may not, so nothing here assumes
another event already arrived: a month-end run settles whatever is known and leaves the rest
pending until it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ltci_settlement.adapters.ledger_repository import LedgerRepository
from ltci_settlement.adapters.onestop_repository import OneStopRepository
from ltci_settlement.adapters.policy import pack_region, policy_book
from ltci_settlement.adapters.repository import InsuredPersonRepository, ReadModelRepository
from ltci_settlement.adapters.tables import (
    assessments,
    care_plans,
    family_care_certifications,
    rentals,
    stays,
    visits,
)
from ltci_settlement.domain.facts import period_of
from ltci_settlement.domain.ledger import contribution_postings, entry
from ltci_settlement.domain.onestop_ledger import premium_subsidy_postings
from ltci_shared.errors import NotFound
from ltci_shared.events.contracts import (
    AssessmentCompleted,
    AssistanceCategoryChanged,
    CarePlanActivated,
    CarePlanEnded,
    ContributionPosted,
    DeviceRentalChanged,
    EligibilityChanged,
    EligibilityGranted,
    EligibilityRevoked,
    EnrollmentEnded,
    FamilyCareCertified,
    MembershipChanged,
    PersonEnrolled,
    ServiceVisitLogged,
    StayReported,
    VisitCorrected,
    VisitVoided,
)
from ltci_shared.events.envelope import Envelope
from ltci_shared.money import to_fen
from ltci_shared.policy.assistance import AssistancePolicy
from ltci_shared.uow import UnitOfWork


async def on_person_enrolled(uow: UnitOfWork, event: PersonEnrolled, envelope: Envelope) -> None:
    await InsuredPersonRepository(uow.session).upsert(
        {
            "person_id": event.person_id,
            "region_code": event.region_code,
            "scheme": event.scheme,
            "valid_from": event.valid_from,
            "ended_on": None,
            "birth_date": event.birth_date,
            "sex": event.sex,
            "updated_at": envelope.time,
        }
    )
    await ReadModelRepository(uow.session).add_membership(
        {
            "person_id": event.person_id,
            "valid_from": event.valid_from,
            "scheme": event.scheme,
            "region_code": event.region_code,
            "valid_until": None,
        }
    )


async def on_enrollment_ended(uow: UnitOfWork, event: EnrollmentEnded, envelope: Envelope) -> None:
    await InsuredPersonRepository(uow.session).end(event.person_id, event.ended_on, envelope.time)
    await ReadModelRepository(uow.session).end_membership(
        event.person_id, event.scheme, event.ended_on
    )


async def on_membership_changed(
    uow: UnitOfWork, event: MembershipChanged, envelope: Envelope
) -> None:
    """The whole history replaces what was known (it is carried in full on every change)."""
    periods = [
        {
            "valid_from": p.valid_from,
            "scheme": p.scheme,
            "region_code": p.region_code,
            "valid_until": p.valid_until,
        }
        for p in event.periods
    ]
    await ReadModelRepository(uow.session).replace_memberships(event.person_id, periods)


async def on_eligibility_granted(
    uow: UnitOfWork, event: EligibilityGranted, envelope: Envelope
) -> None:
    await ReadModelRepository(uow.session).upsert_eligibility(
        {
            "eligibility_id": event.eligibility_id,
            "person_id": event.person_id,
            "region_code": pack_region(event.region_code),
            "grade": event.grade,
            "valid_from": event.valid_from,
            "valid_until": event.valid_until,
        }
    )


async def on_eligibility_revoked(
    uow: UnitOfWork, event: EligibilityRevoked, envelope: Envelope
) -> None:
    await ReadModelRepository(uow.session).end_eligibility(
        {
            "eligibility_id": event.eligibility_id,
            "person_id": event.person_id,
            "region_code": pack_region(event.region_code),
            "ended_on": event.ended_on,
        }
    )


async def on_eligibility_changed(
    uow: UnitOfWork, event: EligibilityChanged, envelope: Envelope
) -> None:
    """A re-grade from ``effective_from``: the window so far ends the day before, and a new
    window at the new grade runs from then (a revocation later ends both)."""
    await ReadModelRepository(uow.session).regrade_eligibility(
        event.eligibility_id,
        {
            "eligibility_id": f"{event.eligibility_id}@{event.effective_from.isoformat()}",
            "person_id": event.person_id,
            "region_code": pack_region(event.region_code),
            "grade": event.grade,
            "valid_from": event.effective_from,
            "valid_until": event.valid_until,
        },
    )


async def on_assessment_completed(
    uow: UnitOfWork, event: AssessmentCompleted, envelope: Envelope
) -> None:
    await ReadModelRepository(uow.session).upsert(
        assessments,
        "assessment_id",
        {
            "assessment_id": event.assessment_id,
            "person_id": event.person_id,
            "region_code": event.region_code,
            "grade": event.grade,
            "assessed_on": event.assessed_on,
            "fee_fen": to_fen(event.fee),
            "fee_fund_share_fen": to_fen(min(event.fee_fund_share, event.fee)),
            "policy_version": event.policy_version,
            "event_id": envelope.id,
        },
    )


async def on_care_plan_activated(
    uow: UnitOfWork, event: CarePlanActivated, envelope: Envelope
) -> None:
    values = event.model_dump(include=set(care_plans.c.keys()))
    values.update(region_code=pack_region(event.region_code), event_id=envelope.id)
    await ReadModelRepository(uow.session).upsert(care_plans, "plan_id", values)


async def on_care_plan_ended(uow: UnitOfWork, event: CarePlanEnded, envelope: Envelope) -> None:
    await ReadModelRepository(uow.session).end_plan(event.plan_id, event.ended_on)


async def on_family_care_certified(
    uow: UnitOfWork, event: FamilyCareCertified, envelope: Envelope
) -> None:
    """A certified month of family care: the month-end run pays the allowance for its days."""
    values = event.model_dump(include=set(family_care_certifications.c.keys()))
    values["event_id"] = envelope.id
    await ReadModelRepository(uow.session).upsert(
        family_care_certifications, "certification_id", values
    )


async def on_stay_reported(uow: UnitOfWork, event: StayReported, envelope: Envelope) -> None:
    values = event.model_dump(include=set(stays.c.keys()))
    await ReadModelRepository(uow.session).upsert(stays, "stay_id", values)


async def on_visit_logged(
    uow: UnitOfWork, event: ServiceVisitLogged | VisitCorrected, envelope: Envelope
) -> None:
    """A visit logged or corrected: each is a new revision; the next run of its period
    re-adjudicates it and reverses what was paid on the earlier revision."""
    row = _visit_row(event, envelope, pack_region(event.region_code))
    await ReadModelRepository(uow.session).upsert_visit(row)


async def on_visits_logged(
    uow: UnitOfWork, events: Sequence[tuple[ServiceVisitLogged | VisitCorrected, Envelope]]
) -> None:
    """A run of visits logged or corrected, in delivery order: the same revisions as
    ``on_visit_logged`` one by one (a visit twice in the run gets two), set-based."""
    packs = {code: pack_region(code) for code in {event.region_code for event, _ in events}}
    rows = [_visit_row(event, envelope, packs[event.region_code]) for event, envelope in events]
    await ReadModelRepository(uow.session).upsert_visits(rows)


def _visit_row(
    event: ServiceVisitLogged | VisitCorrected, envelope: Envelope, pack: str
) -> dict[str, Any]:
    values = event.model_dump(include=_VISIT_FIELDS)
    values.update(
        region_code=pack,
        division_code=event.region_code,
        items=list(event.items),
        exceptions=list(event.exceptions),
        event_id=envelope.id,
    )
    return values


_VISIT_FIELDS = set(visits.c.keys()) - {"region_code"}


async def on_visit_voided(uow: UnitOfWork, event: VisitVoided, envelope: Envelope) -> None:
    """Recorded now; the next run of the visit's period reverses what it paid."""
    await ReadModelRepository(uow.session).void_visit(
        {
            "visit_id": event.visit_id,
            "reason": event.reason[:2000],
            "voided_at": event.voided_at,
            "event_id": envelope.id,
        }
    )


async def on_rental_changed(
    uow: UnitOfWork, event: DeviceRentalChanged, envelope: Envelope
) -> None:
    values = event.model_dump(include=set(rentals.c.keys()) - {"daily_rate_fen"})
    values.update(daily_rate_fen=to_fen(event.daily_rate), event_id=envelope.id)
    await ReadModelRepository(uow.session).upsert_rental(values)


async def on_contribution_posted(
    uow: UnitOfWork, event: ContributionPosted, envelope: Envelope
) -> None:
    """Fund income: the fund's bank against contribution income, by payer. A recipient's
    premium paid by the government (payer ``assistance_subsidy``) is, in the same entry, an
    expense of the medical-assistance fund (so it is booked once, on both funds)."""
    if event.amount == 0:
        return
    subsidy = premium_subsidy_postings(
        event.fund, event.payer, event.person_id, event.amount, envelope.id
    )
    made = entry(
        region_code=pack_region(event.region_code),
        kind="contribution",
        source_key=f"contribution:{event.contribution_id}",
        period=period_of(event.posted_on),
        memo=f"{event.year} contribution from {event.payer}",
        postings=contribution_postings(event.fund, event.payer, event.amount, envelope.id)
        + subsidy,
        event_id=envelope.id,
    )
    await LedgerRepository(uow.session).post([made])


async def on_assistance_category_changed(
    uow: UnitOfWork, event: AssistanceCategoryChanged, envelope: Envelope
) -> None:
    """The person's whole assignment history replaces what was known; the one-stop settlement
    picks the highest class active on each bill's date. An event without the history (an
    older producer) gives the categories it names, classed by the region's policy."""
    region = pack_region(event.region_code)
    rows: list[dict[str, object]] = [
        {
            "assignment_id": a.assignment_id,
            "person_id": event.person_id,
            "region_code": region,
            "category": a.category,
            "recipient_class": a.recipient_class,
            "valid_from": a.valid_from,
            "valid_until": a.valid_until,
            "revoked_on": a.revoked_on,
            "event_id": envelope.id,
        }
        for a in event.assignments
    ]
    if not event.assignments:
        rows = _assignments_without_history(event, region, envelope.id)
    await OneStopRepository(uow.session).replace_assignments(event.person_id, rows)


def _assignments_without_history(
    event: AssistanceCategoryChanged, region: str, event_id: str
) -> list[dict[str, object]]:
    try:
        policy = policy_book().in_force(region, AssistancePolicy, event.valid_from)
    except NotFound:  # no pack or no version yet: the event's own class
        policy = None
    rows: list[dict[str, object]] = []
    for code in event.categories:
        category = policy.category(code) if policy else None
        cls = category.recipient_class if category else event.highest_class
        if cls is None:
            continue
        rows.append(
            {
                "assignment_id": f"{event.person_id}:{code}:{event.valid_from.isoformat()}",
                "person_id": event.person_id,
                "region_code": region,
                "category": code,
                "recipient_class": cls,
                "valid_from": event.valid_from,
                "valid_until": event.valid_until,
                "revoked_on": None,
                "event_id": event_id,
            }
        )
    return rows
