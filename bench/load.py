"""The load generator every HTTP benchmark uses: a small HTTP/1.1 keep-alive client and the
closed-loop and open-loop (paced) drivers on top of it.

httpx costs 1-2 ms of CPU a request and its pool slows down with thousands of requests
waiting, so at a few hundred requests a second it took most of a core of the two and measured
itself rather than the services; set-up calls still use httpx.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httptools
import orjson


class _Response:
    """httptools callbacks: the body and whether the server closes the connection."""

    def __init__(self) -> None:
        self.complete, self.close = False, False
        self.body = bytearray()

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"connection" and value.lower() == b"close":
            self.close = True

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        self.complete = True


class LoadClient:
    """POSTs JSON over at most ``connections`` keep-alive HTTP/1.1 connections. ``request``
    answers (status, body); status 0 is a broken connection or a timeout."""

    def __init__(self, base: str, connections: int, headers: dict[str, str] | None = None):
        url = urlsplit(base)
        self._host, self._port = url.hostname or "127.0.0.1", url.port or 80
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self._head = f"Host: {url.netloc}\r\nContent-Type: application/json\r\n{extra}"
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._slots = asyncio.Semaphore(connections)
        self.failures: Counter[str] = Counter()  # why answers were status 0, by exception

    def failure_note(self) -> str:
        """Why answers were status 0, for a result's notes or an error (empty if none were)."""
        return f" (status 0: {dict(self.failures)})" if self.failures else ""

    async def post(self, path: str, body: Any, timeout: float = 60.0) -> int:
        return (await self.request(path, body, timeout))[0]

    async def request(self, path: str, body: Any, timeout: float = 60.0) -> tuple[int, bytes]:
        data = orjson.dumps(body)
        head = f"POST {path} HTTP/1.1\r\n{self._head}Content-Length: {len(data)}\r\n\r\n"
        request = head.encode() + data
        async with self._slots:
            try:
                return await asyncio.wait_for(self._send(request), timeout)
            except (
                OSError,
                TimeoutError,
                asyncio.IncompleteReadError,
                httptools.HttpParserError,
            ) as exc:
                self.failures[f"{type(exc).__name__}: {exc}"[:120]] += 1
                return 0, b""

    async def _send(self, request: bytes) -> tuple[int, bytes]:
        """On a kept-alive connection if one is idle; once again on a new connection if the
        server had closed the idle one (end of stream or a reset before any answer, as httpx
        does)."""
        while self._idle:
            conn = self._idle.pop()
            if conn[0].at_eof():
                conn[1].close()
                continue
            try:
                return await self._exchange(conn, request)
            except asyncio.IncompleteReadError as exc:
                if exc.partial != b"":
                    raise
        return await self._exchange(await asyncio.open_connection(self._host, self._port), request)

    async def _exchange(
        self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], request: bytes
    ) -> tuple[int, bytes]:
        """Send, read the whole answer; the connection is kept unless the server closes it."""
        reader, writer = conn
        seen = b""
        try:
            writer.write(request)
            answer = _Response()
            parser = httptools.HttpResponseParser(answer)
            while not answer.complete:
                chunk = await reader.read(65536)
                if not chunk:
                    raise asyncio.IncompleteReadError(seen[:1], None)
                seen = seen or chunk
                parser.feed_data(chunk)
        except (ConnectionResetError, BrokenPipeError) as exc:
            writer.close()
            if seen:
                raise
            # reset before any answer: the server had closed the connection (its keep-alive
            # timeout) as this request went out, like an end of stream before any answer
            raise asyncio.IncompleteReadError(b"", None) from exc
        except BaseException:
            writer.close()
            raise
        if answer.close:
            writer.close()
        else:
            self._idle.append(conn)
        return parser.get_status_code(), bytes(answer.body)

    async def aclose(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


@dataclass
class Run:
    """What a driver measured: wall seconds, per-request latencies (ms), statuses, answers in
    request order, and the generator's own lag p99 (ms) for paced runs."""

    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    bodies: list[bytes] = field(default_factory=list)
    lag_p99_ms: float = 0.0
    started_s: list[float] = field(default_factory=list)  # each latency's start in the run

    def worst_seconds(self, count: int = 3) -> str:
        """The run's worst whole seconds by their p99 (where a tail came from: a moment or
        all along), e.g. ``s0 p99 57 ms (1150), s7 p99 38 ms (1149)``."""
        by_second: dict[int, list[float]] = {}
        for start, latency in zip(self.started_s, self.latencies_ms, strict=True):
            by_second.setdefault(int(start), []).append(latency)
        rows = []
        for second, latencies in by_second.items():
            latencies.sort()
            rows.append((latencies[int(len(latencies) * 0.99)], second, len(latencies)))
        rows.sort(reverse=True)
        return ", ".join(f"s{s} p99 {p99:.0f} ms ({n})" for p99, s, n in rows[:count])


@contextmanager
def quiet_collector() -> Iterator[None]:
    """The generator's own garbage collector kept out of the measurement.

    The requests, the world's ids and the answers so far are tens of thousands of objects; a
    full collection over them stopped this process for 60-120 ms, twice in a 22-second run,
    and every answer arriving meanwhile was timed as that much slower. Everything alive at the
    start is frozen (never traversed again) and thawed at the end."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


async def closed_loop(client: LoadClient, requests: list[tuple[str, Any]], concurrency: int) -> Run:
    """``concurrency`` workers, each sending its next request when the previous answered."""
    queue = list(reversed(list(enumerate(requests))))
    run = Run(0.0, bodies=[b""] * len(requests))

    async def worker() -> None:
        while queue:
            k, (path, body) = queue.pop()
            start = time.perf_counter()
            status, run.bodies[k] = await client.request(path, body)
            run.latencies_ms.append((time.perf_counter() - start) * 1000)
            run.started_s.append(start - began)
            run.statuses[status] += 1

    with quiet_collector():
        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        run.seconds = time.perf_counter() - began
    return run


async def paced(client: LoadClient, requests: list[tuple[str, Any]], rate: float) -> Run:
    """Open loop: request k leaves at k/rate whatever the earlier ones are doing. One loop
    starts each request at its due time (a task per request made then, not all at once:
    tens of thousands of sleeping tasks made the generator itself fall behind). Latency runs
    from the request's actual start; the generator's own lag (start after its due time) is
    reported as its 99th percentile, so a generator that fell behind is visible."""
    run = Run(0.0, bodies=[b""] * len(requests))
    lags: list[float] = []

    async def one(k: int, path: str, body: Any, start: float) -> None:
        status, run.bodies[k] = await client.request(path, body)
        run.latencies_ms.append((time.perf_counter() - start) * 1000)
        run.started_s.append(start - began)
        run.statuses[status] += 1

    with quiet_collector():
        began = time.perf_counter()
        pending: set[asyncio.Task[None]] = set()  # only those in flight stay alive
        for k, (path, body) in enumerate(requests):
            due = began + k / rate
            if (wait := due - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            start = time.perf_counter()
            lags.append((start - due) * 1000)
            task = asyncio.create_task(one(k, path, body, start))
            pending.add(task)
            task.add_done_callback(pending.discard)
        while pending:
            await asyncio.gather(*pending)
        run.seconds = time.perf_counter() - began
    lags.sort()
    run.lag_p99_ms = lags[int(len(lags) * 0.99)] if lags else 0.0
    return run
