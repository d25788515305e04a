"""``serve --workers N``: N uvicorn worker processes on one port, each with its own listening
socket (``SO_REUSEPORT``), so the kernel spreads new connections across the workers.

uvicorn's own supervisor shares one listening socket between its workers. Every idle worker is
woken by a new connection and whichever runs first accepts every connection waiting: a client
that opens its connections together (a provider's system, the gateway's pool, a load
generator) lands them all on one worker while the others only run their relays. Measured on
batch ingest with two workers and eight client connections: one worker took every request
(0.93 of a core) and the other none. With a socket each, the kernel picks the socket of a new
connection by a hash of its addresses: connections are spread, and a connection stays with
the worker that accepted it.

The supervisor restarts a worker that dies, stops every worker on SIGINT or SIGTERM, and gives
up (exit status 1) if a worker fails during start-up (its settings, its database or the port),
since a replacement would fail the same way.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import time
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

log = logging.getLogger("ltci.workers")
STOP_SECONDS = 30  # a worker still running this long after SIGTERM is killed


def reuse_port_supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port) that other workers' sockets may share (not listening
    yet: uvicorn's server calls ``listen`` with its backlog)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _worker(config: uvicorn.Config) -> None:
    """One worker process: its app (settings validated, logging configured), its own socket,
    then uvicorn's server on it. Exits with ``STARTUP_FAILURE`` if any of that fails."""
    config.configure_logging()
    try:
        config.load()
    except SystemExit:  # uvicorn has logged why
        sys.exit(STARTUP_FAILURE)
    except Exception:
        logging.getLogger("uvicorn.error").exception("the app could not be built")
        sys.exit(STARTUP_FAILURE)
    try:
        sock = listening_socket(config.host, config.port)
    except OSError as exc:
        where = f"{config.host}:{config.port}"
        logging.getLogger("uvicorn.error").error("cannot bind %s: %s", where, exc)
        sys.exit(STARTUP_FAILURE)
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    if not server.started:  # uvicorn returns (rather than exits) when start-up failed
        sys.exit(STARTUP_FAILURE)


class Supervisor:
    """Starts ``count`` workers, keeps that many running, stops them all on a signal."""

    def __init__(self, config: uvicorn.Config, count: int) -> None:
        self._config = config
        self._count = count
        self._context = multiprocessing.get_context("spawn")
        # a plain flag: a signal handler that takes a lock (threading.Event.set) can deadlock
        # with the main thread it interrupted while that thread held the same lock
        self._stopping = False
        self.failed = False

    def _start(self) -> BaseProcess:
        process = self._context.Process(target=_worker, args=(self._config,), daemon=False)
        process.start()
        return process

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._stopping = True

    def run(self) -> int:
        """Run until a signal (exit status 0) or a start-up failure (1)."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)
        processes = [self._start() for _ in range(self._count)]
        log.info("started %d workers on %s:%s", self._count, self._config.host, self._config.port)
        while not self._stopping:
            time.sleep(0.5)
            for i, process in enumerate(processes):
                if self._stopping:
                    break
                if process.is_alive():
                    continue
                process.join()
                if process.exitcode == STARTUP_FAILURE:
                    log.error("worker %s failed to start; stopping", process.pid)
                    self.failed = self._stopping = True
                    break
                log.warning(
                    "worker %s exited with %s; starting another", process.pid, process.exitcode
                )
                processes[i] = self._start()
        self._terminate(processes)
        return 1 if self.failed else 0

    @staticmethod
    def _terminate(processes: list[BaseProcess]) -> None:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()


def serve(config: uvicorn.Config, count: int) -> None:
    """Serve ``config`` with ``count`` worker processes: one socket each where the platform
    allows it, otherwise uvicorn's supervisor and its one shared socket."""
    if not reuse_port_supported():
        config.workers = count
        Multiprocess(config, sockets=[config.bind_socket()]).run()
        return
    if code := Supervisor(config, count).run():
        sys.exit(code)
