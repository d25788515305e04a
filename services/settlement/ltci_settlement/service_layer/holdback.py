"""The quality holdback (质量保证金) released by the provider scorecard: care delivery's issued
scorecards kept as a read model; a release pays each provider's withheld holdback of a settled
month by the pack's release bands (the rest is forfeited to the fund).

A provider without an issued scorecard is listed as waiting and keeps its holdback; a rerun
finds the released holdback cleared and releases nothing twice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ltci_settlement.adapters.ledger_repository import LedgerRepository
from ltci_settlement.adapters.payments_repository import PaymentRepository
from ltci_settlement.adapters.policy import pack_region
from ltci_settlement.domain.facts import Period
from ltci_settlement.domain.ledger import JournalEntry, stable_id
from ltci_settlement.domain.payment_commands import ReleaseHoldback
from ltci_settlement.domain.payments import HOLDBACK, Release, release_entry, split_holdback
from ltci_settlement.service_layer.payments import settled_scope
from ltci_shared.errors import Conflict
from ltci_shared.events.contracts import ScorecardIssued
from ltci_shared.events.envelope import Envelope
from ltci_shared.money import from_fen, to_fen
from ltci_shared.policy import BenefitPolicy, PolicyBook, PolicyNotInForce
from ltci_shared.uow import UnitOfWork

Row = dict[str, Any]


class NoReleaseBands(Conflict):
    name, title = "no_release_bands", "The benefits pack defines no holdback release bands"


async def on_scorecard_issued(uow: UnitOfWork, event: ScorecardIssued, envelope: Envelope) -> None:
    """Keep the provider's score for the month (issued once; a replay writes the same row)."""
    await PaymentRepository(uow.session).upsert_scorecard(
        {
            "provider_id": event.provider_id,
            "period": event.period,
            "region_code": pack_region(event.region_code),
            "score": event.score,
            "policy_version": event.policy_version,
            "issued_at": event.issued_at,
            "event_id": envelope.id,
        }
    )


def _policy(book: PolicyBook, region: str, period: str) -> tuple[BenefitPolicy, str]:
    try:
        policy = book.in_force(region, BenefitPolicy, Period.parse(period).first)
    except PolicyNotInForce as exc:
        raise NoReleaseBands(str(exc)) from None
    if not policy.holdback_release:
        raise NoReleaseBands(f"{policy.version_id(region)} has no holdback_release bands")
    return policy, policy.version_id(region)


async def release_holdback(uow: UnitOfWork, book: PolicyBook, cmd: ReleaseHoldback) -> Row:
    """One balanced entry per provider and fund with holdback held and a scorecard issued."""
    region, period = await settled_scope(uow, book, cmd.region_code, cmd.period)
    policy, version = _policy(book, region, period)
    repo = PaymentRepository(uow.session)
    balances = await repo.balances(region, period, HOLDBACK, None)
    held = {k: -v for k, v in balances.items() if v < 0}
    cards = await repo.scores({p for p, _ in held}, period)
    sequences = await repo.release_counts(region, period)
    rows, entries, waiting = [], [], []
    for (provider_id, fund), fen in sorted(held.items()):
        card = cards.get(provider_id)
        if card is None:
            waiting.append({"provider_id": provider_id, "fund": fund, "holdback_held_fen": fen})
            continue
        score = Decimal(card["score"])
        release = split_holdback(provider_id, fund, from_fen(fen), policy.release_share(score))
        sequence = sequences.get((provider_id, fund), 0) + 1
        memo = f"holdback {period} {provider_id} {fund}: score {score}, {release.share} released"
        made = release_entry(
            release,
            region_code=region,
            period=period,
            sequence=sequence,
            memo=f"{memo} ({version})",
        )
        entries.append(made)
        rows.append(_release_row(release, region, period, sequence, card["score"], version, made))
    await LedgerRepository(uow.session).post(entries)
    await repo.add_releases(rows)
    return {
        "region_code": region,
        "period": period,
        "policy_version": version,
        "released": rows,
        "waiting": waiting,
    }


def _release_row(
    release: Release,
    region: str,
    period: str,
    sequence: int,
    score: str,
    version: str,
    made: JournalEntry,
) -> Row:
    key = (region, period, release.provider_id, release.fund, str(sequence))
    return {
        "release_id": stable_id("holdback-release", *key),
        "region_code": region,
        "period": period,
        "provider_id": release.provider_id,
        "fund": release.fund,
        "sequence": sequence,
        "score": score,
        "release_share": str(release.share),
        "withheld_fen": to_fen(release.withheld),
        "released_fen": to_fen(release.released),
        "forfeited_fen": to_fen(release.forfeited),
        "policy_version": version,
        "entry_id": made.entry_id,
        "created_at": datetime.now(UTC),
    }
