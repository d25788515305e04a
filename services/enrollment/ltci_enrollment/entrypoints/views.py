"""Response models of the enrollment API (resident IDs and phones only ever masked)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from ltci_shared.money import Money


class PeriodView(BaseModel):
    membership_id: str
    scheme: str
    region_code: str
    valid_from: date
    valid_until: date | None = None
    end_reason: str | None = None


class PersonView(BaseModel):
    model_config = ConfigDict(extra="ignore")

    person_id: str
    resident_id_masked: str
    name: str
    birth_date: date
    sex: str
    region_code: str
    phone_masked: str | None = None
    address: str | None = None
    home_latitude: float | None = None
    home_longitude: float | None = None
    contact_name: str | None = None
    contact_phone_masked: str | None = None
    died_on: date | None = None
    version: int
    created_at: datetime
    updated_at: datetime | None = None
    memberships: list[PeriodView] = []


class PersonPage(BaseModel):
    items: list[PersonView]
    next_cursor: str | None = None


class VersionView(BaseModel):
    version: int
    changed_at: datetime
    changed_by: str
    reason: str
    changes: dict[str, Any]


class CoverageView(BaseModel):
    person_id: str
    on: date
    insured: bool
    care_insured: bool
    scheme: str | None
    region_code: str | None
    membership_id: str | None


class AssignmentView(BaseModel):
    assignment_id: str
    category: str
    recipient_class: int
    valid_from: date
    valid_until: date | None = None
    revoked_on: date | None = None
    source: str | None = None
    active: bool | None = None


class CategoriesView(BaseModel):
    person_id: str
    on: date
    highest_category: str | None
    highest_class: int | None
    active: list[str]
    assignments: list[AssignmentView]


class RunView(BaseModel):
    run_id: str
    region_code: str
    year: int
    status: str
    policy_version: str
    members_total: int
    members_done: int
    charges_created: int
    charges_existing: int
    error: str | None = None
    started_at: datetime
    finished_at: datetime | None = None


class RunPage(BaseModel):
    items: list[RunView]
    next_cursor: str | None = None


class ChargeView(BaseModel):
    charge_id: str
    person_id: str
    region_code: str
    year: int
    scheme: str
    payer: str
    fund: str
    channel: str
    amount: Money
    received: Money
    policy_version: str


class ChargePage(BaseModel):
    items: list[ChargeView]
    next_cursor: str | None = None


class ReceiptView(BaseModel):
    receipt_id: str
    charge_id: str | None
    person_id: str | None
    region_code: str
    year: int
    payer: str
    fund: str
    amount: Money
    received_on: date
    reference: str


class SettlementView(BaseModel):
    charges_paid: int
    by_fund: dict[str, str]


class SummaryLine(BaseModel):
    payer: str
    fund: str
    charges: int
    due: Money
    received: Money
    outstanding: Money


class ImportView(BaseModel):
    import_id: str
    kind: str
    filename: str | None
    status: str
    rows_done: int
    rows_ok: int
    rows_duplicate: int
    rows_failed: int
    error: str | None = None
    started_at: datetime
    finished_at: datetime | None = None


class ImportPage(BaseModel):
    items: list[ImportView]
    next_cursor: str | None = None


class ImportErrorView(BaseModel):
    row_number: int
    error: str
    detail: str


class ImportErrorPage(BaseModel):
    items: list[ImportErrorView]
    next_cursor: str | None = None


class CountLine(BaseModel):
    region_code: str | None = None
    scheme: str | None = None
    category: str | None = None
    persons: int


class Counts(BaseModel):
    as_of: date
    by_scheme_and_region: list[CountLine]
    by_category: list[CountLine]


def dump(model: type[BaseModel], value: Any) -> dict[str, Any]:
    return model.model_validate(value).model_dump(mode="json")
