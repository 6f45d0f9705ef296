"""The xlwings adapter: a live workbook (``xw.Book``) to :class:`WorkbookData`, and an
:class:`OutputPlan` back into it.

Works with any xlwings engine: the desktop engines (Windows/macOS Excel, the workbook's buttons
via RunPython) and the Server engine (``xw.Book(json=...)``, used by the tests), whose writes are
queued as actions. Only range-level calls both have in common are used: ``Range.value`` (read and
write), ``Range.clear_contents``/``clear_formats``/``insert``, ``Range.number_format`` (write only:
the Server engine cannot read it synchronously), ``Sheet.tables[name].range`` and
``Table.resize``, ``Book.names[name].refers_to_range``.

Reading: every input table in one call (header and data rows of the Excel Table, or of the layout
position when the Table object is missing), plus one call for rows typed directly below a table
that Excel did not add to it (until the first empty row); the named cells of a sheet in one call
(their bounding block). Raw values only: parsing and validation live in :mod:`xlkc.excel.parse`.

Writing: everything is read and planned before the first write (:func:`plan_writes`: the
tables' old sizes, the Körlogg, every value). Start's status then says that writing is under way
and which sheets it renews; per output table, the old data rows are cleared, the header and all
rows written in one call, the Excel Table resized to the new rows, the number format set per
column, the totals row (one empty row below the table) written in one call; then a new Körlogg row as the newest entry (inserted above the previous ones) and, last,
the run's own Start status cells. A failure part-way leaves a red status on Start naming the
stale sheets and raises :class:`WriteInterrupted`. Input sheets are never written:
:func:`apply_plan` refuses a plan that targets one.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from xlkc import layout as L  # noqa: N812
from xlkc.errors import InputError, Problem, ValidationError
from xlkc.excel.model import (
    CellWrite,
    OutputPlan,
    RawTable,
    TableBlock,
    WorkbookData,
    check_targets,
)

__all__ = ["WriteInterrupted", "apply_plan", "cell_value", "plan_writes", "read_book"]

#: Rows read per call when looking for rows typed below a table (one call in practice).
BELOW_CHUNK = 100
#: Safety limit for rows below a table (a sheet full of data below a table is not a table).
BELOW_LIMIT = 100_000

try:  # the writer marks formulas with a str subclass; plain "=..." strings are then text
    from xlkc.excel.output import Formula as _Formula
except ImportError:  # pragma: no cover - older writer: every "=..." string is a formula
    _Formula = None


# --- helpers --------------------------------------------------------------------------------------

def _is_empty(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def _row_empty(row: Iterable[Any]) -> bool:
    return all(_is_empty(v) for v in row)


def _values2d(rng: Any) -> list[list[Any]]:
    """A range's values as a list of rows, in one call."""
    v = rng.options(ndim=2).value
    return [list(r) for r in v] if v else []


def _sheet_names(book: Any) -> list[str]:
    return [s.name for s in book.sheets]


def _table(sheet: Any, name: str) -> Any | None:
    """The Excel Table ``name`` on ``sheet`` (case-insensitive, as Excel compares), or None."""
    try:
        for tbl in sheet.tables:
            if tbl.name.casefold() == name.casefold():
                return tbl
    except (NotImplementedError, AttributeError, KeyError):
        pass
    return None


def _bounds(rng: Any) -> tuple[int, int, int, int]:
    """(first row, first column, last row, last column), 1-based."""
    rows, cols = rng.shape
    return rng.row, rng.column, rng.row + rows - 1, rng.column + cols - 1


def _table_bounds(sheet: Any, tbl: Any, header_row: int, first_col: int, n_cols: int
                  ) -> tuple[int, int, int, int, bool]:
    """The header and data rows of a table: (header row, first col, last row, last col, totals).

    From the Excel Table when there is one; otherwise the layout position, down to the last
    non-empty row of its first column block (found by the caller's read below).
    """
    if tbl is not None:
        r0, c0, r1, c1 = _bounds(tbl.range)
        try:
            totals = bool(tbl.show_totals)
        except (NotImplementedError, KeyError, AttributeError):
            totals = False
        return r0, c0, r1, c1, totals
    return header_row, first_col, header_row, first_col + n_cols - 1, False


# --- text that Excel would turn into something else ----------------------------------------------

_SPACES = "\\s\u00a0\u202f"
_NUMBER_LIKE = re.compile(rf"^\s*[-+]?[\d{_SPACES}.,]*\d[\d{_SPACES}.,]*\s*%?\s*(e[-+]?\d+)?\s*$",
                          re.IGNORECASE)
_DATE_LIKE = re.compile(r"^\s*\d{1,4}[-/.]\d{1,2}([-/.]\d{1,4})?([ T]\d{1,2}:\d{2}(:\d{2})?)?\s*$")
_TIME_LIKE = re.compile(r"^\s*\d{1,2}:\d{2}(:\d{2})?\s*$")
_LOGICAL = {"TRUE", "FALSE", "SANT", "FALSKT"}


def cell_value(v: Any) -> Any:
    """A plan value as it must be assigned to ``Range.value``.

    Excel parses a string assigned to a cell as if it were typed: ``"=..."`` becomes a formula,
    ``"001"`` the number 1, ``"1.2.0"`` perhaps a date. A :class:`~xlkc.excel.output.Formula` is
    written as is; any other text that Excel would convert gets the leading apostrophe that keeps
    it text (the apostrophe is not part of the cell's value).
    """
    if not isinstance(v, str):
        return v
    if _Formula is not None and isinstance(v, _Formula):
        return str(v)
    if _Formula is None and v.startswith("="):
        return v
    if v == "":
        return None
    if (v[0] in "=+-@'" or _NUMBER_LIKE.match(v) or _DATE_LIKE.match(v) or _TIME_LIKE.match(v)
            or v.strip().upper() in _LOGICAL):
        return "'" + v
    return v


# --- reading --------------------------------------------------------------------------------------

def _read_below(sheet: Any, first_row: int, first_col: int, last_col: int) -> list[list[Any]]:
    """Rows typed directly below a table, down to the first empty row."""
    rows: list[list[Any]] = []
    r = first_row
    while r - first_row < BELOW_LIMIT:
        chunk = _values2d(sheet.range((r, first_col), (r + BELOW_CHUNK - 1, last_col)))
        for row in chunk:
            if _row_empty(row):
                return rows
            rows.append(row)
        if len(chunk) < BELOW_CHUNK:
            return rows
        r += BELOW_CHUNK
    return rows


def _norm(text: Any) -> str:
    return " ".join(str(text).split()).casefold()


def _read_table(sheet: Any, table: L.Table) -> RawTable | None:
    """Header and data rows of an input table; None if neither the Table nor its header is there.

    Rows typed below the Table are included up to the first empty row; empty trailing rows are
    dropped (the same rows :mod:`xlkc.excel.file_reader` gives for the file).
    """
    lay = L.sheet_of(table.name)
    header_row, first_col = lay.table_origin(table.name)
    tbl = _table(sheet, table.name)
    r0, c0, r1, c1, totals = _table_bounds(sheet, tbl, header_row, first_col, len(table.columns))
    block = _values2d(sheet.range((r0, c0), (r1, c1)))  # header + data rows: one call
    if totals and len(block) > 1:
        block = block[:-1]
        r1 -= 1
    header = tuple("" if h is None else str(h).strip() for h in block[0])
    if tbl is None:  # a plain range at the layout position must still look like the table
        expected = {_norm(h) for h in table.headers}
        if not any(_norm(h) in expected for h in header):
            return None
    rows = block[1:] + _read_below(sheet, r1 + 1, c0, c1)
    while rows and _row_empty(rows[-1]):
        rows.pop()
    return RawTable(sheet=sheet.name, name=table.name, header=header,
                    rows=tuple(tuple(r) for r in rows), first_row=r0 + 1)


def _named_positions(book: Any, sheet_names: list[str]
                     ) -> dict[str, dict[str, tuple[int, int]]]:
    """sheet -> {name: (row, col)} of every layout named cell, where the workbook has it.

    The defined name decides (rows inserted above a parameter move it); a name missing from the
    workbook falls back to its layout position.
    """
    out: dict[str, dict[str, tuple[int, int]]] = {}
    names = book.names
    for lay_sheet, nc in L.named_cells():
        sheet_name, (row, col) = lay_sheet.name, lay_sheet.named_cell_position(nc.name)
        try:
            if names.contains(nc.name):
                rng = names[nc.name].refers_to_range
                sheet_name, row, col = rng.sheet.name, rng.row, rng.column
        except Exception:  # noqa: BLE001 - a broken name (#REF!): the layout position decides
            pass
        if sheet_name in sheet_names:
            out.setdefault(sheet_name, {})[nc.name] = (row, col)
    return out


def _read_names(book: Any, sheet_names: list[str]) -> dict[str, Any]:
    """Every layout named cell: name -> raw value (None where its sheet is missing)."""
    values: dict[str, Any] = {nc.name: None for _, nc in L.named_cells()}
    for sheet_name, pos in _named_positions(book, sheet_names).items():
        r0 = min(r for r, _ in pos.values())
        r1 = max(r for r, _ in pos.values())
        c0 = min(c for _, c in pos.values())
        c1 = max(c for _, c in pos.values())
        block = _values2d(book.sheets[sheet_name].range((r0, c0), (r1, c1)))  # one call per sheet
        for name, (r, c) in pos.items():
            values[name] = block[r - r0][c - c0]
    return values


def read_book(book: Any) -> WorkbookData:
    """Every input table and named cell of a live workbook, as raw values.

    Raises :class:`ValidationError` with one Swedish problem per missing input sheet or table
    (a table turned into a plain range is read at its layout position if its header is there).
    """
    sheet_names = _sheet_names(book)
    problems: list[Problem] = []
    for s in L.SHEETS:
        if s.role == "input" and s.name not in sheet_names:
            problems.append(Problem(f"Bladet '{s.name}' saknas i arbetsboken", sheet=s.name))
    tables = {}
    for table in L.input_tables():
        lay = L.sheet_of(table.name)
        if lay.name not in sheet_names:
            continue
        raw = _read_table(book.sheets[lay.name], table)
        if raw is None:
            problems.append(Problem(
                f"Tabellen {table.name} ({table.title}) saknas på bladet '{lay.name}'",
                sheet=lay.name, table=table.name))
            continue
        tables[table.name] = raw
    if problems:
        raise ValidationError(problems)
    for table in L.carried_tables():  # the versions: read back, never required
        lay = L.sheet_of(table.name)
        if lay.name in sheet_names:
            raw = _read_table(book.sheets[lay.name], table)
            if raw is not None:
                tables[table.name] = raw
    return WorkbookData(path=book.name, sheets=tuple(sheet_names), tables=tables,
                        names=_read_names(book, sheet_names),
                        name_cells={name: (sheet, r, c) for sheet, pos in
                                    _named_positions(book, sheet_names).items()
                                    for name, (r, c) in pos.items()})


# --- writing --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _BlockWrite:
    """One output table's writes, planned: where the old rows were, the values to send."""

    block: TableBlock
    tbl: Any
    old: tuple[int, int, int, int]  # (header row, first col, last row, last col) before
    values: list[list[Any]]


def _plan_block(book: Any, block: TableBlock) -> _BlockWrite:
    """Read what :func:`_write_block` needs (the Table, its old bounds); nothing is written."""
    sheet = book.sheets[block.sheet]
    n_cols = len(block.header)
    r0, c0 = block.header_row, block.first_col
    tbl = _table(sheet, block.table)
    if tbl is not None:
        old = _bounds(tbl.range)
    else:
        o_c1 = c0 + n_cols - 1
        old = (r0, c0, r0 + len(_read_below(sheet, r0 + 1, c0, o_c1)), o_c1)
    values = [[cell_value(h) for h in block.header]]
    values += [[cell_value(v) for v in row] for row in block.rows]
    return _BlockWrite(block, tbl, old, values)


def _has_totals(table: str) -> bool:
    try:
        return L.table(table).has_totals
    except KeyError:
        return False


def _write_block(book: Any, block: TableBlock, planned: _BlockWrite | None = None) -> None:
    """Replace an output table (planned by :func:`_plan_block`, here if not given)."""
    planned = planned or _plan_block(book, block)
    sheet = book.sheets[block.sheet]
    n_cols = len(block.header)
    n_rows = len(block.rows)
    r0, c0 = block.header_row, block.first_col
    tbl = planned.tbl
    o_r0, o_c0, o_r1, o_c1 = planned.old
    # 1. the previous data rows (the Table's, or what stands below the header at the position)
    if o_r1 > o_r0:
        sheet.range((o_r0 + 1, o_c0), (o_r1, o_c1)).clear_contents()
    totals = _has_totals(block.table)
    old_bottom = L.totals_row(o_r0, o_r1 - o_r0) if totals else o_r1
    if totals:  # the old totals row, value and bold format
        sheet.range((old_bottom, o_c0), (old_bottom, o_c1)).clear()
    # 2. header and rows in one call
    sheet.range((r0, c0), (r0 + n_rows, c0 + n_cols - 1)).value = planned.values
    # 3. the Excel Table follows the rows (Excel keeps at least one data row)
    last = r0 + max(n_rows, 1)
    if tbl is not None and (o_r0, o_c0, o_r1, o_c1) != (r0, c0, last, c0 + n_cols - 1):
        tbl.resize(sheet.range((r0, c0), (last, c0 + n_cols - 1)))
    # 4. number formats, one call per formatted column
    for j, fmt in enumerate(block.number_formats):
        if fmt:
            sheet.range((r0 + 1, c0 + j), (last, c0 + j)).number_format = fmt
    # 5. rows the table had before and has no more, and its old totals row (one empty row
    #    below it): no leftover value, fill or format
    new_bottom = block.totals_row if block.totals is not None else last
    if old_bottom > last:
        sheet.range((last + 1, o_c0), (old_bottom, o_c1)).clear()
    # 6. the totals row, after the Table is resized (so Excel does not widen the Table over it)
    if block.totals is not None:
        row = sheet.range((new_bottom, c0), (new_bottom, c0 + n_cols - 1))
        row.value = [[cell_value(v) for v in block.totals]]
        row.font.bold = True
        for j, fmt in enumerate(block.number_formats):
            if fmt and block.totals[j] is not None:
                sheet.range((new_bottom, c0 + j)).number_format = fmt


def _write_cells(book: Any, cells: Iterable[CellWrite]) -> None:
    """Status cells: one call per run of adjacent cells in a column, formats per cell."""
    cells = sorted(cells, key=lambda c: (c.sheet, c.col, c.row))
    runs: list[list[CellWrite]] = []
    for c in cells:
        prev = runs[-1][-1] if runs else None
        if prev and prev.sheet == c.sheet and prev.col == c.col and prev.row + 1 == c.row:
            runs[-1].append(c)
        else:
            runs.append([c])
    for run in runs:
        sheet = book.sheets[run[0].sheet]
        first, last = run[0], run[-1]
        sheet.range((first.row, first.col), (last.row, last.col)).value = \
            [[cell_value(c.value)] for c in run]
        for c in run:
            if c.number_format:
                sheet.range((c.row, c.col)).number_format = c.number_format


def _plan_log(book: Any, entry: tuple[Any, ...]) -> Callable[[], None]:
    """The Körlogg's new row, as the newest (first) entry of its table: read now, written by
    the function returned.

    Normally the previous entries are pushed down one row (an insert, then one write of the new
    row). A log whose header differs from the layout's (a workbook from an older version) is
    rewritten whole instead, earlier rows following their headers, as the file writer does.
    """
    table = L.T_RUNLOG
    lay = L.sheet_of(table.name)
    sheet = book.sheets[lay.name]
    header_row, first_col = lay.table_origin(table.name)
    tbl = _table(sheet, table.name)
    if tbl is not None:
        header_row, first_col, last_row, last_col, _ = _table_bounds(
            sheet, tbl, header_row, first_col, len(table.columns))
        block = _values2d(sheet.range((header_row, first_col), (last_row, last_col)))
    else:
        last_col = first_col + len(table.columns) - 1
        block = _values2d(sheet.range((header_row, first_col), (header_row, last_col)))
        block += _read_below(sheet, header_row + 1, first_col, last_col)
    header = ["" if h is None else str(h).strip() for h in block[0]]
    old_rows = [r for r in block[1:] if not _row_empty(r)]
    if header != list(table.headers):
        by_header = {h: j for j, h in enumerate(header) if h}
        rows = [tuple(entry)] + [tuple(r[by_header[c.header]] if c.header in by_header else None
                                       for c in table.columns) for r in old_rows]
        whole = TableBlock(
            sheet=lay.name, table=table.name, header_row=header_row, first_col=first_col,
            header=table.headers, rows=tuple(rows),
            number_formats=tuple(c.number_format for c in table.columns))
        planned = _plan_block(book, whole)
        return lambda: _write_block(book, whole, planned)
    row = header_row + 1
    values = [[cell_value(v) for v in entry]]

    def write() -> None:
        target = sheet.range((row, first_col), (row, first_col + len(table.columns) - 1))
        if old_rows:
            # shift the previous entries down; the new row takes the format of the one below it
            target.insert("down", "format_from_right_or_below")
        sheet.range((row, first_col), (row, first_col + len(entry) - 1)).value = values
        for j, c in enumerate(table.columns[:len(entry)]):
            if c.number_format:
                sheet.range((row, first_col + j)).number_format = c.number_format

    return write


def _write_log(book: Any, entry: tuple[Any, ...]) -> None:
    """Write the Körlogg's new row now (see :func:`_plan_log`)."""
    _plan_log(book, entry)()


def _set_screen_updating(book: Any, value: bool) -> None:
    with contextlib.suppress(Exception):  # cosmetic; some engines cannot
        book.app.screen_updating = value


class WriteInterrupted(Exception):
    """Writing a plan into the workbook failed part-way; ``stale`` names the output sheets that
    do not hold this run's results (Start's status says so too)."""

    def __init__(self, stale: list[str], cause: BaseException):
        self.stale = stale
        self.cause = cause
        reason = " ".join(str(cause).split()) or type(cause).__name__
        super().__init__(f"Skrivningen av resultaten avbröts ({reason}). Inaktuella blad: "
                         + (", ".join(stale) or "inga") + ".")


@dataclass(frozen=True)
class _Step:
    sheets: tuple[str, ...]  # the output sheets this step brings up to date
    write: Callable[[], None]


def _status_cell() -> tuple[str, int, int]:
    start = next(s for s in L.SHEETS if s.role == "info" and s.named_cells)
    nc = next(n for n in start.named_cells if n.field == "status")
    row, col = start.named_cell_position(nc.name)
    return start.name, row, col


#: The status written before the first output is, replaced by the run's own at the end: if the
#: run dies while writing (Python or Excel killed), Start says which sheets may be stale.
PENDING_STATUS = ("FEL: skrivningen av resultaten pågår eller avbröts; inaktuella blad kan vara: "
                  "{sheets}. Klicka Beräkna priser igen.")
STALE_STATUS = ("FEL: skrivningen av resultaten avbröts ({reason}); inaktuella blad: {sheets}. "
                "Övriga resultatblad är från denna körning. Klicka Beräkna priser igen.")


def _set_status(book: Any, text: str) -> None:
    sheet_name, row, col = _status_cell()
    if sheet_name not in _sheet_names(book):
        return
    cell = book.sheets[sheet_name].range((row, col))
    cell.value = cell_value(text)
    cell.number_format = "[Red]@"


def plan_writes(book: Any, plan: OutputPlan) -> list[_Step]:
    """Every write of ``plan``, planned: all reads of the workbook (tables' old sizes, the
    Körlogg) and every value conversion happen here; nothing is written."""
    check_targets(plan)
    names = _sheet_names(book)
    missing = sorted({b.sheet for b in plan.tables} - set(names))
    if missing:
        raise InputError("Arbetsboken saknar resultatbladen " + ", ".join(f"'{m}'" for m in missing)
                         + ". Inget har skrivits.")
    present = set(names)
    cells = [c for c in plan.cells if c.sheet in present]  # status only: skip what is gone
    table_sheets = {b.sheet for b in plan.tables}
    notes = {s: [c for c in cells if c.sheet == s] for s in table_sheets}
    last_of = {b.sheet: i for i, b in enumerate(plan.tables)}
    steps: list[_Step] = []
    for i, block in enumerate(plan.tables):
        planned = _plan_block(book, block)
        # the note under a sheet's title goes with the sheet's last table
        mine = notes.get(block.sheet, []) if last_of[block.sheet] == i else []

        def write(b: TableBlock = block, p: _BlockWrite = planned,
                  extra: list[CellWrite] = mine) -> None:
            _write_block(book, b, p)
            if extra:
                _write_cells(book, extra)

        steps.append(_Step((block.sheet,), write))
    if plan.log_entry is not None and L.sheet_of(L.T_RUNLOG.name).name in present:
        steps.append(_Step((), _plan_log(book, plan.log_entry)))
    status = [c for c in cells if c.sheet not in table_sheets]
    if status:  # last: the run's own status on Start says the writing is complete
        steps.append(_Step((), lambda: _write_cells(book, status)))
    return steps


def apply_plan(book: Any, plan: OutputPlan) -> None:
    """Write a plan into a live workbook: output tables, Start status, one Körlogg row.

    Nothing outside the plan's output sheets and status cells is touched; a plan naming an input
    sheet is refused before anything is written. Everything is read and planned first
    (:func:`plan_writes`). When the plan writes output tables, Start's status first says that
    writing is under way and which sheets it renews (so a run killed mid-way leaves that
    behind); the run's own status replaces it at the end. A failure while writing sets the
    status to the sheets that are stale and raises :class:`WriteInterrupted`.
    """
    steps = plan_writes(book, plan)
    sheets = list(dict.fromkeys(b.sheet for b in plan.tables))
    _set_screen_updating(book, False)
    done = 0
    try:
        try:
            if sheets:
                _set_status(book, PENDING_STATUS.format(sheets=", ".join(sheets)))
            for step in steps:
                step.write()
                done += 1
        except Exception as exc:
            if not sheets:
                raise
            # a sheet is current when every step writing to it is done
            unfinished = {s for step in steps[done:] for s in step.sheets}
            stale = [s for s in sheets if s in unfinished]
            reason = " ".join(str(exc).split()) or type(exc).__name__
            with contextlib.suppress(Exception):  # the workbook may refuse every write now
                _set_status(book, STALE_STATUS.format(reason=reason[:200],
                                                      sheets=", ".join(stale) or "inga"))
            raise WriteInterrupted(stale, exc) from exc
    finally:
        _set_screen_updating(book, True)
