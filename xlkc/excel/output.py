"""Results -> :class:`~xlkc.excel.model.OutputPlan`: what a calculation writes, where and how.

Pure: no I/O, no Excel library. Every position comes from :mod:`xlkc.layout`.

Values are converted to what the sheet shows (``Column.to_sheet``: seconds -> minutes; enums
as their Swedish words; True/False as ``layout.BOOL_TEXT``; NaN -> empty). Where a controller
should see how a figure arises, the cell holds a *transparent formula* over cells of the same row
(:data:`FORMULA_RULES`, :mod:`xlkc.excel.output_rules`): personnel cost = FTE × cost per FTE, full cost = the sum of its parts,
price basis = full cost + carry-forward, exact price = cost basis / quantity, price = the rounding
of the exact price, change = price − previous price, charge = quantity × price + fee, the checks'
difference = value − reference. Figures only Python can compute (FTE, allocations, a price
group's pooled exact price) are values. A formula is a :class:`Formula` (a ``str`` starting with
"="), so an adapter can tell it from a text value that happens to start with "="; it carries the
engine's value of the cell (``Formula.value``), which the file writer stores as its cached value.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from xlkc import collector
from xlkc import layout as L  # noqa: N812
from xlkc.errors import Problem
from xlkc.excel.model import CellWrite, OutputPlan, TableBlock
from xlkc.excel.output_cells import (
    Formula,
    column_totals,
    sheet_cell_value,
    sheet_column,
    totals_cells,
)
from xlkc.excel.output_rules import FORMULA_RULES, _close, _finite
from xlkc.inputs import Inputs
from xlkc.pipeline import revenue_per_line
from xlkc.results import Results

__all__ = ["DERIVED", "FORMULA_RULES", "LINK_RULES", "Formula", "plan_failure", "plan_outputs",
           "plan_validation", "result_frame", "sheet_cell_value", "status_text", "totals_cells"]


# --- links along the chain ------------------------------------------------------------------------

class Links:
    """What a link rule needs: every output table's rows (code values by field, as written) and
    the absolute A1 range of a column's data rows, on its own sheet or another."""

    def __init__(self, frames: dict[str, pd.DataFrame]) -> None:
        self.frames = frames
        #: (table, field) -> the column's values (made when first asked: few are linked to)
        self._columns: dict[tuple[str, str], list[Any]] = {}
        #: (table, key field) -> the row positions by their casefolded key, in order (a scan
        #: per looked-up row made the plan quadratic, issue 15)
        self._index: dict[tuple[str, str], dict[str, list[int]]] = {}
        self._ranges: dict[tuple[str, str, str], str] = {}
        self._sheets: dict[str, str] = {}

    def sheet_name(self, table: str) -> str:
        """The name of the sheet ``table`` is on."""
        if table not in self._sheets:
            self._sheets[table] = L.sheet_of(table).name
        return self._sheets[table]

    def column(self, table: str, field: str) -> list[Any]:
        """The values of a column of ``table`` (plain Python values, as ``to_dict`` gives)."""
        if (table, field) not in self._columns:
            self._columns[(table, field)] = self.frames[table][field].tolist()
        return self._columns[(table, field)]

    def range(self, table: str, field: str, here: str) -> str:
        """'Bemanning'!$L$6:$L$40 (without the sheet when ``here`` is the table's sheet)."""
        key = (table, field, here)
        if key not in self._ranges:
            sheet = L.sheet_of(table)
            row, col = sheet.table_origin(table)
            col += L.table(table).column_index(field)
            n = max(len(self.frames[table]), 1)
            rng = f"{L.cell_ref(row + 1, col, True)}:{L.cell_ref(row + n, col, True)}"
            self._ranges[key] = rng if sheet.name == here else \
                f"{L.quote_sheet(sheet.name)}!{rng}"
        return self._ranges[key]

    def rows(self, table: str, key: str, value: Any) -> list[int]:
        """The positions of the rows of ``table`` whose ``key`` equals ``value``
        (casefolded), in order."""
        index = self._index.get((table, key))
        if index is None:
            index = self._index[(table, key)] = {}
            for i, k in enumerate(self.column(table, key)):
                index.setdefault(_key(k), []).append(i)
        return index.get(_key(value), [])

    def lookup(self, table: str, key: str, value: Any, field: str) -> list[Any]:
        """``field`` of the rows of ``table`` whose ``key`` equals ``value`` (casefolded)."""
        column = self.column(table, field)
        return [column[i] for i in self.rows(table, key, value)]


def _key(value: Any) -> str:
    """What a link matches ids by: the text, casefolded."""
    return str(value).casefold()


#: A link rule gets (the row's code values, the A1 address of a field in the same row, Links)
#: and returns a formula that fetches the cell's value from another row or sheet along the
#: chain Bemanning -> Självkostnad -> Prislista, or None. A link is written only where the
#: fetched figure equals the engine's (checked here, on the engine's own numbers).
LinkRule = Callable[[dict[str, Any], Callable[[str], str], Links], str | None]


def _service_fte_link(r: dict[str, Any], a: Callable[[str], str], links: Links) -> str | None:
    """Bemanning, per service and channel: its pool's FTE × its share of the pool's workload."""
    pools = L.T_POOL_STAFFING.name
    here = links.sheet_name(pools)
    fte = links.lookup(pools, "pool_id", r["pool_id"], "fte")
    work = links.lookup(pools, "pool_id", r["pool_id"], "workload_h")
    if (len(fte) != 1 or not _finite(fte[0]) or not _finite(work[0]) or work[0] <= 0
            or not _finite(r["workload_h"]) or not _finite(r["fte"])
            or not _close(fte[0] * r["workload_h"] / work[0], r["fte"])):
        return None
    match = f"MATCH({a('pool_id')},{links.range(pools, 'pool_id', here)},0)"
    return (f"=INDEX({links.range(pools, 'fte', here)},{match})*{a('workload_h')}"
            f"/INDEX({links.range(pools, 'workload_h', here)},{match})")


def _cost_fte_link(r: dict[str, Any], a: Callable[[str], str], links: Links) -> str | None:
    """Självkostnad: the service's FTE is the sum of its rows in Bemanning."""
    staffing = L.T_STAFFING.name
    here = links.sheet_name(L.T_COST.name)
    rows = links.lookup(staffing, "service_id", r["service_id"], "fte")
    if not rows or not all(map(_finite, rows)) or not _finite(r["fte"]) \
            or not _close(math.fsum(rows), r["fte"]):
        return None
    return (f"=SUMIFS({links.range(staffing, 'fte', here)},"
            f"{links.range(staffing, 'service_id', here)},{a('service_id')})")


def _price_basis_link(r: dict[str, Any], a: Callable[[str], str], links: Links) -> str | None:
    """Prislista: a line that carries its service's whole price basis fetches it from
    Självkostnad (lines split by channel or price group keep their value)."""
    cost = L.T_COST.name
    here = links.sheet_name(L.T_PRICES.name)
    same = links.rows(L.T_PRICES.name, "service_id", r["service_id"])
    basis = links.lookup(cost, "service_id", r["service_id"], "price_basis_kr")
    if (len(same) != 1 or len(basis) != 1 or not _finite(basis[0])
            or not _finite(r["cost_basis_kr"]) or abs(basis[0] - r["cost_basis_kr"]) > 0.005):
        return None
    return (f"=INDEX({links.range(cost, 'price_basis_kr', here)},"
            f"MATCH({a('service_id')},{links.range(cost, 'service_id', here)},0))")


#: Table name -> {field: link rule}: the figures that follow the chain in formulas.
LINK_RULES: dict[str, dict[str, LinkRule]] = {
    L.T_STAFFING.name: {"fte": _service_fte_link},
    L.T_COST.name: {"fte": _cost_fte_link},
    L.T_PRICES.name: {"cost_basis_kr": _price_basis_link},
}

#: Columns an output table shows beyond its result frame: table -> {field: value from results}.
DERIVED: dict[str, dict[str, Callable[[Results], Any]]] = {
    L.T_POOL_STAFFING.name: {"productive_hours": lambda r: r.staffing.productive_hours},
}


def result_frame(table: L.Table, results: Results) -> pd.DataFrame:
    """The rows an output table shows: its result frame with the derived columns added."""
    frame = _resolve(results, table.result)
    extra = DERIVED.get(table.name)
    if extra:
        frame = frame.assign(**{f: fn(results) for f, fn in extra.items()})
    return frame


# --- the plan ------------------------------------------------------------------------------------

def _resolve(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _code_columns(frame: pd.DataFrame, fields: tuple[str, ...]) -> list[list[Any]]:
    """Each field's column as ``Series.tolist`` gives it (all NaN where the frame lacks the
    field), as in ``frame.reindex(columns=fields)``, without building that frame: a column at
    a time by its label (a plan reads some two hundred columns, issue 15)."""
    columns = frame.columns
    if not columns.is_unique or len(set(fields)) != len(fields):
        framed = frame.reindex(columns=list(fields))
        return [framed.iloc[:, j].tolist() for j in range(len(fields))]
    n = len(frame)
    return [frame[f].tolist() if f in columns else [math.nan] * n for f in fields]


def _block(table: L.Table, frame: pd.DataFrame, inputs: Inputs,
           links: Links | None = None) -> TableBlock:
    """An output table's block."""
    return _counted_block(table, frame, inputs, links)[0]


def _counted_block(table: L.Table, frame: pd.DataFrame, inputs: Inputs,
                   links: Links | None = None) -> tuple[TableBlock, int]:
    """An output table's block and how many formulas it holds."""
    sheet = L.sheet_of(table.name)
    header_row, first_col = sheet.table_origin(table.name)
    letters = {c.field: L.col_letter(first_col + j) for j, c in enumerate(table.columns)}
    rules = FORMULA_RULES.get(table.name, {})
    link_rules = LINK_RULES.get(table.name, {}) if links is not None else {}
    fields = table.fields
    # Column by column into plain lists, converted a column at a time (issue 15); a row's dict
    # of code values is built only where a rule reads it, and only the ruled cells are visited.
    code = _code_columns(frame, fields)
    columns = [sheet_column(c, values) for c, values in zip(table.columns, code, strict=True)]
    ruled = [(j, c.field, rules.get(c.field), link_rules.get(c.field))
             for j, c in enumerate(table.columns)
             if rules.get(c.field) is not None or link_rules.get(c.field) is not None]
    n_formulas = 0
    if ruled:
        # (each row's dict made in C: every value zipped with its field)
        recs = map(dict, map(zip, itertools.repeat(fields), zip(*code, strict=True)))
        for n, rec in enumerate(recs):
            addr = (lambda f, _r=str(header_row + 1 + n): letters[f] + _r)  # noqa: E731
            for j, _field, rule, link in ruled:
                formula = rule(rec, addr, inputs) if rule else None
                if formula is None and link is not None:
                    formula = link(rec, addr, links)
                if formula:
                    columns[j][n] = Formula(formula, columns[j][n])
                    n_formulas += 1
    rows = tuple(zip(*columns, strict=True))
    return TableBlock(sheet=sheet.name, table=table.name, header_row=header_row,
                      first_col=first_col, header=table.headers, rows=rows,
                      number_formats=tuple(c.number_format for c in table.columns),
                      totals=column_totals(table, header_row, first_col, columns)), n_formulas


#: Number format of a status or note that says FEL: red text (Excel shows "[Red]" as "[Röd]").
FMT_FEL = "[Red]@"
FMT_PLAIN = "General"


def status_text(problems: list[Problem] | None = None, results: Results | None = None,
                warnings: list[Problem] | None = None) -> str:
    """The Start sheet's one-line result: OK, or FEL with how many errors / failed checks."""
    if problems:
        n = len(problems)
        return "FEL: 1 fel i indata" if n == 1 else f"FEL: {n} fel i indata"
    if results is not None:
        failed = int((~results.checks["ok"].astype(bool)).sum())
        if failed:
            return (f"FEL: {failed} kontroll{'er' if failed > 1 else ''} i avstämningen "
                    f"avvik{'er' if failed > 1 else 'er'}")
    if warnings:
        n = len(warnings)
        return "OK, 1 varning" if n == 1 else f"OK, {n} varningar"
    return "OK"


def warnings_text(warnings: list[Problem] | None) -> str | None:
    """Every warning with its location, one per line (the Start cell and the Körlogg)."""
    if not warnings:
        return None
    return "\n".join(f"Varning: {w}" for w in warnings)


def _checks_text(results: Results) -> str:
    ok = results.checks["ok"].astype(bool)
    real = results.checks["reference_kr"].notna()
    n, n_ok = int(real.sum()), int((ok & real).sum())
    return f"OK ({n_ok} av {n})" if n_ok == n else f"FEL ({n - n_ok} av {n} avviker)"


def _status_cells(values: dict[str, Any]) -> tuple[CellWrite, ...]:
    start = next(s for s in L.SHEETS if s.role == "info")
    cells = []
    failed = str(values.get("status") or "").startswith("FEL")
    for nc in start.named_cells:
        if nc.field == "overhead_rate" and nc.field not in values:
            continue  # the last calculation's rate stays until the next calculation
        row, col = start.named_cell_position(nc.name)
        fmt = nc.number_format
        if nc.field == "status":
            fmt = FMT_FEL if failed else FMT_PLAIN
        cells.append(CellWrite(start.name, row, col, values.get(nc.field), fmt))
    return tuple(cells)


def run_line(year: int, time: Any) -> str:
    """Row 3 of an output sheet after a run (printed under the title): which price year and
    when, in place of the template's "Fylls av Beräkna priser – skriv inte här."."""
    when = time.strftime("%Y-%m-%d %H:%M") if hasattr(time, "strftime") else str(time or "")
    return f"Prisår {year} – beräknat {when} med Beräkna priser." if when else \
        f"Prisår {year} – beräknat med Beräkna priser."


def _note_cells(failed: list[str] | None, line: str | None = None) -> tuple[CellWrite, ...]:
    """The note under each output sheet's title: its purpose, or FEL when a check failed; and
    below it ``line`` (the price year and the run's time), except on Prislista för beslut,
    whose heading is its own (``_board_cells``)."""
    out = []
    board = L.sheet_of(L.T_BOARD.name).name
    for sheet in L.SHEETS:
        if sheet.role != "output" or not any(t.result for t in sheet.tables):
            continue  # the Körlogg, and Statistikkvalitet (written by the import): no results
        if line is not None and sheet.name != board:
            out.append(CellWrite(sheet.name, 3, 1, line, FMT_PLAIN))
        if failed:
            text = ("FEL: avstämningen avviker (" + "; ".join(failed) + "). Siffrorna på bladet "
                    "är inte giltiga priser; de visas för granskning.")
            out.append(CellWrite(sheet.name, 2, 1, text, FMT_FEL))
        else:
            out.append(CellWrite(sheet.name, 2, 1, sheet.purpose, FMT_PLAIN))
    return tuple(out)


def _message(head: str, text: str | None) -> str:
    """``head`` with the warnings' text (:func:`warnings_text`) below it."""
    return head if not text else head + "\n" + text


def _log_entry(values: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(values.get(f) for f in L.RUNLOG_COLUMNS)


def _run_values(run: Any) -> dict[str, Any]:
    return {"time": run.time, "user": run.user, "command": run.command,
            "version": run.version, "input_hash": run.input_hash}


def plan_outputs(inputs: Inputs, results: Results, run: Any,
                 warnings: list[Problem] | None = None, versions: Any = None) -> OutputPlan:
    """Every output table, the Start status and a Körlogg row for a calculation.

    A failed reconciliation still writes the outputs, for inspection; every output sheet's note
    then says FEL and the Start status is FEL in red. ``versions`` (a
    :class:`xlkc.excel.versions_io.VersionPlan`) adds what the run writes on Versioner and
    Jämförelse; without it neither sheet is written.

    The cyclic garbage collector is paused meanwhile: a plan is tens of thousands of row tuples
    and formulas kept to the end, which every collection would scan again and again over the
    results (at 100x the example a third of the plan; no cycles are made).
    """
    with collector.paused():
        return _plan_outputs(inputs, results, run, warnings, versions)


def _plan_outputs(inputs: Inputs, results: Results, run: Any, warnings: list[Problem] | None,
                  versions: Any) -> OutputPlan:
    from xlkc.crosscheck import failed_checks, failing_services

    warnings = list(warnings or [])
    # not the Körlogg, Versioner or Jämförelse (their rows are carried or compared, not results)
    tables = [t for t in L.output_tables() if t.result is not None]
    frames = {t.name: result_frame(t, results) for t in tables}
    links = Links(frames)
    planned = [_counted_block(t, frames[t.name], inputs, links) for t in tables]
    blocks = [b for b, _ in planned]
    total = float(results.cost.total_cost_kr)
    revenue = float(revenue_per_line(results.price.prices).sum())
    status = status_text(results=results, warnings=warnings)
    checks = _checks_text(results)
    failed = failed_checks(results)
    services = failing_services(inputs, results) if failed else []
    checks_sheet = L.sheet_of(L.T_CHECKS.name).name
    if failed:
        head = (f"{status}: " + "; ".join(failed)
                + (". Tjänster: " + ", ".join(services) if services else "")
                + f". Se bladet {checks_sheet}; priserna är inte giltiga.")
    else:
        head = (f"Priserna är beräknade (overhead fördelad {inputs.parameters.allocation_method.value}"
                ").")
    if versions is not None and versions.message:
        head += " " + versions.message
    listed = warnings_text(warnings)  # (once: a large model may warn thousands of times)
    values = {**_run_values(run), "status": status, "total_cost_kr": total,
              "revenue_kr": revenue, "checks": checks, "warnings": listed,
              "message": _message(head, listed),
              "overhead_rate": results.cost.overhead_rate
              if math.isfinite(results.cost.overhead_rate) else None}
    n_formulas = sum(n for _, n in planned)
    meta = {"status": status, "ok": not failed, "total_cost_kr": total, "revenue_kr": revenue,
            "checks": checks, "checks_ok": results.all_checks_ok, "formula_cells": n_formulas,
            "problems": [], "warnings": warnings, "failed_checks": failed,
            "failed_services": services, "year": inputs.parameters.year}
    extra_cells: tuple[CellWrite, ...] = ()
    if versions is not None:
        blocks += list(versions.tables)
        extra_cells = versions.cells
        meta.update(versions.meta, version_message=versions.message)
    return OutputPlan(tables=tuple(blocks),
                      cells=(_status_cells(values)
                             + _note_cells(failed, run_line(inputs.parameters.year, run.time))
                             + _board_cells(inputs) + extra_cells),
                      log_entry=_log_entry(values), meta=meta)


def _board_cells(inputs: Inputs) -> tuple[CellWrite, ...]:
    """Prislista för beslut: the price year and its status where other sheets say
    "Fylls av Beräkna priser" (the board prints this sheet)."""
    from xlkc.statements import board_heading

    sheet = L.sheet_of(L.T_BOARD.name).name
    return (CellWrite(sheet, 3, 1, board_heading(inputs)),)


def _problem_summary(problems: list[Problem]) -> str:
    return "; ".join(str(p) for p in problems)


def plan_failure(problems: list[Problem], run: Any,
                 warnings: list[Problem] | None = None) -> OutputPlan:
    """Status and a Körlogg row only: nothing is calculated, no output table is touched."""
    warnings = list(warnings or [])
    listed = warnings_text(warnings)
    status = status_text(problems=problems)
    values = {**_run_values(run), "status": status, "total_cost_kr": None, "revenue_kr": None,
              "checks": "Ej beräknad", "warnings": listed,
              "message": _message(f"{status}: {_problem_summary(problems)}", listed)}
    return OutputPlan(tables=(), cells=_status_cells(values), log_entry=_log_entry(values),
                      meta={"status": status, "ok": False, "problems": list(problems),
                            "warnings": warnings, "failed_checks": []})


def plan_validation(run: Any, warnings: list[Problem] | None = None, inputs: Inputs | None = None,
                    results: Results | None = None) -> OutputPlan:
    """Status and a Körlogg row after a validation (which calculates, and writes no output)."""
    from xlkc.crosscheck import failed_checks, failing_services

    warnings = list(warnings or [])
    failed = failed_checks(results) if results is not None else []
    services = failing_services(inputs, results) if failed and inputs is not None else []
    status = status_text(results=results, warnings=warnings)
    listed = warnings_text(warnings)
    head = ("Indata är giltiga." if not failed else
            f"{status}: " + "; ".join(failed)
            + (". Tjänster: " + ", ".join(services) if services else "") + ".")
    values = {**_run_values(run), "status": status,
              "checks": "Ej beräknad" if results is None else _checks_text(results),
              "warnings": listed, "message": _message(head, listed)}
    return OutputPlan(tables=(), cells=_status_cells(values), log_entry=_log_entry(values),
                      meta={"status": status, "ok": not failed, "problems": [],
                            "warnings": warnings, "failed_checks": failed,
                            "failed_services": services})


def input_block(table: L.Table, inputs: Inputs) -> TableBlock:
    """An input table's rows for ``inputs``, at its layout position."""
    sheet = L.sheet_of(table.name)
    header_row, first_col = sheet.table_origin(table.name)
    from xlkc.layout.rows import table_rows

    return TableBlock(sheet=sheet.name, table=table.name, header_row=header_row,
                      first_col=first_col, header=table.headers,
                      rows=tuple(tuple(r) for r in table_rows(table, inputs)),
                      number_formats=tuple(c.number_format for c in table.columns))
