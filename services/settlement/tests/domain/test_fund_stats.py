"""Fund figures by month folded from ledger sums: classes of accounts, cumulative balances,
the individuals book left out."""

from __future__ import annotations

from ltci_settlement.domain.fund_stats import FundMonth, kind_of, monthly


def test_accounts_are_classed_by_their_names() -> None:
    assert [
        kind_of(a)
        for a in (
            "contribution_income",
            "benefit_expense",
            "premium_subsidy_expense",
            "provider_payable",
            "holdback",
            "bank",
            "due_from_individual",
        )
    ] == ["income", "expense", "expense", "liability", "liability", "cash", "other"]


def test_months_fold_into_cumulative_balances_per_fund() -> None:
    sums = [
        ("320900", "employee_ltc", "2026-01", "bank", 20_000),
        ("320900", "employee_ltc", "2026-01", "contribution_income", -20_000),
        ("320900", "employee_ltc", "2026-03", "bank", 100_000),
        ("320900", "employee_ltc", "2026-03", "contribution_income", -100_000),
        ("320900", "employee_ltc", "2026-03", "benefit_expense", 14_625),
        ("320900", "employee_ltc", "2026-03", "provider_payable", -13_893),
        ("320900", "employee_ltc", "2026-03", "holdback", -732),
        ("320900", "individuals", "2026-03", "due_from_individual", 1_625),
        ("320900", "individuals", "2026-03", "owed_to_provider", -1_625),
        ("320900", "resident_ltc", "2026-03", "person_payable", -39_000),
        ("320900", "resident_ltc", "2026-03", "benefit_expense", 39_000),
    ]
    assert monthly(sums) == [
        FundMonth("320900", "employee_ltc", "2026-01", 20_000, 0, 0, 0, 20_000, 20_000),
        FundMonth("320900", "employee_ltc", "2026-03", 100_000, 14_625, 14_625, 14_625, 120_000,
                  105_375),
        FundMonth("320900", "resident_ltc", "2026-03", 0, 39_000, 39_000, 39_000, 0, -39_000),
    ]  # fmt: skip


def test_a_reversal_lowers_the_month_and_regions_run_apart() -> None:
    sums = [
        ("320400", "resident_ltc", "2026-02", "benefit_expense", 5_000),
        ("320400", "resident_ltc", "2026-02", "provider_payable", -5_000),
        ("320400", "resident_ltc", "2026-03", "benefit_expense", -2_000),
        ("320400", "resident_ltc", "2026-03", "provider_payable", 2_000),
        ("320900", "resident_ltc", "2026-03", "bank", 700),
        ("320900", "resident_ltc", "2026-03", "contribution_income", -700),
    ]
    rows = monthly(sums)
    assert [(r.region_code, r.period, r.expenses, r.outstanding, r.balance) for r in rows] == [
        ("320400", "2026-02", 5_000, 5_000, -5_000),
        ("320400", "2026-03", -2_000, 3_000, -3_000),
        ("320900", "2026-03", 0, 0, 700),
    ]
