"""Every output sheet prints readably on A4 landscape: the print setup of the built workbook
(openpyxl) follows the layout (``Sheet.print_scale``, ``page_breaks``), and LibreOffice prints
each table and the charts of a sheet on pages of their own. The PNGs of every sheet are made
by ``tools/render_sheets.py`` (``artefakter/utskrift/``)."""

from __future__ import annotations

import re
import subprocess

import openpyxl
import pytest

from tests.roundtrip_support import BUNDLED, example_plan
from xlkc import layout as L  # noqa: N812
from xlkc.excel.file_writer import write_plan

try:  # tests/ as a package or as a plain rootdir-relative folder
    from . import lo_harness as lo
except ImportError:
    import lo_harness as lo

OUTPUT_SHEETS = [s for s in L.SHEETS if s.role == "output"]


@pytest.fixture(scope="module")
def book():
    return openpyxl.load_workbook(BUNDLED)


@pytest.mark.parametrize("sheet", OUTPUT_SHEETS, ids=lambda s: s.name)
def test_output_sheet_prints_on_a4_landscape_at_a_readable_scale(book, sheet):
    ws = book[sheet.name]
    setup = ws.page_setup
    assert int(setup.paperSize) == 9 and setup.orientation == "landscape"
    assert ws.print_title_rows == f"${L.HEADER_ROW}:${L.HEADER_ROW}"  # the header on every page
    assert not ws.print_area  # the used range: nothing prints beside the tables
    breaks = [b.id for b in ws.col_breaks.brk]
    if sheet.print_scale is None:  # one table: fit to one page wide, as many pages tall
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0)  # 1 is the default
        assert breaks == []
    else:  # tables side by side and the charts: each starts a page, at one scale
        assert not (ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage)
        assert int(setup.scale) == sheet.print_scale >= L.MIN_PRINT_SCALE
        assert breaks == [c - 1 for c in sheet.page_breaks]  # break before the column
        for g in sheet.print_groups:  # each group fits the page width at that scale
            assert g.width_in * sheet.print_scale / 100 <= L.PAGE_WIDTH_IN * L.PRINT_FIT_MARGIN
    for g in sheet.print_groups:
        assert g.fit_scale >= L.MIN_PRINT_SCALE, (sheet.name, g)
    # the purpose wraps within the first table's width (it never widens the printed range)
    merged = [str(r) for r in ws.merged_cells.ranges if r.min_row == 2]
    assert merged == [f"A2:{L.col_letter(sheet.print_groups[0].last_col)}2"]


def test_a_run_prints_its_price_year_not_the_note(tmp_path):
    """Row 3 of an output sheet: the template's "Fylls av Beräkna priser – skriv inte här."
    until a run, then the price year and the run's time."""
    plan, _ = example_plan()
    out = write_plan(BUNDLED, plan, tmp_path / "ut.xlsm", backup=False)
    wb = openpyxl.load_workbook(out)
    for s in OUTPUT_SHEETS:
        text = wb[s.name]["A3"].value
        if not any(t.result for t in s.tables):  # Versioner, Jämförelse: their own row 3
            continue
        if s.name in (L.sheet_of(L.T_RUNLOG.name).name, "Statistikkvalitet"):
            assert text == L.OUTPUT_NOTE  # not written by Beräkna priser
        elif s.name == L.sheet_of(L.T_BOARD.name).name:
            assert text.startswith("Prislista 2027")
        else:
            assert text == "Prisår 2027 – beräknat 2026-11-05 14:30 med Beräkna priser.", s.name


def _pages(pdf) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", out.stdout, re.M).group(1))


def test_libreoffice_prints_each_table_on_its_own_pages(tmp_path):
    """Bemanning (two tables and a chart) on three pages, one each; Prislista för beslut on one
    page: no column runs over onto a page of its own."""
    lo.require_libreoffice()
    plan, _ = example_plan()
    out = write_plan(BUNDLED, plan, tmp_path / "ut.xlsm", backup=False)
    staffing, board = L.sheet("Bemanning"), L.sheet_of(L.T_BOARD.name)
    pdfs = lo.office().render_pdf(out, [staffing.name, board.name], tmp_path)
    assert _pages(pdfs[staffing.name]) == len(staffing.print_groups) == 3
    assert _pages(pdfs[board.name]) == 1
    for pdf in pdfs.values():
        assert lo.pdf_ink(pdf) > 0.003  # not a blank page
