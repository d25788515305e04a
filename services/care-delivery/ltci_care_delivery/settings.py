"""Settings of the care-delivery service (environment prefix ``CARE_DELIVERY_``)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ltci_shared.db import PlanCacheMode
from ltci_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CARE_DELIVERY_", extra="ignore", frozen=True)

    service_name: str = "care-delivery"
    database_url: str = "sqlite+aiosqlite:///var/care_delivery.db"
    # A visit's verification context is one statement over id arrays of any length, on
    # tables growing by thousands of rows a minute: a generic plan, priced for some average
    # array and kept until the next ANALYZE, went from 0.3 to 25 ms a call in a benchmark.
    database_plan_cache_mode: PlanCacheMode = "force_custom_plan"
    clock_skew_seconds: int = Field(
        default=300, ge=0, le=3600, description="how far in the future a visit time may be"
    )
    batch_max_bytes: int = Field(
        default=4_000_000, ge=10_000, le=50_000_000, description="largest visit-batch body"
    )
    visit_group_max: int = Field(
        default=200,
        ge=1,
        le=1000,
        description="single visits (one a request) arriving together share one transaction, "
        "at most this many (1: every request its own transaction)",
    )
    visit_group_lanes: int = Field(
        default=1, ge=1, le=16, description="transactions of grouped single visits at once"
    )
