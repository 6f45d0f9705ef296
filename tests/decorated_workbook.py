"""A copy of the bundled workbook carrying what a controller's file may hold beyond xlkc's own
content, on the input sheet Kontakter and in the package, for the preservation tests.

Made with real tools where one writes it: xlsxwriter writes a donor workbook with a sparkline,
a picture, a conditional format and a cell comment on a sheet named Kontakter, and those parts
and elements are moved into the copy. The rest is hand-written OOXML after the examples of
ECMA-376 and [MS-XLSX]: a threaded comment with its person list, a table slicer (slicer part,
slicer cache, the sheet's and the workbook's x14/x15 extension lists), SharePoint-style
``customXml`` parts and, in Kontakter's first volume cell, the formula ``=40000*0,95`` with its
cached value (38 000, the value the cell had, so the inputs and prices stay the example's).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import xlsxwriter

from xlkc import layout as L  # noqa: N812

SHEET = L.sheet_of(L.T_CONTACTS.name).name  # Kontakter
#: The input cell holding a formula: the first volume of Kontakter.
FORMULA_ROW = L.FIRST_DATA_ROW
FORMULA_COL = L.sheet(SHEET).table_origin(L.T_CONTACTS.name)[1] + L.T_CONTACTS.column_index(
    "volume")
FORMULA_TEXT = "40000*0.95"
FORMULA_VALUE = 38000.0

#: Parts added to the package (all to be kept byte for byte by the writer).
ADDED = (
    "xl/drawings/drawing90.xml", "xl/drawings/_rels/drawing90.xml.rels", "xl/media/image90.png",
    "xl/drawings/vmlDrawing90.vml", "xl/comments90.xml",
    "xl/threadedComments/threadedComment1.xml", "xl/persons/person.xml",
    "xl/slicers/slicer1.xml", "xl/slicerCaches/slicerCache1.xml",
    "customXml/item1.xml", "customXml/itemProps1.xml", "customXml/_rels/item1.xml.rels",
)

_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PERSON_ID = "{6A1E2B47-0C5D-4E8A-9A6B-2B1F7E0C9D11}"

THREADED_COMMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/'
    'threadedcomments" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    f'<threadedComment ref="A1" dT="2026-11-20T10:15:00.00" personId="{_PERSON_ID}" '
    'id="{0C2F7A3B-5E1D-4B6C-8F9A-1D2E3F4A5B6C}"><text>Volymerna kommer från växelns '
    "statistik för oktober.</text></threadedComment></ThreadedComments>")
PERSONS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments" '
    'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    f'<person displayName="Controller Kontaktcenter" id="{_PERSON_ID}" '
    'userId="controller@example.se" providerId="AD"/></personList>')
SLICER = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<slicers xmlns="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x" '
    'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<slicer name="Kanal" cache="Utsnitt_Kanal" caption="Kanal" rowHeight="241300"/></slicers>')
SLICER_CACHE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<slicerCacheDefinition xmlns="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x" '
    'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" name="Utsnitt_Kanal" '
    'sourceName="Kanal"><extLst><x:ext uri="{2F2917AC-EB37-4324-AD4E-5DD8C200BD13}" '
    'xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main">'
    '<x15:tableSlicerCache tableId="4" column="2"/></x:ext></extLst></slicerCacheDefinition>')
CUSTOM_ITEM = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
    '<p:properties xmlns:p="http://schemas.microsoft.com/office/2006/metadata/properties" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><documentManagement>'
    '<TaxCatchAll xmlns="3f1c2e4a-7b8d-4c6e-9a0b-1d2e3f4a5b6c"/></documentManagement>'
    '</p:properties>')
CUSTOM_PROPS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
    '<ds:datastoreItem ds:itemID="{8B2C5A31-4D6E-4F70-9A1B-2C3D4E5F6A7B}" '
    'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"><ds:schemaRefs>'
    '<ds:schemaRef ds:uri="http://schemas.microsoft.com/office/2006/metadata/properties"/>'
    '</ds:schemaRefs></ds:datastoreItem>')
CUSTOM_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/customXmlProps" Target="itemProps1.xml"/></Relationships>')


def png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x2e\x75\xb6")) + chunk(b"IEND", b""))


def _donor(tmp: Path) -> dict[str, bytes]:
    """xlsxwriter's parts for a sparkline, a picture, a conditional format and a comment."""
    path = tmp / "donor.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet(SHEET)
    ws.add_sparkline("J6", {"range": f"{SHEET}!C6:C8", "markers": True})
    ws.insert_image("L2", "logo.png", {"image_data": io.BytesIO(png_1x1())})
    ws.conditional_format("E6:E20", {"type": "cell", "criteria": ">", "value": 20,
                                     "format": wb.add_format({"bold": True})})
    ws.write_comment("A1", "Kontrollera volymerna före beräkningen.")
    wb.close()
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _element(xml: str, name: str) -> str:
    m = re.search(rf"<{name}\b.*?</{name}>", xml, re.S)
    assert m, name
    return m.group(0)


def _add_rels(xml: str, rels: list[tuple[str, str, str]]) -> str:
    new = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{g}"/>' for i, t, g in rels)
    return xml.replace("</Relationships>", new + "</Relationships>")


def decorate(src: Path, dst: Path, tmp: Path, *, calc_chain: bool = False,
             full_calc: bool = True, dependent_formula: bool = False) -> Path:
    """Write ``dst``: ``src`` with the extras above (see the module doc). ``calc_chain`` adds
    an ``xl/calcChain.xml``; ``full_calc=False`` drops ``fullCalcOnLoad``;
    ``dependent_formula`` puts a formula over the price list on the sheet Ny tjänst."""
    donor = _donor(tmp)
    with zipfile.ZipFile(src) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    book = parts["xl/workbook.xml"].decode()
    book_rels = parts["xl/_rels/workbook.xml.rels"].decode()
    rid = re.search(rf'<sheet name="{SHEET}" sheetId="\d+" r:id="(rId\d+)"', book).group(1)
    sheet_part = "xl/" + re.search(rf'Id="{rid}" [^>]*Target="([^"]+)"', book_rels).group(1)
    sheet_rels = sheet_part.replace("worksheets/", "worksheets/_rels/") + ".rels"
    sheet = parts[sheet_part].decode()
    donor_sheet = donor["xl/worksheets/sheet1.xml"].decode()

    # the formula with its cached value in the first volume cell
    ref = f"{L.col_letter(FORMULA_COL)}{FORMULA_ROW}"
    sheet, n = re.subn(rf'(<c r="{ref}"[^>]*?)><v>[^<]*</v></c>',
                       rf"\1><f>{FORMULA_TEXT}</f><v>{FORMULA_VALUE:g}</v></c>", sheet)
    assert n == 1
    # conditional format (a dxf the bundled styles have), before the data validations
    cf = _element(donor_sheet, "conditionalFormatting")
    at = sheet.index("<dataValidations") if "<dataValidations" in sheet else sheet.index(
        "<pageMargins")
    sheet = sheet[:at] + cf + sheet[at:]
    # picture and legacy comment drawing, before the table parts
    at = sheet.index("<tableParts")
    sheet = sheet[:at] + '<drawing r:id="rIdX1"/><legacyDrawing r:id="rIdX2"/>' + sheet[at:]
    # sparklines (xlsxwriter) and the slicer list, as the sheet's extension list
    sparklines = _element(donor_sheet, "extLst")[len("<extLst>"):-len("</extLst>")]
    slicers = ('<ext uri="{3A4CF648-6AED-40f4-86FF-DC5316D8AED3}" xmlns:x15="http://schemas.'
               'microsoft.com/office/spreadsheetml/2010/11/main"><x14:slicerList xmlns:x14="'
               'http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:slicer '
               'r:id="rIdX5"/></x14:slicerList></ext>')
    sheet = sheet.replace("</worksheet>", f"<extLst>{sparklines}{slicers}</extLst></worksheet>")
    parts[sheet_part] = sheet.encode()
    parts[sheet_rels] = _add_rels(parts[sheet_rels].decode(), [
        ("rIdX1", f"{_R}/drawing", "../drawings/drawing90.xml"),
        ("rIdX2", f"{_R}/vmlDrawing", "../drawings/vmlDrawing90.vml"),
        ("rIdX3", f"{_R}/comments", "../comments90.xml"),
        ("rIdX4", "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment",
         "../threadedComments/threadedComment1.xml"),
        ("rIdX5", "http://schemas.microsoft.com/office/2007/relationships/slicer",
         "../slicers/slicer1.xml"),
    ]).encode()
    parts["xl/drawings/drawing90.xml"] = donor["xl/drawings/drawing1.xml"]
    parts["xl/drawings/_rels/drawing90.xml.rels"] = donor[
        "xl/drawings/_rels/drawing1.xml.rels"].replace(b"image1.png", b"image90.png")
    parts["xl/media/image90.png"] = donor["xl/media/image1.png"]
    # the buttons' drawing uses shape ids from 1025 (idmap 1): the comment's go to 2049
    parts["xl/drawings/vmlDrawing90.vml"] = donor["xl/drawings/vmlDrawing1.vml"].replace(
        b"_x0000_s1025", b"_x0000_s2049").replace(b'data="1"', b'data="2"')
    parts["xl/comments90.xml"] = donor["xl/comments1.xml"]
    parts["xl/threadedComments/threadedComment1.xml"] = THREADED_COMMENT.encode()
    parts["xl/persons/person.xml"] = PERSONS.encode()
    parts["xl/slicers/slicer1.xml"] = SLICER.encode()
    parts["xl/slicerCaches/slicerCache1.xml"] = SLICER_CACHE.encode()
    parts["customXml/item1.xml"] = CUSTOM_ITEM.encode()
    parts["customXml/itemProps1.xml"] = CUSTOM_PROPS.encode()
    parts["customXml/_rels/item1.xml.rels"] = CUSTOM_RELS.encode()

    rels = [("rIdX6", "http://schemas.microsoft.com/office/2017/10/relationships/person",
             "persons/person.xml"),
            ("rIdX7", "http://schemas.microsoft.com/office/2007/relationships/slicerCache",
             "slicerCaches/slicerCache1.xml"),
            ("rIdX8", f"{_R}/customXml", "../customXml/item1.xml")]
    if calc_chain:
        rels.append(("rIdX9", f"{_R}/calcChain", "calcChain.xml"))
        parts["xl/calcChain.xml"] = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns="http://'
            b'schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="B4" i="1" l="1"/>'
            b'<c r="O6" i="18"/><c r="P6" i="18"/></calcChain>')
    parts["xl/_rels/workbook.xml.rels"] = _add_rels(book_rels, rels).encode()
    book = book.replace("</workbook>", (
        '<extLst><ext uri="{46BE6895-7355-4a93-B00E-2C351335B9C9}" xmlns:x15="http://schemas.'
        'microsoft.com/office/spreadsheetml/2010/11/main"><x15:slicerCaches xmlns:x14="http://'
        'schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:slicerCache r:id="rIdX7"/>'
        "</x15:slicerCaches></ext></extLst></workbook>"))
    if not full_calc:
        book = book.replace(' fullCalcOnLoad="1"', "")
    parts["xl/workbook.xml"] = book.encode()
    if dependent_formula:
        nt_rid = re.search(rf'<sheet name="{L.NY_TJANST}" sheetId="\d+" r:id="(rId\d+)"',
                           book).group(1)
        nt_part = "xl/" + re.search(rf'Id="{nt_rid}" [^>]*Target="([^"]+)"', book_rels).group(1)
        nt = parts[nt_part].decode()
        cell = f'<c r="Z1"><f>SUM({L.T_PRICES.name}[Pris])</f><v>0</v></c>'
        nt = re.sub(r'(<row r="1"[^>]*>.*?)(</row>)', lambda m: m.group(1) + cell + m.group(2),
                    nt, count=1, flags=re.S)
        parts[nt_part] = nt.encode()

    ct = parts["[Content_Types].xml"].decode()
    overrides = {
        "/xl/drawings/drawing90.xml": "application/vnd.openxmlformats-officedocument.drawing+xml",
        "/xl/comments90.xml":
            "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml",
        "/xl/threadedComments/threadedComment1.xml": "application/vnd.ms-excel.threadedcomments+xml",
        "/xl/persons/person.xml": "application/vnd.ms-excel.person+xml",
        "/xl/slicers/slicer1.xml": "application/vnd.ms-excel.slicer+xml",
        "/xl/slicerCaches/slicerCache1.xml": "application/vnd.ms-excel.slicerCache+xml",
        "/customXml/itemProps1.xml":
            "application/vnd.openxmlformats-officedocument.customXmlProperties+xml",
    }
    if calc_chain:
        overrides["/xl/calcChain.xml"] = (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml")
    new = "".join(f'<Override PartName="{k}" ContentType="{v}"/>' for k, v in overrides.items())
    if 'Extension="png"' not in ct:
        new = '<Default Extension="png" ContentType="image/png"/>' + new
    parts["[Content_Types].xml"] = ct.replace("</Types>", new + "</Types>").encode()

    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return dst
