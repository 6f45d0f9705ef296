"""Reading the workbook: the bundled file reads back to the example inputs, messy but valid
values parse to the same inputs, and the number parser reads what controllers type."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xlkc
from tests.excel_edit import (
    WORKBOOK,
    cell,
    edited_copy,
    named,
    set_cell,
    sha256,
    table_box,
)
from xlkc import layout as L  # noqa: N812
from xlkc.errors import ValidationError
from xlkc.excel.cell_values import CellError, parse_bool, parse_number, parse_share
from xlkc.excel.file_reader import read_inputs, read_workbook
from xlkc.excel.parse import parse_workbook
from xlkc.inputs import ContactVolume, Source

EXAMPLE = xlkc.example_inputs()
SPACES = (" ", "\u00a0", "\u202f", "\u2009")


# --- the bundled workbook ----------------------------------------------------------------------

def test_bundled_workbook_reads_back_to_the_example_inputs():
    before = sha256(WORKBOOK)
    inputs = read_inputs(WORKBOOK)
    assert inputs == EXAMPLE
    # Field by field too, so that a failure says where.
    for f in dataclasses.fields(EXAMPLE):
        assert getattr(inputs, f.name) == getattr(EXAMPLE, f.name), f.name
    assert sha256(WORKBOOK) == before


def test_raw_data_has_every_input_table_with_its_layout_headers_and_excel_rows():
    data = read_workbook(WORKBOOK)
    # the input tables, and the version tables read back (Versioner)
    assert set(data.tables) == {t.name for t in L.input_tables() + L.carried_tables()}
    for t in L.input_tables() + L.carried_tables():
        raw = data.tables[t.name]
        assert raw.header == t.headers
        assert raw.first_row == L.FIRST_DATA_ROW
        assert raw.sheet == L.sheet_of(t.name).name
    assert len(data.tables["tblKontakter"].rows) == len(EXAMPLE.contacts)
    assert data.names["Prisar"] == EXAMPLE.parameters.year
    assert data.names["Fordelningsmetod"] == EXAMPLE.parameters.allocation_method.value


def test_parse_of_raw_data_needs_no_file():
    """The parser works on WorkbookData alone (the xlwings adapter supplies the same)."""
    assert parse_workbook(read_workbook(WORKBOOK)) == EXAMPLE


# --- messy but valid ---------------------------------------------------------------------------

def _swedish(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def _messy(wb) -> None:
    """What controllers type: text numbers, decimal commas, spaces, percent signs, odd case."""
    for i, cv in enumerate(EXAMPLE.contacts):
        sp = SPACES[i % len(SPACES)]
        v = int(cv.volume)
        set_cell(wb, "tblKontakter", "Volym per år", i,
                 f"{v // 1000}{sp}{v % 1000:03d}" if v >= 1000 else str(v))
        set_cell(wb, "tblKontakter", "Hanteringstid (min)", i,
                 _swedish(cv.aht_s / 60) + (" min" if i % 2 else ""))
        set_cell(wb, "tblKontakter", "Tjänst-id", i, f"  {cv.service_id} ")
        set_cell(wb, "tblKontakter", "Källa volym", i, f" {cv.volume_source.value.upper()}  ")
    for i, ch in enumerate(EXAMPLE.channels):
        if ch.service_level is not None:
            set_cell(wb, "tblKanaler", "Servicenivå", i, f"{ch.service_level * 100:g} %")
        set_cell(wb, "tblKanaler", "Typ", i, ch.kind.value.capitalize())
    for i, s in enumerate(EXAMPLE.services):
        set_cell(wb, "tblTjanster", "Tjänst", i, s.name + "\u00a0 ")
        set_cell(wb, "tblTjanster", "Prismodell", i, "  " + s.price_model.value.lower())
    for i, c in enumerate(EXAMPLE.staff):
        set_cell(wb, "tblPersonal", "Månadslön (kr)", i,
                 f"{int(c.monthly_salary_kr):,}".replace(",", "\u202f") + " kr")
    for i, v in enumerate(EXAMPLE.profile.hourly_shares):
        set_cell(wb, "tblTimprofil", "Andel", i, f"{_swedish(v * 100)}%")
    named(wb, "Sjukfranvaro").value = "6,5 %"
    named(wb, "TimmarPerDag").value = "8,0"
    named(wb, "Prisar").value = "2\u00a0027"
    named(wb, "Oppnar").value = "08:00"
    named(wb, "Fordelningsmetod").value = "STEGVIS "
    named(wb, "AvrundningRiktning").value = " Närmaste"


def test_messy_but_valid_values_parse_to_the_same_inputs(tmp_path):
    path = edited_copy(tmp_path, "rörig.xlsm", _messy)
    wb_values = read_workbook(path).tables["tblKontakter"].rows
    assert any(isinstance(r[2], str) for r in wb_values)  # the edit really stored text
    assert read_inputs(path) == EXAMPLE


def _swap_columns(wb, table: str, a: str, b: str) -> None:
    ws, c0, r0, c1, r1 = table_box(wb, table)
    headers = [ws.cell(r0, c).value for c in range(c0, c1 + 1)]
    ca, cb = c0 + headers.index(a), c0 + headers.index(b)
    for r in range(r0, r1 + 1):
        x, y = ws.cell(r, ca), ws.cell(r, cb)
        x.value, y.value = y.value, x.value
    cols = ws.tables[table].tableColumns
    ia, ib = ca - c0, cb - c0
    cols[ia].name, cols[ib].name = cols[ib].name, cols[ia].name


def test_reordered_columns_are_matched_by_header(tmp_path):
    def edit(wb):
        _swap_columns(wb, "tblKontakter", "Tjänst-id", "Hanteringstid (min)")
        _swap_columns(wb, "tblTjanster", "Prismodell", "Beskrivning")
        _swap_columns(wb, "tblManadsfaktorer", "Månad", "Faktor")

    path = edited_copy(tmp_path, "omflyttad.xlsm", edit)
    assert read_workbook(path).tables["tblKontakter"].header[0] == "Hanteringstid (min)"
    assert read_inputs(path) == EXAMPLE


def test_rows_below_the_table_and_empty_rows_are_handled(tmp_path):
    def edit(wb):
        # The last contact row falls outside the table (typed below it, not absorbed).
        ws, c0, r0, c1, r1 = table_box(wb, "tblKontakter")
        ws.tables["tblKontakter"].ref = ws.tables["tblKontakter"].ref.replace(str(r1), str(r1 - 1))
        # Three empty rows at the end of the customer table.
        ws, c0, r0, c1, r1 = table_box(wb, "tblKunder")
        ws.tables["tblKunder"].ref = f"A{r0}:{L.col_letter(c1)}{r1 + 3}"
        # Spaces only in a trailing row of the staff table count as empty.
        ws, c0, r0, c1, r1 = table_box(wb, "tblPersonal")
        ws.tables["tblPersonal"].ref = f"A{r0}:{L.col_letter(c1)}{r1 + 1}"
        ws.cell(r1 + 1, c0).value = "   "

    path = edited_copy(tmp_path, "rader.xlsm", edit)
    data = read_workbook(path)
    assert len(data.tables["tblKontakter"].rows) == len(EXAMPLE.contacts)
    assert len(data.tables["tblKunder"].rows) == len(EXAMPLE.customers)
    assert read_inputs(path) == EXAMPLE


def test_a_new_row_typed_below_a_table_is_read(tmp_path):
    extra = ContactVolume("SB3", "chatt", 1200.0, 360.0, Source.VALUATION, Source.MEASURED)

    def edit(wb):
        ws, c0, r0, c1, r1 = table_box(wb, "tblKontakter")
        for j, v in enumerate(["SB3", "chatt", "1 200", "värdering", "6", "statistik"]):
            ws.cell(r1 + 1, c0 + j).value = v

    path = edited_copy(tmp_path, "ny_rad.xlsm", edit)
    inputs = read_inputs(path)
    assert inputs == dataclasses.replace(EXAMPLE, contacts=EXAMPLE.contacts + (extra,))


def test_an_empty_row_inside_a_table_is_skipped_and_rows_keep_their_excel_numbers(tmp_path):
    def edit(wb):
        ws, c0, r0, c1, r1 = table_box(wb, "tblKontakter")
        ws.insert_rows(r0 + 3)  # an empty row after the second contact
        ws.tables["tblKontakter"].ref = ws.tables["tblKontakter"].ref.replace(str(r1), str(r1 + 1))
        ws.cell(r0 + 1 + 10, c0 + 4).value = "ca 5"  # 10th data row below the header, Excel row

    path = edited_copy(tmp_path, "tom_rad.xlsm", edit)
    with pytest.raises(ValidationError) as err:
        read_inputs(path)
    (problem,) = err.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("Kontakter", L.HEADER_ROW + 11,
                                                              "Hanteringstid (min)")


def test_a_table_turned_into_a_range_is_read_at_its_layout_position(tmp_path):
    def edit(wb):
        ws, *_ = table_box(wb, "tblKunder")
        del ws.tables["tblKunder"]

    path = edited_copy(tmp_path, "utan_tabell.xlsm", edit)
    assert read_inputs(path) == EXAMPLE


def test_ids_differing_only_in_case_are_read_as_the_defined_id(tmp_path):
    def edit(wb):
        set_cell(wb, "tblKontakter", "Tjänst-id", 0, "sb1")
        set_cell(wb, "tblKontakter", "Kanal", 1, "E-Post")
        set_cell(wb, "tblKundvolymer", "Kund-id", 0,
                 str(cell(wb, "tblKundvolymer", "Kund-id", 0).value).lower())

    path = edited_copy(tmp_path, "versaler.xlsm", edit)
    assert read_inputs(path) == EXAMPLE


def test_weekday_shares_are_read_when_given(tmp_path):
    shares = (1.2, 1.0, 1.0, 0.9, 0.8)

    def edit(wb):
        for i, v in enumerate(shares):
            set_cell(wb, "tblVeckodagar", "Andel", i, _swedish(v))

    path = edited_copy(tmp_path, "veckodagar.xlsm", edit)
    inputs = read_inputs(path)
    assert inputs.profile.weekday_shares == shares
    assert inputs == dataclasses.replace(
        EXAMPLE, profile=dataclasses.replace(EXAMPLE.profile, weekday_shares=shares))


# --- the value parsers -------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("12,5", 12.5), ("12.5", 12.5), ("38 000", 38000.0), ("38\u202f000", 38000.0),
    ("1\u00a0234\u00a0567,25", 1234567.25), ("−4,5", -4.5), ("-0,25", -0.25), (",5", 0.5),
    ("  7 ", 7.0), ("+3", 3.0), (5, 5.0), (6.5, 6.5),
])
def test_number_parser_accepts_what_controllers_type(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["ca 5", "5 min", "1,2,3", "38 00", "1 2", "", "-", "1e5",
                                  "12,5 kr", "#N/A", True])
def test_number_parser_rejects_the_rest(text):
    with pytest.raises(CellError):
        parse_number(text)


def test_number_parser_accepts_the_column_unit_only():
    assert parse_number("6,5 min", unit="min") == 6.5
    assert parse_number("1 500 kr", unit="kr") == 1500.0
    with pytest.raises(CellError):
        parse_number("6,5 kr", unit="min")


def test_share_parser():
    assert parse_share("80 %") == 0.8
    assert parse_share("6,5%") == 0.065
    assert parse_share(0.85) == 0.85
    assert parse_share("0,8") == 0.8
    for bad in (80, "80", 1.5, "120 %", -0.1, "många"):
        with pytest.raises(CellError):
            parse_share(bad)
    with pytest.raises(CellError, match="menar du 80 %"):
        parse_share(80)


def test_bool_parser():
    assert [parse_bool(v) for v in ("Ja", " nej ", True, False, "SANT", "falskt", 1)] == [
        True, False, True, False, True, False, True]
    with pytest.raises(CellError):
        parse_bool("kanske")


def _group(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


@given(x=st.floats(min_value=-1e15, max_value=1e15, allow_nan=False, allow_infinity=False),
       decimals=st.integers(min_value=0, max_value=6), sep=st.sampled_from(SPACES),
       minus=st.sampled_from(["-", "\u2212"]))
def test_property_swedish_formatted_numbers_parse_back(x, decimals, sep, minus):
    """Any float written the Swedish way (comma, space grouping) reads back as its value."""
    ascii_text = f"{abs(x):.{decimals}f}"
    whole, _, frac = ascii_text.partition(".")
    text = _group(whole, sep) + ("," + frac if frac else "")
    negative = x < 0 and float(ascii_text) != 0
    if negative:
        text = minus + text
    expected = float(Decimal(("-" if negative else "") + ascii_text))
    assert parse_number(text) == expected
    assert parse_number(text.replace(",", ".")) == expected


@given(st.decimals(min_value=0, max_value=100, places=3, allow_nan=False))
def test_property_percent_shares_parse_to_fractions(d):
    text = f"{d}".replace(".", ",") + " %"
    assert parse_share(text) == float(d / 100)
