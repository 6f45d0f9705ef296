"""Read a workbook file into :class:`~xlkc.excel.model.WorkbookData` with openpyxl.

The file is opened for reading only and never written. openpyxl runs in read-only mode (rows are
streamed, about twice as fast as a full load on large sheets); since read-only worksheets do not
expose their Excel Tables, the tables' names and ranges are read from the package's table parts
directly (``xl/tables/tableN.xml`` via the sheets' relationships).

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
Excel file, a damaged or truncated file, a password-protected file, an old .xls file. Missing
sheets and tables raise :class:`~xlkc.errors.ValidationError`, one problem each.
"""

from __future__ import annotations

import errno
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

import openpyxl
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

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
            table_refs = _table_refs(zf)
            uncached = {sheet: _uncached_formulas(zf, part)
                        for sheet, part in _sheet_parts(zf).items()
                        if sheet in {s.name for s in L.SHEETS if s.role == "input"}}
    except zipfile.BadZipFile as exc:
        raise InputError(f"'{name}' är skadad eller ofullständig och kan inte läsas "
                         f"(zip-arkivet är trasigt). Använd en säkerhetskopia.") from exc
    except (KeyError, ET.ParseError) as exc:
        raise InputError(f"'{name}' är skadad: arbetsbokens struktur går inte att läsa "
                         f"({exc}).") from exc
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True, keep_links=False)
    except InputError:
        raise
    except Exception as exc:  # openpyxl fails in many ways on a damaged package
        raise InputError(f"'{name}' är skadad och kan inte läsas som Excel-arbetsbok "
                         f"({type(exc).__name__}: {exc}).") from exc
    try:
        return _read(wb, name, table_refs, uncached)
    except (InputError, ValidationError):
        raise
    except Exception as exc:  # a damaged sheet part is only found while streaming it
        raise InputError(f"'{name}' är skadad och kan inte läsas som Excel-arbetsbok "
                         f"({type(exc).__name__}: {exc}).") from exc
    finally:
        wb.close()


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
        return  # a damaged part: openpyxl's error says so


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


class UncachedFormula(str):
    """A formula cell saved without its computed value (a tool that does not calculate)."""

    __slots__ = ()


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
