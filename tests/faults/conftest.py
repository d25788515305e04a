"""The fault suite: quick faults run with every `scripts/test`; the long ones (marked
``full``) only with `scripts/faults` (the ``--faults-full`` option, defined in the root
conftest)."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--faults-full"):
        return
    long = [item for item in items if item.get_closest_marker("full")]
    if long:
        config.hook.pytest_deselected(items=long)
        items[:] = [item for item in items if not item.get_closest_marker("full")]
