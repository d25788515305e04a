"""The fault suite's tools: services as real OS processes that can crash or be killed and
restarted, the project's Kafka stopped and started, topics read back, retrying clients."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from ltci_shared.events.envelope import Envelope
from ltci_shared.messaging.kafka import KafkaPublisher, new_producer
from ltci_shared.messaging.message import Message

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Service:
    """``python -m <package> serve`` as a process of its own, with its environment."""

    def __init__(
        self, package: str, prefix: str, env: dict[str, str], *, migrate: bool = True
    ) -> None:
        """``migrate=False``: another process of the same service migrates the database."""
        self.package, self.prefix, self.migrate = package, prefix, migrate
        self.env = {f"{prefix}_{k}": v for k, v in env.items()}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, faults: str | None = None) -> None:
        env = {**os.environ, **self.env, f"{self.prefix}_LOG_LEVEL": "WARNING"}
        env.pop("LTCI_FAULTS", None)
        if faults:
            env["LTCI_FAULTS"] = faults
        if self.proc is None and self.migrate:  # first start: migrate
            migrate = await asyncio.create_subprocess_exec(
                sys.executable, "-m", self.package, "migrate", env=env, cwd=ROOT
            )
            assert await migrate.wait() == 0, f"{self.package} migrate failed"
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            self.package,
            "serve",
            "--port",
            str(self.port),
            env=env,
            cwd=ROOT,
            stdout=asyncio.subprocess.DEVNULL,
        )
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(self.url + "/readyz")).status_code == 200:
                        return
                if self.proc.returncode is not None:
                    raise RuntimeError(f"{self.package} exited with {self.proc.returncode}")
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.package} did not become ready")

    async def exited(self, timeout: float = 30) -> int:
        assert self.proc is not None
        return await asyncio.wait_for(self.proc.wait(), timeout)

    async def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, nothing is flushed."""
        if self.proc and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
            await self.proc.wait()

    async def stop(self) -> None:
        if self.proc and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                await self.kill()


@contextlib.asynccontextmanager
async def services(*items: Service) -> AsyncIterator[None]:
    try:
        yield
    finally:
        for item in items:
            await item.stop()


def kafka(command: str) -> None:
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "kafka.sh"), command],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


async def kafka_async(command: str) -> None:
    await asyncio.to_thread(kafka, command)


async def read_topic(bootstrap: str, topic: str, *, expect: int, timeout: float = 60) -> list[Any]:
    """Every record on ``topic`` from the start (stops at ``expect`` records or the timeout)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=f"fault-check-{uuid.uuid4().hex[:6]}",
    )
    await consumer.start()
    records: list[Any] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(records) < expect and asyncio.get_running_loop().time() < deadline:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
        # a little longer, to see duplicates beyond the expected count
        for batch in (await consumer.getmany(timeout_ms=1000)).values():
            records.extend(batch)
    finally:
        await consumer.stop()
    return records


def envelopes(records: list[Any]) -> list[dict[str, Any]]:
    return [orjson.loads(r.value) for r in records]


async def sql(url: str, query: str, **params: Any) -> list[Any]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(text(query), params)).all())
    finally:
        await engine.dispose()


async def eventually(check: Any, timeout: float = 60, every: float = 0.2) -> Any:
    """Poll ``await check()`` until it returns a truthy value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(every)


async def post_until_acknowledged(
    client: httpx.AsyncClient, path: str, body: Any, key: str, *, attempts: int = 60
) -> tuple[httpx.Response, list[int]]:
    """What a careful client does: retry with the same Idempotency-Key until a 2xx or 4xx.
    Returns the final response and every status seen (0 for a broken connection)."""
    seen: list[int] = []
    for _ in range(attempts):
        try:
            r = await client.post(path, json=body, headers={"Idempotency-Key": key})
        except httpx.TransportError:
            seen.append(0)
            await asyncio.sleep(0.2)
            continue
        seen.append(r.status_code)
        if r.status_code < 500:
            return r, seen
        await asyncio.sleep(0.2)
    raise AssertionError(f"never acknowledged: {seen}")


async def publish_events(bootstrap: str, prefix: str, events: list[Any]) -> None:
    """Put integration events on their producers' topics, keyed as the relay keys them."""
    producer = new_producer(bootstrap)
    await producer.start()
    try:
        await KafkaPublisher(producer).publish(
            [
                Message(f"{prefix}.{e.producer}.events", e.key, Envelope.wrap(e).to_bytes())
                for e in events
            ]
        )
    finally:
        await producer.stop()


async def group_state(bootstrap: str, group: str) -> tuple[str, int]:
    """A consumer group's state on the broker and how many members it has."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([group])
    finally:
        await admin.close()
    _, _, state, _, _, members, *_ = response.groups[0]
    return str(state), len(members)
