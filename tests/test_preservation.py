"""The package-level writer keeps what it does not own, byte for byte, and writes Excel-exact
output.

A copy of the bundled workbook decorated as a controller's file may be (``decorated_workbook``:
a sparkline, a picture, a conditional format, a legacy and a threaded comment, a table slicer,
customXml parts and a formula with its cached value in an input cell) goes through
``xlkc berakna`` twice. Every part the run does not own is identical to the source, its
compressed bytes included; the outputs read back to the same inputs and the same prices; every
formula the writer wrote carries the engine's value as its cached value; outline levels are
right; the calculation chain is dropped; ``fullCalcOnLoad`` is added only when a formula outside
the run's cells depends on them; styles converge.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from tests.decorated_workbook import (
    ADDED,
    FORMULA_COL,
    FORMULA_ROW,
    FORMULA_TEXT,
    FORMULA_VALUE,
    SHEET,
    decorate,
)
from tests.roundtrip_support import BUNDLED, example_plan, expected_cells, formula_cells
from xlkc import layout as L  # noqa: N812
from xlkc.cli import main
from xlkc.errors import InputError
from xlkc.excel import file_writer
from xlkc.excel.file_reader import read_inputs
from xlkc.excel.file_writer import render, write_plan
from xlkc.excel.model import CellWrite, OutputPlan, TableBlock
from xlkc.excel.output import FMT_FEL, Formula, plan_failure, totals_cells
from xlkc.excel.run import RunInfo, input_hash

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _infos(path: Path) -> dict[str, zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: i for i in z.infolist()}


def _sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    book = ElementTree.fromstring(parts["xl/workbook.xml"])
    rels = ElementTree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    target = {r.get("Id"): "xl/" + r.get("Target") for r in rels}
    return {s.get("name"): target[s.get(f"{REL}id")] for s in book.iter(f"{MAIN}sheet")}


def _owned(parts: dict[str, bytes]) -> set[str]:
    """The parts a calculation may rewrite: the output sheets and Start, the output tables and
    the charts."""
    sheets = _sheet_parts(parts)
    out = {sheets[s.name] for s in L.SHEETS if s.role == "output"} | {sheets["Start"]}
    names = {t.name for t in L.output_tables()}
    for n, data in parts.items():
        if n.startswith("xl/tables/") and re.search(
                rb'displayName="(%s)"' % b"|".join(x.encode() for x in names), data):
            out.add(n)
        if n.startswith("xl/charts/chart"):
            out.add(n)
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("bevarande")
    src = decorate(BUNDLED, d / "dekorerad.xlsm", d)
    first, second = d / "forsta.xlsm", d / "andra.xlsm"
    assert main(["berakna", str(src), "-o", str(first)]) == 0
    assert main(["berakna", str(first), "-o", str(second)]) == 0
    return src, first, second


def test_every_part_the_run_does_not_own_is_byte_identical(runs):
    src, first, second = runs
    before = _parts(src)
    owned = _owned(before)
    for out in (first, second):
        after = _parts(out)
        assert set(after) == set(before)
        changed = {n for n in before if before[n] != after[n]}
        assert changed <= owned, sorted(changed - owned)
        assert changed  # the run did write its outputs
        # kept parts are copied as stored: the same compressed bytes, not recompressed
        a, b = _infos(src), _infos(out)
        for n in set(before) - changed:
            assert (a[n].CRC, a[n].compress_size, a[n].compress_type) == (
                b[n].CRC, b[n].compress_size, b[n].compress_type), n
    for name in (*ADDED, "xl/vbaProject.bin", "xl/styles.xml", "xl/sharedStrings.xml",
                 "xl/workbook.xml", "[Content_Types].xml", "docProps/app.xml"):
        assert _parts(second)[name] == before[name], name


def test_the_decorations_are_still_referenced(runs):
    """Kontakter keeps its sparklines, slicer list, picture, comments and conditional format,
    and the workbook its person list, slicer cache and customXml relationships."""
    src, _, second = runs
    parts = _parts(second)
    sheet = parts[_sheet_parts(parts)[SHEET]].decode()
    for marker in ("x14:sparklineGroups", "x14:slicerList", "<drawing r:id=",
                   "<legacyDrawing r:id=", "<conditionalFormatting",
                   f"<f>{FORMULA_TEXT}</f><v>{FORMULA_VALUE:g}</v>"):
        assert marker in sheet, marker
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    for target in ("persons/person.xml", "slicerCaches/slicerCache1.xml",
                   "../customXml/item1.xml"):
        assert target in rels


def test_outputs_read_back_to_the_same_inputs_and_prices(runs):
    src, first, second = runs
    inputs = read_inputs(src)
    contacts = inputs.contacts[0]
    assert contacts.volume == FORMULA_VALUE  # the input formula's cached value is read
    assert input_hash(read_inputs(first)) == input_hash(inputs)
    assert input_hash(read_inputs(second)) == input_hash(inputs)
    _, results = example_plan()
    want = [float(x) for x in results.price.prices["price_kr"]]
    sheet, t = L.sheet_of(L.T_PRICES.name).name, L.T_PRICES
    header_row, first_col = L.sheet(sheet).table_origin(t.name)
    col = first_col + t.column_index("price_kr")
    for out in (first, second):
        ws = openpyxl.load_workbook(out, data_only=True)[sheet]
        got = [ws.cell(header_row + 1 + i, col).value for i in range(len(want))]
        assert got == pytest.approx(want, rel=0, abs=0)


def test_formula_cells_carry_the_engine_values(runs):
    _, first, second = runs
    plan, results = example_plan()
    formulas = formula_cells(plan)
    expected = expected_cells(results)
    assert len(formulas) > 100
    for out in (first, second):
        wb = openpyxl.load_workbook(out, data_only=True)
        for (sheet, row, col) in formulas:
            want = expected[(sheet, row, col)][2]
            got = wb[sheet].cell(row, col).value
            assert got == want, (sheet, row, col, got, want)
        # and no formula anywhere in the output sheets without a cached value
        parts = _parts(out)
        sheets = _sheet_parts(parts)
        for s in L.SHEETS:
            xml = parts[sheets[s.name]].decode()
            bare = re.findall(r"<c [^>]*><f>[^<]*</f></c>", xml)
            assert not bare, (s.name, bare[:3])


def test_the_formula_values_are_what_the_plan_says(runs):
    _, first, _ = runs
    plan, _ = example_plan()
    wb = openpyxl.load_workbook(first, data_only=True)
    n = 0
    for b in plan.tables:
        for i, row in enumerate(b.rows):
            for j, v in enumerate(row):
                if isinstance(v, Formula):
                    assert v.value is not None
                    assert wb[b.sheet].cell(b.header_row + 1 + i, b.first_col + j).value == v.value
                    n += 1
    assert n == plan.meta["formula_cells"]


def _outline(xml: str) -> tuple[int, int, int, int]:
    """(deepest column level, outlineLevelCol, deepest row level, outlineLevelRow)."""
    root = ElementTree.fromstring(xml)
    fmt = root.find(f"{MAIN}sheetFormatPr")
    cols = [int(c.get("outlineLevel", 0)) for c in root.iter(f"{MAIN}col")]
    rows = [int(r.get("outlineLevel", 0)) for r in root.iter(f"{MAIN}row")]
    return (max(cols, default=0), int(fmt.get("outlineLevelCol", 0)) if fmt is not None else 0,
            max(rows, default=0), int(fmt.get("outlineLevelRow", 0)) if fmt is not None else 0)


def test_outline_levels_match_the_grouped_columns(runs):
    _, first, second = runs
    for out in (first, second):
        parts = _parts(out)
        sheets = _sheet_parts(parts)
        grouped = 0
        for s in L.SHEETS:
            col_max, col_attr, row_max, row_attr = _outline(parts[sheets[s.name]].decode())
            assert (col_max, row_max) == (col_attr, row_attr), s.name
            grouped += col_max > 0
        assert _outline(parts[sheets[L.sheet_of(L.T_PRICES.name).name]].decode())[1] == 1
        assert grouped >= 1


def test_the_calculation_chain_is_dropped_with_its_relationship(tmp_path):
    src = decorate(BUNDLED, tmp_path / "kedja.xlsm", tmp_path, calc_chain=True)
    assert "xl/calcChain.xml" in _parts(src)
    plan, _ = example_plan()
    out = write_plan(src, plan, tmp_path / "ut.xlsm")
    parts = _parts(out)
    assert "xl/calcChain.xml" not in parts
    assert b"calcChain" not in parts["xl/_rels/workbook.xml.rels"]
    assert b"calcChain" not in parts["[Content_Types].xml"]
    before = _parts(src)
    # nothing else of the two parts changed
    assert re.sub(rb'<Relationship Id="rIdX9"[^>]*/>', b"", before["xl/_rels/workbook.xml.rels"]
                  ) == parts["xl/_rels/workbook.xml.rels"]


def _full_calc(path: Path) -> bool:
    return b'fullCalcOnLoad="1"' in _parts(path)["xl/workbook.xml"]


def test_full_calc_on_load_is_kept_but_not_added_without_need(tmp_path):
    plan, _ = example_plan()
    with_flag = write_plan(BUNDLED, plan, tmp_path / "a.xlsm")
    assert _full_calc(BUNDLED) and _full_calc(with_flag)
    src = decorate(BUNDLED, tmp_path / "utan.xlsm", tmp_path, full_calc=False)
    out = write_plan(src, plan, tmp_path / "b.xlsm")
    assert not _full_calc(out)
    assert _parts(out)["xl/workbook.xml"] == _parts(src)["xl/workbook.xml"]


def test_full_calc_on_load_is_added_when_a_formula_depends_on_the_outputs(tmp_path):
    plan, _ = example_plan()
    src = decorate(BUNDLED, tmp_path / "beroende.xlsm", tmp_path, full_calc=False,
                   dependent_formula=True)
    assert not _full_calc(src)
    out = write_plan(src, plan, tmp_path / "ut.xlsm")
    assert _full_calc(out)
    # only the calcPr element changed in workbook.xml
    strip = re.compile(rb"<calcPr\b[^>]*/>")
    assert strip.sub(b"", _parts(out)["xl/workbook.xml"]) == strip.sub(
        b"", _parts(src)["xl/workbook.xml"])


def test_a_red_status_adds_one_style_and_converges(tmp_path):
    run = RunInfo.make("berakna", "0" * 16, user="test")
    from xlkc.errors import Problem

    fail = plan_failure([Problem("ogiltigt tal", sheet="Kontakter", row=6, column="Volym")], run)
    assert any(c.number_format == FMT_FEL for c in fail.cells)
    a = write_plan(BUNDLED, fail, tmp_path / "a.xlsm")
    b = write_plan(a, fail, tmp_path / "b.xlsm")
    styles_a, styles_b = _parts(a)["xl/styles.xml"], _parts(b)["xl/styles.xml"]
    assert styles_a != _parts(BUNDLED)["xl/styles.xml"]
    assert styles_b == styles_a  # the format added once is found again
    wb = openpyxl.load_workbook(b)
    start = L.sheet("Start")
    cell = wb["Start"].cell(*start.named_cell_position("StatusResultat"))
    assert cell.value.startswith("FEL") and cell.number_format == FMT_FEL
    assert cell.fill.fgColor.rgb == wb["Start"].cell(
        *start.named_cell_position("StatusVersion")).fill.fgColor.rgb  # the rest kept
    # an OK run afterwards shows the status in plain General again
    plan, _ = example_plan()
    c = openpyxl.load_workbook(write_plan(b, plan, tmp_path / "c.xlsm"))["Start"].cell(
        *start.named_cell_position("StatusResultat"))
    assert c.number_format == "General" and c.value.startswith("OK")


def test_text_over_excels_cell_limit_is_cut(tmp_path):
    plan, _ = example_plan()
    b = next(x for x in plan.tables if x.table == L.T_PRICES.name)
    j = L.T_PRICES.column_index("name")
    long = "å" * 40_000
    rows = ((*b.rows[0][:j], long, *b.rows[0][j + 1:]), *b.rows[1:])
    p = dataclasses.replace(plan, tables=(dataclasses.replace(b, rows=rows),))
    out = write_plan(BUNDLED, p, tmp_path / "lang.xlsm")
    v = openpyxl.load_workbook(out)[b.sheet].cell(b.header_row + 1, b.first_col + j).value
    assert len(v) == 32_767 and v.startswith("ååå") and v.endswith("…")


def test_a_table_beyond_excels_rows_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(file_writer, "MAX_ROWS", 15)
    plan, _ = example_plan()
    b = next(x for x in plan.tables if x.table == L.T_PRICES.name)
    assert len(b.rows) > 15 - b.header_row
    with pytest.raises(InputError, match="Excel tillåter"):
        render(BUNDLED, OutputPlan(tables=(b,)))


def test_the_plan_never_writes_an_input_sheet():
    bad = CellWrite(SHEET, FORMULA_ROW, FORMULA_COL, 1.0)
    with pytest.raises(InputError, match="inte är ett resultatblad"):
        render(BUNDLED, OutputPlan(tables=(), cells=(bad,)))


def test_a_plan_for_one_of_two_tables_keeps_the_other(tmp_path):
    """Bemanning holds two tables: writing one leaves the other's cells and size alone."""
    plan, _ = example_plan()
    first = write_plan(BUNDLED, plan, tmp_path / "a.xlsm")
    staffing = next(b for b in plan.tables if b.table == L.T_STAFFING.name)
    pool = next(b for b in plan.tables if b.table == L.T_POOL_STAFFING.name)
    assert staffing.sheet == pool.sheet
    short = dataclasses.replace(staffing, rows=staffing.rows[:2], totals=totals_cells(
        L.T_STAFFING, staffing.header_row, staffing.first_col, staffing.rows[:2]))
    out = write_plan(first, OutputPlan(tables=(short,)), tmp_path / "b.xlsm")
    before = openpyxl.load_workbook(first)[pool.sheet]
    after = openpyxl.load_workbook(out)[pool.sheet]
    assert after.tables[pool.table].ref == before.tables[pool.table].ref
    last = pool.header_row + len(pool.rows)
    for r in range(pool.header_row, last + 1):
        for c in range(pool.first_col, pool.first_col + len(pool.header)):
            assert after.cell(r, c).value == before.cell(r, c).value, (r, c)
    assert after.tables[short.table].ref == L.table_range(short.table, 2)
    for r in range(short.header_row + 3, staffing.totals_row + 1):
        cells = [after.cell(r, c).value
                 for c in range(short.first_col, short.first_col + len(short.header))]
        if r == short.totals_row:  # the totals row moved up with the table
            assert cells[0] == L.TOTAL_LABEL
            continue
        assert all(v is None for v in cells), r


def test_a_text_header_cell_equal_to_the_header_is_kept(tmp_path):
    """The header cells already holding the header keep their shared strings."""
    plan, _ = example_plan()
    out = write_plan(BUNDLED, plan, tmp_path / "ut.xlsm")
    parts = _parts(out)
    sheet = parts[_sheet_parts(parts)[L.sheet_of(L.T_PRICES.name).name]].decode()
    header = re.search(r'<row r="5".*?</row>', sheet).group(0)
    assert 't="inlineStr"' not in header


def test_a_table_block_of_every_value_kind(tmp_path):
    """Numbers to the last bit, texts with blanks, markup and formula look-alikes, booleans,
    dates, formulas with number, text and missing values read back as written."""
    import datetime as dt

    t = L.T_CHECKS
    s = L.sheet_of(t.name)
    header_row, first_col = s.table_origin(t.name)
    n = len(t.columns)
    values = [0.1 + 0.2, -0.0, 1e300, 12345678901234567.0, " blank ", "<&>\"'", "=SUM(1)",
              True, dt.datetime(2026, 11, 5, 14, 30), "_x0041_", float("nan"), None]
    rows = []
    for i in range(0, len(values), n):
        chunk = values[i:i + n]
        rows.append(tuple(chunk + [None] * (n - len(chunk))))
    rows.append((Formula("=1+1", 2.0), Formula('="a"&"b"', "ab"), Formula("=1/0", None),
                 *([None] * (n - 3))))
    block = TableBlock(s.name, t.name, header_row, first_col, t.headers, tuple(rows),
                       tuple(c.number_format for c in t.columns))
    out = tmp_path / "ut.xlsm"
    out.write_bytes(render(BUNDLED, OutputPlan(tables=(block,))))
    ws = openpyxl.load_workbook(out, data_only=True)[s.name]
    got = [ws.cell(header_row + 1 + i // n, first_col + i % n).value for i in range(len(values))]
    assert got[0] == 0.1 + 0.2 and got[1] == 0 and got[2] == 1e300
    assert got[3] == 12345678901234567.0
    assert got[4:7] == [" blank ", "<&>\"'", "=SUM(1)"]
    assert got[7] == "Ja"
    assert abs(got[8] - 46331.604166666664) < 1e-9 or isinstance(got[8], dt.datetime)
    assert got[9] == "_x005F_x0041_"  # Excel shows "_x0041_"; openpyxl does not unescape
    assert got[10] is None and got[11] is None
    r = header_row + 1 + len(rows) - 1
    assert [ws.cell(r, first_col + j).value for j in range(3)] == [2, "ab", None]
    wf = openpyxl.load_workbook(out)[s.name]
    assert [wf.cell(r, first_col + j).value for j in range(3)] == ["=1+1", '="a"&"b"', "=1/0"]


def test_libreoffice_opens_the_decorated_output_and_recalculates_the_prices(runs):
    """LibreOffice (where installed) loads the twice-written decorated workbook, recalculates
    it and shows the engine's prices, and the input formula's value."""
    try:
        from . import lo_harness as lo
    except ImportError:
        import lo_harness as lo
    lo.require_libreoffice()
    _, _, second = runs
    sheet, t = L.sheet_of(L.T_PRICES.name).name, L.T_PRICES
    values = lo.recalculate(second, sheets=[sheet, SHEET])
    _, results = example_plan()
    header_row, first_col = L.sheet(sheet).table_origin(t.name)
    col = first_col + t.column_index("price_kr")
    want = [float(x) for x in results.price.prices["price_kr"]]
    got = [values[sheet][header_row + i][col - 1] for i in range(len(want))]
    assert got == pytest.approx(want, abs=0.005)
    assert values[SHEET][FORMULA_ROW - 1][FORMULA_COL - 1] == FORMULA_VALUE


CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


def test_chart_caches_hold_the_written_values(runs):
    """Every chart series over a table carries a cache equal to the cells it covers, so a
    reader drawing from the cache shows this run's figures."""
    _, first, second = runs
    for out in (first, second):
        wb = openpyxl.load_workbook(out, data_only=True)
        parts = _parts(out)
        checked = 0
        for name in (n for n in parts if n.startswith("xl/charts/chart")):
            root = ElementTree.fromstring(parts[name])
            for ref in (*root.iter(f"{CHART}numRef"), *root.iter(f"{CHART}strRef")):
                f = ref.find(f"{CHART}f").text
                m = re.fullmatch(r"'?(.+?)'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", f)
                if m is None:
                    continue  # a series name: one header cell
                sheet, col, r1, _, r2 = m.groups()
                cells = [wb[sheet][f"{col}{r}"].value for r in range(int(r1), int(r2) + 1)]
                cache = ref.find(f"{CHART}numCache")
                if cache is None:
                    cache = ref.find(f"{CHART}strCache")
                assert int(cache.find(f"{CHART}ptCount").get("val")) == len(cells)
                points = {int(p.get("idx")): p.find(f"{CHART}v").text
                          for p in cache.iter(f"{CHART}pt")}
                for i, v in enumerate(cells):
                    if v is None:
                        assert i not in points
                    elif ref.tag == f"{CHART}numRef":
                        assert float(points[i]) == v, (name, f, i)
                    else:
                        assert points[i] == str(v), (name, f, i)
                checked += 1
        assert checked >= 6


def test_a_total_row_and_a_sort_added_to_an_output_table_are_dropped(tmp_path):
    """A controller added a Total Row and sorted the price list in Excel: the next run writes
    data rows only, so the table loses both (else Excel would take the last row for totals)."""
    plan, _ = example_plan()
    first = write_plan(BUNDLED, plan, tmp_path / "a.xlsm")
    parts = _parts(first)
    name = next(n for n, d in parts.items() if n.startswith("xl/tables/")
                and f'displayName="{L.T_PRICES.name}"'.encode() in d)
    xml = parts[name].decode()
    m = re.search(r'ref="A5:([A-Z]+)(\d+)"', xml)
    total_ref = f"A5:{m.group(1)}{int(m.group(2)) + 1}"
    xml = xml.replace(m.group(0), f'ref="{total_ref}" totalsRowCount="1"', 1)
    xml = xml.replace('totalsRowShown="0"', "")
    xml = re.sub(r'(<autoFilter ref=")[^"]*"/>', rf'\1A5:{m.group(1)}{m.group(2)}">'
                 rf'<sortState ref="A6:{m.group(1)}{m.group(2)}"><sortCondition descending="1" '
                 rf'ref="L6:L{m.group(2)}"/></sortState></autoFilter>', xml)
    xml = xml.replace('name="Pris"', 'name="Pris" totalsRowFunction="sum"', 1)
    parts[name] = xml.encode()
    src = tmp_path / "summa.xlsm"
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in parts.items():
            z.writestr(n, d)
    out = write_plan(src, plan, tmp_path / "b.xlsm")
    table = _parts(out)[name].decode()
    assert "totalsRow" not in table.replace('totalsRowShown="0"', "")
    assert "sortState" not in table
    b = next(x for x in plan.tables if x.table == L.T_PRICES.name)
    assert openpyxl.load_workbook(out)[b.sheet].tables[b.table].ref == L.table_range(
        b.table, len(b.rows))


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def test_excel_invariants_of_the_output(runs):
    """What Excel enforces beyond the schema, checked on the twice-written decorated workbook:
    rows and cells ascending, style indexes in range, no cell over 32 767 characters, tables
    named uniquely with their header cells equal to their column names, autoFilter equal to
    the table, tables not overlapping, the dimension covering every cell."""
    _, _, second = runs
    parts = _parts(second)
    styles = ElementTree.fromstring(parts["xl/styles.xml"])
    n_xf = len(styles.find(f"{MAIN}cellXfs"))
    strings = [
        "".join(t.text or "" for t in si.iter(f"{MAIN}t"))
        for si in ElementTree.fromstring(parts["xl/sharedStrings.xml"]).iter(f"{MAIN}si")]
    names: set[str] = set()
    for sheet, part in _sheet_parts(parts).items():
        root = ElementTree.fromstring(parts[part])
        cells: dict[tuple[int, int], str | None] = {}
        last_row = 0
        for row in root.iter(f"{MAIN}row"):
            r = int(row.get("r"))
            assert r > last_row, (sheet, r)
            last_row, last_col = r, 0
            for c in row.iter(f"{MAIN}c"):
                m = re.fullmatch(r"([A-Z]+)(\d+)", c.get("r"))
                col = _col(m.group(1))
                assert int(m.group(2)) == r and col > last_col, (sheet, c.get("r"))
                last_col = col
                assert int(c.get("s", 0)) < n_xf, (sheet, c.get("r"))
                v, t = c.find(f"{MAIN}v"), c.get("t")
                text = ("".join(x.text or "" for x in c.iter(f"{MAIN}t")) if t == "inlineStr"
                        else strings[int(v.text)] if t == "s" and v is not None
                        else v.text if v is not None else None)
                assert text is None or len(text) <= 32_767
                cells[(r, col)] = text
        dim = root.find(f"{MAIN}dimension").get("ref")
        m = re.fullmatch(r"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?", dim)
        if cells and m.group(3):
            assert max(r for r, _ in cells) <= int(m.group(4)), sheet
            assert max(c for _, c in cells) <= _col(m.group(3)), sheet
        boxes = []
        rels = ElementTree.fromstring(parts.get(part.replace("worksheets/", "worksheets/_rels/")
                                                + ".rels", b"<r/>"))
        for rel in rels.iter(f"{PKG}Relationship"):
            if not rel.get("Type").endswith("/table"):
                continue
            table = ElementTree.fromstring(parts["xl/" + rel.get("Target").replace("../", "")])
            name = table.get("displayName")
            assert name.casefold() not in names
            names.add(name.casefold())
            ref = table.get("ref")
            assert table.find(f"{MAIN}autoFilter").get("ref") == ref
            c1, r1, c2, r2 = re.fullmatch(r"([A-Z]+)(\d+):([A-Z]+)(\d+)", ref).groups()
            box = (_col(c1), int(r1), _col(c2), int(r2))
            for other in boxes:
                assert box[2] < other[0] or other[2] < box[0] or box[3] < other[1] \
                    or other[3] < box[1], (sheet, name)
            boxes.append(box)
            columns = [c.get("name") for c in table.iter(f"{MAIN}tableColumn")]
            assert columns == [cells.get((box[1], c)) for c in range(box[0], box[2] + 1)], name
    assert len(names) == len(list(L.iter_tables()))


def test_a_damaged_package_is_a_swedish_input_error(tmp_path):
    plan, _ = example_plan()
    bad = tmp_path / "trasig.xlsm"
    parts = _parts(BUNDLED)
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"][:-40]
    with zipfile.ZipFile(bad, "w") as z:
        for n, d in parts.items():
            z.writestr(n, d)
    with pytest.raises(InputError, match="skadad"):
        render(bad, plan)
    bad.write_bytes(b"PK\x03\x04 inte en zip")
    with pytest.raises(InputError, match="skadad"):
        render(bad, plan)
