"""Settings of the care-delivery service (environment prefix ``CARE_DELIVERY_``)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ltci_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CARE_DELIVERY_", extra="ignore", frozen=True)

    service_name: str = "care-delivery"
    database_url: str = "sqlite+aiosqlite:///var/care_delivery.db"
    clock_skew_seconds: int = Field(
        default=300, ge=0, le=3600, description="how far in the future a visit time may be"
    )
    batch_max_bytes: int = Field(
        default=4_000_000, ge=10_000, le=50_000_000, description="largest visit-batch body"
    )
