"""API clients (API 客户端) as an admin registers them: a role and the tenancy that goes with it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ltci_shared.auth import Role
from ltci_shared.errors import InvalidInput

EXAMPLE: dict[str, Any] = {
    "name": "盐城市承办机构 (TPA) · claims team",
    "role": "tpa",
    "regions": ["320900"],
}


class ClientSpec(BaseModel):
    """Role and tenancy: a TPA needs regions, a provider its provider id."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    name: str = Field(min_length=1, max_length=200)
    role: Role
    regions: list[str] = Field(default_factory=list, max_length=100)
    provider_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    rate_per_second: float | None = Field(default=None, gt=0, le=100_000)
    burst: int | None = Field(default=None, ge=1, le=1_000_000)

    @model_validator(mode="after")
    def _tenancy(self) -> ClientSpec:
        check_tenancy(self.role, self.regions, self.provider_id)
        return self


def check_tenancy(role: str, regions: list[str], provider_id: str | None) -> None:
    for code in regions:
        if len(code) != 6 or not code.isdigit():
            raise ValueError(f"a region code has six digits: {code[:10]!r}")
    if role == "tpa" and not regions:
        raise ValueError("a tpa client needs at least one region")
    if role == "provider" and not provider_id:
        raise ValueError("a provider client needs its provider_id")
    if role != "provider" and provider_id:
        raise ValueError("only a provider client has a provider_id")
    if role == "admin" and regions:
        raise ValueError("an admin client has no regions (it sees everything)")


class ClientChange(BaseModel):
    """A change of name, tenancy, limits or status; tenancy changes revoke outstanding tokens."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"regions": ["320900", "320500"]}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=200)
    regions: list[str] | None = Field(default=None, max_length=100)
    provider_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    rate_per_second: float | None = Field(default=None, gt=0, le=100_000)
    burst: int | None = Field(default=None, ge=1, le=1_000_000)
    disabled: bool | None = None

    def apply(self, current: dict[str, Any]) -> dict[str, Any]:
        values = self.model_dump(exclude_unset=True)
        if "regions" in values and values["regions"] is None:
            values["regions"] = []  # null clears them (a TPA is then refused below)
        nulled = [key for key in ("name", "disabled") if key in values and values[key] is None]
        if nulled:
            raise InvalidInput(f"{nulled[0]} cannot be null")
        merged = {**current, **values}
        try:
            check_tenancy(merged["role"], merged["regions"], merged["provider_id"])
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        return values

    @property
    def revokes_tokens(self) -> bool:
        fields = self.model_fields_set
        return bool(fields & {"regions", "provider_id"}) or self.disabled is True
