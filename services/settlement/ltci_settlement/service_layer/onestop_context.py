"""What a bill is settled against: the hospital, the person's membership and region, the
policy in force, the counter year, and the recipient class that applies (highest, once)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ltci_settlement.adapters.onestop_repository import BillFacts
from ltci_settlement.domain.onestop import Scope, year_of
from ltci_settlement.domain.onestop_commands import SettleBill
from ltci_shared.errors import InvalidInput, NotFound
from ltci_shared.policy import PolicyBook
from ltci_shared.policy.assistance import AssistancePolicy

Row = dict[str, Any]


class UnknownPerson(NotFound):
    name = "unknown_person"
    title = "Settlement knows no insured person with this id"


class UnknownHospital(NotFound):
    name = "unknown_hospital"
    title = "No hospital registered with this id"


class OutsideInsurance(InvalidInput):
    name = "outside_insurance"
    title = "The service dates are outside the person's insurance"


class ServiceInFuture(InvalidInput):
    name = "service_in_future"
    title = "The service dates are in the future"


@dataclass(frozen=True)
class BillContext:
    region_code: str  # the city pack of the person's insurance
    policy: AssistancePolicy
    policy_version: str
    year: int
    scope: Scope
    category: str | None
    hospital_region: str


def resolve_context(
    book: PolicyBook, cmd: SettleBill, facts: BillFacts, today: date
) -> BillContext:
    """The context of a bill not yet settled, from the facts read (``bill_facts``)."""
    if cmd.service_to > today:
        raise ServiceInFuture("service_to is after today")
    hospital, periods, held = facts.hospital, facts.periods, facts.held
    if hospital is None:
        raise UnknownHospital(f"no hospital {cmd.hospital_id}; register it first")
    if not periods:
        raise UnknownPerson(f"no insured person {cmd.person_id}")
    membership = _covering(periods, cmd.service_from, cmd.service_to)
    region = _pack(book, membership["region_code"])
    policy = book.in_force(region, AssistancePolicy, cmd.service_to)
    recipient_class, category = highest(held)
    hospital_region = _pack(book, hospital["region_code"])
    scope = Scope(
        recipient_class=recipient_class,
        out_of_area=hospital_region != region,
        referred=cmd.referred,
        designated=designated_for(hospital, cmd.service_from, cmd.service_to),
    )
    return BillContext(
        region_code=region,
        policy=policy,
        policy_version=policy.version_id(region),
        year=year_of(policy, cmd.service_to),
        scope=scope,
        category=category,
        hospital_region=hospital_region,
    )


def highest(assignments: Sequence[Row]) -> tuple[int | None, str | None]:
    """The class that applies when a person holds several (class 1 is the highest), once."""
    if not assignments:
        return None, None
    top = min(assignments, key=lambda a: (a["recipient_class"], a["category"]))
    return int(top["recipient_class"]), str(top["category"])


def designated_for(hospital: Row, first: date, last: date) -> bool:
    if not hospital["designated"]:
        return False
    start, end = hospital["designated_from"], hospital["designated_until"]
    return (start is None or start <= first) and (end is None or last <= end)


def _covering(periods: Sequence[Row], first: date, last: date) -> Row:
    """The membership period of the service's last day, the first day insured too."""

    def holds(day: date) -> Row | None:
        for p in periods:
            if p["valid_from"] <= day and (p["valid_until"] is None or day <= p["valid_until"]):
                return p
        return None

    end, start = holds(last), holds(first)
    if end is None or start is None:
        raise OutsideInsurance(
            f"the person is not insured on every day from {first.isoformat()} to {last.isoformat()}"
        )
    return end


def _pack(book: PolicyBook, code: str) -> str:
    return book.region(code).code if book.knows_region(code) else code
