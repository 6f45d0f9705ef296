"""The package's parts read with the standard library (issue 15): the workbook part, styles and
shared strings (:class:`_Book`), each worksheet part streamed once (:class:`_Sheet`,
:func:`_parse_sheet`), the parts' relationships, cell references and number formats.

One pass over each needed worksheet's XML gives its cell values and its formulas without a
cached value. The values are those openpyxl gives in read-only ``data_only`` mode (the reader
used before; tests/openpyxl_reference.py keeps it as the reference): shared and inline strings
as their plain text (rich-text runs joined, phonetic runs left out), numbers as int or float
as their text reads, booleans, error values as their text (#N/A), and numbers whose cell style
has a date or time number format as datetime, time or timedelta (1900 or 1904 date system).
Tables and named cells are cut from these rows in :mod:`xlkc.excel.file_reader`.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from typing import Any
from xml.etree import ElementTree as ET

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW = _MAIN + "row"
_V = _MAIN + "v"
_F = _MAIN + "f"
_IS = _MAIN + "is"
_SI_TAG = _MAIN + "si"
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_DIGITS = "0123456789"
_COLUMNS: dict[str, int] = {}
#: Bytes of a part read at a time when it is streamed (also by :mod:`xlkc.excel.reader_limits`).
_CHUNK = 1 << 20


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(el: ET.Element, local: str) -> str | None:
    for k, v in el.attrib.items():
        if _local(k) == local:
            return v
    return None


def _rels(zf: zipfile.ZipFile, part: str) -> list[tuple[str, str, str]]:
    """(id, type, target part) of a part's relationships; [] if it has none."""
    folder, base = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", base + ".rels")
    try:
        root = ET.fromstring(zf.read(rels_part))
    except KeyError:
        return []
    out = []
    for rel in root:
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        target = (target.lstrip("/") if target.startswith("/")
                  else posixpath.normpath(posixpath.join(folder, target)))
        out.append((rel.get("Id", ""), rel.get("Type", ""), target))
    return out


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its worksheet part."""
    workbook = ET.fromstring(zf.read("xl/workbook.xml"))
    targets = {rid: target for rid, _, target in _rels(zf, "xl/workbook.xml")}
    out = {}
    for el in workbook.iter():
        if _local(el.tag) == "sheet":
            part = targets.get(_attr(el, "id") or "")
            if part is not None:
                out[el.get("name", "")] = part
    return out


def _column_index(letters: str) -> int:
    """1 for A ... 18 278 for ZZZ (case-insensitive); ValueError for anything else."""
    index = _COLUMNS.get(letters)
    if index is None:
        up = letters.upper()
        if not 1 <= len(up) <= 3 or not all("A" <= ch <= "Z" for ch in up):
            raise ValueError(f"{letters} is not a valid column name")
        index = 0
        for ch in up:
            index = index * 26 + ord(ch) - 64
        _COLUMNS[letters] = index
    return index


def _coordinate(ref: str) -> tuple[int, int]:
    """(row, column) of a cell reference such as B7; ValueError if it is none."""
    letters = ref.rstrip(_DIGITS)
    return int(ref[len(letters):]), _column_index(letters)


_RANGE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?")


def _range_boundaries(ref: str) -> tuple[int, int, int, int]:
    """(min column, min row, max column, max row) of a table's ref (A3:F40)."""
    m = _RANGE.fullmatch(ref)
    if m is None:
        raise ValueError(f"{ref} is not a valid coordinate or range")
    c0, r0, c1, r1 = m.groups()
    min_col, min_row = _column_index(c0), int(r0)
    return (min_col, min_row, _column_index(c1) if c1 else min_col,
            int(r1) if r1 else min_row)


# Number formats: openpyxl's rules (openpyxl.styles.numbers), which decide what reads as a date.
_BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00",
    5: '"$"#,##0_);("$"#,##0)', 6: '"$"#,##0_);[Red]("$"#,##0)',
    7: '"$"#,##0.00_);("$"#,##0.00)', 8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??",
    14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm",
    37: "#,##0_);(#,##0)", 38: "#,##0_);[Red](#,##0)", 39: "#,##0.00_);(#,##0.00)",
    40: "#,##0.00_);[Red](#,##0.00)",
    41: r'_(* #,##0_);_(* \(#,##0\);_(* "-"_);_(@_)',
    42: r'_("$"* #,##0_);_("$"* \(#,##0\);_("$"* "-"_);_(@_)',
    43: r'_(* #,##0.00_);_(* \(#,##0.00\);_(* "-"??_);_(@_)',
    44: r'_("$"* #,##0.00_)_("$"* \(#,##0.00\)_("$"* "-"??_)_(@_)',
    45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}
#: Quoted literals and bracketed locale/colour codes (not hours, minutes, seconds) are no date.
_FORMAT_STRIP = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_FORMAT_DATE = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_FORMAT_TIMEDELTA = re.compile(
    r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)


def _is_date_format(fmt: str | None) -> bool:
    if fmt is None:
        return False
    return _FORMAT_DATE.search(_FORMAT_STRIP.sub("", fmt.split(";")[0])) is not None


def _is_timedelta_format(fmt: str | None) -> bool:
    return fmt is not None and _FORMAT_TIMEDELTA.search(fmt.split(";")[0]) is not None


_WINDOWS_EPOCH = dt.datetime(1899, 12, 30)
_MAC_EPOCH = dt.datetime(1904, 1, 1)


def _from_excel(value: float, epoch: dt.datetime, timedelta: bool) -> Any:
    """An Excel serial date as openpyxl converts it (milliseconds rounded; 1900's leap bug)."""
    if timedelta:
        td = dt.timedelta(days=value)
        if td.microseconds:
            td = dt.timedelta(seconds=td.total_seconds() // 1,
                              microseconds=round(td.microseconds, -3))
        return td
    day, fraction = divmod(value, 1)
    diff = dt.timedelta(milliseconds=round(fraction * 86400 * 1000))
    if 0 <= value < 1 and diff.days == 0:
        mins, seconds = divmod(diff.seconds, 60)
        hours, mins = divmod(mins, 60)
        return dt.time(hours, mins, seconds, diff.microseconds)
    if 0 < value < 60 and epoch == _WINDOWS_EPOCH:
        day += 1
    return epoch + dt.timedelta(days=day) + diff


_ISO = re.compile(r"(?P<date>(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2}))?T?"
                  r"(?P<time>(?P<hour>\d{2}):(?P<minute>\d{2})(:(?P<second>\d{2})"
                  r"(?P<microsecond>\.\d{1,3})?)?)?Z?")
_ISO_DURATION = re.compile(
    r"PT((?P<hours>\d+)H)?((?P<minutes>\d+)M)?((?P<seconds>\d+(\.\d{1,3})?)S)?")


def _from_iso8601(text: str) -> Any:
    """A t="d" cell's ISO 8601 text (date, time, date and time, or a duration)."""
    m = _ISO.match(text)
    if m and any(m.groups()):
        parts = m.groupdict(0)
        for key in ("year", "month", "day", "hour", "minute", "second"):
            if parts[key]:
                parts[key] = int(parts[key])
        if parts["microsecond"]:
            parts["microsecond"] = int(float(parts["microsecond"]) * 1_000_000)
        if not parts["date"]:
            return dt.time(parts["hour"], parts["minute"], parts["second"],
                           parts["microsecond"])
        if not parts["time"]:
            return dt.date(parts["year"], parts["month"], parts["day"])
        del parts["time"], parts["date"]
        return dt.datetime(**parts)
    m = _ISO_DURATION.match(text)
    if m and any(m.groups()):
        return dt.timedelta(**{k: float(v) for k, v in m.groupdict(0).items() if v})
    raise ValueError(f"Invalid datetime value {text}")


def _text_content(el: ET.Element) -> str:
    """The plain text of a shared or inline string: its <t>, then every run's <t>."""
    plain = None
    runs = []
    for child in el:
        tag = _local(child.tag)
        if tag == "t":
            plain = child.text
        elif tag == "r":
            text = None
            for part in child:
                if _local(part.tag) == "t":
                    text = part.text
            if text is not None:
                runs.append(text)
    if plain is not None:
        runs.insert(0, plain)
    return "".join(runs)


def _flag(value: str | None) -> bool:
    """An xsd:boolean attribute as openpyxl reads it."""
    return bool(value) and value not in ("false", "f", "0")


class _Book:
    """The workbook part, styles and shared strings of a package; its worksheets are parsed
    on first use, each once (:class:`_Sheet`)."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self._zf = zf
        names = set(zf.namelist())
        workbook = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = {rid: target for rid, _, target in _rels(zf, "xl/workbook.xml")}
        sheets: list[str] = []
        self._parts: dict[str, str] = {}
        self.defined_names: dict[str, str] = {}
        self.epoch = _WINDOWS_EPOCH
        for el in workbook.iter():
            tag = _local(el.tag)
            if tag == "sheet":
                rid = _attr(el, "id")
                if not rid:
                    continue  # openpyxl drops such a sheet
                part = rels[rid]  # KeyError: a damaged workbook part
                if part not in names:
                    continue
                sheets.append(el.get("name", ""))
                self._parts.setdefault(el.get("name", ""), part)
            elif tag == "definedName":
                n = el.get("name", "")
                if el.get("localSheetId") is None and n not in (
                        "_xlnm.Print_Titles", "_xlnm.Print_Area", "_xlnm._FilterDatabase"):
                    self.defined_names[n] = el.text or ""
            elif tag == "workbookPr" and _flag(el.get("date1904")):
                self.epoch = _MAC_EPOCH
        self.sheetnames = tuple(sheets)
        self._date_styles, self._timedelta_styles = _date_styles(zf, names)
        self.shared_strings = _shared_strings(zf)
        self._sheets: dict[str, _Sheet] = {}

    def __getitem__(self, sheet: str) -> _Sheet:
        ws = self._sheets.get(sheet)
        if ws is None:
            ws = self._sheets[sheet] = _parse_sheet(self, self._parts[sheet])
        return ws


def _date_styles(zf: zipfile.ZipFile, names: set[str]) -> tuple[frozenset[int], frozenset[int]]:
    """Indexes of the cell styles (cellXfs) whose number format is a date, and a duration."""
    if "xl/styles.xml" not in names:
        return frozenset(), frozenset()
    root = ET.fromstring(zf.read("xl/styles.xml"))
    custom: dict[int, str] = {}
    xfs: list[int] = []
    for el in root:
        tag = _local(el.tag)
        if tag == "numFmts":
            for fmt in el:
                if _local(fmt.tag) == "numFmt":
                    custom[int(fmt.get("numFmtId", ""))] = fmt.get("formatCode", "")
        elif tag == "cellXfs":
            xfs = [int(xf.get("numFmtId") or 0) for xf in el if _local(xf.tag) == "xf"]
    dates, durations = set(), set()
    for i, fmt_id in enumerate(xfs):
        fmt = custom[fmt_id] if fmt_id in custom else _BUILTIN_FORMATS.get(fmt_id)
        if _is_date_format(fmt):
            dates.add(i)
        if _is_timedelta_format(fmt):
            durations.add(i)
    return frozenset(dates), frozenset(durations)


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    """The shared-string table (found as openpyxl finds it: by its content type)."""
    try:
        types = ET.fromstring(zf.read("[Content_Types].xml"))
    except KeyError:
        return []
    part = None
    for el in types:
        if el.tag == _CT_NS + "Override" and el.get("ContentType") == _SST_TYPE:
            part = el.get("PartName", "")[1:]
            break
    if part is None:
        return []
    out = []
    with zf.open(part) as fh:
        for _, el in ET.iterparse(fh):
            if el.tag == _SI_TAG:
                out.append(_text_content(el).replace("x005F_", ""))
                el.clear()
    return out


class _Sheet:
    """One worksheet's rows as ``(row number, [(column, value), ...])`` in the order of the
    file, and its formulas without a cached value: (row, column) -> "=formula"."""

    __slots__ = ("rows", "uncached")

    def __init__(self, rows: list[tuple[int, list[tuple[int, Any]]]],
                 uncached: dict[tuple[int, int], str]) -> None:
        self.rows = rows
        self.uncached = uncached

    def iter_rows(self, min_row: int, min_col: int, max_col: int, max_row: int | None = None):
        """Value tuples of columns min_col..max_col from row min_row (to max_row, or to the
        sheet's last row, whatever its <dimension> says), missing rows and cells as None.
        The same rows as openpyxl's read-only ``iter_rows(values_only=True)``."""
        width = max_col + 1 - min_col
        empty = (None,) * width
        counter = min_row
        idx = 1
        for idx, cells in self.rows:
            if max_row is not None and idx > max_row:
                break
            while counter < idx:
                counter += 1
                yield empty
            if counter <= idx:
                row = [None] * width
                for col, value in cells:
                    if min_col <= col <= max_col:
                        row[col - min_col] = value
                counter += 1
                yield tuple(row)
        if max_row is not None and max_row < idx:
            for _ in range(counter, max_row + 1):
                yield empty


def _row_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        val = float(text)
        if val.is_integer():
            return int(val)
        raise ValueError(f"{text} is not a valid row number") from None


def _row_elements(fh):
    """The <row> elements of a worksheet part, streamed :data:`_CHUNK` bytes at a time; each is
    cleared by the caller once read (so only one row's cells are held as elements)."""
    parser = ET.XMLPullParser(("end",))
    while True:
        chunk = fh.read(_CHUNK)
        if chunk:
            parser.feed(chunk)
        else:
            parser.close()  # ParseError: a truncated or damaged part
        for _, el in parser.read_events():
            if el.tag == _ROW:
                yield el
        if not chunk:
            return


def _parse_sheet(book: _Book, part: str) -> _Sheet:
    """Stream a worksheet part once: every cell's value, and the formulas without a cached
    value."""
    sst = book.shared_strings
    dates, durations, epoch = book._date_styles, book._timedelta_styles, book.epoch
    rows: list[tuple[int, list[tuple[int, Any]]]] = []
    uncached: dict[tuple[int, int], str] = {}
    row_counter = 0
    columns = _COLUMNS
    with book._zf.open(part) as fh:
        for el in _row_elements(fh):
            r = el.get("r")
            row_counter = row_counter + 1 if r is None else _row_number(r)
            col_counter = 0
            cells: list[tuple[int, Any]] = []
            for c in el:
                t = c.get("t", "n")
                ref = c.get("r")
                style = c.get("s", 0)
                if style:
                    style = int(style)
                text = None
                has_v = False
                inline = formula = last = None
                for child in c:
                    tag = child.tag
                    if tag == _V:
                        if not has_v:
                            has_v, text = True, child.text
                        last = child
                    elif tag == _F:
                        formula = child
                    elif tag == _IS:
                        if inline is None:
                            inline = child
                        last = child
                    else:
                        local = _local(tag)
                        if local == "f":
                            formula = child
                        elif local in ("v", "is"):
                            last = child
                if ref:
                    letters = ref.rstrip(_DIGITS)  # _coordinate(ref), inline (issue 15)
                    col = columns.get(letters) or _column_index(letters)
                    if len(letters) == len(ref):
                        raise ValueError(f"{ref} is not a cell reference")
                    row = -1  # the row of ref, when needed
                    col_counter = col
                else:
                    col_counter += 1
                    row, col = row_counter, col_counter
                value: Any = None if t == "inlineStr" else (text or None)
                if value is not None:
                    if t == "n":
                        value = (float(value) if "." in value or "E" in value or "e" in value
                                 else int(value))
                        if style in dates:
                            try:
                                value = _from_excel(value, epoch, style in durations)
                            except (OverflowError, ValueError):
                                value = "#VALUE!"
                    elif t == "s":
                        value = sst[int(value)]
                    elif t == "b":
                        value = bool(int(value))
                    elif t == "d":
                        value = _from_iso8601(value)
                elif t == "inlineStr" and inline is not None:
                    value = _text_content(inline)
                if formula is not None and (last is None or (last.text is None
                                                             and len(last) == 0)):
                    if row < 0:
                        row = int(ref[len(letters):])
                    uncached[(row, col)] = "=" + (formula.text or "")
                cells.append((col, value))
            el.clear()
            rows.append((row_counter, cells))
    return _Sheet(rows, uncached)
