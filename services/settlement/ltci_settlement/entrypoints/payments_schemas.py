"""Response models of provider payments, reconciliation and holdback releases, with examples."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ltci_settlement.domain.payments import FIGURES, ProviderFund
from ltci_shared.money import Money, NonNegativeMoney, from_fen

BATCH = "0193b0a0-1c2d-7e3f-8a4b-5c6d7e8f9a0b"
ITEM = "1f6f0c4e-2b8a-5a43-9d3c-8e0f2a7b6c10"
ENTRY = "9a3c3c61-3f0e-5d61-bb0a-0f3a6a1e2c55"


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


ITEM_EXAMPLE = {
    "item_id": ITEM,
    "batch_id": BATCH,
    "item_no": 1,
    "region_code": "320900",
    "period": "2026-03",
    "provider_id": "prov-a",
    "fund": "employee_ltc",
    "amount": "138.93",
    "status": "paid",
    "failure_reason": None,
    "bank_reference": "ICBC-20260405-0001",
    "entry_id": ENTRY,
    "reversal_entry_id": None,
    "answered_at": "2026-04-05T08:00:00Z",
}


class PaymentItemView(BaseModel):
    """One provider's payable in one fund, in a batch: ``sent`` (posted payable → bank, the
    bank's answer awaited), ``paid``, or ``failed`` (reversed: outstanding again)."""

    model_config = _examples(ITEM_EXAMPLE)

    item_id: str
    batch_id: str
    item_no: int
    region_code: str
    period: str
    provider_id: str
    fund: str
    amount: NonNegativeMoney
    status: str
    failure_reason: str | None
    bank_reference: str | None
    entry_id: str
    reversal_entry_id: str | None
    answered_at: datetime | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> PaymentItemView:
        plain = {k: row[k] for k in cls.model_fields if k in row}
        return cls(**plain, amount=from_fen(row["amount_fen"]))


BATCH_EXAMPLE = {
    "batch_id": BATCH,
    "region_code": "320900",
    "period": "2026-03",
    "status": "sent",
    "provider_ids": None,
    "item_count": 2,
    "total": "414.29",
    "paid": "138.93",
    "failed": "0.00",
    "in_transit": "275.36",
    "created_at": "2026-04-05T01:00:00Z",
    "closed_at": None,
}


class BatchSummary(BaseModel):
    """A payment batch (支付批次) with its figures by item status."""

    model_config = _examples(BATCH_EXAMPLE)

    batch_id: str
    region_code: str
    period: str
    status: str = Field(description="sent, or closed once the bank answered every item")
    provider_ids: list[str] | None
    item_count: int
    total: NonNegativeMoney
    paid: NonNegativeMoney
    failed: NonNegativeMoney
    in_transit: NonNegativeMoney
    created_at: datetime
    closed_at: datetime | None

    @classmethod
    def of(cls, row: dict[str, Any], figures: dict[str, tuple[int, int]]) -> BatchSummary:
        return cls(**_batch_fields(row, figures))


class BatchView(BatchSummary):
    """A batch with its items (for a provider: its own items only)."""

    model_config = _examples({**BATCH_EXAMPLE, "items": [ITEM_EXAMPLE]})

    items: list[PaymentItemView]

    @classmethod
    def detail(cls, row: dict[str, Any]) -> BatchView:
        figures: dict[str, tuple[int, int]] = {}
        for item in row["items"]:
            n, fen = figures.get(item["status"], (0, 0))
            figures[item["status"]] = (n + 1, fen + item["amount_fen"])
        items = [PaymentItemView.of(i) for i in row["items"]]
        return cls(**_batch_fields(row, figures), items=items)


def _batch_fields(row: dict[str, Any], figures: dict[str, tuple[int, int]]) -> dict[str, Any]:
    """A batch row's fields with its money figures; ``figures``: status → (items, fen)."""
    fen = {status: figures.get(status, (0, 0))[1] for status in ("paid", "failed", "sent")}
    plain = {k: row[k] for k in BatchSummary.model_fields if k in row}
    return {
        **plain,
        "total": from_fen(row["total_fen"]),
        "paid": from_fen(fen["paid"]),
        "failed": from_fen(fen["failed"]),
        "in_transit": from_fen(fen["sent"]),
    }


class BatchPage(BaseModel):
    items: list[BatchSummary]
    next_cursor: str | None


class ItemPage(BaseModel):
    items: list[PaymentItemView]
    next_cursor: str | None


ROW_EXAMPLE = {
    "provider_id": "prov-a",
    "fund": "employee_ltc",
    "posted": "138.93",
    "holdback_withheld": "7.32",
    "holdback_released": "3.66",
    "holdback_forfeited": "3.66",
    "holdback_held": "0.00",
    "paid": "138.93",
    "in_transit": "0.00",
    "failed": "0.00",
    "outstanding": "3.66",
    "balanced": True,
}


class Figures(BaseModel):
    posted: Money = Field(description="payable credited by month-end (net of reversals)")
    holdback_withheld: Money = Field(description="quality holdback withheld from the lines")
    holdback_released: Money = Field(description="holdback released to the provider's payable")
    holdback_forfeited: Money = Field(description="holdback forfeited to the fund")
    holdback_held: Money = Field(description="holdback still withheld")
    paid: Money = Field(description="batch items the bank paid")
    in_transit: Money = Field(description="batch items sent, the bank's answer awaited")
    failed: Money = Field(description="batch items the bank failed (reversed)")
    outstanding: Money = Field(description="payable still owed (negative: paid more than owed)")


class ReconciliationRow(Figures):
    model_config = _examples(ROW_EXAMPLE)

    provider_id: str
    fund: str
    balanced: bool

    @classmethod
    def of(cls, row: ProviderFund) -> ReconciliationRow:
        money = {name: from_fen(getattr(row, name)) for name in FIGURES}
        return cls(provider_id=row.provider_id, fund=row.fund, balanced=row.balanced, **money)


class Reconciliation(BaseModel):
    """Payments reconciled against liabilities (对账), per provider and fund, for one month:
    posted + holdback withheld = paid + in transit + outstanding + holdback held + forfeited."""

    model_config = _examples(
        {
            "region_code": "320900",
            "period": "2026-03",
            "provider_id": None,
            "settled": True,
            "rows": [ROW_EXAMPLE],
            "totals": {k: v for k, v in ROW_EXAMPLE.items() if k in FIGURES},
            "balanced": True,
        }
    )

    region_code: str
    period: str
    provider_id: str | None
    settled: bool = Field(description="a month-end run of the month has completed")
    rows: list[ReconciliationRow]
    totals: Figures
    balanced: bool

    @classmethod
    def of(cls, body: dict[str, Any]) -> Reconciliation:
        return cls(
            **{k: body[k] for k in ("region_code", "period", "provider_id", "settled")},
            rows=[ReconciliationRow.of(r) for r in body["rows"]],
            totals=Figures(**{k: from_fen(body["totals"].get(k, 0)) for k in FIGURES}),
            balanced=body["balanced"],
        )


RELEASE_EXAMPLE = {
    "release_id": "5d0e2b1e-8f57-5f0c-a3a1-0c2f4f1f9b77",
    "region_code": "320900",
    "period": "2026-03",
    "provider_id": "prov-a",
    "fund": "employee_ltc",
    "sequence": 1,
    "score": "85.00",
    "release_share": "0.50",
    "withheld": "7.32",
    "released": "3.66",
    "forfeited": "3.66",
    "policy_version": "320900/benefits@2022-07-01",
    "entry_id": ENTRY,
    "created_at": "2026-04-10T01:00:00Z",
}


class ReleaseView(BaseModel):
    """A provider's holdback in one fund released by its score (质量保证金返还)."""

    model_config = _examples(RELEASE_EXAMPLE)

    release_id: str
    region_code: str
    period: str
    provider_id: str
    fund: str
    sequence: int
    score: str
    release_share: str
    withheld: NonNegativeMoney
    released: NonNegativeMoney
    forfeited: NonNegativeMoney
    policy_version: str
    entry_id: str
    created_at: datetime

    @classmethod
    def of(cls, row: dict[str, Any]) -> ReleaseView:
        plain = {k: row[k] for k in cls.model_fields if k in row}
        money = {k: from_fen(row[f"{k}_fen"]) for k in ("withheld", "released", "forfeited")}
        return cls(**plain, **money)


class WaitingView(BaseModel):
    provider_id: str
    fund: str
    holdback_held: NonNegativeMoney


class ReleaseResult(BaseModel):
    """What one release did: holdback released per provider and fund, and the providers whose
    scorecard has not been issued yet (their holdback stays withheld)."""

    model_config = _examples(
        {
            "region_code": "320900",
            "period": "2026-03",
            "policy_version": "320900/benefits@2022-07-01",
            "released": [RELEASE_EXAMPLE],
            "waiting": [
                {"provider_id": "prov-b", "fund": "employee_ltc", "holdback_held": "14.49"}
            ],
        }
    )

    region_code: str
    period: str
    policy_version: str
    released: list[ReleaseView]
    waiting: list[WaitingView]

    @classmethod
    def of(cls, body: dict[str, Any]) -> ReleaseResult:
        return cls(
            **{k: body[k] for k in ("region_code", "period", "policy_version")},
            released=[ReleaseView.of(r) for r in body["released"]],
            waiting=[
                WaitingView(
                    provider_id=w["provider_id"],
                    fund=w["fund"],
                    holdback_held=from_fen(w["holdback_held_fen"]),
                )
                for w in body["waiting"]
            ],
        )


class ReleasePage(BaseModel):
    items: list[ReleaseView]
    next_cursor: str | None
