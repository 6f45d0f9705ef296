"""The reader as it was before issue 15: openpyxl in read-only mode plus a second ElementTree
parse for formulas without a cached value. Kept only as the independent reference the stdlib
reader of :mod:`xlkc.excel.file_reader` is compared with (tests/test_file_reader_reference.py).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import openpyxl
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

from xlkc import layout as L  # noqa: N812
from xlkc.errors import Problem, ValidationError
from xlkc.excel.file_reader import UncachedFormula, _local, _sheet_parts, _table_refs
from xlkc.excel.model import RawTable, WorkbookData


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


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _header_text(v: Any) -> str:
    return "" if v is None else str(v).strip()


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


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
        ws = wb[sheet.name]
        ws.reset_dimensions()  # read past a stale <dimension>: rows typed below the table
        found = table_refs.get(sheet.name, {}).get(t.name.casefold())
        if found is not None:
            raw = _read_table(ws, sheet.name, found[0], found[1], found[2],
                              uncached.get(sheet.name))
        else:
            raw = _read_at_layout(ws, sheet, t, uncached.get(sheet.name))
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
        ws = wb[sheet.name]
        ws.reset_dimensions()
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


def _read_table(ws, sheet_name: str, table_name: str, ref: str, totals: int,
                uncached: dict | None = None) -> RawTable:
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    if totals:  # the Total Row is Excel's, not data: the table's data ends above it
        uncached = {k: v for k, v in (uncached or {}).items() if k[0] <= max_row - totals}
        raw = _read_rows(ws, sheet_name, table_name, min_row, min_col, max_col,
                         max_row - totals, uncached)
        n = max_row - totals - min_row
        rows = raw.rows[:n]
        stray = tuple(r for r in raw.stray_rows if r > max_row)
        return RawTable(raw.sheet, raw.name, raw.header, rows, raw.first_row, stray)
    return _read_rows(ws, sheet_name, table_name, min_row, min_col, max_col, max_row, uncached)


def _read_at_layout(ws, sheet: L.Sheet, t: L.Table, uncached: dict | None = None
                    ) -> RawTable | None:
    """The table at its layout position, if its header row still looks like the table's."""
    row, col = sheet.table_origin(t.name)
    raw = _read_rows(ws, sheet.name, t.name, row, col, col + len(t.columns) - 1, row,
                     uncached)
    expected = {_norm(h) for h in t.headers}
    if not any(_norm(h) in expected for h in raw.header):
        return None
    return raw


#: Rows looked at below a table's end for values after an empty row (reported, not read).
STRAY_SCAN_ROWS = 200


def _read_rows(ws, sheet_name: str, table_name: str, header_row: int, min_col: int,
               max_col: int, last_row: int, uncached: dict | None = None) -> RawTable:
    """Header and data rows; past ``last_row`` up to the first fully empty row. Rows with values
    further down (after an empty row, within :data:`STRAY_SCAN_ROWS`) are listed as
    ``stray_rows``. A formula cell without a cached value reads as :class:`UncachedFormula`."""
    width = max_col - min_col + 1
    it = ws.iter_rows(min_row=header_row, min_col=min_col, max_col=max_col, values_only=True)
    header_values = next(it, None) or ()
    header = tuple(_header_text(v) for v in _pad(header_values, width))
    rows: list[tuple[Any, ...]] = []
    stray: list[int] = []
    ended_at = None
    for excel_row, values in enumerate(it, start=header_row + 1):
        values = _pad(values, width)
        if ended_at is not None:
            if excel_row > ended_at + STRAY_SCAN_ROWS:
                break
            if not all(_blank(v) for v in values):
                stray.append(excel_row)
            continue
        if excel_row > last_row and all(_blank(v) for v in values):
            ended_at = excel_row
            continue
        if uncached:
            values = tuple(UncachedFormula(uncached[(excel_row, min_col + j)])
                           if v is None and (excel_row, min_col + j) in uncached else v
                           for j, v in enumerate(values))
        rows.append(values)
    while rows and all(_blank(v) for v in rows[-1]):
        rows.pop()
    return RawTable(sheet=sheet_name, name=table_name, header=header, rows=tuple(rows),
                    first_row=header_row + 1, stray_rows=tuple(stray))


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


def _pad(values, width: int) -> tuple[Any, ...]:
    values = tuple(values)
    if len(values) < width:
        return values + (None,) * (width - len(values))
    return values[:width]


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
        grid = [_pad(v, c1 - c0 + 1) for v in ws.iter_rows(min_row=r0, max_row=r1, min_col=c0,
                                                            max_col=c1, values_only=True)]
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
