"""Policy section ``benefits``: service forms with unit, rate, fund ratio, caps and quotas by
grade; the item catalogue and service packages; devices; visit verification; the quality
holdback, the provider scorecard's weights and the holdback's release bands by score."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, ClassVar, Literal

from pydantic import BeforeValidator, Field, model_validator

from ltci_shared.money import NonNegativeMoney
from ltci_shared.policy.base import Grade, Ratio, SectionVersion, Strict

ServiceForm = Literal[
    "institutional",
    "home_visit",
    "home_self_care",
    "home_combined",
    "family_care",
    "medical_special_care",  # 医疗专护: nursing in a hospital ward, paid by hospital level
]
Unit = Literal["day", "visit", "hour", "month"]
ProviderLevel = Annotated[int, Field(ge=1, le=3)]


class Caps(Strict):
    """Fund-paid caps; a missing cap is no cap."""

    per_day: NonNegativeMoney | None = None
    per_month: NonNegativeMoney | None = None
    per_year: NonNegativeMoney | None = None


class FormRule(Strict):
    """How one service form is paid: ``rate`` per ``unit``, the fund's share, caps by grade."""

    form: ServiceForm
    unit: Unit
    rate: NonNegativeMoney
    fund_ratio: Ratio
    eligible_grades: list[Grade] = Field(min_length=1)
    rate_by_grade: dict[Grade, NonNegativeMoney] = Field(default_factory=dict)
    caps_by_grade: dict[Grade, Caps] = Field(default_factory=dict)
    quota_per_month_by_grade: dict[Grade, int] = Field(
        default_factory=dict, description="units (visits, hours, days) a month"
    )
    paused_during_stay: bool = Field(
        default=False, description="no payment on hospital or institutional stay days"
    )
    flat_cash: bool = Field(default=False, description="paid to the person (self/family care)")
    over_quota: Literal["refused", "person"] = Field(
        default="refused",
        description="units above the monthly quota: refused, or paid by the person",
    )
    fund_ratio_by_provider_level: dict[ProviderLevel, Ratio] = Field(
        default_factory=dict, description="fund ratio by the provider's (hospital) level 1-3"
    )
    caps_by_provider_level: dict[ProviderLevel, Caps] = Field(
        default_factory=dict, description="fund-paid caps by the provider's (hospital) level"
    )

    def rate_for(self, grade: int) -> NonNegativeMoney:
        return self.rate_by_grade.get(grade, self.rate)

    @property
    def needs_provider_level(self) -> bool:
        return bool(self.fund_ratio_by_provider_level or self.caps_by_provider_level)

    def ratio_for(self, provider_level: int | None) -> Ratio:
        if provider_level is None:
            return self.fund_ratio
        return self.fund_ratio_by_provider_level.get(provider_level, self.fund_ratio)

    def caps_for(self, grade: int, provider_level: int | None) -> Caps:
        """The grade's caps, tightened by the provider level's caps where both exist."""
        by_grade = self.caps_by_grade.get(grade, Caps())
        by_level = (
            self.caps_by_provider_level.get(provider_level, Caps())
            if provider_level is not None
            else Caps()
        )
        return Caps(
            per_day=_least(by_grade.per_day, by_level.per_day),
            per_month=_least(by_grade.per_month, by_level.per_month),
            per_year=_least(by_grade.per_year, by_level.per_year),
        )


def _least(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None or b is None:
        return b if a is None else a
    return min(a, b)


class Item(Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$")
    name: str = Field(min_length=1)
    forms: list[ServiceForm] = Field(min_length=1)
    minutes: int | None = Field(default=None, ge=1, description="standard duration")
    medical: bool = False


class Package(Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$")
    name: str = Field(min_length=1)
    form: ServiceForm
    items: list[str] = Field(min_length=1)
    visits_per_month_by_grade: dict[Grade, int] = Field(default_factory=dict)
    hours_per_month_by_grade: dict[Grade, int] = Field(default_factory=dict)
    min_minutes_per_visit: int | None = Field(default=None, ge=1)


class Device(Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$")
    name: str = Field(min_length=1)
    category: str = Field(min_length=1)
    daily_rate: NonNegativeMoney


class DevicePolicy(Strict):
    fund_ratio: Ratio
    annual_cap: NonNegativeMoney
    min_term_days: int = Field(ge=0)
    one_per_category: bool = True
    catalogue: list[Device] = Field(min_length=1)


class VisitVerification(Strict):
    fence_meters: int = Field(ge=1)
    face_match_threshold: Ratio
    max_visit_minutes: int = Field(ge=1)
    max_caregiver_hours_per_day: int = Field(ge=1, le=24)
    late_submission_days: int = Field(ge=0)


ScoreMetric = Literal[
    "verified_rate",  # share of the month's visits verified
    "on_time_rate",  # share submitted within the late-submission window
    "exception_free_rate",  # 1 − share of visits that raised an exception on arrival
    "satisfaction",  # average family rating (1-5) ÷ 5
    "complaint_free_rate",  # 1 − complaints per rating
]


def _score(value: object) -> object:
    if isinstance(value, float):
        raise ValueError("write scores as quoted decimals like '90', not floats")
    if isinstance(value, str | int) and not isinstance(value, bool):
        try:
            return Decimal(str(value))
        except InvalidOperation as exc:  # not a number: a validation error, never a 500
            raise ValueError("a score is a decimal number like '90'") from exc
    return value


Score = Annotated[Decimal, BeforeValidator(_score), Field(ge=0, le=100)]


class ScorecardWeights(Strict):
    """How a provider's month is scored 0-100 (服务质量考核): 100 × the weighted mean of the
    scorecard's rates; a rate with nothing to divide by is left out and the rest re-weighted."""

    weights: dict[ScoreMetric, Ratio] = Field(min_length=1)

    @model_validator(mode="after")
    def _sum_to_one(self) -> ScorecardWeights:
        if sum(self.weights.values(), Decimal(0)) != 1:
            raise ValueError("scorecard weights sum to 1")
        return self


class ReleaseBand(Strict):
    """A score band of the quality holdback's release (质量保证金返还): from ``min_score`` up,
    ``release_share`` of the withheld holdback is paid to the provider, the rest forfeited."""

    min_score: Score
    release_share: Ratio


class BenefitPolicy(SectionVersion):
    section: ClassVar[str] = "benefits"
    forms: list[FormRule] = Field(min_length=1)
    items: list[Item] = Field(default_factory=list)
    packages: list[Package] = Field(default_factory=list)
    devices: DevicePolicy | None = None
    family_care_allowance_per_month: NonNegativeMoney | None = None
    quality_holdback_share: Ratio = Field(default=0)  # type: ignore[assignment]
    visit_verification: VisitVerification
    scorecard: ScorecardWeights | None = None
    holdback_release: list[ReleaseBand] = Field(
        default_factory=list, description="release bands by scorecard score; below all: none"
    )

    @model_validator(mode="after")
    def _check(self) -> BenefitPolicy:
        forms = [f.form for f in self.forms]
        if len(set(forms)) != len(forms):
            raise ValueError("each service form appears once")
        item_codes = {i.code for i in self.items}
        for p in self.packages:
            if p.form not in forms:
                raise ValueError(f"package {p.code}: form {p.form} is not paid by this policy")
            if missing := [c for c in p.items if c not in item_codes]:
                raise ValueError(f"package {p.code}: unknown items {missing}")
        floors = [b.min_score for b in self.holdback_release]
        if len(set(floors)) != len(floors):
            raise ValueError("each holdback release band has its own min_score")
        return self

    def form(self, name: str) -> FormRule | None:
        return next((f for f in self.forms if f.form == name), None)

    def package(self, code: str) -> Package | None:
        return next((p for p in self.packages if p.code == code), None)

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)

    def release_share(self, score: Decimal) -> Decimal:
        """The share of withheld holdback released at ``score``: the highest band reached."""
        reached = [b for b in self.holdback_release if b.min_score <= score]
        return max(reached, key=lambda b: b.min_score).release_share if reached else Decimal(0)

    def device(self, code: str) -> Device | None:
        if self.devices is None:
            return None
        return next((d for d in self.devices.catalogue if d.code == code), None)
