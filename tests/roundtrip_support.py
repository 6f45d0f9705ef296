"""Shared by the round-trip tests: the bundled workbook, written outputs and the engine's values."""

from __future__ import annotations

import datetime as dt
import importlib
import math
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

import xlkc
from xlkc import layout as L  # noqa: N812
from xlkc.excel.model import OutputPlan
from xlkc.excel.output import Formula, plan_outputs, result_frame
from xlkc.excel.run import RunInfo, input_hash
from xlkc.results import Results

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "workbook" / "Prismodell.xlsm"
NOW = dt.datetime(2026, 11, 5, 14, 30, 0)


def example_plan() -> tuple[OutputPlan, Results]:
    inputs = xlkc.example_inputs()
    results = xlkc.calculate(inputs)
    run = RunInfo.make("berakna", input_hash(inputs), user="test", now=NOW)
    return plan_outputs(inputs, results, run), results


def resolve(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def expected_cells(results: Results) -> dict[tuple[str, int, int], tuple[str, str, Any]]:
    """Every output cell the engine defines: (sheet, row, col) -> (table, field, sheet value).

    Computed here from the layout and the results directly (not through the plan), numbers scaled
    to the sheet's unit, NaN/None as None, booleans as Ja/Nej.
    """
    out = {}
    for t in L.output_tables():
        if t.result is None:
            continue
        sheet = L.sheet_of(t.name)
        header_row, first_col = sheet.table_origin(t.name)
        frame = result_frame(t, results)
        for i, rec in enumerate(frame.to_dict("records")):
            for j, c in enumerate(t.columns):
                v = rec[c.field]
                if isinstance(v, bool) or type(v).__name__ == "bool_":
                    v = L.BOOL_TEXT[bool(v)]
                elif isinstance(v, tuple | list):
                    v = ", ".join(map(str, v))
                elif v is None or (isinstance(v, float) and math.isnan(v)):
                    v = None
                elif isinstance(v, int | float):
                    v = c.to_sheet(float(v))
                elif hasattr(v, "value") and not isinstance(v, str):  # enum
                    v = v.value
                out[(sheet.name, header_row + 1 + i, first_col + j)] = (t.name, c.field, v)
    return out


def expected_totals(results: Results) -> dict[tuple[str, int, int], tuple[str, str, float]]:
    """Every totals cell the layout defines: (sheet, row, col) -> (table, field, the sum of the
    column's engine values in the sheet's unit), from the layout and the results directly."""
    out = {}
    for t in L.output_tables():
        if t.result is None or not t.has_totals:
            continue
        sheet = L.sheet_of(t.name)
        header_row, first_col = sheet.table_origin(t.name)
        frame = result_frame(t, results)
        if frame.empty:
            continue
        row = L.totals_row(header_row, len(frame))
        for j, c in enumerate(t.columns):
            if c.total:
                values = [c.to_sheet(float(v)) for v in frame[c.field]
                          if v is not None and not (isinstance(v, float) and math.isnan(v))]
                out[(sheet.name, row, first_col + j)] = (t.name, c.field, math.fsum(values))
    return out


def totals_formulas(plan: OutputPlan) -> dict[tuple[str, int, int], Any]:
    """(sheet, row, col) -> the Formula of every totals cell the plan writes."""
    cells = {}
    for b in plan.tables:
        for j, v in enumerate(b.totals or ()):
            if isinstance(v, Formula):
                cells[(b.sheet, b.totals_row, b.first_col + j)] = v
    return cells


def register_subtotal() -> None:
    """SUBTOTAL(9|109, range...) for ``formulas``, which lacks it (TOOLING.md): the sum of the
    numbers in the ranges (no row is hidden in a file)."""
    import formulas
    from xlkc_udfs import formulas_function

    def subtotal(num: Any, *ranges: Any) -> float:
        if int(num) not in (9, 109):
            raise ValueError(f"SUBTOTAL({num}) stöds inte i testet")
        cells = (c for r in ranges for row in (r if isinstance(r, list) else [[r]]) for c in row)
        return math.fsum(float(c) for c in cells
                         if isinstance(c, int | float) and not isinstance(c, bool))

    formulas.get_functions()["SUBTOTAL"] = formulas_function(subtotal)


def formula_cells(plan: OutputPlan) -> dict[tuple[str, int, int], str]:
    """(sheet, row, col) -> formula text of every formula the plan writes."""
    cells = {}
    for b in plan.tables:
        for i, row in enumerate(b.rows):
            for j, v in enumerate(row):
                if isinstance(v, Formula):
                    cells[(b.sheet, b.header_row + 1 + i, b.first_col + j)] = str(v)
    return cells


def output_values(path: Path) -> dict[tuple[str, int, int], Any]:
    """Every cell inside the output tables of a written workbook (values or formula text)."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for t in L.output_tables():
        if t.result is None:  # the Körlogg
            continue
        sheet = L.sheet_of(t.name)
        ws = wb[sheet.name]
        tbl = ws.tables[t.name]
        for row in ws[tbl.ref][1:]:
            for c in row:
                out[(sheet.name, c.row, c.column)] = c.value
    return out


def input_sheet_values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    wb = openpyxl.load_workbook(path)
    return {s.name: [tuple(r) for r in wb[s.name].iter_rows(values_only=True)]
            for s in L.SHEETS if s.role in ("input", "config")}


def zip_members(path: Path, pred) -> dict[str, bytes]:  # noqa: ANN001
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if pred(n)}


def is_vba_or_drawing(name: str) -> bool:
    return (name == "xl/vbaProject.bin" or name.startswith("xl/drawings/")
            or name.startswith("xl/ctrlProps/") or name.endswith(".vml"))


def register_udfs() -> None:
    """Register the workbook's UDFs (KC_*) with ``formulas`` where a module offers them."""
    for mod in ("xlkc_udfs", "xlkc.udfs", "udfs"):
        try:
            m = importlib.import_module(mod)
        except ImportError:
            continue
        fn = getattr(m, "register_formulas", None)
        if callable(fn):
            fn()
