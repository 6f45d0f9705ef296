"""Apply an :class:`~xlkc.excel.model.OutputPlan` to a workbook file with openpyxl.

The workbook is loaded with ``keep_vba=True`` (the VBA project and the buttons' drawing are kept
byte for byte, see TOOLING.md), each output table is replaced completely - its previous rows, also
those beyond the new size, are removed and the Excel Table is resized - the Start status cells are
set and the new Körlogg row goes first. Input sheets are never touched. Long tables take a fast
path (see "fast path" below): openpyxl handles the package, the rows are appended as XML.

The file is written crash-safely: saved to a temporary file in the destination folder, flushed to
disk, then moved over the target with :func:`os.replace` (atomic on one file system). Replacing an
existing file first copies it to ``<name>.bak.xlsm`` beside it.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import math
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import numpy as np
import openpyxl
import openpyxl.utils
from openpyxl.cell.cell import Cell
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.table import TableColumn

from xlkc import layout as L  # noqa: N812
from xlkc.errors import InputError
from xlkc.excel.model import OutputPlan, TableBlock
from xlkc.excel.output import Formula

__all__ = ["apply_plan", "backup_path", "render", "write_plan"]


def backup_path(path: str | os.PathLike[str]) -> Path:
    """Where the previous version of ``path`` is kept when it is replaced."""
    p = Path(path)
    return p.with_name(f"{p.stem}.bak{p.suffix or '.xlsm'}")


# --- one table -----------------------------------------------------------------------------------

def _bounds(ref: str) -> tuple[int, int, int, int]:
    """(min_col, min_row, max_col, max_row) of an A1 range."""
    from openpyxl.utils.cell import range_boundaries

    return range_boundaries(ref)


def _drop_rows(ws, first_row: int, last_row: int, first_col: int, last_col: int) -> None:
    """Remove cells completely (value and style) in a rectangle."""
    for r in range(first_row, last_row + 1):
        for c in range(first_col, last_col + 1):
            ws._cells.pop((r, c), None)


def _column_styles(ws, row: int, first_col: int, formats) -> list[Any]:
    """Per column: the style of its cell in ``row`` with the plan's number format applied."""
    styles = []
    for j, fmt in enumerate(formats):
        probe = Cell(ws, row=row, column=first_col + j,
                     style_array=copy.copy(ws.cell(row, first_col + j)._style))
        if fmt:
            probe.number_format = fmt
        styles.append(probe._style)
    return styles


def _put(ws, row: int, col: int, value: Any, style) -> None:
    """Create the cell afresh (Cell copies the style array)."""
    cell = Cell(ws, row=row, column=col, style_array=style)
    if isinstance(value, Formula):
        cell.value = str(value)
    elif value is not None:
        cell.value = value
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # a text that looks like a formula stays text
    ws._cells[(row, col)] = cell


def _table_of(ws, name: str, sheet: str):
    try:
        return ws.tables[name]
    except KeyError:
        raise InputError(f"Bladet {sheet} saknar tabellen {name}; bygg om arbetsboken med "
                         "xlkc bygg") from None


def _write_table(wb, block: TableBlock, deferred: dict[str, list[_Deferred]] | None = None
                 ) -> None:
    """Replace an output table. With ``deferred``, only the first data row is written here
    and the rest collected for :func:`_patch_rows` (after saving)."""
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
    styles = _column_styles(ws, header_row + 1, first_col, block.number_formats)
    header_styles = _column_styles(ws, header_row, first_col, (None,) * n_cols)
    last_col = max(max_col, first_col + n_cols - 1)
    _drop_rows(ws, header_row, max_row, first_col, last_col)
    for j, h in enumerate(block.header):
        _put(ws, header_row, first_col + j, h, header_styles[j])
    rows = block.rows or (tuple(None for _ in block.header),)  # a table needs one data row
    if deferred is None:
        for i, row in enumerate(rows):
            r = header_row + 1 + i
            for j, v in enumerate(row):
                _put(ws, r, first_col + j, v, styles[j])
    else:
        # empty styled cells in the first data row give the style ids; the rows follow as XML
        for j in range(n_cols):
            _put(ws, header_row + 1, first_col + j, None, styles[j])
        style_ids = [ws._cells[(header_row + 1, first_col + j)].style_id for j in range(n_cols)]
        deferred.setdefault(block.sheet, []).append(
            _Deferred(header_row + 1, first_col, rows, tuple(style_ids)))
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


# --- fast path for long tables: rows as XML after saving ---------------------------------------
#
# openpyxl needs about 15 µs per cell to load and to save. Output sheets hold nothing but their
# tables below the first data row, so (1) their old rows are cut from the XML before openpyxl
# loads the workbook (they would be replaced anyway), and (2) after openpyxl has saved the
# workbook with each table's header and resized Table, the data rows are put into the sheet XML
# directly (every data row, numbers with all 17 digits), with the style ids openpyxl gave the
# first data row's empty cells. Everything else of the file is openpyxl's
# (keep_vba: the VBA project and the buttons byte for byte).

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_ROW_RE = re.compile(rb'<row r="(\d+)"')
_DIM_RE = re.compile(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"\s*/>')


@dataclass(frozen=True)
class _Deferred:
    first_row: int  # Excel row of rows[0]
    first_col: int
    rows: tuple[tuple[Any, ...], ...]
    style_ids: tuple[int, ...]


def _sheet_paths(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> path of its XML part inside the package."""
    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels}
    out = {}
    for sh in book.iter(f"{_NS_MAIN}sheet"):
        t = target.get(sh.get(f"{_NS_REL}id"), "")
        out[sh.get("name")] = t.lstrip("/") if t.startswith("/") else f"xl/{t}"
    return out


def _cut_rows(xml: bytes, last_row: int) -> bytes:
    """The sheet XML without the rows below ``last_row``."""
    end = xml.rfind(b"</sheetData>")
    if end < 0:
        return xml
    for m in _ROW_RE.finditer(xml, 0, end):
        if int(m.group(1)) > last_row:
            return xml[:m.start()] + xml[end:]
    return xml


def _rezip(data: dict[str, bytes], infos: list[zipfile.ZipInfo], level: int = 6) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as out:
        for info in infos:
            out.writestr(info, data[info.filename], compress_type=zipfile.ZIP_DEFLATED,
                         compresslevel=level)
    return buf.getvalue()


def _load(src: Path, strip_sheets: set[str]):  # noqa: ANN202
    """Load with openpyxl, the rows below the first data row of ``strip_sheets`` left out.

    Returns (workbook, the sheets actually stripped)."""
    if not strip_sheets:
        return openpyxl.load_workbook(src, keep_vba=True), set()
    try:
        with zipfile.ZipFile(src) as z:
            paths = _sheet_paths(z)
            infos = z.infolist()
            data = {i.filename: z.read(i.filename) for i in infos}
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return openpyxl.load_workbook(src, keep_vba=True), set()  # openpyxl gives the error
    stripped = set()
    for name in strip_sheets:
        part = paths.get(name)
        if part in data:
            data[part] = _cut_rows(data[part], L.FIRST_DATA_ROW)
            stripped.add(name)
    return openpyxl.load_workbook(io.BytesIO(_rezip(data, infos, level=1)), keep_vba=True), \
        stripped


_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _cell_xml(ref: str, style: int, v: Any) -> str:
    s = f' s="{style}"' if style else ""
    if v is None:
        return f'<c r="{ref}"{s}/>'
    if isinstance(v, Formula):
        return f'<c r="{ref}"{s}><f>{escape(v[1:])}</f></c>'
    if isinstance(v, bool):
        v = L.BOOL_TEXT[v]
    elif isinstance(v, dt.datetime | dt.date):
        v = to_excel(v)
    if isinstance(v, int | float | np.integer | np.floating):
        f = float(v)
        if not math.isfinite(f):
            return f'<c r="{ref}"{s}/>'
        text = str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)
        return f'<c r="{ref}"{s}><v>{text}</v></c>'
    text = _ILLEGAL_XML.sub("", str(v))
    if not text:
        return f'<c r="{ref}"{s}/>'
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def _rows_xml(items: list[_Deferred]) -> tuple[bytes, int, int]:
    """Rows of one sheet's deferred tables, merged by row; (xml, last row, last column)."""
    by_row: dict[int, list[str]] = {}
    last_col = 0
    for d in items:
        letters = [L.col_letter(d.first_col + j) for j in range(len(d.style_ids))]
        last_col = max(last_col, d.first_col + len(letters) - 1)
        for i, row in enumerate(d.rows):
            r = d.first_row + i
            cells = by_row.setdefault(r, [])
            cells.extend(_cell_xml(f"{letters[j]}{r}", d.style_ids[j], v)
                         for j, v in enumerate(row))
    # tables side by side are in column order (layout), so the cells of a row stay sorted
    order = sorted(by_row)
    parts = [f'<row r="{r}">{"".join(by_row[r])}</row>' for r in order]
    return "".join(parts).encode("utf-8"), (order[-1] if order else 0), last_col


def _patch_rows(package: bytes, deferred: dict[str, list[_Deferred]]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        paths = _sheet_paths(z)
        infos = z.infolist()
        data = {i.filename: z.read(i.filename) for i in infos}
    for sheet, items in deferred.items():
        part = paths[sheet]
        xml = data[part]
        items = sorted(items, key=lambda d: d.first_col)
        rows, last_row, last_col = _rows_xml(items)
        first = min(d.first_row for d in items)
        # the first data row, as openpyxl wrote it (styles only), is replaced by ours
        xml = re.sub(rb'<row r="%d"(?:[^>]*?/>|[^>]*?>.*?</row>)' % first, b"", xml, count=1,
                     flags=re.S)
        end = xml.rfind(b"</sheetData>")
        existing = [int(m.group(1)) for m in _ROW_RE.finditer(xml, 0, end)]
        if end < 0 or (existing and max(existing) >= first):
            raise RuntimeError(f"internal: rows below the header remain on {sheet}")
        xml = xml[:end] + rows + xml[end:]
        m = _DIM_RE.search(xml)
        if m:
            c2 = openpyxl.utils.column_index_from_string((m.group(3) or m.group(1)).decode())
            r2 = int(m.group(4) or m.group(2))
            ref = (f"{m.group(1).decode()}{m.group(2).decode()}:"
                   f"{L.col_letter(max(c2, last_col))}{max(r2, last_row)}")
            xml = xml[:m.start()] + f'<dimension ref="{ref}"/>'.encode() + xml[m.end():]
        data[part] = xml
    return _rezip(data, infos)


# --- whole plan ----------------------------------------------------------------------------------

def apply_plan(wb, plan: OutputPlan, defer_sheets: set[str] | frozenset[str] = frozenset()
               ) -> dict[str, list[_Deferred]]:
    """Apply a plan to an open openpyxl workbook (outputs, status, Körlogg).

    Tables on ``defer_sheets`` get their header and first row only; the rest is returned for
    :func:`_patch_rows`. Without ``defer_sheets`` everything is written here.
    """
    deferred: dict[str, list[_Deferred]] = {}
    for block in plan.tables:
        _write_table(wb, block, deferred if block.sheet in defer_sheets else None)
    for cw in plan.cells:
        ws = wb[cw.sheet]
        cell = ws.cell(cw.row, cw.col)
        cell.value = cw.value
        if cw.number_format:
            cell.number_format = cw.number_format
    if plan.log_entry is not None:
        _write_log(wb, plan.log_entry)
    # Formula cells written here carry no cached value: have Excel compute on opening.
    if wb.calculation is not None:
        wb.calculation.fullCalcOnLoad = True
    return deferred


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _output_sheets(plan: OutputPlan) -> set[str]:
    out = set()
    for b in plan.tables:
        with contextlib.suppress(KeyError):
            if L.sheet(b.sheet).role == "output" and b.table != L.T_RUNLOG.name:
                out.add(b.sheet)
    return out


def render(src_path: str | os.PathLike[str], plan: OutputPlan) -> bytes:
    """The bytes of ``src_path`` with ``plan`` applied (nothing is written to disk)."""
    wb, stripped = _load(Path(src_path), _output_sheets(plan))
    try:
        deferred = apply_plan(wb, plan, stripped)
        buf = io.BytesIO()
        wb.save(buf)
    finally:
        wb.close()
    package = buf.getvalue()
    return _patch_rows(package, deferred) if deferred else package


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def write_plan(src_path: str | os.PathLike[str], plan: OutputPlan,
               dst_path: str | os.PathLike[str], *, backup: bool = True) -> Path:
    """Write ``src_path`` with ``plan`` applied to ``dst_path``; returns the written path.

    ``dst_path`` may equal ``src_path``. An existing ``dst_path`` is copied to
    :func:`backup_path` first when ``backup`` is true. On any failure the target is untouched and
    no temporary file is left behind.
    """
    dst = Path(dst_path)
    data = render(src_path, plan)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=dst.parent, prefix=f".{dst.stem}-", suffix=".xlsm",
                                     delete=False) as tmp:
        tmp_path = Path(tmp.name)
    try:
        _write_file(tmp_path, data)
        mode = (dst.stat().st_mode & 0o777) if dst.exists() else _default_mode()
        os.chmod(tmp_path, mode)
        if backup and dst.exists():
            shutil.copy2(dst, backup_path(dst))
        os.replace(tmp_path, dst)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    _fsync_dir(dst.parent)
    return dst


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
