"""The command line every service shares: ``python -m ltci_<service> serve|migrate``."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from ltci_shared.logging import configure_logging
from ltci_shared.migrations import upgrade
from ltci_shared.settings import ServiceSettings


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
    sub.add_parser("migrate", help="apply the database migrations and exit")
    args = parser.parse_args()
    settings = settings_factory()  # validated here, at start-up
    configure_logging(settings.service_name, settings.log_level, json_output=settings.log_json)
    if args.command == "migrate":
        upgrade(package, settings.database_url)
        return
    uvicorn.run(
        app_factory(settings), host=args.host, port=args.port, log_config=None, proxy_headers=True
    )
