"""Commands about visits (上门服务记录): log one or a batch, resolve an exception, void."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cached_property
from typing import Any, Literal

import orjson
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from ltci_shared.events.contracts import ServiceForm

CHINA = timezone(timedelta(hours=8))  # service dates are local dates; China has no DST
CODE = r"^[a-z0-9_]{2,40}$"

CAPTURE_EXAMPLE = {
    "at": "2026-03-02T09:00:00+08:00",
    "latitude": 33.3475,
    "longitude": 120.1633,
    "method": "face",
    "face_score": 0.93,
}
VISIT_EXAMPLE: dict[str, Any] = {
    "external_id": "HIS-2026-000123",
    "person_id": "0193a4c2-0000-7000-8000-000000000001",
    "caregiver_id": "0193a4c2-0000-7000-8000-0000000000c1",
    "service_form": "home_visit",
    "items": ["ADL01", "ADL02"],
    "check_in": CAPTURE_EXAMPLE,
    "check_out": {**CAPTURE_EXAMPLE, "at": "2026-03-02T10:05:00+08:00", "method": "gps"},
}


def _minutes(begin: datetime, end: datetime | None) -> int:
    if end is None or end <= begin:
        return 0
    return int((end - begin).total_seconds() // 60)


class Capture(BaseModel):
    """A check-in or check-out: when, where, and how it was captured."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    at: AwareDatetime = Field(description="with a UTC offset")
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    method: Literal["gps", "face", "manual"]
    face_score: float | None = Field(default=None, ge=0, le=1)
    manual_reason: str | None = Field(default=None, pattern=CODE)

    @model_validator(mode="after")
    def _consistent(self) -> Capture:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude come together")
        if self.method == "face" and self.face_score is None:
            raise ValueError("a face-match capture carries its face_score")
        if self.method == "manual" and self.manual_reason is None:
            raise ValueError("a manual entry carries its manual_reason code")
        return self

    def as_json(self) -> dict[str, Any]:
        """``model_dump(mode="json")``, built directly (times as pydantic writes them: ISO 8601,
        a zero offset as Z)."""
        at = self.at.isoformat()
        return {
            "at": at[:-6] + "Z" if at.endswith("+00:00") else at,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "method": self.method,
            "face_score": self.face_score,
            "manual_reason": self.manual_reason,
        }

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class LogVisit(BaseModel):
    """One visit as the provider's system recorded it (the EVV elements: who, whom, what,
    where, when, how captured). ``external_id`` is the provider's own id: posting it again is
    recognised as a duplicate."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        allow_inf_nan=False,
        json_schema_extra={"examples": [VISIT_EXAMPLE]},
    )

    external_id: str = Field(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")
    person_id: str = Field(min_length=1, max_length=64)
    caregiver_id: str = Field(min_length=1, max_length=64)
    service_form: ServiceForm
    items: list[str] = Field(min_length=1, max_length=30)
    check_in: Capture
    check_out: Capture | None = None

    def model_post_init(self, context: Any, /) -> None:
        """Derive the UTC times, service date, month, duration and JSON form once, at
        validation (each ``cached_property`` below finds its value already set and is not
        called: every visit logged is hashed and stored)."""
        out, values = self.check_out, self.__dict__
        begin = values["begin_at"] = self.check_in.at.astimezone(UTC)
        end = values["end_at"] = out.at.astimezone(UTC) if out is not None else None
        day = values["service_date"] = begin.astimezone(CHINA).date()
        values["service_month"] = f"{day.year:04d}-{day.month:02d}"
        values["duration_minutes"] = _minutes(begin, end)
        values["as_json"] = self._json_form()

    @cached_property
    def begin_at(self) -> datetime:
        """The check-in in UTC (comparisons between times of one time zone are much faster)."""
        return self.check_in.at.astimezone(UTC)

    @cached_property
    def end_at(self) -> datetime | None:
        """The check-out in UTC, None when it is missing."""
        out = self.check_out
        return out.at.astimezone(UTC) if out is not None else None

    @cached_property
    def service_date(self) -> date:
        """The local (China) date of the check-in."""
        return self.check_in.at.astimezone(CHINA).date()

    @cached_property
    def duration_minutes(self) -> int:
        """Whole minutes between check-in and check-out; 0 when check-out is missing or
        earlier."""
        out = self.check_out
        return _minutes(self.check_in.at, out.at if out is not None else None)

    @cached_property
    def service_month(self) -> str:
        day = self.service_date
        return f"{day.year:04d}-{day.month:02d}"

    @cached_property
    def as_json(self) -> dict[str, Any]:
        """The visit as JSON values, as ``model_dump(mode="json")`` gives them (computed once;
        the hash and the stored row share it)."""
        return self._json_form()

    def _json_form(self) -> dict[str, Any]:
        """``model_dump(mode="json")``, built directly (cheaper: every visit logged needs it)."""
        out = self.check_out
        return {
            "external_id": self.external_id,
            "person_id": self.person_id,
            "caregiver_id": self.caregiver_id,
            "service_form": self.service_form,
            "items": list(self.items),
            "check_in": self.check_in.as_json(),
            "check_out": out.as_json() if out is not None else None,
        }

    def content_hash(self) -> str:
        body = orjson.dumps(self.as_json, option=orjson.OPT_SORT_KEYS)
        return hashlib.sha256(body).hexdigest()


class VisitBatch(BaseModel):
    """Up to 1,000 visits. Each item is checked on its own: a bad item never rejects the rest."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={"examples": [{"visits": [VISIT_EXAMPLE]}]},
    )

    visits: list[Any] = Field(
        min_length=1,
        max_length=1000,
        json_schema_extra={"items": {"$ref": "#/components/schemas/LogVisit"}},
    )


class ResolveException(BaseModel):
    """Accept a visit exception with a reason code (an override), or reject the visit."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "action": "accept",
                    "reason_code": "gps_signal_lost",
                    "actor": "provider:kangning/u-3",
                    "note": "confirmed by phone with the family",
                }
            ]
        },
    )

    action: Literal["accept", "reject"]
    reason_code: str = Field(pattern=CODE)
    actor: str = Field(min_length=1, max_length=100)
    note: str | None = Field(default=None, max_length=1000)


class ResolutionItem(BaseModel):
    """One decision of a reviewer's batch: as ``ResolveException``, for one exception."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    exception_id: str = Field(min_length=1, max_length=64)
    action: Literal["accept", "reject"]
    reason_code: str = Field(pattern=CODE)


class ResolveExceptions(BaseModel):
    """A reviewer's batch of decisions on one provider's exception queue (up to 1,000), applied
    in one transaction; each decision gets its own outcome."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "provider_id": "0193a4c2-0000-7000-8000-0000000000a1",
                    "actor": "tpa:yancheng/reviewer-2",
                    "note": "back-filled uploads of March approved by the agency",
                    "items": [
                        {
                            "exception_id": "0193a4c2-0000-7000-8000-0000000000f1",
                            "action": "accept",
                            "reason_code": "backfill_approved",
                        },
                        {
                            "exception_id": "0193a4c2-0000-7000-8000-0000000000f2",
                            "action": "reject",
                            "reason_code": "billed_during_stay",
                        },
                    ],
                }
            ]
        },
    )

    provider_id: str = Field(min_length=1, max_length=64)
    actor: str = Field(min_length=1, max_length=100)
    note: str | None = Field(default=None, max_length=1000)
    items: list[ResolutionItem] = Field(min_length=1, max_length=1000)

    def one(self, item: ResolutionItem) -> ResolveException:
        return ResolveException(
            action=item.action, reason_code=item.reason_code, actor=self.actor, note=self.note
        )


class VoidVisit(BaseModel):
    """Void a visit (settlement reverses anything paid on it)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [{"reason_code": "entered_in_error", "actor": "provider:kangning/u-3"}]
        },
    )

    reason_code: str = Field(pattern=CODE)
    actor: str = Field(min_length=1, max_length=100)
    note: str | None = Field(default=None, max_length=1000)


class CorrectVisit(BaseModel):
    """Correct what a visit recorded (check-in, check-out, items), with a reason code. The
    corrected visit is verified again; every correction is audited (before, after, why)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        allow_inf_nan=False,
        json_schema_extra={
            "examples": [
                {
                    "check_out": {
                        "at": "2026-03-02T10:05:00+08:00",
                        "method": "manual",
                        "manual_reason": "device_battery_empty",
                        "latitude": 33.3475,
                        "longitude": 120.1633,
                    },
                    "reason_code": "checkout_not_captured",
                    "actor": "provider:kangning/u-3",
                    "note": "caregiver's phone died; family confirms 10:05",
                }
            ]
        },
    )

    check_in: Capture | None = None
    check_out: Capture | None = None
    items: list[str] | None = Field(default=None, min_length=1, max_length=30)
    reason_code: str = Field(pattern=CODE)
    actor: str = Field(min_length=1, max_length=100)
    note: str | None = Field(default=None, max_length=1000)

    @model_validator(mode="after")
    def _something(self) -> CorrectVisit:
        if self.check_in is None and self.check_out is None and self.items is None:
            raise ValueError("a correction changes check_in, check_out or items")
        return self
