"""Commands of provider payments (支付批次) and the quality holdback's release, as validated
request bodies."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

REGION = r"^\d{6}$"
PERIOD = r"^\d{4}-\d{2}$"
ProviderId = str


class CreateBatch(BaseModel):
    """Pay each provider's outstanding payable per fund for a settled month."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"region_code": "320900", "period": "2026-03"},
                {"region_code": "320900", "period": "2026-03", "provider_ids": ["prov-a"]},
            ]
        },
    )

    region_code: str = Field(pattern=REGION, description="city pack or county code")
    period: str = Field(pattern=PERIOD, description="a month closed by a month-end run")
    provider_ids: list[ProviderId] | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="only these providers (default: every provider with an outstanding payable)",
    )

    @model_validator(mode="after")
    def _ids(self) -> CreateBatch:
        if self.provider_ids is not None and any(not 0 < len(p) <= 36 for p in self.provider_ids):
            raise ValueError("provider ids are 1 to 36 characters")
        return self


class ItemResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: str = Field(min_length=1, max_length=36)
    status: Literal["paid", "failed"]
    reason: str | None = Field(default=None, max_length=500, description="why the bank failed it")
    bank_reference: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _reason(self) -> ItemResult:
        if self.status == "failed" and not self.reason:
            raise ValueError("a failed item needs the bank's reason")
        return self


class RecordResults(BaseModel):
    """The bank's answer per item: paid, or failed with its reason (a failed item is reversed
    and its payable is outstanding again)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "results": [
                        {
                            "item_id": "1f6f0c4e-2b8a-5a43-9d3c-8e0f2a7b6c10",
                            "status": "paid",
                            "bank_reference": "ICBC-20260405-0001",
                        },
                        {
                            "item_id": "7c1d2e3f-0000-5000-8000-000000000002",
                            "status": "failed",
                            "reason": "account closed",
                        },
                    ]
                }
            ]
        },
    )

    results: list[ItemResult] = Field(min_length=1, max_length=5000)

    @model_validator(mode="after")
    def _once(self) -> RecordResults:
        ids = [r.item_id for r in self.results]
        if len(set(ids)) != len(ids):
            raise ValueError("each item is answered once per request")
        return self


class ReleaseHoldback(BaseModel):
    """Release the month's withheld holdback of every provider with an issued scorecard."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"region_code": "320900", "period": "2026-03"}]},
    )

    region_code: str = Field(pattern=REGION, description="city pack or county code")
    period: str = Field(pattern=PERIOD, description="a month closed by a month-end run")
