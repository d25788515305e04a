"""Common parts of every policy section: effective date, the document it comes from, and which
values are assumed because no document gives a number. Ratios and rates are exact decimals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from ltci_shared.money import NonNegativeMoney  # noqa: F401  (re-exported for sections)


def _exact(value: object) -> object:
    if isinstance(value, float):
        raise ValueError("write ratios as quoted decimals like '0.75', not floats")
    if isinstance(value, str | int) and not isinstance(value, bool):
        try:
            return Decimal(str(value))
        except InvalidOperation as exc:  # not a number: a validation error, never a 500
            raise ValueError("a ratio is a decimal number like '0.75'") from exc
    return value


def _ratio(value: Decimal) -> Decimal:
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(1):
        raise ValueError("a ratio is between 0 and 1")
    return value


Ratio = Annotated[Decimal, BeforeValidator(_exact), AfterValidator(_ratio)]
Grade = Annotated[int, Field(ge=0, le=5)]


class Strict(BaseModel):
    """A policy model: unknown keys are errors (a typo must never be silently ignored)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class SectionVersion(Strict):
    """One version of one section of a region's policy, in force from ``effective_from``."""

    section: ClassVar[str]
    effective_from: date
    source: str = Field(min_length=1, description="document and article the numbers come from")
    assumed: list[str] = Field(
        default_factory=list,
        description="dotted paths of values no document gives; shown wherever they are applied",
    )

    def version_id(self, region_code: str) -> str:
        return f"{region_code}/{self.section}@{self.effective_from.isoformat()}"

    def is_assumed(self, path: str) -> bool:
        return any(path == a or path.startswith(a + ".") for a in self.assumed)


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")
