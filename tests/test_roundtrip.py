"""`xlkc berakna` on the bundled workbook: the written outputs equal the engine's results, the VBA
project and the buttons are byte-identical, the inputs untouched; a second run on the written file
gives the same outputs and a second Körlogg row.

The first run goes through ``cli.main`` in process, the second through a real ``xlkc`` process.
Formula cells are checked here as formulas (text); their values are checked by recalculation in
test_recalc_formulas.py and test_recalc_libreoffice.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
import sys

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import xlkc
from tests.roundtrip_support import (
    BUNDLED,
    example_plan,
    expected_cells,
    formula_cells,
    input_sheet_values,
    is_vba_or_drawing,
    output_values,
    zip_members,
)
from xlkc import layout as L  # noqa: N812
from xlkc.cli import main
from xlkc.excel.file_reader import read_workbook
from xlkc.excel.file_writer import write_plan
from xlkc.excel.output import totals_cells
from xlkc.excel.parse import parse_workbook
from xlkc.excel.run import calculate_workbook, input_hash


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("rundtur")
    first, second = d / "forsta.xlsm", d / "andra.xlsm"
    assert main(["berakna", str(BUNDLED), "-o", str(first)]) == 0
    proc = subprocess.run([sys.executable, "-m", "xlkc.cli", "berakna", str(first), "-o",
                           str(second)], capture_output=True, text=True, cwd=d, check=False)
    assert proc.returncode == 0, proc.stderr
    return first, second, proc


@pytest.fixture(scope="module")
def engine():
    plan, results = example_plan()
    return plan, results


def _compare_outputs(path, plan, results):
    written = output_values(path)
    formulas = formula_cells(plan)
    expected = expected_cells(results)
    bad = []
    for key, (_table, _field, want) in expected.items():
        got = written.get(key)
        if key in formulas:
            if got != formulas[key]:
                bad.append((key, got, formulas[key]))
        elif want is None or isinstance(want, str):
            if got != want:
                bad.append((key, got, want))
        elif not (isinstance(got, int | float) and got == pytest.approx(want, rel=1e-9, abs=1e-6)):
            bad.append((key, got, want))
    assert not bad, bad[:10]
    # nothing but the results inside the tables: no leftover rows
    extra = {k for k, v in written.items() if k not in expected and v is not None}
    assert not extra


def test_outputs_equal_the_engine(runs, engine):
    first, _, _ = runs
    _compare_outputs(first, *engine)


def test_table_sizes_follow_the_results(runs, engine):
    first, _, _ = runs
    _, results = engine
    wb = openpyxl.load_workbook(first)
    for t in L.output_tables():
        if t.result is None:
            continue
        s = L.sheet_of(t.name)
        n = len(getattr(getattr(results, t.result.split(".")[0]), t.result.split(".")[1])
                if "." in t.result else getattr(results, t.result))
        tbl = wb[s.name].tables[t.name]
        assert tbl.ref == L.table_range(t.name, n), t.name
        assert tbl.autoFilter is None or tbl.autoFilter.ref == tbl.ref
        assert [c.name for c in tbl.tableColumns] == list(t.headers)


def test_vba_project_and_buttons_are_byte_identical(runs):
    first, second, _ = runs
    original = zip_members(BUNDLED, is_vba_or_drawing)
    assert "xl/vbaProject.bin" in original
    assert any(n.endswith(".vml") for n in original)  # the buttons
    assert zip_members(first, is_vba_or_drawing) == original
    assert zip_members(second, is_vba_or_drawing) == original


def test_input_sheets_are_unchanged(runs):
    first, second, _ = runs
    before = input_sheet_values(BUNDLED)
    assert input_sheet_values(first) == before
    assert input_sheet_values(second) == before


def test_start_sheet_has_the_status_and_nothing_else_changed(runs, engine):
    first, _, _ = runs
    _, results = engine
    start = L.sheet("Start")
    status = {start.named_cell_position(nc.name) for nc in start.named_cells}
    a = openpyxl.load_workbook(BUNDLED)["Start"]
    b = openpyxl.load_workbook(first)["Start"]
    for row in a.iter_rows(min_row=1, max_row=max(a.max_row, b.max_row),
                           max_col=max(a.max_column, b.max_column)):
        for c in row:
            if (c.row, c.column) not in status:
                assert b.cell(c.row, c.column).value == c.value, c.coordinate
    value = {nc.name: b.cell(*start.named_cell_position(nc.name)).value
             for nc in start.named_cells}
    assert value["StatusResultat"].startswith("OK")  # warnings may follow
    assert value["StatusTotalkostnad"] == pytest.approx(results.cost.total_cost_kr)
    assert value["StatusVersion"] == xlkc.__version__
    assert isinstance(value["StatusTid"], dt.datetime)


def _log(path):
    wb = openpyxl.load_workbook(path)
    s = L.sheet_of(L.T_RUNLOG.name)
    tbl = wb[s.name].tables[L.T_RUNLOG.name]
    rows = [[c.value for c in r] for r in wb[s.name][tbl.ref]]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_second_run_same_outputs_and_a_second_log_row(runs, engine):
    first, second, proc = runs
    _compare_outputs(second, *engine)
    one, two = _log(first), _log(second)
    assert len(one) == 1 and len(two) == 2
    newest, older = two
    assert older == one[0]  # the earlier row kept, unchanged, below the new one
    assert newest["Tid"] >= older["Tid"]
    inputs = parse_workbook(read_workbook(BUNDLED))
    for row in two:
        assert row["Kommando"] == "berakna"
        assert row["xlkc-version"] == xlkc.__version__
        assert row["Indata-hash"] == input_hash(inputs)
        assert row["Kontroller"].startswith("OK")
        assert row["Användare"]
    results = engine[1]
    assert newest["Total kostnad"] == pytest.approx(results.cost.total_cost_kr)
    # the subprocess printed the summary on stdout and progress on stderr
    assert "Prislista" in proc.stdout and "Läser" in proc.stderr


def test_outputs_shrink_completely(runs, tmp_path):
    """A result with fewer rows than the previous one leaves nothing of the old rows."""
    first, _, _ = runs
    plan, results = example_plan()
    short = dataclasses.replace(plan, tables=tuple(
        dataclasses.replace(b, rows=b.rows[:2], totals=totals_cells(
            L.table(b.table), b.header_row, b.first_col, b.rows[:2])) for b in plan.tables))
    out = tmp_path / "kort.xlsm"
    write_plan(first, short, out)
    wb = openpyxl.load_workbook(out)
    for b in short.tables:
        ws = wb[b.sheet]
        assert ws.tables[b.table].ref == L.table_range(b.table, len(b.rows))
        for r in range(b.header_row + len(b.rows) + 1, ws.max_row + 1):
            for c in range(b.first_col, b.first_col + len(b.header)):
                if b.totals is not None and r == b.totals_row:  # the new totals row only
                    assert ws.cell(r, c).value == (b.totals[c - b.first_col] or None)
                    continue
                assert ws.cell(r, c).value is None, (b.table, r, c)


def test_an_empty_result_keeps_one_empty_row(tmp_path):
    plan, _ = example_plan()
    empty = dataclasses.replace(plan, tables=tuple(
        dataclasses.replace(b, rows=()) for b in plan.tables))
    out = tmp_path / "tom.xlsm"
    write_plan(BUNDLED, empty, out)
    wb = openpyxl.load_workbook(out)
    for b in empty.tables:
        assert wb[b.sheet].tables[b.table].ref == L.table_range(b.table, 0)


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    plan, _ = example_plan()
    b = next(b for b in plan.tables if b.table == L.T_PRICES.name)
    j = L.T_PRICES.column_index("name")
    rows = list(b.rows)
    rows[0] = (*rows[0][:j], "=SUM(1,2)", *rows[0][j + 1:])
    plan = dataclasses.replace(plan, tables=tuple(
        dataclasses.replace(x, rows=tuple(rows)) if x is b else x for x in plan.tables))
    out = tmp_path / "text.xlsm"
    write_plan(BUNDLED, plan, out)
    cell = openpyxl.load_workbook(out)[b.sheet].cell(b.header_row + 1, b.first_col + j)
    assert cell.value == "=SUM(1,2)" and cell.data_type == "s"


def test_input_hash_follows_the_inputs():
    a = xlkc.example_inputs()
    assert input_hash(a) == input_hash(xlkc.example_inputs())
    p = dataclasses.replace(a.parameters, sick_leave=a.parameters.sick_leave + 1e-9)
    assert input_hash(dataclasses.replace(a, parameters=p)) != input_hash(a)
    services = (dataclasses.replace(a.services[0], name=a.services[0].name + " "),
                *a.services[1:])
    assert input_hash(dataclasses.replace(a, services=services)) != input_hash(a)
    assert len(input_hash(a)) == 16 and int(input_hash(a), 16) >= 0


def test_invalid_inputs_plan_only_status_and_log(tmp_path):
    path = tmp_path / "fel.xlsm"
    shutil.copyfile(BUNDLED, path)
    wb = openpyxl.load_workbook(path, keep_vba=True)
    s = L.sheet_of(L.T_CONTACTS.name)
    row, col = s.table_origin(L.T_CONTACTS.name)
    wb[s.name].cell(row + 1, col + L.T_CONTACTS.column_index("aht_s")).value = "ca 5"
    wb.save(path)
    plan, results, problems = calculate_workbook(read_workbook(path))
    assert results is None and problems
    assert plan.tables == ()
    assert plan.log_entry is not None and plan.meta["ok"] is False
    status = {c.value for c in plan.cells}
    assert any(isinstance(v, str) and "fel i indata" in v for v in status)


# --- the writer with any table contents, growing and shrinking -----------------------------------

_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t<&>\"'="),
                max_size=12)
_VALUE = st.none() | st.floats(allow_nan=False, allow_infinity=False, width=64) | _TEXT


def _xml_chars(v):
    """A text as XML 1.0 can hold it (its Char production): the writer drops U+FFFE, U+FFFF
    and the control characters but tab, newline and return."""
    if not isinstance(v, str):
        return v
    return "".join(c for c in v if c in "\t\n\r" or " " <= c <= "\ud7ff"
                   or "\ue000" <= c <= "\ufffd" or c >= "\U00010000")


def _block_with(rows):
    t = L.T_PRICES
    s = L.sheet_of(t.name)
    header_row, first_col = s.table_origin(t.name)
    from xlkc.excel.model import TableBlock

    return TableBlock(s.name, t.name, header_row, first_col, t.headers, tuple(rows),
                      tuple(c.number_format for c in t.columns))


def _rows(n_cols):
    return st.lists(st.lists(_VALUE, min_size=n_cols, max_size=n_cols).map(tuple), max_size=8)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(first=_rows(len(L.T_PRICES.columns)), second=_rows(len(L.T_PRICES.columns)))
@example(first=[], second=[(None,) * 7 + (-4.178149278649327e16, "@000000", "00\uffff")
                           + (None,) * 9])
def test_any_table_contents_round_trip(tmp_path, first, second):
    plan, _ = example_plan()
    a, b = tmp_path / "a.xlsm", tmp_path / "b.xlsm"
    write_plan(BUNDLED, dataclasses.replace(plan, tables=(_block_with(first),)), a)
    write_plan(a, dataclasses.replace(plan, tables=(_block_with(second),)), b)
    block = _block_with(second)
    ws = openpyxl.load_workbook(b)[block.sheet]
    assert ws.tables[block.table].ref == L.table_range(block.table, len(second))
    got = [tuple(c.value for c in row)
           for row in ws.iter_rows(min_row=block.header_row + 1,
                                   max_row=block.header_row + max(len(first), len(second), 1),
                                   min_col=block.first_col,
                                   max_col=block.first_col + len(block.header) - 1)]
    want = [tuple(None if v == "" else v for v in map(_xml_chars, r)) for r in second]
    want += [(None,) * len(block.header)] * (len(got) - len(want))
    assert got == want  # every float to the last bit, every text exactly
