"""Settings of the settlement service (environment prefix ``SETTLEMENT_``)."""

from decimal import Decimal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ltci_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SETTLEMENT_", extra="ignore", frozen=True)

    service_name: str = "settlement"
    database_url: str = "sqlite+aiosqlite:///var/settlement.db"
    review_sample_share: Decimal = Field(
        default=Decimal("0.05"), ge=0, le=1, description="share of lines drawn for TPA review"
    )
    review_high_value: Decimal = Field(
        default=Decimal("1000.00"), ge=0, description="lines whose fund share reaches this are held"
    )
    review_seed: str = Field(default="ltci-review", min_length=1, description="sampling seed")
    run_chunk_persons: int = Field(default=500, ge=1, le=100_000)
