"""Helpers for tests that edit a copy of the bundled workbook with openpyxl."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

WORKBOOK = Path(__file__).resolve().parents[1] / "workbook" / "Prismodell.xlsm"


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def edited_copy(tmp_path: Path, name: str, edit: Callable[[Any], None]) -> Path:
    """A copy of the bundled workbook with ``edit(workbook)`` applied, saved as ``name``."""
    wb = openpyxl.load_workbook(WORKBOOK, keep_vba=True)
    edit(wb)
    out = tmp_path / name
    wb.save(out)
    return out


def table_sheet(wb, table: str):
    for ws in wb.worksheets:
        if table in ws.tables:
            return ws
    raise KeyError(table)


def table_box(wb, table: str) -> tuple[Any, int, int, int, int]:
    """(worksheet, min_col, header_row, max_col, max_row) of an Excel Table."""
    ws = table_sheet(wb, table)
    min_col, min_row, max_col, max_row = range_boundaries(ws.tables[table].ref)
    return ws, min_col, min_row, max_col, max_row


def cell(wb, table: str, header: str, index: int):
    """The cell of data row ``index`` (0-based) under ``header`` in ``table``."""
    ws, c0, r0, c1, _ = table_box(wb, table)
    headers = [ws.cell(r0, c).value for c in range(c0, c1 + 1)]
    return ws.cell(r0 + 1 + index, c0 + headers.index(header))


def set_cell(wb, table: str, header: str, index: int, value: Any) -> int:
    """Set a table cell; returns its Excel row number."""
    c = cell(wb, table, header, index)
    c.value = value
    return c.row


def named(wb, name: str):
    """The cell a workbook-scoped defined name points at."""
    (sheet, ref), = wb.defined_names[name].destinations
    row, col = coordinate_to_tuple(ref.replace("$", ""))
    return wb[sheet].cell(row, col)


def column_values(wb, table: str, header: str) -> list[Any]:
    ws, c0, r0, c1, r1 = table_box(wb, table)
    headers = [ws.cell(r0, c).value for c in range(c0, c1 + 1)]
    col = c0 + headers.index(header)
    return [ws.cell(r, col).value for r in range(r0 + 1, r1 + 1)]
