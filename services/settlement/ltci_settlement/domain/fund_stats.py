"""Fund figures by month (基金收支结余): income, expenses, liabilities and balance folded from
the ledger's postings, as the operators' dashboard shows them.

Per fund and month, net of reversals: ``income`` is what its income accounts were credited
(contributions), ``expenses`` what its expense accounts were debited (benefits, assessment fees,
premium subsidies), ``liabilities`` what it came to owe (the net credit to its payable accounts
and the quality holdback). Cumulative to the month's end: ``outstanding`` liabilities not yet
paid, ``cash`` in the bank, and ``balance`` = income − expenses since the first posting (the
fund's net assets: cash − outstanding). The ``individuals`` book is not a fund.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ltci_settlement.domain.ledger import INDIVIDUALS


def kind_of(account: str) -> str:
    """The account's class: income, expense, liability, cash or other."""
    if account.endswith("_income"):
        return "income"
    if account.endswith("_expense"):
        return "expense"
    if account.endswith("_payable") or account == "holdback":
        return "liability"
    return "cash" if account == "bank" else "other"


@dataclass(frozen=True)
class FundMonth:
    """One fund's month; amounts in fen (see the module docstring for each figure)."""

    region_code: str
    fund: str
    period: str
    income: int
    expenses: int
    liabilities: int
    outstanding: int
    cash: int
    balance: int


@dataclass
class _Running:
    income: int = 0
    expenses: int = 0
    liabilities: int = 0
    cash: int = 0


def monthly(sums: Iterable[tuple[str, str, str, str, int]]) -> list[FundMonth]:
    """Fold ``(region_code, fund, period, account, signed fen)`` sums into one row per fund and
    month with postings, ordered by region, fund and month."""
    months: dict[tuple[str, str, str], _Running] = defaultdict(_Running)
    for region, fund, period, account, fen in sums:
        if fund == INDIVIDUALS:
            continue
        month = months[(region, fund, period)]
        kind = kind_of(account)
        if kind == "income":
            month.income -= fen
        elif kind == "expense":
            month.expenses += fen
        elif kind == "liability":
            month.liabilities -= fen
        elif kind == "cash":
            month.cash += fen
    out: list[FundMonth] = []
    total: dict[tuple[str, str], _Running] = defaultdict(_Running)
    for (region, fund, period), month in sorted(months.items()):
        run = total[(region, fund)]
        run.income += month.income
        run.expenses += month.expenses
        run.liabilities += month.liabilities
        run.cash += month.cash
        out.append(
            FundMonth(
                region_code=region,
                fund=fund,
                period=period,
                income=month.income,
                expenses=month.expenses,
                liabilities=month.liabilities,
                outstanding=run.liabilities,
                cash=run.cash,
                balance=run.income - run.expenses,
            )
        )
    return out
