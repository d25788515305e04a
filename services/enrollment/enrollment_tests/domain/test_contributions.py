"""Charges per member and payer come from the policy data, never from code."""

from datetime import date
from decimal import Decimal

from ltci_enrollment.domain.contributions import Charge, charges_for
from ltci_shared.policy import ContributionPolicy, PolicyBook

BOOK = PolicyBook.load()


def _policy(region: str, day: date) -> ContributionPolicy:
    return BOOK.in_force(region, ContributionPolicy, day)


def test_yancheng_employee_shares_follow_the_pack() -> None:
    charges = charges_for(
        _policy("320900", date(2026, 1, 1)),
        scheme="employee",
        birth_date=date(1960, 5, 1),
        year=2026,
        categories=set(),
    )
    assert charges == [
        Charge("individual", "employee_ltc", "personal_account", Decimal("30.00")),
        Charge("basic_medical_fund", "employee_ltc", "pooled_fund_transfer", Decimal("30.00")),
        Charge("fiscal", "employee_ltc", "budget", Decimal("30.00")),
    ]


def test_changzhou_recipients_premium_is_paid_by_government() -> None:
    policy = _policy("320400", date(2026, 1, 1))
    plain = charges_for(
        policy, scheme="resident", birth_date=date(1950, 1, 1), year=2026, categories=set()
    )
    recipient = charges_for(
        policy, scheme="resident", birth_date=date(1950, 1, 1), year=2026, categories={"dibao"}
    )
    assert [(c.payer, c.amount) for c in plain] == [("individual", Decimal("380.00"))]
    assert [(c.payer, c.amount) for c in recipient] == [("assistance_subsidy", Decimal("380.00"))]


def test_age_bands_pick_the_line_for_the_age_reached_in_the_year() -> None:
    policy = ContributionPolicy.model_validate(
        {
            "effective_from": "2021-01-01",
            "source": "Chengdu residents 2021 (domain.md §3)",
            "resident": {
                "lines": [
                    {
                        "payer": "individual",
                        "fund": "resident_ltc",
                        "amount": "25.00",
                        "channel": "with_resident_premium",
                    },
                    {
                        "payer": "fiscal",
                        "fund": "resident_ltc",
                        "amount": "13.00",
                        "channel": "budget",
                        "age_to": 59,
                    },
                    {
                        "payer": "fiscal",
                        "fund": "resident_ltc",
                        "amount": "20.00",
                        "channel": "budget",
                        "age_from": 60,
                    },
                ]
            },
        }
    )
    young = charges_for(
        policy, scheme="resident", birth_date=date(1967, 12, 31), year=2026, categories=set()
    )
    old = charges_for(
        policy, scheme="resident", birth_date=date(1966, 12, 31), year=2026, categories=set()
    )
    assert [c.amount for c in young if c.payer == "fiscal"] == [Decimal("13.00")]
    assert [c.amount for c in old if c.payer == "fiscal"] == [Decimal("20.00")]


def test_a_scheme_the_region_does_not_fund_has_no_charges() -> None:
    policy = _policy("320400", date(2026, 1, 1))
    assert (
        charges_for(
            policy, scheme="employee", birth_date=date(1970, 1, 1), year=2026, categories=set()
        )
        == []
    )
