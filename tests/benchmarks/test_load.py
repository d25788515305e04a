"""The load generator: a kept-alive connection the server closed or reset while idle is
replaced once (the request is not counted as broken), a connection that breaks a fresh
request is counted with its reason, a run's collector freeze is undone at its end, and a
run names its worst seconds."""

from __future__ import annotations

import asyncio
import gc
import socket
import struct
from collections.abc import AsyncIterator, Callable

import pytest

from bench.load import LoadClient, Run, quiet_collector

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


async def _read_request(reader: asyncio.StreamReader) -> bool:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    await reader.readexactly(length)
    return True


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (SO_LINGER 0), as a server dropping a connection does."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.close()


async def _serve(
    handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter], object],
) -> AsyncIterator[str]:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)  # type: ignore[arg-type]
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()


@pytest.fixture
async def one_answer_then_reset() -> AsyncIterator[str]:
    """Answers the first request of each connection, then resets it after a short idle."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(ANSWER)
        await writer.drain()
        await asyncio.sleep(0.05)
        _reset(writer)

    async for url in _serve(handle):
        yield url


@pytest.fixture
async def always_reset() -> AsyncIterator[str]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        _reset(writer)

    async for url in _serve(handle):
        yield url


async def test_an_idle_connection_the_server_dropped_is_replaced(
    one_answer_then_reset: str,
) -> None:
    client = LoadClient(one_answer_then_reset, connections=1)
    assert await client.request("/x", {"n": 1}) == (200, b"{}")
    await asyncio.sleep(0.2)  # the server has reset the kept-alive connection meanwhile
    assert await client.request("/x", {"n": 2}) == (200, b"{}")
    assert not client.failures
    await client.aclose()


async def test_a_fresh_connection_that_breaks_is_counted_with_its_reason(always_reset: str) -> None:
    client = LoadClient(always_reset, connections=1)
    assert await client.request("/x", {"n": 1}) == (0, b"")
    assert sum(client.failures.values()) == 1
    assert any("IncompleteReadError" in reason for reason in client.failures)
    await client.aclose()


def test_a_run_freezes_the_collector_and_thaws_it_after() -> None:
    alive = [object() for _ in range(10)]  # something alive to freeze
    with quiet_collector():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    assert alive


def test_worst_seconds_names_where_the_tail_came_from() -> None:
    """Per whole second of the run, its p99: a tail from one moment shows as that second."""
    run = Run(3.0)
    for second, latency in [(0, 5.0), (1, 9.0), (2, 7.0)]:
        for i in range(100):
            run.started_s.append(second + i / 100)
            run.latencies_ms.append(latency if i < 98 else latency * 10)
    assert run.worst_seconds(2) == "s1 p99 90 ms (100), s2 p99 70 ms (100)"
