"""Use cases of API clients: register, change, new secret, bootstrap the first admin."""

from __future__ import annotations

import logging
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from ltci_gateway.adapters.repository import ClientRepository
from ltci_gateway.domain import secrets
from ltci_gateway.domain.clients import ClientChange, ClientSpec
from ltci_gateway.settings import Settings
from ltci_shared.errors import Conflict, NotFound
from ltci_shared.uow import UnitOfWork

log = logging.getLogger(__name__)


class ClientExists(Conflict):
    name = "client_exists"


def _public(client: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in client.items() if k not in ("secret_hash", "tokens_not_before")}


async def load(uow: UnitOfWork, client_id: str) -> dict[str, Any]:
    client = await ClientRepository(uow.session).get(client_id)
    if client is None:
        raise NotFound(f"no client {client_id}")
    return client


async def register(
    uow: UnitOfWork, spec: ClientSpec, settings: Settings, client_id: str | None = None
) -> dict[str, Any]:
    """A new client; the answer carries the secret, the only time it is ever shown."""
    repo = ClientRepository(uow.session)
    client_id = client_id or secrets.new_client_id(spec.role)
    if await repo.get(client_id) is not None:
        raise ClientExists(f"client {client_id} exists")
    secret = secrets.new_secret()
    now = datetime.now(UTC)
    values = {
        **spec.model_dump(),
        "client_id": client_id,
        "secret_hash": secrets.hash_secret(secret, settings.secret_hash_cost),
        "disabled": False,
        "tokens_not_before": 0.0,
        "created_at": now,
        "updated_at": now,
    }
    await repo.add(values)
    return {**_public(values), "client_secret": secret}


async def change(uow: UnitOfWork, client_id: str, cmd: ClientChange) -> dict[str, Any]:
    repo = ClientRepository(uow.session)
    current = await load(uow, client_id)
    values = cmd.apply(current)
    values["updated_at"] = datetime.now(UTC)
    if cmd.revokes_tokens:
        values["tokens_not_before"] = time.time()
    await repo.update(client_id, values)
    return _public(await load(uow, client_id))


async def new_secret(uow: UnitOfWork, client_id: str, settings: Settings) -> dict[str, Any]:
    """A new secret; tokens issued with the old one stop working."""
    await load(uow, client_id)
    secret = secrets.new_secret()
    await ClientRepository(uow.session).update(
        client_id,
        {
            "secret_hash": secrets.hash_secret(secret, settings.secret_hash_cost),
            "tokens_not_before": time.time(),
            "updated_at": datetime.now(UTC),
        },
    )
    return {**_public(await load(uow, client_id)), "client_secret": secret}


async def bootstrap_admin(uow: UnitOfWork, settings: Settings) -> None:
    """Make sure an admin can get a token: from settings, or generated once into a file."""
    client_id = settings.bootstrap_admin_client_id
    repo = ClientRepository(uow.session)
    existing = await repo.get(client_id)
    if settings.bootstrap_admin_secret is not None:
        hashed = secrets.hash_secret(settings.bootstrap_admin_secret, settings.secret_hash_cost)
        if existing is None:
            spec = ClientSpec(name="bootstrap admin", role="admin")
            await register(uow, spec, settings, client_id)
        if existing is None or not secrets.verify_secret(
            settings.bootstrap_admin_secret, existing["secret_hash"]
        ):
            await repo.update(
                client_id, {"secret_hash": hashed, "role": "admin", "disabled": False}
            )
        return
    if existing is not None or settings.bootstrap_credentials_file is None:
        return
    created = await register(
        uow, ClientSpec(name="bootstrap admin", role="admin"), settings, client_id
    )
    _write_credentials(
        Path(settings.bootstrap_credentials_file), client_id, created["client_secret"]
    )


def _write_credentials(path: Path, client_id: str, secret: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(
            orjson.dumps(
                {"client_id": client_id, "client_secret": secret}, option=orjson.OPT_INDENT_2
            )
        )
    log.warning("bootstrap admin client %r created; its secret is in %s", client_id, path)
