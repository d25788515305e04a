"""Gateway test helpers: tokens of a test key, the gateway with a known admin secret."""

from __future__ import annotations

from typing import Any

import httpx

from ltci_gateway.settings import Settings

ADMIN_SECRET = "admin-secret-for-tests-only-0123456789"


def gateway_settings(url: str, **kw: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "bootstrap_admin_secret": ADMIN_SECRET,
        "secret_hash_cost": 10,
        "client_cache_seconds": 0,
    }
    values.update(kw)
    return Settings(**values)


async def token(client: httpx.AsyncClient, client_id: str, secret: str) -> str:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    response = await client.post("/oauth/token", data=form)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


async def admin_headers(client: httpx.AsyncClient) -> dict[str, str]:
    return bearer(await token(client, "admin", ADMIN_SECRET))


async def register(client: httpx.AsyncClient, admin: dict[str, str], **spec: Any) -> dict[str, Any]:
    body = {"name": f"test {spec['role']}", **spec}
    response = await client.post("/admin/clients", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def client_token(client: httpx.AsyncClient, admin: dict[str, str], **spec: Any) -> str:
    created = await register(client, admin, **spec)
    return await token(client, created["client_id"], created["client_secret"])
