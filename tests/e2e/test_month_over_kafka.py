"""A Yancheng month settled end to end on the real PostgreSQL and Kafka, with amounts worked out
by hand from the pack (shared/ltci_shared/policy/packs/320900/benefits.yaml, assessment.yaml);
then the ledger rebuilt from the topics alone equals it, and rerunning the month posts nothing
(quality.md invariants 7 and 8)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from typing import Any, NamedTuple

import pytest
from sqlalchemy import text

from .city_month import (
    CHINA,
    REGION,
    Month,
    Platform,
    build_month,
    call,
    caught_up,
    databases,
    month_end,
    new_settlement,
    platform,
    published_for_settlement,
    read_model_counts,
    running,
    settled_year,
)

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

# --- the month worked out by hand -----------------------------------------------------------
# Pack 320900/benefits@2022-07-01: institutional 80.00 a day at 70% (caps a day by grade 3/4/5:
# 50/55/60), home visits 65.00 an hour at 90%, family care 15.00 a day at 100% paid to the
# person, DEV-BED-E 11.00 a day at 85%; quality holdback 5% of each line's fund share (half-up
# to the fen). Assessment: fee 300.00, the fund's share 50%.
HOLDBACK = D("0.05")


class Figures(NamedTuple):
    """What a claim line should say."""

    fund: D
    person: D
    denied: D
    billed: D
    outcome: str
    reason: str
    unit: str
    units: str
    payee: str = "provider"


# A, grade 4, a day in the nursing home: 80.00 × 0.70 = 56.00 > the grade-4 cap 55.00, so the
# fund pays 55.00 and the person 80.00 − 55.00 = 25.00 (R110); holdback 55.00 × 5% = 2.75.
INST_DAY = Figures(D("55.00"), D("25.00"), D(0), D("80.00"), "reduced", "R110", "day", "1")
# B and C, an hour at home: 65.00 × 0.90 = 58.50, the person 6.50; holdback 2.925 → 2.93.
HOUR = Figures(D("58.50"), D("6.50"), D(0), D("65.00"), "paid", "R100", "hour", "1")
# B, 90 minutes: 65.00 × 1.5 = 97.50; × 0.90 = 87.75, the person 9.75; holdback 4.3875 → 4.39.
HOUR_AND_HALF = Figures(D("87.75"), D("9.75"), D(0), D("97.50"), "paid", "R100", "hour", "1.50")
# B on the 20th: the low face match was never accepted, the visit is not verified: refused,
# all of 65.00 denied (R300).
UNVERIFIED = Figures(D(0), D(0), D("65.00"), D("65.00"), "rejected", "R300", "hour", "1")
# C's electric bed, all 30 days of September: 11.00 × 30 = 330.00; × 0.85 = 280.50, the person
# 49.50; holdback 280.50 × 5% = 14.025 → 14.03.
BED = Figures(D("280.50"), D("49.50"), D(0), D("330.00"), "paid", "R100", "day", "30")
# D's family care, 20 certified days: 15.00 × 20 = 300.00, all from the fund, to the person.
FAMILY = Figures(D("300.00"), D(0), D(0), D("300.00"), "paid", "R100", "day", "20", "person")


def expected_lines(year: int) -> dict[str, list[tuple[str, date, Figures]]]:
    """Per provider, (person, service date, line figures) in person and date order. B's visit
    on the 12th was in the hospital stay: the reviewer rejected it, so it has no line."""

    def day(d: int) -> date:
        return date(year, 9, d)

    return {
        "IN": [("A", day(d), INST_DAY) for d in range(1, 9)],
        "HC": [
            *(("B", day(d), HOUR) for d in (2, 5, 8)),
            ("B", day(18), HOUR_AND_HALF),
            ("B", day(20), UNVERIFIED),
            ("C", day(1), BED),
            *(("C", day(d), HOUR) for d in (3, 6, 9, 12, 15)),
            ("D", day(1), FAMILY),
        ],
    }


MONEY = {"fund": "fund_amount", "person": "person_amount", "denied": "denied", "billed": "billed"}


def figures(line: dict[str, Any]) -> Figures:
    """A line of the claims API as Figures."""
    money = {k: D(line[v]) for k, v in MONEY.items()}
    return Figures(
        **money,
        outcome=line["outcome"],
        reason=line["reason_code"],
        unit=line["unit"],
        units=line["units"],
        payee=line["payee"],
    )


def holdback(fund_share: D) -> D:
    return (fund_share * HOLDBACK).quantize(D("0.01"), rounding=ROUND_HALF_UP)


# Fund shares by person: A 8 × 55.00 = 440.00 (employee fund); B 3 × 58.50 + 87.75 = 263.25
# (resident); C 5 × 58.50 + 280.50 = 573.00 (employee); D 300.00 (resident, to the person).
# Holdback: A 8 × 2.75 = 22.00; B 3 × 2.93 + 4.39 = 13.18; C 5 × 2.93 + 14.03 = 28.68.
# Provider payable (fund share less holdback): IN 440.00 − 22.00 = 418.00; HC from B
# 263.25 − 13.18 = 250.07 and from C 573.00 − 28.68 = 544.32, together 794.39.
# Persons' shares: A 8 × 25.00 = 200.00; B 3 × 6.50 + 9.75 = 29.25; C 5 × 6.50 + 49.50 = 82.00.
# Assessment fees (posted in August): each of the 4 persons 300.00, 150.00 from their fund
# (2 employee, 2 resident) and 150.00 owed by the person.
TRIAL_BALANCE = [
    # fund, account, debits, credits
    ("employee_ltc", "assessment_fee_expense", "300.00", "0.00"),  # 2 × 150.00
    ("employee_ltc", "assessment_fee_payable", "0.00", "300.00"),
    ("employee_ltc", "benefit_expense", "1013.00", "0.00"),  # A 440.00 + C 573.00
    ("employee_ltc", "holdback", "0.00", "50.68"),  # A 22.00 + C 28.68
    ("employee_ltc", "provider_payable", "0.00", "962.32"),  # IN 418.00 + HC 544.32
    ("individuals", "assessment_fee_owed", "0.00", "600.00"),  # 4 × 150.00
    # fees 600.00 + A 200.00 + B 29.25 + C 82.00
    ("individuals", "due_from_individual", "911.25", "0.00"),
    ("individuals", "owed_to_provider", "0.00", "311.25"),  # IN 200.00 + HC 111.25
    ("resident_ltc", "assessment_fee_expense", "300.00", "0.00"),
    ("resident_ltc", "assessment_fee_payable", "0.00", "300.00"),
    ("resident_ltc", "benefit_expense", "563.25", "0.00"),  # B 263.25 + D 300.00
    ("resident_ltc", "holdback", "0.00", "13.18"),  # B
    ("resident_ltc", "person_payable", "0.00", "300.00"),  # D's family-care allowance
    ("resident_ltc", "provider_payable", "0.00", "250.07"),  # HC for B
]


@dataclass
class Settled:
    platform: Platform
    month: Month
    runs: dict[str, dict[str, Any]]
    inbox: list[dict[str, Any]]
    prefix: str
    bootstrap: str
    new_db: Any

    @property
    def settlement(self) -> Any:
        return self.platform.clients["settlement"]

    def key_of(self, person_id: str) -> str:
        return next(k for k, v in self.month.persons.items() if v == person_id)


@pytest.fixture(scope="module")
async def settled(kafka_bootstrap: str) -> AsyncIterator[Settled]:
    """The month built through the APIs, every event applied by settlement from Kafka, then
    August (the assessment fees) and September settled."""
    prefix = f"t{uuid.uuid4().hex[:10]}"
    async with databases() as new_db, platform(new_db, kafka_bootstrap, prefix) as p:
        m = await build_month(p, settled_year(datetime.now(CHINA).date()))
        inbox = await caught_up(
            p.apps["settlement"],
            lambda: published_for_settlement(p.producers),
            "settlement has applied every event the other services published",
        )
        s = p.clients["settlement"]
        runs = {
            m.assessed_period: await month_end(s, m.assessed_period, "month-end-aug"),
            m.period: await month_end(s, m.period, "month-end-sep"),
        }
        yield Settled(p, m, runs, inbox, prefix, kafka_bootstrap, new_db)


async def trial_balance(client: Any, period: str) -> dict[str, Any]:
    return dict(
        await call(client, "GET", "/ledger/trial-balance", region_code=REGION, period=period)
    )


async def claims_of(client: Any, period: str) -> list[dict[str, Any]]:
    page = await call(client, "GET", "/claims", region_code=REGION, period=period, limit=50)
    assert page["next_cursor"] is None
    return list(page["items"])


async def statements_of(client: Any, period: str) -> list[dict[str, Any]]:
    """The period's statements without their issue time."""
    page = await call(client, "GET", "/statements", region_code=REGION, period=period, limit=50)
    assert page["next_cursor"] is None
    return [{k: v for k, v in x.items() if k != "issued_at"} for x in page["items"]]


async def test_a_month_settles_end_to_end_over_kafka_to_the_fen(settled: Settled) -> None:
    m, s = settled.month, settled.settlement
    # Every event reached settlement through the broker (topic, partition and offset kept).
    assert settled.inbox and all(
        r["topic"].startswith(f"{settled.prefix}.") and r["offset"] is not None
        for r in settled.inbox
    )
    # Care delivery after the review: 17 verified, the stay visit rejected, one still pending.
    statuses = {
        ext: (await call(settled.platform.clients["care-delivery"], "GET", f"/visits/{vid}"))[
            "status"
        ]
        for ext, vid in m.visits.items()
    }
    assert statuses.pop("B-12") == "rejected" and statuses.pop("B-20") == "pending"
    assert set(statuses.values()) == {"verified"} and len(statuses) == 17

    aug, sep = settled.runs[m.assessed_period], settled.runs[m.period]
    assert (aug["lines_created"], aug["entries_created"], aug["statements_issued"]) == (0, 4, 0)
    # 20 lines; one entry per claim, person and fund (A, B, C, D); a statement per provider.
    assert (sep["persons_total"], sep["lines_created"], sep["lines_pending"]) == (4, 20, 0)
    assert (sep["lines_reversed"], sep["entries_created"], sep["statements_issued"]) == (0, 4, 2)

    claims = {c["provider_id"]: c for c in await claims_of(s, m.period)}
    assert set(claims) == {m.providers["IN"], m.providers["HC"]}
    expected = expected_lines(m.year)
    for provider, rows in expected.items():
        claim = claims[m.providers[provider]]
        page = await call(s, "GET", f"/claims/{claim['claim_id']}/lines", limit=100)
        got = sorted(
            (settled.key_of(x["person_id"]), date.fromisoformat(x["service_date"]), figures(x))
            for x in page["items"]
        )
        assert got == sorted(rows), provider
        assert all(x["policy_version"] == f"{REGION}/benefits@2022-07-01" for x in page["items"])
        assert all(
            x["active"] and x["entry_id"] for x in page["items"] if x["fund_amount"] != "0.00"
        )
        # The claim's totals are its lines' sums.
        totals = [sum((getattr(f, k) for _, _, f in rows), D(0)) for k in MONEY]
        assert [D(claim[k]) for k in MONEY.values()] == totals
        assert (claim["line_count"], claim["pending_count"], claim["status"]) == (
            len(rows),
            0,
            "adjudicated",
        )
    # IN: fund 440.00, persons 200.00, billed 8 × 80.00 = 640.00.
    assert [
        D(claims[m.providers["IN"]][k]) for k in ("fund_amount", "person_amount", "billed")
    ] == [
        D("440.00"),
        D("200.00"),
        D("640.00"),
    ]
    # HC: fund 263.25 + 573.00 + 300.00 = 1136.25; persons 29.25 + 82.00 = 111.25; denied 65.00;
    # billed 4 × 65.00 + 97.50 + 5 × 65.00 + 330.00 + 300.00 = 1312.50 (= 1136.25 + 111.25 + 65).
    hc = claims[m.providers["HC"]]
    assert [D(hc[k]) for k in ("fund_amount", "person_amount", "denied", "billed")] == [
        D("1136.25"),
        D("111.25"),
        D("65.00"),
        D("1312.50"),
    ]
    # Holdback line by line, half-up: HC 3 × 2.93 + 4.39 + 5 × 2.93 + 14.03 = 41.86.
    to_provider = [f.fund for _, _, f in expected["HC"] if f.payee == "provider"]
    assert sum(map(holdback, to_provider), D(0)) == D("41.86")

    got_statements = {
        x["provider_id"]: (x["amount_payable"], x["holdback"], x["person_amount"], x["line_count"])
        for x in await statements_of(s, m.period)
    }
    assert got_statements == {
        m.providers["IN"]: ("418.00", "22.00", "200.00", 8),
        m.providers["HC"]: ("794.39", "41.86", "111.25", 12),
    }

    tb = await trial_balance(s, m.period)
    accounts = [(r["fund"], r["account"], r["debits"], r["credits"]) for r in tb["rows"]]
    assert accounts == TRIAL_BALANCE
    assert (tb["total_debits"], tb["total_credits"], tb["balanced"]) == ("3087.50", "3087.50", True)
    by_fund: dict[str, D] = {}
    for r in tb["rows"]:
        by_fund[r["fund"]] = by_fund.get(r["fund"], D(0)) + D(r["balance"])
    assert by_fund == {"employee_ltc": 0, "individuals": 0, "resident_ltc": 0}
    # Conservation: liabilities posted = the approved fund shares of the claims, to the fen.
    expense = sum((D(r["debits"]) for r in tb["rows"] if r["account"] == "benefit_expense"), D(0))
    assert expense == sum((D(c["fund_amount"]) for c in claims.values()), D(0)) == D("1576.25")

    # Balances by party: each provider's payable and holdback, each person's share.
    async def balance(fund: str, account: str, party: str) -> str:
        found = await call(
            s,
            "GET",
            "/ledger/balance",
            region_code=REGION,
            fund=fund,
            account=account,
            party=party,
            period=m.period,
        )
        return str(found["balance"])

    p, who = m.providers, m.persons
    assert await balance("employee_ltc", "provider_payable", p["IN"]) == "-418.00"
    assert await balance("employee_ltc", "provider_payable", p["HC"]) == "-544.32"
    assert await balance("resident_ltc", "provider_payable", p["HC"]) == "-250.07"
    assert await balance("employee_ltc", "holdback", p["IN"]) == "-22.00"
    assert await balance("employee_ltc", "holdback", p["HC"]) == "-28.68"
    assert await balance("resident_ltc", "holdback", p["HC"]) == "-13.18"
    assert await balance("resident_ltc", "person_payable", who["D"]) == "-300.00"
    for key, share in (("A", "200.00"), ("B", "29.25"), ("C", "82.00")):
        assert await balance("individuals", "due_from_individual", who[key]) == share
    assert await balance("individuals", "due_from_individual", who["D"]) == "0.00"


async def test_rebuilding_from_the_topics_gives_the_same_ledger(settled: Settled) -> None:
    m, first = settled.month, settled.settlement
    before = await trial_balance(first, m.period)
    first_claims = await claims_of(first, m.period)
    first_statements = await statements_of(first, m.period)
    # A second settlement on an empty database, in a consumer group of its own: it reads
    # every topic from the beginning; its relay is off, so it publishes nothing again.
    app = new_settlement(
        await settled.new_db(),
        settled.bootstrap,
        settled.prefix,
        kafka_group_prefix=f"{settled.prefix}-rebuild",
        relay_enabled=False,
    )
    wanted = {r["event_id"] for r in settled.inbox}

    async def same_events() -> set[str]:
        return wanted

    async with running(app, "settlement-rebuild") as rebuilt:
        await caught_up(app, same_events, "the rebuilt settlement has read every topic")
        counts = await read_model_counts(app)
        assert counts == await read_model_counts(settled.platform.apps["settlement"])
        assert counts["visits"] == 19 and counts["visit_voids"] == 1 and counts["rentals"] == 1
        await month_end(rebuilt, m.assessed_period, "rebuild-aug")
        run = await month_end(rebuilt, m.period, "rebuild-sep")
        assert (run["lines_created"], run["entries_created"]) == (20, 4)
        after = await trial_balance(rebuilt, m.period)
        assert after["ledger_hash"] == before["ledger_hash"]
        assert after["rows"] == before["rows"]
        assert await claims_of(rebuilt, m.period) == first_claims
        assert await statements_of(rebuilt, m.period) == first_statements
        async with app.state.runtime.uow() as uow:
            unsent = await uow.session.execute(text("SELECT count(*), count(sent_at) FROM outbox"))
            recorded, sent = unsent.one()
        assert recorded > 0 and sent == 0, "the rebuilt copy recorded its events, sent none"
    # Rerunning both months on the first settlement posts nothing and changes no line.
    for period in (m.assessed_period, m.period):
        again = await month_end(first, period, f"month-end-again-{period}")
        changed = ("lines_created", "lines_reversed", "entries_created", "statements_issued")
        assert [again[k] for k in changed] == [0, 0, 0, 0], again
    assert (await trial_balance(first, m.period))["ledger_hash"] == before["ledger_hash"]
