"""The fund ledger (基金记账) as pure values: journal entries whose postings balance per fund.

Amounts are signed: a debit is positive, a credit negative; an entry balances when the postings
of each fund sum to zero. The ``individuals`` book records what people owe providers (their
co-payments and out-of-scope items) and the assessment agency, beside the insurance funds.
Corrections never edit an entry: ``reversal`` negates postings into a new entry.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ltci_shared.money import round_half_up

INDIVIDUALS = "individuals"
_NAMESPACE = uuid.UUID("6f1d1f9e-7c1a-4f4e-9a53-2d1f3c5b8e10")


def stable_id(*parts: str) -> str:
    """A deterministic id: rebuilding from the same events gives the same ids."""
    return str(uuid.uuid5(_NAMESPACE, "|".join(parts)))


class UnbalancedEntry(ValueError):
    """A journal entry whose postings do not sum to zero for some fund (a bug, never posted)."""


@dataclass(frozen=True)
class Posting:
    fund: str
    account: str
    party: str
    amount: Decimal
    claim_line_id: str | None = None
    visit_id: str | None = None
    event_id: str | None = None


@dataclass(frozen=True)
class JournalEntry:
    entry_id: str
    region_code: str
    kind: str
    source_key: str
    period: str
    memo: str
    postings: tuple[Posting, ...]
    event_id: str | None = None
    claim_id: str | None = None
    run_id: str | None = None
    reverses_entry_id: str | None = None
    meta: dict[str, str] = field(default_factory=dict, compare=False)


def check_balanced(entry: JournalEntry) -> None:
    """Raise ``UnbalancedEntry`` unless every fund's postings in ``entry`` sum to zero."""
    if len(entry.postings) < 2:
        raise UnbalancedEntry(f"entry {entry.source_key} has fewer than two postings")
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for posting in entry.postings:
        if posting.amount == 0 or posting.amount != round_half_up(posting.amount):
            raise UnbalancedEntry(f"entry {entry.source_key}: zero or sub-fen posting")
        totals[posting.fund] += posting.amount
    unbalanced = {fund: total for fund, total in totals.items() if total != 0}
    if unbalanced:
        raise UnbalancedEntry(f"entry {entry.source_key} does not balance: {unbalanced}")


@dataclass(frozen=True)
class LineShares:
    """What one adjudicated claim line owes, for posting."""

    line_id: str
    person_id: str
    provider_id: str
    visit_id: str | None
    event_id: str | None
    fund: str
    fund_amount: Decimal
    person_amount: Decimal
    payee: str


def line_postings(line: LineShares, holdback_share: Decimal) -> list[Posting]:
    """Fund expense against the provider's payable (less the quality holdback), and the
    person's share as owed to the provider; a flat-cash line is payable to the person."""
    out: list[Posting] = []
    trace = {"claim_line_id": line.line_id, "visit_id": line.visit_id, "event_id": line.event_id}
    f, p = line.fund_amount, line.person_amount
    if f > 0:
        out.append(Posting(line.fund, "benefit_expense", "", f, **trace))
        if line.payee == "person":
            out.append(Posting(line.fund, "person_payable", line.person_id, -f, **trace))
        else:
            hold = round_half_up(f * holdback_share)
            out.append(Posting(line.fund, "provider_payable", line.provider_id, hold - f, **trace))
            if hold > 0:
                out.append(Posting(line.fund, "holdback", line.provider_id, -hold, **trace))
    if p > 0:
        out.append(Posting(INDIVIDUALS, "due_from_individual", line.person_id, p, **trace))
        out.append(Posting(INDIVIDUALS, "owed_to_provider", line.provider_id, -p, **trace))
    return out


def entry(
    *,
    region_code: str,
    kind: str,
    source_key: str,
    period: str,
    memo: str,
    postings: Sequence[Posting],
    **refs: str | None,
) -> JournalEntry:
    """A balanced entry with a deterministic id; raises ``UnbalancedEntry`` otherwise."""
    made = JournalEntry(
        entry_id=stable_id("entry", source_key),
        region_code=region_code,
        kind=kind,
        source_key=source_key,
        period=period,
        memo=memo,
        postings=tuple(postings),
        **refs,  # type: ignore[arg-type]
    )
    check_balanced(made)
    return made


def reversal(
    original_id: str,
    postings: Iterable[Posting],
    *,
    region_code: str,
    period: str,
    key: str,
    memo: str,
    run_id: str | None = None,
) -> JournalEntry:
    """The negation of ``postings`` (all or some of an entry's) as a new entry."""
    return entry(
        region_code=region_code,
        kind="reversal",
        source_key=f"reversal:{key}",
        period=period,
        memo=memo,
        postings=[replace(p, amount=-p.amount) for p in postings],
        reverses_entry_id=original_id,
        run_id=run_id,
    )


def contribution_postings(fund: str, payer: str, amount: Decimal, event_id: str) -> list[Posting]:
    """Money collected into a fund: its bank account against contribution income by payer."""
    return [
        Posting(fund, "bank", "", amount, event_id=event_id),
        Posting(fund, "contribution_income", payer, -amount, event_id=event_id),
    ]


def assessment_fee_postings(
    fund: str, person_id: str, fee: Decimal, fund_share: Decimal, event_id: str
) -> list[Posting]:
    """The fund's share of an assessment fee as expense; the rest owed by the applicant."""
    out: list[Posting] = []
    if fund_share > 0:
        out.append(Posting(fund, "assessment_fee_expense", "", fund_share, event_id=event_id))
        out.append(
            Posting(fund, "assessment_fee_payable", "assessor", -fund_share, event_id=event_id)
        )
    rest = fee - fund_share
    if rest > 0:
        out.append(Posting(INDIVIDUALS, "due_from_individual", person_id, rest, event_id=event_id))
        out.append(
            Posting(INDIVIDUALS, "assessment_fee_owed", "assessor", -rest, event_id=event_id)
        )
    return out
