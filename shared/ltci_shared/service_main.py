"""The command line every service shares: ``python -m ltci_<service> serve|migrate``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import importlib
import json
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import uvicorn
from fastapi import FastAPI

from ltci_shared import workers
from ltci_shared.db import create_engine
from ltci_shared.housekeeping import Retention, purge
from ltci_shared.logging import configure_logging
from ltci_shared.migrations import upgrade
from ltci_shared.settings import ServiceSettings

_WORKER_APP, _WORKER_SETTINGS = "LTCI_WORKER_APP", "LTCI_WORKER_SETTINGS"


def _name(obj: Callable[..., object]) -> str:
    return f"{obj.__module__}:{obj.__qualname__}"


def _load(name: str) -> Callable[..., object]:
    module, attribute = name.split(":")
    found: Callable[..., object] = getattr(importlib.import_module(module), attribute)
    return found


# Collector thresholds of a started server (Python's are 700, 10, 10): a young collection
# every 10,000 net allocations, and a full one considered after 100 middle ones instead of 10.
# A full pass stops the event loop for 7-20 ms (measured on single-visit ingest, where it ran
# every 2 s and put its pause into the requests in flight: p99 at 555 visits/s went from 57 to
# 47 ms with these). Garbage without cycles is freed at once either way.
SERVER_GC_THRESHOLDS = (10_000, 10, 100)


def frozen_after_start_up(app: FastAPI) -> FastAPI:
    """For a long-running server: once the app has started, what start-up made (modules,
    models, the policy book, compiled statements) is moved out of the garbage collector's
    reach (``gc.freeze``), so its full passes walk only what requests create (each pass
    otherwise walks ~200,000 start-up objects: about 40 us a visit on batch ingest), and the
    collector runs less often (``SERVER_GC_THRESHOLDS``). Not for tests, which build many
    apps in one process."""
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(running: FastAPI) -> AsyncIterator[Any]:
        async with inner(running) as state:
            gc.collect()
            gc.freeze()
            gc.set_threshold(*SERVER_GC_THRESHOLDS)
            yield state

    app.router.lifespan_context = lifespan
    return app


def worker_app() -> FastAPI:
    """One worker's app (``serve --workers N``): settings validated and logging configured in
    the worker's own process, as ``serve`` does in a single process."""
    settings = _load(os.environ[_WORKER_SETTINGS])()
    assert isinstance(settings, ServiceSettings)
    configure_logging(settings.service_name, settings.log_level, json_output=settings.log_json)
    app = _load(os.environ[_WORKER_APP])(settings)
    assert isinstance(app, FastAPI)
    return frozen_after_start_up(app)


async def _purge(url: str, retention: Retention) -> dict[str, int]:
    engine = create_engine(url, pool_size=1)
    try:
        return await purge(engine, retention)
    finally:
        await engine.dispose()


def run_cli(
    package: str,
    settings_factory: Callable[[], ServiceSettings],
    app_factory: Callable[..., FastAPI],
    default_port: int,
) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {package}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP API, the outbox relay and the consumers")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=default_port)
    serve.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("LTCI_WORKERS", "1")),
        help="worker processes (or LTCI_WORKERS); each runs the API and joins the consumer "
        "groups, and one relay per database is active at a time",
    )
    sub.add_parser("migrate", help="apply the database migrations and exit")
    purge = sub.add_parser(
        "purge",
        help="delete sent outbox rows, inbox rows, replayed dead letters and idempotency keys "
        "older than their retention (days), then exit",
    )
    defaults = Retention()
    for name in ("outbox", "inbox", "dead_letter", "idempotency"):
        purge.add_argument(
            f"--{name.replace('_', '-')}-days", type=int, default=getattr(defaults, f"{name}_days")
        )
    args = parser.parse_args()
    settings = settings_factory()  # validated here, at start-up
    configure_logging(settings.service_name, settings.log_level, json_output=settings.log_json)
    if args.command == "migrate":
        upgrade(package, settings.database_url)
        return
    if args.command == "purge":
        retention = Retention(
            args.outbox_days, args.inbox_days, args.dead_letter_days, args.idempotency_days
        )
        print(json.dumps(asyncio.run(_purge(settings.database_url, retention))))
        return
    if args.workers > 1:  # each worker process builds its app from the same environment
        os.environ[_WORKER_APP] = _name(app_factory)
        os.environ[_WORKER_SETTINGS] = _name(settings_factory)
        config = uvicorn.Config(
            "ltci_shared.service_main:worker_app",
            factory=True,
            host=args.host,
            port=args.port,
            log_config=None,
            proxy_headers=True,
        )
        workers.serve(config, args.workers)
        return
    app = frozen_after_start_up(app_factory(settings))
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, proxy_headers=True)
