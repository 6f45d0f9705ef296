"""The VBA project of the committed workbook, read back with oletools, and the buttons' binding."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xlwings
from oletools.olevba import VBA_Parser

from xlkc import layout as L  # noqa: N812
from xlkc.errors import XlkcError
from xlkc.workbook import vba

COMMITTED = Path(__file__).resolve().parents[1] / "workbook" / "Prismodell.xlsm"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "pr": "http://schemas.openxmlformats.org/package/2006/relationships"}


@pytest.fixture(scope="module")
def modules() -> dict[str, str]:
    parser = VBA_Parser(str(COMMITTED))
    try:
        assert parser.detect_vba_macros()
        return {Path(vname).stem: code for _, _, vname, code in parser.extract_macros()}
    finally:
        parser.close()


def _body(code: str) -> list[str]:
    """Source lines without the Attribute header (the VBA editor's stream form differs there)."""
    lines = code.replace("\r\n", "\n").split("\n")
    skip = re.compile(r"^(Attribute VB_|VERSION 1\.0 CLASS|BEGIN$|\s+MultiUse|END$)")
    return [ln for ln in lines if not skip.match(ln)]


def test_project_holds_our_modules_and_one_document_module_per_sheet(modules):
    assert {"Prismodell", "xlwings", "Dictionary", "ThisWorkbook"} <= set(modules)
    assert {s.code_name for s in L.SHEETS} <= set(modules)


def test_buttons_macros_call_python_through_runpython(modules):
    code = modules["Prismodell"]
    assert re.search(r"^Public Sub BeraknaPriser\(\)\r$", code, re.M)
    assert re.search(r"^Public Sub ValideraIndata\(\)\r$", code, re.M)
    assert 'RunPython "import xlkc.excel; xlkc.excel.berakna_priser()"' in code
    assert 'RunPython "import xlkc.excel; xlkc.excel.validera_indata()"' in code
    assert "Beräkningen kunde inte startas." in code  # Swedish message, cp1252 round trip
    repo = (vba.VBA_DIR / "Prismodell.bas").read_bytes().decode("utf-8")
    assert _body(code) == _body(repo)


def test_xlwings_module_is_the_pinned_version(modules):
    code = modules["xlwings"]
    assert xlwings.__version__ == vba.XLWINGS_VERSION == "0.37.8"
    assert "'Version: 0.37.8" in code
    assert "xlwings64-0.37.8.dll" in code
    installed = (Path(xlwings.__file__).parent / "xlwings.bas").read_bytes().decode("utf-8")
    assert _body(code) == _body(installed)
    dictionary = (Path(xlwings.__file__).parent / "addin" / "Dictionary.cls")
    assert _body(modules["Dictionary"]) == _body(dictionary.read_bytes().decode("utf-8"))


def test_line_endings_are_crlf(modules):
    for name in ("Prismodell", "xlwings", "Dictionary"):
        code = modules[name]
        assert code.count("\r\n") > 10
        assert code.count("\n") == code.count("\r\n"), name  # no bare LF
        assert code.count("\r") == code.count("\r\n"), name  # no bare CR


def _zip_xml(z: zipfile.ZipFile, name: str) -> ET.Element:
    return ET.fromstring(z.read(name))


def _start_sheet_part(z: zipfile.ZipFile) -> str:
    wb = _zip_xml(z, "xl/workbook.xml")
    rid = next(s.get(f"{{{NS['r']}}}id") for s in wb.iterfind("m:sheets/m:sheet", NS)
               if s.get("name") == "Start")
    rels = _zip_xml(z, "xl/_rels/workbook.xml.rels")
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    return "xl/" + target.lstrip("/").removeprefix("xl/")


def test_start_buttons_are_bound_to_the_macros():
    with zipfile.ZipFile(COMMITTED) as z:
        part = _start_sheet_part(z)
        rels_name = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        rels = _zip_xml(z, rels_name)
        vml = [r.get("Target") for r in rels if r.get("Type", "").endswith("/vmlDrawing")]
        assert len(vml) == 1
        text = z.read("xl/" + vml[0].replace("../", "")).decode("utf-8")
    macros = re.findall(r"<x:FmlaMacro>\[0\]!([^<]+)</x:FmlaMacro>", text)
    assert macros == [m for _, m in L.BUTTONS] == ["Prismodell.BeraknaPriser",
                                                     "Prismodell.ValideraIndata",
                                                     "Prismodell.SkapaPDF",
                                                     "Prismodell.ImporteraStatistik",
                                                     "Prismodell.TestaKopplingen",
                                                     "Prismodell.NyttPrisar"]
    for caption, _ in L.BUTTONS:
        assert caption in text
    assert "Beräkna priser" in text and "Validera indata" in text and "Testa kopplingen" in text


def test_only_start_has_buttons():
    with zipfile.ZipFile(COMMITTED) as z:
        vmls = [n for n in z.namelist() if n.startswith("xl/drawings/vmlDrawing")]
    assert len(vmls) == 1


def test_macro_enabled_package_with_code_names():
    with zipfile.ZipFile(COMMITTED) as z:
        types = z.read("[Content_Types].xml").decode("utf-8")
        assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
        assert "application/vnd.ms-office.vbaProject" in types
        assert "xl/vbaProject.bin" in z.namelist()
        wb = _zip_xml(z, "xl/workbook.xml")
        assert wb.find("m:workbookPr", NS).get("codeName") == "ThisWorkbook"


def test_vba_modules_hook_normalises_to_crlf_and_keeps_order():
    mods = vba.vba_modules()
    names = [n for n, _ in mods]
    assert "Prismodell" in names
    assert names.index("xlwings") + 1 == names.index("Dictionary")
    for _, src in mods:
        assert "\n" not in src.replace("\r\n", "")
    assert vba.is_class(dict(mods)["Dictionary"]) and not vba.is_class(dict(mods)["xlwings"])


def test_wrong_xlwings_version_stops_the_build(monkeypatch):
    monkeypatch.setattr(xlwings, "__version__", "0.30.0")
    with pytest.raises(XlkcError, match="Fel version av xlwings: 0.30.0"):
        vba.xlwings_modules()


def test_duplicate_module_names_stop_the_build(monkeypatch):
    monkeypatch.setattr(vba, "generated_modules", lambda: [("Prismodell", "Sub X()\nEnd Sub\n")])
    with pytest.raises(XlkcError, match="samma namn: Prismodell"):
        vba.vba_modules()


def test_generated_module_reaches_the_project(monkeypatch, tmp_path):
    """The hook: a module returned by generated_modules() is compiled into the workbook."""
    from xlkc.workbook.build import build_workbook

    src = 'Attribute VB_Name = "xlwings_udfs"\nFunction KC_TEST()\n    KC_TEST = 1\nEnd Function\n'
    monkeypatch.setattr(vba, "generated_modules", lambda: [("xlwings_udfs", src)])
    out = build_workbook(tmp_path / "med_udf.xlsm")
    parser = VBA_Parser(str(out))
    try:
        got = {Path(v).stem: c for _, _, v, c in parser.extract_macros()}
    finally:
        parser.close()
    assert "Function KC_TEST()\r\n" in got["xlwings_udfs"]


def _sub(code: str, name: str) -> str:
    m = re.search(rf"^Public Sub {name}\(\)\r?\n(.*?)^End Sub", code, re.M | re.S)
    assert m, name
    return m.group(1)


def test_testa_kopplingen_checks_the_interpreter_before_runpython(modules):
    """The interpreter named on xlwings.conf (the platform's key, expanded by xlwings'
    GetConfig) must exist before RunPython runs; otherwise a Swedish message names the path."""
    body = _sub(modules["Prismodell"], "TestaKopplingen")
    lines = body.replace("\r\n", "\n").split("\n")

    def first(needle: str) -> int:
        return next(i for i, ln in enumerate(lines) if needle in ln)

    assert 'nyckel = "INTERPRETER_MAC"' in body and 'nyckel = "INTERPRETER_WIN"' in body
    assert first('tolk = GetConfig(nyckel, "")') < first("If Not FileExists(tolk) Then") \
        < first("RunPython")
    missing = lines[first("If Not FileExists(tolk) Then"):first("RunPython")]
    assert any('MsgBox "Python hittas inte:" & vbCrLf & tolk' in ln for ln in missing)
    assert any("Exit Sub" in ln for ln in missing)  # no RunPython after the message
    assert any("Ingen Python är angiven på bladet xlwings.conf" in ln for ln in lines)
    assert ('RunPython "import xlkc.excel; xlkc.excel.testa_kopplingen(\'" & XLWINGS_VERSION & '
            '"\')"') in body
    # the xlwings module provides what the Sub calls
    xl = modules["xlwings"]
    for decl in (r"^Function FileExists\(", r"^Function GetConfig\(",
                 r'^Public Const XLWINGS_VERSION As String = "0\.37\.8"'):
        assert re.search(decl, xl, re.M), decl
