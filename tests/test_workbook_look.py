"""How the committed workbook looks: units shown once, headers that fit, print setup, gridlines,
the Start sheet's buttons and status block. Checked on the layout and on the committed file."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

try:  # tests/ as a package or as a plain rootdir-relative folder
    from . import lo_harness as lo
except ImportError:
    import lo_harness as lo

from xlkc import layout as L  # noqa: N812

COMMITTED = Path(__file__).resolve().parents[1] / "workbook" / "Prismodell.xlsm"
#: Units that only a header or an Enhet column may name (the number format stays plain).
NON_FORMAT_UNITS = ("tim", "min", "s", "åa", "dagar", "kvm", "år")


@pytest.fixture(scope="module")
def book():
    return openpyxl.load_workbook(COMMITTED, keep_vba=True)


def _quoted(fmt: str | None) -> list[str]:
    return re.findall(r'"([^"]*)"', fmt or "")


def test_formats_carry_only_kr_and_percent():
    formats = [c.number_format for _, t in L.iter_tables() for c in t.columns]
    formats += [nc.number_format for _, nc in L.named_cells()]
    for fmt in formats:
        for text in _quoted(fmt):
            assert text.strip() in ("kr", ":00"), fmt  # ":00" is the hour-of-day format


@pytest.mark.parametrize("unit", ["kr", "%", *NON_FORMAT_UNITS])
def test_a_header_naming_its_unit_has_a_plain_format(unit):
    for _, t in L.iter_tables():
        for c in t.columns:
            if f"({unit})" in c.header:
                assert not L.format_shows_unit(c.number_format, unit), (t.name, c.header)


def test_format_shows_unit():
    assert L.format_shows_unit(L.FMT_KR, "kr") and L.format_shows_unit(L.FMT_PCT, "%")
    assert not L.format_shows_unit(L.FMT_HOURS, "tim")
    assert not L.format_shows_unit("#,##0", "kr")
    assert L.without_unit(L.FMT_KR2) == "#,##0.00"


def test_named_cells_show_a_unit_once(book):
    for s, nc in L.named_cells():
        ws = book[s.name]
        row, col = s.named_cell_position(nc.name)
        shown = ws.cell(row, col + 1).value
        if s.role == "input" and nc.unit and not L.format_shows_unit(nc.number_format, nc.unit):
            assert shown == nc.unit, nc.name
        else:
            assert shown in (None, ""), (nc.name, shown)
    start = L.SHEETS[0]
    labels = {nc.label for nc in start.named_cells}
    assert not labels & set(L.STATUS_HEADER)  # the block's header is not repeated as a row


def test_no_header_word_is_broken_and_the_header_row_holds_every_header(book):
    for s in L.SHEETS:
        if not s.tables:
            continue
        ws = book[s.name]
        height = ws.row_dimensions[L.HEADER_ROW].height
        for t in s.tables:
            for c in t.columns:
                longest = max(len(w) for w in c.header.split())
                assert c.width >= longest + 1, (t.name, c.header, c.width)
                lines = L.header_lines(c.header, c.width)
                assert height >= lines * L.HEADER_LINE_HEIGHT, (s.name, c.header, height)


def test_header_lines_wraps_whole_words():
    assert L.header_lines("Kostnadsunderlag", 20) == 1
    assert L.header_lines("Mål medelsvarstid (s)", 12) == 3
    assert L.header_lines("Omfördelning inom prisgrupp", 100) == 1


def test_every_printed_table_sheet_fits_one_page_wide_with_titles(book):
    for s in L.SHEETS:
        if not s.tables:
            continue
        ws = book[s.name]
        assert s.landscape and s.fit_to_width and s.print_titles, s.name
        assert ws.page_setup.orientation == "landscape", s.name
        if s.role == "output" and s.print_scale is not None:
            # tables side by side and charts: each on pages of its own, at one readable scale
            # (tests/test_print_setup.py)
            assert int(ws.page_setup.scale) == s.print_scale >= L.MIN_PRINT_SCALE, s.name
            assert [b.id + 1 for b in ws.col_breaks.brk] == list(s.page_breaks), s.name
        else:
            assert ws.sheet_properties.pageSetUpPr.fitToPage, s.name
            assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0, \
                s.name
        assert ws.print_title_rows == f"${L.HEADER_ROW}:${L.HEADER_ROW}", s.name


def test_gridlines_never_printed_and_on_screen_only_where_the_layout_says(book):
    for s in L.SHEETS:
        ws = book[s.name]
        assert not ws.print_options.gridLines, s.name
        shown = ws.sheet_view.showGridLines is not False  # absent: shown (the default)
        assert shown == s.gridlines, s.name


def test_single_table_named_like_its_sheet_has_no_caption(book):
    for s in L.SHEETS:
        ws = book[s.name]
        for t in s.tables:
            row, col = s.table_origin(t.name)
            assert ws.cell(row - 1, col).value == s.table_caption(t), (s.name, t.name)
    assert L.sheet("Prislista").table_caption(L.table("tblPrislista")) is None
    kanaler = L.sheet("Kanaler")
    assert kanaler.table_caption(L.table("tblSvarsgrupper")) == L.table("tblSvarsgrupper").title


def test_start_buttons_are_large_side_by_side_and_fit_on_the_page():
    lo.require_libreoffice()
    found = [b for b in lo.buttons(COMMITTED) if b["sheet"] == "Start"]
    assert sorted(b["caption"] for b in found) == sorted(c for c, _ in L.BUTTONS)
    w_px, h_px = L.BUTTON_SIZE
    mm100 = 2540 / 96  # 1/100 mm per pixel
    for b in found:
        assert b["width"] == pytest.approx(w_px * mm100, rel=0.05), b
        assert b["height"] == pytest.approx(h_px * mm100, rel=0.05), b
    rows: dict[int, list] = {}
    for b in found:
        rows.setdefault(b["y"], []).append(b)
    assert len(rows) == -(-len(L.BUTTONS) // L.BUTTONS_PER_ROW)
    tops = sorted(rows)
    for upper, lower in zip(tops, tops[1:], strict=False):  # rows do not overlap
        assert lower >= upper + max(b["height"] for b in rows[upper])
    for row in rows.values():
        row.sort(key=lambda b: b["x"])
        assert len(row) <= L.BUTTONS_PER_ROW
        for first, second in zip(row, row[1:], strict=False):
            assert second["x"] >= first["x"] + first["width"]  # no overlap
        # All inside the printed width of a landscape A4 page (297 mm, 12.7 mm margins).
        assert row[-1]["x"] + row[-1]["width"] <= (297 - 2 * 12.7) * 100
