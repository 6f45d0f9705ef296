"""The limits a workbook file must keep before the reader expands it: a hostile or broken package
is refused with a Swedish :class:`~xlkc.errors.InputError` (:mod:`xlkc.excel.file_reader` calls
:func:`_check_container` first; the package writer does too, for its source file).

Before anything is expanded, :func:`_check_container` refuses what is not a regular file (FIFO,
folder, device: never opened) and packages over these limits (constants below): more than
10 000 zip members; a member that expands to more than 256 MiB or all together to more than
1 GiB; a member over 1 MiB compressed more than 100 times (a zip bomb); a shared-string table
with more than 2 000 000 strings or a string over 32 767 characters (Excel's limit per cell);
a worksheet with a row beyond 1 048 576 or a column beyond XFD (16 384). The shared strings and
worksheets are streamed for this, 1 MiB at a time. The first bytes tell an old .xls file and a
password-protected one from a zip package.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import zipfile
import zlib
from pathlib import Path
from typing import Any
from xml.parsers import expat

from xlkc.errors import InputError
from xlkc.excel.reader_xml import _CHUNK, _rels

#: Compound File Binary (OLE2) signature: an encrypted .xlsx/.xlsm, or an old .xls.
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK"
#: Stream names of an encrypted OOXML package inside its CFB container (UTF-16LE directory).
_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))


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

