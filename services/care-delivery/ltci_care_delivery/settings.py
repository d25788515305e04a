"""Settings of the care-delivery service (environment prefix ``CARE_DELIVERY_``)."""

from pydantic_settings import SettingsConfigDict

from ltci_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CARE_DELIVERY_", extra="ignore", frozen=True)

    service_name: str = "care-delivery"
    database_url: str = "sqlite+aiosqlite:///var/care_delivery.db"
