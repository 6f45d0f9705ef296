"""Command line: ``xlkc berakna``, ``xlkc validera``, ``xlkc bygg``. Help and output in Swedish."""

from __future__ import annotations

import argparse
import sys

from xlkc import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xlkc",
        description="Prismodell Kontaktcenter: beräknar årsarbetare, självkostnad och priser "
        "per tjänst ur arbetsboken Prismodell.xlsm.",
    )
    parser.add_argument("--version", action="version", version=f"xlkc {__version__}",
                        help="visa versionen och avsluta")
    parser.add_argument("--debug", action="store_true",
                        help="visa hela felspårningen vid oväntade fel")
    sub = parser.add_subparsers(dest="kommando", metavar="KOMMANDO")
    sub.add_parser("exempel", help="räkna det inbyggda syntetiska exemplet och visa prislistan")
    bygg = sub.add_parser("bygg", help="bygg arbetsboken Prismodell.xlsm med exemplets indata")
    bygg.add_argument("-o", "--utfil", metavar="SÖKVÄG", default=None,
                      help="var arbetsboken skrivs (standard: workbook/Prismodell.xlsm)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.kommando is None:
        parser.print_help()
        return 0
    if args.kommando == "bygg":
        return _bygg(args.utfil)
    parser.error(f"okänt kommando: {args.kommando}")
    return 2


def _bygg(utfil: str | None) -> int:
    from xlkc.workbook.build import DEFAULT_PATH, build_atomic

    target = build_atomic(utfil or DEFAULT_PATH)
    print(f"Arbetsboken är byggd: {target} ({target.stat().st_size // 1024} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
