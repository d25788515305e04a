"""Pure rules of back-testing: the months asked, where a proposal sits in the pack's timeline,
the checks a pack version gets beyond its model, and the tally of two adjudications."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from ltci_settlement.domain.adjudication import Context, LineResult, Service
from ltci_settlement.domain.backtest import (
    Comparison,
    InvalidBacktestRange,
    InvalidProposal,
    check_proposal,
    months,
    timeline_lookup,
    timeline_notes,
    with_proposal,
)
from ltci_settlement.domain.candidates import Candidate
from ltci_settlement.domain.reasons import Reason
from ltci_shared.policy import BenefitPolicy, PolicyBook

BOOK = PolicyBook.load()
PACK = BOOK.in_force("320900", BenefitPolicy, on=date(2026, 1, 1))


def version(effective_from: str, **changes: object) -> BenefitPolicy:
    return PACK.model_copy(update={"effective_from": date.fromisoformat(effective_from), **changes})


def test_months_run_across_a_year_and_are_bounded() -> None:
    assert [str(p) for p in months("2025-11", "2026-02")] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert len(months("2025-04", "2026-03")) == 12
    with pytest.raises(InvalidBacktestRange):
        months("2025-03", "2026-03")  # 13 months
    with pytest.raises(InvalidBacktestRange):
        months("2026-03", "2026-02")


def test_a_proposal_sits_in_the_timeline_as_the_pack_would_hold_it() -> None:
    later = version("2026-06-01")
    pack = (PACK, later)
    proposed = version("2026-03-01", source="proposal")
    assert with_proposal(pack, proposed) == (PACK, proposed, later)
    same_day = version("2026-06-01", source="revised")
    assert with_proposal(pack, same_day) == (PACK, same_day)

    lookup = timeline_lookup("320900", pack, proposed)
    assert lookup(date(2026, 2, 28)) == (PACK, "320900/benefits@2022-07-01")
    assert lookup(date(2026, 3, 1)) == (proposed, "320900/benefits@2026-03-01~proposed")
    assert lookup(date(2026, 6, 1)) == (later, "320900/benefits@2026-06-01")
    assert timeline_lookup("320900", pack, version("1999-01-01"))(date(1998, 1, 1)) == (
        None,
        None,
    )

    notes = timeline_notes("320900", pack, proposed, months("2026-01", "2026-07"))
    assert notes == [
        "service dates before 2026-03-01 keep the pack in force",
        "from 2026-06-01 the pack's 320900/benefits@2026-06-01 supersedes the proposal, "
        "as it would if the proposal were added to the pack",
    ]
    assert timeline_notes("320900", pack, version("2027-01-01"), months("2026-01", "2026-02"))[
        0
    ].endswith("nothing changes")


def test_assumed_paths_must_name_a_value() -> None:
    check_proposal(version("2026-03-01", assumed=["forms.1.rate", "devices"]))
    with pytest.raises(InvalidProposal) as raised:
        check_proposal(version("2026-03-01", assumed=["forms.9", "devices", "nope"]))
    assert [e["loc"][-1] for e in raised.value.extra["errors"]] == [0, 2]


def line(
    key: str, provider: str, reason: Reason, fund: str, person: str
) -> tuple[Candidate, LineResult]:
    service = Service(key=key, kind="visit", form="home_visit", service_date=date(2026, 3, 2))
    cand = Candidate(
        service, Context(grade=3, fund="employee_ltc"), "p1", provider, "visit", key, 1
    )
    billed = D(fund) + D(person)
    result = LineResult(
        outcome="paid" if reason is Reason.PAID else "reduced",
        reason=reason,
        reasons=(reason,),
        explanation="",
        unit="hour",
        units=D(1),
        rate=billed,
        billed=billed,
        fund_amount=D(fund),
        person_amount=D(person),
        denied=D("0.00"),
        fund="employee_ltc",
        payee="provider",
        policy_version=None,
        assumed=False,
    )
    return cand, result


def test_the_tally_sums_each_side_and_counts_changed_lines() -> None:
    same = line("visit:1", "a", Reason.PAID, "58.50", "6.50")
    baseline = [same, line("visit:2", "a", Reason.PAID, "87.75", "9.75")]
    proposed = [
        same,
        line("visit:2", "a", Reason.CAP_MONTH, "50.00", "47.50"),
        line("rental:9", "b", Reason.PAID, "10.00", "0.00"),  # only under the proposal
    ]
    c = Comparison()
    c.add_month("2026-03", baseline, proposed)
    diff = c.totals.difference
    assert (diff.lines, diff.fund_amount, diff.person_amount) == (1, D("-27.75"), D("37.75"))
    assert c.totals.changed_lines == 2
    assert c.rows["provider"]["a"].changed_lines == 1
    assert c.rows["provider"]["b"].baseline.lines == 0
    assert c.rows["reason"]["R111"].changed_lines == 1
    assert c.rows["reason"]["R100"].difference.fund_amount == D("-77.75")

    c.add_posted({"2026-03"}, [])
    assert c.posted_for("month", "2026-03") is not None
    assert c.posted_for("month", "2026-02") is None and c.posted_for("reason", "R100") is None
