"""Settings of the gateway (environment prefix ``GATEWAY_``)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ltci_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    service_name: str = "gateway"
    database_url: str = "sqlite+aiosqlite:///var/gateway.db"
    enrollment_url: str = "http://127.0.0.1:8001"
    assessment_url: str = "http://127.0.0.1:8002"
    care_delivery_url: str = "http://127.0.0.1:8003"
    settlement_url: str = "http://127.0.0.1:8004"
    upstream_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    upstream_pool_size: int = Field(default=100, ge=1, le=1000)

    def upstreams(self) -> dict[str, str]:
        """Public path prefix → the service's base URL."""
        return {
            "enrollment": self.enrollment_url,
            "assessment": self.assessment_url,
            "care-delivery": self.care_delivery_url,
            "settlement": self.settlement_url,
        }
