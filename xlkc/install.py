"""``xlkc installera``: prepare a copy of the workbook for the Python it is run with.

What it does, in order:

1. finds the interpreter Excel should start: on Windows ``pythonw.exe`` beside ``python.exe``
   (no console window), elsewhere ``sys.executable`` (:func:`interpreter_for`);
2. reads the xlwings version the workbook's VBA module was made for – the module names its DLL
   ``xlwings64-<version>.dll`` and declares ``XLWINGS_VERSION`` – straight from
   ``xl/vbaProject.bin`` (:func:`workbook_xlwings_version`: an OLE file, the module stream
   decompressed as MS-OVBA 2.4.1 describes) and compares it with the installed xlwings; a
   mismatch stops here, nothing is written;
3. writes ``INTERPRETER_WIN`` (Windows) or ``INTERPRETER_MAC`` (elsewhere), ``UDF MODULES`` and
   ``PYTHONPATH`` into the sheet ``xlwings.conf`` (:func:`conf_values`). ``PYTHONPATH`` is left
   empty when the interpreter imports ``xlkc`` and ``xlkc_udfs`` on its own (an installed wheel);
   otherwise it names the folders they were imported from here (a checkout on ``PYTHONPATH``);
4. only that sheet's XML part changes (:func:`patch_conf_sheet`); every other part of the package
   is copied byte for byte, the file is written as every write is (a temporary file, then an
   atomic replace; a replaced file is kept as a timestamped backup).

Nothing here imports xlwings (its version comes from the package metadata) or needs Excel.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import io
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

from xlkc import layout as L  # noqa: N812
from xlkc.errors import XlkcError
from xlkc.excel.xml_text import escape, unescape

#: Default name of the prepared copy, in the current folder.
DEFAULT_OUTPUT = "Prismodell.xlsm"
#: The UDF module named on xlwings.conf.
UDF_MODULE = "xlkc_udfs"

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class InstallError(XlkcError):
    """The workbook cannot be prepared for this Python (a Swedish message says why)."""


# --- the interpreter -----------------------------------------------------------------------------

def interpreter_for(platform: str = sys.platform, executable: str = sys.executable) -> str:
    """The interpreter Excel should start: ``pythonw.exe`` beside ``python.exe`` on Windows
    (when it is there), else ``executable`` itself."""
    if platform == "win32" and PureWindowsPath(executable).name.lower() == "python.exe":
        pythonw = executable[:-len("python.exe")] + "pythonw.exe"
        if os.path.exists(pythonw):
            return pythonw
    return executable


def conf_key(platform: str = sys.platform) -> str:
    """The xlwings.conf key of the interpreter on ``platform``."""
    return "INTERPRETER_WIN" if platform == "win32" else "INTERPRETER_MAC"


def installed_xlwings_version() -> str | None:
    """The installed xlwings version (package metadata; xlwings is not imported)."""
    try:
        return importlib.metadata.version("xlwings")
    except importlib.metadata.PackageNotFoundError:
        return None


def _origins() -> dict[str, Path]:
    """Folder each of xlkc and the UDF package is imported from, here."""
    out = {}
    for name in ("xlkc", UDF_MODULE):
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.origin:
            raise InstallError(f"Python-paketet {name} hittas inte i den här Python-installationen")
        out[name] = Path(spec.origin).resolve().parent.parent  # the folder holding the package
    return out


def python_path(executable: str = sys.executable) -> str:
    """What PYTHONPATH must hold for ``executable`` to import xlkc and xlkc_udfs as this process
    does: empty when it finds them on its own (without PYTHONPATH, from another folder)."""
    here = _origins()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = ("import importlib.util as u, pathlib as p\n"
            f"for n in ('xlkc', '{UDF_MODULE}'):\n"
            "    s = u.find_spec(n)\n"
            "    print(p.Path(s.origin).resolve().parent.parent if s and s.origin else '')\n")
    try:
        out = subprocess.run([executable, "-I", "-c", code], capture_output=True, text=True,
                             env=env, cwd=Path.home(), timeout=60, check=True).stdout.split("\n")
        found = [Path(x) if x else None for x in out[:2]]
    except (OSError, subprocess.SubprocessError):
        found = [None, None]
    dirs: list[str] = []
    for (_, folder), there in zip(here.items(), found, strict=True):
        if there != folder and str(folder) not in dirs:
            dirs.append(str(folder))
    return ";".join(dirs)


# --- the VBA project -----------------------------------------------------------------------------

def decompress(data: bytes) -> bytes:
    """MS-OVBA 2.4.1 decompression of a CompressedContainer (signature byte 0x01)."""
    if not data or data[0] != 1:
        raise ValueError("not a compressed VBA container")
    out = bytearray()
    pos = 1
    while pos < len(data) - 1:
        header = int.from_bytes(data[pos:pos + 2], "little")
        size = (header & 0x0FFF) + 3
        end = min(pos + size, len(data))
        pos += 2
        chunk_start = len(out)
        if not header & 0x8000:  # raw chunk
            out += data[pos:pos + 4096]
            pos += 4096
            continue
        while pos < end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= end:
                    break
                if not flags & (1 << bit):
                    out.append(data[pos])
                    pos += 1
                    continue
                token = int.from_bytes(data[pos:pos + 2], "little")
                pos += 2
                n = len(out) - chunk_start
                bits = max((n - 1).bit_length(), 4)
                length = (token & (0xFFFF >> bits)) + 3
                offset = (token >> (16 - bits)) + 1
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


def _dir_modules(dir_stream: bytes) -> dict[str, tuple[str, int]]:
    """Module name -> (stream name, offset of its compressed source), from the dir stream."""
    modules: dict[str, tuple[str, int]] = {}
    name = stream = None
    pos = 0
    while pos + 6 <= len(dir_stream):
        rec = int.from_bytes(dir_stream[pos:pos + 2], "little")
        size = int.from_bytes(dir_stream[pos + 2:pos + 6], "little")
        pos += 6
        if rec == 0x0009:  # PROJECTVERSION: its Size says 4, six bytes follow
            size = 6
        body = dir_stream[pos:pos + size]
        pos += size
        if rec == 0x0019:
            name = body.decode("latin-1")
        elif rec == 0x001A:
            stream = body.decode("latin-1")
        elif rec == 0x0031 and name is not None:
            modules[name] = (stream or name, int.from_bytes(body[:4], "little"))
    return modules


def vba_sources(xlsm: bytes | str | os.PathLike[str]) -> dict[str, str]:
    """Module name -> source text of the workbook's VBA project (empty without one)."""
    import olefile

    raw = xlsm if isinstance(xlsm, bytes) else Path(xlsm).read_bytes()
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        if "xl/vbaProject.bin" not in z.namelist():
            return {}
        project = z.read("xl/vbaProject.bin")
    with olefile.OleFileIO(project) as ole:
        modules = _dir_modules(decompress(ole.openstream("VBA/dir").read()))
        out = {}
        for name, (stream, offset) in modules.items():
            data = ole.openstream(f"VBA/{stream}").read()
            out[name] = decompress(data[offset:]).decode("cp1252", errors="replace")
    return out


_VERSION_RE = re.compile(r'XLWINGS_VERSION As String = "([^"]+)"|xlwings(?:32|64)-([\d.]+)\.dll')


def workbook_xlwings_version(xlsm: bytes | str | os.PathLike[str]) -> str | None:
    """The xlwings version the workbook's VBA module was made for (None without one)."""
    for code in vba_sources(xlsm).values():
        m = _VERSION_RE.search(code)
        if m:
            return m.group(1) or m.group(2)
    return None


# --- the sheet xlwings.conf ----------------------------------------------------------------------

def _sheet_part(z: zipfile.ZipFile, sheet: str) -> str:
    from xml.etree import ElementTree as ET

    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rid = None
    for s in wb.iter(f"{{{_NS_MAIN}}}sheet"):
        if s.get("name") == sheet:
            rid = s.get(f"{{{_NS_REL}}}id")
    if rid is None:
        raise InstallError(f"arbetsboken har inget blad {sheet}")
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def _shared_strings(z: zipfile.ZipFile) -> list[str]:
    from xml.etree import ElementTree as ET

    if "xl/sharedStrings.xml" not in z.namelist():
        return []
    root = ET.fromstring(z.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(f"{{{_NS_MAIN}}}t"))
            for si in root.iter(f"{{{_NS_MAIN}}}si")]


_ROW_RE = re.compile(r'<row r="(\d+)"[^>]*?(?:/>|>.*?</row>)', re.S)
_CELL_RE = re.compile(r'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)


def _cell_text(attrs: str, inner: str | None, strings: list[str]) -> str:
    if inner is None:
        return ""
    if 't="s"' in attrs:
        m = re.search(r"<v>(\d+)</v>", inner)
        return strings[int(m.group(1))] if m else ""
    if 't="inlineStr"' in attrs:
        return unescape("".join(re.findall(r"<t[^>]*>(.*?)</t>", inner, re.S)), _QUOTES)
    m = re.search(r"<v>(.*?)</v>", inner, re.S)
    return unescape(m.group(1), _QUOTES) if m else ""


_QUOTES = {"&quot;": '"', "&apos;": "'"}


def _inline(ref: str, style: str, text: str) -> str:
    s = f' s="{style}"' if style else ""
    if not text:
        return f'<c r="{ref}"{s}/>'
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def read_conf(xlsm: bytes) -> dict[str, str]:
    """The sheet xlwings.conf as xlwings reads it: column A from A1 to the first empty cell,
    each key with the text beside it in column B."""
    with zipfile.ZipFile(io.BytesIO(xlsm)) as z:
        part = _sheet_part(z, L.CONFIG_SHEET)
        xml = z.read(part).decode("utf-8")
        strings = _shared_strings(z)
    cells: dict[tuple[int, str], str] = {}
    for m in _CELL_RE.finditer(xml):
        cells[(int(m.group(2)), m.group(1))] = _cell_text(m.group(3), m.group(4), strings)
    out: dict[str, str] = {}
    row = 1
    while cells.get((row, "A")):
        out[cells[(row, "A")]] = cells.get((row, "B"), "")
        row += 1
    return out


def patch_conf_sheet(xlsm: bytes, values: dict[str, str]) -> bytes:
    """``xlsm`` with the B cells of ``values``' keys on xlwings.conf set (inline text, the cell's
    style kept); every other part of the package byte for byte. A key not on the sheet is added
    below the last key (xlwings reads column A down to the first empty cell)."""
    src = zipfile.ZipFile(io.BytesIO(xlsm))
    part = _sheet_part(src, L.CONFIG_SHEET)
    xml = src.read(part).decode("utf-8")
    strings = _shared_strings(src)
    keys: dict[str, int] = {}
    rows = {int(m.group(1)): m for m in _ROW_RE.finditer(xml)}
    r = 1
    while r in rows:
        a = next((c for c in _CELL_RE.finditer(rows[r].group(0)) if c.group(1) == "A"), None)
        text = _cell_text(a.group(3), a.group(4), strings) if a else ""
        if not text:
            break
        keys[text.upper()] = r
        r += 1
    next_row = r
    for key, value in values.items():
        row = keys.get(key.upper())
        if row is None:
            if next_row in rows:
                raise InstallError(f"bladet {L.CONFIG_SHEET} har ingen rad {key} och ingen tom "
                                 f"rad under nycklarna i kolumn A")
            new = (f'<row r="{next_row}">{_inline(f"A{next_row}", "", key)}'
                   f'{_inline(f"B{next_row}", "", value)}</row>')
            before = min((n for n in rows if n > next_row), default=None)
            if before is None:
                xml = xml.replace("</sheetData>", new + "</sheetData>", 1) \
                    if "</sheetData>" in xml else xml.replace("<sheetData/>",
                                                              f"<sheetData>{new}</sheetData>", 1)
            else:
                xml = xml.replace(rows[before].group(0), new + rows[before].group(0), 1)
            keys[key.upper()] = next_row
            next_row += 1
            rows = {int(m.group(1)): m for m in _ROW_RE.finditer(xml)}
            continue
        row_xml = rows[row].group(0)
        b = next((c for c in _CELL_RE.finditer(row_xml) if c.group(1) == "B"), None)
        if b is not None:
            style = (re.search(r'\bs="(\d+)"', b.group(3)) or [None, ""])[1]
            new_row = row_xml.replace(b.group(0), _inline(f"B{row}", style, value), 1)
        else:
            a = next(c for c in _CELL_RE.finditer(row_xml) if c.group(1) == "A")
            new_row = row_xml.replace(a.group(0), a.group(0) + _inline(f"B{row}", "", value), 1)
        xml = xml.replace(row_xml, new_row, 1)
        rows = {int(m.group(1)): m for m in _ROW_RE.finditer(xml)}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = xml.encode("utf-8") if info.filename == part else src.read(info.filename)
            dst.writestr(info, data, compress_type=info.compress_type)
    src.close()
    return out.getvalue()


# --- the command ---------------------------------------------------------------------------------

@dataclass
class Installation:
    """What ``installera`` found and wrote."""

    source: Path
    target: Path
    interpreter: str
    key: str
    values: dict[str, str]
    xlwings_installed: str | None
    xlwings_workbook: str | None
    backup: Path | None = None
    notes: list[str] = field(default_factory=list)


def conf_values(platform: str = sys.platform, executable: str = sys.executable,
                pythonpath: str | None = None) -> dict[str, str]:
    """The xlwings.conf entries ``installera`` writes for ``executable`` on ``platform``."""
    exe = interpreter_for(platform, executable)
    return {conf_key(platform): exe, "UDF MODULES": UDF_MODULE,
            "PYTHONPATH": python_path(executable) if pythonpath is None else pythonpath}


def check_versions(xlsm: bytes) -> tuple[str | None, str | None]:
    """(installed xlwings, the workbook's); raises InstallError when they differ."""
    installed, embedded = installed_xlwings_version(), workbook_xlwings_version(xlsm)
    if embedded is None:
        raise InstallError("arbetsboken har ingen xlwings-modul i sitt VBA-projekt; använd den "
                         "arbetsbok som följer med xlkc")
    if installed is None:
        raise InstallError(f"xlwings är inte installerat; kör: pip install xlwings=={embedded}")
    if installed != embedded:
        raise InstallError(f"arbetsbokens VBA är gjord för xlwings {embedded}, men xlwings "
                         f"{installed} är installerat; kör: pip install xlwings=={embedded}")
    return installed, embedded


def install(source: str | os.PathLike[str], target: str | os.PathLike[str], *,
            platform: str = sys.platform, executable: str = sys.executable,
            pythonpath: str | None = None, overwrite_source: bool = False) -> Installation:
    """Write a copy of ``source`` prepared for ``executable`` to ``target`` (``source`` itself
    only with ``overwrite_source``), as every write is made (``xlkc.excel.safe_write.save``:
    a lock, a temporary file, a timestamped backup of a replaced file)."""
    from xlkc.excel.safe_write import SaveError, save

    src, dst = Path(source), Path(target)
    xlsm = src.read_bytes()
    installed, embedded = check_versions(xlsm)
    values = conf_values(platform, executable, pythonpath)
    try:
        saved = save(dst, patch_conf_sheet(xlsm, values), source=src,
                     overwrite_source=overwrite_source)
    except SaveError as exc:
        raise InstallError(str(exc)) from None
    return Installation(src, saved.path, values[conf_key(platform)], conf_key(platform), values,
                        installed, embedded, saved.backup)


def report(inst: Installation, platform: str = sys.platform) -> str:
    """What ``installera`` did and what to do next, in Swedish."""
    lines = [f"Arbetsboken är förberedd: {inst.target.resolve()}"]
    if inst.backup is not None:
        lines.append(f"Den förra versionen är sparad som {inst.backup.name}")
    lines += ["", f"På bladet {L.CONFIG_SHEET}:"]
    for k, v in inst.values.items():
        lines.append(f"  {k} = {v if v else '(tomt)'}")
    lines += ["", f"xlwings {inst.xlwings_installed} är installerat, samma version som "
              "arbetsbokens VBA-modul.", "", "Nästa steg:",
              "  1. Öppna arbetsboken i Excel och klicka Aktivera innehåll (makron).",
              "  2. Lägg mappen med arbetsboken bland betrodda platser (Arkiv > Alternativ > "
              "Säkerhetscenter > Betrodda platser), annars kan Excel blockera makrona i en "
              "nedladdad fil (högerklicka filen > Egenskaper > Avblockera).",
              "  3. Klicka Testa kopplingen på bladet Start: den visar Python-, xlkc- och "
              "xlwings-versionerna.",
              "  4. Klicka Validera indata och sedan Beräkna priser."]
    if platform != "win32":
        lines += ["", "Kalkylbladsfunktionerna KC_… (för egna formler) kräver Excel för Windows; "
                  "bladet Ny tjänst räknar med vanliga formler och fungerar överallt."]
    return "\n".join(lines)
