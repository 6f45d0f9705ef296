"""The xlwings adapter and the button entry points, through xlwings' own Server engine.

No mocks: ``xw.Book(json=payload)`` is xlwings' Book built from the payload its VBA client would
send for the real ``workbook/Prismodell.xlsm`` (see ``tests/xlwings_payload.py``); reads go through
xlwings' range/table/name machinery, writes come back as the actions xlwings would send to Excel.
The Server engine lives in ``xlwings/pro`` (PolyForm Noncommercial, which permits use by
government institutions); its licence key is set here, in the tests only.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

import xlkc
from xlkc import layout as L  # noqa: N812
from xlkc.errors import InputError
from xlkc.excel.model import OutputPlan, TableBlock
from xlkc.workbook.build import DEFAULT_PATH

from .xlwings_payload import payload_from_xlsx, set_cell

xw = pytest.importorskip("xlwings")

from xlkc.excel.xlwings_adapter import apply_plan, cell_value, read_book  # noqa: E402

HAVE_PARSE = importlib.util.find_spec("xlkc.excel.parse") is not None
HAVE_FILE_READER = importlib.util.find_spec("xlkc.excel.file_reader") is not None
needs_parse = pytest.mark.skipif(not HAVE_PARSE,
                                 reason="xlkc.excel.parse (Engineer R) has not landed yet")

OUTPUT_SHEETS = {s.name for s in L.SHEETS if s.role == "output"}
INPUT_SHEETS = {s.name for s in L.SHEETS if s.role == "input"}
START = next(s for s in L.SHEETS if s.role == "info")
LOG_SHEET = L.sheet_of(L.T_RUNLOG.name).name


@cache
def _payload() -> dict[str, Any]:
    return payload_from_xlsx(DEFAULT_PATH)


@pytest.fixture
def payload() -> dict[str, Any]:
    return copy.deepcopy(_payload())


@pytest.fixture
def server_engine(monkeypatch):
    """xlwings' Server engine, with the noncommercial key set for this test only.

    xlwings registers the engine when it is imported with a key; when it was imported before
    without one (another test module), the engine is registered here and removed afterwards.
    """
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    added = None
    if "remote" not in xw.engines.engines_by_name:
        from xlwings.main import Engine
        from xlwings.pro import _xlremote  # validates the key now that it is set

        added = Engine(impl=_xlremote.engine)
        xw.engines.add(added)
    yield xw.engines["remote"]
    if added is not None:
        xw.engines.engines.remove(added)
        del xw.engines.engines_by_name[added.name]


@pytest.fixture
def make_book(server_engine):
    """Build a Book from a payload and make it the caller, as RunPython would."""

    def make(p: dict[str, Any]):
        book = xw.Book(json=p)
        book.set_mock_caller()
        return book

    yield make
    if "_mock_caller" in vars(xw.Book):
        del xw.Book._mock_caller


@cache
def _example_plan():
    from xlkc.excel.output import plan_outputs
    from xlkc.excel.run import RunInfo, input_hash

    inputs = xlkc.example_inputs()
    results = xlkc.calculate(inputs)
    run = RunInfo.make("berakna", input_hash(inputs), user="testare",
                       now=dt.datetime(2026, 11, 5, 9, 30))
    return plan_outputs(inputs, results, run), results


# --- reading the actions ------------------------------------------------------------------------

def _actions(book) -> list[dict[str, Any]]:
    return book.json()["actions"]


def _sheet_of(action) -> str | None:
    """The sheet an action writes to (by its position in the caller book)."""
    pos = action.get("sheet_position")
    return None if pos is None else xw.Book.caller().sheets[pos].name


def _at(action) -> tuple[int, int, int, int]:
    """(first row, first col, rows, cols), 1-based, of a range action."""
    return (action["start_row"] + 1, action["start_column"] + 1, action["row_count"],
            action["column_count"])


def _sent(v: Any) -> Any:
    """A plan value as xlwings' Server engine sends it (empty as "", datetimes as text)."""
    v = cell_value(v)
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ").split(".")[0]
    return v


def _untext(v: Any) -> Any:
    """Drop the apostrophe that keeps a text a text."""
    return v[1:] if isinstance(v, str) and v.startswith("'") else v


# --- an independent reading of the file ----------------------------------------------------------

@cache
def _openpyxl_tables() -> dict[str, tuple[list[Any], list[list[Any]], int]]:
    wb = openpyxl.load_workbook(DEFAULT_PATH, data_only=True)
    out = {}
    for t in L.input_tables():
        ws = wb[L.sheet_of(t.name).name]
        c0, r0, c1, r1 = range_boundaries(ws.tables[t.name].ref)
        cells = [[c.value for c in row]
                 for row in ws.iter_rows(min_row=r0, max_row=r1, min_col=c0, max_col=c1)]
        # the one empty row an empty Excel Table keeps is no data (both readers skip it)
        rows = [r for r in cells[1:] if any(v is not None for v in r)]
        out[t.name] = (cells[0], rows, r0 + 1)
    return out


@cache
def _openpyxl_names() -> dict[str, Any]:
    wb = openpyxl.load_workbook(DEFAULT_PATH, data_only=True)
    out = {}
    for _, nc in L.named_cells():
        (sheet, ref), = wb.defined_names[nc.name].destinations
        out[nc.name] = wb[sheet][ref.replace("$", "")].value
    return out


# --- the payload itself --------------------------------------------------------------------------

def test_payload_has_every_layout_table_and_name(payload, make_book):
    book = make_book(payload)
    for s, t in L.iter_tables():
        tbl = book.sheets[s.name].tables[t.name]
        row, col = s.table_origin(t.name)
        assert (tbl.range.row, tbl.range.column) == (row, col)
        assert tbl.range.shape[1] == len(t.columns)
    for s, nc in L.named_cells():
        rng = book.names[nc.name].refers_to_range
        assert (rng.sheet.name, rng.row, rng.column) == (s.name, *s.named_cell_position(nc.name))


# --- read_book -----------------------------------------------------------------------------------

def test_read_book_gives_the_files_raw_values(payload, make_book):
    data = read_book(make_book(payload))
    assert data.path == DEFAULT_PATH.name
    assert data.sheets == tuple(s["name"] for s in payload["sheets"])
    # the input tables, and the version tables read back (Versioner)
    assert set(data.tables) == {t.name for t in L.input_tables() + L.carried_tables()}
    for name, (header, rows, first_row) in _openpyxl_tables().items():
        raw = data.tables[name]
        assert raw.sheet == L.sheet_of(name).name
        assert list(raw.header) == header
        assert [list(r) for r in raw.rows] == rows, name
        assert raw.first_row == first_row == L.FIRST_DATA_ROW
    assert data.names == _openpyxl_names()
    assert data.names["Prisar"] == xlkc.example_inputs().parameters.year


@pytest.mark.skipif(not HAVE_FILE_READER,
                    reason="xlkc.excel.file_reader (Engineer R) has not landed yet")
def test_read_book_equals_the_file_reader(payload, make_book):
    from xlkc.excel.file_reader import read_workbook

    live = read_book(make_book(payload))
    file = read_workbook(DEFAULT_PATH)
    assert set(live.tables) <= set(file.tables)
    for name, raw in live.tables.items():
        other = file.tables[name]
        assert (raw.sheet, raw.header, raw.first_row) == (other.sheet, other.header,
                                                          other.first_row), name
        assert raw.rows == other.rows, name
    for name, value in live.names.items():
        if name in file.names:
            assert value == file.names[name], name


def _edited_copy(tmp: Path) -> Path:
    """The workbook as a controller leaves it: every liberty the readers must take alike."""
    wb = openpyxl.load_workbook(DEFAULT_PATH, keep_vba=True)
    # the last contact row lies below its Table (typed or pasted there)
    ws = wb[L.sheet_of(L.T_CONTACTS.name).name]
    t = ws.tables[L.T_CONTACTS.name]
    c0, r0, c1, r1 = range_boundaries(t.ref)
    t.ref = t.autoFilter.ref = f"{L.col_letter(c0)}{r0}:{L.col_letter(c1)}{r1 - 1}"
    # the costs Table runs on over empty rows
    ws = wb[L.sheet_of(L.T_COSTS.name).name]
    t = ws.tables[L.T_COSTS.name]
    c0, r0, c1, r1 = range_boundaries(t.ref)
    t.ref = t.autoFilter.ref = f"{L.col_letter(c0)}{r0}:{L.col_letter(c1)}{r1 + 3}"
    # the customers are a plain range now, at their place
    del wb[L.sheet_of(L.T_CUSTOMERS.name).name].tables[L.T_CUSTOMERS.name]
    # the outcome's revenue and cost columns swapped, a header with a trailing space
    ws = wb[L.sheet_of(L.T_OUTCOMES.name).name]
    c0, r0, c1, r1 = range_boundaries(ws.tables[L.T_OUTCOMES.name].ref)
    a = c0 + L.T_OUTCOMES.column_index("revenue_kr")
    b = c0 + L.T_OUTCOMES.column_index("cost_kr")
    for r in range(r0, r1 + 1):
        x, y = ws.cell(r, a), ws.cell(r, b)
        x.value, y.value = y.value, x.value
    ws.cell(r0, c0).value = f"{ws.cell(r0, c0).value} "
    # the price year moved (its name follows it)
    ws = wb["Parametrar"]
    ws["K40"] = ws["B6"].value
    wb.defined_names["Prisar"].attr_text = "'Parametrar'!$K$40"
    out = tmp / "Redigerad.xlsm"
    wb.save(out)
    return out


@pytest.mark.skipif(not (HAVE_FILE_READER and HAVE_PARSE),
                    reason="xlkc.excel.file_reader/parse (Engineer R) have not landed yet")
def test_an_edited_workbook_reads_as_the_file_reader_reads_it(tmp_path, make_book):
    from xlkc.excel.file_reader import read_workbook
    from xlkc.excel.parse import parse_workbook

    path = _edited_copy(tmp_path)
    live = read_book(make_book(payload_from_xlsx(path)))
    assert live == read_workbook(path)
    kontakter = live.tables[L.T_CONTACTS.name]
    assert len(kontakter.rows) == len(xlkc.example_inputs().contacts)
    assert parse_workbook(live) == xlkc.example_inputs()


@needs_parse
def test_read_book_parses_to_the_example_inputs(payload, make_book):
    from xlkc.excel.parse import parse_workbook

    assert parse_workbook(read_book(make_book(payload))) == xlkc.example_inputs()


def test_rows_typed_below_a_table_are_read_up_to_the_first_empty_row(payload, make_book):
    table = L.T_CONTACTS
    sheet = L.sheet_of(table.name).name
    (_, rows, first_row) = _openpyxl_tables()[table.name]
    below = first_row + len(rows)  # the first row under the Excel Table
    extra = ["SB1", "chatt", 100, "uppskattning", 4, "uppskattning", None, None, None, None]
    for j, v in enumerate(extra):
        set_cell(payload, sheet, f"{L.col_letter(1 + j)}{below}", v)
    set_cell(payload, sheet, f"C{below + 1}", 7)  # a row with only a volume still counts
    set_cell(payload, sheet, f"A{below + 3}", "SB9")  # after an empty row: not part of it
    raw = read_book(make_book(payload)).tables[table.name]
    assert len(raw.rows) == len(rows) + 2
    assert list(raw.rows[-2]) == extra
    assert list(raw.rows[-1]) == [None, None, 7, None, None, None, None, None, None, None]


def test_named_cells_are_found_where_their_names_point(payload, make_book):
    name = next(n for n in payload["names"] if n["name"] == "Prisar")
    name["address"] = "K40"
    set_cell(payload, "Parametrar", "K40", 2031)
    data = read_book(make_book(payload))
    assert data.names["Prisar"] == 2031
    assert data.names["Arbetsdagar"] == _openpyxl_names()["Arbetsdagar"]


def test_without_table_objects_the_layout_positions_are_read(payload, make_book):
    with_tables = read_book(make_book(payload))
    for s in payload["sheets"]:
        s["tables"] = []
    assert read_book(make_book(payload)) == with_tables


def test_a_missing_input_sheet_is_named(payload, make_book):
    _remove_sheet(payload, "Kontakter")
    with pytest.raises(InputError, match="Kontakter"):
        read_book(make_book(payload))


# --- cell_value ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("SB1", "SB1"), ("Telefoni, bas", "Telefoni, bas"), ("OK (7 av 7)", "OK (7 av 7)"),
    ("001", "'001"), ("12,5", "'12,5"), ("1 234", "'1 234"), ("0.4.1", "'0.4.1"),
    ("2026-01-05", "'2026-01-05"), ("08:00", "'08:00"), ("=A1", "'=A1"), ("-", "'-"),
    ("SANT", "'SANT"), ("", None), (None, None), (12.5, 12.5), (0, 0),
])
def test_cell_value_keeps_texts_texts(value, expected):
    assert cell_value(value) == expected


def test_cell_value_writes_formulas_as_formulas():
    from xlkc.excel.output import Formula

    assert cell_value(Formula("=F6*G6")) == "=F6*G6"
    assert type(cell_value(Formula("=F6*G6"))) is str


# --- apply_plan ----------------------------------------------------------------------------------

def _remove_sheet(payload: dict[str, Any], name: str) -> None:
    """Delete a sheet from a payload, keeping the names' sheet indexes right."""
    index = [s["name"] for s in payload["sheets"]].index(name)
    del payload["sheets"][index]
    payload["names"] = [n for n in payload["names"] if n["sheet_index"] != index]
    for n in payload["names"]:
        if n["sheet_index"] > index:
            n["sheet_index"] -= 1


def _set_values(actions, sheet: str) -> list[dict[str, Any]]:
    """The sheet's value writes, apart from the note under its title (row 2)."""
    return [a for a in actions if a["func"] == "setValues" and _sheet_of(a) == sheet
            and not (a["start_row"] in (1, 2) and a["start_row"] + a["row_count"] <= 3
                     and a["column_count"] == 1)]  # the note (row 2), a heading (row 3)


def test_apply_plan_writes_each_output_table_in_one_call(payload, make_book):
    plan, _ = _example_plan()
    book = make_book(payload)
    apply_plan(book, plan)
    actions = _actions(book)
    touched = {_sheet_of(a) for a in actions if _sheet_of(a) is not None}
    assert touched <= OUTPUT_SHEETS | {START.name}
    assert not touched & INPUT_SHEETS
    for block in plan.tables:
        writes = [a for a in _set_values(actions, block.sheet)
                  if a["start_column"] + 1 == block.first_col
                  and a["start_row"] + 1 == block.header_row]
        assert len(writes) == 1, block.table
        (w,) = writes
        assert _at(w) == (block.header_row, block.first_col, len(block.rows) + 1,
                          len(block.header))
        expected = [[_sent(v) for v in block.header]] + [[_sent(v) for v in r]
                                                         for r in block.rows]
        assert w["values"] == expected
        # the table's previous data rows were cleared before
        clears = [a for a in actions if a["func"] == "rangeClearContents"
                  and _sheet_of(a) == block.sheet and a["start_column"] + 1 == block.first_col]
        assert len(clears) == 1 and actions.index(clears[0]) < actions.index(w)
        assert _at(clears[0])[0] == block.header_row + 1


def test_written_rows_equal_the_engine_results(payload, make_book):
    """Values, not only the plan: the price list as written holds the engine's prices."""
    plan, results = _example_plan()
    book = make_book(payload)
    apply_plan(book, plan)
    block = next(b for b in plan.tables if b.table == L.T_PRICES.name)
    (w,) = [a for a in _set_values(_actions(book), block.sheet)
            if a["start_row"] + 1 == block.header_row]
    header = [_untext(v) for v in w["values"][0]]
    assert header == list(L.T_PRICES.headers)
    ids = [_untext(r[header.index("Tjänst-id")]) for r in w["values"][1:]]
    assert ids == list(results.price.prices["service_id"])
    col = L.T_PRICES.column_index("price_kr")
    prices = [r[col] for r in w["values"][1:]]
    # each price is either the value or the rounding formula over the exact price of its row
    for n, (p, expected) in enumerate(zip(prices, results.price.prices["price_kr"],
                                          strict=True)):
        if isinstance(p, str):
            exact = L.col_letter(block.first_col + L.T_PRICES.column_index("exact_price_kr"))
            assert p.startswith("=") and f"{exact}{block.header_row + 1 + n}" in p
        else:
            assert p == pytest.approx(float(expected), abs=0.005)


def test_tables_are_resized_and_formatted(payload, make_book):
    plan, _ = _example_plan()
    book = make_book(payload)
    apply_plan(book, plan)
    actions = _actions(book)
    for block in plan.tables:
        sheet = book.sheets[block.sheet]
        index = [t.name for t in sheet.tables].index(block.table)
        resizes = [a for a in actions if a["func"] == "resizeTable"
                   and _sheet_of(a) == block.sheet and a["args"][0] == index]
        last = block.header_row + max(len(block.rows), 1)
        expected = sheet.range((block.header_row, block.first_col),
                               (last, block.first_col + len(block.header) - 1)).address
        assert [a["args"][1] for a in resizes] == [expected], block.table
        formats = {a["start_column"] + 1 - block.first_col: a["args"][0] for a in actions
                   if a["func"] == "setNumberFormat" and _sheet_of(a) == block.sheet
                   and a["start_row"] + 1 > block.header_row  # not the note above
                   and a["start_row"] + 1 != block.totals_row  # nor the totals row
                   and block.first_col <= a["start_column"] + 1
                   < block.first_col + len(block.header)}
        assert formats == {j: f for j, f in enumerate(block.number_formats) if f}
        for a in actions:
            if a["func"] == "setNumberFormat" and _sheet_of(a) == block.sheet \
                    and _at(a)[0] not in (2, 3):  # the notes under the title
                totals = {b.totals_row for b in plan.tables
                          if b.sheet == block.sheet and b.totals is not None}
                assert _at(a)[0] == block.header_row + 1 or _at(a)[0] in totals


def test_status_cells_and_log_row(payload, make_book):
    plan, _ = _example_plan()
    book = make_book(payload)
    apply_plan(book, plan)
    actions = _actions(book)
    status = _set_values(actions, START.name)
    # first the note that writing is under way (one cell), the run's own status last; its
    # cells are adjacent: one call
    assert len(status) == 2 and "pågår" in status[0]["values"][0][0]
    s = status[-1]
    assert actions.index(s) == max(i for i, a in enumerate(actions) if a["func"] == "setValues")
    cells = [c for c in plan.cells if c.sheet == START.name]
    first = min(cells, key=lambda c: c.row)
    assert _at(s)[:2] == (first.row, first.col)
    assert [r[0] for r in s["values"]] == [_sent(c.value) for c in sorted(cells,
                                                                          key=lambda c: c.row)]
    assert "OK" in [r[0] for r in s["values"]]
    log = _set_values(actions, LOG_SHEET)
    assert len(log) == 1
    (entry,) = log
    assert _at(entry)[:2] == (L.FIRST_DATA_ROW, 1)
    assert entry["values"] == [[_sent(v) for v in plan.log_entry]]
    # the log's table held only its blank row: nothing is pushed down
    assert not [a for a in actions if a["func"] == "rangeInsert"]


def test_a_new_log_row_goes_above_the_previous_ones(payload, make_book):
    plan, _ = _example_plan()
    previous = ["2026-10-01 08:00:00", "annan", "berakna", "0.1.0", "abc", 1.0, 1.0, "OK", "x"]
    for j, v in enumerate(previous):
        set_cell(payload, LOG_SHEET, f"{L.col_letter(1 + j)}{L.FIRST_DATA_ROW}", v)
    book = make_book(payload)
    apply_plan(book, OutputPlan(tables=(), cells=(), log_entry=plan.log_entry))
    actions = _actions(book)
    inserts = [a for a in actions if a["func"] == "rangeInsert"]
    assert len(inserts) == 1
    assert _sheet_of(inserts[0]) == LOG_SHEET
    assert _at(inserts[0]) == (L.FIRST_DATA_ROW, 1, 1, len(L.T_RUNLOG.columns))
    assert inserts[0]["args"][0] == "down"
    (entry,) = _set_values(actions, LOG_SHEET)
    assert actions.index(inserts[0]) < actions.index(entry)
    assert _at(entry)[:2] == (L.FIRST_DATA_ROW, 1)
    time_fmt = [a for a in actions if a["func"] == "setNumberFormat"
                and _at(a)[:2] == (L.FIRST_DATA_ROW, 1)]
    assert [a["args"][0] for a in time_fmt] == [L.FMT_DATETIME]


def test_a_shrinking_table_leaves_nothing_behind(payload, make_book):
    plan, _ = _example_plan()
    block = next(b for b in plan.tables if b.table == L.T_PRICES.name)
    old_last = block.header_row + len(block.rows) + 40
    sheet = next(s for s in payload["sheets"] if s["name"] == block.sheet)
    (tbl,) = [t for t in sheet["tables"] if t["name"] == block.table]
    end = L.col_letter(block.first_col + len(block.header) - 1)
    tbl["range_address"] = f"$A${block.header_row}:${end}${old_last}"
    tbl["data_body_range_address"] = f"$A${block.header_row + 1}:${end}${old_last}"
    book = make_book(payload)
    apply_plan(book, OutputPlan(tables=(block,)))
    actions = _actions(book)
    (clear,) = [a for a in actions if a["func"] == "rangeClearContents"]
    assert _at(clear) == (block.header_row + 1, 1, old_last - block.header_row,
                          len(block.header))
    new_last = block.header_row + len(block.rows)
    (resize,) = [a for a in actions if a["func"] == "resizeTable"]
    assert resize["args"][1] == f"$A${block.header_row}:${end}${new_last}"
    # the old totals row (one empty row below the old table), then every row below the new
    # table down to it; the new totals row is written after
    old_totals = L.totals_row(block.header_row, old_last - block.header_row)
    first, leftover = [a for a in actions if a["func"] == "rangeClear"]
    assert _at(first) == (old_totals, 1, 1, len(block.header))
    assert _at(leftover) == (new_last + 1, 1, old_totals - new_last, len(block.header))
    (totals,) = [a for a in _set_values(actions, block.sheet)
                 if a["start_row"] + 1 == block.totals_row]
    assert actions.index(leftover) < actions.index(totals)


def test_totals_rows_are_written_below_each_table_in_bold(payload, make_book):
    plan, results = _example_plan()
    book = make_book(payload)
    apply_plan(book, plan)
    actions = _actions(book)
    with_totals = [b for b in plan.tables if b.totals is not None]
    assert {b.table for b in with_totals} == {t.name for t in L.output_tables()
                                              if t.has_totals and t.result is not None}
    for block in with_totals:
        assert block.totals_row == block.header_row + len(block.rows) + 2
        (w,) = [a for a in _set_values(actions, block.sheet)
                if a["start_row"] + 1 == block.totals_row
                and a["start_column"] + 1 == block.first_col]
        assert _at(w) == (block.totals_row, block.first_col, 1, len(block.header))
        assert w["values"] == [[_sent(v) for v in block.totals]]
        assert w["values"][0][0] == L.TOTAL_LABEL
        bold = [a for a in actions if a["func"] == "setFontProperty"
                and _sheet_of(a) == block.sheet and _at(a) == _at(w)]
        assert [a["args"] for a in bold] == [["bold", True]], block.table
        # written after the table is resized, so Excel cannot take it into the table
        index = [t.name for t in book.sheets[block.sheet].tables].index(block.table)
        resizes = [i for i, a in enumerate(actions) if a["func"] == "resizeTable"
                   and _sheet_of(a) == block.sheet and a["args"][0] == index]
        assert resizes and all(i < actions.index(w) for i in resizes), block.table


def test_an_empty_result_keeps_one_blank_table_row(payload, make_book):
    plan, _ = _example_plan()
    block = next(b for b in plan.tables if b.table == L.T_SLA_PRICES.name)
    empty = TableBlock(block.sheet, block.table, block.header_row, block.first_col,
                       block.header, (), block.number_formats)
    book = make_book(payload)
    apply_plan(book, OutputPlan(tables=(empty,)))
    actions = _actions(book)
    (w,) = _set_values(actions, block.sheet)
    assert _at(w) == (block.header_row, block.first_col, 1, len(block.header))
    assert not [a for a in actions if a["func"] == "resizeTable"]  # A5:H6 already


def test_a_plan_naming_an_input_sheet_is_refused(payload, make_book):
    plan, _ = _example_plan()
    block = plan.tables[0]
    bad = TableBlock("Kontakter", L.T_CONTACTS.name, L.HEADER_ROW, 1, block.header, block.rows,
                     block.number_formats)
    book = make_book(payload)
    with pytest.raises(InputError, match="Kontakter"):
        apply_plan(book, OutputPlan(tables=(plan.tables[1], bad)))
    assert _actions(book) == []


# --- the buttons ---------------------------------------------------------------------------------

def _alerts(book) -> list[str]:
    return [a["args"][0] for a in _actions(book) if a["func"] == "alert"]


@needs_parse
def test_berakna_priser_writes_the_engine_outputs(payload, make_book):
    import xlkc.excel

    book = make_book(payload)
    out = xlkc.excel.berakna_priser()
    assert out.ok and out.problems == []
    expected, results = _example_plan()
    actions = _actions(book)
    touched = {_sheet_of(a) for a in actions if _sheet_of(a) is not None}
    assert not touched & INPUT_SHEETS
    for block in expected.tables:
        writes = [a for a in _set_values(actions, block.sheet)
                  if a["start_column"] + 1 == block.first_col
                  and a["start_row"] + 1 == block.header_row]
        assert len(writes) == 1, block.table
        assert writes[0]["values"] == [[_sent(v) for v in block.header]] + \
            [[_sent(v) for v in r] for r in block.rows], block.table
    assert len(_set_values(actions, START.name)) == 2  # "writing under way", then the status
    assert len(_set_values(actions, LOG_SHEET)) == 1
    (alert,) = [a for a in actions if a["func"] == "alert"]
    text, title = alert["args"][0], alert["args"][1]
    assert title == "Prismodell"
    assert text.startswith("Beräkningen är klar")
    total = f"{results.cost.total_cost_kr:,.0f}".replace(",", "\u00a0")
    assert f"total kostnad {total}\u00a0kr" in text


@needs_parse
def test_invalid_input_writes_no_output_and_names_the_cell(payload, make_book):
    import xlkc.excel

    table = L.T_CONTACTS
    sheet = L.sheet_of(table.name).name
    aht = L.col_letter(1 + table.column_index("aht_s"))
    row = L.FIRST_DATA_ROW + 3
    set_cell(payload, sheet, f"{aht}{row}", "ca 5")
    book = make_book(payload)
    out = xlkc.excel.berakna_priser()
    assert not out.ok and out.problems
    actions = _actions(book)
    written = {_sheet_of(a) for a in actions if a["func"] in (
        "setValues", "rangeClearContents", "rangeClear", "resizeTable", "setNumberFormat",
        "rangeInsert")}
    assert written <= {START.name, LOG_SHEET}
    assert START.name in written and LOG_SHEET in written
    (text,) = _alerts(book)
    assert text.startswith(f"Indata har {len(out.problems)} fel – se Start och Körlogg")
    assert sheet in text and f"rad {row}" in text
    assert table.column("aht_s").header in text and "ca 5" in text


@needs_parse
def test_validera_indata_writes_only_status_and_log(payload, make_book):
    import xlkc.excel

    book = make_book(payload)
    out = xlkc.excel.validera_indata()
    assert out.ok
    actions = _actions(book)
    assert {_sheet_of(a) for a in actions if a["func"] == "setValues"} == {START.name, LOG_SHEET}
    (text,) = _alerts(book)
    assert text.startswith("Indata är giltiga")


def test_a_workbook_without_an_input_sheet_gives_a_swedish_box(payload, make_book):
    import xlkc.excel

    _remove_sheet(payload, "Kontakter")
    book = make_book(payload)
    out = xlkc.excel.berakna_priser()
    assert not out.ok
    (text,) = _alerts(book)
    assert text.startswith("Indata har 1 fel – se Start och Körlogg")
    assert "Bladet 'Kontakter' saknas" in text
    # the failed run is recorded on Start and in the Körlogg; nothing else is written
    written = {_sheet_of(a) for a in _actions(book) if a["func"] == "setValues"}
    assert written == {START.name, LOG_SHEET}


def test_importing_the_entry_points_needs_no_xlwings():
    code = ("import sys, xlkc.excel as e; assert callable(e.berakna_priser); "
            "assert 'xlwings' not in sys.modules, 'xlwings imported'")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1], timeout=60)
    assert res.returncode == 0, res.stderr


@needs_parse
def test_many_problems_fit_in_a_message_box(payload, make_book):
    import xlkc.excel

    table = L.T_CONTACTS
    sheet = L.sheet_of(table.name).name
    aht = L.col_letter(1 + table.column_index("aht_s"))
    n = len(xlkc.example_inputs().contacts)
    for i in range(n):
        set_cell(payload, sheet, f"{aht}{L.FIRST_DATA_ROW + i}", "ca 5")
    book = make_book(payload)
    out = xlkc.excel.berakna_priser()
    assert len(out.problems) >= n
    (text,) = _alerts(book)
    assert len(text) < 1024  # VBA's MsgBox shows about 1 024 characters
    shown = text.count("\n• ")
    assert 0 < shown < len(out.problems)
    assert f"… och {len(out.problems) - shown} till" in text


def test_a_missing_output_sheet_is_reported_before_anything_is_written(payload, make_book):
    import xlkc.excel

    gone = L.sheet_of(L.T_PRICES.name).name
    _remove_sheet(payload, gone)
    book = make_book(payload)
    out = xlkc.excel.berakna_priser()
    assert not out.ok
    (text,) = _alerts(book)
    assert text.startswith("Beräkningen kunde inte göras") and gone in text
    assert [a["func"] for a in _actions(book)] == ["alert"]


def test_an_unexpected_error_gives_a_one_line_swedish_box(payload, make_book, monkeypatch, capsys):
    import xlkc.excel

    sheet = next(s for s in payload["sheets"] if s["name"] == "Kontakter")
    sheet["tables"][0]["range_address"] = "trasig"  # a client sending nonsense
    book = make_book(payload)
    out = xlkc.excel.berakna_priser()
    assert not out.ok
    (text,) = _alerts(book)
    first, *rest = text.split("\n\n")
    assert first.startswith("Beräkningen misslyckades: ") and "\n" not in first
    assert "Traceback" not in text and "Traceback" in capsys.readouterr().err
    monkeypatch.setenv("XLKC_DEBUG", "1")  # then xlwings' own dialog gets the traceback
    with pytest.raises(Exception, match="trasig"):
        xlkc.excel.berakna_priser()


def test_a_log_from_an_older_layout_is_rewritten_by_header(payload, make_book):
    """A Körlogg with other columns (an older workbook): rows follow their headers."""
    plan, _ = _example_plan()
    sheet = next(s for s in payload["sheets"] if s["name"] == LOG_SHEET)
    (tbl,) = sheet["tables"]
    old_header = ["Tid", "Kommando", "Resultat", "Meddelande", "Total kostnad", "xlkc-version"]
    old_row = ["2026-10-01T08:00:00.000Z", "berakna", "OK", "Priserna är beräknade.", 123.0,
               "0.0.9"]
    for j, (h, v) in enumerate(zip(old_header, old_row, strict=True)):
        set_cell(payload, LOG_SHEET, f"{L.col_letter(1 + j)}{L.HEADER_ROW}", h)
        set_cell(payload, LOG_SHEET, f"{L.col_letter(1 + j)}{L.FIRST_DATA_ROW}", v)
    for j in range(len(old_header), len(L.T_RUNLOG.columns)):
        set_cell(payload, LOG_SHEET, f"{L.col_letter(1 + j)}{L.HEADER_ROW}", "")
    tbl["range_address"] = f"$A${L.HEADER_ROW}:$F${L.FIRST_DATA_ROW}"
    book = make_book(payload)
    apply_plan(book, OutputPlan(tables=(), cells=(), log_entry=plan.log_entry))
    actions = _actions(book)
    assert not [a for a in actions if a["func"] == "rangeInsert"]
    (w,) = _set_values(actions, LOG_SHEET)
    header, new, old = w["values"]
    assert header == list(L.T_RUNLOG.headers)
    assert new == [_sent(v) for v in plan.log_entry]
    fields = dict(zip(L.T_RUNLOG.headers, old, strict=True))
    assert fields["Tid"] == "2026-10-01 08:00:00"  # read as a datetime, sent back as one
    assert fields["Kommando"] == "berakna" and fields["Total kostnad"] == 123.0
    assert _untext(fields["xlkc-version"]) == "0.0.9" and fields["Användare"] == ""
    (resize,) = [a for a in actions if a["func"] == "resizeTable"]
    end = L.col_letter(len(L.T_RUNLOG.columns))
    assert resize["args"][1] == f"$A${L.HEADER_ROW}:${end}${L.FIRST_DATA_ROW + 1}"


# --- Importera statistik -------------------------------------------------------------------------

def _statistics_file(tmp_path: Path, broken: bool = False) -> Path:
    from tests import statgen
    from tests.test_import import _truth

    text = statgen.write_canonical(statgen.rows(_truth())).decode()
    if broken:
        lines = text.splitlines()
        lines[3] = lines[3].replace(";", ";x", 1)
        text = "\n".join(lines)
    path = tmp_path / "stat.csv"
    path.write_text(text, encoding="utf-8")
    return path


@needs_parse
def test_importera_statistik_writes_the_input_tables_it_owns(payload, make_book, tmp_path):
    import xlkc.excel
    from xlkc.excel.importing import IMPORT_TABLES

    book = make_book(payload)
    out = xlkc.excel.importera_statistik([str(_statistics_file(tmp_path))])
    assert out.ok, out.message
    actions = _actions(book)
    written = {_sheet_of(a) for a in actions if a["func"] == "setValues"}
    owned = {L.sheet_of(t.name).name for t in IMPORT_TABLES}
    assert owned <= written
    assert written <= owned | {"Statistikkvalitet", START.name, LOG_SHEET}
    for block in out.plan.tables:
        writes = [a for a in _set_values(actions, block.sheet)
                  if a["start_column"] + 1 == block.first_col]
        assert len(writes) == 1, block.table
    (alert,) = _alerts(book)
    assert alert.startswith("Statistiken är importerad")
    assert "Statistikkvalitet" in alert and "Beräkna priser" in alert


@needs_parse
def test_importera_statistik_with_a_broken_file_writes_nothing(payload, make_book, tmp_path):
    import xlkc.excel

    book = make_book(payload)
    out = xlkc.excel.importera_statistik(str(_statistics_file(tmp_path, broken=True)))
    assert not out.ok
    assert [a for a in _actions(book) if a["func"] != "alert"] == []
    (alert,) = _alerts(book)
    assert "inget har importerats" in alert and "stat.csv, rad 4" in alert
