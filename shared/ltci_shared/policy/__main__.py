"""``python -m ltci_shared.policy check [folder]``: validate packs and list every error."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ltci_shared.policy.book import PACKS_DIR, InvalidPolicyPack, PolicyBook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ltci-policy", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate policy packs; exit 1 listing every error")
    check.add_argument("folder", nargs="?", type=Path, default=PACKS_DIR)
    args = parser.parse_args(argv)
    try:
        book = PolicyBook.load(args.folder)
    except InvalidPolicyPack as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        print(f"{len(exc.errors)} error(s); nothing loaded", file=sys.stderr)
        return 1
    for (region, section), versions in sorted(book.sections.items()):
        dates = ", ".join(v.effective_from.isoformat() for v in versions)
        print(f"{region} {book.regions[region].name} {section}: {dates}")
    print(f"ok: {len(book.regions)} region(s), {len(book.sections)} section(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
