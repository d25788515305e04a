"""``serve --workers N``: several worker processes behind one port, each with the service's
own settings and its PII-masking JSON logs; requests are shared between them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import sys
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


def _lines(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in path.read_text().splitlines():
        with contextlib.suppress(ValueError):
            out.append(json.loads(line))
    return out


async def test_two_workers_serve_one_port_with_their_own_logging(
    pg_url: str, tmp_path: Path
) -> None:
    env = {**os.environ, "ENROLLMENT_DATABASE_URL": pg_url, "LTCI_WORKERS": "2"}
    env.pop("LTCI_FAULTS", None)
    migrate = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ltci_enrollment", "migrate", env=env, cwd=ROOT
    )
    assert await migrate.wait() == 0
    port, log = _free_port(), tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ltci_enrollment", "serve", "--port", str(port),
            env=env, cwd=ROOT, stdout=out, stderr=out,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            await _ready(url, proc)
            async with httpx.AsyncClient(base_url=url) as client:
                # a resident ID in a path is logged by the access log of whichever worker
                # answers: masked there too
                for _ in range(20):
                    r = await client.get("/persons/11010519491231002X")
                    assert r.status_code in (401, 403, 404, 405, 422)
        finally:
            proc.terminate()
            await asyncio.wait_for(proc.wait(), 30)
    entries = _lines(log)
    started = {e["message"] for e in entries if e["message"].startswith("Started server process")}
    assert len(started) == 2, "two worker processes"
    assert sum(e["message"] == "Application startup complete." for e in entries) == 2
    assert all(e["service"] == "enrollment" for e in entries)
    text = log.read_text()
    assert "11010519491231002X" not in text
