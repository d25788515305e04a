"""Journal entries balance per fund; reversals negate; unbalanced entries are refused."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from ltci_settlement.domain.ledger import (
    LineShares,
    Posting,
    UnbalancedEntry,
    entry,
    line_postings,
    reversal,
)


def _line(fund: str = "87.75", person: str = "9.75", payee: str = "provider") -> LineShares:
    return LineShares("l1", "p1", "prov", "v1", "e1", "employee_ltc", D(fund), D(person), payee)


def test_a_line_posts_expense_payable_holdback_and_the_persons_share() -> None:
    postings = line_postings(_line(), D("0.05"))
    by = {(p.fund, p.account): p.amount for p in postings}
    assert by == {
        ("employee_ltc", "benefit_expense"): D("87.75"),
        ("employee_ltc", "provider_payable"): D("-83.36"),
        ("employee_ltc", "holdback"): D("-4.39"),  # 87.75 × 5% = 4.3875 → 4.39
        ("individuals", "due_from_individual"): D("9.75"),
        ("individuals", "owed_to_provider"): D("-9.75"),
    }
    assert all(
        p.claim_line_id == "l1" and p.visit_id == "v1" and p.event_id == "e1" for p in postings
    )
    made = entry(
        region_code="320900",
        kind="liability",
        source_key="k",
        period="2026-03",
        memo="m",
        postings=postings,
    )
    undo = reversal(
        made.entry_id, made.postings, region_code="320900", period="2026-03", key="l1", memo="void"
    )
    assert sum(p.amount for p in made.postings + undo.postings) == 0
    assert undo.reverses_entry_id == made.entry_id


def test_flat_cash_is_payable_to_the_person() -> None:
    postings = line_postings(_line("450.00", "0", payee="person"), D("0.05"))
    assert [(p.account, p.party, p.amount) for p in postings] == [
        ("benefit_expense", "", D("450.00")),
        ("person_payable", "p1", D("-450.00")),
    ]


def test_an_unbalanced_entry_is_refused() -> None:
    bad = [
        Posting("employee_ltc", "bank", "", D("10.00")),
        Posting("employee_ltc", "income", "", D("-9.99")),
    ]
    with pytest.raises(UnbalancedEntry):
        entry(
            region_code="320900", kind="x", source_key="k", period="2026-03", memo="", postings=bad
        )
    cross_fund = [
        Posting("employee_ltc", "bank", "", D("10.00")),
        Posting("resident_ltc", "income", "", D("-10.00")),
    ]
    with pytest.raises(UnbalancedEntry):
        entry(
            region_code="320900",
            kind="x",
            source_key="k",
            period="2026-03",
            memo="",
            postings=cross_fund,
        )
