"""Request and response models of back-testing a proposed benefits version, with examples."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ltci_settlement.adapters.policy import policy_book
from ltci_settlement.domain import backtest as d
from ltci_settlement.domain.reasons import TITLES, Reason
from ltci_settlement.service_layer.backtest import MAX_LINES, BacktestReport
from ltci_shared.money import Money
from ltci_shared.policy import BenefitPolicy


def _proposal_example() -> dict[str, Any]:
    """Yancheng's benefits version in force, home visits raised from 65 to 70 元 an hour."""
    current = policy_book().in_force("320900", BenefitPolicy, on=date(2026, 1, 1))
    body = current.model_dump(mode="json", exclude_defaults=True)
    body["effective_from"] = "2026-01-01"
    body["source"] = "proposal 2026-01: home visits 70 元/h (was 65); other figures unchanged"
    for form in body["forms"]:
        if form["form"] == "home_visit":
            form["rate"] = "70.00"
    return body


def _ex(lines: int, billed: str, fund: str, person: str) -> dict[str, Any]:
    return {
        "lines": lines,
        "billed": billed,
        "fund_amount": fund,
        "person_amount": person,
        "denied": "0.00",
    }


class BacktestRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "region_code": "320900",
                    "from_period": "2026-01",
                    "to_period": "2026-03",
                    "label": "home visits 70 元/h",
                    "proposed": _proposal_example(),
                }
            ]
        },
    )

    region_code: str = Field(pattern=r"^\d{6}$", description="city pack or county code")
    from_period: str = Field(pattern=r"^\d{4}-\d{2}$", description="first month, YYYY-MM")
    to_period: str = Field(
        pattern=r"^\d{4}-\d{2}$", description=f"last month, YYYY-MM (at most {d.MAX_MONTHS})"
    )
    label: str | None = Field(default=None, max_length=200, description="a name for the proposal")
    proposed: BenefitPolicy = Field(
        description="a benefits section version, as in the pack's benefits.yaml `versions` "
        "(validated with the same models; ratios and amounts as quoted decimals). It is placed "
        "in the region's timeline as the pack would hold it: from its effective_from until "
        "the pack's next version; a version with the same date is replaced."
    )


class Amounts(BaseModel):
    lines: int
    billed: Money
    fund_amount: Money = Field(description="fund share (基金支付)")
    person_amount: Money = Field(description="individual share (个人负担)")
    denied: Money = Field(description="refused: neither the fund's nor the person's")

    @classmethod
    def of(cls, a: d.Amounts) -> Amounts:
        return cls(
            lines=a.lines,
            billed=a.billed,
            fund_amount=a.fund_amount,
            person_amount=a.person_amount,
            denied=a.denied,
        )


class PostedAmounts(BaseModel):
    fund_amount: Money
    person_amount: Money


class Compared(BaseModel):
    baseline: Amounts = Field(description="the pack in force, recomputed now")
    proposed: Amounts = Field(description="the pack with the proposal added")
    difference: Amounts = Field(description="proposed − baseline")
    changed_lines: int = Field(description="lines whose outcome, reason or amounts differ")
    posted: PostedAmounts | None = Field(
        default=None, description="what the ledger holds for the settled months; null if none"
    )

    @staticmethod
    def fields(pair: d.Pair, posted: d.Posted | None) -> dict[str, Any]:
        return {
            "baseline": Amounts.of(pair.baseline),
            "proposed": Amounts.of(pair.proposed),
            "difference": Amounts.of(pair.difference),
            "changed_lines": pair.changed_lines,
            "posted": PostedAmounts(
                fund_amount=posted.fund_amount, person_amount=posted.person_amount
            )
            if posted is not None
            else None,
        }


class MonthRow(Compared):
    period: str
    settled: bool


class FundRow(Compared):
    fund: str


class ProviderRow(Compared):
    provider_id: str


class ReasonRow(Compared):
    reason_code: str
    title: str


class FormRow(Compared):
    service_form: str


class Limits(BaseModel):
    max_months: int
    max_lines: int


class BacktestView(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "region_code": "320900",
                    "from_period": "2026-03",
                    "to_period": "2026-03",
                    "label": "home visits 70 元/h",
                    "proposed_version": "320900/benefits@2026-01-01~proposed",
                    "baseline_versions": ["320900/benefits@2022-07-01"],
                    "proposed_versions": ["320900/benefits@2026-01-01~proposed"],
                    "notes": [],
                    "settled_periods": ["2026-03"],
                    "limits": {"max_months": 12, "max_lines": MAX_LINES},
                    "totals": {
                        "baseline": _ex(2, "162.50", "146.25", "16.25"),
                        "proposed": _ex(2, "175.00", "157.50", "17.50"),
                        "difference": _ex(0, "12.50", "11.25", "1.25"),
                        "changed_lines": 2,
                        "posted": {"fund_amount": "146.25", "person_amount": "16.25"},
                    },
                    "by_month": [],
                    "by_fund": [],
                    "by_provider": [],
                    "by_reason": [],
                    "by_service_form": [],
                }
            ]
        }
    )

    region_code: str
    from_period: str
    to_period: str
    label: str | None
    proposed_version: str = Field(description="the id lines under the proposal record")
    baseline_versions: list[str] = Field(description="pack versions the baseline applied")
    proposed_versions: list[str] = Field(description="versions the proposed side applied")
    notes: list[str] = Field(description="where the proposal does not apply, said plainly")
    settled_periods: list[str] = Field(description="months with a completed month-end run")
    limits: Limits
    totals: Compared
    by_month: list[MonthRow]
    by_fund: list[FundRow]
    by_provider: list[ProviderRow]
    by_reason: list[ReasonRow] = Field(description="by the line's primary reason code")
    by_service_form: list[FormRow]

    @classmethod
    def of(cls, report: BacktestReport, label: str | None) -> BacktestView:
        c = report.comparison

        def rows(dim: d.Dimension) -> list[tuple[str, dict[str, Any]]]:
            found = c.rows[dim]
            return [(k, Compared.fields(found[k], c.posted_for(dim, k))) for k in sorted(found)]

        months = {**dict.fromkeys(report.periods), **dict(rows("month"))}
        return cls(
            region_code=report.region_code,
            from_period=report.periods[0],
            to_period=report.periods[-1],
            label=label,
            proposed_version=report.proposed_version,
            baseline_versions=report.versions["baseline"],
            proposed_versions=report.versions["proposed"],
            notes=report.notes,
            settled_periods=sorted(c.settled),
            limits=Limits(max_months=d.MAX_MONTHS, max_lines=MAX_LINES),
            totals=Compared(**Compared.fields(c.totals, c.posted_total)),
            by_month=[
                MonthRow(
                    period=p,
                    settled=p in c.settled,
                    **(f or Compared.fields(d.Pair(), c.posted_for("month", p))),
                )
                for p, f in months.items()
            ],
            by_fund=[FundRow(fund=k, **f) for k, f in rows("fund")],
            by_provider=[ProviderRow(provider_id=k, **f) for k, f in rows("provider")],
            by_reason=[
                ReasonRow(reason_code=k, title=TITLES[Reason(k)], **f) for k, f in rows("reason")
            ],
            by_service_form=[FormRow(service_form=k, **f) for k, f in rows("service_form")],
        )
