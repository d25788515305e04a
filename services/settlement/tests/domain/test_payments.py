"""Payments, holdback releases and reconciliation as pure values: entries balance, zero parts
are left out, and the reconciliation flags items the ledger does not show."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from ltci_settlement.domain.payments import (
    FORFEITED,
    HOLDBACK,
    PAYABLE,
    outstanding_by_provider,
    payment_entry,
    payment_reversal,
    reconcile,
    release_entry,
    split_holdback,
)

ITEM = {
    "batch_id": "b1",
    "item_no": 1,
    "region_code": "320900",
    "period": "2026-03",
    "provider_id": "prov-a",
    "fund": "employee_ltc",
    "entry_id": "e-pay",
}


def test_a_payment_moves_the_payable_to_the_bank_and_a_failure_takes_it_back() -> None:
    paid = payment_entry(ITEM, D("138.93"))
    assert [(p.account, p.party, p.amount) for p in paid.postings] == [
        (PAYABLE, "prov-a", D("138.93")),
        ("bank", "", D("-138.93")),
    ]
    back = payment_reversal(ITEM, D("138.93"), "account closed")
    assert back.reverses_entry_id == "e-pay" and back.kind == "payment_reversal"
    assert [p.amount for p in back.postings] == [D("-138.93"), D("138.93")]
    assert "account closed" in back.memo and back.source_key != paid.source_key


@pytest.mark.parametrize(
    ("share", "released", "forfeited", "accounts"),
    [
        ("1.00", "14.49", "0.00", [HOLDBACK, PAYABLE]),
        ("0.50", "7.25", "7.24", [HOLDBACK, PAYABLE, FORFEITED]),  # 7.245 → 7.25 half-up
        ("0", "0.00", "14.49", [HOLDBACK, FORFEITED]),
    ],
)
def test_a_release_splits_the_holdback_exactly(
    share: str, released: str, forfeited: str, accounts: list[str]
) -> None:
    release = split_holdback("prov-b", "employee_ltc", D("14.49"), D(share))
    assert (release.released, release.forfeited) == (D(released), D(forfeited))
    made = release_entry(release, region_code="320900", period="2026-03", sequence=1, memo="m")
    assert [p.account for p in made.postings] == accounts  # zero postings are never written
    assert sum(p.amount for p in made.postings) == 0


def test_only_credit_balances_are_outstanding() -> None:
    sums = {("prov-b", "employee_ltc"): -27536, ("prov-a", "employee_ltc"): 300, ("c", "x"): 0}
    assert outstanding_by_provider(sums) == [("prov-b", "employee_ltc", 27536)]


def test_the_reconciliation_balances_only_when_items_match_the_ledger() -> None:
    ledger = [
        ("prov-a", "employee_ltc", "liability", PAYABLE, -13893),
        ("prov-a", "employee_ltc", "liability", HOLDBACK, -732),
        ("prov-a", "employee_ltc", "payment", PAYABLE, 13893),
        ("prov-a", "employee_ltc", "holdback_release", HOLDBACK, 732),
        ("prov-a", "employee_ltc", "holdback_release", PAYABLE, -366),
        ("prov-a", "employee_ltc", "holdback_release", FORFEITED, -366),
    ]
    [row] = reconcile(ledger, [("prov-a", "employee_ltc", "paid", 13893)])
    assert (row.posted, row.holdback_withheld, row.holdback_released) == (13893, 732, 366)
    assert (row.holdback_forfeited, row.holdback_held, row.outstanding) == (366, 0, 366)
    assert row.balanced
    [wrong] = reconcile(ledger, [("prov-a", "employee_ltc", "paid", 13000)])
    assert not wrong.balanced
    [unposted] = reconcile(ledger[:2], [("prov-a", "employee_ltc", "sent", 13893)])
    assert not unposted.balanced
