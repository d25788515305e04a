"""Settings of the gateway (environment prefix ``GATEWAY_``)."""

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ltci_shared.settings import DEV_SECRET_MARKER, ServiceSettings


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
    upstream_max_in_flight: int = Field(
        default=64,
        ge=1,
        le=10_000,
        description="requests one service may have in hand at once; beyond it the gateway "
        "sheds load at once with 429 and Retry-After instead of queueing",
    )
    # The gateway is the public door: tokens are required unless explicitly turned off.
    auth_mode: Literal["off", "required"] = "required"
    token_ttl_seconds: int = Field(default=600, ge=30, le=3600, description="access token life")
    key_encryption_secret: str = Field(
        default=DEV_SECRET_MARKER + "gateway-key-encryption-secret",
        min_length=16,
        description="encrypts the signing keys' private halves in the gateway's database",
    )
    key_publish_lead_seconds: int = Field(
        default=360,
        ge=0,
        le=86_400,
        description="a new key is in the JWKS this long before it signs",
    )
    key_rotation_days: int = Field(default=30, ge=1, le=3650)
    key_reload_seconds: float = Field(default=60.0, gt=0, le=3600)
    client_cache_seconds: float = Field(
        default=5.0, ge=0, le=300, description="how stale a replica's view of clients may be"
    )
    secret_hash_cost: int = Field(default=14, ge=10, le=20, description="scrypt N = 2**cost")
    rate_limit_store: Literal["auto", "memory", "database"] = Field(
        default="auto", description="auto: database on PostgreSQL, memory on SQLite"
    )
    rate_per_second: float = Field(default=100.0, gt=0, le=100_000)
    rate_burst: int = Field(default=200, ge=1, le=1_000_000)
    token_rate_per_second: float = Field(default=1.0, gt=0, le=1000)
    token_rate_burst: int = Field(default=20, ge=1, le=10_000)
    max_body_bytes: int = Field(default=1 << 20, ge=1024, le=1 << 30)
    max_upload_bytes: int = Field(default=256 << 20, ge=1024, le=1 << 34)
    upload_paths: tuple[str, ...] = ("/enrollment/imports/",)
    max_page_size: int = Field(default=500, ge=1, le=10_000)
    audit_scan_bytes: int = Field(
        default=4 << 20,
        ge=0,
        le=1 << 30,
        description="responses up to this size are scanned for person ids",
    )
    bootstrap_admin_client_id: str = Field(default="admin", pattern=r"^[A-Za-z0-9._-]{3,64}$")
    bootstrap_admin_secret: str | None = Field(
        default=None, min_length=24, description="creates or resets the admin client at start-up"
    )
    bootstrap_credentials_file: str | None = Field(
        default=None, description="first start: write a generated admin credential here (0600)"
    )

    def upstreams(self) -> dict[str, str]:
        """Public path prefix → the service's base URL."""
        return {
            "enrollment": self.enrollment_url,
            "assessment": self.assessment_url,
            "care-delivery": self.care_delivery_url,
            "settlement": self.settlement_url,
        }

    def rate_store(self) -> Literal["memory", "database"]:
        if self.rate_limit_store == "auto":
            return "database" if self.is_postgres else "memory"
        return self.rate_limit_store
