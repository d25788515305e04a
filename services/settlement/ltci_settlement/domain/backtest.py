"""Back-testing a proposed benefits version (政策回测): where it sits in the region's timeline,
the checks a pack version gets beyond its model, and the comparison of two adjudications of
the same months (baseline: the pack in force; proposed: the pack with the proposal added) by
month, fund, provider, reason code and service form, exact to the fen. Pure: no I/O."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from ltci_settlement.domain.adjudication import LineResult
from ltci_settlement.domain.candidates import Candidate
from ltci_settlement.domain.facts import Period
from ltci_shared.errors import InvalidInput
from ltci_shared.money import from_fen
from ltci_shared.policy import BenefitPolicy
from ltci_shared.policy.book import path_exists

ZERO = Decimal("0.00")
MAX_MONTHS = 12
MAX_PLACES = 6
Line = tuple[Candidate, LineResult]
Side = Literal["baseline", "proposed"]
Dimension = Literal["month", "fund", "provider", "reason", "service_form"]
DIMENSIONS: tuple[Dimension, ...] = ("month", "fund", "provider", "reason", "service_form")
POSTED_DIMENSIONS: tuple[Dimension, ...] = ("month", "fund", "provider", "service_form")


class InvalidBacktestRange(InvalidInput):
    name = "invalid_backtest_range"
    title = "Invalid back-test range"


class InvalidProposal(InvalidInput):
    name = "invalid_policy_version"
    title = "The proposed policy version does not validate"


def months(first: str, last: str) -> list[Period]:
    """The months ``first`` to ``last`` inclusive (at most ``MAX_MONTHS``)."""
    start, end = Period.parse(first), Period.parse(last)
    count = (end.year - start.year) * 12 + end.month - start.month + 1
    if count < 1:
        raise InvalidBacktestRange(f"to_period {end} is before from_period {start}")
    if count > MAX_MONTHS:
        raise InvalidBacktestRange(f"{count} months asked; at most {MAX_MONTHS} per back-test")
    out = []
    for i in range(count):
        year, month = divmod(start.month - 1 + i, 12)
        out.append(Period(start.year + year, month + 1))
    return out


def check_proposal(proposed: BenefitPolicy) -> None:
    """What pack loading checks beyond the model (every ``assumed`` path names a value), and
    that no ratio or score has more than ``MAX_PLACES`` decimals (the fund's share of an
    amount is computed exactly: an unbounded ratio could not be)."""
    errors: list[dict[str, Any]] = [
        {"loc": ["body", "proposed", "assumed", i], "msg": f"no value at '{path}'", "type": "value"}
        for i, path in enumerate(proposed.assumed)
        if not path_exists(proposed, path)
    ]
    errors.extend(
        {
            "loc": ["body", "proposed", *loc],
            "msg": f"at most {MAX_PLACES} decimals",
            "type": "value",
        }
        for loc in _long_decimals(proposed.model_dump(), [])
    )
    if errors:
        raise InvalidProposal(f"{len(errors)} error(s) in the proposed version", errors=errors)


def _long_decimals(node: object, loc: list[object]) -> Iterator[list[object]]:
    if isinstance(node, Decimal):
        exponent = node.normalize().as_tuple().exponent  # '0.850' has 2 decimals
        if isinstance(exponent, int) and exponent < -MAX_PLACES:
            yield loc
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _long_decimals(value, [*loc, key])
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _long_decimals(value, [*loc, i])


def proposed_version_id(region: str, proposed: BenefitPolicy) -> str:
    return f"{proposed.version_id(region)}~proposed"


def with_proposal(
    versions: Sequence[BenefitPolicy], proposed: BenefitPolicy
) -> tuple[BenefitPolicy, ...]:
    """The region's benefits versions as the pack would hold them with ``proposed`` added: a
    version with the same ``effective_from`` is replaced; later versions still supersede it."""
    kept = [v for v in versions if v.effective_from != proposed.effective_from]
    return tuple(sorted([*kept, proposed], key=lambda v: v.effective_from))


def timeline_lookup(
    region: str, versions: Sequence[BenefitPolicy], proposed: BenefitPolicy
) -> Callable[[date], tuple[BenefitPolicy | None, str | None]]:
    """Like month-end's ``policy_lookup`` over ``with_proposal(versions, proposed)``; lines
    under the proposal record ``<region>/benefits@<date>~proposed``."""
    timeline = with_proposal(versions, proposed)
    label = proposed_version_id(region, proposed)

    def policy_for(day: date) -> tuple[BenefitPolicy | None, str | None]:
        found = None
        for version in timeline:
            if version.effective_from <= day:
                found = version
        if found is None:
            return None, None
        return found, label if found is proposed else found.version_id(region)

    return policy_for


def timeline_notes(
    region: str, versions: Sequence[BenefitPolicy], proposed: BenefitPolicy, periods: list[Period]
) -> list[str]:
    """Where the proposal does not apply in the months asked, said plainly."""
    first, last = periods[0].first, periods[-1].last
    notes = []
    if proposed.effective_from > last:
        notes.append(
            f"the proposal takes effect on {proposed.effective_from}, after the months asked: "
            "nothing changes"
        )
    elif proposed.effective_from > first:
        notes.append(f"service dates before {proposed.effective_from} keep the pack in force")
    for v in versions:
        if proposed.effective_from < v.effective_from <= last:
            notes.append(
                f"from {v.effective_from} the pack's {v.version_id(region)} supersedes the "
                "proposal, as it would if the proposal were added to the pack"
            )
    if any(v.effective_from == proposed.effective_from for v in versions):
        notes.append(f"the proposal replaces {proposed.version_id(region)} of the pack")
    return notes


@dataclass
class Amounts:
    """A tally of lines: count, billed, fund share, individual share (个人负担), refused."""

    lines: int = 0
    billed: Decimal = ZERO
    fund_amount: Decimal = ZERO
    person_amount: Decimal = ZERO
    denied: Decimal = ZERO

    def add(self, result: LineResult) -> None:
        self.lines += 1
        self.billed += result.billed
        self.fund_amount += result.fund_amount
        self.person_amount += result.person_amount
        self.denied += result.denied

    def minus(self, other: Amounts) -> Amounts:
        return Amounts(
            self.lines - other.lines,
            self.billed - other.billed,
            self.fund_amount - other.fund_amount,
            self.person_amount - other.person_amount,
            self.denied - other.denied,
        )


@dataclass
class Posted:
    """The net fund and individual shares the ledger holds for settled lines."""

    fund_amount: Decimal = ZERO
    person_amount: Decimal = ZERO

    def add(self, other: Posted) -> None:
        self.fund_amount += other.fund_amount
        self.person_amount += other.person_amount


@dataclass
class Pair:
    """One row of the comparison: the baseline, the proposal, and lines whose result changed."""

    baseline: Amounts = field(default_factory=Amounts)
    proposed: Amounts = field(default_factory=Amounts)
    changed_lines: int = 0

    @property
    def difference(self) -> Amounts:
        return self.proposed.minus(self.baseline)


def _keys(period: str, cand: Candidate, res: LineResult) -> dict[Dimension, str]:
    return {
        "month": period,
        "fund": res.fund or "none",
        "provider": cand.provider_id,
        "reason": res.reason.value,
        "service_form": cand.service.form,
    }


def _changed(a: LineResult | None, b: LineResult | None) -> bool:
    """A line only one side has, or whose outcome, reason or amounts differ."""
    if a is None or b is None:
        return True
    fields = ("outcome", "reason", "billed", "fund_amount", "person_amount", "denied")
    return any(getattr(a, f) != getattr(b, f) for f in fields)


@dataclass
class Comparison:
    """Baseline and proposed adjudications of the same months, summed by each dimension."""

    totals: Pair = field(default_factory=Pair)
    rows: dict[Dimension, dict[str, Pair]] = field(
        default_factory=lambda: {d: defaultdict(Pair) for d in DIMENSIONS}
    )
    settled: set[str] = field(default_factory=set)
    posted: dict[Dimension, dict[str, Posted]] = field(default_factory=dict)
    posted_total: Posted | None = None

    def add_month(self, period: str, baseline: Sequence[Line], proposed: Sequence[Line]) -> None:
        """Tally one month; a changed line counts under the proposal's reason (or the
        baseline's, for a line only the baseline has)."""
        sides: tuple[tuple[Side, Sequence[Line]], ...] = (
            ("baseline", baseline),
            ("proposed", proposed),
        )
        for side, lines in sides:
            for cand, res in lines:
                for pair in self._pairs(period, cand, res):
                    getattr(pair, side).add(res)
        before = {c.source_key: (c, r) for c, r in baseline}
        after = {c.source_key: (c, r) for c, r in proposed}
        for key in sorted(before.keys() | after.keys()):
            cand, res = after[key] if key in after else before[key]
            old, new = before.get(key), after.get(key)
            if _changed(old[1] if old else None, new[1] if new else None):
                for pair in self._pairs(period, cand, res):
                    pair.changed_lines += 1

    def _pairs(self, period: str, cand: Candidate, res: LineResult) -> list[Pair]:
        keys = _keys(period, cand, res)
        return [self.totals, *(self.rows[d][keys[d]] for d in DIMENSIONS)]

    def add_posted(self, settled: Iterable[str], rows: Iterable[Mapping[str, Any]]) -> None:
        """What the ledger holds for the settled months' lines (month, fund, provider, form)."""
        self.settled = set(settled)
        self.posted = {d: defaultdict(Posted) for d in POSTED_DIMENSIONS}
        total = Posted()
        for period in self.settled:
            self.posted["month"][period] = Posted()
        for row in rows:
            keys = {
                "month": row["period"],
                "fund": row["fund"] or "none",
                "provider": row["provider_id"],
                "service_form": row["service_form"],
            }
            amount = Posted(from_fen(row["fund_fen"]), from_fen(row["person_fen"]))
            for d in POSTED_DIMENSIONS:
                self.posted[d][keys[d]].add(amount)
            total.add(amount)
        self.posted_total = total if self.settled else None

    def posted_for(self, dimension: Dimension, key: str) -> Posted | None:
        """Posted amounts of a row: none for a month not settled or for reasons (a reversed
        or TPA-adjusted line carries another reason than the adjudication gave)."""
        if dimension not in POSTED_DIMENSIONS or not self.settled:
            return None
        if dimension == "month" and key not in self.settled:
            return None
        return self.posted[dimension].get(key, Posted())
