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
  dropped. Columns are matched by header text later, in :mod:`xlkc.excel.parse`.

Named cells are read where their workbook-scoped defined name points (a controller may have
inserted rows above them), else at the layout's position.

Before anything is expanded, :func:`_check_container` refuses what is not a regular file (FIFO,
folder, device: never opened) and packages over these limits (constants below): more than
10 000 zip members; a member that expands to more than 256 MiB or all together to more than
1 GiB; a member over 1 MiB compressed more than 100 times (a zip bomb); a shared-string table
with more than 2 000 000 strings or a string over 32 767 characters (Excel's limit per cell);
a worksheet with a row beyond 1 048 576 or a column beyond XFD (16 384). The shared strings and
worksheets are streamed for this, 1 MiB at a time.

Failures to open the file raise :class:`~xlkc.errors.InputError` with a Swedish message: not an
Excel file, a damaged or truncated file (also a damaged part found while streaming it), a
password-protected file, an old .xls file. Missing
sheets and tables raise :class:`~xlkc.errors.ValidationError`, one problem each.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import gc
import os
import posixpath
import re
import stat
import zipfile
import zlib
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET
from xml.parsers import expat

from xlkc import layout as L  # noqa: N812
from xlkc.errors import InputError, Problem, ValidationError
from xlkc.excel.model import RawTable, WorkbookData

__all__ = ["UncachedFormula", "read_inputs", "read_workbook"]

#: Compound File Binary (OLE2) signature: an encrypted .xlsx/.xlsm, or an old .xls.
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK"
#: Stream names of an encrypted OOXML package inside its CFB container (UTF-16LE directory).
_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
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
                with _no_gc():
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


@contextlib.contextmanager
def _no_gc():
    """The cyclic garbage collector paused while the cells are read: they are hundreds of
    thousands of small tuples and lists kept alive to the end, which every collection would scan
    again and again (at 1000x the example more than half the reading time; no cycles are made)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- the container ---------------------------------------------------------------------------

def _check_container(p: Path) -> None:
    """Refuse, with a Swedish message, what is not a readable workbook - before it is expanded.

    Not opened at all: a missing path, a folder, anything but a regular file (a FIFO would block
    for ever, a device never end). Then the first bytes tell an old .xls or a password-protected
    file from a zip package, and :func:`_check_package` checks the zip's members and parts
    against the limits above.
    """
    name = p.name
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise InputError(f"Filen '{p}' finns inte.") from None
    except OSError as exc:
        raise InputError(f"'{p}' kan inte läsas ({_os_text(exc)}).") from exc
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"'{p}' är en mapp, inte en Excel-fil.")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"'{p}' är ingen vanlig fil (en pipe, en enhet eller liknande). "
                         "Ange arbetsboken som en fil.")
    try:
        with open(p, "rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise InputError(f"'{p}' kan inte läsas ({_os_text(exc)}).") from exc
    if head.startswith(CFB_MAGIC):
        if _is_encrypted_package(p):
            raise InputError(f"'{name}' är lösenordsskyddad och kan inte läsas. Spara en kopia "
                             f"utan lösenord (Arkiv > Info > Skydda arbetsbok > Kryptera med "
                             f"lösenord: töm fältet) och försök igen.")
        raise InputError(f"'{name}' är i det gamla Excel-formatet (.xls). Spara den som "
                         f"Excel-arbetsbok med makron (.xlsm) och försök igen.")
    if not head.startswith(ZIP_MAGIC):
        what = "tom" if not head else "inte en Excel-fil (.xlsm eller .xlsx)"
        raise InputError(f"'{name}' är {what}. Välj arbetsboken Prismodell.xlsm.")
    try:
        with zipfile.ZipFile(p) as zf:
            _check_package(zf, name)
    except zipfile.BadZipFile:
        return  # read_workbook says it is damaged
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"'{name}' är skadad eller ofullständig och kan inte läsas "
                         f"({type(exc).__name__}). Använd en säkerhetskopia.") from exc


def _os_text(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "åtkomst nekad; kontrollera behörigheten eller stäng filen i andra program"
    return f"operativsystemets fel {errno.errorcode.get(exc.errno or 0, type(exc).__name__)}"


# --- limits: a hostile or broken package is refused before it is expanded ---------------------

#: Members of the zip package (a workbook has some tens; thousands would be pictures at most).
MAX_MEMBERS = 10_000
#: Uncompressed size of one member, and of all together (the zip's central directory declares
#: them; Python's zipfile never expands a member beyond its declared size).
MAX_PART_BYTES = 256 * 2**20
MAX_TOTAL_BYTES = 1024 * 2**20
#: Compression ratio (uncompressed / compressed) of a member over :data:`RATIO_FLOOR_BYTES`:
#: worksheet XML compresses 5-20 times, a zip bomb thousands of times.
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 2**20
#: Excel's limits (Excel specifications and limits): rows, columns, characters in one cell.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLS = 16_384
EXCEL_MAX_CELL_CHARS = 32_767
#: Unique shared strings: a price model holds some thousands; more than this is not a workbook
#: this tool can have written or a controller typed (and would take minutes to load).
MAX_SHARED_STRINGS = 2_000_000

_CHUNK = 1 << 20
_SST_REL = "/relationships/sharedStrings"
_WS_REL = "/relationships/worksheet"
#: A row or cell reference that may lie beyond Excel's grid: a column of three letters or more,
#: or a row number of seven digits or more (rare in a real sheet; checked exactly when found).
#: The literal prefix keeps the scan fast (tens of MB/s).
_SUSPECT_REF = re.compile(rb'r="([A-Za-z]{3,}|[A-Za-z]{0,2}(?=\d{7}))([A-Za-z]*)(\d+)"')
#: The start of a shared string.
_SI = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")


def _too_big(name: str, what: str) -> InputError:
    return InputError(f"'{name}' kan inte läsas: {what}. En sådan fil är skadad eller inte en "
                      "arbetsbok från Prismodell; använd en säkerhetskopia.")


def _check_package(zf: zipfile.ZipFile, name: str) -> None:
    """The limits above, from the zip's directory and by streaming the shared strings and the
    worksheets (never more than :data:`_CHUNK` bytes of one in memory)."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _too_big(name, f"zip-arkivet har {len(infos)} delar (högst {MAX_MEMBERS})")
    total = 0
    for info in infos:
        size = info.file_size
        total += size
        if size > MAX_PART_BYTES:
            raise _too_big(name, f"delen {info.filename} packas upp till {size // 2**20} MB "
                           f"(högst {MAX_PART_BYTES // 2**20} MB)")
        if size > RATIO_FLOOR_BYTES and size > MAX_RATIO * max(info.compress_size, 1):
            raise _too_big(name, f"delen {info.filename} är packad "
                           f"{size // max(info.compress_size, 1)} gånger (högst {MAX_RATIO}), "
                           "som en zip-bomb")
    if total > MAX_TOTAL_BYTES:
        raise _too_big(name, f"zip-arkivet packas upp till {total // 2**20} MB "
                       f"(högst {MAX_TOTAL_BYTES // 2**20} MB)")
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names:
        return
    for _, rel_type, target in _rels(zf, "xl/workbook.xml"):
        if target not in names:
            continue
        if rel_type.endswith(_SST_REL):
            _check_shared_strings(zf, target, name)
        elif rel_type.endswith(_WS_REL):
            _check_sheet_refs(zf, target, name)


def _check_shared_strings(zf: zipfile.ZipFile, part: str, name: str) -> None:
    """At most :data:`MAX_SHARED_STRINGS` strings of at most 32 767 characters each.

    Fast pass: the strings are counted by their start tags; a string can only be longer than
    32 767 characters where two starts lie more than 32 767 bytes apart, and only then is the
    part parsed exactly (:func:`_check_shared_string_texts`)."""
    n = 0
    last = 0  # offset of the last string's start
    offset = 0  # of the chunk
    long_gap = False
    tail = b""
    with zf.open(part) as fh:
        while chunk := fh.read(_CHUNK):
            data = tail + chunk
            base = offset - len(tail)
            for m in _SI.finditer(data):
                pos = base + m.start()
                if pos < last + 1 and n:
                    continue  # seen in the previous chunk's tail
                n += 1
                long_gap = long_gap or pos - last > EXCEL_MAX_CELL_CHARS
                last = pos
            if n > MAX_SHARED_STRINGS:
                raise _too_big(name, f"{part} har mer än {MAX_SHARED_STRINGS:,} olika texter"
                               .replace(",", " "))
            offset += len(chunk)
            tail = data[-64:]
    if long_gap or offset - last > EXCEL_MAX_CELL_CHARS:
        _check_shared_string_texts(zf, part, name)


class _TooLong(Exception):
    pass


def _check_shared_string_texts(zf: zipfile.ZipFile, part: str, name: str) -> None:
    """Every shared string's text at most 32 767 characters (streamed with expat; phonetic
    runs do not count, as in Excel)."""
    state = {"n": 0, "chars": 0, "in_t": 0, "in_rph": 0}

    def start(tag: str, attrs: Any) -> None:
        local = tag.rsplit(" ", 1)[-1]
        if local == "si":
            state["n"] += 1
            state["chars"] = 0
        elif local == "t" and not state["in_rph"]:
            state["in_t"] += 1
        elif local == "rPh":
            state["in_rph"] += 1

    def end(tag: str) -> None:
        local = tag.rsplit(" ", 1)[-1]
        if local == "t" and state["in_t"]:
            state["in_t"] -= 1
        elif local == "rPh":
            state["in_rph"] -= 1

    def text(data: str) -> None:
        if state["in_t"]:
            state["chars"] += len(data)
            if state["chars"] > EXCEL_MAX_CELL_CHARS:
                raise _TooLong(f"text nr {state['n']} har fler än {EXCEL_MAX_CELL_CHARS} tecken "
                               "(Excels gräns för en cell)")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        with zf.open(part) as fh:
            while chunk := fh.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _TooLong as exc:
        raise _too_big(name, f"{part} har {exc}") from None
    except expat.ExpatError:
        return  # a damaged part: read_workbook says so when it reads it


def _check_sheet_refs(zf: zipfile.ZipFile, part: str, name: str) -> None:
    """No row beyond row 1 048 576, no cell beyond column XFD (16 384)."""
    tail = b""
    with zf.open(part) as fh:
        while chunk := fh.read(_CHUNK):
            data = tail + chunk
            for m in _SUSPECT_REF.finditer(data):
                if m.start() == 0 or data[m.start() - 1] not in b" \t\r\n":
                    continue  # not the attribute r (e.g. the end of another name)
                col = (m.group(1) + m.group(2)).upper()
                row = int(m.group(3))
                if row > EXCEL_MAX_ROWS or len(col) > 3 or (len(col) == 3 and col > b"XFD"):
                    where = f"rad {row}" if not col else f"cellen {col.decode()}{row}"
                    raise _too_big(name, f"{part} har {where} utanför Excels {EXCEL_MAX_ROWS} "
                                   f"rader och {EXCEL_MAX_COLS} kolumner")
            tail = data[-64:]


def _is_encrypted_package(p: Path) -> bool:
    """An OLE container holding an encrypted OOXML package (a password-protected workbook)."""
    data = p.read_bytes()
    return any(s in data for s in _ENCRYPTED_STREAMS)


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


# --- the package's parts, read with the standard library (issue 15) -------------------------
#
# One pass over each needed worksheet's XML gives its cell values and its formulas without a
# cached value. The values are those openpyxl gives in read-only ``data_only`` mode (the reader
# used before; tests/openpyxl_reference.py keeps it as the reference): shared and inline strings
# as their plain text (rich-text runs joined, phonetic runs left out), numbers as int or float
# as their text reads, booleans, error values as their text (#N/A), and numbers whose cell style
# has a date or time number format as datetime, time or timedelta (1900 or 1904 date system).

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
