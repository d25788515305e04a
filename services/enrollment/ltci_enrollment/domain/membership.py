"""Membership periods in basic (and so care) insurance: pure rules, no I/O.

A person's periods never overlap. ``valid_until`` is the last insured day (None while open).
Care insurance follows basic-insurance membership (Yancheng rule), so the periods answer
"was this person insured on date D, under which scheme".
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from ltci_shared.errors import Conflict, InvalidInput

Scheme = Literal["employee", "resident"]
EndReason = Literal["death", "moved_away", "scheme_change", "region_move", "other"]
Action = Literal["start", "change_scheme", "move_region", "end"]


class MembershipOverlap(Conflict):
    name = "membership_overlap"
    title = "Membership periods would overlap"


class NoOpenMembership(Conflict):
    name = "no_open_membership"
    title = "No open membership period"


class InvalidMembershipChange(InvalidInput):
    name = "invalid_membership_change"
    title = "Invalid membership change"


@dataclass(frozen=True)
class Period:
    membership_id: str
    scheme: Scheme
    region_code: str
    valid_from: date
    valid_until: date | None = None
    end_reason: EndReason | None = None

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


def open_period(periods: list[Period]) -> Period | None:
    return next((p for p in periods if p.valid_until is None), None)


def on(periods: list[Period], day: date) -> Period | None:
    """The period covering ``day``, if any."""
    return next((p for p in periods if p.covers(day)), None)


def check_no_overlap(periods: list[Period]) -> None:
    ordered = sorted(periods, key=lambda p: p.valid_from)
    for before, after in itertools.pairwise(ordered):
        if before.valid_until is None or before.valid_until >= after.valid_from:
            raise MembershipOverlap(
                f"the period from {after.valid_from} overlaps the one from {before.valid_from}"
            )


def start(periods: list[Period], new: Period) -> list[Period]:
    """Open a period (first enrollment or re-enrollment after an end)."""
    if open_period(periods) is not None:
        raise MembershipOverlap("the person already has an open membership period")
    result = [*periods, new]
    check_no_overlap(result)
    return result


def close(periods: list[Period], last_day: date, reason: EndReason) -> tuple[list[Period], Period]:
    """End the open period on ``last_day`` (inclusive)."""
    current = open_period(periods)
    if current is None:
        raise NoOpenMembership("the person has no open membership period to end")
    if last_day < current.valid_from - timedelta(days=1):
        raise InvalidMembershipChange(
            f"the end date {last_day} is before the open period began ({current.valid_from})"
        )
    closed = replace(current, valid_until=last_day, end_reason=reason)
    return [closed if p is current else p for p in periods], closed


def switch(
    periods: list[Period],
    effective_on: date,
    new_id: str,
    *,
    scheme: Scheme | None = None,
    region_code: str | None = None,
) -> list[Period]:
    """A scheme change or a move: the open period ends the day before, a new one begins."""
    current = open_period(periods)
    if current is None:
        raise NoOpenMembership("the person has no open membership period to change")
    if effective_on <= current.valid_from:
        raise InvalidMembershipChange(
            f"a change must take effect after the open period began ({current.valid_from})"
        )
    new_scheme = scheme or current.scheme
    new_region = region_code or current.region_code
    if (new_scheme, new_region) == (current.scheme, current.region_code):
        raise InvalidMembershipChange("the change leaves scheme and region as they are")
    reason: EndReason = "scheme_change" if new_scheme != current.scheme else "region_move"
    closed, _ = close(periods, effective_on - timedelta(days=1), reason)
    return [*closed, Period(new_id, new_scheme, new_region, effective_on)]


def already_applied(
    periods: list[Period],
    action: Action,
    effective_on: date,
    *,
    scheme: str | None = None,
    region_code: str | None = None,
) -> bool:
    """True when the history already shows this change (a re-imported row is a duplicate)."""
    if action == "end":
        return any(p.valid_until == effective_on for p in periods) and open_period(periods) is None
    for p in periods:
        if p.valid_from != effective_on:
            continue
        if (scheme is None or p.scheme == scheme) and (
            region_code is None or p.region_code == region_code
        ):
            return True
    return False
