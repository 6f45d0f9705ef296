"""Command line: ``xlkc berakna``, ``xlkc validera``, ``xlkc exempel``, ``xlkc bygg``.

Help, messages and output are Swedish. Exit codes: 0 done (warnings, if any, are printed
whole with their location), 2 invalid input (the problems are printed as a table, nothing is
written) or a usage error, 3 the reconciliation failed (the checks and services that differ are
printed; ``berakna`` still writes the file for inspection, FEL on Start and on every output
sheet), 1 any other failure (a one-line message; the traceback only with ``--debug``).

``xlkc berakna`` never writes into its input workbook unless ``--skriv-over`` is given (then the
original is kept as ``<namn>.bak.xlsm``). It writes ``./Prismodell_beraknad.xlsm`` by default; an
existing output file is replaced, its previous version kept as ``<namn>.bak.xlsm`` beside it, so
repeated runs work and nothing typed into an earlier output is lost.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlkc
from xlkc import __version__

#: Default output file, in the current directory.
DEFAULT_OUTPUT = "Prismodell_beraknad.xlsm"

EXIT_OK, EXIT_FAILURE, EXIT_INVALID, EXIT_CHECKS = 0, 1, 2, 3

#: The exit codes, as the help shows them.
EXIT_CODES_TEXT = ("Slutkoder: 0 klart (eventuella varningar skrivs ut), 2 fel i indata (inget "
                   "beräknas eller skrivs), 3 avstämningen avviker (berakna skriver filen för "
                   "granskning, markerad FEL), 1 annat fel.")

_ARGPARSE_SV = (
    ("the following arguments are required", "följande argument krävs"),
    ("unrecognized arguments", "okända argument"),
    ("invalid choice", "ogiltigt val"),
    ("choose from", "välj bland"),
    ("expected one argument", "väntade ett argument"),
    ("not allowed with argument", "får inte användas med argumentet"),
    ("ignored explicit argument", "ignorerat argument"),
    ("invalid", "ogiltigt"),
)


def default_workbook() -> Path:
    """The workbook bundled with the repository."""
    return Path(xlkc.__file__).resolve().parents[1] / "workbook" / "Prismodell.xlsm"


# --- argparse in Swedish -------------------------------------------------------------------------

class _SvFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001
        super().add_usage(usage, actions, groups, prefix if prefix is not None else "användning: ")


class SvArgumentParser(argparse.ArgumentParser):
    """ArgumentParser with Swedish headings, help option and error messages."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs["add_help"] = False
        kwargs.setdefault("formatter_class", _SvFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "argument"
        self._optionals.title = "flaggor"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="visa den här hjälpen och avsluta")

    def error(self, message: str):  # noqa: ANN201 - NoReturn
        for en, sv in _ARGPARSE_SV:
            message = message.replace(en, sv)
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"{self.prog}: fel: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = SvArgumentParser(
        prog="xlkc",
        description="Prismodell Kontaktcenter: beräknar årsarbetare, självkostnad och priser "
        "per tjänst ur arbetsboken Prismodell.xlsm.",
        epilog=EXIT_CODES_TEXT,
    )
    parser.add_argument("--version", action="version", version=f"xlkc {__version__}",
                        help="visa versionen och avsluta")
    parser.add_argument("--debug", action="store_true", default=False,
                        help="visa hela felspårningen vid oväntade fel")
    sub = parser.add_subparsers(dest="kommando", metavar="KOMMANDO", title="kommandon")

    def debug_flag(p: argparse.ArgumentParser) -> None:
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="visa hela felspårningen vid oväntade fel")

    berakna = sub.add_parser(
        "berakna", help="läs arbetsboken, beräkna och skriv resultatbladen",
        description="Läser indata ur arbetsboken, validerar, beräknar och skriver resultatbladen "
        "(Bemanning till Datakvalitet), statusen på Start och en rad i Körlogg. Indatafilen skrivs "
        "aldrig över utan --skriv-over. Finns utfilen redan sparas den förra versionen som "
        "<namn>.bak.xlsm.",
        epilog=EXIT_CODES_TEXT)
    berakna.add_argument("arbetsbok", nargs="?", metavar="ARBETSBOK",
                         help="arbetsboken att läsa (standard: workbook/Prismodell.xlsm)")
    target = berakna.add_mutually_exclusive_group()
    target.add_argument("-o", "--ut", metavar="UT", default=None,
                        help=f"var resultatet skrivs (standard: ./{DEFAULT_OUTPUT})")
    target.add_argument("--skriv-over", action="store_true",
                        help="skriv resultatet i ARBETSBOK själv (en kopia sparas som "
                        "<namn>.bak.xlsm)")
    debug_flag(berakna)

    validera = sub.add_parser(
        "validera", help="kontrollera indata utan att beräkna eller skriva något",
        description="Läser och validerar arbetsbokens indata. Skriver ingenting.",
        epilog=EXIT_CODES_TEXT)
    validera.add_argument("arbetsbok", nargs="?", metavar="ARBETSBOK",
                          help="arbetsboken att läsa (standard: workbook/Prismodell.xlsm)")
    debug_flag(validera)

    nytt = sub.add_parser(
        "nytt-prisar", help="skapa nästa års arbetsbok från en beräknad arbetsbok",
        description="Skriver nästa års arbetsbok: prisår + 1, årets prislista som Föregående "
        "prislista, årets plan som Utfall (Källa plan: skriv in bokslutet), Resultatfondens "
        "utgående saldo som ingående, resultatbladen tömda, Körlogg kvar. Vägrar om senaste "
        "Beräkna priser misslyckades eller indata ändrats sedan dess.")
    nytt.add_argument("arbetsbok", nargs="?", metavar="ARBETSBOK",
                      help=f"den beräknade arbetsboken (standard: ./{DEFAULT_OUTPUT})")
    roll_target = nytt.add_mutually_exclusive_group()
    roll_target.add_argument("-o", "--ut", metavar="UT", default=None,
                             help="var nästa års arbetsbok skrivs (standard: <namn>_<år>.xlsm "
                             "bredvid ARBETSBOK)")
    roll_target.add_argument("--skriv-over", action="store_true",
                             help="skriv nästa år i ARBETSBOK själv (en kopia sparas som "
                             "<namn>.bak.xlsm)")
    debug_flag(nytt)

    exempel = sub.add_parser("exempel",
                             help="räkna det inbyggda syntetiska exemplet och visa prislistan")
    debug_flag(exempel)
    bygg = sub.add_parser("bygg", help="bygg arbetsboken Prismodell.xlsm med exemplets indata")
    bygg.add_argument("-o", "--utfil", metavar="SÖKVÄG", default=None,
                      help="var arbetsboken skrivs (standard: workbook/Prismodell.xlsm)")
    debug_flag(bygg)
    return parser


# --- formatting ----------------------------------------------------------------------------------

def _num(x: Any, decimals: int = 0) -> str:
    """Swedish number: space as thousands separator, decimal comma; '–' for empty."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    value = round(float(x), decimals) + 0.0
    if value == 0:
        value = 0.0  # no "−0,00"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace("-", "−")


def _kr(x: Any, decimals: int = 0) -> str:
    s = _num(x, decimals)
    return s if s == "–" else f"{s} kr"


def _pct(x: Any) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{_num(100 * float(x), 1)} %"


def format_table(header: Sequence[str], rows: Sequence[Sequence[Any]],
                 right: Sequence[bool] | None = None, max_width: int | None = 34) -> str:
    """A plain-text table: columns padded, long text cut with '…' (never with max_width None)."""
    right = right or [False] * len(header)

    def cut(v: Any) -> str:
        s = "" if v is None else str(v)
        return s if max_width is None or len(s) <= max_width else s[: max_width - 1] + "…"

    body = [[cut(v) for v in r] for r in rows]
    widths = [max([len(h)] + [len(r[j]) for r in body]) for j, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if right[j] else c.ljust(w)
                         for j, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    out += [line(r) for r in body]
    return "\n".join(out)


def _text(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def summary(results: Any, year: int | None = None) -> str:
    """Price list, checks and totals of a calculation, as plain Swedish text."""
    from xlkc.pipeline import revenue_per_line

    p = results.price.prices
    rows = []
    for r in p.itertuples(index=False):
        sid = r.service_id + (f" ({r.channel_id})" if _text(r.channel_id) else "")
        rows.append((sid, r.name, r.price_model, _num(r.price_kr, 2), r.price_unit,
                     _pct(r.change_pct)))
    parts = [f"Prislista {year}" if year else "Prislista",
             format_table(("Tjänst", "Namn", "Prismodell", "Pris", "Enhet", "Förändring"), rows,
                          right=(False, False, False, True, False, True))]
    checks = []
    for c in results.checks.itertuples(index=False):
        if isinstance(c.reference_kr, float) and math.isnan(c.reference_kr):
            checks.append(("", c.check, _kr(c.value_kr, 2)))
        else:
            # differences in kr, except where the check says otherwise (årsarbetare)
            checks.append(("OK" if c.ok else "FEL", c.check,
                           f"differens {_num(c.difference_kr, 2)}"))
    parts += ["", "Avstämning", format_table(("", "Kontroll", "Differens / belopp"), checks,
                                             right=(False, False, True), max_width=70)]
    revenue = float(revenue_per_line(p).sum())
    parts += ["", f"Total kostnad: {_kr(results.cost.total_cost_kr)}",
              f"Intäkt vid prognosvolym: {_kr(revenue)}"]
    if not results.all_checks_ok:
        parts.append("Varning: minst en kontroll avviker, se Avstämning.")
    return "\n".join(parts)


def problem_table(problems: Sequence[Any], warnings: bool = False) -> str:
    """Problems as a table with their location; messages are printed whole."""
    rows = [(p.sheet or "", getattr(p, "table_label", None) or p.table or "", p.row or "",
             p.column or "", p.message) for p in problems]
    n = len(problems)
    if warnings:
        head = "1 varning:" if n == 1 else f"{n} varningar:"
    else:
        head = "1 fel i indata:" if n == 1 else f"{n} fel i indata:"
    return head + "\n" + format_table(
        ("Blad", "Tabell", "Rad", "Kolumn", "Varning" if warnings else "Fel"), rows,
        right=(False, False, True, False, False), max_width=None)


def _print_warnings(plan: Any) -> None:
    warnings = (getattr(plan, "meta", None) or {}).get("warnings") or []
    if warnings:
        print(problem_table(warnings, warnings=True), file=sys.stderr)


def _print_failed_checks(plan: Any) -> None:
    meta = getattr(plan, "meta", None) or {}
    print("FEL: avstämningen avviker; priserna är inte giltiga.", file=sys.stderr)
    for check in meta.get("failed_checks") or []:
        print(f"- {check}", file=sys.stderr)
    if meta.get("failed_services"):
        print("Tjänster som avviker: " + ", ".join(meta["failed_services"]), file=sys.stderr)


class _Progress:
    """Steps on stderr with the time each took (the output itself goes to stdout)."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()

    def step(self, text: str) -> None:
        print(f"{text} …", file=sys.stderr, flush=True)

    def done(self) -> None:
        print(f"Klart på {_num(time.perf_counter() - self.t0, 1)} s.", file=sys.stderr,
              flush=True)


# --- commands ------------------------------------------------------------------------------------

class CliError(Exception):
    """A failure with a one-line Swedish message (exit code 1)."""


def _workbook_arg(arg: str | None) -> Path:
    path = Path(arg) if arg else default_workbook()
    if not path.exists():
        raise CliError(f"arbetsboken finns inte: {path}")
    if path.is_dir():
        raise CliError(f"{path} är en mapp, inte en arbetsbok")
    return path


def _read(path: Path):  # noqa: ANN202
    from xlkc.excel.file_reader import read_workbook

    return read_workbook(path)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _berakna(args: argparse.Namespace) -> int:
    from xlkc.excel.file_writer import backup_path, write_plan
    from xlkc.excel.run import calculate_workbook

    src = _workbook_arg(args.arbetsbok)
    if args.skriv_over:
        dst = src
    else:
        dst = Path(args.ut) if args.ut else Path.cwd() / DEFAULT_OUTPUT
        if _same_file(src, dst):
            raise CliError("utfilen är samma fil som arbetsboken; använd --skriv-over för att "
                           "skriva i arbetsboken (en kopia sparas)")
        if dst.is_dir():
            dst = dst / DEFAULT_OUTPUT
    progress = _Progress()
    progress.step(f"Läser {src.name}")
    data = _read(src)
    progress.step("Beräknar")
    plan, results, problems = calculate_workbook(data, command="berakna")
    _print_warnings(plan)
    if problems:
        print(problem_table(problems))
        print("Inget har beräknats eller skrivits.", file=sys.stderr)
        return EXIT_INVALID
    existed = dst.exists()
    progress.step(f"Skriver {dst.name}")
    try:
        written = write_plan(src, plan, dst, backup=True)
    except PermissionError as exc:
        raise CliError(f"kunde inte skriva {dst}: åtkomst nekad (är filen öppen i Excel?)") \
            from exc
    progress.done()
    print(summary(results, plan.meta.get("year")))
    print(f"\nResultatet är skrivet till {written.resolve()}")
    if existed:
        print(f"Den förra versionen är sparad som {backup_path(written).name}")
    if plan.meta.get("failed_checks"):
        _print_failed_checks(plan)
        print("Filen är skriven för granskning; Start och varje resultatblad säger FEL.",
              file=sys.stderr)
        return EXIT_CHECKS
    return EXIT_OK


def _validera(args: argparse.Namespace) -> int:
    from xlkc.excel.run import validate_workbook

    src = _workbook_arg(args.arbetsbok)
    progress = _Progress()
    progress.step(f"Läser {src.name}")
    data = _read(src)
    progress.step("Validerar")
    plan, problems = validate_workbook(data)
    _print_warnings(plan)
    if problems:
        print(problem_table(problems))
        return EXIT_INVALID
    if plan.meta.get("failed_checks"):
        _print_failed_checks(plan)
        return EXIT_CHECKS
    n = len(plan.meta.get("warnings") or [])
    tail = "" if not n else (" (1 varning)" if n == 1 else f" ({n} varningar)")
    print(f"Indata i {src.name} är giltiga{tail}.")
    return EXIT_OK


def _nytt_prisar(args: argparse.Namespace) -> int:
    from xlkc.excel.file_writer import backup_path
    from xlkc.excel.roll import roll_workbook

    src = _workbook_arg(args.arbetsbok or str(Path.cwd() / DEFAULT_OUTPUT))
    dst = src if args.skriv_over else (Path(args.ut) if args.ut else None)
    if dst is not None and not args.skriv_over and _same_file(src, dst):
        raise CliError("utfilen är samma fil som arbetsboken; använd --skriv-over för att "
                       "skriva i arbetsboken (en kopia sparas)")
    progress = _Progress()
    progress.step(f"Läser och kontrollerar {src.name}")
    try:
        result = roll_workbook(src, dst, backup=True)
    except PermissionError as exc:
        raise CliError("kunde inte skriva: åtkomst nekad (är filen öppen i Excel?)") from exc
    progress.done()
    print(result.plan.meta["message"])
    print(f"\nNästa års arbetsbok är skriven till {result.path.resolve()}")
    if backup_path(result.path).exists():
        print(f"En tidigare fil med samma namn sparas som {backup_path(result.path).name}")
    print("Nästa steg: skriv in bokslutet i Utfall, uppdatera volymer och kostnader, klicka "
          "Beräkna priser.")
    return EXIT_OK


def _exempel(args: argparse.Namespace) -> int:
    inputs = xlkc.example_inputs()
    print(summary(xlkc.calculate(inputs), inputs.parameters.year))
    return EXIT_OK


def _bygg(args: argparse.Namespace) -> int:
    from xlkc.workbook.build import DEFAULT_PATH, build_atomic

    target = build_atomic(args.utfil or DEFAULT_PATH)
    print(f"Arbetsboken är byggd: {target} ({target.stat().st_size // 1024} kB)")
    return EXIT_OK


COMMANDS = {"berakna": _berakna, "validera": _validera, "exempel": _exempel, "bygg": _bygg,
            "nytt-prisar": _nytt_prisar}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.kommando is None:
        parser.print_help()
        return EXIT_OK
    from xlkc.errors import InputError, ValidationError

    try:
        return COMMANDS[args.kommando](args)
    except ValidationError as exc:
        print(problem_table(exc.problems))
        return EXIT_INVALID
    except InputError as exc:
        print(f"xlkc: fel i indata: {_one_line(exc)}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("xlkc: avbrutet", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:  # noqa: BLE001 - every failure becomes one Swedish line
        if args.debug:
            traceback.print_exc()
        print(f"xlkc: fel: {_describe(exc)}", file=sys.stderr)
        return EXIT_FAILURE


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _describe(exc: BaseException) -> str:
    if isinstance(exc, CliError):
        return _one_line(exc)
    if isinstance(exc, FileNotFoundError):
        return f"filen finns inte: {exc.filename}"
    if isinstance(exc, PermissionError):
        return f"åtkomst nekad: {exc.filename}"
    if isinstance(exc, OSError):
        return f"{exc.strerror or _one_line(exc)}: {exc.filename or ''}".rstrip(": ")
    return f"oväntat fel ({type(exc).__name__}: {_one_line(exc)}); kör med --debug för detaljer"


if __name__ == "__main__":
    sys.exit(main())
