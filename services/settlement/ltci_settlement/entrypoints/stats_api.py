"""Dashboard aggregates of settlement (运营看板): fund income, liabilities and balance by month
and fund from the ledger; beneficiaries in care by grade and service form."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from ltci_settlement.adapters.policy import pack_region
from ltci_settlement.adapters.stats_repository import StatsRepository
from ltci_settlement.domain.facts import InvalidPeriod, Period
from ltci_settlement.domain.fund_stats import monthly
from ltci_shared.errors import InvalidInput, problem_responses
from ltci_shared.money import Money, from_fen
from ltci_shared.web import RuntimeDep

router = APIRouter(prefix="/stats", tags=["dashboard"])
RegionQ = Annotated[
    str | None,
    Query(
        pattern=r"^\d{6}$",
        description="a policy region (city) or a province covering its cities",
    ),
]
MONTH = r"^\d{4}-\d{2}$"
FromQ = Annotated[str | None, Query(alias="from", pattern=MONTH, description="YYYY-MM")]
ToQ = Annotated[str | None, Query(alias="to", pattern=MONTH, description="YYYY-MM")]
MAX_MONTHS = 120
DEFAULT_MONTHS = 12


class NotAPolicyRegion(InvalidInput):
    name = "not_a_policy_region"
    title = "Settlement keeps its figures by policy region"


def _region(code: str | None) -> str | None:
    """Settlement books by the policy pack's region: a county of a city is refused (asking
    for the city instead would reach past the county a client may be limited to)."""
    if code is not None and pack_region(code) != code:
        raise NotAPolicyRegion(
            f"settlement keeps figures by policy region: ask for {pack_region(code)}, "
            f"not the county {code}"
        )
    return code


class FundMonthView(BaseModel):
    region_code: str
    fund: str
    period: str
    income: Money = Field(description="contributions credited in the month (net)")
    expenses: Money = Field(description="benefits, assessment fees, subsidies (net)")
    liabilities: Money = Field(description="what the fund came to owe in the month (net)")
    outstanding: Money = Field(description="liabilities not yet paid, at the month's end")
    cash: Money = Field(description="the fund's bank account at the month's end")
    balance: Money = Field(description="income − expenses since the first posting (结余)")


class FundStats(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "region_code": "320900",
                    "period_from": "2026-01",
                    "period_to": "2026-03",
                    "items": [
                        {
                            "region_code": "320900",
                            "fund": "employee_ltc",
                            "period": "2026-03",
                            "income": "1000.00",
                            "expenses": "286.66",
                            "liabilities": "286.66",
                            "outstanding": "286.66",
                            "cash": "1000.00",
                            "balance": "713.34",
                        }
                    ],
                }
            ]
        }
    )

    region_code: str | None
    period_from: str
    period_to: str
    items: list[FundMonthView]


class CareCount(BaseModel):
    grade: int
    service_form: str
    persons: int


class InCare(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "region_code": "320900",
                    "as_of": "2026-03-31",
                    "persons": 3,
                    "items": [
                        {"grade": 3, "service_form": "home_visit", "persons": 2},
                        {"grade": 4, "service_form": "family_care", "persons": 1},
                    ],
                }
            ]
        }
    )

    region_code: str | None
    as_of: date
    persons: int = Field(description="distinct persons with an active care plan")
    items: list[CareCount]


def _months(period_from: str | None, period_to: str | None) -> tuple[Period, Period]:
    today = datetime.now(UTC).date()
    last = Period.parse(period_to) if period_to else Period(today.year, today.month)
    index = last.year * 12 + last.month - 1 - (DEFAULT_MONTHS - 1)
    first = Period.parse(period_from) if period_from else Period(index // 12, index % 12 + 1)
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    if not 1 <= span <= MAX_MONTHS:
        raise InvalidPeriod(f"from must not be after to, and at most {MAX_MONTHS} months apart")
    return first, last


@router.get(
    "/funds",
    response_model=FundStats,
    responses=problem_responses(InvalidPeriod, NotAPolicyRegion),
)
async def fund_stats(
    rt: RuntimeDep,
    region_code: RegionQ = None,
    period_from: FromQ = None,
    period_to: ToQ = None,
) -> Any:
    """Income, expenses, liabilities and balance of each fund by month (the months with
    postings from `from` to `to`; default the 12 months to this one), from the ledger's
    postings; balances are cumulative since the first posting. Without `region_code`: every
    region, each row naming its own."""
    region_code = _region(region_code)
    first, last = _months(period_from, period_to)
    low, high = str(first), str(last)
    async with rt.uow() as uow:
        sums = await StatsRepository(uow.session).ledger_sums(region_code, high)
    rows = [m for m in monthly(sums) if m.period >= low]
    items = [
        {
            "region_code": m.region_code,
            "fund": m.fund,
            "period": m.period,
            **{
                k: from_fen(getattr(m, k))
                for k in ("income", "expenses", "liabilities", "outstanding", "cash", "balance")
            },
        }
        for m in rows
    ]
    body = {"region_code": region_code, "period_from": low, "period_to": high, "items": items}
    return FundStats.model_validate(body).model_dump(mode="json")


@router.get("/beneficiaries", response_model=InCare, responses=problem_responses(NotAPolicyRegion))
async def beneficiaries(
    rt: RuntimeDep, region_code: RegionQ = None, as_of: date | None = None
) -> Any:
    """Persons in care on `as_of` (default today) by grade and service form, from the care
    plans settlement learned of (a person with two forms counts once in `persons`)."""
    region_code = _region(region_code)
    day = as_of or datetime.now(UTC).date()
    async with rt.uow() as uow:
        repo = StatsRepository(uow.session)
        items = await repo.in_care(region_code, day)
        persons = await repo.persons_in_care(region_code, day)
    body = {"region_code": region_code, "as_of": day, "persons": persons, "items": items}
    return InCare.model_validate(body).model_dump(mode="json")
