"""``serve --workers N``: several worker processes behind one port, each with the service's
own settings and its PII-masking JSON logs; new connections are spread between them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import select
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _ready(url: str, proc: asyncio.subprocess.Process) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(900):
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(url + "/readyz")).status_code == 200:
                    return
            assert proc.returncode is None, "serve exited"
            await asyncio.sleep(0.1)
    raise AssertionError("the workers never became ready")


def _started(entry: dict[str, Any]) -> bool:
    """The entry uvicorn logs when a worker's application has started."""
    return entry.get("message") == "Application startup complete."


def _burst(port: int, path: str, count: int) -> list[int]:
    """Open ``count`` connections at once (every handshake sent before any worker can accept
    one), then send a GET on each; the status of each answer."""
    connections = [socket.socket() for _ in range(count)]
    for conn in connections:
        conn.setblocking(False)
        conn.connect_ex(("127.0.0.1", port))
    for conn in connections:
        select.select([], [conn], [], 10)
        conn.setblocking(True)
    statuses = []
    for conn in connections:
        with conn:
            conn.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            answer = b""
            while chunk := conn.recv(65536):
                answer += chunk
            statuses.append(int(answer.split(b" ", 2)[1]))
    return statuses


def _listening_sockets(pid: int, port: int) -> set[int]:
    """The inodes of the listening TCP sockets on ``port`` that process ``pid`` holds."""
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                listening.add(int(fields[9]))
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                held.add(int(target[8:-1]))
    return held & listening


def _lines(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in path.read_text().splitlines():
        with contextlib.suppress(ValueError):
            out.append(json.loads(line))
    return out


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _pids(log: Path) -> list[int]:
    """The worker processes started so far, in order."""
    return [
        int(e["message"].split("[")[1].rstrip("]"))
        for e in _lines(log)
        if e["message"].startswith("Started server process")
    ]


async def _until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(300):
        if condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never: {what}")


@contextlib.asynccontextmanager
async def _serving(pg_url: str, log: Path, port: int) -> AsyncIterator[asyncio.subprocess.Process]:
    """``serve`` with two workers on ``port`` (a process group of its own), its output in
    ``log``; stopped with SIGTERM, and anything left of the group killed."""
    env = {**os.environ, "ENROLLMENT_DATABASE_URL": pg_url, "LTCI_WORKERS": "2"}
    env.pop("LTCI_FAULTS", None)
    migrate = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ltci_enrollment", "migrate", env=env, cwd=ROOT
    )
    assert await migrate.wait() == 0
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ltci_enrollment", "serve", "--port", str(port),
            env=env, cwd=ROOT, stdout=out, stderr=out, start_new_session=True,
        )  # fmt: skip
        try:
            yield proc
        finally:
            if proc.returncode is None:
                proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 60)
            finally:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)


async def _both_listening(url: str, proc: asyncio.subprocess.Process, log: Path) -> None:
    await _ready(url, proc)  # the first worker
    await _until(lambda: sum(map(_started, _lines(log))) >= 2, "both workers started")
    await asyncio.sleep(0.5)  # from start-up complete to listening


async def test_two_workers_serve_one_port_with_their_own_logging(
    pg_url: str, tmp_path: Path
) -> None:
    port, log = _free_port(), tmp_path / "serve.log"
    async with _serving(pg_url, log, port) as proc:
        await _both_listening(f"http://127.0.0.1:{port}", proc, log)
        # each worker listens on a socket of its own (SO_REUSEPORT), not on one socket
        # shared by all (where whichever worker wakes first takes every connection waiting)
        sockets = [_listening_sockets(pid, port) for pid in _pids(log)]
        assert len(sockets) == 2 and all(len(held) == 1 for held in sockets)
        assert sockets[0] != sockets[1]
        # connections opened together are spread over the workers; a resident ID in a
        # path is logged by the access log of whichever worker answers: masked there too
        statuses = await asyncio.to_thread(_burst, port, "/persons/11010519491231002X", 20)
        assert all(status in (401, 403, 404, 405, 422) for status in statuses)
    assert proc.returncode == 0
    entries = _lines(log)
    assert len(_pids(log)) == 2, "two worker processes"
    assert sum(map(_started, entries)) == 2
    assert all(e["service"] == "enrollment" for e in entries)
    access = [e for e in entries if e["logger"] == "uvicorn.access" and "/persons/" in e["message"]]
    assert len(access) == 20
    assert len({e["process"] for e in access}) == 2, "both workers answered"
    assert "11010519491231002X" not in log.read_text()


async def test_a_worker_that_dies_is_replaced(pg_url: str, tmp_path: Path) -> None:
    port, log = _free_port(), tmp_path / "serve.log"
    url = f"http://127.0.0.1:{port}"
    async with _serving(pg_url, log, port) as proc:
        await _both_listening(url, proc, log)
        first, second = _pids(log)
        os.kill(first, signal.SIGKILL)
        await _until(lambda: len(_pids(log)) == 3, "a third worker started")
        await _until(lambda: sum(map(_started, _lines(log))) == 3, "the third worker ready")
        replacement = _pids(log)[2]
        await asyncio.sleep(0.5)
        assert _listening_sockets(replacement, port)
        statuses = await asyncio.to_thread(_burst, port, "/healthz", 10)
        assert statuses == [200] * 10
    assert proc.returncode == 0
    answered = {
        e["process"]
        for e in _lines(log)
        if e["logger"] == "uvicorn.access" and "/healthz" in e["message"]
    }
    assert first not in answered and answered <= {second, replacement}


async def test_a_worker_that_cannot_start_stops_them_all(pg_url: str, tmp_path: Path) -> None:
    """The port is held by another program (without SO_REUSEPORT): no worker can listen, and
    a replacement would fail the same way, so ``serve`` exits with status 1."""
    port, log = _free_port(), tmp_path / "serve.log"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        async with _serving(pg_url, log, port) as proc:
            await asyncio.wait_for(proc.wait(), 60)
    assert proc.returncode == 1
    assert any("cannot bind" in e["message"] for e in _lines(log))


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
async def test_a_signal_to_the_process_group_stops_every_process(
    pg_url: str, tmp_path: Path, signum: int
) -> None:
    """Ctrl+C in a terminal, or a runtime signalling the whole group: the workers stop on
    their own and the supervisor with them (status 0), without starting a worker again."""
    port, log = _free_port(), tmp_path / "serve.log"
    async with _serving(pg_url, log, port) as proc:
        await _both_listening(f"http://127.0.0.1:{port}", proc, log)
        workers = _pids(log)
        os.killpg(proc.pid, signum)
        await asyncio.wait_for(proc.wait(), 60)
    assert proc.returncode == 0
    assert _pids(log) == workers, "no worker started again"
    assert not any(map(_running, workers))
