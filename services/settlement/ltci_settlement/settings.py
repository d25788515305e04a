"""Settings of the settlement service (environment prefix ``SETTLEMENT_``)."""

from pydantic_settings import SettingsConfigDict

from ltci_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SETTLEMENT_", extra="ignore", frozen=True)

    service_name: str = "settlement"
    database_url: str = "sqlite+aiosqlite:///var/settlement.db"
