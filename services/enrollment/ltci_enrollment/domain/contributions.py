"""What each payer owes for one member for one year, from the region's contribution policy.

Pure: the same member, year and policy always give the same charges. Assistance recipients'
individual lines for the funds the policy names are paid by the government instead
(payer ``assistance_subsidy``), e.g. Changzhou's resident premium paid in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ltci_shared.policy import ContributionPolicy


@dataclass(frozen=True)
class Charge:
    payer: str
    fund: str
    channel: str
    amount: Decimal


def age_in_year(birth_date: date, year: int) -> int:
    """The age the member reaches in ``year``."""
    return year - birth_date.year


def charges_for(
    policy: ContributionPolicy,
    *,
    scheme: str,
    birth_date: date,
    year: int,
    categories: set[str],
) -> list[Charge]:
    lines = policy.scheme(scheme)
    if lines is None:
        return []
    subsidy = policy.premium_subsidy
    subsidised = subsidy is not None and bool(categories & set(subsidy.categories))
    age = age_in_year(birth_date, year)
    out: list[Charge] = []
    for line in lines.lines:
        if not line.applies_to_age(age) or line.amount == 0:
            continue
        payer: str = line.payer
        if subsidised and subsidy and payer == "individual" and line.fund in subsidy.funds:
            payer = "assistance_subsidy"
        out.append(Charge(payer, line.fund, line.channel, line.amount))
    return _merge(out)


def _merge(charges: list[Charge]) -> list[Charge]:
    """One charge per (payer, fund): age-banded lines of one payer never double up."""
    merged: dict[tuple[str, str], Charge] = {}
    for c in charges:
        key = (c.payer, c.fund)
        if key in merged:
            prev = merged[key]
            merged[key] = Charge(c.payer, c.fund, prev.channel, prev.amount + c.amount)
        else:
            merged[key] = c
    return list(merged.values())
