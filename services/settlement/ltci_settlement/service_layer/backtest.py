"""Back-testing a proposed benefits version (政策回测) over past months of a region: each month is
read as month-end reads it, adjudicated under the pack in force (baseline, recomputed) and under
the pack with the proposal added, and compared. Nothing is written: no claim, no journal entry,
no event. Bounded: at most 12 months and ``MAX_LINES`` lines a back-test."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ltci_settlement.adapters.backtest_repository import BacktestRepository
from ltci_settlement.adapters.claims_repository import ClaimRepository
from ltci_settlement.domain.adjudication import Usage
from ltci_settlement.domain.backtest import (
    Comparison,
    Line,
    Side,
    check_proposal,
    months,
    proposed_version_id,
    timeline_lookup,
    timeline_notes,
)
from ltci_settlement.domain.candidates import Candidate
from ltci_settlement.domain.facts import Period
from ltci_settlement.service_layer.month_end import (
    PolicyLookup,
    month_candidates,
    policy_lookup,
    read_month,
    resolve_region,
)
from ltci_settlement.service_layer.settle import RunScope, adjudicate_person
from ltci_shared.errors import InvalidInput
from ltci_shared.money import from_fen
from ltci_shared.policy import BenefitPolicy, PolicyBook
from ltci_shared.uow import UnitOfWork

MAX_LINES = 50_000
"""Visits, plans and rentals read over all the months of one back-test (each adjudicated
twice); above it the request is refused: ask for fewer months."""


class BacktestTooLarge(InvalidInput):
    name = "backtest_too_large"
    title = "Back-test too large"


@dataclass(frozen=True)
class BacktestReport:
    region_code: str
    periods: list[str]
    proposed_version: str
    versions: dict[Side, list[str]]
    notes: list[str]
    comparison: Comparison


async def run_backtest(
    uow: UnitOfWork,
    book: PolicyBook,
    region_code: str,
    first: str,
    last: str,
    proposed: BenefitPolicy,
) -> BacktestReport:
    """Compare the months ``first``..``last`` under the pack and under the proposal."""
    region = resolve_region(book, region_code)
    periods = months(first, last)
    check_proposal(proposed)
    pack = book.versions(region, BenefitPolicy)
    lookups: dict[Side, PolicyLookup] = {
        "baseline": policy_lookup(book, region),
        "proposed": timeline_lookup(region, pack, proposed),
    }
    usage, comparison, read = _YearUsage(ClaimRepository(uow.session), periods[0]), Comparison(), 0
    versions: dict[Side, set[str]] = {"baseline": set(), "proposed": set()}
    for period in periods:
        rows = await read_month(uow, book, region, period)
        read += len(rows.visits) + len(rows.plans) + len(rows.rentals)
        if read > MAX_LINES:
            raise BacktestTooLarge(f"more than {MAX_LINES} lines by {period}: ask fewer months")
        if period.year == periods[0].year:
            await usage.load(rows.persons)
        results: dict[Side, list[Line]] = {}
        for side, lookup in lookups.items():
            candidates = month_candidates(book, region, rows, lookup)
            results[side] = usage.adjudicate(side, _scope(region, period, lookup), candidates)
            versions[side] |= {r.policy_version for _, r in results[side] if r.policy_version}
        comparison.add_month(str(period), results["baseline"], results["proposed"])
    await _posted(BacktestRepository(uow.session), region, periods, comparison)
    return BacktestReport(
        region_code=region,
        periods=[str(p) for p in periods],
        proposed_version=proposed_version_id(region, proposed),
        versions={side: sorted(found) for side, found in versions.items()},
        notes=timeline_notes(region, pack, proposed, periods),
        comparison=comparison,
    )


def _scope(region: str, period: Period, lookup: PolicyLookup) -> RunScope:
    """A month-end scope that only adjudicates: no run, no sampling."""
    return RunScope(
        run_id="backtest",
        region_code=region,
        period=str(period),
        policy_for=lookup,
        sample_share=Decimal(0),
        high_value=Decimal(0),
        seed="backtest",
    )


async def _posted(
    repo: BacktestRepository, region: str, periods: Sequence[Period], comparison: Comparison
) -> None:
    settled = await repo.settled_periods(region, [str(p) for p in periods])
    rows = await repo.posted(region, sorted(settled)) if settled else []
    comparison.add_posted(settled, rows)


class _YearUsage:
    """Fund paid in the year per person and form, for per-year caps, kept per side: the year's
    months before the back-test as month-end counts them (active lines of earlier periods),
    then each side's own results month by month."""

    def __init__(self, repo: ClaimRepository, first: Period) -> None:
        self._repo, self._first = repo, first
        self._paid: dict[tuple[Side, str, int], dict[str, Decimal]] = {}
        self._loaded: set[str] = set()

    async def load(self, persons: Iterable[str]) -> None:
        fresh = set(persons) - self._loaded
        self._loaded |= fresh
        year = self._first.year
        for row in await self._repo.year_usage(fresh, year, str(self._first)) if fresh else []:
            for side in ("baseline", "proposed"):
                paid = self._paid.setdefault((side, row["person_id"], year), defaultdict(Decimal))
                paid[row["service_form"]] += from_fen(int(row["fund_fen"]))

    def adjudicate(
        self, side: Side, scope: RunScope, candidates: dict[str, list[Candidate]]
    ) -> list[Line]:
        """Every person's lines of the month, in month-end's order, with their year usage."""
        year, out = int(scope.period[:4]), []
        for person in sorted(candidates):
            usage = Usage()
            usage.fund_year.update(self._paid.get((side, person, year), {}))
            out.extend(adjudicate_person(scope, candidates[person], usage))
            self._paid[(side, person, year)] = dict(usage.fund_year)
        return out
