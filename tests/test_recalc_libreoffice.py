"""Recalculate a written workbook in LibreOffice: every output cell - formula or value - shows the
engine's figure (to 0.01 kr), and the Start status and Körlogg row are there. Skips when
LibreOffice is not installed."""

from __future__ import annotations

import pytest

from tests.roundtrip_support import (
    BUNDLED,
    example_plan,
    expected_cells,
    expected_totals,
    formula_cells,
    totals_formulas,
)
from xlkc import layout as L  # noqa: N812
from xlkc.excel.file_writer import write_plan

try:  # tests/ as a package or as a plain rootdir-relative folder
    from . import lo_harness as lo
except ImportError:
    import lo_harness as lo

pytestmark = pytest.mark.skipif(
    lo.unavailable_reason() is not None,
    reason=f"LibreOffice-kontroller hoppas över: {lo.unavailable_reason()}",
)

OUTPUT_SHEETS = [s.name for s in L.SHEETS if s.role == "output"]


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    plan, results = example_plan()
    path = tmp_path_factory.mktemp("lo") / "Prismodell_beraknad.xlsm"
    write_plan(BUNDLED, plan, path)
    values = lo.recalculate(path, sheets=[*OUTPUT_SHEETS, "Start"])
    return plan, results, values


def _cell(values, sheet: str, row: int, col: int):
    grid = values[sheet]
    if row - 1 >= len(grid) or col - 1 >= len(grid[row - 1]):
        return ""
    return grid[row - 1][col - 1]


def test_every_output_cell_equals_the_engine(recalculated):
    plan, results, values = recalculated
    formulas = formula_cells(plan)
    mismatches = []
    for (sheet, row, col), (_table, field, want) in expected_cells(results).items():
        got = _cell(values, sheet, row, col)
        if want is None:
            ok = got == ""
        elif isinstance(want, str):
            ok = got == want
        else:
            tol = 1e-9 if field == "change_pct" else 0.01
            ok = isinstance(got, float) and abs(got - want) <= tol + 1e-12 * abs(want)
        if not ok:
            mismatches.append((sheet, L.cell_ref(row, col), formulas.get((sheet, row, col)),
                               got, want))
    assert not mismatches


def test_no_error_cells_and_nothing_beyond_the_tables(recalculated):
    plan, _, values = recalculated
    for b in plan.tables:
        grid = values[b.sheet]
        last = b.header_row + len(b.rows)
        # below each table the sheet is empty (rows of an earlier, longer result are gone) but
        # for its totals row
        for r in range(last, len(grid)):
            cells = grid[r][b.first_col - 1: b.first_col - 1 + len(b.header)]
            if b.totals is not None and r + 1 == b.totals_row:
                assert cells[0] == L.TOTAL_LABEL, (b.table, r + 1, cells)
                continue
            assert all(v == "" for v in cells), (b.table, r + 1, cells)
        for r in range(b.header_row, last):
            assert None not in grid[r][b.first_col - 1: b.first_col - 1 + len(b.header)], \
                (b.table, r + 1)


def test_status_and_run_log(recalculated):
    plan, results, values = recalculated
    start = L.sheet("Start")
    row, col = start.named_cell_position("StatusResultat")
    assert _cell(values, "Start", row, col).startswith("OK")  # warnings may follow
    row, col = start.named_cell_position("StatusTotalkostnad")
    assert _cell(values, "Start", row, col) == pytest.approx(results.cost.total_cost_kr)
    log_sheet = L.sheet_of(L.T_RUNLOG.name)
    header_row, first_col = log_sheet.table_origin(L.T_RUNLOG.name)
    header = values[log_sheet.name][header_row - 1][first_col - 1:]
    first = values[log_sheet.name][header_row][first_col - 1:]
    entry = dict(zip(header, first, strict=False))
    assert entry["Kommando"] == "berakna"
    assert entry["Total kostnad"] == pytest.approx(results.cost.total_cost_kr)
    assert entry["Kontroller"].startswith("OK")


def test_totals_rows_recalculate_to_the_engine_sums(recalculated):
    plan, results, values = recalculated
    expected = expected_totals(results)
    assert set(totals_formulas(plan)) == set(expected)
    for (sheet, row, col), (table, field, want) in expected.items():
        got = _cell(values, sheet, row, col)
        assert isinstance(got, float), (table, field, got)
        assert got == pytest.approx(want, abs=0.01), (table, field)
