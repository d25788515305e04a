"""Response models of the one-stop medical-assistance settlement API, with OpenAPI examples."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ltci_settlement.entrypoints.onestop_examples import WORKED_EXAMPLE_ANSWER
from ltci_shared.money import Money, NonNegativeMoney, from_fen
from ltci_shared.policy.assistance import CareKind

_ANSWER = WORKED_EXAMPLE_ANSWER


class LayerView(BaseModel):
    """One layer of the settlement: what it worked on, its deductible, ratio, cap and payment."""

    model_config = ConfigDict(json_schema_extra={"examples": [_ANSWER["layers"][1]]})

    layer: Literal["basic", "critical_illness", "assistance"]
    fund: str
    base: NonNegativeMoney
    deductible: NonNegativeMoney
    deductible_applied: NonNegativeMoney
    ratio: str
    annual_cap: NonNegativeMoney | None
    cap_left_before: NonNegativeMoney | None
    computed: NonNegativeMoney
    paid: NonNegativeMoney
    capped: bool
    left: NonNegativeMoney
    tilted: bool
    rule: str
    reason: str | None
    explanation: str


class CountersView(BaseModel):
    """A person's year-to-date counters (每人每年累计)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_ANSWER["counters_after"]]})

    basic_deductible_inpatient: NonNegativeMoney
    basic_deductible_chronic_outpatient: NonNegativeMoney
    basic_deductible_general_outpatient: NonNegativeMoney
    basic_paid_inpatient: NonNegativeMoney
    basic_paid_chronic_outpatient: NonNegativeMoney
    basic_paid_general_outpatient: NonNegativeMoney
    critical_illness_deductible: NonNegativeMoney
    critical_illness_paid: NonNegativeMoney
    assistance_deductible: NonNegativeMoney
    assistance_paid: NonNegativeMoney
    assistance_general_outpatient_paid: NonNegativeMoney
    total_billed: NonNegativeMoney
    self_pay: NonNegativeMoney
    bills: int


class PersonCounters(BaseModel):
    person_id: str
    year: int
    counters: CountersView


class WarningView(BaseModel):
    code: str
    detail: str
    threshold: NonNegativeMoney
    self_pay_ytd: NonNegativeMoney
    new_alert: bool


class SettlementView(BaseModel):
    """The one-stop answer: three layers in order, the patient's share, counters before and
    after, the policy version and assumed values; the parts add up to the total."""

    model_config = ConfigDict(json_schema_extra={"examples": [_ANSWER]})

    settlement_id: str
    status: Literal["settled", "cancelled"]
    person_id: str
    hospital_id: str
    bill_id: str
    care_kind: CareKind
    referred: bool
    total: NonNegativeMoney
    in_policy: NonNegativeMoney
    out_of_policy: NonNegativeMoney
    service_from: date
    service_to: date
    region_code: str
    hospital_region_code: str
    year: int
    recipient_class: int | None
    recipient_category: str | None
    out_of_area: bool
    designated: bool
    layers: list[LayerView]
    basic_paid: NonNegativeMoney
    critical_illness_paid: NonNegativeMoney
    assistance_paid: NonNegativeMoney
    assisted: bool
    not_assisted_reason: str | None
    funds_total: NonNegativeMoney
    patient_in_policy: NonNegativeMoney
    patient_out_of_policy: NonNegativeMoney
    patient_total: NonNegativeMoney
    counters_before: CountersView
    counters_after: CountersView
    warnings: list[WarningView]
    policy_version: str
    assumed: list[str]
    journal_entry_id: str
    settled_at: datetime
    cancelled_on: date | None
    cancel_reason: str | None
    reversal_entry_id: str | None


class SettlementPage(BaseModel):
    items: list[SettlementView]
    next_cursor: str | None


class HospitalView(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "hospital_id": "H320402001",
                    "name": "常州市第一人民医院",
                    "region_code": "320402",
                    "designated": True,
                    "designated_from": "2022-01-01",
                    "designated_until": None,
                    "updated_at": "2026-01-05T08:00:00Z",
                }
            ]
        }
    )

    hospital_id: str
    name: str
    region_code: str
    designated: bool
    designated_from: date | None
    designated_until: date | None
    updated_at: datetime


class HospitalPage(BaseModel):
    items: list[HospitalView]
    next_cursor: str | None


class AlertView(BaseModel):
    """A high-cost patient alert (高额费用患者预警) for follow-up."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "alert_id": "1d7b9e2a-4c3f-5a60-8e1b-9f2c7d4a6b51",
                    "person_id": "6c1f7a8e-2b1d-4c55-9d0a-3f2e1b7c9a10",
                    "year": 2026,
                    "region_code": "320400",
                    "threshold": "49000.00",
                    "self_pay_at_alert": "53537.00",
                    "settlement_id": "9b0f3c2e-5a41-5d7e-8c1f-2a6b4d9e7f01",
                    "status": "open",
                    "note": None,
                    "created_at": "2026-05-04T09:30:00Z",
                    "followed_up_at": None,
                }
            ]
        }
    )

    alert_id: str
    person_id: str
    year: int
    region_code: str
    threshold: NonNegativeMoney
    self_pay_at_alert: NonNegativeMoney
    settlement_id: str
    status: Literal["open", "followed_up"]
    note: str | None
    created_at: datetime
    followed_up_at: datetime | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> AlertView:
        return cls.model_validate(
            {
                **row,
                "threshold": from_fen(int(row["threshold_fen"])),
                "self_pay_at_alert": from_fen(int(row["self_pay_fen"])),
            }
        )


class AlertPage(BaseModel):
    items: list[AlertView]
    next_cursor: str | None


class StatisticsRow(BaseModel):
    period: str
    recipient_class: int | None
    settlements: int
    persons: int
    total: NonNegativeMoney
    basic: NonNegativeMoney
    critical_illness: NonNegativeMoney
    assistance: NonNegativeMoney
    patient: NonNegativeMoney


class Statistics(BaseModel):
    """Settled bills (cancelled ones excluded) by month and recipient class, for the dashboard."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "region_code": "320400",
                    "year": 2026,
                    "rows": [
                        {
                            "period": "2026-03",
                            "recipient_class": 2,
                            "settlements": 1,
                            "persons": 1,
                            "total": "100000.00",
                            "basic": "53400.00",
                            "critical_illness": "18915.00",
                            "assistance": "14148.00",
                            "patient": "13537.00",
                        }
                    ],
                    "open_alerts": 0,
                }
            ]
        }
    )

    region_code: str
    year: int
    rows: list[StatisticsRow]
    open_alerts: int


class HospitalStatement(BaseModel):
    """What the funds owe a hospital for its one-stop bills of a month (net of reversals)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "hospital_id": "H320402001",
                    "period": "2026-03",
                    "payable_by_fund": {
                        "basic_medical": "53400.00",
                        "critical_illness": "18915.00",
                        "medical_assistance": "14148.00",
                    },
                    "funds_total": "86463.00",
                    "patients_total": "13537.00",
                    "bills": 1,
                    "cancelled": 0,
                }
            ]
        }
    )

    hospital_id: str
    period: str
    payable_by_fund: dict[str, Money]
    funds_total: Money
    patients_total: Money
    bills: int
    cancelled: int
