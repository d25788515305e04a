"""Settings are validated at start-up; default secrets are refused outside development."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ltci_shared.settings import ServiceSettings


def test_development_accepts_the_default_secrets() -> None:
    assert ServiceSettings(environment="development").pii_lookup_key.startswith("dev-only-")


@pytest.mark.parametrize("environment", ["test", "production"])
def test_default_secrets_are_refused_outside_development(environment: str) -> None:
    with pytest.raises(ValidationError, match="pii_encryption_key, pii_lookup_key"):
        ServiceSettings(environment=environment)


def test_explicit_secrets_are_accepted_in_production() -> None:
    s = ServiceSettings(
        environment="production", pii_encryption_key="k" * 40, pii_lookup_key="l" * 40
    )
    assert s.environment == "production"


def test_prefix_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LTCI_BUS", "kafka")
    monkeypatch.setenv("LTCI_RELAY_BATCH_SIZE", "0")
    with pytest.raises(ValidationError, match="relay_batch_size"):
        ServiceSettings()


def test_topic_names_follow_the_producer() -> None:
    assert ServiceSettings().topic("care-delivery") == "ltci.care-delivery.events"
