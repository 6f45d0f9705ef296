"""The reader as it was before issue 15: openpyxl in read-only mode plus a second ElementTree
parse for formulas without a cached value. Kept only as the independent reference the stdlib
reader of :mod:`xlkc.excel.file_reader` is compared with (tests/test_file_reader_reference.py):
the cell values (openpyxl's), the formulas without a value (a second parse) and the defined
names (openpyxl's ``destinations``) are its own; how a table's rows are cut from the sheet is
the reader's, unchanged by issue 15, run here on openpyxl's values.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import openpyxl
from openpyxl.utils.cell import coordinate_to_tuple

from xlkc import layout as L  # noqa: N812
from xlkc.errors import Problem, ValidationError
from xlkc.excel.file_reader import (
    UncachedFormula,
    _pad,
    _read_at_layout,
    _read_table,
    _table_refs,
)
from xlkc.excel.model import RawTable, WorkbookData
from xlkc.excel.reader_xml import _local, _sheet_parts


def openpyxl_reference_read(path: str | os.PathLike) -> WorkbookData:
    """The inputs of the workbook at ``path`` as openpyxl reads them (errors not translated)."""
    p = Path(path)
    with zipfile.ZipFile(p) as zf:
        table_refs = _table_refs(zf)
        uncached = {sheet: _uncached_formulas(zf, part)
                    for sheet, part in _sheet_parts(zf).items()
                    if sheet in {s.name for s in L.SHEETS if s.role == "input"}}
    wb = openpyxl.load_workbook(p, read_only=True, data_only=True, keep_links=False)
    try:
        return _read(wb, p.name, table_refs, uncached)
    finally:
        wb.close()


class _Sheet:
    """An openpyxl read-only worksheet behind the reader's ``iter_rows`` signature, with its
    formulas without a cached value, so that :mod:`xlkc.excel.file_reader`'s table reading
    (header, rows typed below, stray rows, Total Row: unchanged by issue 15) runs on openpyxl's
    cell values."""

    def __init__(self, ws, uncached: dict[tuple[int, int], str] | None) -> None:
        ws.reset_dimensions()  # read past a stale <dimension>: rows typed below the table
        self._ws = ws
        self.uncached = uncached

    def iter_rows(self, min_row: int, min_col: int, max_col: int, max_row: int | None = None):
        return self._ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col,
                                  max_col=max_col, values_only=True)


def _read(wb, name: str, table_refs: dict[str, dict[str, tuple[str, str, int]]],
          uncached: dict[str, dict[tuple[int, int], str]] | None = None) -> WorkbookData:
    sheets = tuple(wb.sheetnames)
    uncached = uncached or {}
    problems: list[Problem] = []
    missing_sheets = []
    for s in L.SHEETS:
        if s.role == "input" and s.name not in sheets:
            missing_sheets.append(s.name)
            problems.append(Problem(f"Bladet '{s.name}' saknas i arbetsboken", sheet=s.name))
        elif s.name not in sheets and (s.named_cells or s.name == L.sheet_of(
                L.T_RUNLOG.name).name):
            problems.append(Problem(
                f"Bladet '{s.name}' saknas i arbetsboken; där skrivs körningens status och "
                "logg. Bygg om arbetsboken eller kopiera bladet från en säkerhetskopia",
                sheet=s.name))
    tables: dict[str, RawTable] = {}
    for t in L.input_tables():
        sheet = L.sheet_of(t.name)
        if sheet.name not in sheets:
            continue
        ws = _Sheet(wb[sheet.name], uncached.get(sheet.name))
        found = table_refs.get(sheet.name, {}).get(t.name.casefold())
        if found is not None:
            raw = _read_table(ws, sheet.name, found[0], found[1], found[2], ws.uncached)
        else:
            raw = _read_at_layout(ws, sheet, t, ws.uncached)
        if raw is None:
            problems.append(Problem(
                f"Tabellen {t.name} ({t.title}) saknas på bladet '{sheet.name}'",
                sheet=sheet.name, table=t.name))
            continue
        tables[t.name] = raw
    if problems:
        raise ValidationError(problems)
    for t in L.carried_tables():  # the versions: read back, never required
        sheet = L.sheet_of(t.name)
        if sheet.name not in sheets:
            continue
        ws = _Sheet(wb[sheet.name], None)
        found = table_refs.get(sheet.name, {}).get(t.name.casefold())
        raw = (_read_table(ws, sheet.name, found[0], found[1], found[2]) if found is not None
               else _read_at_layout(ws, sheet, t))
        if raw is not None:
            tables[t.name] = raw
    values, where = _read_names(wb)
    for n, (s_name, r, c) in where.items():
        formula = uncached.get(s_name, {}).get((r, c))
        if values.get(n) is None and formula is not None:
            values[n] = UncachedFormula(formula)
    return WorkbookData(path=name, sheets=sheets, tables=tables, names=values, name_cells=where)


def _uncached_formulas(zf: zipfile.ZipFile, part: str) -> dict[tuple[int, int], str]:
    """(row, column) -> formula of every cell of a sheet part with a formula but no value."""
    out: dict[tuple[int, int], str] = {}
    try:
        data = zf.read(part)
    except KeyError:
        return out
    if b"<f" not in data and b":f" not in data:
        return out
    for el in ET.fromstring(data).iter():
        tag = el.tag
        if tag != "c" and not tag.endswith("}c"):  # _local(tag) != "c", without a call per
            continue  # element of a big sheet (issue 15)
        f = v = None
        for child in el:
            tag = _local(child.tag)
            if tag == "f":
                f = child
            elif tag in ("v", "is"):
                v = child
        if f is not None and (v is None or (v.text is None and len(v) == 0)):
            try:
                row, col = coordinate_to_tuple(el.get("r", ""))
            except ValueError:
                continue
            out[(row, col)] = "=" + (f.text or "")
    return out


def _read_names(wb) -> tuple[dict[str, Any], dict[str, tuple[str, int, int]]]:
    """Every named cell of the layout: name -> raw value (None if empty or not found), and
    name -> (sheet, row, column) where it was read."""
    where: dict[str, tuple[str, int, int]] = {}
    for sheet, nc in L.named_cells():
        address = _name_destination(wb, nc.name)
        if address is None:
            row, col = sheet.named_cell_position(nc.name)
            address = (sheet.name, row, col)
        where[nc.name] = address
    values: dict[str, Any] = {n: None for n in where}
    by_sheet: dict[str, list[tuple[str, int, int]]] = {}
    for n, (s, r, c) in where.items():
        by_sheet.setdefault(s, []).append((n, r, c))
    for s, cells in by_sheet.items():
        if s not in wb.sheetnames:
            continue
        ws = wb[s]
        r0, r1 = min(r for _, r, _ in cells), max(r for _, r, _ in cells)
        c0, c1 = min(c for _, _, c in cells), max(c for _, _, c in cells)
        grid = [_pad(v, c1 - c0 + 1) for v in _Sheet(ws, None).iter_rows(r0, c0, c1, r1)]
        for n, r, c in cells:
            if r - r0 < len(grid):
                values[n] = grid[r - r0][c - c0]
    return values, where


def _name_destination(wb, name: str) -> tuple[str, int, int] | None:
    """(sheet, row, column) of a workbook-scoped defined name naming one cell, else None."""
    dn = wb.defined_names.get(name)
    if dn is None:
        return None
    try:
        dests = list(dn.destinations)
    except Exception:  # a formula or a broken reference (#REF!)
        return None
    if len(dests) != 1:
        return None
    sheet, ref = dests[0]
    ref = ref.replace("$", "")
    if ":" in ref:
        first, last = ref.split(":")
        if first != last:
            return None
        ref = first
    try:
        row, col = coordinate_to_tuple(ref)
    except ValueError:
        return None
    return sheet, row, col
