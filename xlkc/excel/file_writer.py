"""Apply an :class:`~xlkc.excel.model.OutputPlan` to a workbook file, at the package level.

The .xlsm is opened as a zip archive (:mod:`xlkc.excel.ooxml_zip`) and only the parts the run
owns are rewritten; every other part is copied byte for byte, compressed data included: the
input sheets with their formulas and cached values, comments, threaded comments, sparklines,
slicers and other extensions, pictures and their drawings, ``customXml``, pivot caches, the VBA
project and the buttons, and whatever else the file holds.

What a run rewrites:

- each output sheet it writes a table on (:mod:`xlkc.excel.sheet_xml`): the header cells and
  every row below them are replaced by the tables' rows (tables side by side share the rows);
  rows above the header, the sheet's columns, views, print settings, drawings and table parts
  stay as they were. Where the plan writes only some of a sheet's tables, only their cells are
  replaced. Styles come from the cells of the first data row (and the header row) as the file
  has them, with the plan's number format;
- below each table with additive columns, after one empty row, its totals row
  (:func:`xlkc.excel.output.totals_cells`: SUBTOTAL formulas with cached sums, bold), outside
  the table's ``ref``;
- the Excel Table parts of those tables: ``ref``, the autoFilter's ``ref`` and, if the header
  changed, the column names;
- the cells of the plan's status and note cells (Start, row 2 of output sheets), nothing else
  of those sheets;
- the Körlogg: the new row first, the earlier rows below it (matched by their header);
- chart parts whose series cover an output table: each series is moved to the table's written
  rows and its cache (``numCache``/``strCache``) holds the written values, so a reader that
  draws from the cache shows the new figures;
- ``xl/styles.xml`` only when a needed number format is not there yet
  (:mod:`xlkc.excel.styles_xml`);
- the calculation chain (``xl/calcChain.xml``) is removed with its relationship and content
  type when the file has one: it names formula cells of the rewritten sheets, and Excel
  rebuilds it;
- ``xl/workbook.xml`` only to set ``fullCalcOnLoad``, and only when needed (below).

Every formula the writer writes carries the engine's value as its cached value, so readers that
do not calculate (Protected View, pandas/calamine, openpyxl ``data_only``) show the numbers.
``fullCalcOnLoad`` is therefore not needed for the run's own cells: the writer neither adds nor
removes it, except that it adds it when a formula outside the cells the run writes refers to
them (a controller's own formula naming an output sheet, an output table or a status cell, a
formula in the kept rows of an output sheet, or a defined name over those): such a formula's
cached value would be stale until Excel recalculates. (A workbook built by ``xlkc bygg`` has it
set by xlsxwriter and an Excel 2007 ``calcId``; Excel recalculates such a file fully on opening
anyway.)

The file is written by :mod:`xlkc.excel.safe_write` (lock, temporary file, fsync, atomic rename,
timestamped backups of the replaced file).
"""

from __future__ import annotations

import contextlib
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from xlkc import layout as L  # noqa: N812
from xlkc.errors import InputError
from xlkc.excel.book_xml import Book, TablePart
from xlkc.excel.model import CellWrite, OutputPlan, TableBlock, check_targets
from xlkc.excel.ooxml_zip import Package
from xlkc.excel.safe_write import _fsync_dir, backup_path, save  # noqa: F401 - re-exported
from xlkc.excel.sheet_read import SheetPart
from xlkc.excel.sheet_xml import (
    MAX_COLS,
    MAX_ROWS,
    cell_xml,
    col_index,
    edit_sheet,
    edit_sheet_pieces,
    number_text,
    read_cells,
    row_styles,
    rows_xml_chunks,
)
from xlkc.excel.styles_xml import Styles
from xlkc.excel.xml_text import escape, unescape

__all__ = ["backup_path", "render", "write_plan"]


_RANGE = re.compile(r"\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?")


def _bounds(ref: str) -> tuple[int, int, int, int]:
    """(min_col, min_row, max_col, max_row) of an A1 range."""
    m = _RANGE.fullmatch(ref.strip())
    if m is None:
        raise InputError(f"Ogiltigt tabellområde {ref!r}; bygg om arbetsboken med xlkc bygg")
    c1, r1 = col_index(m.group(1)), int(m.group(2))
    c2, r2 = (col_index(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)
    return c1, r1, c2, r2


# --- the edits of one sheet ----------------------------------------------------------------------

@dataclass
class _SheetEdit:
    name: str
    part: str
    xml: bytes
    tables: list[TablePart]
    cells: dict[int, dict[int, str]] = field(default_factory=dict)
    #: (first data row, first column, rows, style per column) of each table written
    blocks: list[tuple[int, int, tuple[tuple[Any, ...], ...], tuple[int, ...]]] = field(
        default_factory=list)
    resized: list[tuple[TablePart, str, tuple[str, ...]]] = field(default_factory=list)
    _styles: dict[int, dict[int, int]] = field(default_factory=dict)
    _values: dict[int, dict[tuple[int, int], Any]] = field(default_factory=dict)
    _parsed: SheetPart | None = None

    def parsed(self) -> SheetPart:
        """The sheet part's rows and cells, found once for every read of this edit."""
        if self._parsed is None:
            self._parsed = SheetPart(self.xml)
        return self._parsed

    def style_at(self, row: int, col: int) -> int:
        if row not in self._styles:
            self._styles[row] = row_styles(self.parsed(), row)
        return self._styles[row].get(col, 0)

    def value_at(self, row: int, col: int, shared: Any) -> Any:
        if row not in self._values:
            self._values[row] = read_cells(self.parsed(), row, row, 1, MAX_COLS, shared)
        return self._values[row].get((row, col))

    def put(self, row: int, col: int, style: int, value: Any, prefix: str, shared: Any) -> None:
        """Write a cell, unless it already holds this text or number with this style."""
        if (style == self.style_at(row, col) and not hasattr(value, "value")
                and isinstance(value, str | float | int) and not isinstance(value, bool)
                and value == self.value_at(row, col, shared)):
            return
        self.cells.setdefault(row, {})[col] = cell_xml(f"{L.col_letter(col)}{row}", style,
                                                       value, prefix)


class _Edits:
    """Everything a plan changes, collected per sheet and applied at once."""

    def __init__(self, book: Book, styles: Styles | None,
                 input_sheets: frozenset[str] = frozenset()) -> None:
        self.book = book
        self.styles = styles
        self.sheets: dict[str, _SheetEdit] = {}
        self.prefix: dict[str, str] = {}
        self.input_sheets = input_sheets  # input sheets the plan rewrites tables of on purpose

    def sheet(self, name: str) -> _SheetEdit:
        if name not in self.sheets:
            with contextlib.suppress(KeyError):
                if L.sheet(name).role == "input" and name not in self.input_sheets:
                    raise RuntimeError(f"internal: the plan writes on the input sheet {name}")
            part = self.book.sheets.get(name)
            if part is None or part not in self.book.pkg:
                raise InputError(f"Arbetsboken saknar bladet {name}")
            xml = self.book.pkg.read(part)
            m = re.search(rb"<(\w+:)?worksheet\b", xml)
            if m is None:
                raise InputError(f"Bladet {name} är inget kalkylblad; bygg om arbetsboken med "
                                 "xlkc bygg")
            self.prefix[name] = (m.group(1) or b"").decode("ascii")
            self.sheets[name] = _SheetEdit(name, part, xml, self.book.tables(name))
        return self.sheets[name]

    def _style(self, edit: _SheetEdit, row: int, col: int, fmt: str | None) -> int:
        base = edit.style_at(row, col)
        return self.styles.with_format(base, fmt) if self.styles is not None else base

    def table_part(self, sheet: str, table: str) -> TablePart:
        edit = self.sheet(sheet)
        for t in edit.tables:
            if t.name.casefold() == table.casefold():
                return t
        raise InputError(f"Bladet {sheet} saknar tabellen {table}; bygg om arbetsboken med "
                         "xlkc bygg")

    def table(self, block: TableBlock) -> None:
        edit = self.sheet(block.sheet)
        tp = self.table_part(block.sheet, block.table)
        min_col, min_row, _, _ = _bounds(tp.ref)
        first_col, header_row = block.first_col, block.header_row
        if (min_col, min_row) != (first_col, header_row):
            raise InputError(f"Tabellen {block.table} på bladet {block.sheet} har flyttats; "
                             "bygg om arbetsboken med xlkc bygg")
        n_cols = len(block.header)
        rows = block.rows or (tuple(None for _ in block.header),)  # a table needs a data row
        last_row, last_col = header_row + len(rows), first_col + n_cols - 1
        bottom = block.totals_row if block.totals is not None else last_row
        if bottom > MAX_ROWS or last_col > MAX_COLS:
            raise InputError(f"Tabellen {block.table} får inte plats på bladet {block.sheet}: "
                             f"{len(rows)} rader och {n_cols} kolumner, Excel tillåter högst "
                             f"{MAX_ROWS - header_row} rader under rubriken och "
                             f"{MAX_COLS} kolumner.")
        p = self.prefix[block.sheet]
        for j, h in enumerate(block.header):
            c = first_col + j
            edit.put(header_row, c, edit.style_at(header_row, c), h, p, self.book.shared_string)
        styles = tuple(self._style(edit, header_row + 1, first_col + j, fmt)
                       for j, fmt in enumerate(block.number_formats))
        edit.blocks.append((header_row + 1, first_col, tuple(rows), styles))
        if block.totals is not None:  # below the table, outside its ref: bold, same formats
            bold = tuple(self.styles.with_bold(x) if self.styles is not None else x
                         for x in styles)
            edit.blocks.append((block.totals_row, first_col, (tuple(block.totals),), bold))
        ref = f"{L.cell_ref(header_row, first_col)}:{L.cell_ref(last_row, last_col)}"
        edit.resized.append((tp, ref, tuple(block.header)))

    def cell(self, cw: CellWrite) -> None:
        edit = self.sheet(cw.sheet)
        style = self._style(edit, cw.row, cw.col, cw.number_format)
        edit.put(cw.row, cw.col, style, cw.value, self.prefix[cw.sheet], self.book.shared_string)

    def apply(self) -> None:
        pkg = self.book.pkg
        texts: dict[str, dict[str | None, str]] = {}  # per prefix: texts' XML, for every sheet
        for edit in self.sheets.values():
            p = self.prefix[edit.name]
            if not edit.blocks:
                pkg.set(edit.part, edit_sheet(edit.xml, edit.cells))
                continue
            written = {tp.part for tp, _, _ in edit.resized}
            first_data = min(b[0] for b in edit.blocks)
            whole = (all(t.part in written for t in edit.tables)
                     and edit.name not in self.input_sheets
                     and not _has_named_cells(edit.name))
            if whole:
                # an output sheet whose tables are all rewritten: every row below the header
                # is replaced (an input sheet, or an output sheet with named cells such as
                # Versioner, keeps what stands beside its tables: the cells and their labels)
                xml, last_row, last_col = rows_xml_chunks(edit.blocks, p,
                                                          texts=texts.setdefault(p, {}))
                pkg.set_pieces(edit.part, edit_sheet_pieces(
                    edit.xml, edit.cells, cut_from=first_data, new_rows=xml,
                    last=(last_row, last_col)))
            else:  # other tables share the sheet: only the written tables' cells change
                clear = [(c, c + len(st) - 1) for _, c, _, st in edit.blocks]
                for tp, _, _ in edit.resized:  # the old extent of the written tables
                    c1, _, c2, _ = _bounds(tp.ref)
                    clear.append((c1, c2))
                cells = {r: dict(row) for r, row in edit.cells.items()}
                last_row = last_col = 0
                for r0, c0, rows, st in edit.blocks:
                    for i, row in enumerate(rows):
                        target = cells.setdefault(r0 + i, {})
                        for j, v in enumerate(row):
                            target[c0 + j] = cell_xml(f"{L.col_letter(c0 + j)}{r0 + i}", st[j],
                                                      v, p)
                    last_row = max(last_row, r0 + len(rows) - 1)
                    last_col = max(last_col, c0 + len(st) - 1)
                pkg.set(edit.part, edit_sheet(edit.xml, cells, last=(last_row, last_col),
                                              clear=clear, clear_from=first_data))
            for tp, ref, header in edit.resized:
                self.book.set_table(tp, ref, header)


def _has_named_cells(sheet: str) -> bool:
    try:
        return bool(L.sheet(sheet).named_cells)
    except KeyError:
        return False


# --- the run log ---------------------------------------------------------------------------------

def _write_log(edits: _Edits, entry: tuple[Any, ...]) -> None:
    """The Körlogg with ``entry`` first and the earlier rows below it."""
    table = L.T_RUNLOG
    sheet = L.sheet_of(table.name)
    edit = edits.sheet(sheet.name)
    tp = edits.table_part(sheet.name, table.name)
    min_col, min_row, max_col, max_row = _bounds(tp.ref)
    values = read_cells(edit.parsed(), min_row, max_row, min_col, max_col,
                        edits.book.shared_string)
    old_header = [values.get((min_row, c)) for c in range(min_col, max_col + 1)]
    by_header = {h: j for j, h in enumerate(old_header) if h}
    old_rows = []
    for r in range(min_row + 1, max_row + 1):
        row = [values.get((r, c)) for c in range(min_col, max_col + 1)]
        if all(v is None or v == "" for v in row):
            continue  # the empty row an empty table keeps
        # earlier rows follow their header, so a log survives a change of its columns
        old_rows.append(tuple(row[by_header[c.header]] if c.header in by_header else None
                              for c in table.columns))
    header_row, first_col = sheet.table_origin(table.name)
    edits.table(TableBlock(sheet=sheet.name, table=table.name, header_row=header_row,
                           first_col=first_col, header=table.headers,
                           rows=(tuple(entry), *old_rows),
                           number_formats=tuple(c.number_format for c in table.columns)))


# --- charts --------------------------------------------------------------------------------------

_CHART_REF = re.compile(
    r"<c:(numRef|strRef)>\s*<c:f>((?:'(?:[^']|'')+'|[^!<']+)!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+))"
    r"</c:f>\s*(<c:(?:str|num)Cache>.*?</c:(?:str|num)Cache>)?", re.S)
_FORMAT_CODE = re.compile(r"<c:formatCode>(.*?)</c:formatCode>", re.S)

#: sheet -> the plan's blocks on it: (first column, last column, first data row, rows)
_ChartTables = dict[str, list[tuple[int, int, int, tuple[tuple[Any, ...], ...]]]]


def _num_point(v: Any) -> str | None:
    """A numRef cache point's text of a written value (None: no point)."""
    v = getattr(v, "value", v)  # a Formula: its value
    if type(v) is float:  # the commonest value, as below
        return number_text(v)
    if isinstance(v, int | float) and not isinstance(v, bool):
        return number_text(float(v))
    return None


def _str_point(v: Any) -> str | None:
    """A strRef cache point's text of a written value (None: no point)."""
    v = getattr(v, "value", v)  # a Formula: its value
    if v is None or v == "":
        return None
    return escape(number_text(float(v)) or "" if isinstance(v, float) else str(v))


def _cache(kind: str, values: list[Any], code: str) -> str:
    """A chart series' cache holding ``values`` (a numRef's with format code ``code``)."""
    texts = map(_num_point if kind == "numRef" else _str_point, values)
    points = "".join([f'<c:pt idx="{i}"><c:v>{text}</c:v></c:pt>'
                      for i, text in enumerate(texts) if text is not None])
    count = f'<c:ptCount val="{len(values)}"/>'
    if kind == "numRef":
        return f"<c:numCache><c:formatCode>{code}</c:formatCode>{count}{points}</c:numCache>"
    return f"<c:strCache>{count}{points}</c:strCache>"


def _moved_ref(m: re.Match[str], tables: _ChartTables, caches: dict[tuple, str]) -> str:
    """A chart series' range over an output table of the plan, moved to the table's written
    rows, with a cache of the written values (unchanged outside the plan). ``caches``: the
    caches made so far, by what they depend on (the series of a chart share their categories)."""
    kind, formula, c1, r1, c2, _r2, old = m.group(1, 2, 3, 4, 5, 6, 7)
    sheet = formula[:formula.rindex("!")]
    if sheet.startswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    sheet = unescape(sheet)
    col1, col2 = col_index(c1), col_index(c2)
    for first_col, last_col, first_row, rows in tables.get(sheet, ()):
        if first_col <= col1 <= col2 <= last_col and int(r1) == first_row:
            last = first_row + max(len(rows), 1) - 1
            head = formula[:formula.rindex("$") + 1]
            cache = ""
            if col1 == col2:
                code = None
                if kind == "numRef":  # a numRef's cache keeps its format code
                    fm = _FORMAT_CODE.search(old or "")
                    code = fm.group(1) if fm else "General"
                # (the first table that holds the column from this row is the one found)
                key = (kind, sheet, col1, first_row, code)
                if key not in caches:
                    values = [row[col1 - first_col] for row in rows] or [None]
                    caches[key] = _cache(kind, values, code or "")
                cache = caches[key]
            return f"<c:{kind}><c:f>{head}{last}</c:f>{cache}"
    return m.group(0)


def _move_charts(book: Book, plan: OutputPlan) -> None:
    """Every chart series over an output table of the plan moved to the table's new rows."""
    tables: _ChartTables = {}
    for b in plan.tables:
        tables.setdefault(b.sheet, []).append(
            (b.first_col, b.first_col + len(b.header) - 1, b.header_row + 1, b.rows))
    if not tables:
        return
    caches: dict[tuple, str] = {}
    for part in book.chart_parts():
        text = book.pkg.read(part).decode("utf-8")
        new = _CHART_REF.sub(lambda m: _moved_ref(m, tables, caches), text)
        if new != text:
            book.pkg.set(part, new.encode("utf-8"))


# --- does anything outside the run's cells depend on them? ---------------------------------------

_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*>([^<]+)</(?:\w+:)?f>")


class _Names:
    """Whether a formula's text names something: ``re.compile("|".join(refs + words),
    re.I).search(text)`` as a yes or no, in two parts. A reference to a sheet (``refs``, each
    ends with "!") is looked for only in a text with a "!": the lookbehinds of those
    alternatives made the one pattern slow on every character of every formula (at 1x the
    example more than the rest of the writer together, issue 15)."""

    def __init__(self, refs: list[str], words: list[str]) -> None:
        self.everything = not refs and not words  # (the empty pattern matches any text)
        self.refs = re.compile("|".join(refs), re.I) if refs else None
        self.words = re.compile("|".join(words), re.I) if words else None

    def search(self, text: str) -> bool:
        if self.everything:
            return True
        if self.refs is not None and "!" in text and self.refs.search(text):
            return True
        return self.words is not None and self.words.search(text) is not None


def _dependents(book: Book, edits: _Edits) -> bool:
    """True when a formula the run does not write may refer to a cell it writes (then its
    cached value is stale and Excel must recalculate on opening)."""
    owned_sheets = {n for n, e in edits.sheets.items() if e.blocks}
    touched = set(edits.sheets)
    refs, words = [], []
    for name in touched:
        q = "'" + re.escape(name.replace("'", "''")) + "'"
        refs.append(rf"(?:{q}|(?<![\w.']){re.escape(name)})!")
    for e in edits.sheets.values():
        words += [rf"\b{re.escape(tp.name)}\b" for tp, _, _ in e.resized]
    start_names = [nc.name for s in L.SHEETS for nc in s.named_cells if s.role == "info"]
    words += [rf"\b{re.escape(n)}\b" for n in start_names]
    pattern = _Names(refs, words)
    extra = [rf"\b{re.escape(n)}\b" for n, text in book.defined_names
             if not n.startswith("_xlnm.") and pattern.search(text)]
    if extra:
        pattern = _Names(refs, words + extra)
    for name, part in book.sheets.items():
        if part not in book.pkg:
            continue
        xml = edits.sheets[name].xml if name in edits.sheets else book.pkg.read(part)
        if b"<f" not in xml and b":f" not in xml:
            continue
        if name in owned_sheets:
            # the rows the run keeps (above the first data row) hold no formula of its own
            first = min(b[0] for b in edits.sheets[name].blocks)
            cut = re.search(rb'<(?:\w+:)?row\b[^>]*\br="%d"' % first, xml)
            if _FORMULA.search(xml, 0, cut.start() if cut else len(xml)):
                return True
            continue
        local = None
        if name in touched:  # a formula on the same sheet naming a written cell by address
            cells = [(r, c) for r, row in edits.sheets[name].cells.items() for c in row]
            local = re.compile(r"(?<![\w!.$])\$?(?:" + "|".join(
                rf"{L.col_letter(c)}\$?{r}" for r, c in cells) + r")(?!\d)", re.I)
        for m in _FORMULA.finditer(xml):
            text = unescape(m.group(1).decode("utf-8", "replace"), {"&quot;": '"',
                                                                   "&apos;": "'"})
            if pattern.search(text) or (local is not None and local.search(text)):
                return True
    return False


# --- whole plan ----------------------------------------------------------------------------------

def render(src_path: str | os.PathLike[str], plan: OutputPlan) -> bytes:
    """The bytes of ``src_path`` with ``plan`` applied (nothing is written to disk)."""
    try:
        return _render(src_path, plan)
    except (zipfile.BadZipFile, ElementTree.ParseError) as exc:
        raise InputError(f"'{Path(src_path).name}' är skadad och kan inte skrivas ({exc}). "
                         "Använd en säkerhetskopia.") from exc


def _render(src_path: str | os.PathLike[str], plan: OutputPlan) -> bytes:
    check_targets(plan)  # only output sheets, Start's status and the input tables it names
    pkg = Package.open(src_path)
    book = Book(pkg)
    styles_part = book.styles_part
    styles = Styles(pkg.read(styles_part)) if styles_part else None
    edits = _Edits(book, styles, frozenset(b.sheet for b in plan.tables
                                           if b.table in plan.input_tables)
                   | plan.input_sheets)
    for block in plan.tables:
        edits.table(block)
    for cw in plan.cells:
        edits.cell(cw)
    if plan.log_entry is not None:
        _write_log(edits, plan.log_entry)
    # (nothing to decide when the file already recalculates on opening)
    needs_calc = not book.full_calc_on_load() and _dependents(book, edits)
    edits.apply()
    _move_charts(book, plan)
    if styles is not None and styles.changed:
        pkg.set(styles_part, styles.to_bytes())
    if edits.sheets:
        book.drop_calc_chain()
    if needs_calc:
        book.set_full_calc_on_load()
    return pkg.to_bytes()




def write_plan(src_path: str | os.PathLike[str], plan: OutputPlan,
               dst_path: str | os.PathLike[str], *, backup: bool = True) -> Path:
    """Write ``src_path`` with ``plan`` applied to ``dst_path``; returns the written path.

    The file I/O is :func:`xlkc.excel.safe_write.save`'s: everything is rendered first, then
    written under a lock to a temporary file that replaces the target atomically; an existing
    target is kept as a timestamped backup (the newest three). ``dst_path`` may equal
    ``src_path`` (the input is then overwritten on purpose). On any failure the target is
    untouched and no temporary file is left behind. ``src_path`` is checked as the reader
    checks it (a regular file, a zip within the limits of :mod:`xlkc.excel.file_reader`).
    """
    from xlkc.excel.file_reader import _check_container

    _check_container(Path(src_path))  # a hostile package is refused before it is expanded
    return save(dst_path, lambda: render(src_path, plan), source=src_path,
                overwrite_source=True, backup=backup).path
