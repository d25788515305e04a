"""``ltci run``: the whole platform on one machine, no server to install."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import httpx

from ltci_embedded.launcher import ADMIN_CREDENTIALS, EmbeddedPlatform, build, serve
from ltci_embedded.simulate import command as simulate_command
from ltci_shared.logging import configure_logging


def main() -> None:
    parser = argparse.ArgumentParser(prog="ltci")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run all five services embedded (SQLite + in-process bus)")
    run.add_argument("--host", default=os.environ.get("LTCI_HOST", "127.0.0.1"))
    run.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("LTCI_PORT", "8000")),
        help="gateway port; the services take the next four",
    )
    run.add_argument("--data-dir", type=Path, default=Path(os.environ.get("LTCI_DATA_DIR", "var")))
    run.add_argument("--log-json", action="store_true", help="JSON logs instead of plain lines")
    token = sub.add_parser(
        "token", help="print an access token of the bootstrap admin client (platform running)"
    )
    token.add_argument("--url", default=os.environ.get("LTCI_URL", "http://127.0.0.1:8000"))
    token.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("LTCI_DATA_DIR", "var"))
    )
    simulate = sub.add_parser(
        "simulate", help="generate a realistic city month through the API, then settle it"
    )
    simulate_command.add_arguments(simulate)
    args = parser.parse_args()
    if args.command == "simulate":
        raise SystemExit(simulate_command.run(args))
    if args.command == "token":
        raise SystemExit(print_admin_token(args.url, args.data_dir / ADMIN_CREDENTIALS))
    configure_logging("ltci", os.environ.get("LTCI_LOG_LEVEL", "INFO"), json_output=args.log_json)
    platform = build(args.data_dir, args.host, args.port)
    asyncio.run(_run(platform, args.host))


def print_admin_token(url: str, credentials: Path) -> int:
    """``export TOKEN=$(uv run ltci token)``: client credentials grant with the bootstrap admin."""
    try:
        saved = json.loads(credentials.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        print(f"no admin credentials at {credentials}; start the platform first", file=sys.stderr)
        return 1
    form = {"grant_type": "client_credentials", **saved}
    try:
        response = httpx.post(f"{url}/oauth/token", data=form, timeout=10)
    except httpx.HTTPError as exc:
        print(f"the gateway at {url} does not answer ({type(exc).__name__})", file=sys.stderr)
        return 1
    if response.status_code != 200:
        print(f"token refused: {response.text}", file=sys.stderr)
        return 1
    print(response.json()["access_token"])
    return 0


async def _run(platform: EmbeddedPlatform, host: str) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await serve(platform, host, stop)


if __name__ == "__main__":
    main()
