"""Settlement's consumers for the one-stop settlement, on the real PostgreSQL: the assistance
history from AssistanceCategoryChanged (applied once; a revocation replaces what was known),
and the recipients' premium subsidy booked once, against the medical-assistance fund."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from ltci_settlement.adapters.tables import assistance_assignments, journal_entries, postings
from ltci_shared.events.contracts import (
    AssistanceAssignment,
    AssistanceCategoryChanged,
    ContributionPosted,
)
from ltci_shared.messaging.consumer import Outcome

from ..support import contribution, message

OneStop = Any  # the harness of conftest.py


async def test_the_category_event_applies_once_and_a_revocation_replaces_the_history(
    onestop: OneStop,
) -> None:
    await onestop.person("p-1")
    held = AssistanceAssignment(
        assignment_id="a-1", category="dibao", recipient_class=2, valid_from=date(2026, 1, 1)
    )
    once = message(onestop.categories("p-1", [held]))
    assert await onestop.consumer.handle(once) == Outcome.APPLIED
    assert await onestop.consumer.handle(once) == Outcome.DUPLICATE
    async with onestop.sessionmaker() as session:
        count = select(func.count()).select_from(assistance_assignments)
        assert (await session.execute(count)).scalar() == 1
    before = await onestop.settle(person_id="p-1", bill_id="C-1")
    assert before["recipient_class"] == 2
    revoked = held.model_copy(update={"revoked_on": date(2026, 3, 10)})
    assert await onestop.feed(onestop.categories("p-1", [revoked])) == [Outcome.APPLIED]
    after = await onestop.settle(person_id="p-1", bill_id="C-2")  # discharged 2026-03-20
    assert after["recipient_class"] is None and after["assistance_paid"] == "0.00"
    earlier = await onestop.settle(
        person_id="p-1", bill_id="C-3", service_from="2026-03-01", service_to="2026-03-09"
    )
    assert earlier["recipient_class"] == 2  # the day before revocation still counts


async def test_an_event_without_history_is_classed_by_the_region_policy(onestop: OneStop) -> None:
    await onestop.person("p-2")
    legacy = AssistanceCategoryChanged(
        person_id="p-2",
        region_code="320402",
        categories=["tekun"],
        valid_from=date(2026, 1, 1),
    )
    assert await onestop.feed(legacy) == [Outcome.APPLIED]
    answer = await onestop.settle(person_id="p-2", bill_id="L-1")
    assert (answer["recipient_class"], answer["recipient_category"]) == (1, "tekun")


async def test_the_premium_subsidy_is_booked_once_against_the_assistance_fund(
    onestop: OneStop,
) -> None:
    subsidy = contribution(
        "r-1",
        "basic_medical",
        "380.00",
        payer="assistance_subsidy",
        posted_on=date(2026, 1, 15),
        region="320402",
        person_id="p-1",
    )
    once = message(subsidy)
    assert await onestop.consumer.handle(once) == Outcome.APPLIED
    assert await onestop.consumer.handle(once) == Outcome.DUPLICATE
    assert await onestop.feed(subsidy) == [Outcome.APPLIED]  # another event id, same receipt
    own = ContributionPosted(
        **{**subsidy.model_dump(), "contribution_id": "r-2", "payer": "individual"}
    )
    assert await onestop.feed(own) == [Outcome.APPLIED]
    async with onestop.sessionmaker() as session:
        rows = await session.execute(
            select(postings.c.fund, postings.c.account, func.sum(postings.c.amount_fen))
            .group_by(postings.c.fund, postings.c.account)
            .order_by(postings.c.fund, postings.c.account)
        )
        entries = (
            await session.execute(select(func.count()).select_from(journal_entries))
        ).scalar()
    assert [tuple(r) for r in rows] == [
        ("basic_medical", "bank", 76000),
        ("basic_medical", "contribution_income", -76000),
        ("medical_assistance", "bank", -38000),
        ("medical_assistance", "premium_subsidy_expense", 38000),
    ]
    assert entries == 2
    assert await onestop.unbalanced_funds() == []
