"""Medical-assistance categories held by a person: which apply on a date, and the highest.

Several identities: the highest class (1 = 特困) applies, once. A category lapses on its own
``valid_until`` date without any action; a revocation ends it from ``revoked_on``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Assignment:
    assignment_id: str
    category: str
    recipient_class: int
    valid_from: date
    valid_until: date | None = None
    revoked_on: date | None = None

    def active_on(self, day: date) -> bool:
        if day < self.valid_from:
            return False
        if self.valid_until is not None and day > self.valid_until:
            return False
        return self.revoked_on is None or day < self.revoked_on


def active(assignments: list[Assignment], day: date) -> list[Assignment]:
    return sorted(
        (a for a in assignments if a.active_on(day)), key=lambda a: (a.recipient_class, a.category)
    )


def highest(assignments: list[Assignment], day: date) -> Assignment | None:
    """The one category that applies on ``day``: the lowest class number wins."""
    held = active(assignments, day)
    return held[0] if held else None
