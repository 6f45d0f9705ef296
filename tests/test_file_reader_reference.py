"""The stdlib reader of :mod:`xlkc.excel.file_reader` against the openpyxl reader it replaced
(issue 15; tests/openpyxl_reference.py): the same :class:`WorkbookData`, cell by cell, value
and Python type, on workbooks written by the builder, by ``xlkc berakna``, by openpyxl the way
a controller edits, by LibreOffice, and on hand-made sheet XML."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.excel_edit import WORKBOOK, edited_copy, table_box
from tests.openpyxl_reference import openpyxl_reference_read
from xlkc.excel import file_reader, reader_xml
from xlkc.excel.file_reader import UncachedFormula, read_workbook
from xlkc.excel.model import WorkbookData


def _typed(v: Any) -> Any:
    if isinstance(v, tuple):
        return tuple(_typed(x) for x in v)
    return type(v), v


def _comparable(data: WorkbookData) -> Any:
    """Every field, with each value beside its type (1, 1.0 and True compare equal)."""
    return (data.path, data.sheets,
            {k: (t.sheet, t.name, _typed(t.header), _typed(t.rows), t.first_row, t.stray_rows)
             for k, t in data.tables.items()},
            {k: _typed(v) for k, v in data.names.items()}, data.name_cells)


def assert_same_as_openpyxl(path: Path) -> WorkbookData:
    new = read_workbook(path)
    ref = openpyxl_reference_read(path)
    assert new == ref
    assert _comparable(new) == _comparable(ref)
    return new


def test_the_bundled_workbook():
    data = assert_same_as_openpyxl(WORKBOOK)
    assert data.tables and data.names


def test_a_scaled_workbook(tmp_path):
    from tests.scaling_support import scaled_example
    from xlkc.workbook.build import build_workbook

    path = tmp_path / "skala4.xlsm"
    build_workbook(path, inputs=scaled_example(4))
    data = assert_same_as_openpyxl(path)
    assert len(data.tables["tblKontakter"].rows) > 4 * 10


def test_the_output_of_xlkc_berakna(tmp_path):
    from xlkc.cli import main

    out = tmp_path / "ut.xlsm"
    assert main(["berakna", str(WORKBOOK), "-o", str(out)]) == 0
    data = assert_same_as_openpyxl(out)
    assert isinstance(data.names["StatusTid"], dt.datetime)  # written by the run


def _controller_edits(wb) -> None:
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    ws, c0, r0, c1, r1 = table_box(wb, "tblKontakter")
    for j, value in enumerate(["Ny tjänst", 1200, 3.5, True, dt.datetime(2026, 3, 1, 8, 30)]):
        ws.cell(r1 + 1, c0 + j, value)  # typed below the table
    ws.cell(r1 + 2, c0, "=1+2")  # a formula openpyxl saves without a value
    ws.cell(r1 + 2, c0 + 1, CellRichText(["Fet ", TextBlock(InlineFont(b=True), "text"), " "]))
    ws.cell(r1 + 2, c0 + 2, False)
    ws.cell(r1 + 2, c0 + 3, " mellanslag ")
    ws.cell(r1 + 5, c0, "efter en tom rad")  # a stray row
    ws.cell(r1 + 1, c0 + 2).number_format = "yyyy-mm-dd"
    ws.cell(r1 + 1, c0 + 2).value = 45000.75  # a number formatted as a date
    ps = wb["Parametrar"]
    (sheet, ref), = wb.defined_names["Beslutsdatum"].destinations
    ps[ref.replace("$", "")] = dt.datetime(2025, 11, 20)
    ps[ref.replace("$", "")].number_format = "yyyy-mm-dd"
    (sheet, ref), = wb.defined_names["Arendenummer"].destinations
    ps[ref.replace("$", "")] = "=\"KS \"&2025"
    ws2, *_ = table_box(wb, "tblKunder")
    del ws2.tables["tblKunder"]  # converted to a range: read at the layout's position


def test_a_copy_edited_with_openpyxl(tmp_path):
    path = edited_copy(tmp_path, "redigerad.xlsm", _controller_edits)
    data = assert_same_as_openpyxl(path)
    rows = data.tables["tblKontakter"].rows
    assert rows[-2][:2] == ("Ny tjänst", 1200)
    assert isinstance(rows[-2][2], dt.datetime) and rows[-2][3] is True
    assert rows[-1][0] == UncachedFormula("=1+2") and rows[-1][1] == "Fet text "
    assert rows[-1][2] is False and rows[-1][3] == " mellanslag "
    assert data.tables["tblKontakter"].stray_rows
    assert isinstance(data.names["Arendenummer"], UncachedFormula)
    assert data.names["Beslutsdatum"] == dt.datetime(2025, 11, 20)
    assert "tblKunder" in data.tables


def test_a_copy_saved_by_libreoffice(tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) saknas")
    edited = edited_copy(tmp_path, "redigerad.xlsm", _controller_edits)
    for source in (WORKBOOK, edited):
        out = tmp_path / f"lo-{source.stem}"
        subprocess.run([soffice, "--headless", "--norestore",
                        f"-env:UserInstallation=file://{tmp_path / 'lo-profil'}",
                        "--convert-to", "xlsm:Calc MS Excel 2007 VBA XML", "--outdir", str(out),
                        str(source)], capture_output=True, timeout=300, check=True)
        assert_same_as_openpyxl(out / source.name)


# --- hand-made sheet XML ---------------------------------------------------------------------

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _with_parts(tmp_path: Path, name: str, replace: dict[str, bytes]) -> Path:
    out = tmp_path / name
    with zipfile.ZipFile(WORKBOOK) as src, zipfile.ZipFile(out, "w",
                                                           zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = replace.get(info.filename, src.read(info.filename))
            dst.writestr(info.filename, data)
    return out


def _hand_made_sheet(date_style: int) -> bytes:
    """tblKontakter's range (A5:J27) in XML as other writers write it."""
    d = date_style
    rows = [
        # the header: inline strings (LibreOffice, other tools), one with runs
        '<row r="5">' + "".join(
            f'<c r="{c}5" t="inlineStr"><is><t>Rubrik {c}</t></is></c>' for c in "ABCDEFGH")
        + '<c r="I5" t="inlineStr"><is><r><t>Rubrik</t></r><r><rPr><b/></rPr>'
          '<t xml:space="preserve"> I </t></r><rPh sb="0" eb="1"><t>x</t></rPh></is></c></row>',
        # no r on cells: they follow each other from column A
        '<row r="6"><c t="inlineStr"><is><t>utan r</t></is></c><c><v>5</v></c><c><v>5.0</v></c>'
        '<c><v>1E3</v></c><c><v>-0.25</v></c><c t="b"><v>1</v></c><c t="b"><v>0</v></c>'
        '<c t="e"><v>#N/A</v></c><c t="e"><v>#DIV/0!</v></c><c t="s"><v>0</v></c></row>',
        # no r on the row either: the next row (7)
        '<row><c t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c><v/></c><c t="str"><v></v></c>'
        f'<c s="{d}"><v>45000</v></c><c s="{d}"><v>45000.5</v></c><c s="{d}"><v>0.25</v></c>'
        f'<c s="{d}"><v>30</v></c><c t="d"><v>2026-01-31T12:00:00</v></c>'
        '<c t="d"><v>2026-02-01</v></c><c t="inlineStr"/></row>',
        # a gap of one row, then cells out of order and beyond the table's columns
        '<row r="9"><c r="C9"><v>3</v></c><c r="A9" t="inlineStr"><is><t>sist först</t></is>'
        '</c><c r="L9"><v>99</v></c><c><v>12</v></c></row>',
        # formulas without a cached value, with r
        '<row r="10"><c r="A10"><f>1+1</f></c><c r="B10"><f>SUM(C1:C2)</f><v></v></c>'
        '<c r="C10" t="str"><f>"x"</f><v>x</v></c><c r="D10" t="inlineStr"><f>A1</f></c></row>',
        '<row r="12" spans="1:10"><c r="A12" t="inlineStr"><is><t xml:space="preserve">'
        '  två  ord </t></is></c><c r="B12"><v>0.1</v></c><c r="C12"><v>-7</v></c></row>',
        # below the table: typed rows, an empty row, a stray value
        '<row r="28"><c r="A28" t="inlineStr"><is><t>nedanför</t></is></c>'
        '<c r="B28"><v>1</v></c></row>',
        '<row r="29"/>',
        '<row r="31"><c r="E31"><v>4</v></c></row>',
    ]
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_NS}">'
            f'<dimension ref="A1:J12"/><sheetData>{"".join(rows)}</sheetData></worksheet>'
            ).encode()


@pytest.mark.parametrize("date1904", [False, True])
def test_hand_made_sheet_xml(tmp_path, date1904):
    with zipfile.ZipFile(WORKBOOK) as z:
        part = reader_xml._sheet_parts(z)["Kontakter"]
        workbook_xml = z.read("xl/workbook.xml")
        date_style = min(reader_xml._Book(z)._date_styles)
    replace = {part: _hand_made_sheet(date_style)}
    if date1904:
        replace["xl/workbook.xml"] = workbook_xml.replace(b"<workbookPr ",
                                                          b'<workbookPr date1904="1" ')
    path = _with_parts(tmp_path, "handgjord.xlsm", replace)
    data = assert_same_as_openpyxl(path)
    t = data.tables["tblKontakter"]
    assert t.header[-2:] == ("Rubrik I", "")  # stripped like every header
    first = t.rows[0]
    assert first[:8] == ("utan r", 5, 5.0, 1000.0, -0.25, True, False, "#N/A")
    assert [type(v) for v in first[1:4]] == [int, float, float]
    second = t.rows[1]
    assert second[:3] == ("ab", None, None)
    epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    assert second[3] == epoch + dt.timedelta(days=45000)
    assert second[5] == dt.time(6, 0)
    assert t.rows[2] == (None,) * 10  # row 8 is missing
    assert t.rows[3] == ("sist först", None, 3) + (None,) * 7  # L9 and M9 lie outside
    assert t.rows[4][:4] == (UncachedFormula("=1+1"), UncachedFormula("=SUM(C1:C2)"), "x",
                             UncachedFormula("=A1"))
    assert t.rows[6][0] == "  två  ord "
    assert t.rows[-1][:2] == ("nedanför", 1) and t.stray_rows == (31,)


def test_sheet_scoped_and_quoted_defined_names(tmp_path):
    with zipfile.ZipFile(WORKBOOK) as z:
        xml = z.read("xl/workbook.xml").decode()
    xml = xml.replace("<definedName name=\"Arbetsdagar\">'Parametrar'!$B$7",
                      "<definedName name=\"Arbetsdagar\" localSheetId=\"1\">'Parametrar'!$B$9"
                      "</definedName><definedName name=\"Arbetsdagar\">Parametrar!B8:B8")
    xml = xml.replace("<definedName name=\"Arendenummer\">'Parametrar'!$B$35",
                      "<definedName name=\"Arendenummer\">'Parametrar'!$B$35,'Parametrar'!$B$36")
    path = _with_parts(tmp_path, "namn.xlsm", {"xl/workbook.xml": xml.encode()})
    data = assert_same_as_openpyxl(path)
    assert data.name_cells["Arbetsdagar"] == ("Parametrar", 8, 2)


@pytest.mark.parametrize("value", [
    "'Parametrar'!$B$7", "Parametrar!B7", "Parametrar!$B$7:$B$7", "Parametrar!B7:C7",
    "'Föregående prislista'!$C$3", "'Kund''s blad'!$A$1", "Parametrar!$B$7 ", " Parametrar!B7",
    "Parametrar!$B:$B", "Parametrar!$7:$7", "#REF!", "Parametrar!#REF!", "$B$7", "5",
    "Parametrar!B7,Parametrar!B8", "(Parametrar!B7)", "SUM(Parametrar!B7)", "Parametrar!b7",
    "Parametrar!A1+Parametrar!A2", "Blad-1!A1", "'Blad-1'!A1", "Parametrar!ZZZ1", "",
    "[1]Blad!A1", "Parametrar!A0",
])
def test_a_defined_name_points_where_openpyxl_said(value):
    from openpyxl.workbook.defined_name import DefinedName

    class Book:
        defined_names = {"X": value}

    expected = None
    try:
        dests = list(DefinedName("X", attr_text=value).destinations)
        if len(dests) == 1:
            sheet, ref = dests[0]
            ref = ref.replace("$", "")
            first, _, last = ref.partition(":")
            if not last or first == last:
                from openpyxl.utils.cell import coordinate_to_tuple

                # openpyxl keeps a quoted name's doubled apostrophes; Excel means one.
                expected = (sheet.replace("''", "'"), *coordinate_to_tuple(first))
    except Exception:
        expected = None
    assert file_reader._name_destination(Book(), "X") == expected


def test_the_reader_does_not_import_openpyxl():
    code = ("import sys; import xlkc.excel.file_reader, xlkc.excel.parse, xlkc.excel.run; "
            "print('openpyxl' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True, cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(("cell", "message"), [
    ('<c r="A6" t="s"><v>999999</v></c>', "är skadad och kan inte läsas som Excel-arbetsbok"),
    ('<c r="A6" t="b"><v>ja</v></c>', "är skadad och kan inte läsas som Excel-arbetsbok"),
    ('<c r="6A"><v>1</v></c>', "är skadad och kan inte läsas som Excel-arbetsbok"),
    ('<c r="A6"><v>1</v>', "är skadad: arbetsbokens struktur går inte att läsa"),
])
def test_a_damaged_cell_is_reported_in_swedish(tmp_path, cell, message):
    from xlkc.errors import InputError

    with zipfile.ZipFile(WORKBOOK) as z:
        part = reader_xml._sheet_parts(z)["Kontakter"]
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_NS}"><sheetData>'
           f'<row r="6">{cell}</row></sheetData></worksheet>').encode()
    path = _with_parts(tmp_path, "skadad.xlsm", {part: xml})
    with pytest.raises(InputError, match=message):
        read_workbook(path)
