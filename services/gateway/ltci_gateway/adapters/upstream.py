"""Pooled HTTP clients to the services behind the gateway (made at start-up)."""

from __future__ import annotations

import httpx

from ltci_gateway.settings import Settings


class Upstreams:
    def __init__(
        self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        limits = httpx.Limits(
            max_connections=settings.upstream_pool_size,
            max_keepalive_connections=settings.upstream_pool_size,
        )
        timeout = httpx.Timeout(settings.upstream_timeout_seconds, connect=5.0)
        self.clients = {
            name: httpx.AsyncClient(
                base_url=url, limits=limits, timeout=timeout, transport=transport
            )
            for name, url in settings.upstreams().items()
        }

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()
