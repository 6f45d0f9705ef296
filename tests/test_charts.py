"""Charts on Självkostnad, Bemanning and Prisbrygga: defined once in the layout (``L.Chart``),
built by xlsxwriter, kept byte for byte by the file writer except that every series is moved to
its table's written rows (with a cache of the written values).

The chart parts are read from the package itself (``xl/charts/chart*.xml``, reached from each
sheet through its drawing), so the checks do not depend on openpyxl's reading of charts.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from tests.roundtrip_support import BUNDLED, example_plan
from xlkc import layout as L  # noqa: N812
from xlkc.cli import main
from xlkc.excel.file_writer import write_plan
from xlkc.workbook.build import build_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from large_inputs import large_inputs  # noqa: E402

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "p": "http://schemas.openxmlformats.org/package/2006/relationships",
      "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"}
DRAWING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"


def _target(part: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    folder, _, name = part.rpartition("/")
    name = f"{folder}/_rels/{name}.rels"
    if name not in z.namelist():
        return {}
    root = ElementTree.fromstring(z.read(name))
    return {r.get("Id"): (r.get("Type"), _target(part, r.get("Target")))
            for r in root.findall("p:Relationship", NS)}


def charts_by_sheet(path: Path) -> dict[str, list[dict]]:
    """Sheet -> its charts: title, bar direction, grouping, anchor (row, col 1-based) and the
    series' (name, categories, values) formulas."""
    out: dict[str, list[dict]] = {}
    with zipfile.ZipFile(path) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        book_rels = _rels(z, "xl/workbook.xml")
        content_types = z.read("[Content_Types].xml").decode()
        for sh in book.find("m:sheets", NS):
            part = book_rels[sh.get(f"{{{NS['r']}}}id")][1]
            sheet_xml = ElementTree.fromstring(z.read(part))
            drawing_ids = [d.get(f"{{{NS['r']}}}id") for d in sheet_xml.findall("m:drawing", NS)]
            rels = _rels(z, part)
            for rid in drawing_ids:
                kind, drawing = rels[rid]
                assert kind == DRAWING
                assert f'PartName="/{drawing}"' in content_types
                d_rels = _rels(z, drawing)
                d_xml = ElementTree.fromstring(z.read(drawing))
                for anchor in d_xml:
                    frm = anchor.find("xdr:from", NS)
                    pos = (int(frm.find("xdr:row", NS).text) + 1,
                           int(frm.find("xdr:col", NS).text) + 1)
                    ref = anchor.find(".//c:chart", NS).get(f"{{{NS['r']}}}id")
                    chart_part = d_rels[ref][1]
                    assert f'PartName="/{chart_part}"' in content_types
                    c = ElementTree.fromstring(z.read(chart_part))
                    title = "".join(t.text or "" for t in c.findall("c:chart/c:title//a:t", NS))
                    bar = c.find(".//c:barChart", NS)
                    overlap = bar.find("c:overlap", NS)
                    series = [(s.findtext("c:tx//c:f", None, NS), s.findtext("c:cat//c:f", None, NS),
                               s.findtext("c:val//c:f", None, NS))
                              for s in bar.findall("c:ser", NS)]
                    out.setdefault(sh.get("name"), []).append({
                        "title": title, "dir": bar.find("c:barDir", NS).get("val"),
                        "grouping": bar.find("c:grouping", NS).get("val"),
                        "overlap": overlap.get("val") if overlap is not None else None,
                        "anchor": pos, "series": series,
                        "xml": z.read(chart_part).decode()})
    return out


def expected_series(chart: L.Chart, n_rows: int) -> list[tuple[str, str, str]]:
    cats, series = L.chart_ranges(chart, n_rows)
    return [(name, cats, values) for name, values in series]


def table_rows(path: Path) -> dict[str, int]:
    """Data rows of every charted table as written (from its Excel Table's range)."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for s, c in L.charts():
        ref = wb[s.name].tables[c.table].ref
        first, last = re.findall(r"\d+", ref)
        out[c.table] = int(last) - int(first)
    return out


def assert_charts_cover(path: Path, rows: dict[str, int]) -> None:
    found = charts_by_sheet(path)
    assert set(found) == {s.name for s, _ in L.charts()}
    for s, chart in L.charts():
        (got,) = found[s.name]
        assert got["series"] == expected_series(chart, rows[chart.table]), s.name
        # the moved ranges carry a cache of the written rows; the series names keep theirs
        counts = re.findall(r"<c:(?:num|str)Ref><c:f>[^<]*:\$[A-Z]+\$\d+</c:f>"
                            r"<c:(?:num|str)Cache>(?:<c:formatCode>[^<]*</c:formatCode>)?"
                            r'<c:ptCount val="(\d+)"/>', got["xml"])
        assert len(counts) == len(chart.values) * 2, s.name
        assert {int(n) for n in counts} == {max(rows[chart.table], 1)}, s.name


# --- the layout ---------------------------------------------------------------------------------

def test_charts_are_defined_over_output_tables_of_their_sheet():
    assert {s.name for s, _ in L.charts()} == {"Självkostnad", "Bemanning", "Prisbrygga"}
    for s, c in L.charts():
        assert s.role == "output"
        assert c.table in {t.name for t in s.tables}
        t = L.table(c.table)
        assert c.category in t.fields and all(f in t.fields for f in c.values)
        assert all(t.column(f).kind in ("money", "number") for f in c.values)
    assert L.CHART_POOLING.values == ("fte", "standalone_fte_sum")
    assert L.CHART_COST.stacked and "personnel_cost_kr" in L.CHART_COST.values


def test_chart_anchor_is_right_of_every_table():
    for s, _ in L.charts():
        row, col = s.chart_anchor(0)
        last = max(s.table_origin(t.name)[1] + len(t.columns) - 1 for t in s.tables)
        assert col == last + 2 and row == L.HEADER_ROW


def test_chart_ranges_follow_the_table():
    cats, series = L.chart_ranges(L.CHART_COST, 12)
    assert cats == "'Självkostnad'!$A$6:$A$17"
    assert series[0] == ("'Självkostnad'!$H$5", "'Självkostnad'!$H$6:$H$17")  # personnel cost
    assert L.chart_ranges(L.CHART_COST, 0)[0] == "'Självkostnad'!$A$6:$A$6"
    with pytest.raises(ValueError, match="diagramtyp"):
        L.Chart("x", L.T_COST.name, "service_id", ("fte",), kind="pie")


# --- the built workbook -------------------------------------------------------------------------

def test_built_workbook_has_each_chart_with_its_title_and_columns():
    found = charts_by_sheet(BUNDLED)
    wb = openpyxl.load_workbook(BUNDLED)
    for s, chart in L.charts():
        (got,) = found[s.name]
        assert got["title"] == chart.title
        assert got["dir"] == ("col" if chart.kind == "column" else "bar")
        assert got["grouping"] == ("stacked" if chart.stacked else "clustered")
        if chart.stacked:
            assert got["overlap"] == "100"
        assert got["anchor"] == s.chart_anchor(0)
        assert got["series"] == expected_series(chart, 0)  # an empty table keeps one row
        # each series is named by the header of the column it draws
        for (name_ref, _, _), field in zip(got["series"], chart.values, strict=True):
            cell = name_ref.split("!")[1].replace("$", "")
            assert wb[s.name][cell].value == L.table(chart.table).column(field).header
    assert "Start" not in found


# --- after berakna -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bundled_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("diagram") / "berakna.xlsm"
    assert main(["berakna", str(BUNDLED), "-o", str(out)]) == 0
    return out


def test_series_cover_the_written_rows_of_the_bundled_workbook(bundled_run):
    rows = table_rows(bundled_run)
    assert all(n > 1 for n in rows.values())
    assert_charts_cover(bundled_run, rows)
    # the charts themselves are kept: formatting as built
    built, written = charts_by_sheet(BUNDLED), charts_by_sheet(bundled_run)
    for name, (b,) in built.items():
        (w,) = written[name]
        assert (w["title"], w["grouping"], w["anchor"]) == (b["title"], b["grouping"], b["anchor"])
        strip = re.compile(r"<c:f>[^<]*</c:f>|<c:(str|num)Cache>.*?</c:\1Cache>", re.S)
        assert strip.sub("", w["xml"]) == strip.sub("", b["xml"])


def test_longer_then_shorter_tables_move_the_series(tmp_path):
    big = build_workbook(tmp_path / "stor.xlsm", inputs=large_inputs(n_services=40,
                                                                      n_customers=30))
    out = tmp_path / "stor_berakna.xlsm"
    assert main(["berakna", str(big), "-o", str(out)]) == 0
    rows = table_rows(out)
    assert rows[L.T_COST.name] >= 40 and rows[L.T_BRIDGE.name] >= 40
    assert_charts_cover(out, rows)
    # again on the written file, then a plan with short tables on the long file
    again = tmp_path / "igen.xlsm"
    assert main(["berakna", str(out), "-o", str(again)]) == 0
    assert_charts_cover(again, rows)
    plan, _ = example_plan()
    short = dataclasses.replace(plan, tables=tuple(
        dataclasses.replace(b, rows=b.rows[:3]) for b in plan.tables))
    kort = write_plan(again, short, tmp_path / "kort.xlsm")
    short_rows = table_rows(kort)
    assert all(n == 3 for n in short_rows.values())
    assert_charts_cover(kort, short_rows)


def test_a_plan_without_tables_leaves_the_charts_as_they_were(bundled_run, tmp_path):
    plan, _ = example_plan()
    only_status = dataclasses.replace(plan, tables=())
    out = write_plan(bundled_run, only_status, tmp_path / "status.xlsm")
    assert charts_by_sheet(out) == charts_by_sheet(bundled_run)


# --- LibreOffice: the charts are drawn ------------------------------------------------------------

def _with_empty_series(src: Path, dst: Path) -> Path:
    """A copy of ``src`` whose chart series point at empty cells far below the tables: the
    same pages with the same chart frames, titles and legends, but no bars."""
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info.filename)
            if info.filename.startswith("xl/charts/"):
                text = re.sub(r"<c:(num|str)Cache>.*?</c:\1Cache>", "", data.decode(), flags=re.S)
                text = re.sub(r"(<c:f>[^<]*\$)\d+(:\$[A-Z]+\$)\d+</c:f>", r"\g<1>3000\g<2>3002</c:f>",
                              text)
                data = text.encode()
            out.writestr(info, data)
    return dst


def test_libreoffice_draws_the_charts(bundled_run, tmp_path):
    from tests import lo_harness as lo

    lo.require_libreoffice()
    sheets = [s.name for s, _ in L.charts()]
    empty = _with_empty_series(bundled_run, tmp_path / "tomma.xlsm")
    with_charts = lo.render_png(bundled_run, sheets, tmp_path / "med")
    lo.render_png(empty, sheets, tmp_path / "tomma")
    for name in sheets:
        assert with_charts[name] and all(lo.png_size(p)[0] > 0 for p in with_charts[name])
        pdf = next((tmp_path / "med").glob(f"*_{name}.pdf"))
        pdf_empty = next((tmp_path / "tomma").glob(f"*_{name}.pdf"))
        # the charts print on a page of their own, after the tables (each one page tall here)
        page = len(L.sheet(name).print_groups)
        ink = lo.pdf_ink(pdf, dpi=60, page=page)
        empty_ink = lo.pdf_ink(pdf_empty, dpi=60, page=page)
        # the bars add ink: at least 0.1 % of the page
        assert ink - empty_ink > 0.001, (name, ink, empty_ink)
