"""The committed workbook: structure per the layout, the example's values, reproducible builds.

Read with openpyxl and a small reader of its own (not the production reader), so that a mistake in
the builder and the same mistake in the reader cannot hide each other.
"""

from __future__ import annotations

import re
import zipfile
from enum import StrEnum
from pathlib import Path

import openpyxl
import pytest

from xlkc import inputs as I  # noqa: N812
from xlkc import layout as L  # noqa: N812
from xlkc.cli import main
from xlkc.example import example_inputs
from xlkc.workbook.build import DEFAULT_PATH, INPUT_FILL, OUTPUT_FILL, build_workbook

COMMITTED = Path(__file__).resolve().parents[1] / "workbook" / "Prismodell.xlsm"


@pytest.fixture(scope="module")
def book():
    return openpyxl.load_workbook(COMMITTED, keep_vba=True)


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """The workbook built twice: once by the command, once by the function."""
    d = tmp_path_factory.mktemp("bygg")
    a, b = d / "a" / "Prismodell.xlsm", d / "b.xlsm"
    assert main(["bygg", "-o", str(a)]) == 0
    build_workbook(b)
    return a, b


def test_default_path_is_the_committed_workbook():
    assert DEFAULT_PATH == COMMITTED


def test_committed_workbook_is_up_to_date(builds):
    built, _ = builds
    assert built.read_bytes() == COMMITTED.read_bytes(), \
        "Arbetsboken är inaktuell: kör `xlkc bygg` och checka in workbook/Prismodell.xlsm"


def test_two_builds_are_byte_identical(builds):
    a, b = builds
    assert a.read_bytes() == b.read_bytes()
    # the command wrote atomically: nothing but the workbook is left in its folder
    assert [p.name for p in a.parent.iterdir()] == ["Prismodell.xlsm"]


def test_sheets_in_layout_order(book):
    assert book.sheetnames == [s.name for s in L.SHEETS]
    for s in L.SHEETS:
        assert book[s.name].sheet_properties.codeName == s.code_name
    assert book.code_name == "ThisWorkbook"


def _table_rows(ws, table: L.Table) -> tuple[list[str], list[list]]:
    t = ws.tables[table.name]
    cells = ws[t.ref]
    headers = [c.value for c in cells[0]]
    rows = [[c.value for c in r] for r in cells[1:]]
    return headers, rows


def test_every_table_with_its_headers_in_order(book):
    example = example_inputs()
    for s, t in L.iter_tables():
        ws = book[s.name]
        assert t.name in ws.tables, (s.name, t.name)
        xt = ws.tables[t.name]
        assert [c.name for c in xt.tableColumns] == list(t.headers)
        headers, rows = _table_rows(ws, t)
        assert headers == list(t.headers)
        row, col = s.table_origin(t.name)
        assert xt.ref.startswith(L.cell_ref(row, col) + ":")
        if s.role == "output":
            assert rows == [[None] * len(t.columns)], t.name  # header + one empty row
        else:
            data = example
            for part in t.inputs_field.split("."):
                data = getattr(data, part)
            n = len(data) if data is not None else len(t.labels)
            assert xt.ref == L.table_range(t.name, n)


def test_output_sheets_carry_the_note(book):
    for s in L.SHEETS:
        if s.role == "output":
            assert book[s.name]["A3"].value == s.output_note
    # Versioner has cells for the user beside its tables: the note says which are whose
    versioner = L.sheet_of(L.T_VERSIONS.name)
    assert versioner.output_note != L.OUTPUT_NOTE
    assert "gula cellerna" in book[versioner.name]["A3"].value
    assert sum(s.output_note != L.OUTPUT_NOTE for s in L.SHEETS if s.role == "output") == 1


def test_named_cells_are_workbook_scoped_and_point_at_their_cell(book):
    for s, nc in L.named_cells():
        dn = book.defined_names[nc.name]
        assert dn.localSheetId is None
        assert "=" + dn.attr_text == L.named_cell_ref(nc.name)
        row, col = s.named_cell_position(nc.name)
        assert book[s.name].cell(row, col - 1).value == nc.label
    for name in L.lists():
        assert "=" + book.defined_names[name].attr_text == L.list_ref(name)
    for ws in book.worksheets:
        assert not ws.defined_names, f"bladnivånamn på {ws.title}"


def _validations(ws) -> dict[str, str]:
    """Top-left cell of each validation range -> its list source."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list":
            for rng in dv.sqref.ranges:
                out[rng.coord.split(":")[0]] = dv.formula1
    return out


def test_every_closed_list_has_its_drop_down(book):
    count = 0
    for s, t in L.iter_tables():
        if s.role != "input":
            continue
        dvs = _validations(book[s.name])
        row, col0 = s.table_origin(t.name)
        for i, c in enumerate(t.columns):
            first = L.cell_ref(row + 1, col0 + i)
            if c.allowed_values:
                assert dvs.get(first) == '"' + ",".join(c.allowed_values) + '"', (t.name, c.field)
                count += 1
            elif c.reference:
                assert dvs.get(first) == L.list_name_for(c.reference), (t.name, c.field)
                count += 1
            else:
                assert first not in dvs
    params = L.sheet("Parametrar")
    dvs = _validations(book[params.name])
    for nc in params.named_cells:
        if nc.allowed_values:
            row, col = params.named_cell_position(nc.name)
            assert dvs[L.cell_ref(row, col)] == '"' + ",".join(nc.allowed_values) + '"'
            count += 1
    assert count >= 25


# --- an independent reader of the example values -----------------------------------------------

def _convert(col, value):
    if value is None or value == "":
        return None
    if isinstance(col.allowed, type) and issubclass(col.allowed, StrEnum):
        return col.allowed(value)
    if col.kind == "list":
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, int | float) and col.scale != 1:
        return value * col.scale
    return value


def _records(ws, table: L.Table):
    headers, rows = _table_rows(ws, table)
    out = []
    for r in rows:
        if all(v is None or v == "" for v in r):  # the one empty row an empty table keeps
            continue
        kw = {}
        for c in table.input_columns:
            v = _convert(c, r[headers.index(c.header)])
            if v is not None:
                kw[c.field] = v
        out.append(table.record(**kw))
    return tuple(out)


def _series(ws, table: L.Table):
    headers, rows = _table_rows(ws, table)
    values = [r[headers.index(table.column(table.series_field).header)] for r in rows]
    return None if all(v is None for v in values) else tuple(float(v) for v in values)


def _read_inputs(book) -> I.Inputs:
    kw, profile = {}, {}
    params = {}
    for ps, nc in L.named_cells():
        if ps.role != "input":
            continue
        row, col = ps.named_cell_position(nc.name)
        v = book[ps.name].cell(row, col).value
        params[nc.field] = nc.allowed(v) if nc.allowed and v is not None else v
    for s, t in L.iter_tables():
        if s.role != "input":
            continue
        ws = book[s.name]
        head, _, tail = t.inputs_field.partition(".")
        if head == "profile":
            profile[tail] = _series(ws, t)
        elif head == "parameters":
            params[tail] = _records(ws, t)
        else:
            kw[head] = _records(ws, t)
    return I.Inputs(parameters=I.Parameters(**params), profile=I.Profile(**profile), **kw)


def test_input_values_equal_the_example(book):
    read = _read_inputs(book)
    example = example_inputs()
    assert read.parameters == example.parameters
    assert read.profile == example.profile
    for f in ("channels", "answer_groups", "services", "contacts", "staff", "costs", "pools",
              "customers", "customer_volumes", "previous_prices", "outcomes"):
        assert getattr(read, f) == getattr(example, f), f
    assert read == example


def test_handle_times_are_shown_in_minutes(book):
    ws = book["Kontakter"]
    headers, rows = _table_rows(ws, L.table("tblKontakter"))
    i = headers.index("Hanteringstid (min)")
    assert rows[0][:2] == ["SB1", "telefon"] and rows[0][i] == 6.5


def test_price_unit_is_written_and_marked_computed(book):
    t = L.table("tblTjanster")
    ws = book["Tjänster"]
    headers, rows = _table_rows(ws, t)
    units = {r[0]: r[headers.index("Prisenhet")] for r in rows}
    assert units["SO2"] == "kr/minut" and units["W1"] == "kr/timme"
    col = L.sheet("Tjänster").table_origin("tblTjanster")[1] + t.column_index("price_unit")
    assert ws.cell(L.FIRST_DATA_ROW, col).fill.fgColor.rgb.endswith(OUTPUT_FILL[1:])


def test_fills_number_formats_and_legend(book):
    ws = book["Kontakter"]
    t = L.table("tblKontakter")
    for i, c in enumerate(t.columns, start=1):
        cell = ws.cell(L.FIRST_DATA_ROW, i)
        assert cell.fill.fgColor.rgb.endswith(INPUT_FILL[1:]), c.field
        if c.number_format:
            assert cell.number_format == c.number_format
    out = book["Prislista"]
    for i, c in enumerate(L.table("tblPrislista").columns, start=1):
        cell = out.cell(L.FIRST_DATA_ROW, i)
        assert cell.fill.fgColor.rgb.endswith(OUTPUT_FILL[1:])
        if c.number_format:
            assert cell.number_format == c.number_format
    start = book["Start"]
    fills = {start.cell(L.START_LEGEND_ROW + i, 1).fill.fgColor.rgb[-6:]
             for i in range(1, len(L.LEGEND) + 1)}
    assert fills == {INPUT_FILL[1:], OUTPUT_FILL[1:]}
    assert book["Parametrar"]["B6"].value == 2027


def test_frozen_headers_column_widths_and_no_merged_cells(book):
    for s in L.SHEETS:
        ws = book[s.name]
        # no merged cells, but for an output sheet's purpose (row 2), wrapped over its first
        # table so that it prints within the page
        merged = {str(r) for r in ws.merged_cells.ranges}
        if s.role == "output" and s.tables:
            assert merged == {f"A2:{L.col_letter(s.print_groups[0].last_col)}2"}, s.name
        else:
            assert not merged, s.name
        if s.freeze:
            assert ws.freeze_panes == f"A{L.FIRST_DATA_ROW}", s.name
        widths = {}  # adjacent columns of equal width are stored as one <col min max>
        for dim in ws.column_dimensions.values():
            for n in range(dim.min, dim.max + 1):
                widths[n] = dim.width
        for t in s.tables:
            _, col = s.table_origin(t.name)
            for i, c in enumerate(t.columns):
                width = widths[col + i]
                assert width == pytest.approx(c.width, abs=1), (t.name, c.field)


def test_print_setup(book):
    for s in L.SHEETS:
        ws = book[s.name]
        assert int(ws.page_setup.paperSize) == 9, s.name  # A4
        assert ws.page_setup.orientation == ("landscape" if s.landscape else "portrait")
    for name in ("Prislista", "Kunddebitering"):
        ws = book[name]
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1)  # None: the default, 1
        assert ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == f"${L.HEADER_ROW}:${L.HEADER_ROW}"


def test_start_sheet(book):
    ws = book["Start"]
    assert ws["A1"].value == L.START_TITLE
    assert ws.cell(L.START_YEAR_ROW, 2).value == "=Prisar"
    steps = [ws.cell(L.START_STEPS_ROW + i, 2).value for i in range(1, len(L.START_STEPS) + 1)]
    assert steps == list(L.START_STEPS)
    for name in ("StatusTid", "StatusResultat", "StatusTotalkostnad", "StatusVersion"):
        assert L.named_cell(name)[0].name == "Start"
    with zipfile.ZipFile(COMMITTED) as z:
        assert not [n for n in z.namelist() if "comments" in n]  # no comments beside buttons


def test_few_formulas_and_no_unsupported_functions(book):
    formulas = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row
                if c.data_type == "f"]
    calculator = [c for row in book[L.NY_TJANST].iter_rows() for c in row if c.data_type == "f"]
    assert 0 < len(formulas) - len(calculator) <= 50  # Ny tjänst: tests/test_ny_tjanst.py
    banned = re.compile(r"\b(OFFSET|INDIRECT|SUBTOTAL|SEQUENCE|AGGREGATE)\b", re.I)
    assert not [f for f in formulas if banned.search(f)]
    for dn in book.defined_names.values():
        assert not banned.search(dn.attr_text)


def test_xlwings_conf_sheet(book):
    ws = book[L.CONFIG_SHEET]
    rows = [(ws.cell(i, 1).value, ws.cell(i, 2).value) for i in range(1, len(L.XLWINGS_CONFIG) + 2)]
    expected = [(k, v or None) for k, v, _ in L.XLWINGS_CONFIG]
    assert rows[:-1] == expected
    assert rows[-1] == (None, None)  # the VBA reads down to the first empty key
    values = dict(rows[:-1])
    assert values["UDF MODULES"] == "xlkc_udfs"
    assert values["USE UDF SERVER"] == "False" and values["ADD_WORKBOOK_TO_PYTHONPATH"] == "True"
    assert ws.cell(1, 2).data_type == "s"
