"""Nytt prisår: from a computed workbook, write next year's workbook.

The new file is this one with (see :mod:`xlkc.cycle` for what the values are):

- Prisår + 1 (Parametrar), Föregående prislista = this year's price list with its year,
  Utfall = this year's plan with its year, marked plan, Resultatfond = this year's closing fund,
  Kundvolymer's last-year contacts = this year's forecast;
- every output sheet's table emptied (Bemanning … Datakvalitet, Jämförelse), Start's status
  "Ej beräknad";
- the Körlogg and the saved versions (Versioner) kept, the Körlogg with a row for the roll on
  top.

Everything else of the file is kept. Only a workbook whose last Beräkna priser succeeded on the
inputs it holds now is rolled: :func:`check_rollable` compares the newest ``berakna`` row of the
Körlogg (its Kontroller and Indata-hash) with the inputs (:func:`xlkc.excel.run.input_hash`).

The writing goes through :func:`xlkc.excel.file_writer.write_plan` (temporary file in the target
folder, backup of a replaced file): the input tables are :class:`~xlkc.excel.model.TableBlock`
like the output tables, so :func:`roll_plan` is independent of how the file is written.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlkc import layout as L  # noqa: N812
from xlkc.errors import InputError, errors_of
from xlkc.excel.model import CellWrite, OutputPlan, TableBlock, WorkbookData
from xlkc.excel.output import input_block
from xlkc.inputs import Inputs
from xlkc.results import Results

__all__ = ["LastRun", "RollResult", "check_rollable", "default_target", "last_run_of",
           "read_runlog", "roll_plan", "roll_workbook"]

#: The Körlogg's command for a roll.
COMMAND = "nytt-prisar"
#: Input tables the roll rewrites.
ROLLED_TABLES = (L.T_PREVIOUS, L.T_OUTCOMES, L.T_FUND, L.T_CUSTOMER_VOLUMES)
#: Named cells the roll sets: name -> Parameters field.
ROLLED_CELLS = ("Prisar", "ForegaendeAr", "UtfallAr")


class RollRefused(InputError):
    """The workbook cannot be rolled as it is (a Swedish message says why)."""


@dataclass(frozen=True)
class LastRun:
    """The newest Beräkna priser in the Körlogg."""

    time: Any
    checks: str
    input_hash: str

    @property
    def ok(self) -> bool:
        return self.checks.startswith("OK")


@dataclass(frozen=True)
class RollResult:
    path: Path
    year: int  # the new price year
    inputs: Inputs  # the new year's inputs
    plan: OutputPlan


def last_run_of(header: list[Any], rows: list[list[Any]]) -> LastRun | None:
    """The newest ``berakna`` row of a Körlogg (rows newest first), None if there is none."""
    where = {str(h): j for j, h in enumerate(header) if h}
    col = {c.field: where.get(c.header) for c in L.T_RUNLOG.columns}
    if col["command"] is None or col["input_hash"] is None or col["checks"] is None:
        return None

    def get(row: list[Any], field: str) -> Any:
        j = col[field]
        return row[j] if j is not None and j < len(row) else None

    for row in rows:
        if str(get(row, "command") or "").strip() == "berakna":
            return LastRun(get(row, "time"), str(get(row, "checks") or ""),
                           str(get(row, "input_hash") or ""))
    return None


def read_runlog(path: str | os.PathLike[str]) -> tuple[list[Any], list[list[Any]]]:
    """(header, rows) of the Körlogg table of a workbook file."""
    import openpyxl
    from openpyxl.utils.cell import range_boundaries

    sheet = L.sheet_of(L.T_RUNLOG.name).name
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        if sheet not in wb.sheetnames or L.T_RUNLOG.name not in wb[sheet].tables:
            return [], []
        ws = wb[sheet]
        c0, r0, c1, r1 = range_boundaries(ws.tables[L.T_RUNLOG.name].ref)
        values = [[ws.cell(r, c).value for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)]
    finally:
        wb.close()
    return values[0], values[1:]


def check_rollable(inputs: Inputs | None, results: Results | None, problems: list[Any],
                   last: LastRun | None) -> None:
    """Raise :class:`RollRefused` (Swedish) unless the last calculation succeeded on these
    very inputs."""
    from xlkc.excel.run import input_hash

    if inputs is None or results is None or errors_of(problems):
        n = len(errors_of(problems))
        raise RollRefused(
            f"Arbetsboken har {n} fel i indata och kan inte föras till nästa prisår; rätta "
            "felen och klicka Beräkna priser först")
    if last is None:
        raise RollRefused("Arbetsboken har inte beräknats (ingen Beräkna priser i Körlogg); "
                          "klicka Beräkna priser först")
    if not last.ok:
        raise RollRefused(
            f"Senaste Beräkna priser misslyckades (Kontroller: {last.checks}); rätta det och "
            "beräkna igen innan nästa prisår skapas")
    if last.input_hash != input_hash(inputs):
        raise RollRefused(
            "Indata har ändrats sedan senaste Beräkna priser (indata-hash "
            f"{last.input_hash} i Körlogg, {input_hash(inputs)} nu); klicka Beräkna priser "
            "så att prislistan som förs vidare är den som räknats fram")
    if not results.all_checks_ok:
        raise RollRefused("Avstämningen avviker; priserna är inte giltiga och förs inte vidare")


def _empty_block(table: L.Table) -> TableBlock:
    sheet = L.sheet_of(table.name)
    header_row, first_col = sheet.table_origin(table.name)
    return TableBlock(sheet=sheet.name, table=table.name, header_row=header_row,
                      first_col=first_col, header=table.headers, rows=(),
                      number_formats=tuple(c.number_format for c in table.columns))


def roll_plan(old: Inputs, new: Inputs, *, user: str | None = None,
              now: dt.datetime | None = None) -> OutputPlan:
    """What Nytt prisår writes into the copy: the rolled input tables and cells, emptied output
    tables, Start's status and a Körlogg row."""
    from xlkc.excel.output import FMT_PLAIN
    from xlkc.excel.run import RunInfo, input_hash

    year = new.parameters.year
    blocks = [input_block(t, new) for t in ROLLED_TABLES]
    blocks += [_empty_block(t) for t in L.output_tables()
               if t.result is not None or t in L.COMPARISON_TABLES]
    cells = []
    for name in ROLLED_CELLS:
        sheet, nc = L.named_cell(name)
        row, col = sheet.named_cell_position(name)
        cells.append(CellWrite(sheet.name, row, col, getattr(new.parameters, nc.field),
                               nc.number_format))
    run = RunInfo.make(COMMAND, input_hash(new), user, now)
    status = f"Ej beräknad: nytt prisår {year}"
    start = next(s for s in L.SHEETS if s.role == "info")
    values = {"time": run.time, "status": status, "version": run.version}
    for nc in start.named_cells:
        row, col = start.named_cell_position(nc.name)
        cells.append(CellWrite(start.name, row, col, values.get(nc.field),
                               FMT_PLAIN if nc.field == "status" else nc.number_format))
    for sheet in L.SHEETS:
        if sheet.role == "output" and sheet.name != L.sheet_of(L.T_RUNLOG.name).name:
            cells.append(CellWrite(sheet.name, 2, 1, sheet.purpose, FMT_PLAIN))
            if any(t.result for t in sheet.tables):  # the run's price year and time go
                cells.append(CellWrite(sheet.name, 3, 1, sheet.output_note, FMT_PLAIN))
    cells.append(CellWrite(L.sheet_of(L.T_CMP_PRICES.name).name, 3, 1, L.OUTPUT_NOTE,
                           FMT_PLAIN))
    n_plan = len(new.outcomes)
    message = (f"Nytt prisår {year} skapat från prisår {old.parameters.year} (indata-hash "
               f"{input_hash(old)}): Föregående prislista = prislistan {year - 1}, Utfall = "
               f"planen {year - 1} för {n_plan} tjänster (Källa plan: skriv in bokslutet), "
               f"Resultatfond = utgående saldo {year - 1}, Kundvolymer: kontakter "
               f"föregående år = prognosen {year - 1}. Resultatbladen är tömda; Versioner "
               "och Körlogg är kvar.")
    log = {"time": run.time, "user": run.user, "command": COMMAND, "version": run.version,
           "input_hash": run.input_hash, "checks": "Ej beräknad", "message": message}
    return OutputPlan(tables=tuple(blocks), cells=tuple(cells),
                      log_entry=tuple(log.get(f) for f in L.RUNLOG_COLUMNS),
                      meta={"status": status, "year": year, "message": message},
                      input_tables=frozenset(t.name for t in ROLLED_TABLES),
                      input_sheets=frozenset(c.sheet for c in cells
                                             if L.sheet(c.sheet).role == "input"))


def default_target(src: str | os.PathLike[str], year: int) -> Path:
    """Where next year's workbook goes by default: beside ``src``, named for the year."""
    p = Path(src)
    stem = p.stem.removesuffix("_beraknad")
    return p.with_name(f"{stem}_{year}{p.suffix or '.xlsm'}")


def roll_data(data: WorkbookData, last: LastRun | None
              ) -> tuple[Inputs, Inputs]:
    """(this year's inputs, next year's) of a workbook's raw data, refused unless rollable."""
    from xlkc.cycle import next_year_inputs
    from xlkc.excel.run import _check

    inputs, results, problems = _check(data)
    check_rollable(inputs, results, problems, last)
    assert inputs is not None and results is not None
    return inputs, next_year_inputs(inputs, results)


def roll_workbook(src: str | os.PathLike[str], dst: str | os.PathLike[str] | None = None, *,
                  backup: bool = True, user: str | None = None,
                  now: dt.datetime | None = None) -> RollResult:
    """Write next year's workbook from the computed workbook ``src`` (see the module doc)."""
    from xlkc.excel.file_reader import read_workbook
    from xlkc.excel.file_writer import write_plan

    data = read_workbook(src)
    header, rows = read_runlog(src)
    old, new = roll_data(data, last_run_of(header, rows))
    target = Path(dst) if dst is not None else default_target(src, new.parameters.year)
    plan = roll_plan(old, new, user=user, now=now)
    written = write_plan(src, plan, target, backup=backup)
    return RollResult(written, new.parameters.year, new, plan)
