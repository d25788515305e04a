"""Helpers of the settlement tests: the events other services publish, built with the defaults
of a Yancheng (盐城, 320900) month of March 2026 and changed by keyword, the bus message that
carries an event, events fed through the real consumer, and ledger balances read over HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from typing import Any

from ltci_shared.events.base import IntegrationEvent
from ltci_shared.events.contracts import (
    CarePlanActivated,
    ContributionPosted,
    DeviceRentalChanged,
    EligibilityGranted,
    FamilyCareCertified,
    PersonEnrolled,
    ScorecardIssued,
    ServiceVisitLogged,
)
from ltci_shared.events.envelope import Envelope
from ltci_shared.messaging.consumer import Outcome
from ltci_shared.messaging.message import Message

A, B = "prov-a", "prov-b"
CITY, COUNTY = "320900", "320902"  # Yancheng's policy region and a county (亭湖区) in it
MONTH = {"region_code": CITY, "period": "2026-03"}
BENEFITS = "320900/benefits@2022-07-01"


def person(
    pid: str,
    scheme: str = "employee",
    *,
    region: str = COUNTY,
    valid_from: date = date(2025, 1, 1),
    birth_date: date = date(1940, 1, 1),
    sex: str = "F",
) -> PersonEnrolled:
    """Enrollment's PersonEnrolled (参保登记)."""
    return PersonEnrolled(
        person_id=pid,
        region_code=region,
        scheme=scheme,
        valid_from=valid_from,
        birth_date=birth_date,
        sex=sex,
    )


def eligible(pid: str, grade: int = 3) -> EligibilityGranted:
    """Assessment's EligibilityGranted (失能等级), 2026-01-01 to 2027-12-31."""
    return EligibilityGranted(
        eligibility_id=f"el-{pid}",
        person_id=pid,
        region_code=CITY,
        grade=grade,
        valid_from=date(2026, 1, 1),
        valid_until=date(2027, 12, 31),
    )


def plan(
    pid: str,
    form: str = "home_visit",
    package: str = "YC-HV-STD",
    provider: str = A,
    grade: int = 3,
    *,
    region: str = COUNTY,
) -> CarePlanActivated:
    """Care delivery's CarePlanActivated (护理计划) ``plan-<pid>``, from 2026-01-01."""
    return CarePlanActivated(
        plan_id=f"plan-{pid}",
        person_id=pid,
        provider_id=provider,
        region_code=region,
        service_form=form,
        package_code=package,
        grade=grade,
        starts_on=date(2026, 1, 1),
    )


def visit_fields(
    vid: str,
    pid: str,
    day: int | date,
    minutes: int,
    *,
    form: str = "home_visit",
    provider: str = A,
    plan_id: str | None = None,
    items: list[str] | None = None,
) -> dict[str, Any]:
    """A visit's state from 09:00 on ``day`` (a date, or a day of March 2026) for ``minutes``;
    ``plan_id`` defaults to ``plan-<pid>``, ``items`` to ADL01 and MED01 on a home visit."""
    on = day if isinstance(day, date) else date(2026, 3, day)
    begin = datetime(on.year, on.month, on.day, 9, tzinfo=UTC)
    default_items = ["ADL01", "MED01"] if form == "home_visit" else ["ADL01"]
    return {
        "visit_id": vid,
        "provider_id": provider,
        "person_id": pid,
        "caregiver_id": "cg-1",
        "plan_id": plan_id or f"plan-{pid}",
        "region_code": COUNTY,
        "service_form": form,
        "service_date": on,
        "begin_at": begin,
        "end_at": begin + timedelta(minutes=minutes),
        "items": default_items if items is None else items,
    }


def visit(
    vid: str, pid: str, day: int | date, minutes: int, *, verified: bool = True, **fields: Any
) -> ServiceVisitLogged:
    """Care delivery's ServiceVisitLogged (上门服务记录) of ``visit_fields`` (``form=``,
    ``provider=`` ...); an unverified one lacks its check-out."""
    return ServiceVisitLogged(
        **visit_fields(vid, pid, day, minutes, **fields),
        verified=verified,
        exceptions=[] if verified else ["no_checkout"],
    )


def rental(rental_id: str = "r1", pid: str = "p1", provider: str = B) -> DeviceRentalChanged:
    """An electric care bed (DEV-BED-E) rented at 11.00 a day from 2026-01-01 (辅具租赁)."""
    return DeviceRentalChanged(
        rental_id=rental_id,
        person_id=pid,
        provider_id=provider,
        device_code="DEV-BED-E",
        status="started",
        starts_on=date(2026, 1, 1),
        daily_rate=D("11.00"),
    )


def contribution(
    cid: str,
    fund: str = "employee_ltc",
    amount: str = "1000.00",
    *,
    payer: str = "employer",
    posted_on: date = date(2026, 3, 1),
    region: str = CITY,
    person_id: str | None = None,
) -> ContributionPosted:
    """Enrollment's ContributionPosted (缴费入账) for the year it was posted in."""
    return ContributionPosted(
        contribution_id=cid,
        person_id=person_id,
        region_code=region,
        fund=fund,
        payer=payer,
        year=posted_on.year,
        amount=D(amount),
        posted_on=posted_on,
    )


def certified(
    cert_id: str,
    pid: str,
    caregiver: str,
    *,
    care_days: int,
    days_covered: int,
    provider: str = B,
) -> FamilyCareCertified:
    """Care delivery's FamilyCareCertified (亲情照护) for March 2026 under ``plan-<pid>``."""
    return FamilyCareCertified(
        certification_id=cert_id,
        plan_id=f"plan-{pid}",
        person_id=pid,
        provider_id=provider,
        family_caregiver_id=caregiver,
        region_code=COUNTY,
        period="2026-03",
        care_days=care_days,
        days_covered=days_covered,
        days_in_period=31,
        certified_at=datetime(2026, 4, 2, 9, tzinfo=UTC),
        policy_version=BENEFITS,
    )


def scorecard(
    provider_id: str,
    score: str,
    period: str = "2026-03",
    *,
    issued_at: datetime = datetime(2026, 4, 3, 9, tzinfo=UTC),
) -> ScorecardIssued:
    """Care delivery's ScorecardIssued (服务质量考核) for a provider's month."""
    return ScorecardIssued(
        provider_id=provider_id,
        region_code=COUNTY,
        period=period,
        score=score,
        policy_version=BENEFITS,
        issued_at=issued_at,
    )


def message(event: IntegrationEvent, envelope: Envelope | None = None) -> Message:
    """The message the bus carries for ``event`` on its producer's topic."""
    wrapped = envelope or Envelope.wrap(event)
    return Message(f"ltci.{type(event).producer}.events", event.key, wrapped.to_bytes())


async def feed(app: Any, *events: IntegrationEvent) -> list[Envelope]:
    """Hand each event to the app's consumer as the bus would; each must be applied."""
    consumer = app.state.runtime.event_consumers[0]
    out = []
    for event in events:
        envelope = Envelope.wrap(event)
        assert await consumer.handle(message(event, envelope)) == Outcome.APPLIED
        out.append(envelope)
    return out


async def balance(
    h: Any, account: str, party: str | None = None, *, fund: str = "employee_ltc"
) -> D:
    """An account's balance in Yancheng's ledger (a credit is negative)."""
    params = {"region_code": CITY, "fund": fund, "account": account}
    if party:
        params["party"] = party
    return D((await h.client.get("/ledger/balance", params=params)).json()["balance"])
