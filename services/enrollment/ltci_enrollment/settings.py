"""Settings of the enrollment service (environment prefix ``ENROLLMENT_``)."""

from pydantic_settings import SettingsConfigDict

from ltci_shared.settings import ServiceSettings


class EnrollmentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ENROLLMENT_", extra="ignore", frozen=True)

    service_name: str = "enrollment"
    database_url: str = "sqlite+aiosqlite:///var/enrollment.db"
