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
import posixpath
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape, unescape

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

__all__ = ["apply_plan", "backup_path", "render", "write_bytes", "write_plan"]


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


def _sheet_paths(z: zipfile.ZipFile | dict[str, bytes]) -> dict[str, str]:
    """Sheet name -> path of its XML part inside the package (an open zip or its parts)."""
    read = z.__getitem__ if isinstance(z, dict) else z.read
    book = ElementTree.fromstring(read("xl/workbook.xml"))
    rels = ElementTree.fromstring(read("xl/_rels/workbook.xml.rels"))
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
    """Load with openpyxl, the rows below the first data row of ``strip_sheets`` left out and
    every sheet's drawings (the charts) taken out for :func:`_restore_drawings`.

    Returns (workbook, the sheets actually stripped, the drawings taken out)."""
    try:
        with zipfile.ZipFile(src) as z:
            paths = _sheet_paths(z)
            infos = z.infolist()
            data = {i.filename: z.read(i.filename) for i in infos}
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        # openpyxl gives the error
        return openpyxl.load_workbook(src, keep_vba=True), set(), _Drawings()
    stripped = set()
    for name in strip_sheets:
        part = paths.get(name)
        if part in data:
            data[part] = _cut_rows(data[part], L.FIRST_DATA_ROW)
            stripped.add(name)
    drawings = _take_drawings(data, paths)
    if not stripped and not drawings.by_sheet:
        return openpyxl.load_workbook(src, keep_vba=True), stripped, drawings
    return openpyxl.load_workbook(io.BytesIO(_rezip(data, infos, level=1)), keep_vba=True), \
        stripped, drawings


# --- drawings (charts) pass through ------------------------------------------------------------
#
# openpyxl 3.1.5 reads charts back into its chart objects and writes them anew: it drops
# formatting (a stacked bar chart loses its 100 % overlap, the chart language and print
# settings), writes an empty cached category as the text "None", renumbers the chart and
# drawing parts and rewrites the drawing XML. So the drawings are kept away from openpyxl: before
# loading, every sheet's drawing relationship (and its <drawing> element) is removed; after
# saving, the drawing, its charts and their relationships are put back byte for byte, except
# that each chart series over an output table of the plan is moved to the table's new rows
# (and its stale cached values dropped, Excel and LibreOffice read the cells).

_REL_DRAWING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_NS_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_CONTENT_TYPES = "[Content_Types].xml"
_DRAWING_EL = re.compile(rb"<drawing\b[^>]*/>")
_CHART_REF = re.compile(
    r"<c:f>((?:'(?:[^']|'')+'|[^!<']+)!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+))</c:f>"
    r"(<c:(?:str|num)Cache>.*?</c:(?:str|num)Cache>)?", re.S)


@dataclass
class _Drawings:
    by_sheet: dict[str, list[str]] = field(default_factory=dict)  # sheet -> drawing parts
    parts: dict[str, bytes] = field(default_factory=dict)  # drawings and all they refer to
    content_types: dict[str, str] = field(default_factory=dict)  # "/xl/..." -> content type


def _rels_part(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels"


def _target(part: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def _take_drawings(data: dict[str, bytes], paths: dict[str, str]) -> _Drawings:
    """Remove every sheet's drawing relationship from ``data``; return what it referred to."""
    out = _Drawings()
    if _CONTENT_TYPES in data:
        ct = ElementTree.fromstring(data[_CONTENT_TYPES])
        out.content_types = {o.get("PartName"): o.get("ContentType")
                             for o in ct.iter(f"{_NS_CT}Override")}
    for sheet, part in paths.items():
        rels_name = _rels_part(part)
        if rels_name not in data:
            continue
        rels = ElementTree.fromstring(data[rels_name])
        found = [r for r in rels.iter(f"{_NS_PKG_REL}Relationship")
                 if r.get("Type") == _REL_DRAWING and r.get("TargetMode") != "External"]
        if not found:
            continue
        xml = data[rels_name]
        for r in found:
            drawing = _target(part, r.get("Target"))
            if drawing not in data:
                continue
            out.by_sheet.setdefault(sheet, []).append(drawing)
            todo = [drawing]
            while todo:  # the drawing, its charts, their parts: everything reachable
                p = todo.pop()
                if p in out.parts or p not in data:
                    continue
                out.parts[p] = data[p]
                rp = _rels_part(p)
                if rp in data:
                    out.parts[rp] = data[rp]
                    for rr in ElementTree.fromstring(data[rp]).iter(f"{_NS_PKG_REL}Relationship"):
                        if rr.get("TargetMode") != "External":
                            todo.append(_target(p, rr.get("Target")))
            xml = re.sub(rb'<Relationship\b[^>]*\bId="%s"[^>]*/>' % re.escape(r.get("Id")).encode(),
                         b"", xml)
        data[rels_name] = xml
        data[part] = _DRAWING_EL.sub(b"", data[part])
    return out


def _moved_ref(m: re.Match[str], tables: dict[str, list[tuple[int, int, int, int]]]) -> str:
    """A chart's <c:f> range moved to its output table's rows (unchanged outside the plan)."""
    formula, c1, r1, c2, _r2 = m.group(1, 2, 3, 4, 5)
    sheet = formula[:formula.rindex("!")]
    if sheet.startswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    sheet = unescape(sheet)
    col1 = openpyxl.utils.column_index_from_string(c1)
    col2 = openpyxl.utils.column_index_from_string(c2)
    for first_col, last_col, first_row, n_rows in tables.get(sheet, ()):
        if first_col <= col1 <= col2 <= last_col and int(r1) == first_row:
            last = first_row + max(n_rows, 1) - 1
            head = formula[:formula.rindex("$") + 1]
            return f"<c:f>{head}{last}</c:f>"
    return m.group(0)


def _restore_drawings(data: dict[str, bytes], infos: list[zipfile.ZipInfo],
                      drawings: _Drawings, plan: OutputPlan) -> None:
    """Put the drawings taken by :func:`_take_drawings` back into openpyxl's package."""
    paths = _sheet_paths(data)
    tables: dict[str, list[tuple[int, int, int, int]]] = {}
    for b in plan.tables:
        tables.setdefault(b.sheet, []).append(
            (b.first_col, b.first_col + len(b.header) - 1, b.header_row + 1, len(b.rows)))
    for sheet, drawing_parts in drawings.by_sheet.items():
        part = paths.get(sheet)
        if part is None:
            continue
        rels_name = _rels_part(part)
        rels = data.get(rels_name) or (
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'relationships"></Relationships>')
        if rels_name not in data:
            infos.append(zipfile.ZipInfo(rels_name, date_time=(1980, 1, 1, 0, 0, 0)))
        used = set(re.findall(rb'\bId="([^"]+)"', rels))
        elements = b""
        for i, drawing in enumerate(drawing_parts, start=1):
            rid = f"rIdXlkcDrawing{i}".encode()
            while rid in used:
                rid += b"x"
            rels = rels.replace(b"</Relationships>", b'<Relationship Id="%s" Type="%s" Target="/%s"/>'
                                b"</Relationships>" % (rid, _REL_DRAWING.encode(), drawing.encode()))
            elements += (b'<drawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
                         b'2006/relationships" r:id="%s"/>' % rid)
        data[rels_name] = rels
        xml = _DRAWING_EL.sub(b"", data[part])
        # <drawing> goes before these elements (CT_Worksheet's order)
        m = re.search(rb"<(?:legacyDrawing|legacyDrawingHF|drawingHF|picture|oleObjects|controls|"
                      rb"webPublishItems|tableParts|extLst)\b|</worksheet>", xml)
        if m is None:
            raise RuntimeError(f"internal: no end of worksheet on {sheet}")
        data[part] = xml[:m.start()] + elements + xml[m.start():]
    present = set(data)
    ct = data[_CONTENT_TYPES]
    known = set(re.findall(rb'PartName="([^"]+)"', ct))
    overrides = b""
    for name, blob in drawings.parts.items():
        if name.startswith("xl/charts/") and name.endswith(".xml") and "/_rels/" not in name:
            blob = _CHART_REF.sub(lambda m: _moved_ref(m, tables), blob.decode("utf-8")
                                  ).encode("utf-8")
        data[name] = blob
        if name not in present:
            infos.append(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)))
        ctype = drawings.content_types.get("/" + name)
        if ctype and ("/" + name).encode() not in known:
            overrides += b'<Override PartName="/%s" ContentType="%s"/>' % (name.encode(),
                                                                           ctype.encode())
    data[_CONTENT_TYPES] = ct.replace(b"</Types>", overrides + b"</Types>")


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


def _finish(package: bytes, deferred: dict[str, list[_Deferred]], drawings: _Drawings,
            plan: OutputPlan) -> bytes:
    """openpyxl's package with the deferred rows and the drawings put in."""
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        paths = _sheet_paths(z)
        infos = z.infolist()
        data = {i.filename: z.read(i.filename) for i in infos}
    _patch_rows(data, paths, deferred)
    if drawings.by_sheet:
        _restore_drawings(data, infos, drawings, plan)
    return _rezip(data, infos)


def _patch_rows(data: dict[str, bytes], paths: dict[str, str],
                deferred: dict[str, list[_Deferred]]) -> None:
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
    wb, stripped, drawings = _load(Path(src_path), _output_sheets(plan))
    try:
        deferred = apply_plan(wb, plan, stripped)
        buf = io.BytesIO()
        wb.save(buf)
    finally:
        wb.close()
    package = buf.getvalue()
    if deferred or drawings.by_sheet:
        return _finish(package, deferred, drawings, plan)
    return package


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
    return write_bytes(render(src_path, plan), dst_path, backup=backup)


def write_bytes(data: bytes, dst_path: str | os.PathLike[str], *, backup: bool = True) -> Path:
    """Write ``data`` to ``dst_path`` crash-safely (a temporary file beside it, flushed, then an
    atomic replace); an existing ``dst_path`` is copied to :func:`backup_path` first when
    ``backup`` is true. Returns the written path."""
    dst = Path(dst_path)
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
