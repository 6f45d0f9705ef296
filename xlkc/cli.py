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

This module holds the commands and :func:`main`; the argument parser, the default output files
and the exit codes are in :mod:`xlkc.cli_parser`, the Swedish text of numbers and tables in
:mod:`xlkc.cli_text`, the console that never fails and the one-line failure messages in
:mod:`xlkc.cli_console`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import stat
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import xlkc
from xlkc.cli_console import (
    CliError,
    _describe,
    _one_line,
    _os_reason,
    _quiet_console,
    _safe_console,
)
from xlkc.cli_parser import (
    DEFAULT_IMPORT_OUTPUT,
    DEFAULT_OUTPUT,
    EXIT_CHECKS,
    EXIT_FAILURE,
    EXIT_INVALID,
    EXIT_OK,
    build_parser,
)
from xlkc.cli_text import _change_value, _num, format_table, problem_table, summary, versions_table

xlkc.one_blas_thread()

#: Quality findings the CLI prints after an import (all of them are on Statistikkvalitet).
MAX_FINDINGS_SHOWN = 20


def default_workbook() -> Path:
    """The workbook bundled with xlkc: the checkout's, or the installed wheel's."""
    from xlkc.bundled import bundled_workbook

    return bundled_workbook()


# --- what a command prints on stderr besides its result ------------------------------------------

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
    with xlkc.settled_imports():
        from xlkc.excel.file_reader import read_workbook  # noqa: F401 - imported settled
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


if __name__ == "__main__":
    sys.exit(main())
