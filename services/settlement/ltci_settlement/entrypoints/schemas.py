"""Request and response models of the settlement API, with OpenAPI examples."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ltci_shared.money import Money, NonNegativeMoney, from_fen

PeriodStr = str


def money(fen: int) -> Decimal:
    return from_fen(int(fen))


class MonthEndRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"region_code": "320900", "period": "2026-03"}]},
    )

    region_code: str = Field(pattern=r"^\d{6}$", description="city pack or county code")
    period: str = Field(pattern=r"^\d{4}-\d{2}$", description="calendar month YYYY-MM")


class RunView(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "run_id": "0b8f5a52-3c39-4cb7-9d4e-6a1f0b2c8d11",
                    "region_code": "320900",
                    "period": "2026-03",
                    "status": "completed",
                    "persons_total": 3,
                    "persons_done": 3,
                    "lines_created": 12,
                    "lines_pending": 1,
                    "lines_reversed": 0,
                    "entries_created": 9,
                    "statements_issued": 2,
                    "error": None,
                    "started_at": "2026-04-01T01:00:00Z",
                    "finished_at": "2026-04-01T01:00:03Z",
                }
            ]
        }
    )

    run_id: str
    region_code: str
    period: str
    status: str
    persons_total: int
    persons_done: int
    lines_created: int
    lines_pending: int
    lines_reversed: int
    entries_created: int
    statements_issued: int
    error: str | None
    started_at: datetime
    finished_at: datetime | None


class RunPage(BaseModel):
    items: list[RunView]
    next_cursor: str | None


class ClaimView(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "claim_id": "5d0e2b1e-8f57-5f0c-a3a1-0c2f4f1f9b77",
                    "region_code": "320900",
                    "provider_id": "prov-1",
                    "period": "2026-03",
                    "status": "adjudicated",
                    "line_count": 4,
                    "pending_count": 0,
                    "held_count": 0,
                    "billed": "357.50",
                    "fund_amount": "301.75",
                    "person_amount": "55.75",
                    "denied": "0.00",
                }
            ]
        }
    )

    claim_id: str
    region_code: str
    provider_id: str
    period: str
    status: str
    line_count: int
    pending_count: int
    held_count: int
    billed: Money
    fund_amount: Money
    person_amount: Money
    denied: Money

    @classmethod
    def of(cls, row: dict[str, Any]) -> ClaimView:
        return cls(
            **{k: row[k] for k in ("claim_id", "region_code", "provider_id", "period", "status")},
            line_count=row["line_count"],
            pending_count=row["pending_count"],
            held_count=row["held_count"],
            billed=money(row["billed_fen"]),
            fund_amount=money(row["fund_fen"]),
            person_amount=money(row["person_fen"]),
            denied=money(row["denied_fen"]),
        )


class ClaimPage(BaseModel):
    items: list[ClaimView]
    next_cursor: str | None


class LineView(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "line_no": 1,
                    "line_id": "9a3c3c61-3f0e-5d61-bb0a-0f3a6a1e2c55",
                    "claim_id": "5d0e2b1e-8f57-5f0c-a3a1-0c2f4f1f9b77",
                    "person_id": "p-1",
                    "visit_id": "v-1",
                    "source_key": "visit:v-1",
                    "service_form": "home_visit",
                    "service_date": "2026-03-02",
                    "unit": "hour",
                    "units": "1.5",
                    "rate": "65.00",
                    "billed": "97.50",
                    "fund_amount": "87.75",
                    "person_amount": "9.75",
                    "denied": "0.00",
                    "fund": "employee_ltc",
                    "payee": "provider",
                    "outcome": "paid",
                    "reason_code": "R100",
                    "reasons": ["R100"],
                    "explanation": "320900/benefits@2022-07-01: home_visit: 1.5 hour × 65.00 = 97.50; fund ratio 0.90; fund 87.75, person 9.75, denied 0.00",
                    "policy_version": "320900/benefits@2022-07-01",
                    "assumed": True,
                    "sampled": False,
                    "review_status": "auto",
                    "review_reason": None,
                    "active": True,
                    "entry_id": "1f6f0c4e-2b8a-5a43-9d3c-8e0f2a7b6c10",
                    "reversal_entry_id": None,
                }
            ]
        }
    )

    line_no: int
    line_id: str
    claim_id: str
    person_id: str
    visit_id: str | None
    source_key: str
    service_form: str
    service_date: date
    unit: str
    units: str
    rate: Money
    billed: Money
    fund_amount: Money
    person_amount: Money
    denied: Money
    fund: str | None
    payee: str
    outcome: str
    reason_code: str
    reasons: list[str]
    explanation: str
    policy_version: str | None
    assumed: bool
    sampled: bool
    review_status: str
    review_reason: str | None
    active: bool
    entry_id: str | None
    reversal_entry_id: str | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> LineView:
        plain = {k: row[k] for k in cls.model_fields if k in row}
        return cls(
            **plain,
            rate=money(row["rate_fen"]),
            billed=money(row["billed_fen"]),
            fund_amount=money(row["fund_fen"]),
            person_amount=money(row["person_fen"]),
            denied=money(row["denied_fen"]),
        )


class LinePage(BaseModel):
    items: list[LineView]
    next_cursor: str | None


class TrialBalanceRow(BaseModel):
    fund: str
    account: str
    debits: NonNegativeMoney
    credits: NonNegativeMoney
    balance: Money = Field(description="debits − credits (sum of signed postings)")


class TrialBalance(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "region_code": "320900",
                    "period": "2026-03",
                    "rows": [
                        {
                            "fund": "employee_ltc",
                            "account": "bank",
                            "debits": "1000.00",
                            "credits": "0.00",
                            "balance": "1000.00",
                        },
                        {
                            "fund": "employee_ltc",
                            "account": "contribution_income",
                            "debits": "0.00",
                            "credits": "1000.00",
                            "balance": "-1000.00",
                        },
                    ],
                    "total_debits": "1000.00",
                    "total_credits": "1000.00",
                    "balanced": True,
                    "ledger_hash": "4f2a…",
                }
            ]
        }
    )

    region_code: str
    period: str | None
    rows: list[TrialBalanceRow]
    total_debits: NonNegativeMoney
    total_credits: NonNegativeMoney
    balanced: bool
    ledger_hash: str


class AccountBalance(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "region_code": "320900",
                    "fund": "employee_ltc",
                    "account": "provider_payable",
                    "party": "prov-1",
                    "period": None,
                    "balance": "-286.66",
                }
            ]
        }
    )

    region_code: str
    fund: str
    account: str
    party: str | None
    period: str | None
    balance: Money


class PostingView(BaseModel):
    fund: str
    account: str
    party: str
    amount: Money = Field(description="debit positive, credit negative")
    claim_line_id: str | None
    visit_id: str | None
    event_id: str | None


class EntryView(BaseModel):
    entry_id: str
    region_code: str
    kind: str
    source_key: str
    period: str
    event_id: str | None
    claim_id: str | None
    run_id: str | None
    reverses_entry_id: str | None
    memo: str
    posted_at: datetime
    postings: list[PostingView]


class EntryPage(BaseModel):
    items: list[EntryView]
    next_cursor: str | None


class StatementView(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "statement_id": "c1d2e3f4-0000-5000-8000-000000000001",
                    "region_code": "320900",
                    "provider_id": "prov-1",
                    "period": "2026-03",
                    "revision": 1,
                    "amount_payable": "286.66",
                    "holdback": "15.09",
                    "person_amount": "55.75",
                    "line_count": 4,
                    "ledger_hash": "9c1b…",
                    "issued_at": "2026-04-01T01:00:03Z",
                }
            ]
        }
    )

    statement_id: str
    region_code: str
    provider_id: str
    period: str
    revision: int
    amount_payable: Money
    holdback: Money
    person_amount: Money
    line_count: int
    ledger_hash: str
    issued_at: datetime

    @classmethod
    def of(cls, row: dict[str, Any]) -> StatementView:
        plain = {k: row[k] for k in cls.model_fields if k in row}
        return cls(
            **plain,
            amount_payable=money(row["payable_fen"]),
            holdback=money(row["holdback_fen"]),
            person_amount=money(row["person_fen"]),
        )


class StatementPage(BaseModel):
    items: list[StatementView]
    next_cursor: str | None
