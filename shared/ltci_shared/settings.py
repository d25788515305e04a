"""Settings base for every service: pydantic-settings, one env prefix per service, validated at start-up."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ltci_shared.db import PlanCacheMode

DEV_SECRET_MARKER = "dev-only-"  # noqa: S105 (a marker, not a secret)
"""Default secrets start with this marker; they are refused outside development."""


class ServiceSettings(BaseSettings):
    """What every service needs; each service subclasses it with its own ``env_prefix``.

    ``environment`` is ``development`` (the embedded default), ``test`` or ``production``.
    Outside development every secret must be set explicitly: a default secret is refused.
    """

    model_config = SettingsConfigDict(env_prefix="LTCI_", extra="ignore", frozen=True)

    service_name: str = "service"
    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite+aiosqlite:///var/service.db"
    database_pool_size: int = Field(default=10, ge=1, le=200)
    # PostgreSQL's plan_cache_mode for the service's sessions (see ltci_shared.db.create_engine)
    database_plan_cache_mode: PlanCacheMode = "auto"
    # A pooled connection idle this long is pinged before use (one in steady use is not)
    database_ping_idle_seconds: float = Field(default=1.0, ge=0, le=3600)
    bus: Literal["inprocess", "kafka"] = "inprocess"
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_topic_prefix: str = "ltci"
    # Consumer groups are "<prefix>.<consumer>", the prefix defaulting to the topic prefix; a
    # new one starts a consumer at the beginning of every topic (a read-model rebuild).
    kafka_group_prefix: str | None = Field(default=None, min_length=1, max_length=100)
    # Off for a rebuild beside the live service: the rebuilt copy records its events in its own
    # outbox but does not publish them again.
    relay_enabled: bool = True
    relay_batch_size: int = Field(default=500, ge=1, le=10_000)
    relay_idle_seconds: float = Field(default=0.2, gt=0, le=30)
    # Relay runs start at least this far apart (commits in between go out in one batch):
    # fewer transactions under steady load, at most this much added to the relay's lag.
    relay_linger_seconds: float = Field(default=0.05, ge=0, le=5)
    consumer_max_attempts: int = Field(default=3, ge=1, le=100)
    pii_encryption_key: str = DEV_SECRET_MARKER + "pii-encryption-key"
    pii_lookup_key: str = DEV_SECRET_MARKER + "pii-lookup-key"
    log_level: str = "INFO"
    log_json: bool = True
    # Access tokens (see ltci_shared.auth). "off": no token needed and every caller is treated
    # as an admin (the services' own unit tests); "required": a valid bearer token on every
    # route except health, metrics and docs (the gateway and the embedded launcher set it).
    auth_mode: Literal["off", "required"] = "off"
    auth_jwks_url: str = "http://127.0.0.1:8000/.well-known/jwks.json"
    auth_audience: str = Field(default="ltci-platform", min_length=1)
    auth_issuer: str = Field(default="ltci-gateway", min_length=1)
    auth_jwks_cache_seconds: float = Field(default=300.0, gt=0, le=86_400)
    auth_leeway_seconds: int = Field(default=30, ge=0, le=300)

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> ServiceSettings:
        if self.environment == "development":
            return self
        weak = [
            name
            for name, value in self.model_dump().items()
            if isinstance(value, str) and value.startswith(DEV_SECRET_MARKER)
        ]
        if weak:
            raise ValueError(
                f"default development secrets are refused in {self.environment}: "
                + ", ".join(sorted(weak))
            )
        return self

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")

    def topic(self, producer: str) -> str:
        """The topic a producing service publishes to, e.g. ``ltci.enrollment.events``."""
        return f"{self.kafka_topic_prefix}.{producer}.events"
