"""The gateway with enrollment and settlement in-process (ASGI transports), all on PostgreSQL;
the services verify tokens against the gateway's JWKS like in production."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from ltci_enrollment.app import create_app as enrollment_app
from ltci_enrollment.settings import EnrollmentSettings
from ltci_gateway.app import create_app as gateway_app
from ltci_settlement.app import create_app as settlement_app
from ltci_settlement.settings import Settings as SettlementSettings
from ltci_shared.auth import JwksCache, TokenVerifier

from .support import gateway_settings

JWKS = "http://gw/.well-known/jwks.json"


@dataclass
class Platform:
    gw: httpx.AsyncClient
    gateway: FastAPI
    enrollment: FastAPI
    settlement: FastAPI


@asynccontextmanager
async def platform(urls: list[str], **gateway_kw: Any) -> AsyncIterator[Platform]:
    auth: dict[str, Any] = {"auth_mode": "required", "auth_jwks_url": JWKS}
    enrollment = enrollment_app(EnrollmentSettings(database_url=urls[0], **auth), migrate=True)
    settlement = settlement_app(SettlementSettings(database_url=urls[1], **auth), migrate=True)
    transports = {
        "enrollment": httpx.ASGITransport(app=enrollment),
        "settlement": httpx.ASGITransport(app=settlement),
    }
    gateway = gateway_app(
        gateway_settings(urls[2], **gateway_kw), migrate=True, transports=transports
    )
    async with AsyncExitStack() as stack:
        for app in (gateway, enrollment, settlement):
            await stack.enter_async_context(app.router.lifespan_context(app))
        for app in (enrollment, settlement):
            keys = JwksCache(JWKS, min_refresh=0.0, transport=httpx.ASGITransport(app=gateway))
            app.state.token_verifier = TokenVerifier(keys, "ltci-platform", "ltci-gateway")
        transport = httpx.ASGITransport(app=gateway)
        gw = await stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://gw")
        )
        yield Platform(gw, gateway, enrollment, settlement)
