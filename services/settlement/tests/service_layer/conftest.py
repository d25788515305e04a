"""Payments and holdback fixtures: a Yancheng month fed through the consumer and settled.

Hand-computed (320900 pack, holdback 5%): prov-a is owed 87.75 (v1, 90 min) + 58.50 (v2) in
employee_ltc, less holdback 4.39 + 2.93 = 7.32, so payable 138.93; prov-b 289.85 for the bed
rental (31 days × 11.00 × 85%), less 14.49, payable 275.36. p3's visit waits for eligibility
(its 55.57 payable and 2.93 holdback arrive on a later run).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D
from typing import Any

import pytest

from ltci_shared.events.contracts import (
    CarePlanActivated,
    ContributionPosted,
    DeviceRentalChanged,
    EligibilityGranted,
    PersonEnrolled,
    ScorecardIssued,
    ServiceVisitLogged,
)

A, B = "prov-a", "prov-b"


def enrolled(pid: str) -> PersonEnrolled:
    return PersonEnrolled(
        person_id=pid,
        region_code="320902",
        scheme="employee",
        valid_from=date(2025, 1, 1),
        birth_date=date(1940, 1, 1),
        sex="F",
    )


def eligible(pid: str) -> EligibilityGranted:
    return EligibilityGranted(
        eligibility_id=f"el-{pid}",
        person_id=pid,
        region_code="320900",
        grade=3,
        valid_from=date(2026, 1, 1),
        valid_until=date(2027, 12, 31),
    )


def visit(vid: str, pid: str, day: int, minutes: int) -> ServiceVisitLogged:
    begin = datetime(2026, 3, day, 9, 0, tzinfo=UTC)
    return ServiceVisitLogged(
        visit_id=vid,
        provider_id=A,
        person_id=pid,
        caregiver_id="cg-1",
        plan_id=f"plan-{pid}",
        region_code="320902",
        service_form="home_visit",
        service_date=date(2026, 3, day),
        begin_at=begin,
        end_at=begin.replace(hour=9 + minutes // 60, minute=minutes % 60),
        items=["ADL01", "MED01"],
        verified=True,
        exceptions=[],
    )


def plan(pid: str) -> CarePlanActivated:
    return CarePlanActivated(
        plan_id=f"plan-{pid}",
        person_id=pid,
        provider_id=A,
        region_code="320902",
        service_form="home_visit",
        package_code="YC-HV-STD",
        grade=3,
        starts_on=date(2026, 1, 1),
    )


def month_events() -> list[Any]:
    return [
        enrolled("p1"),
        enrolled("p3"),
        eligible("p1"),  # p3's eligibility arrives late
        ContributionPosted(
            contribution_id="c1",
            region_code="320900",
            fund="employee_ltc",
            payer="employer",
            year=2026,
            amount=D("1000.00"),
            posted_on=date(2026, 3, 1),
        ),
        plan("p1"),
        plan("p3"),
        visit("v1", "p1", 2, 90),
        visit("v2", "p1", 3, 60),
        visit("v5", "p3", 6, 60),
        DeviceRentalChanged(
            rental_id="r1",
            person_id="p1",
            provider_id=B,
            device_code="DEV-BED-E",
            status="started",
            starts_on=date(2026, 1, 1),
            daily_rate=D("11.00"),
        ),
    ]


def scorecard(provider_id: str, score: str, period: str = "2026-03") -> ScorecardIssued:
    return ScorecardIssued(
        provider_id=provider_id,
        region_code="320902",
        period=period,
        score=score,
        policy_version="320900/benefits@2022-07-01",
        issued_at=datetime(2026, 4, 3, 9, tzinfo=UTC),
    )


@pytest.fixture
async def settled(harness: Any) -> Any:
    """The harness with the month's events fed and its month-end run completed."""
    await harness.feed(*month_events())
    run = await harness.month_end()
    assert run["status"] == "completed" and run["statements_issued"] == 2
    return harness


@pytest.fixture
def scorecard_event() -> Any:
    """``scorecard_event(provider_id, score)``: care delivery's ScorecardIssued for 2026-03."""
    return scorecard


@pytest.fixture
def eligibility_event() -> Any:
    """``eligibility_event(person_id)``: assessment's EligibilityGranted (grade 3, 2026-27)."""
    return eligible
