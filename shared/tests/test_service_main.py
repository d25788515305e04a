"""The shared command line's server wrapper: the start-up heap frozen once the app started, and
the collector's thresholds those of a server."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator

from fastapi import FastAPI

from ltci_shared.service_main import SERVER_GC_THRESHOLDS, frozen_after_start_up


async def test_the_heap_is_frozen_after_the_apps_own_start_up_and_it_still_stops() -> None:
    events: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        events.append(f"started, frozen {gc.get_freeze_count()}")
        yield
        events.append("stopped")

    gc.unfreeze()
    thresholds = gc.get_threshold()
    app = frozen_after_start_up(FastAPI(lifespan=lifespan))
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_freeze_count() > 0
            assert gc.get_threshold() == SERVER_GC_THRESHOLDS != thresholds
        assert events == ["started, frozen 0", "stopped"]
    finally:
        gc.unfreeze()  # other tests build many apps in this process
        gc.set_threshold(*thresholds)
