"""Pooled HTTP clients to the services behind the gateway (made at start-up)."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator, Mapping

import httpx

from ltci_gateway.settings import Settings
from ltci_shared.errors import DomainError


class UpstreamBusy(DomainError):
    """429 with Retry-After, like a client's own rate limit: never a 5xx for a burst."""

    status, name, title = 429, "upstream_busy", "The service is busy; retry shortly"


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
        self.max_in_flight = settings.upstream_max_in_flight
        self.in_flight: Counter[str] = Counter()

    @contextlib.contextmanager
    def slot(self, service: str) -> Iterator[None]:
        """Hold one of the service's in-flight places; ``UpstreamBusy`` when none is free
        (admission control: a saturated service is not queued for, the client backs off)."""
        if self.in_flight[service] >= self.max_in_flight:
            raise UpstreamBusy(
                f"the {service} service has {self.max_in_flight} requests in hand; retry shortly",
                retry_after=1,
                service=service,
            )
        self.in_flight[service] += 1
        try:
            yield
        finally:
            self.in_flight[service] -= 1

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()
