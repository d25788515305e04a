"""Provider scorecards (服务质量评分卡) and dashboard figures as pure arithmetic on counts.

Rates are exact decimals rounded half-up to four places, None when there is nothing to divide
by. ``exception_rate``: share of the month's visits that raised at least one exception on
arrival. ``on_time_rate``: share submitted within the region's late-submission window.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

STATUSES = ("verified", "pending", "refused", "rejected", "voided")
LATE = "late_submission"


def rate(part: int, whole: int, places: str = "0.0001") -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def scorecard(
    provider_id: str,
    period: str,
    by_status: dict[str, Any],
    exceptions: Iterable[tuple[str, str, int]],
    flagged: int,
    rated: tuple[int, int, int],
) -> dict[str, Any]:
    """One provider's month from its aggregates."""
    statuses = {s: int(by_status.get(s, 0)) for s in STATUSES}
    total = sum(statuses.values())
    by_code: dict[str, int] = {}
    open_count = 0
    for code, status, n in exceptions:
        by_code[code] = by_code.get(code, 0) + n
        open_count += n if status == "open" else 0
    ratings, score_sum, complaints = rated
    return {
        "provider_id": provider_id,
        "period": period,
        "visits": total,
        **statuses,
        "persons_served": int(by_status.get("persons", 0)),
        "caregivers_active": int(by_status.get("caregivers", 0)),
        "flagged_visits": flagged,
        "exception_rate": rate(flagged, total),
        "on_time_rate": rate(total - by_code.get(LATE, 0), total),
        "open_exceptions": open_count,
        "exceptions_by_code": dict(sorted(by_code.items())),
        "ratings": ratings,
        "average_score": rate(score_sum, ratings, "0.01"),
        "complaints": complaints,
        "complaint_rate": rate(complaints, ratings),
    }


def metrics(card: Mapping[str, Any]) -> dict[str, Decimal | None]:
    """The card's rates as 0-1 figures a score weighs (None: nothing to divide by)."""

    def complement(value: Decimal | None) -> Decimal | None:
        return None if value is None else 1 - value

    average = card["average_score"]
    return {
        "verified_rate": rate(card["verified"], card["visits"]),
        "on_time_rate": card["on_time_rate"],
        "exception_free_rate": complement(card["exception_rate"]),
        "satisfaction": None if average is None else average / 5,
        "complaint_free_rate": complement(card["complaint_rate"]),
    }


def weighted_score(card: Mapping[str, Any], weights: Mapping[str, Decimal]) -> Decimal | None:
    """100 × the weighted mean of the card's rates (the figures it shows), to 0.01 half-up; a
    rate with nothing to divide by is left out and the other weights count in proportion.
    None when no weighted rate can be computed (no visits and no ratings)."""
    figures = metrics(card)
    pairs = [(w, v) for m, w in weights.items() if w > 0 and (v := figures.get(m)) is not None]
    total = sum((w for w, _ in pairs), Decimal(0))
    if total == 0:
        return None
    mean = sum((w * v for w, v in pairs), Decimal(0)) / total
    return (100 * mean).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def per_day(
    first: date,
    last: date,
    by_status: Iterable[tuple[date, str, int]],
    flagged: dict[date, int],
) -> list[dict[str, Any]]:
    """Every day of the range (zeros included): visits by status, flagged, exception rate."""
    days: dict[date, dict[str, int]] = {
        d: dict.fromkeys(STATUSES, 0) for d in days_between(first, last)
    }
    for day, status, n in by_status:
        if day in days and status in days[day]:
            days[day][status] += n
    out = []
    for day, counts in days.items():
        total, hit = sum(counts.values()), flagged.get(day, 0)
        out.append(
            {
                "date": day,
                "visits": total,
                **counts,
                "flagged_visits": hit,
                "exception_rate": rate(hit, total),
            }
        )
    return out
