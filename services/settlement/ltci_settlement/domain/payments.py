"""Provider payments (支付批次), the quality holdback's release (质量保证金返还) and their
reconciliation (对账) against the ledger, as pure values.

A batch item moves a provider's outstanding payable in one fund to the fund's ``bank`` account
when the batch is made (the money is committed to the bank); a failed item is reversed, so the
payable is outstanding again. A release moves the withheld holdback to the provider's payable
(the released share) and to ``holdback_forfeited_income`` (the rest, back to the fund).
"""

from __future__ import annotations

import os
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from ltci_settlement.domain.ledger import JournalEntry, Posting, entry
from ltci_shared.money import split_by_ratio

BANK = "bank"
PAYABLE = "provider_payable"
HOLDBACK = "holdback"
FORFEITED = "holdback_forfeited_income"
PAYMENT = "payment"
PAYMENT_REVERSAL = "payment_reversal"
RELEASE = "holdback_release"
MOVEMENTS = frozenset({PAYMENT, PAYMENT_REVERSAL, RELEASE})
"""Entry kinds that settle liabilities rather than create them."""


def new_batch_id() -> str:
    """A UUIDv7 (RFC 9562): batches sort by creation time, so lists page by id alone."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80 | (0x7 << 76) | (rand & ((1 << 76) - 1))
    return str(uuid.UUID(int=(value & ~(0xC << 60)) | (0x8 << 60)))


def payment_postings(fund: str, provider_id: str, amount: Decimal) -> list[Posting]:
    """The provider's payable in ``fund`` settled out of the fund's bank account."""
    return [Posting(fund, PAYABLE, provider_id, amount), Posting(fund, BANK, "", -amount)]


def payment_entry(item: Mapping[str, Any], amount: Decimal) -> JournalEntry:
    """The entry of a batch item (``batch_id``, ``item_no``, region, period, provider, fund)."""
    return entry(
        region_code=item["region_code"],
        kind=PAYMENT,
        source_key=f"payment:{item['batch_id']}:{item['item_no']}",
        period=item["period"],
        memo=f"payment batch {item['batch_id']} item {item['item_no']}: "
        f"{item['provider_id']} {item['fund']}",
        postings=payment_postings(item["fund"], item["provider_id"], amount),
    )


def payment_reversal(item: Mapping[str, Any], amount: Decimal, reason: str) -> JournalEntry:
    """A failed item taken back: the payable is outstanding again, the bank credited back."""
    postings = payment_postings(item["fund"], item["provider_id"], amount)
    return entry(
        region_code=item["region_code"],
        kind=PAYMENT_REVERSAL,
        source_key=f"reversal:payment:{item['batch_id']}:{item['item_no']}",
        period=item["period"],
        memo=f"payment batch {item['batch_id']} item {item['item_no']} failed: {reason}"[:500],
        postings=[replace(p, amount=-p.amount) for p in postings],
        reverses_entry_id=item["entry_id"],
    )


@dataclass(frozen=True)
class Release:
    """One provider's withheld holdback in one fund, split by its score's release share."""

    provider_id: str
    fund: str
    withheld: Decimal
    share: Decimal
    released: Decimal
    forfeited: Decimal


def split_holdback(provider_id: str, fund: str, withheld: Decimal, share: Decimal) -> Release:
    released, forfeited = split_by_ratio(withheld, share)
    return Release(provider_id, fund, withheld, share, released, forfeited)


def release_entry(
    release: Release, *, region_code: str, period: str, sequence: int, memo: str
) -> JournalEntry:
    """Holdback cleared: the released share to the provider's payable, the rest forfeited."""
    p, f = release.provider_id, release.fund
    postings = [Posting(f, HOLDBACK, p, release.withheld)]
    if release.released:
        postings.append(Posting(f, PAYABLE, p, -release.released))
    if release.forfeited:
        postings.append(Posting(f, FORFEITED, p, -release.forfeited))
    return entry(
        region_code=region_code,
        kind=RELEASE,
        source_key=f"{RELEASE}:{region_code}:{period}:{p}:{f}:{sequence}",
        period=period,
        memo=memo,
        postings=postings,
    )


@dataclass
class ProviderFund:
    """What one provider is owed in one fund for one month, in fen (see ``reconcile``)."""

    provider_id: str
    fund: str
    posted: int = 0
    holdback_withheld: int = 0
    holdback_released: int = 0
    holdback_forfeited: int = 0
    holdback_held: int = 0
    paid: int = 0
    in_transit: int = 0
    failed: int = 0
    outstanding: int = 0
    ledger_payments: int = 0

    @property
    def balanced(self) -> bool:
        """Liabilities posted (payable and holdback) = paid + in transit + outstanding + holdback
        still held + holdback forfeited, with the payments counted from the batch items."""
        left = self.posted + self.holdback_withheld
        right = (
            self.paid
            + self.in_transit
            + self.outstanding
            + self.holdback_held
            + self.holdback_forfeited
        )
        return left == right


def reconcile(
    ledger: Iterable[tuple[str, str, str, str, int]],
    items: Iterable[tuple[str, str, str, int]],
) -> list[ProviderFund]:
    """Fold ledger sums ``(party, fund, entry kind, account, signed fen)`` and batch-item sums
    ``(provider, fund, status, fen)`` into one row per provider and fund, by provider."""
    rows: dict[tuple[str, str], ProviderFund] = {}

    def row(provider: str, fund: str) -> ProviderFund:
        return rows.setdefault((provider, fund), ProviderFund(provider, fund))

    for party, fund, kind, account, fen in ledger:
        r = row(party, fund)
        if account == PAYABLE:
            r.outstanding -= fen
            if kind == RELEASE:
                r.holdback_released -= fen
            elif kind in (PAYMENT, PAYMENT_REVERSAL):
                r.ledger_payments += fen
            else:
                r.posted -= fen
        elif account == HOLDBACK:
            r.holdback_held -= fen
            if kind != RELEASE:
                r.holdback_withheld -= fen
        elif account == FORFEITED:
            r.holdback_forfeited -= fen
    for provider, fund, status, fen in items:
        r = row(provider, fund)
        if status == "paid":
            r.paid += fen
        elif status == "sent":
            r.in_transit += fen
        elif status == "failed":
            r.failed += fen
    return [rows[k] for k in sorted(rows)]


def totals(rows: Iterable[ProviderFund]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for r in rows:
        for name in FIGURES:
            out[name] += getattr(r, name)
    return dict(out)


FIGURES = (
    "posted",
    "holdback_withheld",
    "holdback_released",
    "holdback_forfeited",
    "holdback_held",
    "paid",
    "in_transit",
    "failed",
    "outstanding",
)


def outstanding_by_provider(
    sums: Mapping[tuple[str, str], int],
) -> list[tuple[str, str, int]]:
    """(provider, fund, fen owed) for each payable with a credit balance, by provider and fund;
    a debit balance (paid more than is now owed, after a correction) is not paid again."""
    return [(p, f, -fen) for (p, f), fen in sorted(sums.items()) if fen < 0]
