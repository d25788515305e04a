"""The simulator's HTTP client: the gateway only, OAuth2 client credentials when the gateway
asks for them, bounded concurrency, and polite retries on 429 (Retry-After) and 503."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import httpx

ADMIN_CREDENTIALS_FILE = "admin-client.json"  # written by the embedded launcher
RETRY_STATUSES = (429, 502, 503)
MAX_ATTEMPTS = 200


class SimulationError(RuntimeError):
    """A step cannot go on; the message says what to do."""


class ApiError(SimulationError):
    """The platform answered with a problem (4xx/5xx)."""

    def __init__(self, method: str, path: str, status: int, body: Any) -> None:
        self.status, self.body = status, body
        self.name = ""
        if isinstance(body, dict) and isinstance(body.get("type"), str):
            self.name = body["type"].rsplit("/", 1)[-1]
        detail = body.get("detail") or body.get("title") if isinstance(body, dict) else body
        super().__init__(f"{method} {path} answered {status} {self.name}: {str(detail)[:300]}")


def resolve_credentials(
    client_id: str | None, client_secret: str | None, data_dir: Path
) -> tuple[str, str] | None:
    """Options first, then LTCI_CLIENT_ID/LTCI_CLIENT_SECRET, then the embedded launcher's file."""
    client_id = client_id or os.environ.get("LTCI_CLIENT_ID")
    client_secret = client_secret or os.environ.get("LTCI_CLIENT_SECRET")
    if client_id and client_secret:
        return client_id, client_secret
    path = data_dir / ADMIN_CREDENTIALS_FILE
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        return str(saved["client_id"]), str(saved["client_secret"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


class ApiClient:
    """``await api.post(path, json, key=...)`` returns the decoded JSON or raises ApiError."""

    def __init__(
        self,
        url: str,
        credentials: tuple[str, str] | None,
        *,
        concurrency: int = 8,
        timeout: float = 120.0,
    ) -> None:
        self._http = httpx.AsyncClient(base_url=url.rstrip("/"), timeout=timeout)
        self._credentials = credentials
        self._token: str | None = None
        self._token_until = 0.0
        self._token_lock = asyncio.Lock()
        self._slots = asyncio.Semaphore(concurrency)
        self.requests = 0
        self.throttled = 0

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _bearer(self, refresh: bool = False) -> dict[str, str]:
        if self._credentials is None:
            return {}
        async with self._token_lock:
            if refresh or self._token is None or time.monotonic() >= self._token_until:
                await self._fetch_token()
        return {"Authorization": f"Bearer {self._token}"}

    async def _fetch_token(self) -> None:
        assert self._credentials is not None
        client_id, secret = self._credentials
        form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
        for _ in range(30):
            r = await self._http.post("/oauth/token", data=form)
            if r.status_code != 429:
                break
            await asyncio.sleep(_retry_after(r))
        if r.status_code == 404:
            raise SimulationError("the gateway has no /oauth/token: run without credentials")
        if r.status_code != 200:
            raise SimulationError(
                f"the gateway refused the client credentials of {client_id!r} "
                f"({r.status_code}): check --client-id/--client-secret"
            )
        body = r.json()
        self._token = str(body["access_token"])
        # refresh a little before expiry, so no request goes out with a dying token
        self._token_until = time.monotonic() + max(10.0, float(body["expires_in"]) - 30.0)

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        key: str | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
        ok: Iterable[int] = (200, 201, 202),
    ) -> Any:
        headers = {"Idempotency-Key": key} if key else {}
        if content_type:
            headers["Content-Type"] = content_type
        send = {"json": json_body, "params": params, "content": content}
        refreshed = False
        for attempt in range(MAX_ATTEMPTS):
            r = await self._send(method, path, headers, attempt, send)
            if r is None:
                continue
            if r.status_code == 401 and not refreshed:
                self._need_credentials()
                refreshed = True
                await self._bearer(refresh=True)
                continue
            if r.status_code in RETRY_STATUSES and attempt < MAX_ATTEMPTS - 1:
                self.throttled += r.status_code == 429
                await asyncio.sleep(_retry_after(r) if r.status_code == 429 else 0.5)
                continue
            return _decode(method, path, r, set(ok))
        raise SimulationError(f"{method} {path}: no answer after {MAX_ATTEMPTS} attempts")

    async def _send(
        self, method: str, path: str, headers: dict[str, str], attempt: int, send: dict[str, Any]
    ) -> httpx.Response | None:
        """One attempt; None when the connection failed and the request may be retried."""
        async with self._slots:
            auth = await self._bearer()
            self.requests += 1
            try:
                return await self._http.request(method, path, headers={**headers, **auth}, **send)
            except httpx.TransportError as exc:
                if attempt >= 5:
                    raise SimulationError(f"{method} {path}: {type(exc).__name__}") from exc
        await asyncio.sleep(0.5 * (attempt + 1))
        return None

    def _need_credentials(self) -> None:
        if self._credentials is None:
            raise SimulationError(
                "the gateway requires an access token: pass --client-id/--client-secret "
                "(or LTCI_CLIENT_ID/LTCI_CLIENT_SECRET), or --data-dir of the embedded "
                f"platform (its {ADMIN_CREDENTIALS_FILE})"
            )

    async def get(self, path: str, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v is not None}
        return await self.request("GET", path, params=clean)

    async def post(self, path: str, body: Any = None, *, key: str | None = None, **kw: Any) -> Any:
        return await self.request("POST", path, json_body=body, key=key, **kw)

    async def pages(self, path: str, limit: int = 500, **params: Any) -> AsyncIterator[Any]:
        """Every item of a cursor-paginated list."""
        cursor: str | None = None
        while True:
            page = await self.get(path, limit=limit, cursor=cursor, **params)
            for item in page["items"]:
                yield item
            cursor = page.get("next_cursor")
            if not cursor:
                return


def _retry_after(r: httpx.Response) -> float:
    try:
        return min(10.0, max(0.05, float(r.headers.get("Retry-After", "1"))))
    except ValueError:
        return 1.0


def _decode(method: str, path: str, r: httpx.Response, ok: set[int]) -> Any:
    try:
        body = r.json() if r.content else None
    except ValueError:
        body = r.text[:300]
    if r.status_code not in ok:
        raise ApiError(method, path, r.status_code, body)
    return body


async def wait_for(
    check: Callable[[], Awaitable[bool]], what: str, timeout: float, interval: float = 0.2
) -> None:
    """Poll ``check`` until it is true; a clear error naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise SimulationError(
                f"timed out after {timeout:.0f}s waiting until {what}: are the services' "
                "relays and consumers running? (see the platform's log)"
            )
        await asyncio.sleep(interval)
        interval = min(interval * 1.5, 2.0)
