"""Excel's limits and the package's invariants, on the bundled workbook and on `berakna`'s output.

Read straight from the OOXML (zipfile + ElementTree, no openpyxl) so the checks hold for any
writer: Excel's specifications and limits (cell text 32 767 characters, formula 8 192 characters,
1 048 576 rows, 16 384 columns, sheet names of at most 31 characters without []:*?/\\), tables
(names and ids unique, header cells equal to the tableColumn names, autoFilter over the table's
ref, no two tables overlapping), defined names (valid, unique in their scope, pointing at sheets
that exist), styles (every style index within cellXfs, every xf's font, fill, border and number
format defined), rows and cells in ascending order.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

import xlkc
from tests.roundtrip_support import BUNDLED
from xlkc.cli import main
from xlkc.inputs import Customer
from xlkc.workbook.build import build_workbook

M = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
NS = {"m": M, "r": R, "pr": PR}
MAX_ROWS, MAX_COLS = 1_048_576, 16_384
MAX_CELL_TEXT = 32_767
MAX_FORMULA = 8_192
FIRST_CUSTOM_NUMFMT = 164
BAD_SHEET_CHARS = set("[]:*?/\\")


def col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


_REF = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]{1,7})$")


def cell_ref(ref: str) -> tuple[int, int]:
    """'B12' -> (12, 2)."""
    m = _REF.match(ref)
    assert m, f"not a cell reference: {ref!r}"
    return int(m.group(2)), col_number(m.group(1))


def area(ref: str) -> tuple[int, int, int, int]:
    """'A1:C5' -> (first row, first col, last row, last col)."""
    first, _, last = ref.partition(":")
    r1, c1 = cell_ref(first)
    r2, c2 = cell_ref(last or first)
    assert r1 <= r2 and c1 <= c2, ref
    return r1, c1, r2, c2


def _text(el: ET.Element | None) -> str:
    """The text of a <si>/<is>: its <t>, or the <t> of each rich run (not phonetic runs)."""
    if el is None:
        return ""
    t = el.find("m:t", NS)
    if t is not None:
        return t.text or ""
    return "".join(r.findtext("m:t", "", NS) for r in el.findall("m:r", NS))


@dataclass
class Sheet:
    name: str
    part: str
    root: ET.Element
    tables: list[tuple[str, ET.Element]] = field(default_factory=list)


@dataclass
class Package:
    path: Path
    names: set[str]
    workbook: ET.Element
    styles: ET.Element
    shared: list[str]
    sheets: list[Sheet]
    kind: str = "bundled"  # or the berakna case it came from

    def cell_texts(self, sheet: Sheet) -> dict[tuple[int, int], str]:
        """(row, col) -> the shown text of every string cell (shared, inline, formula str)."""
        out = {}
        for c in sheet.root.iterfind("m:sheetData/m:row/m:c", NS):
            t = c.get("t")
            if t == "s":
                out[cell_ref(c.get("r"))] = self.shared[int(c.findtext("m:v", "", NS))]
            elif t == "inlineStr":
                out[cell_ref(c.get("r"))] = _text(c.find("m:is", NS))
            elif t == "str":
                out[cell_ref(c.get("r"))] = c.findtext("m:v", "", NS)
        return out


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """rId -> (type, target part) of ``part``'s relationships."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    if rels_name not in z.namelist():
        return {}
    out = {}
    for rel in ET.fromstring(z.read(rels_name)).iterfind("pr:Relationship", NS):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(folder, target))
        out[rel.get("Id")] = (rel.get("Type").rsplit("/", 1)[-1], target)
    return out


def load(path: Path) -> Package:
    z = zipfile.ZipFile(path)
    names = set(z.namelist())
    main_part = next(t for ty, t in _rels(z, "").values() if ty == "officeDocument")
    workbook = ET.fromstring(z.read(main_part))
    wb_rels = _rels(z, main_part)
    styles_part = next(t for ty, t in wb_rels.values() if ty == "styles")
    shared_parts = [t for ty, t in wb_rels.values() if ty == "sharedStrings"]
    shared = [] if not shared_parts else [
        _text(si) for si in ET.fromstring(z.read(shared_parts[0])).iterfind("m:si", NS)]
    sheets = []
    for s in workbook.iterfind("m:sheets/m:sheet", NS):
        kind, part = wb_rels[s.get(f"{{{R}}}id")]
        if kind != "worksheet":
            continue
        sheet = Sheet(s.get("name"), part, ET.fromstring(z.read(part)))
        rels = _rels(z, part)
        for tp in sheet.root.iterfind("m:tableParts/m:tablePart", NS):
            tkind, tpart = rels[tp.get(f"{{{R}}}id")]
            assert tkind == "table"
            sheet.tables.append((tpart, ET.fromstring(z.read(tpart))))
        sheets.append(sheet)
    pkg = Package(path, names, workbook, ET.fromstring(z.read(styles_part)), shared, sheets)
    z.close()
    return pkg


def _many_warnings(folder: Path) -> Path:
    """The example with 200 customers that take nothing, ids of 133 characters: one warning each,
    about 40 000 characters of warnings for Start's Varningar cell and the Körlogg's message."""
    base = xlkc.example_inputs()
    extra = tuple(Customer(f"Oanvänd-{i:03d}-" + "x" * 120, f"Kund {i}") for i in range(200))
    return build_workbook(folder / "manga_varningar.xlsm",
                          dataclasses.replace(base, customers=base.customers + extra))


@pytest.fixture(scope="module", params=["bundled", "berakna", "berakna-many-warnings"])
def pkg(request, tmp_path_factory) -> Package:
    if request.param == "bundled":
        return load(BUNDLED)
    folder = tmp_path_factory.mktemp("grans")
    source = BUNDLED if request.param == "berakna" else _many_warnings(folder)
    out = folder / "beraknad.xlsm"
    assert main(["berakna", str(source), "-o", str(out)]) == 0
    return dataclasses.replace(load(out), kind=request.param)


# --- sheets --------------------------------------------------------------------------------------

def test_sheet_names_ids_and_relationships(pkg):
    sheets = pkg.workbook.findall("m:sheets/m:sheet", NS)
    names = [s.get("name") for s in sheets]
    for name in names:
        assert 1 <= len(name) <= 31, name
        assert not set(name) & BAD_SHEET_CHARS, name
        assert not name.startswith("'") and not name.endswith("'"), name
        assert name.lower() != "history"  # reserved by Excel
    assert len({n.casefold() for n in names}) == len(names)
    ids = [int(s.get("sheetId")) for s in sheets]
    assert len(set(ids)) == len(ids) and min(ids) >= 1
    rids = [s.get(f"{{{R}}}id") for s in sheets]
    assert len(set(rids)) == len(rids)
    assert len(pkg.sheets) == len(sheets) > 20


def test_rows_and_cells_within_limits_and_in_ascending_order(pkg):
    for sheet in pkg.sheets:
        last_row = 0
        for row in sheet.root.iterfind("m:sheetData/m:row", NS):
            r = int(row.get("r"))
            assert last_row < r <= MAX_ROWS, f"{sheet.name}: row {r} after {last_row}"
            last_row = r
            last_col = 0
            for c in row.iterfind("m:c", NS):
                cr, cc = cell_ref(c.get("r"))
                assert cr == r, f"{sheet.name}!{c.get('r')} in row {r}"
                assert last_col < cc <= MAX_COLS, f"{sheet.name}!{c.get('r')} out of order"
                last_col = cc
        dim = sheet.root.find("m:dimension", NS)
        if dim is not None:
            r1, c1, r2, c2 = area(dim.get("ref"))
            assert r2 <= MAX_ROWS and c2 <= MAX_COLS
        last = 0
        for col in sheet.root.iterfind("m:cols/m:col", NS):
            lo, hi = int(col.get("min")), int(col.get("max"))
            assert last < lo <= hi <= MAX_COLS, f"{sheet.name}: <col> {lo}-{hi} after {last}"
            last = hi


def test_cell_text_and_formulas_within_excels_limits(pkg):
    assert all(len(s) <= MAX_CELL_TEXT for s in pkg.shared)
    for sheet in pkg.sheets:
        for c in sheet.root.iterfind("m:sheetData/m:row/m:c", NS):
            t = c.get("t")
            v = c.findtext("m:v", None, NS)
            if t == "s":
                assert v is not None and 0 <= int(v) < len(pkg.shared), c.get("r")
            elif t in ("str", "inlineStr"):
                text = v if t == "str" else _text(c.find("m:is", NS))
                assert len(text or "") <= MAX_CELL_TEXT, f"{sheet.name}!{c.get('r')}"
            elif t == "b":
                assert v in ("0", "1"), f"{sheet.name}!{c.get('r')}"
            elif t == "e":
                assert v is not None
            elif v:  # a number (t="n" or none); <v/> only beside a formula (no cached value)
                float(v)
            elif v is not None:
                assert c.find("m:f", NS) is not None, f"{sheet.name}!{c.get('r')}: empty <v>"
            f = c.find("m:f", NS)
            if f is not None and f.text:
                assert len(f.text) <= MAX_FORMULA, f"{sheet.name}!{c.get('r')}"
        for texts in pkg.cell_texts(sheet).values():
            assert len(texts) <= MAX_CELL_TEXT


def test_sizes_lists_and_headers_within_excels_limits(pkg):
    """Column width 255 characters, row height 409 points, a header or footer 255 characters, a
    literal drop-down list (dataValidation type list, "a,b,c") 255 characters, an input or error
    title 32 and message 255 characters (xlsxwriter enforces the same)."""
    for sheet in pkg.sheets:
        for col in sheet.root.iterfind("m:cols/m:col", NS):
            assert 0 <= float(col.get("width", "0")) <= 255, sheet.name
        for row in sheet.root.iterfind("m:sheetData/m:row", NS):
            assert 0 <= float(row.get("ht", "0")) <= 409, f"{sheet.name} row {row.get('r')}"
        for hf in sheet.root.iterfind("m:headerFooter/*", NS):
            assert len(hf.text or "") <= 255, sheet.name
        for dv in sheet.root.iterfind("m:dataValidations/m:dataValidation", NS):
            for sq in (dv.get("sqref") or "").split():
                r1, c1, r2, c2 = area(sq)
                assert r2 <= MAX_ROWS and c2 <= MAX_COLS
            f1 = dv.findtext("m:formula1", "", NS)
            if dv.get("type") == "list" and f1.startswith('"'):
                assert len(f1) - 2 <= 255, f"{sheet.name} {dv.get('sqref')}: list of {len(f1)}"
            for key, limit in (("promptTitle", 32), ("errorTitle", 32), ("prompt", 255),
                               ("error", 255)):
                assert len(dv.get(key) or "") <= limit, f"{sheet.name} {key}"
    assert _count(pkg.styles, "cellXfs") <= 65_490  # unique cell formats


def test_merged_cells_do_not_overlap(pkg):
    for sheet in pkg.sheets:
        cells: set[tuple[int, int]] = set()
        for mc in sheet.root.iterfind("m:mergeCells/m:mergeCell", NS):
            r1, c1, r2, c2 = area(mc.get("ref"))
            block = {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
            assert not cells & block, f"{sheet.name}: {mc.get('ref')} overlaps"
            cells |= block


def test_outline_levels_are_declared(pkg):
    """Grouped rows or columns: sheetFormatPr's outlineLevelRow/outlineLevelCol is at least the
    deepest level used (Excel always writes it and sizes the outline bar, the +/- buttons, by it).
    """
    problems = []
    for sheet in pkg.sheets:
        fmt = sheet.root.find("m:sheetFormatPr", NS)
        for what, items, attr in (
                ("columns", sheet.root.iterfind("m:cols/m:col", NS), "outlineLevelCol"),
                ("rows", sheet.root.iterfind("m:sheetData/m:row", NS), "outlineLevelRow")):
            deepest = max((int(i.get("outlineLevel", "0")) for i in items), default=0)
            assert deepest <= 7, f"{sheet.name}: {what} grouped {deepest} deep"
            declared = int(fmt.get(attr, "0")) if fmt is not None else 0
            if declared < deepest:
                problems.append(f"{sheet.name}: {what} grouped to level {deepest}, "
                                f"{attr}={declared}")
    if problems and pkg.kind != "bundled":
        pytest.xfail("issue 10: the openpyxl writer drops outlineLevelCol: " + "; ".join(problems))
    assert not problems
    if pkg.kind == "bundled":  # Prislista's detail columns are grouped: the check has work
        assert any(c.get("outlineLevel") for s in pkg.sheets
                   for c in s.root.iterfind("m:cols/m:col", NS))


# --- tables --------------------------------------------------------------------------------------

#: A defined or table name: a letter, _ or \\ first, then letters, digits, _ . \\ ?.
_NAME = re.compile(r"^[A-Za-z_\\\u00c0-\uffff][A-Za-z0-9_.\\?\u00c0-\uffff]*$")


def _looks_like_a_reference(name: str) -> bool:
    """Excel refuses names that read as a cell (A1, XFD1048576) or as R1C1 (R, C, R1C2)."""
    if re.fullmatch(r"[A-Za-z]{1,3}[0-9]+", name):
        letters = re.match(r"[A-Za-z]+", name).group(0).upper()
        return col_number(letters) <= MAX_COLS
    return bool(re.fullmatch(r"(?i)(r[0-9]*c?[0-9]*|c[0-9]*)", name))


def test_tables_have_unique_names_and_ids(pkg):
    names, ids = [], []
    for sheet in pkg.sheets:
        for part, t in sheet.tables:
            for key in ("name", "displayName"):
                n = t.get(key)
                assert n and len(n) <= 255 and _NAME.match(n), f"{part}: {key} {n!r}"
                assert not _looks_like_a_reference(n), n
            names.append(t.get("displayName").casefold())
            ids.append(int(t.get("id")))
    assert len(set(names)) == len(names)
    assert len(set(ids)) == len(ids) and min(ids) >= 1
    defined = {d.get("name").casefold() for d in pkg.workbook.iterfind(
        "m:definedNames/m:definedName", NS)}
    assert not defined & set(names), "a table named like a defined name"
    assert len(names) >= 20


def test_table_headers_columns_and_autofilter(pkg):
    for sheet in pkg.sheets:
        texts = pkg.cell_texts(sheet)
        for part, t in sheet.tables:
            r1, c1, r2, c2 = area(t.get("ref"))
            assert r2 <= MAX_ROWS and c2 <= MAX_COLS
            cols = t.findall("m:tableColumns/m:tableColumn", NS)
            assert int(t.find("m:tableColumns", NS).get("count")) == len(cols) == c2 - c1 + 1
            col_names = [c.get("name") for c in cols]
            assert len({n.casefold() for n in col_names}) == len(col_names), part
            col_ids = [int(c.get("id")) for c in cols]
            assert len(set(col_ids)) == len(col_ids), part
            header_rows = int(t.get("headerRowCount", "1"))
            totals = int(t.get("totalsRowCount", "0"))
            assert r2 - r1 + 1 >= header_rows + totals + 1, f"{part}: no data row"
            if header_rows:
                header = [texts.get((r1, c)) for c in range(c1, c2 + 1)]
                assert header == col_names, f"{sheet.name} {t.get('name')}: header cells"
            af = t.find("m:autoFilter", NS)
            if af is not None:
                af_ref = af.get("ref")
                want = t.get("ref") if not totals else \
                    f"{t.get('ref').split(':')[0]}:{_addr(r2 - totals, c2)}"
                assert area(af_ref) == area(want), f"{part}: autoFilter {af_ref}"


def _addr(row: int, col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def test_tables_do_not_overlap_each_other_or_merged_cells(pkg):
    for sheet in pkg.sheets:
        boxes = [(t.get("name"), area(t.get("ref"))) for _, t in sheet.tables]
        boxes += [("merge " + m.get("ref"), area(m.get("ref")))
                  for m in sheet.root.iterfind("m:mergeCells/m:mergeCell", NS)]
        for i, (n1, (a1, b1, a2, b2)) in enumerate(boxes):
            for n2, (x1, y1, x2, y2) in boxes[i + 1:]:
                apart = a2 < x1 or x2 < a1 or b2 < y1 or y2 < b1
                assert apart, f"{sheet.name}: {n1} overlaps {n2}"


def test_table_style_references_exist(pkg):
    dxfs = pkg.styles.find("m:dxfs", NS)
    n_dxf = 0 if dxfs is None else len(dxfs)
    for sheet in pkg.sheets:
        for part, t in sheet.tables:
            for el in [t, *t.findall("m:tableColumns/m:tableColumn", NS)]:
                for key in ("headerRowDxfId", "dataDxfId", "totalsRowDxfId",
                            "headerRowBorderDxfId", "tableBorderDxfId", "totalsRowBorderDxfId"):
                    if el.get(key) is not None:
                        assert int(el.get(key)) < n_dxf, f"{part}: {key}"


# --- defined names -------------------------------------------------------------------------------

_SHEET_IN_REF = re.compile(r"(?:'((?:[^']|'')+)'|([A-Za-z_\u00c0-\uffff][\w.\u00c0-\uffff]*))!")


def test_defined_names_are_valid_unique_and_point_at_sheets(pkg):
    sheet_names = [s.get("name") for s in pkg.workbook.iterfind("m:sheets/m:sheet", NS)]
    known = {n.casefold() for n in sheet_names}
    seen = set()
    names = pkg.workbook.findall("m:definedNames/m:definedName", NS)
    for d in names:
        name = d.get("name")
        scope = d.get("localSheetId")
        if scope is not None:
            assert 0 <= int(scope) < len(sheet_names), name
        key = (name.casefold(), scope)
        assert key not in seen, f"defined name {name} twice in one scope"
        seen.add(key)
        if name.startswith("_xlnm."):
            assert name in ("_xlnm.Print_Titles", "_xlnm.Print_Area", "_xlnm._FilterDatabase",
                            "_xlnm.Criteria", "_xlnm.Extract", "_xlnm.Sheet_Title",
                            "_xlnm.Consolidate_Area", "_xlnm.Database"), name
        else:
            assert len(name) <= 255 and _NAME.match(name), name
            assert not _looks_like_a_reference(name), name
        text = d.text or ""
        assert text and "#REF!" not in text, f"{name}: {text!r}"
        for quoted, plain in _SHEET_IN_REF.findall(text):
            target = quoted.replace("''", "'") if quoted else plain
            assert target.casefold() in known, f"{name} points at a missing sheet {target!r}"
    assert len(names) > 10


# --- styles --------------------------------------------------------------------------------------

def _count(styles: ET.Element, tag: str) -> int:
    el = styles.find(f"m:{tag}", NS)
    if el is None:
        return 0
    n = len(el)
    if el.get("count") is not None:
        assert int(el.get("count")) == n, f"{tag} count {el.get('count')} != {n}"
    return n


def test_style_records_reference_what_exists(pkg):
    s = pkg.styles
    n_fonts, n_fills, n_borders = _count(s, "fonts"), _count(s, "fills"), _count(s, "borders")
    n_style_xfs, n_xfs = _count(s, "cellStyleXfs"), _count(s, "cellXfs")
    _count(s, "cellStyles")
    _count(s, "dxfs")
    num_fmts = {int(f.get("numFmtId")) for f in s.iterfind("m:numFmts/m:numFmt", NS)}
    assert all(i >= FIRST_CUSTOM_NUMFMT for i in num_fmts)
    if s.find("m:numFmts", NS) is not None:
        _count(s, "numFmts")
    assert n_xfs >= 1 and n_fonts >= 1 and n_fills >= 2 and n_borders >= 1
    for group, limit_xf in (("cellStyleXfs", None), ("cellXfs", n_style_xfs)):
        for xf in s.iterfind(f"m:{group}/m:xf", NS):
            assert int(xf.get("fontId", "0")) < n_fonts
            assert int(xf.get("fillId", "0")) < n_fills
            assert int(xf.get("borderId", "0")) < n_borders
            fmt = int(xf.get("numFmtId", "0"))
            assert fmt < FIRST_CUSTOM_NUMFMT or fmt in num_fmts, f"numFmtId {fmt}"
            if limit_xf is not None and xf.get("xfId") is not None:
                assert int(xf.get("xfId")) < limit_xf
    for cs in s.iterfind("m:cellStyles/m:cellStyle", NS):
        assert int(cs.get("xfId")) < n_style_xfs


def test_every_style_index_is_within_cellxfs(pkg):
    n_xfs = _count(pkg.styles, "cellXfs")
    used = 0
    for sheet in pkg.sheets:
        for row in sheet.root.iterfind("m:sheetData/m:row", NS):
            if row.get("s") is not None:
                assert int(row.get("s")) < n_xfs, f"{sheet.name} row {row.get('r')}"
            for c in row.iterfind("m:c", NS):
                si = int(c.get("s", "0"))
                assert 0 <= si < n_xfs, f"{sheet.name}!{c.get('r')}: style {si} of {n_xfs}"
                used += si > 0
        for col in sheet.root.iterfind("m:cols/m:col", NS):
            assert int(col.get("style", "0")) < n_xfs, sheet.name
    assert used > 100


def test_conditional_formats_reference_existing_dxfs(pkg):
    n_dxf = _count(pkg.styles, "dxfs")
    for sheet in pkg.sheets:
        for rule in sheet.root.iterfind("m:conditionalFormatting/m:cfRule", NS):
            if rule.get("dxfId") is not None:
                assert int(rule.get("dxfId")) < n_dxf, sheet.name


# --- the checks themselves -----------------------------------------------------------------------

def test_helpers():
    assert cell_ref("XFD1048576") == (MAX_ROWS, MAX_COLS)
    assert area("B2:C5") == (2, 2, 5, 3)
    assert _addr(5, 28) == "AB5" and _addr(1, MAX_COLS) == "XFD1"
    assert _looks_like_a_reference("A1") and _looks_like_a_reference("xfd1")
    assert _looks_like_a_reference("R1C1") and _looks_like_a_reference("c")
    assert not _looks_like_a_reference("XFE1") and not _looks_like_a_reference("Tjanster")
    assert _SHEET_IN_REF.findall("='Kund''s blad'!$A$1+Blad2!B2") == [("Kund''s blad", ""),
                                                                      ("", "Blad2")]


def _edited(tmp_path: Path, part: str, old: str, new: str | None) -> Package:
    """The bundled workbook with the first match of the pattern ``old`` in ``part`` replaced by
    ``new``, or with its two groups swapped when ``new`` is None."""
    out = tmp_path / "andrad.xlsm"
    with zipfile.ZipFile(BUNDLED) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                text = data.decode("utf-8")
                text, n = re.subn(old, lambda m: new if new is not None else
                                  m.group(2) + m.group(1), text, count=1)
                assert n == 1, (part, old)
                data = text.encode("utf-8")
            dst.writestr(info, data)
    return load(out)


def _first_table(p: Package) -> tuple[Sheet, str, ET.Element]:
    sheet = next(s for s in p.sheets if s.tables)
    part, t = sheet.tables[0]
    return sheet, part, t


def test_the_checks_catch_broken_packages(tmp_path):
    """Each check fails on a package broken in the way it guards against."""
    p = load(BUNDLED)
    sheet, tpart, table = _first_table(p)
    name, ref = table.get("name"), table.get("ref")
    first_col = table.find("m:tableColumns/m:tableColumn", NS).get("name")
    other = next(t for s in p.sheets for _, t in s.tables if t is not table)
    n_xfs = _count(p.styles, "cellXfs")
    cases = [
        (test_tables_have_unique_names_and_ids, tpart, re.escape(f'displayName="{name}"'),
         f'displayName="{other.get("displayName")}"'),
        (test_table_headers_columns_and_autofilter, tpart, re.escape(f'name="{first_col}"'),
         'name="Fel rubrik"'),
        (test_table_headers_columns_and_autofilter, tpart, re.escape(f'<autoFilter ref="{ref}"'),
         '<autoFilter ref="A1:B2"'),
        (test_sheet_names_ids_and_relationships, "xl/workbook.xml", re.escape(f'name="{sheet.name}"'),
         'name="Ett bladnamn som är alldeles för långt"'),
        (test_sheet_names_ids_and_relationships, "xl/workbook.xml", re.escape(f'name="{sheet.name}"'),
         'name="Blad[1]"'),
        (test_every_style_index_is_within_cellxfs, sheet.part, r' s="[0-9]+"', f' s="{n_xfs}"'),
        (test_rows_and_cells_within_limits_and_in_ascending_order, sheet.part, '<row r="2"',
         '<row r="1048577"'),
        (test_rows_and_cells_within_limits_and_in_ascending_order, sheet.part, 'r="A1"',
         'r="A2"'),  # a cell outside its row
        (test_rows_and_cells_within_limits_and_in_ascending_order, sheet.part,
         r'(<c r="A5"[^>]*>.*?</c>)(<c r="B5"[^>]*>.*?</c>)', None),  # two cells swapped
        (test_cell_text_and_formulas_within_excels_limits, "xl/sharedStrings.xml", "</t>",
         "x" * 32768 + "</t>"),
        (test_defined_names_are_valid_unique_and_point_at_sheets, "xl/workbook.xml",
         ">Parametrar!", ">Saknas!"),
        (test_style_records_reference_what_exists, "xl/styles.xml", 'fontId="1"',
         'fontId="999"'),
    ]
    for check, part, old, new in cases:
        broken = _edited(tmp_path, part, old, new)
        with pytest.raises(AssertionError):
            check(broken)
