"""Numbered reason codes of claim-line adjudication (理算结果原因代码) and the line outcomes."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

Outcome = Literal["paid", "reduced", "person_pays", "rejected", "pending", "reversed"]


class Reason(StrEnum):
    PAID = "R100"
    CAP_DAY = "R110"
    CAP_MONTH = "R111"
    CAP_YEAR = "R112"
    QUOTA_REFUSED = "R120"
    QUOTA_PERSON = "R121"
    OUT_OF_SCOPE_ITEMS = "R130"
    DEVICE_CAP_YEAR = "R140"
    HOLDBACK = "R150"
    NO_ELIGIBILITY = "R200"
    NO_MEMBERSHIP = "R201"
    NO_PROVIDER_LEVEL = "R202"
    NOT_VERIFIED = "R300"
    STAY_DAY = "R301"
    BELOW_MINIMUM = "R302"
    DUPLICATE_DAY = "R303"
    GRADE_NOT_ELIGIBLE = "R310"
    FORM_NOT_PAID = "R311"
    DEVICE_NOT_COVERED = "R312"
    NO_POLICY = "R320"
    VOIDED = "R400"
    SUPERSEDED = "R401"
    TPA_ADJUSTED = "R410"
    TPA_REJECTED = "R411"


TITLES: dict[Reason, str] = {
    Reason.PAID: "paid: rate × units, the fund's ratio applied",
    Reason.CAP_DAY: "fund share limited by the per-day cap",
    Reason.CAP_MONTH: "fund share limited by the per-month cap",
    Reason.CAP_YEAR: "fund share limited by the per-year cap",
    Reason.QUOTA_REFUSED: "units above the monthly quota refused",
    Reason.QUOTA_PERSON: "units above the monthly quota paid by the person",
    Reason.OUT_OF_SCOPE_ITEMS: "out-of-scope items paid by the person",
    Reason.DEVICE_CAP_YEAR: "device rental limited by the annual cap",
    Reason.HOLDBACK: "quality holdback withheld from the provider",
    Reason.NO_ELIGIBILITY: "pending: no eligibility known for the service date",
    Reason.NO_MEMBERSHIP: "pending: no membership known for the service date",
    Reason.NO_PROVIDER_LEVEL: "pending: the provider's level is not known",
    Reason.NOT_VERIFIED: "refused: the visit is not verified",
    Reason.STAY_DAY: "refused: home care on a hospital or institution stay day",
    Reason.BELOW_MINIMUM: "refused: shorter than the package minimum",
    Reason.DUPLICATE_DAY: "refused: the day is already paid for this form",
    Reason.GRADE_NOT_ELIGIBLE: "person pays: the grade is not eligible for this form",
    Reason.FORM_NOT_PAID: "person pays: the form is not paid by the region's policy",
    Reason.DEVICE_NOT_COVERED: "person pays: device not covered (catalogue, category, term)",
    Reason.NO_POLICY: "refused: no benefits policy in force on the service date",
    Reason.VOIDED: "reversed: the visit was voided",
    Reason.SUPERSEDED: "reversed: re-adjudicated after a correction",
    Reason.TPA_ADJUSTED: "adjusted by the TPA",
    Reason.TPA_REJECTED: "rejected by the TPA",
}
