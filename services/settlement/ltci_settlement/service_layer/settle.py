"""Settling a chunk of persons for a region and period, in one transaction: adjudicate every
line afresh, keep lines whose result is unchanged, reverse and replace the rest, post new lines.

Because a person's month is always re-adjudicated as a whole (caps and quotas in service-date
order), a late visit, a void or a late eligibility gives exactly the lines a first run would
have given; a rerun with nothing new changes nothing and posts nothing.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ltci_settlement.adapters.claims_repository import ClaimRepository
from ltci_settlement.adapters.ledger_repository import LedgerRepository
from ltci_settlement.domain.adjudication import LineResult, Usage, adjudicate
from ltci_settlement.domain.candidates import Candidate, units_text
from ltci_settlement.domain.ledger import (
    LineShares,
    entry,
    line_postings,
    reversal,
    stable_id,
)
from ltci_settlement.domain.reasons import TITLES, Reason
from ltci_shared.events.contracts import LiabilityPosted
from ltci_shared.money import from_fen, to_fen
from ltci_shared.policy.benefits import BenefitPolicy
from ltci_shared.uow import UnitOfWork

Row = dict[str, Any]
LTC_FUNDS = {"employee_ltc", "resident_ltc"}
KEEP_REVIEWED = {"approved", "adjusted", "rejected"}


@dataclass(frozen=True)
class RunScope:
    run_id: str
    region_code: str
    period: str
    policy_for: Callable[[date], tuple[BenefitPolicy | None, str | None]]
    sample_share: Decimal
    high_value: Decimal
    seed: str


@dataclass
class ChunkResult:
    lines_created: int = 0
    lines_pending: int = 0
    lines_reversed: int = 0
    entries_created: int = 0
    claims_touched: set[str] = field(default_factory=set)


def claim_id_for(region_code: str, provider_id: str, period: str) -> str:
    return stable_id("claim", region_code, provider_id, period)


async def settle_persons(
    uow: UnitOfWork, scope: RunScope, candidates: Mapping[str, Sequence[Candidate]]
) -> ChunkResult:
    claims_repo = ClaimRepository(uow.session)
    await claims_repo.lock_period(scope.region_code, scope.period)
    claim_ids = await claims_repo.claim_ids_of(scope.region_code, scope.period)
    existing = _by_person(await claims_repo.active_lines(claim_ids, candidates))
    usage = await _year_usage(claims_repo, scope, list(candidates))
    result, fresh, retired = ChunkResult(), [], []
    for person_id in sorted(candidates):
        adjudicated = adjudicate_person(scope, candidates[person_id], usage[person_id])
        keep, old = _diff(adjudicated, existing.get(person_id, []))
        fresh.extend(keep)
        retired.extend(old)
    await claims_repo.ensure_claims(_claims_for(scope, fresh))
    rows = await _line_rows(claims_repo, scope, fresh)
    reversals = [await reverse_line(uow, line, why, scope.run_id) for line, why in retired]
    result.lines_reversed = len(retired)
    result.entries_created = sum(reversals) + await _post(uow, scope, rows)
    await claims_repo.insert_lines(rows)  # with their entry ids: no update afterwards
    result.lines_created = len(rows)
    result.lines_pending = sum(1 for r in rows if r["outcome"] == "pending")
    result.claims_touched = {r["claim_id"] for r in rows} | {r["claim_id"] for r, _ in retired}
    await claims_repo.add_to_totals(totals_delta(rows, [line for line, _ in retired]))
    return result


def totals_delta(added: Sequence[Row], removed: Sequence[Row]) -> dict[str, dict[str, int]]:
    """What active lines added and taken out change in each claim's cached totals."""
    out: dict[str, dict[str, int]] = {}
    for sign, lines in ((1, added), (-1, removed)):
        for line in lines:
            d = out.setdefault(line["claim_id"], dict.fromkeys(_TOTALS, 0))
            d["lines"] += sign
            d["pending"] += sign * (line["outcome"] == "pending")
            d["held"] += sign * (line["review_status"] == "held")
            for name in ("billed", "fund", "person", "denied"):
                d[name] += sign * int(line[f"{name}_fen"])
    return out


_TOTALS = ("lines", "pending", "held", "billed", "fund", "person", "denied")


def _by_person(lines: Sequence[Row]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = defaultdict(list)
    for line in lines:
        out[line["person_id"]].append(line)
    return out


async def _year_usage(
    repo: ClaimRepository, scope: RunScope, persons: list[str]
) -> dict[str, Usage]:
    usage: dict[str, Usage] = defaultdict(Usage)
    year = int(scope.period[:4])
    for row in await repo.year_usage(persons, year, scope.period):
        usage[row["person_id"]].fund_year[row["service_form"]] += from_fen(int(row["fund_fen"]))
    return usage


def adjudicate_person(
    scope: RunScope, candidates: Sequence[Candidate], usage: Usage
) -> list[tuple[Candidate, LineResult]]:
    out = []
    for cand in sorted(candidates, key=lambda c: c.order):
        policy, version = scope.policy_for(cand.service.service_date)
        out.append((cand, adjudicate(policy, version, cand.service, cand.context, usage)))
    return out


def _same(line: Row, cand: Candidate, res: LineResult) -> bool:
    if line["source_revision"] != cand.source_revision:
        return False
    if line["review_status"] in KEEP_REVIEWED:
        return True
    return (
        line["outcome"] == res.outcome
        and line["reason_code"] == res.reason.value
        and line["billed_fen"] == to_fen(res.billed)
        and line["fund_fen"] == to_fen(res.fund_amount)
        and line["person_fen"] == to_fen(res.person_amount)
        and line["denied_fen"] == to_fen(res.denied)
        and line["fund"] == res.fund
        and line["policy_version"] == res.policy_version
    )


def _diff(
    adjudicated: list[tuple[Candidate, LineResult]], lines: list[Row]
) -> tuple[list[tuple[Candidate, LineResult]], list[tuple[Row, Reason]]]:
    """New lines to write, and existing lines to reverse (with why)."""
    by_key = {line["source_key"]: line for line in lines}
    fresh, retired = [], []
    for cand, res in adjudicated:
        line = by_key.pop(cand.source_key, None)
        if line is not None and _same(line, cand, res):
            continue
        if line is not None:
            retired.append((line, Reason.SUPERSEDED))
        fresh.append((cand, res))
    retired.extend((line, Reason.VOIDED) for line in by_key.values())
    return fresh, retired


def _claims_for(scope: RunScope, fresh: list[tuple[Candidate, LineResult]]) -> list[Row]:
    providers = sorted({cand.provider_id for cand, _ in fresh})
    return [
        {
            "claim_id": claim_id_for(scope.region_code, p, scope.period),
            "region_code": scope.region_code,
            "provider_id": p,
            "period": scope.period,
        }
        for p in providers
    ]


def _sampled(scope: RunScope, cand: Candidate, res: LineResult) -> bool:
    if res.fund_amount <= 0:
        return False
    if res.fund_amount >= scope.high_value:
        return True
    text = f"{scope.seed}|{cand.source_key}|{cand.source_revision}"
    draw = int(hashlib.sha256(text.encode()).hexdigest()[:12], 16) / float(16**12)
    return draw < float(scope.sample_share)


async def _line_rows(
    repo: ClaimRepository, scope: RunScope, fresh: list[tuple[Candidate, LineResult]]
) -> list[Row]:
    numbers = await repo.max_line_nos(
        {claim_id_for(scope.region_code, c.provider_id, scope.period) for c, _ in fresh}
    )
    now, rows = datetime.now(UTC), []
    for cand, res in fresh:
        claim_id = claim_id_for(scope.region_code, cand.provider_id, scope.period)
        numbers[claim_id] = numbers.get(claim_id, 0) + 1
        sampled = _sampled(scope, cand, res)
        rows.append(
            {
                "line_id": stable_id("line", claim_id, str(numbers[claim_id])),
                "claim_id": claim_id,
                "line_no": numbers[claim_id],
                "person_id": cand.person_id,
                "source_kind": cand.source_kind,
                "source_key": cand.source_key,
                "source_revision": cand.source_revision,
                "visit_id": cand.visit_id,
                "source_event_id": cand.event_id,
                "service_form": cand.service.form,
                "unit": res.unit,
                "units": units_text(res.units),
                "service_date": cand.service.service_date,
                "rate_fen": to_fen(res.rate),
                "billed_fen": to_fen(res.billed),
                "fund_fen": to_fen(res.fund_amount),
                "person_fen": to_fen(res.person_amount),
                "denied_fen": to_fen(res.denied),
                "fund": res.fund,
                "payee": res.payee,
                "outcome": res.outcome,
                "reason_code": res.reason.value,
                "reasons": [r.value for r in res.reasons],
                "explanation": res.explanation,
                "policy_version": res.policy_version,
                "assumed": res.assumed,
                "sampled": sampled,
                "review_status": "held" if sampled else "auto",
                "review_reason": None,
                "active": True,
                "entry_id": None,
                "reversal_entry_id": None,
                "run_id": scope.run_id,
                "created_at": now,
            }
        )
    return rows


async def reverse_line(
    uow: UnitOfWork, line: Row, reason: Reason, run_id: str | None, note: str = ""
) -> int:
    """Take a line out of its claim; if it was posted, post the reversal of its postings.
    Returns the number of entries written (0 or 1)."""
    claims_repo, ledger = ClaimRepository(uow.session), LedgerRepository(uow.session)
    reversal_id, written = None, 0
    if line["entry_id"] is not None:
        claim = await claims_repo.get_claim(line["claim_id"]) or {}
        postings = await ledger.postings_of_line(line["line_id"], line["entry_id"])
        made = reversal(
            line["entry_id"],
            postings,
            region_code=claim["region_code"],
            period=claim["period"],
            key=line["line_id"],
            memo=f"{reason.value} {TITLES[reason]}: line {line['line_no']} {note}".strip(),
            run_id=run_id,
        )
        written = await ledger.post([made])
        reversal_id = made.entry_id
        context = {**line, "provider_id": claim["provider_id"], "period": claim["period"]}
        await _announce(uow, context, -from_fen(int(line["fund_fen"])), made.entry_id)
    await claims_repo.update_line(
        line["line_id"],
        active=False,
        outcome="reversed",
        reason_code=reason.value,
        explanation=f"{line['explanation']} | {reason.value} {TITLES[reason]} {note}".strip(),
        reversal_entry_id=reversal_id,
    )
    return written


async def _post(uow: UnitOfWork, scope: RunScope, rows: list[Row]) -> int:
    """One balanced entry per claim, person and fund for this run's payable lines."""
    groups: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    for row in rows:
        if (
            row["review_status"] != "held"
            and row["outcome"] != "pending"
            and (row["fund_fen"] or row["person_fen"])
            and row["fund"]
        ):
            groups[(row["claim_id"], row["person_id"], row["fund"])].append(row)
    return await post_lines(
        uow,
        scope.region_code,
        scope.period,
        list(groups.values()),
        scope.run_id,
        holdback_for=lambda line: _holdback(scope, line),
        stored=False,
    )


HoldbackFor = Callable[[Row], Decimal]


async def post_lines(
    uow: UnitOfWork,
    region_code: str,
    period: str,
    groups: Sequence[Sequence[Row]],
    run_id: str | None,
    *,
    holdback_for: HoldbackFor,
    stored: bool = True,
) -> int:
    """Post each group of lines (one claim, person and fund) as one balanced entry, and
    record each line's entry: on the stored lines, or (``stored=False``, lines about to be
    inserted) on the rows themselves."""
    claims_repo, ledger = ClaimRepository(uow.session), LedgerRepository(uow.session)
    claims = {
        c["claim_id"]: c for c in await claims_repo.claims_of({g[0]["claim_id"] for g in groups})
    }
    entries, posted = [], {}
    for lines in groups:
        claim = claims[lines[0]["claim_id"]]
        postings = [
            p for line in lines for p in line_postings(_shares(line, claim), holdback_for(line))
        ]
        made = entry(
            region_code=region_code,
            kind="liability",
            source_key=f"liability:{lines[0]['line_id']}",
            period=period,
            memo=f"claim {claim['claim_id']} lines {', '.join(str(x['line_no']) for x in lines)}",
            postings=postings,
            claim_id=claim["claim_id"],
            run_id=run_id,
        )
        entries.append(made)
        posted.update({line["line_id"]: made.entry_id for line in lines})
        await _announce(
            uow,
            {**lines[0], "provider_id": claim["provider_id"], "period": period},
            sum((from_fen(int(x["fund_fen"])) for x in lines), Decimal(0)),
            made.entry_id,
        )
    count = await ledger.post(entries)
    if stored:
        await claims_repo.mark_posted(posted)
    else:
        for lines in groups:
            for line in lines:
                line["entry_id"] = posted[line["line_id"]]
    return count


def _holdback(scope: RunScope, line: Row) -> Decimal:
    policy, _ = scope.policy_for(line["service_date"])
    return policy.quality_holdback_share if policy and line["payee"] == "provider" else Decimal(0)


def _shares(line: Row, claim: Row) -> LineShares:
    return LineShares(
        line_id=line["line_id"],
        person_id=line["person_id"],
        provider_id=claim["provider_id"],
        visit_id=line["visit_id"],
        event_id=line["source_event_id"],
        fund=line["fund"],
        fund_amount=from_fen(int(line["fund_fen"])),
        person_amount=from_fen(int(line["person_fen"])),
        payee=line["payee"],
    )


async def _announce(uow: UnitOfWork, line: Row, amount: Decimal, entry_id: str) -> None:
    if line.get("fund") not in LTC_FUNDS or amount == 0:
        return
    uow.record(
        LiabilityPosted(
            journal_entry_id=entry_id,
            claim_id=line["claim_id"],
            provider_id=line.get("provider_id") or "",
            person_id=line["person_id"],
            fund=line["fund"],
            amount=amount,
            period=line.get("period") or f"{line['service_date']:%Y-%m}",
        )
    )
