"""Read a workbook file into :class:`~xlkc.excel.model.WorkbookData` with the standard library.

The file is opened for reading only and never written. Only the sheets that hold input tables,
the versions or named cells are read, each worksheet part streamed once (ElementTree's pull
parser, each row dropped once read; issue 15): the cell values as openpyxl gave them in
read-only ``data_only`` mode (the reader used before, kept in tests/openpyxl_reference.py as the
reference) and, in the same pass, the formulas saved without a cached value. The tables' names
and ranges are read from the package's table parts (``xl/tables/tableN.xml`` via the sheets'
relationships), the named cells' places from the workbook part's defined names.

For every input table of the layout:

- the Excel Table is found by its name (case-insensitively, as Excel compares names); if a
  controller turned it into a plain range, the layout's position is used instead, provided its
  header row still holds at least one of the table's headers;
- the header row and the data rows are read in one pass over the table's columns; rows typed below
  the table's range are read too, up to the first fully empty row; empty trailing rows are
  dropped. Columns are matched by header text later, in :mod:`xlkc.excel.input_records`.

Named cells are read where their workbook-scoped defined name points (a controller may have
inserted rows above them), else at the layout's position.

Before anything is expanded, :func:`~xlkc.excel.reader_limits._check_container` refuses what is
not a regular file and packages over the limits of :mod:`xlkc.excel.reader_limits` (a zip bomb,
too many parts or strings, a sheet beyond Excel's grid). The parts themselves are read by
:mod:`xlkc.excel.reader_xml`; this module cuts the tables and named cells from their rows.

Failures to open the file raise :class:`~xlkc.errors.InputError` with a Swedish message: not an
Excel file, a damaged or truncated file (also a damaged part found while streaming it), a
password-protected file, an old .xls file. Missing
sheets and tables raise :class:`~xlkc.errors.ValidationError`, one problem each.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from xlkc import collector
from xlkc import layout as L  # noqa: N812
from xlkc.errors import InputError, Problem, ValidationError
from xlkc.excel.model import RawTable, WorkbookData
from xlkc.excel.reader_limits import _check_container
from xlkc.excel.reader_xml import (
    _attr,
    _Book,
    _coordinate,
    _local,
    _range_boundaries,
    _rels,
    _Sheet,
)

__all__ = ["UncachedFormula", "read_inputs", "read_workbook"]

_TABLE_REL = "/relationships/table"


def read_inputs(path: str | os.PathLike):
    """The typed, validated inputs of a workbook file (``parse_workbook(read_workbook(path))``)."""
    from xlkc.excel.parse import parse_workbook

    return parse_workbook(read_workbook(path))


def read_workbook(path: str | os.PathLike) -> WorkbookData:
    """Read the input tables and named cells of the workbook at ``path`` (never writes it)."""
    p = Path(path)
    name = p.name
    _check_container(p)
    try:
        with zipfile.ZipFile(p) as zf:
            if "xl/workbook.xml" not in zf.namelist():
                raise InputError(f"'{name}' är inte en Excel-arbetsbok (zip-arkivet saknar "
                                 f"xl/workbook.xml). Välj arbetsboken Prismodell.xlsm.")
            try:
                table_refs = _table_refs(zf)
                # Cells are hundreds of thousands of small tuples and lists kept to the end (at
                # 1000x the example more than half the reading time went to collections).
                with collector.paused():
                    return _read(_Book(zf), name, table_refs)
            except (InputError, KeyError, ET.ParseError, zipfile.BadZipFile, OSError, EOFError,
                    zlib.error):
                raise
            except Exception as exc:  # a damaged part, also one found while streaming it
                raise InputError(f"'{name}' är skadad och kan inte läsas som Excel-arbetsbok "
                                 f"({type(exc).__name__}: {exc}).") from exc
    except zipfile.BadZipFile as exc:
        raise InputError(f"'{name}' är skadad eller ofullständig och kan inte läsas "
                         f"(zip-arkivet är trasigt). Använd en säkerhetskopia.") from exc
    except (KeyError, ET.ParseError) as exc:
        raise InputError(f"'{name}' är skadad: arbetsbokens struktur går inte att läsa "
                         f"({exc}).") from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"'{name}' är skadad eller ofullständig och kan inte läsas "
                         f"({type(exc).__name__}). Använd en säkerhetskopia.") from exc


def _table_refs(zf: zipfile.ZipFile) -> dict[str, dict[str, tuple[str, str, int]]]:
    """Sheet name -> {table name (case-folded) -> (table name, ref, totals rows)}."""
    workbook = ET.fromstring(zf.read("xl/workbook.xml"))
    targets = {rid: target for rid, _, target in _rels(zf, "xl/workbook.xml")}
    names = set(zf.namelist())
    out: dict[str, dict[str, tuple[str, str, int]]] = {}
    for el in workbook.iter():
        if _local(el.tag) != "sheet":
            continue
        sheet_name = el.get("name", "")
        part = targets.get(_attr(el, "id") or "")
        found: dict[str, tuple[str, str, int]] = {}
        if part is not None:
            for _, rel_type, target in _rels(zf, part):
                if not rel_type.endswith(_TABLE_REL) or target not in names:
                    continue
                t = ET.fromstring(zf.read(target))
                tname = t.get("displayName") or t.get("name") or ""
                ref = t.get("ref")
                if tname and ref:
                    found[tname.casefold()] = (tname, ref, int(t.get("totalsRowCount") or 0))
        out[sheet_name] = found
    return out


# --- sheets ----------------------------------------------------------------------------------

def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _header_text(v: Any) -> str:
    return "" if v is None else str(v).strip()


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _read(book: _Book, name: str, table_refs: dict[str, dict[str, tuple[str, str, int]]]
          ) -> WorkbookData:
    sheets = book.sheetnames
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
        ws = book[sheet.name]  # streamed to its end: rows typed below the table are read
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
        ws = book[sheet.name]
        found = table_refs.get(sheet.name, {}).get(t.name.casefold())
        raw = (_read_table(ws, sheet.name, found[0], found[1], found[2]) if found is not None
               else _read_at_layout(ws, sheet, t))
        if raw is not None:
            tables[t.name] = raw
    values, where = _read_names(book)
    for n, (s_name, r, c) in where.items():
        if s_name not in _INPUT_SHEETS or s_name not in sheets:
            continue  # formulas without a value are looked for on the input sheets only
        formula = book[s_name].uncached.get((r, c))
        if values.get(n) is None and formula is not None:
            values[n] = UncachedFormula(formula)
    return WorkbookData(path=name, sheets=sheets, tables=tables, names=values, name_cells=where)


_INPUT_SHEETS = frozenset(s.name for s in L.SHEETS if s.role == "input")


def _read_table(ws: _Sheet, sheet_name: str, table_name: str, ref: str, totals: int,
                uncached: dict | None = None) -> RawTable:
    min_col, min_row, max_col, max_row = _range_boundaries(ref)
    if totals:  # the Total Row is Excel's, not data: the table's data ends above it
        uncached = {k: v for k, v in (uncached or {}).items() if k[0] <= max_row - totals}
        raw = _read_rows(ws, sheet_name, table_name, min_row, min_col, max_col,
                         max_row - totals, uncached)
        n = max_row - totals - min_row
        rows = raw.rows[:n]
        stray = tuple(r for r in raw.stray_rows if r > max_row)
        return RawTable(raw.sheet, raw.name, raw.header, rows, raw.first_row, stray)
    return _read_rows(ws, sheet_name, table_name, min_row, min_col, max_col, max_row, uncached)


def _read_at_layout(ws: _Sheet, sheet: L.Sheet, t: L.Table, uncached: dict | None = None
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


def _read_rows(ws: _Sheet, sheet_name: str, table_name: str, header_row: int, min_col: int,
               max_col: int, last_row: int, uncached: dict | None = None) -> RawTable:
    """Header and data rows; past ``last_row`` up to the first fully empty row. Rows with values
    further down (after an empty row, within :data:`STRAY_SCAN_ROWS`) are listed as
    ``stray_rows``. A formula cell without a cached value reads as :class:`UncachedFormula`."""
    width = max_col - min_col + 1
    it = ws.iter_rows(header_row, min_col, max_col)
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


class UncachedFormula(str):
    """A formula cell saved without its computed value (a tool that does not calculate)."""

    __slots__ = ()


def _pad(values, width: int) -> tuple[Any, ...]:
    values = tuple(values)
    if len(values) < width:
        return values + (None,) * (width - len(values))
    return values[:width]


def _read_names(book: _Book) -> tuple[dict[str, Any], dict[str, tuple[str, int, int]]]:
    """Every named cell of the layout: name -> raw value (None if empty or not found), and
    name -> (sheet, row, column) where it was read."""
    where: dict[str, tuple[str, int, int]] = {}
    for sheet, nc in L.named_cells():
        address = _name_destination(book, nc.name)
        if address is None:
            row, col = sheet.named_cell_position(nc.name)
            address = (sheet.name, row, col)
        where[nc.name] = address
    values: dict[str, Any] = {n: None for n in where}
    by_sheet: dict[str, list[tuple[str, int, int]]] = {}
    for n, (s, r, c) in where.items():
        by_sheet.setdefault(s, []).append((n, r, c))
    for s, cells in by_sheet.items():
        if s not in book.sheetnames:
            continue
        ws = book[s]
        r0, r1 = min(r for _, r, _ in cells), max(r for _, r, _ in cells)
        c0, c1 = min(c for _, _, c in cells), max(c for _, _, c in cells)
        grid = list(ws.iter_rows(r0, c0, c1, max_row=r1))
        for n, r, c in cells:
            if r - r0 < len(grid):
                values[n] = grid[r - r0][c - c0]
    return values, where


#: A defined name naming a range of one sheet: 'Sheet name'!$A$1 or Sheet!A1:B2. As openpyxl
#: read it (whitespace after the reference is allowed, before it not; anything else: several
#: areas, a formula, #REF!, names no cell), except that a quoted sheet name's doubled
#: apostrophes are read as one, as Excel means them ('Kund''s blad' is the sheet Kund's blad).
_DEFINED_RANGE = re.compile(
    r"(?:'(?P<quoted>(?:[^']|'')*)'|(?P<plain>[^'^ !+\-*/&=<>%{}();,\"#\s]*))!"
    r"(?P<cells>\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)[ \t\r\n]*")


def _name_destination(book: _Book, name: str) -> tuple[str, int, int] | None:
    """(sheet, row, column) of a workbook-scoped defined name naming one cell, else None."""
    value = book.defined_names.get(name)
    if value is None:
        return None
    m = _DEFINED_RANGE.fullmatch(value)
    if m is None:
        return None
    quoted = m.group("quoted")
    sheet = quoted.replace("''", "'") if quoted is not None else m.group("plain")
    ref = m.group("cells").replace("$", "")
    if ":" in ref:
        first, last = ref.split(":")
        if first != last:
            return None
        ref = first
    try:
        row, col = _coordinate(ref)
    except ValueError:
        return None
    return sheet, row, col
