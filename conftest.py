"""Root pytest configuration: the shared fixtures (real PostgreSQL, real Kafka) and the
option that adds the long faults (tests/faults, marker ``full``)."""

import pytest

pytest_plugins = ["ltci_shared.testing.fixtures"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--faults-full", action="store_true", help="also run the long faults (scripts/faults)"
    )
