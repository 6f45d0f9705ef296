"""The warm path: Excel keeping one Python process between clicks (``USE UDF SERVER``).

With ``USE UDF SERVER`` True on the sheet xlwings.conf, xlwings' VBA ``RunPython`` (Windows)
runs ``import xlkc.excel; xlkc.excel.berakna_priser()`` in its COM server process instead of a new
``python`` per click: the imports are paid once, and every later click reuses the loaded modules.
So nothing may carry over from one click to the next. These tests click the entry points several
times in one process through xlwings' Server engine (``tests/xlwings_payload.py``), with
different workbooks, and check that each click's result is that of its own workbook alone.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from typing import Any

import pytest

import xlkc
from xlkc import layout as L  # noqa: N812
from xlkc.workbook.build import DEFAULT_PATH

from .xlwings_payload import payload_from_xlsx, set_cell

xw = pytest.importorskip("xlwings")

START = next(s for s in L.SHEETS if s.role == "info")
LOG_SHEET = L.sheet_of(L.T_RUNLOG.name).name
OUTPUT_SHEETS = {s.name for s in L.SHEETS if s.role == "output"} - {LOG_SHEET}


@cache
def _payload() -> dict[str, Any]:
    return payload_from_xlsx(DEFAULT_PATH)


@pytest.fixture
def server_engine(monkeypatch):
    """xlwings' Server engine, with the noncommercial key set for this test only."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    added = None
    if "remote" not in xw.engines.engines_by_name:
        from xlwings.main import Engine
        from xlwings.pro import _xlremote

        added = Engine(impl=_xlremote.engine)
        xw.engines.add(added)
    yield xw.engines["remote"]
    if added is not None:
        xw.engines.engines.remove(added)
        del xw.engines.engines_by_name[added.name]


@pytest.fixture
def click(server_engine):
    """Click a button on a workbook (a payload): returns (ExcelRun, the book's actions)."""
    import xlkc.excel

    def run(payload: dict[str, Any], button: str = "berakna_priser"):
        book = xw.Book(json=copy.deepcopy(payload))
        book.set_mock_caller()
        out = getattr(xlkc.excel, button)()
        return out, book.json()["actions"], book

    yield run
    if "_mock_caller" in vars(xw.Book):
        del xw.Book._mock_caller


def _cell(table: L.Table, field: str, index: int) -> tuple[str, str]:
    sheet = L.sheet_of(table.name).name
    return sheet, f"{L.col_letter(1 + table.column_index(field))}{L.FIRST_DATA_ROW + index}"


def _edited(salary: float) -> dict[str, Any]:
    """The bundled workbook with the first staff category's salary changed (still valid)."""
    p = copy.deepcopy(_payload())
    set_cell(p, *_cell(L.T_STAFF, "monthly_salary_kr", 0), salary)
    return p


def _invalid() -> dict[str, Any]:
    p = copy.deepcopy(_payload())
    set_cell(p, *_cell(L.T_CONTACTS, "aht_s", 2), "ca 5")
    return p


_RUN_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


def _untimed(values):
    """The values with the run's minute (each sheet's "beräknat ÅÅÅÅ-MM-DD TT:MM" line)
    blanked: two clicks may straddle a minute."""
    return [[_RUN_TIME.sub("<tid>", v) if isinstance(v, str) else v for v in row]
            for row in values]


def _outputs(actions, book) -> list[Any]:
    """The values written to the output sheets (Start and the Körlogg carry the time, and so
    does the line under each output sheet's title)."""
    names = [s.name for s in book.sheets]
    return [(names[a["sheet_position"]], a["start_row"], a["start_column"],
             _untimed(a["values"]))
            for a in actions if a["func"] == "setValues"
            and names[a["sheet_position"]] in OUTPUT_SHEETS]


def _log_rows(actions, book) -> list[list[Any]]:
    names = [s.name for s in book.sheets]
    return [row for a in actions if a["func"] == "setValues"
            and names[a["sheet_position"]] == LOG_SHEET for row in a["values"]]


def test_the_workbook_documents_the_setting_that_keeps_one_process():
    """The key xlwings' VBA reads (``GetConfig("USE UDF SERVER", False)``), with a boolean
    written as xlwings wants it (``True``/``False``, never localised) and a Swedish note."""
    rows = {key: (value, note) for key, value, note in L.XLWINGS_CONFIG}
    value, note = rows["USE UDF SERVER"]
    assert value in ("True", "False")
    assert "process" in note.lower()


def test_clicks_in_one_process_do_not_leak_into_each_other(click):
    """A, an invalid workbook, B (another salary), A again: each result is its own workbook's."""
    first, first_actions, first_book = click(_payload())
    assert first.ok and first.problems == []
    bad, bad_actions, bad_book = click(_invalid())
    assert not bad.ok and bad.problems
    assert _outputs(bad_actions, bad_book) == []  # nothing written but Start and the log

    salary = 41_000.0
    second, second_actions, second_book = click(_edited(salary))
    assert second.ok and second.problems == []
    assert "fel" not in second.message.lower().split("\n")[0]
    # B's figures are B's: the same as calculating B's inputs directly
    from xlkc.excel.parse import parse_workbook
    from xlkc.excel.xlwings_adapter import read_book

    inputs_b = parse_workbook(read_book(second_book))
    assert inputs_b.staff[0].monthly_salary_kr == salary
    assert second.results.cost.total_cost_kr == pytest.approx(
        xlkc.calculate(inputs_b).cost.total_cost_kr, abs=1e-6)
    assert second.results.cost.total_cost_kr != pytest.approx(
        first.results.cost.total_cost_kr, abs=1.0)

    again, again_actions, again_book = click(_payload())
    assert again.ok
    assert _outputs(again_actions, again_book) == _outputs(first_actions, first_book)
    assert again.message == first.message
    # one Körlogg row per click, each with its own input hash
    logs = [_log_rows(a, b) for a, b in ((first_actions, first_book),
                                        (second_actions, second_book),
                                        (again_actions, again_book))]
    assert [len(rows) for rows in logs] == [1, 1, 1]
    hash_col = L.T_RUNLOG.column_index("input_hash")
    hashes = [rows[0][hash_col] for rows in logs]
    assert hashes[0] == hashes[2] != hashes[1]


def test_validation_after_a_calculation_reports_only_its_own_problems(click):
    calc, _, _ = click(_payload())
    assert calc.ok
    checked, actions, book = click(_invalid(), "validera_indata")
    assert not checked.ok and checked.results is None
    assert any("ca 5" in str(p) for p in checked.problems)
    later, _, _ = click(_payload(), "validera_indata")
    assert later.ok and later.problems == []
    assert later.message.startswith("Indata är giltiga")
