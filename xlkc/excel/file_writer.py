"""Apply an :class:`~xlkc.excel.model.OutputPlan` to a workbook file with openpyxl.

The workbook is loaded with ``keep_vba=True`` (the VBA project and the buttons' drawing are kept
byte for byte, see TOOLING.md), each output table is replaced completely - its previous rows, also
those beyond the new size, are removed and the Excel Table is resized - the Start status cells are
set and the new Körlogg row goes first. Input sheets are never touched.

The file is written crash-safely: saved to a temporary file in the destination folder, flushed to
disk, then moved over the target with :func:`os.replace` (atomic on one file system). Replacing an
existing file first copies it to ``<name>.bak.xlsm`` beside it.
"""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.table import TableColumn

from xlkc import layout as L  # noqa: N812
from xlkc.errors import InputError
from xlkc.excel.model import OutputPlan, TableBlock
from xlkc.excel.output import Formula

__all__ = ["apply_plan", "backup_path", "write_plan"]


def backup_path(path: str | os.PathLike[str]) -> Path:
    """Where the previous version of ``path`` is kept when it is replaced."""
    p = Path(path)
    return p.with_name(f"{p.stem}.bak{p.suffix or '.xlsm'}")


# --- one table -----------------------------------------------------------------------------------

def _bounds(ref: str) -> tuple[int, int, int, int]:
    """(min_col, min_row, max_col, max_row) of an A1 range."""
    from openpyxl.utils.cell import range_boundaries

    return range_boundaries(ref)


def _templates(ws, row: int, first_col: int, n_cols: int) -> list[Any]:
    """The style of each column's first data cell, reused for every written row."""
    return [copy.copy(ws.cell(row, first_col + j)._style) for j in range(n_cols)]


def _drop_rows(ws, first_row: int, last_row: int, first_col: int, last_col: int) -> None:
    """Remove cells completely (value and style) in a rectangle."""
    for r in range(first_row, last_row + 1):
        for c in range(first_col, last_col + 1):
            ws._cells.pop((r, c), None)


def _set(cell, value: Any, number_format: str | None, style) -> None:
    cell._style = copy.copy(style)
    if isinstance(value, Formula):
        cell.value = str(value)
    else:
        cell.value = value
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # a text that looks like a formula stays text
    if number_format:
        cell.number_format = number_format


def _table_of(ws, name: str, sheet: str):
    try:
        return ws.tables[name]
    except KeyError:
        raise InputError(f"Bladet {sheet} saknar tabellen {name}; bygg om arbetsboken med "
                         "xlkc bygg") from None


def _write_table(wb, block: TableBlock) -> None:
    if block.sheet not in wb.sheetnames:
        raise InputError(f"Arbetsboken saknar bladet {block.sheet}")
    ws = wb[block.sheet]
    tbl = _table_of(ws, block.table, block.sheet)
    min_col, min_row, max_col, max_row = _bounds(tbl.ref)
    n_cols = len(block.header)
    first_col, header_row = block.first_col, block.header_row
    if (min_col, min_row) != (first_col, header_row):
        raise InputError(f"Tabellen {block.table} på bladet {block.sheet} har flyttats; "
                         "bygg om arbetsboken med xlkc bygg")
    styles = _templates(ws, header_row + 1, first_col, n_cols)
    header_styles = _templates(ws, header_row, first_col, n_cols)
    last_col = max(max_col, first_col + n_cols - 1)
    _drop_rows(ws, header_row, max_row, first_col, last_col)
    for j, h in enumerate(block.header):
        _set(ws.cell(header_row, first_col + j), h, None, header_styles[j])
    rows = block.rows or (tuple(None for _ in block.header),)  # a table needs one data row
    for i, row in enumerate(rows):
        r = header_row + 1 + i
        for j, v in enumerate(row):
            _set(ws.cell(r, first_col + j), v, block.number_formats[j], styles[j])
    ref = (f"{L.cell_ref(header_row, first_col)}:"
           f"{L.cell_ref(header_row + len(rows), first_col + n_cols - 1)}")
    tbl.ref = ref
    if tbl.autoFilter is not None:
        tbl.autoFilter.ref = ref
    names = [c.name for c in tbl.tableColumns]
    if names != list(block.header):
        tbl.tableColumns = [TableColumn(id=j + 1, name=h) for j, h in enumerate(block.header)]


# --- the run log ---------------------------------------------------------------------------------

def _write_log(wb, entry: tuple[Any, ...]) -> None:
    table = L.T_RUNLOG
    sheet = L.sheet_of(table.name)
    ws = wb[sheet.name]
    tbl = _table_of(ws, table.name, sheet.name)
    min_col, min_row, max_col, max_row = _bounds(tbl.ref)
    old_header = [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]
    by_header = {h: j for j, h in enumerate(old_header) if h}
    old_rows = []
    for r in range(min_row + 1, max_row + 1):
        values = [ws.cell(r, c).value for c in range(min_col, max_col + 1)]
        if all(v is None or v == "" for v in values):
            continue  # the empty row an empty table keeps
        # earlier rows follow their header, so a log survives a change of its columns
        old_rows.append(tuple(values[by_header[c.header]] if c.header in by_header else None
                              for c in table.columns))
    header_row, first_col = sheet.table_origin(table.name)
    block = TableBlock(sheet=sheet.name, table=table.name, header_row=header_row,
                       first_col=first_col, header=table.headers,
                       rows=(tuple(entry), *old_rows),
                       number_formats=tuple(c.number_format for c in table.columns))
    _write_table(wb, block)


# --- whole plan ----------------------------------------------------------------------------------

def apply_plan(wb, plan: OutputPlan) -> None:
    """Apply a plan to an open openpyxl workbook (outputs, status, Körlogg)."""
    for block in plan.tables:
        _write_table(wb, block)
    for cw in plan.cells:
        ws = wb[cw.sheet]
        cell = ws.cell(cw.row, cw.col)
        cell.value = cw.value
        if cw.number_format:
            cell.number_format = cw.number_format
    if plan.log_entry is not None:
        _write_log(wb, plan.log_entry)
    # Formula cells written by openpyxl carry no cached value: have Excel compute on opening.
    if wb.calculation is not None:
        wb.calculation.fullCalcOnLoad = True


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_plan(src_path: str | os.PathLike[str], plan: OutputPlan,
               dst_path: str | os.PathLike[str], *, backup: bool = True) -> Path:
    """Write ``src_path`` with ``plan`` applied to ``dst_path``; returns the written path.

    ``dst_path`` may equal ``src_path``. An existing ``dst_path`` is copied to
    :func:`backup_path` first when ``backup`` is true. On any failure the target is untouched and
    no temporary file is left behind.
    """
    src, dst = Path(src_path), Path(dst_path)
    wb = openpyxl.load_workbook(src, keep_vba=True)
    try:
        apply_plan(wb, plan)
        dst.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=dst.parent, prefix=f".{dst.stem}-", suffix=".xlsm",
                                         delete=False) as tmp:
            tmp_path = Path(tmp.name)
        try:
            wb.save(tmp_path)
            with open(tmp_path, "rb+") as fh:
                os.fsync(fh.fileno())
            mode = (dst.stat().st_mode & 0o777) if dst.exists() else _default_mode()
            os.chmod(tmp_path, mode)
            if backup and dst.exists():
                shutil.copy2(dst, backup_path(dst))
            os.replace(tmp_path, dst)
        except BaseException:
            tmp_path.unlink(missing_ok=True)
            raise
    finally:
        wb.close()
    _fsync_dir(dst.parent)
    return dst


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
