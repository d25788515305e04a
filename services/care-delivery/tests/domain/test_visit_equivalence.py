"""The per-visit fast paths (UTC times derived once, one pass over the captures, ids formatted
without ``uuid``) give exactly what the plain computations give, over many kinds of visits."""

from __future__ import annotations

import hashlib
import itertools
import time
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import orjson
import pytest

from ltci_care_delivery.domain import verification as v
from ltci_care_delivery.domain.ids import new_id
from ltci_care_delivery.domain.visit_commands import CHINA, Capture, LogVisit

HOME = (33.3475, 120.1633)
RULES = v.Thresholds(100, Decimal("0.80"), 480, 720, 7)
ZONES = [CHINA, UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=45))]
CAPTURES: list[dict[str, Any]] = [
    {"method": "gps", "latitude": HOME[0], "longitude": HOME[1]},
    {"method": "gps", "latitude": HOME[0] + 0.01, "longitude": HOME[1]},
    {"method": "gps"},
    {"method": "face", "face_score": 0.79, "latitude": HOME[0], "longitude": HOME[1]},
    {"method": "face", "face_score": 0.8},
    {"method": "face", "face_score": 0.0, "latitude": HOME[0], "longitude": HOME[1]},
    {"method": "manual", "manual_reason": "device_broken"},
]
LENGTHS = [None, timedelta(minutes=-5), timedelta(0), timedelta(minutes=29, seconds=59)]


def _visits() -> list[LogVisit]:
    begins = [
        datetime(2026, 3, 1, 23, 30, tzinfo=CHINA),
        datetime(2026, 3, 31, 16, 0, 0, 120_000, tzinfo=UTC),  # 00:00 on 1 April in China
    ]
    out = []
    for n, (zone, begin, first, second, length) in enumerate(
        itertools.product(ZONES, begins, CAPTURES, CAPTURES, [*LENGTHS, timedelta(hours=9)])
    ):
        body: dict[str, Any] = {
            "external_id": f"v-{n}",
            "person_id": "p-1",
            "caregiver_id": "c-1",
            "service_form": "home_visit",
            "items": ["ADL01"],
            "check_in": {**first, "at": begin.astimezone(zone).isoformat()},
        }
        if length is not None:
            body["check_out"] = {**second, "at": (begin + length).astimezone(zone).isoformat()}
        out.append(LogVisit.model_validate(body))
    return out


VISITS = _visits()


def _plain_capture_exceptions(visit: LogVisit, home: tuple[float, float] | None) -> list[str]:
    """The rule as it was written before (one generator per check)."""
    captures = [c for c in (visit.check_in, visit.check_out) if c is not None]
    out: list[str] = []
    if not all(c.located for c in captures):
        out.append(v.LOCATION_MISSING)
    if home is None:
        out.append(v.HOME_LOCATION_UNKNOWN)
    else:
        far = v.max_distance_m(visit, home)
        if far is not None and far > RULES.fence_meters:
            out.append(v.OUTSIDE_FENCE)
    threshold = float(RULES.face_match_threshold)
    if any(c.method == "face" and (c.face_score or 0) < threshold for c in captures):
        out.append(v.FACE_MATCH_LOW)
    if any(c.method == "manual" for c in captures):
        out.append(v.MANUAL_ENTRY)
    return out


def _plain_minutes(visit: LogVisit) -> int:
    out = visit.check_out
    if out is None or out.at <= visit.check_in.at:
        return 0
    return int((out.at - visit.check_in.at).total_seconds() // 60)


def test_the_visits_cover_every_case() -> None:
    codes = {c for visit in VISITS for c in v.capture_exceptions(visit, RULES, HOME)}
    codes |= {c for visit in VISITS for c in v.timing_exceptions(visit, RULES, None)}
    assert codes == {
        v.LOCATION_MISSING,
        v.OUTSIDE_FENCE,
        v.FACE_MATCH_LOW,
        v.MANUAL_ENTRY,
        v.CHECKOUT_MISSING,
        v.END_BEFORE_BEGIN,
        v.TOO_LONG,
    }


@pytest.mark.parametrize("home", [HOME, None])
def test_capture_rules_as_before(home: tuple[float, float] | None) -> None:
    for visit in VISITS:
        assert v.capture_exceptions(visit, RULES, home) == _plain_capture_exceptions(visit, home)


def test_derived_times_as_before() -> None:
    for visit in VISITS:
        out = visit.check_out
        assert visit.begin_at == visit.check_in.at and visit.begin_at.tzinfo is UTC
        assert visit.end_at == (out.at if out is not None else None)
        assert visit.service_date == visit.check_in.at.astimezone(CHINA).date()
        assert visit.service_month == visit.check_in.at.astimezone(CHINA).strftime("%Y-%m")
        assert visit.duration_minutes == _plain_minutes(visit)
        ends_in_order = out is None or out.at > visit.check_in.at
        assert (v.END_BEFORE_BEGIN in v.timing_exceptions(visit, RULES, None)) != ends_in_order


def test_json_form_and_hash_as_before() -> None:
    """The stored check-in/out JSON and the duplicate-detecting hash must not change."""
    as_posted = [
        LogVisit.model_validate_json(orjson.dumps({**visit.model_dump(mode="json"), **times}))
        for visit, times in itertools.product(
            VISITS[:20],
            [
                {},
                {"check_in": {"method": "gps", "at": "2026-03-02T01:00:00Z"}},
                {"check_in": {"method": "gps", "at": "2026-03-02T01:00:00.5-00:00"}},
                {"check_in": {"method": "gps", "at": "2026-03-02T09:00:00.000001+08:00"}},
                {"check_in": {"method": "gps", "at": "2026-03-02T09:00:00+05:45"}},
                {"check_in": {"method": "gps", "at": 1772413200, "latitude": 33, "longitude": 120}},
            ],
        )
    ]
    for visit in [*VISITS, *as_posted]:
        plain = visit.model_dump(mode="json")
        assert visit.as_json == plain
        assert orjson.dumps(visit.as_json) == orjson.dumps(plain)  # types too (2.0, not 2)
        body = orjson.dumps(plain, option=orjson.OPT_SORT_KEYS)
        assert visit.content_hash() == hashlib.sha256(body).hexdigest()
    visit = VISITS[0]
    assert visit.as_json["check_in"]["at"] == "2026-03-01T23:30:00+08:00"
    assert as_posted[1].as_json["check_in"]["at"] == "2026-03-02T01:00:00Z"
    assert as_posted[2].as_json["check_in"]["at"] == "2026-03-02T01:00:00.500000Z"


def test_overlaps_in_utc_as_with_the_offsets_given() -> None:
    day = datetime(2026, 3, 2, 9, tzinfo=CHINA)
    busy: list[tuple[datetime, datetime | None]] = [
        (day + timedelta(minutes=m), None if m % 3 == 0 else day + timedelta(minutes=m + 40))
        for m in range(-120, 180, 35)
    ]
    busy_utc = [(b.astimezone(UTC), e.astimezone(UTC) if e else None) for b, e in busy]
    for minutes, length in itertools.product(range(-150, 200, 10), [None, 0, 25, 60]):
        begin = day + timedelta(minutes=minutes)
        end = None if length is None else begin + timedelta(minutes=length)
        for i in range(len(busy)):
            plain = v.overlaps(begin, end, busy[i : i + 2])
            fast = v.overlaps(
                begin.astimezone(UTC), end.astimezone(UTC) if end else None, busy_utc[i : i + 2]
            )
            assert plain == fast


def test_capture_without_check_out_is_one_capture() -> None:
    capture = Capture.model_validate({"at": "2026-03-02T09:00:00+08:00", "method": "gps"})
    visit = LogVisit(
        external_id="x",
        person_id="p",
        caregiver_id="c",
        service_form="home_visit",
        items=["ADL01"],
        check_in=capture,
    )
    assert v.capture_exceptions(visit, RULES, HOME) == [v.LOCATION_MISSING]
    assert (visit.end_at, visit.duration_minutes, visit.service_date) == (None, 0, date(2026, 3, 2))


def test_new_id_is_a_uuid7_of_now() -> None:
    ids = [new_id() for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
    for text in ids[:2000]:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert (parsed.version, parsed.variant) == (7, uuid.RFC_4122)
    millis = int(ids[-1].replace("-", "")[:12], 16)
    assert abs(millis - time.time_ns() // 1_000_000) < 60_000
    time.sleep(0.002)
    assert new_id() > ids[-1]  # a later millisecond sorts after
    variants = {text[19] for text in ids}
    assert variants == set("89ab")  # the variant's two free bits are random
