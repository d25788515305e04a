"""The application lifecycle (申请 → 受理 → 评估 → 公示 → 结论) as a state table.

submitted → accepted | rejected
accepted  → scheduled                 (on-site round: assessors drawn)
scheduled → assessed                  (on-site) | final (expert-panel round)
assessed  → on_notice                 (public notice, 公示)
on_notice → final | objected          (objection within the window, 异议)
objected  → scheduled                 (expert-panel round, different assessors)
any open  → withdrawn
"""

from __future__ import annotations

from typing import Literal

from ltci_shared.errors import Conflict

Status = Literal[
    "submitted",
    "accepted",
    "rejected",
    "scheduled",
    "assessed",
    "on_notice",
    "objected",
    "final",
    "withdrawn",
]
Round = Literal["onsite", "panel"]
CLOSED: frozenset[str] = frozenset({"rejected", "final", "withdrawn"})
OPEN: tuple[str, ...] = ("submitted", "accepted", "scheduled", "assessed", "on_notice", "objected")

ALLOWED: dict[str, frozenset[str]] = {
    "submitted": frozenset({"accepted", "rejected", "withdrawn"}),
    "accepted": frozenset({"scheduled", "withdrawn"}),
    "scheduled": frozenset({"assessed", "final", "withdrawn"}),
    "assessed": frozenset({"on_notice", "withdrawn"}),
    "on_notice": frozenset({"final", "objected", "withdrawn"}),
    "objected": frozenset({"scheduled", "withdrawn"}),
}


class ApplicationNotOpen(Conflict):
    name = "application_not_open"
    title = "Application closed"


class InvalidTransition(Conflict):
    name = "invalid_transition"
    title = "Not allowed in the application's current state"


def check_transition(current: str, target: str) -> None:
    """Raise unless an application in ``current`` may move to ``target``."""
    if current in CLOSED:
        raise ApplicationNotOpen(
            f"the application is {current}; nothing can change it", current_status=current
        )
    if target not in ALLOWED.get(current, frozenset()):
        raise InvalidTransition(
            f"an application that is {current} cannot become {target}", current_status=current
        )
