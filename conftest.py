"""Root pytest configuration: the shared fixtures (real PostgreSQL, real Kafka)."""

pytest_plugins = ["ltci_shared.testing.fixtures"]
