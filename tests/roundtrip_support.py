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
from xlkc.excel.output import Formula, plan_outputs
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
        frame = resolve(results, t.result)
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
