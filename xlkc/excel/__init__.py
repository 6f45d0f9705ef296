"""The workbook's entry points: the buttons on Start call these through xlwings RunPython.

``RunPython "import xlkc.excel; xlkc.excel.berakna_priser()"`` runs :func:`berakna_priser` with
the workbook that holds the button as ``xw.Book.caller()``: read every input table
(:func:`xlkc.excel.xlwings_adapter.read_book`), parse, validate and calculate
(:func:`xlkc.excel.run.calculate_workbook`, the same as the command line) - everything computed
and planned before the first write - then write the outputs, a Körlogg row and the Start status
(:func:`~xlkc.excel.xlwings_adapter.apply_plan`), and say what happened in a Swedish message box.
A failure while writing leaves Start's status naming the stale sheets, and the box says so.

Beräkna priser also saves the run as a version when the cell VersionsNamn on Versioner holds a
name (status: VersionsStatus, else Prislistans status), and empties the cell once saved; saving
over a Beslutad version is refused in a message box and nothing is written
(:mod:`xlkc.excel.versions_io`).

``testa_kopplingen`` (button "Testa kopplingen") reports the Python, xlkc and xlwings versions
and whether they match the workbook; the VBA checks before it that the interpreter exists.

Importing this package does not import xlwings (nor needs Excel or a licence): everything is
imported when a button is clicked.
"""

from __future__ import annotations

import os
import sys
import traceback
from dataclasses import dataclass, field
from typing import Any

import xlkc

xlkc.one_blas_thread()

__all__ = ["ExcelRun", "berakna_priser", "importera_statistik", "nytt_prisar",
           "testa_kopplingen", "validera_indata"]

#: The message box title.
TITLE = "Prismodell"
#: Problems listed in the message box (all of them are in the Körlogg and the CLI).
MAX_PROBLEMS_SHOWN = 8
#: Characters of one problem line, and of all of them, in the message box.
MAX_LINE = 160
MAX_PROBLEM_CHARS = 800
#: Set to 1 to let an unexpected error reach xlwings' own error dialog (with its traceback).
DEBUG_ENV = "XLKC_DEBUG"


@dataclass
class ExcelRun:
    """What a click did: the plan written, the results, the problems and the message shown."""

    command: str
    message: str
    ok: bool
    plan: Any = None
    results: Any = None
    problems: list[Any] = field(default_factory=list)


def _kr(value: float | None) -> str:
    """12345678.4 -> '12 345 678 kr' (Swedish grouping with no-break spaces)."""
    if value is None:
        return "–"
    return f"{value:,.0f}".replace(",", "\u00a0").replace("-", "\u2212") + "\u00a0kr"


def _problems_text(problems: list[Any]) -> str:
    """The first problems, one line each, short enough for a message box (VBA's MsgBox shows
    about 1 000 characters)."""
    lines: list[str] = []
    for p in problems[:MAX_PROBLEMS_SHOWN]:
        line = str(p)
        line = line if len(line) <= MAX_LINE else line[:MAX_LINE - 1] + "…"
        if sum(len(x) + 1 for x in lines) + len(line) > MAX_PROBLEM_CHARS:
            break
        lines.append(f"• {line}")
    more = len(problems) - len(lines)
    if more > 0:
        lines.append(f"… och {more} till: rätta dessa och klicka Validera indata igen.")
    return "\n".join(lines)


def _warnings_text(plan: Any) -> str:
    warnings = (getattr(plan, "meta", None) or {}).get("warnings") or []
    if not warnings:
        return ""
    n = len(warnings)
    head = "1 varning" if n == 1 else f"{n} varningar"
    return f"\n\n{head} (se Start och Körlogg):\n" + _problems_text(warnings)


def _failure_message(problems: list[Any], plan: Any = None) -> str:
    n = len(problems)
    head = f"Indata har {n} fel – se Start och Körlogg."
    return head + "\n\n" + _problems_text(problems) + \
        "\n\nInget har beräknats och inga resultat har skrivits." + _warnings_text(plan)


def _checks_failed_message(plan: Any) -> str:
    meta = getattr(plan, "meta", {}) or {}
    lines = ["FEL: avstämningen avviker – priserna är inte giltiga."]
    lines += [f"• {c}" for c in meta.get("failed_checks") or []]
    if meta.get("failed_services"):
        lines.append("Tjänster: " + ", ".join(meta["failed_services"]))
    lines.append("Se bladet Avstämning; resultatbladen är märkta FEL.")
    return "\n".join(lines) + _warnings_text(plan)


def _success_message(plan: Any, results: Any) -> str:
    meta = getattr(plan, "meta", {}) or {}
    total = meta.get("total_cost_kr")
    if total is None and results is not None:
        total = float(results.cost.total_cost_kr)
    lines = [f"Beräkningen är klar: total kostnad {_kr(total)}."]
    if meta.get("revenue_kr") is not None:
        lines.append(f"Intäkt vid prognosvolym: {_kr(meta['revenue_kr'])}.")
    if meta.get("checks"):
        lines.append(f"Avstämning: {meta['checks']}.")
    if meta.get("status") and meta["status"] != "OK":
        lines.append(f"{meta['status']}: se bladet Avstämning.")
    lines.append("Resultaten finns på bladen Bemanning till Datakvalitet.")
    if meta.get("version_message"):
        lines.append(meta["version_message"])
    if meta.get("compared_with"):
        lines.append(f"Jämförelse: jämförd med versionen '{meta['compared_with']}'.")
    return "\n".join(lines) + _warnings_text(plan)


def _alert(book: Any, text: str, ok: bool) -> None:
    """A Swedish message box; never lets a failing box hide the run's outcome."""
    try:
        book.app.alert(text, title=TITLE, buttons="ok", mode="info" if ok else "critical")
    except Exception:  # noqa: BLE001 - no message box on this engine: stderr is all there is
        print(text, file=sys.stderr)


def _apply_quietly(book: Any, plan: Any) -> None:
    """Write a failure's status and Körlogg row if the workbook still has room for them."""
    from xlkc.excel.xlwings_adapter import apply_plan

    try:
        apply_plan(book, plan)
    except Exception:  # noqa: BLE001 - the message box still reports the problems
        traceback.print_exc(file=sys.stderr)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _run(command: str) -> ExcelRun:
    with xlkc.settled_imports():
        import xlwings as xw

        from xlkc.errors import InputError, ValidationError
        from xlkc.excel import run as runner
        from xlkc.excel.output import plan_failure
        from xlkc.excel.xlwings_adapter import WriteInterrupted, apply_plan, read_book

    book = xw.Book.caller()  # without a caller xlwings raises its own clear error
    verb = "Beräkningen" if command == "berakna" else "Valideringen"
    user = runner.current_user()
    results = None
    try:
        try:
            data = read_book(book)
        except ValidationError as exc:  # missing sheets or tables: nothing can be parsed
            problems = list(exc.problems)
            plan = plan_failure(problems, runner.RunInfo.make(command, "", user))
            _apply_quietly(book, plan)
            out = ExcelRun(command, _failure_message(problems), False, plan, None, problems)
            _alert(book, out.message, ok=False)
            return out
        if command == "berakna":
            plan, results, problems = runner.calculate_workbook(data, command=command, user=user)
        else:
            plan, problems = runner.validate_workbook(data, command=command, user=user)
        apply_plan(book, plan)
    except WriteInterrupted as exc:  # computed, but the workbook took only part of it
        traceback.print_exc(file=sys.stderr)
        stale = ", ".join(exc.stale) or "inga"
        msg = (f"{verb} är gjord, men skrivningen till arbetsboken avbröts: "
               f"{_one_line(exc.cause)}.\n\nInaktuella blad: {stale}. Start visar samma sak.\n"
               "Klicka Beräkna priser igen; kvarstår felet, kontakta den som förvaltar "
               "prismodellen.")
        _alert(book, msg, ok=False)
        if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
            raise
        return ExcelRun(command, msg, False)
    except InputError as exc:  # the workbook cannot be read or written as it is
        out = ExcelRun(command, f"{verb} kunde inte göras:\n\n{exc}", False)
        _alert(book, out.message, ok=False)
        return out
    except Exception as exc:
        msg = (f"{verb} misslyckades: {_one_line(exc)} ({type(exc).__name__}).\n\n"
               "Kontakta den som förvaltar prismodellen.")
        traceback.print_exc(file=sys.stderr)
        _alert(book, msg, ok=False)
        if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
            raise
        return ExcelRun(command, msg, False)
    if problems:
        out = ExcelRun(command, _failure_message(problems, plan), False, plan, None,
                       list(problems))
    elif (plan.meta or {}).get("failed_checks"):
        out = ExcelRun(command, _checks_failed_message(plan), False, plan, results, [])
    elif command == "berakna":
        out = ExcelRun(command, _success_message(plan, results), True, plan, results, [])
    else:
        out = ExcelRun(command, "Indata är giltiga: inga fel hittades.\n\n"
                       "Klicka Beräkna priser för att räkna fram priserna."
                       + _warnings_text(plan), True, plan)
    _alert(book, out.message, ok=out.ok)
    return out


def berakna_priser() -> ExcelRun:
    """Button "Beräkna priser": validate, calculate, write the outputs, say how it went."""
    return _run("berakna")


def validera_indata() -> ExcelRun:
    """Button "Validera indata": validate only; the status and a Körlogg row are written."""
    return _run("validera")


#: Changes listed in the message box after an import (all of them are in the CLI's table).
MAX_CHANGES_SHOWN = 10


def _import_message(out: Any) -> str:
    changes = out.result.changes
    lines = [f"Statistiken är importerad: {len(changes)} värden ändrade."]
    for c in changes[:MAX_CHANGES_SHOWN]:
        old = "–" if c.old is None else (f"{c.old:,.2f}".replace(",", "\u00a0").replace(".", ",")
                                         if isinstance(c.old, float) else str(c.old))
        new = (f"{c.new:,.2f}".replace(",", "\u00a0").replace(".", ",")
               if isinstance(c.new, float) else str(c.new))
        lines.append(f"• {c.sheet}, {c.item}: {c.what} {old} → {new}")
    if len(changes) > MAX_CHANGES_SHOWN:
        lines.append(f"… och {len(changes) - MAX_CHANGES_SHOWN} till (se Kontakter, Profil och "
                     "Kundvolymer).")
    lines.append(f"{len(out.result.findings)} fynd i statistiken: se bladet Statistikkvalitet.")
    lines.append("Klicka Beräkna priser för de nya priserna.")
    return "\n".join(lines) + _warnings_text(out.plan)


def importera_statistik(paths: list[str] | tuple[str, ...] | str) -> ExcelRun:
    """Button "Importera statistik": the VBA asks for the files, then calls this with their
    paths. Reads them, applies them through the sheet Köer, writes Kontakter, Profil per
    svarsgrupp, Kundvolymer, Statistikkvalitet, the Start status and a Körlogg row. Nothing is
    written when a file or the mapping is wrong."""
    import xlwings as xw

    from xlkc.excel.importing import plan_import
    from xlkc.excel.run import current_user
    from xlkc.excel.xlwings_adapter import apply_plan, read_book
    from xlkc.statistics import StatisticsError, read_files

    book = xw.Book.caller()
    files = [paths] if isinstance(paths, str) else list(paths)
    try:
        try:
            stats = read_files(files)
        except StatisticsError as exc:
            errors = list(exc.errors)
            msg = (f"Statistiken har {len(errors)} fel – inget har importerats.\n\n"
                   + _problems_text(errors))
            _alert(book, msg, ok=False)
            return ExcelRun("importera", msg, False, problems=errors)
        out = plan_import(read_book(book), stats, user=current_user())
        if out.problems:
            msg = (f"Importen kan inte göras: {len(out.problems)} fel.\n\n"
                   + _problems_text(out.problems) + "\n\nInget har importerats.")
            _alert(book, msg, ok=False)
            return ExcelRun("importera", msg, False, problems=list(out.problems))
        apply_plan(book, out.plan)
    except Exception as exc:  # noqa: BLE001 - one Swedish box, never a traceback dialog
        msg = (f"Importen misslyckades: {_one_line(exc)} ({type(exc).__name__}).\n\n"
               "Kontakta den som förvaltar prismodellen.")
        traceback.print_exc(file=sys.stderr)
        _alert(book, msg, ok=False)
        if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
            raise
        return ExcelRun("importera", msg, False)
    msg = _import_message(out)
    _alert(book, msg, ok=True)
    return ExcelRun("importera", msg, True, out.plan)
def _connection_message(book: Any, workbook_xlwings: str | None) -> tuple[str, bool]:
    """What "Testa kopplingen" says: versions, and whether they match the workbook."""
    import importlib.metadata
    import platform

    import xlkc
    from xlkc import layout as L  # noqa: N812

    try:
        xlwings_version = importlib.metadata.version("xlwings")
    except importlib.metadata.PackageNotFoundError:
        xlwings_version = None
    if workbook_xlwings is None:
        from xlkc.install import workbook_xlwings_version

        try:
            workbook_xlwings = workbook_xlwings_version(book.fullname)
        except Exception:  # noqa: BLE001 - not saved yet, or not a file: the version is unknown
            workbook_xlwings = None
    lines = ["Kopplingen till Python fungerar.", "",
             f"Python {platform.python_version()}: {sys.executable}",
             f"xlkc {xlkc.__version__}: {os.path.dirname(xlkc.__file__)}"]
    ok = True
    if xlwings_version is None:
        ok = False
        lines.append("xlwings: inte installerat.")
    elif workbook_xlwings is None:
        lines.append(f"xlwings {xlwings_version} (arbetsbokens version kunde inte läsas).")
    elif xlwings_version == workbook_xlwings:
        lines.append(f"xlwings {xlwings_version}: samma som arbetsbokens VBA-modul.")
    else:
        ok = False
        lines.append(f"xlwings {xlwings_version}, men arbetsbokens VBA-modul är gjord för "
                     f"{workbook_xlwings}: kör pip install xlwings=={workbook_xlwings}.")
    names = {sh.name for sh in book.sheets}
    missing = [sh.name for sh in L.SHEETS if sh.name not in names]
    if missing:
        ok = False
        lines.append(f"Arbetsboken saknar bladen {', '.join(missing)}: den hör inte till xlkc "
                     f"{xlkc.__version__}.")
    else:
        lines.append(f"Arbetsbokens blad stämmer med xlkc {xlkc.__version__}.")
    lines += ["", "Allt stämmer: klicka Validera indata och sedan Beräkna priser." if ok else
              "Rätta det som står ovan och klicka Testa kopplingen igen."]
    return "\n".join(lines), ok


def testa_kopplingen(workbook_xlwings: str | None = None) -> ExcelRun:
    """Button "Testa kopplingen": report the Python, xlkc and xlwings versions and whether they
    match the workbook (``workbook_xlwings``: the version its VBA module declares, passed by the
    VBA; without it, read from the saved file)."""
    import xlwings as xw

    book = xw.Book.caller()
    text, ok = _connection_message(book, workbook_xlwings)
    _alert(book, text, ok=ok)
    return ExcelRun("testa", text, ok)


def _live_runlog(book: Any) -> tuple[list[Any], list[list[Any]]]:
    """(header, rows) of the open workbook's Körlogg table."""
    from xlkc import layout as L  # noqa: N812

    sheet = L.sheet_of(L.T_RUNLOG.name).name
    try:
        values = book.sheets[sheet].tables[L.T_RUNLOG.name].range.options(ndim=2).value
    except Exception:  # noqa: BLE001 - no Körlogg: nothing has been computed
        return [], []
    return (list(values[0]), [list(r) for r in values[1:]]) if values else ([], [])


def nytt_prisar() -> ExcelRun:
    """Button "Nytt prisår": from this computed workbook, write next year's beside it
    (:mod:`xlkc.excel.roll`): refused, with a Swedish message, unless the last Beräkna priser
    succeeded on the inputs the workbook holds now. The workbook is saved first, so that the
    file the new one is made from holds exactly what was checked."""
    from pathlib import Path

    import xlwings as xw

    from xlkc.errors import InputError
    from xlkc.excel import run as runner
    from xlkc.excel.file_writer import write_plan
    from xlkc.excel.roll import default_target, last_run_of, roll_data, roll_plan
    from xlkc.excel.xlwings_adapter import read_book

    book = xw.Book.caller()
    command = "nytt-prisar"
    try:
        data = read_book(book)
        old, new = roll_data(data, last_run_of(*_live_runlog(book)))
        src = Path(book.fullname)
        if not src.is_file():
            raise InputError("Spara arbetsboken som en fil först; nästa års arbetsbok skrivs "
                             "bredvid den")
        book.save()
        target = default_target(src, new.parameters.year)
        plan = roll_plan(old, new, user=runner.current_user())
        written = write_plan(src, plan, target, backup=True)
    except InputError as exc:
        out = ExcelRun(command, f"Nytt prisår kunde inte skapas:\n\n{exc}", False)
        _alert(book, out.message, ok=False)
        return out
    except Exception as exc:
        msg = (f"Nytt prisår misslyckades: {_one_line(exc)} ({type(exc).__name__}).\n\n"
               "Kontakta den som förvaltar prismodellen.")
        traceback.print_exc(file=sys.stderr)
        _alert(book, msg, ok=False)
        if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
            raise
        return ExcelRun(command, msg, False)
    year = new.parameters.year
    message = (f"Arbetsboken för prisår {year} är skapad:\n{written}\n\n"
               f"Föregående prislista är prislistan {year - 1}, Utfall är planen {year - 1} "
               "(Källa plan), Resultatfonden är förd vidare, Kundvolymernas kontakter "
               f"föregående år är prognosen {year - 1} och resultatbladen är tomma; "
               "Versioner och Körlogg är kvar.\n\n"
               "Öppna den, skriv in bokslutet i Utfall, uppdatera volymer och kostnader och "
               "klicka Beräkna priser.")
    out = ExcelRun(command, message, True, plan)
    _alert(book, message, ok=True)
    return out
