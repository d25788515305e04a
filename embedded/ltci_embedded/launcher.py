"""Builds and serves the five service apps in one event loop, sharing one in-process bus."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from ltci_assessment.app import create_app as assessment_app
from ltci_assessment.settings import Settings as AssessmentSettings
from ltci_care_delivery.app import create_app as care_delivery_app
from ltci_care_delivery.settings import Settings as CareDeliverySettings
from ltci_enrollment.app import create_app as enrollment_app
from ltci_enrollment.settings import EnrollmentSettings
from ltci_gateway.app import create_app as gateway_app
from ltci_gateway.settings import Settings as GatewaySettings
from ltci_settlement.app import create_app as settlement_app
from ltci_settlement.settings import Settings as SettlementSettings
from ltci_shared.messaging.inprocess import InProcessBus

log = logging.getLogger(__name__)


ADMIN_CREDENTIALS = "admin-client.json"


@dataclass(frozen=True)
class EmbeddedPlatform:
    apps: dict[str, FastAPI]
    ports: dict[str, int]
    bus: InProcessBus
    admin_credentials: Path
    """Written at the first start: the bootstrap admin client's id and secret (mode 0600)."""


def build(data_dir: Path, host: str = "127.0.0.1", base_port: int = 8000) -> EmbeddedPlatform:
    """One SQLite file per service under ``data_dir``; gateway on ``base_port``, services after it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    bus = InProcessBus(gated=True)

    def db(name: str) -> str:
        return f"sqlite+aiosqlite:///{(data_dir / f'{name}.db').resolve()}"

    ports = {
        "gateway": base_port,
        "enrollment": base_port + 1,
        "assessment": base_port + 2,
        "care-delivery": base_port + 3,
        "settlement": base_port + 4,
    }
    url = {name: f"http://{host}:{port}" for name, port in ports.items()}
    credentials = (data_dir / ADMIN_CREDENTIALS).resolve()
    # The services verify the gateway's tokens themselves (they listen on ports of their own).
    auth: dict[str, Any] = {
        "auth_mode": "required",
        "auth_jwks_url": f"{url['gateway']}/.well-known/jwks.json",
    }
    apps = {
        "enrollment": enrollment_app(
            EnrollmentSettings(database_url=db("enrollment"), **auth), bus=bus, migrate=True
        ),
        "assessment": assessment_app(
            AssessmentSettings(database_url=db("assessment"), **auth), bus=bus, migrate=True
        ),
        "care-delivery": care_delivery_app(
            CareDeliverySettings(database_url=db("care_delivery"), **auth), bus=bus, migrate=True
        ),
        "settlement": settlement_app(
            SettlementSettings(database_url=db("settlement"), **auth), bus=bus, migrate=True
        ),
        "gateway": gateway_app(
            GatewaySettings(
                database_url=db("gateway"),
                enrollment_url=url["enrollment"],
                assessment_url=url["assessment"],
                care_delivery_url=url["care-delivery"],
                settlement_url=url["settlement"],
                auth_mode="required",
                rate_limit_store="memory",
                bootstrap_credentials_file=str(credentials),
            ),
            bus=bus,
            migrate=True,
        ),
    }
    return EmbeddedPlatform(apps, ports, bus, credentials)


async def serve(
    platform: EmbeddedPlatform, host: str = "127.0.0.1", stop: asyncio.Event | None = None
) -> None:
    """Serve every app; open the bus once all have started (so no event finds no subscriber)."""
    servers = [
        uvicorn.Server(
            uvicorn.Config(
                app, host=host, port=platform.ports[name], log_config=None, lifespan="on"
            )
        )
        for name, app in platform.apps.items()
    ]
    for server in servers:
        # Signals are the caller's (one stop event for all five servers), not each server's.
        server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    tasks = [asyncio.create_task(s.serve()) for s in servers]
    while not all(s.started for s in servers):
        if any(t.done() for t in tasks):
            for s in servers:
                s.should_exit = True
            await asyncio.gather(*tasks, return_exceptions=True)
            raise SystemExit("a service failed to start; see the log above")
        await asyncio.sleep(0.05)
    platform.bus.open()
    log.info(
        "LTCI platform (embedded) ready: gateway on http://%s:%d; admin client credentials in "
        "%s (`ltci token` prints an access token)",
        host,
        platform.ports["gateway"],
        platform.admin_credentials,
    )
    stop = stop or asyncio.Event()
    waiter = asyncio.create_task(stop.wait())
    await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
    for s in servers:
        s.should_exit = True
    waiter.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
