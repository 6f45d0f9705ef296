"""Recalculate a written workbook with the ``formulas`` package: every transparent formula in the
outputs gives the engine's figure (to 0.01 kr).

The workbook is written once per module (engine results of the example -> plan -> openpyxl), then
loaded and calculated once (a few seconds, see TOOLING.md).
"""

from __future__ import annotations

import math

import formulas
import pytest

import xlkc
from tests.roundtrip_support import (
    BUNDLED,
    example_plan,
    expected_cells,
    expected_totals,
    formula_cells,
    register_subtotal,
    register_udfs,
    totals_formulas,
)
from xlkc import layout as L  # noqa: N812
from xlkc.excel.file_writer import write_plan
from xlkc.excel.output import FORMULA_RULES, LINK_RULES
from xlkc.rounding import normalise_direction

NAME = "Prismodell_beraknad.xlsm"


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    plan, results = example_plan()
    path = tmp_path_factory.mktemp("formulas") / NAME
    write_plan(BUNDLED, plan, path)
    register_udfs()
    register_subtotal()
    model = formulas.ExcelModel().loads(str(path)).finish()
    solution = model.calculate()
    return plan, results, solution


def _value(solution, sheet: str, row: int, col: int):
    key = f"'[{NAME}]{sheet.upper()}'!{L.cell_ref(row, col)}"
    v = solution[key].value[0, 0]
    return v


def _is_rounding_tie(exact: float, step: float) -> bool:
    """ROUND on the binary double (formulas) and on the decimal value (Excel) can differ here."""
    r = exact / step
    return abs(abs(r) - math.floor(abs(r)) - 0.5) < 1e-9


def test_every_rule_produces_formulas(recalculated):
    plan, _, _ = recalculated
    cells = formula_cells(plan)
    tables = {b.table: b for b in plan.tables}
    for table, rules in [*FORMULA_RULES.items(), *LINK_RULES.items()]:
        b = tables[table]
        t = L.table(table)
        fired = {t.columns[c - b.first_col].field for (s, _, c) in cells
                 if s == b.sheet and b.first_col <= c < b.first_col + len(t.columns)}
        assert set(rules) <= fired, (table, set(rules) - fired)


def test_formula_cells_equal_the_engine(recalculated):
    plan, results, solution = recalculated
    expected = expected_cells(results)
    params = xlkc.example_inputs().parameters
    step = params.rounding_step_kr
    cells = formula_cells(plan)
    assert len(cells) > 100
    mismatches = []
    for (sheet, row, col), text in cells.items():
        table, field, want = expected[(sheet, row, col)]
        got = _value(solution, sheet, row, col)
        assert isinstance(got, float | int), (sheet, row, col, text, got)
        tol = 1e-9 if field == "change_pct" else 0.01
        if want is None or abs(got - want) > tol + 1e-12 * abs(want):
            if field == "price_kr" and normalise_direction(params.rounding_direction.value) \
                    == "nearest":
                exact = expected[(sheet, row, col - 1)][2]
                if _is_rounding_tie(exact, step) and abs(abs(got - want) - step) < 1e-9:
                    continue  # the documented ROUND edge of `formulas`
            mismatches.append((sheet, L.cell_ref(row, col), text, got, want))
    assert not mismatches


def test_prices_are_the_rounding_of_the_exact_price(recalculated):
    plan, results, solution = recalculated
    t = L.T_PRICES
    b = next(b for b in plan.tables if b.table == t.name)
    j_price = t.column_index("price_kr")
    j_exact = t.column_index("exact_price_kr")
    prices = results.price.prices
    n = 0
    for i, row in enumerate(b.rows):
        if isinstance(row[j_price], str) and row[j_price].startswith("="):
            assert L.col_letter(b.first_col + j_exact) in row[j_price]
            got = _value(solution, b.sheet, b.header_row + 1 + i, b.first_col + j_price)
            assert got == pytest.approx(prices["price_kr"].iloc[i], abs=0.01)
            n += 1
    # every line is rounded by formula, annual fees too (by the kr/år step)
    assert n == len(prices)


def test_totals_recalculated_match(recalculated):
    """Sums of the recalculated formula columns reproduce the engine's totals."""
    plan, results, solution = recalculated
    t = L.T_COST
    sheet = L.sheet_of(t.name)
    header_row, first_col = sheet.table_origin(t.name)
    col = first_col + t.column_index("full_cost_kr")
    total = sum(_value(solution, sheet.name, header_row + 1 + i, col)
                for i in range(len(results.cost.services)))
    assert total == pytest.approx(results.cost.total_cost_kr, abs=0.01)


def test_totals_rows_recalculate_to_the_engine_sums(recalculated):
    """Every totals cell (SUBTOTAL over its column) recalculates to the sum of the engine's
    figures of its column, as its cached value says."""
    plan, results, solution = recalculated
    expected = expected_totals(results)
    written = totals_formulas(plan)
    assert set(written) == set(expected)
    for (sheet, row, col), (table, field, want) in expected.items():
        got = _value(solution, sheet, row, col)
        assert got == pytest.approx(want, abs=0.01), (table, field)
        assert written[(sheet, row, col)].value == pytest.approx(want, abs=1e-6), (table, field)
