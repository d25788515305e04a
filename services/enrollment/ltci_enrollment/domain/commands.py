"""Commands of the enrollment service (imperative, immutable)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ltci_shared.ids import ResidentIdStr


class EnrollPerson(BaseModel):
    """Enroll an insured person in basic (and so care) insurance."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    resident_id: ResidentIdStr = Field(description="居民身份证号码, 18 characters (GB 11643)")
    name: str = Field(min_length=1, max_length=100)
    region_code: str = Field(pattern=r"^\d{6}$", description="administrative division code")
    scheme: Literal["employee", "resident"] = Field(description="职工医保 or 居民医保")
    valid_from: date
