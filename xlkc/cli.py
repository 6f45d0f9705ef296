"""Command line: ``xlkc berakna``, ``xlkc validera``, ``xlkc importera``, ``xlkc dokument``,
``xlkc installera``, ``xlkc nytt-prisar``, ``xlkc versioner``, ``xlkc exempel``,
``xlkc bygg``.

Help, messages and output are Swedish. Exit codes: 0 done (warnings, if any, are printed
whole with their location), 2 invalid input (the problems are printed as a table, nothing is
written) or a usage error, 3 the reconciliation failed (the checks and services that differ are
printed; ``berakna`` still writes the file for inspection, FEL on Start and on every output
sheet), 1 any other failure (a one-line message; the traceback only with ``--debug``).

``xlkc berakna`` never writes into its input workbook unless ``--skriv-over`` is given. It
writes ``./Prismodell_beraknad.xlsm`` by default; ``-o`` names a file or a folder (then the
default name inside it) and must end in ``.xlsm``; it is resolved to a file before it is compared
with the input. Writing is :mod:`xlkc.excel.safe_write`'s: one writer per file at a time (a lock
file), a temporary file renamed over the target, the replaced version kept as a timestamped
backup ``<namn>.bak-ÅÅÅÅMMDD-TTMMSS.xlsm`` (the newest three are kept), so repeated or concurrent
runs lose nothing typed into an earlier output. Every OS error is a Swedish sentence naming the
file. The console never fails on a character it cannot show (ASCII stand-ins), and once the
file is written nothing printed can turn the exit code into 1.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import errno
import math
import os
import stat
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlkc
from xlkc import __version__

xlkc.one_blas_thread()

#: Default output file, in the current directory.
DEFAULT_OUTPUT = "Prismodell_beraknad.xlsm"
#: Quality findings the CLI prints after an import (all of them are on Statistikkvalitet).
MAX_FINDINGS_SHOWN = 20
#: Default output file of ``xlkc importera``.
DEFAULT_IMPORT_OUTPUT = "Prismodell_importerad.xlsm"

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
    """The workbook bundled with xlkc: the checkout's, or the installed wheel's."""
    from xlkc.install import bundled_workbook

    return bundled_workbook()


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
        "<namn>.bak-ÅÅÅÅMMDD-TTMMSS.xlsm (de tre senaste behålls).",
        epilog=EXIT_CODES_TEXT)
    berakna.add_argument("arbetsbok", nargs="?", metavar="ARBETSBOK",
                         help="arbetsboken att läsa (standard: workbook/Prismodell.xlsm)")
    target = berakna.add_mutually_exclusive_group()
    target.add_argument("-o", "--ut", metavar="UT", default=None,
                        help=f"fil (.xlsm) eller mapp där resultatet skrivs (standard: "
                        f"./{DEFAULT_OUTPUT})")
    target.add_argument("--skriv-over", action="store_true",
                        help="skriv resultatet i ARBETSBOK själv (en kopia sparas som "
                        "<namn>.bak-ÅÅÅÅMMDD-TTMMSS.xlsm)")
    berakna.add_argument("--versionsnamn", metavar="NAMN", default=None,
                         help="spara beräkningen som en version med detta namn på bladet "
                         "Versioner (t.ex. \"Förslag 1\"); ett förslag med samma namn ersätts, "
                         "en beslutad version kan aldrig ändras (standard: cellen Spara nästa "
                         "beräkning som version på Versioner; tom: ingen version)")
    berakna.add_argument("--status", choices=("Förslag", "Beslutad"), default=None,
                         help="versionens status (standard: Prislistans status på Parametrar)")
    debug_flag(berakna)

    versioner = sub.add_parser(
        "versioner", help="lista de sparade versionerna i en beräknad arbetsbok",
        description="Listar versionerna på bladet Versioner: namn, status, prisår, när de "
        "sparades, beslutsdatum, ärendenummer, total kostnad, intäkt, årsarbetare och "
        "indata-hash. Skriver ingenting.")
    versioner.add_argument("arbetsbok", nargs="?", metavar="ARBETSBOK",
                           help=f"arbetsboken (standard: ./{DEFAULT_OUTPUT})")
    debug_flag(versioner)

    validera = sub.add_parser(
        "validera", help="kontrollera indata utan att beräkna eller skriva något",
        description="Läser och validerar arbetsbokens indata. Skriver ingenting.",
        epilog=EXIT_CODES_TEXT)
    validera.add_argument("arbetsbok", nargs="?", metavar="ARBETSBOK",
                          help="arbetsboken att läsa (standard: workbook/Prismodell.xlsm)")
    debug_flag(validera)

    importera = sub.add_parser(
        "importera", help="läs statistikfiler och för in volymer, hanteringstider och profiler",
        description="Läser intervallstatistik (kanonisk CSV eller Calabrio/Teleopti, 15, 30 eller "
        "60 minuter) för köerna på bladet Köer och för in årsvolym och hanteringstid per tjänst "
        "och kanal (Kontakter, källa statistik, det ersatta värdet bredvid), svarsgruppernas egna "
        "profiler (Profil) och kundernas prognoser omräknade till de nya volymerna "
        "(Kundvolymer). Köernas utfall mot målen och fynd i filerna hamnar på bladet "
        "Statistikkvalitet. Är någon fil felaktig skrivs ingenting.",
        epilog=EXIT_CODES_TEXT)
    importera.add_argument("statistik", nargs="+", metavar="STATISTIK",
                           help="en eller flera statistikfiler")
    importera.add_argument("-a", "--arbetsbok", metavar="ARBETSBOK", default=None,
                           help="arbetsboken (standard: workbook/Prismodell.xlsm)")
    itarget = importera.add_mutually_exclusive_group()
    itarget.add_argument("-o", "--ut", metavar="UT", default=None,
                         help=f"var resultatet skrivs (standard: ./{DEFAULT_IMPORT_OUTPUT})")
    itarget.add_argument("--skriv-over", action="store_true",
                         help="skriv i ARBETSBOK själv (en kopia sparas som <namn>.bak.xlsm)")
    debug_flag(importera)

    dokument = sub.add_parser(
        "dokument", help="skapa PDF:er av Prislista för beslut och en kundspecifikation per kund",
        description="Läser och beräknar arbetsboken som berakna och skriver PDF:er: Prislista "
        "för beslut och en Kundspecifikation per kund, A4 liggande. PDF:erna skrivs ut av "
        "LibreOffice (headless), som måste vara installerat; i Excel gör knappen Skapa PDF "
        "samma sak. Inga PDF:er skapas om indata har fel eller avstämningen avviker.",
        epilog=EXIT_CODES_TEXT)
    dokument.add_argument("arbetsbok", nargs="?", metavar="ARBETSBOK",
                          help="arbetsboken att läsa (standard: workbook/Prismodell.xlsm)")
    dokument.add_argument("-o", "--ut", metavar="MAPP", default=None,
                          help="mappen PDF:erna skrivs i (standard: ./dokument)")
    debug_flag(dokument)

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
    installera = sub.add_parser(
        "installera", help="förbered arbetsboken för den här Python-installationen",
        description="Skriver sökvägen till den här Python-installationen (pythonw.exe på Windows) "
        "och inställningarna för kalkylbladsfunktionerna på bladet xlwings.conf, efter att ha "
        "kontrollerat att installerad xlwings har samma version som arbetsbokens VBA-modul. "
        "Skriver en kopia; med --skriv-over skrivs arbetsboken själv (en kopia sparas som "
        "<namn>.bak.xlsm). Inget annat i arbetsboken ändras.")
    installera.add_argument("arbetsbok", nargs="?", metavar="ARBETSBOK",
                            help="arbetsboken att förbereda (standard: den som följer med xlkc)")
    inst_target = installera.add_mutually_exclusive_group()
    inst_target.add_argument("-o", "--ut", metavar="UT", default=None,
                             help="var kopian skrivs (standard: ./Prismodell.xlsm)")
    inst_target.add_argument("--skriv-over", action="store_true",
                             help="skriv i ARBETSBOK själv (en kopia sparas som <namn>.bak.xlsm)")
    debug_flag(installera)

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
        with contextlib.suppress(OSError, ValueError):  # a closed console stops nothing
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
        with contextlib.suppress(OSError, ValueError):  # a closed console stops nothing
            print(f"{text} …", file=sys.stderr, flush=True)

    def done(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            print(f"Klart på {_num(time.perf_counter() - self.t0, 1)} s.", file=sys.stderr,
                  flush=True)


# --- commands ------------------------------------------------------------------------------------

class CliError(Exception):
    """A failure with a one-line Swedish message (exit code 1)."""


def _workbook_arg(arg: str | None) -> Path:
    path = Path(arg) if arg else default_workbook()
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise CliError(f"arbetsboken finns inte: {path}") from None
    except OSError as exc:
        raise CliError(f"arbetsboken {path} kan inte läsas: {_os_reason(exc)}") from exc
    if stat.S_ISDIR(st.st_mode):
        raise CliError(f"{path} är en mapp, inte en arbetsbok")
    if not stat.S_ISREG(st.st_mode):  # a FIFO or a device would block or never end
        raise CliError(f"{path} är ingen vanlig fil (en pipe, en enhet eller liknande); "
                       "ange arbetsboken som en fil")
    return path


def _read(path: Path):  # noqa: ANN202
    from xlkc.excel.file_reader import read_workbook

    return read_workbook(path)


def _same_file(a: Path, b: Path) -> bool:
    from xlkc.excel.safe_write import same_file

    return same_file(a, b)


def _target(args: argparse.Namespace, src: Path, default: str = DEFAULT_OUTPUT) -> Path:
    """The file ``berakna`` (or ``importera``) writes: ``-o`` resolved to a file (a folder means
    the default name inside it), checked before anything is read: extension .xlsm, not the input
    unless ``--skriv-over``, not a folder or a special file."""
    from xlkc.excel.safe_write import SaveError, check_target, resolve_output

    if args.skriv_over:
        dst = src
    else:
        dst = resolve_output(args.ut, default) if args.ut else Path.cwd() / default
    try:
        check_target(dst, src, overwrite_source=args.skriv_over)
    except SaveError as exc:
        raise CliError(str(exc)) from None
    return dst


def _berakna(args: argparse.Namespace) -> int:
    from xlkc.excel.file_writer import render
    from xlkc.excel.run import calculate_workbook
    from xlkc.excel.safe_write import SaveError, save
    from xlkc.versions import VersionFrozen

    src = _workbook_arg(args.arbetsbok)
    dst = _target(args, src)
    progress = _Progress()
    progress.step(f"Läser {src.name}")
    data = _read(src)
    progress.step("Beräknar")
    if args.status is not None and not (args.versionsnamn or "").strip():
        raise CliError("--status gäller en version: ange också --versionsnamn")
    try:
        plan, results, problems = calculate_workbook(
            data, command="berakna", version_name=args.versionsnamn,
            version_status=args.status)
    except VersionFrozen as exc:
        print(problem_table([exc.problem]))
        print("Inget har beräknats eller skrivits.", file=sys.stderr)
        return EXIT_INVALID
    _print_warnings(plan)
    if problems:
        print(problem_table(problems))
        print("Inget har beräknats eller skrivits.", file=sys.stderr)
        return EXIT_INVALID
    content = render(src, plan)  # everything is computed before the first write
    progress.step(f"Skriver {dst.name}")
    try:
        saved = save(dst, content, source=src, overwrite_source=args.skriv_over)
    except SaveError as exc:
        raise CliError(str(exc)) from None
    code = EXIT_CHECKS if plan.meta.get("failed_checks") else EXIT_OK
    # the file is written: nothing printed from here on may change the exit code
    try:
        progress.done()
        print(summary(results, plan.meta.get("year")))
        _print_versions(plan)
        print(f"\nResultatet är skrivet till {saved.path.resolve()}")
        if saved.backup is not None:
            print(f"Den förra versionen är sparad som {saved.backup.name}")
        if code == EXIT_CHECKS:
            _print_failed_checks(plan)
            print("Filen är skriven för granskning; Start och varje resultatblad säger FEL.",
                  file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, UnicodeError, ValueError):
        _quiet_console()  # a closed or broken console: the file is written all the same
    return code


def _print_versions(plan: Any) -> None:
    """What the run did with the versions: saved, replaced or not saved; what Jämförelse shows.
    (What could not be read on Versioner is among the run's warnings.)"""
    meta = getattr(plan, "meta", None) or {}
    lines = []
    if meta.get("version_message"):
        lines.append(meta["version_message"])
    if meta.get("compared_with"):
        lines.append(f"Jämförelse: beräkningen jämförd med versionen '{meta['compared_with']}'.")
    if lines:
        print("\n" + "\n".join(lines))


def versions_table(versions: Sequence[Any]) -> str:
    """The versions as a Swedish plain-text table (``xlkc versioner``)."""
    def when(t: Any, fmt: str) -> str:
        return t.strftime(fmt) if t is not None else "–"

    rows = [(v.name, v.status.value, v.year if v.year is not None else "–",
             when(v.saved, "%Y-%m-%d %H:%M"), when(v.decision_date, "%Y-%m-%d"),
             v.case_number or "–", _kr(v.total_cost_kr), _kr(v.revenue_kr), _num(v.fte, 2),
             v.input_hash or "–") for v in versions]
    return format_table(("Version", "Status", "Prisår", "Sparad", "Beslutsdatum",
                         "Ärendenummer", "Total kostnad", "Intäkt", "Årsarbetare",
                         "Indata-hash"), rows,
                        right=(False, False, True, False, False, False, True, True, True,
                               False), max_width=None)


def _versioner(args: argparse.Namespace) -> int:
    from xlkc.excel.versions_io import read_versions

    src = _workbook_arg(args.arbetsbok or str(Path.cwd() / DEFAULT_OUTPUT))
    versions, notes = read_versions(_read(src))
    if notes:
        print(problem_table(notes, warnings=True), file=sys.stderr)
    if not versions:
        print(f"{src.name} har inga sparade versioner. Spara en med xlkc berakna "
              "--versionsnamn NAMN.")
        return EXIT_OK
    n = len(versions)
    decided = sum(v.decided for v in versions)
    print(f"{n} version{'er' if n != 1 else ''} i {src.name} ({decided} beslutad"
          f"{'e' if decided != 1 else ''}):")
    print(versions_table(versions))
    return EXIT_OK


def _quiet_console() -> None:
    """Point stdout and stderr at the null device, so that flushing them at exit cannot fail
    (Python would exit with 120 on a broken pipe)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError, AttributeError):
                os.dup2(null, stream.fileno())
        os.close(null)


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


def _change_value(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return _num(v, 2 if abs(v) < 100 else 0)
    return str(v)


def _importera(args: argparse.Namespace) -> int:
    from xlkc.excel.file_writer import render
    from xlkc.excel.importing import plan_import
    from xlkc.excel.safe_write import SaveError, save
    from xlkc.statistics import StatisticsError, read_files

    src = _workbook_arg(args.arbetsbok)
    dst = _target(args, src, DEFAULT_IMPORT_OUTPUT)
    progress = _Progress()
    progress.step(f"Läser statistiken ({len(args.statistik)} fil{'er' if len(args.statistik) > 1 else ''})")
    try:
        stats = read_files([Path(f) for f in args.statistik])
    except StatisticsError as exc:
        rows = [(e.file, e.line or "", e.message) for e in exc.errors]
        print(f"{len(rows)} fel i statistiken:\n" + format_table(
            ("Fil", "Rad", "Fel"), rows, right=(False, True, False), max_width=None))
        print("Inget har skrivits.", file=sys.stderr)
        return EXIT_INVALID
    progress.step(f"Läser {src.name}")
    data = _read(src)
    progress.step("För in statistiken")
    out = plan_import(data, stats)
    if out.problems:
        print(problem_table(out.problems))
        print("Inget har skrivits.", file=sys.stderr)
        return EXIT_INVALID
    if out.warnings:
        print(problem_table(out.warnings, warnings=True), file=sys.stderr)
    content = render(src, out.plan)
    progress.step(f"Skriver {dst.name}")
    try:
        saved = save(dst, content, source=src, overwrite_source=args.skriv_over)
    except SaveError as exc:
        raise CliError(str(exc)) from None
    written = saved.path
    progress.done()
    changes = out.result.changes
    print(f"{len(changes)} ändringar:")
    print(format_table(("Blad", "Vad", "Värde", "Förut", "Nu"),
                       [(c.sheet, c.item, c.what, _change_value(c.old), _change_value(c.new))
                        for c in changes],
                       right=(False, False, False, True, True), max_width=None))
    for note in out.result.notes:
        print(f"Obs: {note}")
    findings = out.result.findings
    print(f"\n{len(findings)} fynd i statistiken (alla på bladet Statistikkvalitet)"
          + (":" if findings else "."))
    if findings:
        shown = findings[:MAX_FINDINGS_SHOWN]
        print(format_table(("Typ", "Fil", "Rad", "Kö", "Intervall", "Meddelande"),
                           [(f.kind.value, f.file, f.line or "", f.queue, f.interval, f.message)
                            for f in shown],
                           right=(False, False, True, False, False, False), max_width=None))
        if len(findings) > len(shown):
            print(f"… och {len(findings) - len(shown)} till.")
    print(f"\nResultatet är skrivet till {written.resolve()}; klicka Beräkna priser "
          "(eller kör xlkc berakna) för de nya priserna.")
    if saved.backup is not None:
        print(f"Den förra versionen är sparad som {saved.backup.name}")
    return EXIT_OK


def _dokument(args: argparse.Namespace) -> int:
    from xlkc.excel.documents import DocumentError, find_soffice, write_documents
    from xlkc.excel.run import calculate_workbook

    src = _workbook_arg(args.arbetsbok)
    out_dir = Path(args.ut) if args.ut else Path.cwd() / "dokument"
    if out_dir.exists() and not out_dir.is_dir():
        raise CliError(f"{out_dir} är en fil; ange en mapp med -o")
    if find_soffice() is None:
        raise CliError("LibreOffice behövs för att skapa PDF:er utan Excel men finns inte på "
                       "den här datorn; installera LibreOffice eller använd knappen Skapa PDF i "
                       "Excel")
    progress = _Progress()
    progress.step(f"Läser {src.name}")
    data = _read(src)
    progress.step("Beräknar")
    plan, results, problems = calculate_workbook(data, command="dokument")
    _print_warnings(plan)
    if problems:
        print(problem_table(problems))
        print("Inga PDF:er har skapats.", file=sys.stderr)
        return EXIT_INVALID
    if plan.meta.get("failed_checks"):
        _print_failed_checks(plan)
        print("Inga PDF:er har skapats: priserna är inte giltiga.", file=sys.stderr)
        return EXIT_CHECKS
    from xlkc.excel.parse import parse_workbook

    inputs = parse_workbook(data)
    progress.step(f"Skriver PDF:er till {out_dir}")
    try:
        written = write_documents(inputs, results, out_dir)
    except DocumentError as exc:
        raise CliError(str(exc)) from exc
    progress.done()
    print(f"{len(written)} PDF:er i {out_dir.resolve()}:")
    for path in written:
        print(f"  {path.name}")
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


def _installera(args: argparse.Namespace) -> int:
    from xlkc.install import DEFAULT_OUTPUT as INSTALL_OUTPUT
    from xlkc.install import InstallError, install, report

    src = _workbook_arg(args.arbetsbok)
    dst = _target(args, src, INSTALL_OUTPUT)
    try:
        done = install(src, dst, overwrite_source=args.skriv_over)
    except InstallError as exc:
        raise CliError(str(exc)) from exc
    print(report(done))
    return EXIT_OK


COMMANDS = {"berakna": _berakna, "validera": _validera, "importera": _importera,
            "dokument": _dokument, "installera": _installera, "nytt-prisar": _nytt_prisar,
            "versioner": _versioner,
            "exempel": _exempel, "bygg": _bygg}


def main(argv: list[str] | None = None) -> int:
    restore = _safe_console()
    try:
        return _main(argv)
    finally:
        restore()


def _main(argv: list[str] | None) -> int:
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


# --- a console that never fails on a character ---------------------------------------------------

#: ASCII stand-ins for the signs the output uses that a legacy console (cp1252, cp850, ASCII)
#: may lack. Anything else it cannot show becomes its letter without accents, or "?".
ASCII_SAFE = {"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00a0": " ",
              "\u202f": " ", "\u2009": " ", "\u2022": "*", "\u2018": "'", "\u2019": "'",
              "\u201c": '"', "\u201d": '"', "\u00d7": "x", "\u2264": "<=", "\u2265": ">=",
              "\u00b1": "+/-", "\u2248": "~", "\u2192": "->", "\u00e5": "a", "\u00e4": "a",
              "\u00f6": "o", "\u00c5": "A", "\u00c4": "A", "\u00d6": "O"}
_ERRORS = "xlkc-ascii-safe"


def _ascii_safe(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start:exc.end]:
        sub = ASCII_SAFE.get(ch)
        if sub is None:
            import unicodedata

            sub = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode() or "?"
        try:  # the stand-in itself must be encodable (cp1252 has no "–" but has "-")
            sub.encode(exc.encoding)
        except (UnicodeError, LookupError):
            sub = "?"
        out.append(sub)
    return "".join(out), exc.end


codecs.register_error(_ERRORS, _ascii_safe)


def _safe_console():  # noqa: ANN202 - returns the function that restores the streams
    """Let stdout and stderr replace what their encoding cannot show (see :data:`ASCII_SAFE`)
    instead of failing; returns a function that restores them."""
    undo = []
    for stream in (sys.stdout, sys.stderr):
        errors = getattr(stream, "errors", None)
        try:
            stream.reconfigure(errors=_ERRORS)
        except (AttributeError, ValueError, OSError):
            continue
        undo.append((stream, errors))

    def restore() -> None:
        for stream, errors in undo:
            with contextlib.suppress(AttributeError, ValueError, OSError):
                stream.reconfigure(errors=errors or "strict")

    return restore


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


_OS_REASONS = {
    errno.ENOENT: "filen eller mappen finns inte",
    errno.EACCES: "åtkomst nekad (kontrollera behörigheten, eller stäng filen i Excel)",
    errno.EPERM: "åtgärden är inte tillåten (kontrollera behörigheten)",
    errno.EROFS: "enheten är skrivskyddad",
    errno.ENOSPC: "disken är full",
    errno.EEXIST: "filen finns redan",
    errno.EISDIR: "det är en mapp",
    errno.ENOTDIR: "en del av sökvägen är inte en mapp",
    errno.EIO: "läsfel på enheten (kontrollera disken eller nätverket)",
    errno.ENAMETOOLONG: "sökvägen är för lång",
}


def _os_reason(exc: OSError) -> str:
    reason = _OS_REASONS.get(exc.errno or 0)
    if reason is None and isinstance(exc, PermissionError):
        reason = _OS_REASONS[errno.EACCES]
    return reason or f"operativsystemet svarade med felet {errno.errorcode.get(exc.errno or 0, type(exc).__name__)}"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, CliError):
        return _one_line(exc)
    from xlkc.excel.safe_write import SaveError

    if isinstance(exc, SaveError):
        return _one_line(exc)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{_os_reason(exc)}"
    return f"oväntat fel ({type(exc).__name__}: {_one_line(exc)}); kör med --debug för detaljer"


if __name__ == "__main__":
    sys.exit(main())
