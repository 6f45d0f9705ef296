"""Working columns are grouped and collapsed, in the built workbook and after a calculation."""

from __future__ import annotations

import openpyxl
import pytest

from tests.roundtrip_support import BUNDLED
from xlkc import layout as L  # noqa: N812
from xlkc.cli import main


def _outline(path, table_name):
    sheet = L.sheet_of(table_name)
    _, first_col = sheet.table_origin(table_name)
    ws = openpyxl.load_workbook(path)[sheet.name]
    out = {}
    for j, c in enumerate(L.table(table_name).columns):
        d = ws.column_dimensions[L.col_letter(first_col + j)]
        out[c.field] = (bool(d.hidden), d.outlineLevel or 0)
    return out


DETAILS = [(t.name, c.field) for t in L.output_tables() for c in t.columns if c.detail]


def test_the_price_list_hides_how_each_price_arises_one_click_away():
    assert {f for t, f in DETAILS if t == "tblPrislista"} == {
        "cost_basis_kr", "exact_price_kr", "residual_kr", "group_transfer_kr"}


@pytest.mark.parametrize("calculated", [False, True])
def test_detail_columns_collapsed_and_others_visible(tmp_path, monkeypatch, calculated):
    path = BUNDLED
    if calculated:
        monkeypatch.chdir(tmp_path)
        assert main(["berakna", str(BUNDLED), "-o", str(tmp_path / "ut.xlsm")]) == 0
        path = tmp_path / "ut.xlsm"
    for table_name in {t for t, _ in DETAILS}:
        table = L.table(table_name)
        outline = _outline(path, table_name)
        for c in table.columns:
            assert outline[c.field] == ((True, 1) if c.detail else (False, 0)), c.field
