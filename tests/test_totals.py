"""Totals rows below the output tables (``layout.totals_row``): one empty row below each table
with additive columns (``Column.total``), the label Summa, SUBTOTAL(109, ...) over the column's
data rows with the engine's sum as cached value, bold, outside the Excel Table. Recalculation
by ``formulas`` and LibreOffice: tests/test_recalc_formulas.py and test_recalc_libreoffice.py."""

from __future__ import annotations

import dataclasses

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from tests.roundtrip_support import BUNDLED, example_plan, expected_totals, totals_formulas
from xlkc import layout as L  # noqa: N812
from xlkc.excel.file_reader import read_workbook
from xlkc.excel.file_writer import write_plan
from xlkc.excel.output import totals_cells


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    plan, results = example_plan()
    path = tmp_path_factory.mktemp("totals") / "Prismodell_beraknad.xlsm"
    write_plan(BUNDLED, plan, path, backup=False)
    return plan, results, path


def test_additive_columns_are_amounts_fte_volumes_and_hours():
    for t in L.output_tables():
        for c in t.columns:
            if c.total:
                assert c.kind in ("money", "number"), (t.name, c.field)
                assert c.field not in ("price_kr", "exact_price_kr", "previous_price_kr",
                                       "unit_price_kr", "change_kr", "cost_per_fte_kr"), c.field
                assert "per_" not in c.field and "share" not in c.field, (t.name, c.field)
    # the figures the controllers add up have totals; prices and shares never do
    assert L.T_COST.column("full_cost_kr").total and L.T_STAFFING.column("fte").total
    assert not L.T_PRICES.column("price_kr").total
    assert not L.T_PRICES.column("quantity").total  # contacts, minutes and hours mixed
    assert not L.T_COST.column("cost_per_fte_kr").total
    assert not L.T_COST.column("productive_hours").total
    assert not L.T_SLA_PRICES.has_totals and not L.T_CHECKS.has_totals
    assert not L.T_QUALITY.has_totals and not L.T_STATEMENT.has_totals  # own total rows


def test_every_totals_cell_is_the_sum_of_its_column(written):
    plan, results, _ = written
    expected = expected_totals(results)
    cells = totals_formulas(plan)
    assert set(cells) == set(expected) and len(cells) > 40
    for key, (table, field, want) in expected.items():
        f = cells[key]
        sheet, row, col = key
        b = next(b for b in plan.tables if b.table == table)
        letter = L.col_letter(col)
        assert str(f) == f"=SUBTOTAL(109,{letter}{b.header_row + 1}:{letter}"\
                         f"{b.header_row + len(b.rows)})"
        assert f.value == pytest.approx(want, abs=1e-6), (table, field)
    # the sums that must agree with the reconciliation
    cost = next(v for (s, r, c), v in cells.items() if (s, c) == (
        L.sheet_of(L.T_COST.name).name,
        L.sheet_of(L.T_COST.name).table_origin(L.T_COST.name)[1]
        + L.T_COST.column_index("full_cost_kr")))
    assert cost.value == pytest.approx(results.cost.total_cost_kr, abs=0.01)


def test_totals_rows_in_the_file(written):
    plan, _, path = written
    wb = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    for b in plan.tables:
        ws = wb[b.sheet]
        min_col, _, max_col, max_row = range_boundaries(ws.tables[b.table].ref)
        assert max_row == b.header_row + max(len(b.rows), 1)  # the totals are not in the table
        if b.totals is None:
            continue
        assert b.totals_row == max_row + 2
        assert all(ws.cell(max_row + 1, c).value is None for c in range(min_col, max_col + 1))
        for j, v in enumerate(b.totals):
            cell = ws.cell(b.totals_row, b.first_col + j)
            assert cell.font.b, (b.table, cell.coordinate)
            if v is None:
                assert cell.value is None
            elif v == L.TOTAL_LABEL:
                assert cell.value == L.TOTAL_LABEL
            else:
                assert cell.value == str(v)
                assert cell.number_format == b.number_formats[j]
                cached = values[b.sheet].cell(b.totals_row, b.first_col + j).value
                assert cached == pytest.approx(v.value, abs=1e-6)


def test_the_reader_takes_no_totals_row_for_data(written):
    _, _, path = written
    assert read_workbook(path).tables == read_workbook(BUNDLED).tables


def test_a_shorter_result_moves_the_totals_row_up(written, tmp_path):
    """A second run with fewer rows: the old totals row is gone, the new one sits one empty
    row below the new last row (whole sheet and a sheet whose other tables stay)."""
    plan, _, path = written
    shorter = []
    for b in plan.tables:
        if b.table in (L.T_PRICES.name, L.T_ALLOCATION.name):
            rows = b.rows[:3]
            t = L.table(b.table)
            shorter.append(dataclasses.replace(
                b, rows=rows, totals=totals_cells(t, b.header_row, b.first_col, rows)))
    out = tmp_path / "kortare.xlsm"
    write_plan(path, dataclasses.replace(plan, tables=tuple(shorter), cells=(),
                                         log_entry=None), out, backup=False)
    wb = openpyxl.load_workbook(out)
    old = {b.table: b for b in plan.tables}
    for b in shorter:
        ws = wb[b.sheet]
        width = range(b.first_col, b.first_col + len(b.header))
        assert ws.cell(b.totals_row, b.first_col).value == L.TOTAL_LABEL
        for r in range(b.totals_row + 1, old[b.table].totals_row + 1):
            assert all(ws.cell(r, c).value is None for c in width), (b.table, r)
        j = next(j for j, v in enumerate(b.totals) if v not in (None, L.TOTAL_LABEL))
        assert ws.cell(b.totals_row, b.first_col + j).value.endswith(
            f"{b.header_row + 3})")
    # Fördelning's other tables (pools, steps) and their totals are untouched
    ws = wb[L.sheet_of(L.T_POOL_COST.name).name]
    pools = old[L.T_POOL_COST.name]
    assert ws.cell(pools.totals_row, pools.first_col).value == L.TOTAL_LABEL
    assert len(ws.tables) == 3
