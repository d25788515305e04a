"""Settings of the assessment service (environment prefix ``ASSESSMENT_``)."""

from pydantic_settings import SettingsConfigDict

from ltci_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ASSESSMENT_", extra="ignore", frozen=True)

    service_name: str = "assessment"
    database_url: str = "sqlite+aiosqlite:///var/assessment.db"
