"""Pooled HTTP clients to the services behind the gateway (made at start-up)."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ltci_gateway.settings import Settings


class Upstreams:
    """One client per service; ``transports`` replaces the network per service (tests)."""

    def __init__(
        self,
        settings: Settings,
        transport: httpx.AsyncBaseTransport | None = None,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        limits = httpx.Limits(
            max_connections=settings.upstream_pool_size,
            max_keepalive_connections=settings.upstream_pool_size,
        )
        timeout = httpx.Timeout(settings.upstream_timeout_seconds, connect=5.0)
        chosen = transports or {}
        self.clients = {
            name: httpx.AsyncClient(
                base_url=url, limits=limits, timeout=timeout, transport=chosen.get(name, transport)
            )
            for name, url in settings.upstreams().items()
        }

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()
