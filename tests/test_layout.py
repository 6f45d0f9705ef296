"""The layout is internally consistent and covers every input field and every result column."""

from __future__ import annotations

import dataclasses
import re
from enum import StrEnum
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlkc import inputs as I  # noqa: N812
from xlkc import layout as L  # noqa: N812
from xlkc import results as R  # noqa: N812

ALL_TABLES = [t for _, t in L.iter_tables()]
RESULT_TUPLES = {
    "staffing.services": R.STAFFING_COLUMNS, "staffing.pools": R.POOL_COLUMNS,
    "cost.services": R.COST_COLUMNS, "cost.allocation": R.ALLOCATION_COLUMNS,
    "cost.pools": R.POOL_COST_COLUMNS, "price.prices": R.PRICE_COLUMNS,
    "price.charges": R.CHARGE_COLUMNS, "price.customer_totals": R.CUSTOMER_TOTAL_COLUMNS,
    "checks": R.CHECK_COLUMNS, "sla": R.SLA_COLUMNS, "quality": R.QUALITY_COLUMNS,
    "bridge": R.BRIDGE_COLUMNS, "inhouse": R.INHOUSE_COLUMNS,
    "board": R.BOARD_COLUMNS, "statement": R.STATEMENT_COLUMNS,
    "price_bridge": R.PRICE_BRIDGE_COLUMNS,
    "cost.fund": R.FUND_COLUMNS,
    "cost.flows": R.FLOW_COLUMNS,
}


def test_ids_are_unique():
    sheets = [s.name for s in L.SHEETS]
    tables = [t.name for t in ALL_TABLES]
    names = [nc.name for _, nc in L.named_cells()] + list(L.lists())
    codes = [s.code_name for s in L.SHEETS]
    for ids in (sheets, tables, names, codes):
        assert len(ids) == len(set(ids)), ids
    # Excel compares names case-insensitively
    assert len({n.lower() for n in names + tables}) == len(names) + len(tables)


def test_sheet_names_are_valid_excel_names():
    for s in L.SHEETS:
        assert 0 < len(s.name) <= 31 and not set(s.name) & set("[]:*?/\\"), s.name
        assert s.role in ("info", "input", "output", "config")
        assert s.purpose.strip()
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", s.code_name), s.code_name


def test_defined_and_table_names_are_ascii_and_not_cell_references():
    names = [t.name for t in ALL_TABLES] + [nc.name for _, nc in L.named_cells()] + list(L.lists())
    for n in names:
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n), n
        assert not re.fullmatch(r"[A-Za-z]{1,3}[0-9]+", n), f"{n} ser ut som en cellreferens"
        assert n.upper() not in ("R", "C")


def test_headers_are_swedish_unique_and_not_the_code_field():
    for t in ALL_TABLES:
        assert len(set(t.headers)) == len(t.headers), t.name  # Excel requires unique headers
        assert t.title.strip()
        for c in t.columns:
            assert c.header.strip() and c.header != c.field, (t.name, c.field)
            assert "_" not in c.header, (t.name, c.header)
            assert c.kind in L.KINDS
            assert c.width > 0
    for _, nc in L.named_cells():
        assert nc.label.strip() and nc.label != nc.field


def _record_fields(record: type) -> set[str]:
    return {f.name for f in dataclasses.fields(record)}


def test_every_record_field_is_a_column():
    for t in L.input_tables():
        if t.record is None:
            continue
        read = {c.field for c in t.input_columns}
        assert read == _record_fields(t.record), t.name


def test_every_parameter_is_a_named_cell_or_table():
    params = _record_fields(I.Parameters)
    cells = {nc.field for s, nc in L.named_cells() if s.role == "input"}
    tables = {t.inputs_field.split(".")[1] for t in L.input_tables()
              if t.inputs_field and t.inputs_field.startswith("parameters.")}
    assert cells | tables == params
    assert not cells & tables


def test_every_profile_field_is_a_series_table():
    series = {t.inputs_field.split(".")[1] for t in L.input_tables()
              if t.inputs_field and t.inputs_field.startswith("profile.")}
    # The shared profile (Profil) is hourly in the workbook; other interval lengths come with an
    # answer group's own profile (tblGruppprofiler), whose interval rows set the length.
    assert series == _record_fields(I.Profile) - {"interval_minutes"}
    for t in L.input_tables():
        if t.series_field:
            assert t.series_field in t.fields and t.record is None


def test_every_inputs_field_is_filled_by_the_layout():
    filled = {t.inputs_field.split(".")[0] for t in L.input_tables() if t.inputs_field}
    assert filled == _record_fields(I.Inputs)


def test_input_tables_hold_their_records_type():
    hints = {f.name: f.type for f in dataclasses.fields(I.Inputs)}
    for t in L.input_tables():
        if t.record is not None and "." not in t.inputs_field:
            assert t.record.__name__ in str(hints[t.inputs_field]), t.name


def test_output_tables_match_results_columns():
    outs = {t.result: t for t in L.output_tables() if t.result}
    assert set(outs) == set(RESULT_TUPLES)
    from xlkc.excel.output import DERIVED

    for key, cols in RESULT_TUPLES.items():
        # the result's columns, in order, and the columns the plan derives (DERIVED)
        shown = tuple(f for f in outs[key].fields if f not in DERIVED.get(outs[key].name, {}))
        assert shown == cols, key
    assert L.table("tblKorlogg").fields == L.RUNLOG_COLUMNS


def test_enum_columns_have_allowed_values_that_fit_a_validation_list():
    for t in ALL_TABLES:
        for c in t.columns:
            if c.kind == "enum":
                values = c.allowed_values
                assert values, (t.name, c.field)
                # Excel's literal list: comma separated, at most 255 characters
                assert all("," not in v for v in values)
                assert len(",".join(values)) <= 255
    for _, nc in L.named_cells():
        if nc.kind == "enum":
            assert nc.allowed_values


def test_enum_columns_match_the_record_field_type():
    for t in L.input_tables():
        if t.record is None:
            continue
        types = {f.name: str(f.type) for f in dataclasses.fields(t.record)}
        for c in t.input_columns:
            if isinstance(c.allowed, type) and issubclass(c.allowed, StrEnum):
                assert c.allowed.__name__ in types[c.field], (t.name, c.field)


def test_reference_columns_point_at_a_listed_id_column():
    refs = 0
    for t in ALL_TABLES:
        for c in t.columns:
            if c.kind == "ref":
                refs += 1
                tbl, fld = c.reference
                target = L.table(tbl)
                assert target.columns[0].field == fld
                assert L.list_name_for((tbl, fld)) in L.lists()
    assert refs >= 10
    # Kontakter's service and channel ids come from Tjänster and Kanaler
    assert L.table("tblKontakter").column("service_id").reference == ("tblTjanster", "service_id")
    assert L.table("tblKontakter").column("channel_id").reference == ("tblKanaler", "channel_id")


def test_list_refs_cover_the_id_column():
    assert L.list_ref("lstTjanster") == "='Tjänster'!$A$6:$A$505"
    assert L.list_ref("lstPooler") == "='Overhead'!$A$6:$A$505"


def test_tables_on_one_sheet_do_not_overlap_each_other_or_the_named_cells():
    for s in L.SHEETS:
        spans = []
        for t in s.tables:
            _, col = s.table_origin(t.name)
            spans.append((col, col + len(t.columns) - 1))
        if s.named_cells:
            _, c0 = s.named_cells_origin
            spans.append((c0, c0 + 3))
        spans.sort()
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert start > end + 1, s.name  # one empty column between blocks


def test_named_cell_positions_and_refs():
    assert L.named_cell_ref("Prisar") == "='Parametrar'!$B$6"
    s, _ = L.named_cell("StatusVersion")
    assert s.name == "Start"
    with pytest.raises(KeyError):
        L.named_cell("Finns")


def test_table_range():
    assert L.table_range("tblTjanster", 13) == "A5:L18"
    assert L.table_range("tblSvarsgrupper", 0) == "K5:R6"  # one empty row at least


def test_col_letter():
    assert [L.col_letter(n) for n in (1, 26, 27, 52, 53, 702, 703)] == \
        ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_scale_round_trips(x):
    col = L.table("tblKontakter").column("aht_s")
    assert col.scale == 60
    assert col.to_code(col.to_sheet(x)) == pytest.approx(x, rel=1e-15, abs=1e-12)
    assert col.to_sheet(None) is None


def test_handle_times_are_minutes_answer_times_seconds():
    assert L.table("tblKontakter").column("aht_s").unit == "min"
    assert L.table("tblKanaler").column("answer_time_s").unit == "s"
    assert L.table("tblKanaler").column("answer_time_s").scale == 1


def test_sheets_of_the_issue_exist():
    names = {s.name for s in L.SHEETS}
    for n in ("Start", "Parametrar", "Tjänster", "Kontakter", "Kanaler", "Profil", "Personal",
              "Kostnader", "Overhead", "Kunder", "Kundvolymer", "Föregående prislista", "Utfall",
              "Bemanning", "Självkostnad", "Prislista", "Kunddebitering", "Avstämning",
              "Körlogg", "xlwings.conf"):
        assert n in names
    for n in ("Prislista", "Kunddebitering"):
        s = L.sheet(n)
        assert s.landscape and s.fit_to_width and s.print_titles


def test_xlwings_config_keys_are_read_by_the_installed_xlwings_module():
    import xlwings

    bas = (Path(xlwings.__file__).parent / "xlwings.bas").read_text(encoding="utf-8")
    known = set(re.findall(r'GetConfig\("([^"]+)"', bas))
    keys = [k for k, _, _ in L.XLWINGS_CONFIG]
    assert set(keys) <= known, set(keys) - known
    for must in ("INTERPRETER_WIN", "INTERPRETER_MAC", "PYTHONPATH", "UDF MODULES",
                 "USE UDF SERVER", "ADD_WORKBOOK_TO_PYTHONPATH"):
        assert must in keys
    for k, v, note in L.XLWINGS_CONFIG:
        assert k  # the VBA stops at the first empty key
        assert note
        if k in ("USE UDF SERVER", "ADD_WORKBOOK_TO_PYTHONPATH", "SHOW CONSOLE"):
            assert v in ("True", "False")
