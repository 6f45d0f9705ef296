"""The sheet Ny tjänst in the bundled workbook, in plain worksheet formulas: recalculated headless
with ``formulas`` and with LibreOffice (no Python behind any cell), every figure equals the
engine's for the same typical day, computed here from the engine's own functions
(``fte_for_intervals``, ``productive_hours``, ``cost_per_fte``, ``round_price``), not through the
UDF module or ``xlkc.udf_core``; and each channel's FTE is within the stated tolerance of the
engine's full year (``staff_service_alone`` over every open hour of the price year)."""

from __future__ import annotations

import inspect
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from xlkc import layout as L  # noqa: N812
from xlkc.costing import cost_per_fte
from xlkc.example import EXAMPLE_OVERHEAD_RATE, example_inputs
from xlkc.inputs import Channel, ChannelKind, Parameters
from xlkc.rounding import round_price
from xlkc.staffing import fte_for_intervals, parameters_productive_hours, staff_service_alone
from xlkc.workbook import ny_tjanst as N

WORKBOOK = Path(__file__).resolve().parents[1] / "workbook" / "Prismodell.xlsm"
SHEET = "'[Prismodell.xlsm]" + L.NY_TJANST.upper() + "'!"


def key(row: int, col: int) -> str:
    return SHEET + L.cell_ref(row, col)


@pytest.fixture(scope="module")
def model():
    import formulas

    return formulas.ExcelModel().loads(str(WORKBOOK)).finish()


@pytest.fixture(scope="module")
def solution(model):
    return model.calculate()


def value(sol, row, col):
    v = sol[key(row, col)].value[0, 0]
    return v.item() if isinstance(v, np.generic) else v


# --------------------------------------------------------------------------- the engine


def engine(channels=N.CHANNELS, service_level=0.8, answer_time_s=60.0, salary=34000.0,
           overhead=EXAMPLE_OVERHEAD_RATE, days=251.0):
    """Every figure of the sheet from the engine, for the example's parameters and profile."""
    ex = example_inputs()
    p, shares = ex.parameters, np.asarray(ex.profile.hourly_shares, dtype=float)
    prod_h = parameters_productive_hours(p)
    params = Parameters(working_days=prod_h / 8, hours_per_day=8.0, vacation_days=0.0,
                        total_shrinkage=0.0)
    levels = [(service_level, answer_time_s)] + [(s.service_level, s.answer_time_s)
                                                 for s in p.sla_levels[:N.N_LEVELS]]

    def fte(row, sl, t, pooled):
        _, kind, v, aht_min, conc, pv, ph = row
        kind = ChannelKind(kind)
        pv = (pv or 0.0) if pooled else 0.0
        ph = aht_min if ph is None else ph
        w_new, w_all = v * aht_min * 60, v * aht_min * 60 + pv * ph * 60
        total = v + pv
        cap = p.max_occupancy if kind is ChannelKind.REAL_TIME else p.max_utilisation
        fig = fte_for_intervals(total * shares / shares.sum() / days, w_all / total,
                                Channel("x", kind, concurrency_factor=conc), params, days=days,
                                service_level=sl, answer_time_s=t, max_occupancy=cap)
        return fig.fte * w_new / w_all if pv > 0 else fig.fte

    per_fte = float(cost_per_fte(salary, p))
    volume = sum(r[2] for r in channels)
    out = {"prod_h": prod_h, "cost_per_fte": per_fte, "rows": [], "levels": []}
    for row in channels:
        out["rows"].append([fte(row, sl, t, True) for sl, t in levels]
                           + [fte(row, service_level, answer_time_s, False)])
    for j in range(len(levels) + 1):
        total_fte = sum(r[j] for r in out["rows"])
        full = total_fte * per_fte * (1 + overhead)
        out["levels"].append({
            "fte": total_fte, "full": full,
            "price": float(round_price(full / volume, p.rounding_step_kr,
                                       p.rounding_direction.value)),
            "fee": float(round_price(full, 0.01))})
    return out


def full_year(channels=N.CHANNELS, service_level=0.8, answer_time_s=60.0):
    """Each channel's FTE per column (chosen, SLA levels, alone) from the engine's full year:
    every open hour of the price year, with the month, weekday and hourly profiles."""
    ex = example_inputs()
    p = ex.parameters
    levels = [(service_level, answer_time_s)] + [(s.service_level, s.answer_time_s)
                                                 for s in p.sla_levels[:N.N_LEVELS]]
    out = []
    for _, kind, v, aht, conc, pv, ph in channels:
        kind = ChannelKind(kind)
        cap = p.max_occupancy if kind is ChannelKind.REAL_TIME else p.max_utilisation
        channel = Channel("x", kind, concurrency_factor=conc)
        row = []
        for j, (sl, t) in enumerate([*levels, (service_level, answer_time_s)]):
            alone = j == len(levels) or not pv
            w_new = v * aht
            w_all = w_new if alone else w_new + pv * (aht if ph is None else ph)
            total = v if alone else v + pv
            fig = staff_service_alone(total, w_all / total * 60, channel, p, ex.profile,
                                      service_level=sl, answer_time_s=t, max_occupancy=cap)
            row.append(fig.fte * w_new / w_all)
        out.append(row)
    return out


# --------------------------------------------------------------------------- the sheet

FTE_COLS = (N.C_FTE, *N.C_FTE_LEVEL, N.C_FTE_ALONE)


def check_against_engine(get) -> None:
    """``get(row, col)``: a recalculated value. Every figure equals the typical-day engine."""
    ref = engine()
    assert get(N.assumption_row("NyProduktivaTimmar"), 2) == pytest.approx(ref["prod_h"],
                                                                          rel=1e-12)
    assert get(N.assumption_row("NyKostnadPerAa"), 2) == pytest.approx(ref["cost_per_fte"],
                                                                      rel=1e-12)
    for i, expected in enumerate(ref["rows"]):
        r = N.FIRST_CHANNEL_ROW + i
        got = [get(r, c) for c in FTE_COLS]
        assert got == pytest.approx(expected, rel=1e-12), N.CHANNELS[i][0]
    for row, fig in zip((N.R_CHOSEN, *N.R_LEVELS, N.R_ALONE), ref["levels"], strict=True):
        assert get(row, 4) == pytest.approx(fig["fte"], rel=1e-12)
        assert get(row, 5) == pytest.approx(fig["full"], rel=1e-12)
        if row != N.R_ALONE:
            assert get(row, 6) == fig["price"]
            assert get(row, 7) == pytest.approx(fig["fee"], abs=1e-9)
    # the SLA levels come from Parametrar
    levels = [(get(r, 2), get(r, 3)) for r in N.R_LEVELS]
    assert levels == [(s.service_level, s.answer_time_s)
                      for s in example_inputs().parameters.sla_levels[:N.N_LEVELS]]


def test_every_cell_equals_the_engine_with_formulas(solution):
    check_against_engine(lambda r, c: value(solution, r, c))


def test_every_formula_cell_computes_a_value(solution):
    for (row, col) in N.formulas():
        v = value(solution, row, col)
        if row == N.R_CONST_NAME:
            assert isinstance(v, str) and v, (row, col, v)  # "telefon (delad)"
        elif col == N.C_HOUR and row >= N.FIRST_HOUR_ROW:
            i = row - N.FIRST_HOUR_ROW  # the hour of day; "" past the open hours
            p = example_inputs().parameters
            assert v == (p.opening_hour + i if p.opening_hour + i < p.closing_hour else "")
        else:
            assert isinstance(v, float | int) and np.isfinite(v), (row, col, v)


def test_typical_day_is_within_the_stated_tolerance_of_the_full_year(solution):
    """The representative intervals (one typical day) against every open hour of the year:
    within ``N.TOLERANCE`` per channel and level, which the sheet's note states."""
    year = full_year()
    worst = 0.0
    for i, expected in enumerate(year):
        r = N.FIRST_CHANNEL_ROW + i
        for c, fte in zip(FTE_COLS, expected, strict=True):
            dev = value(solution, r, c) / fte - 1
            worst = max(worst, abs(dev))
            assert abs(dev) <= N.TOLERANCE, (N.CHANNELS[i][0], c, dev)
    assert worst > 0.001  # the two methods do differ: the tolerance is not vacuous
    assert f"±{round(N.TOLERANCE * 100)} %" in N.METHOD_NOTE
    ws = openpyxl.load_workbook(WORKBOOK)[L.NY_TJANST]
    assert ws.cell(N.METHOD_NOTE_ROW, 1).value == N.METHOD_NOTE


def test_plausible_figures(solution):
    ref = engine()
    chosen, l30, l60, l180, alone = ref["levels"]
    assert l30["fte"] >= l60["fte"] >= l180["fte"] > 0  # a stricter SLA never needs fewer
    assert chosen["fte"] == pytest.approx(l60["fte"])  # chosen = 80 % in 60 s
    assert alone["fte"] > chosen["fte"]  # sharing an answer group pays
    assert 60 < chosen["price"] < 200  # kr per contact, SPEC §7's range for mixed channels


def test_changed_inputs_change_the_outputs_as_the_engine_says(model):
    vol = key(N.FIRST_CHANNEL_ROW, N.C_VOLUME)
    sl = key(N.assumption_row("NyServiceniva"), 2)
    outputs = [key(N.R_CHOSEN, c) for c in (4, 5, 6, 7)]
    sol = model.calculate(inputs={vol: 25000, sl: 0.9}, outputs=outputs)
    channels = list(N.CHANNELS)
    channels[0] = (channels[0][0], channels[0][1], 25000, *channels[0][3:])
    ref = engine(channels=tuple(channels), service_level=0.9)["levels"][0]
    got = [sol[k].value[0, 0] for k in outputs]
    assert got[0] == pytest.approx(ref["fte"], rel=1e-12)
    assert got[1] == pytest.approx(ref["full"], rel=1e-12)
    assert got[2] == ref["price"] and got[3] == pytest.approx(ref["fee"], abs=1e-9)
    assert ref["fte"] > engine()["levels"][0]["fte"]


def test_an_unreachable_service_level_shows_an_error_not_a_number(model):
    """100 % answered within the answer time needs infinitely many agents: #N/A, not a figure."""
    sl = key(N.assumption_row("NyServiceniva"), 2)
    cells = [key(N.FIRST_CHANNEL_ROW + i, N.C_FTE) for i in range(len(N.CHANNELS))]
    sol = model.calculate(inputs={sl: 1.0}, outputs=cells)
    got = [sol[c].value[0, 0] for c in cells]
    assert [str(g) for g in got[:2]] == ["#N/A", "#N/A"]  # the real-time channels
    assert float(got[2]) == pytest.approx(engine()["rows"][2][0], rel=1e-12)  # e-post: no SLA


def test_layout_of_the_sheet():
    book = openpyxl.load_workbook(WORKBOOK, keep_vba=True)
    ws = book[L.NY_TJANST]
    assert ws.sheet_properties.codeName == "shNyTjanst"
    assert [ws.cell(N.CHANNEL_HEADER_ROW, j).value for j in range(1, len(N.CHANNEL_COLUMNS) + 1)]\
        == [c.header for c in N.CHANNEL_COLUMNS]
    for (row, col), f in N.formulas().items():
        assert ws.cell(row, col).value == f
    for name, target in N.defined_names().items():
        dn = book.defined_names[name]
        assert dn.localSheetId is None and "=" + dn.attr_text == target
    assert not ws.defined_names
    assert book.defined_names[N.OFFSETS_NAME].attr_text == \
        "{" + ",".join(map(str, range(N.N_OFFSETS))) + "}"
    # inputs yellow, results blue
    fill = ws.cell(N.FIRST_CHANNEL_ROW, N.C_VOLUME).fill.fgColor.rgb
    assert fill.endswith("FFF2CC")
    assert ws.cell(N.R_CHOSEN, 6).fill.fgColor.rgb.endswith("DDEBF7")
    # only functions every spreadsheet has: no UDF, nothing Excel 365-only or missing in formulas
    used = {f for text in N.formulas().values()
            for f in re.findall(r"\b([A-Z][A-Z0-9.]*)\(", text)}
    assert used <= {"IF", "ISNUMBER", "SUM", "SUMPRODUCT", "POISSON", "EXP", "INT", "CEILING",
                    "ABS", "ROUND", "INDEX", "COUNT", "NA"}, used
    assert not [f for f in N.formulas().values() if "KC_" in f or "_xl" in f.lower()]
    assert max(len(f) for f in N.formulas().values()) < 8192  # Excel's limit
    assert len(N.formulas()) <= 250


def test_no_output_table_and_not_read_as_input():
    s = L.sheet(L.NY_TJANST)
    assert s.role != "output" and not s.tables and not s.named_cells
    assert all(L.sheet_of(t.name).name != L.NY_TJANST for t in L.output_tables())
    names = {nc.name.lower() for _, nc in L.named_cells()} | {n.lower() for n in L.lists()}
    assert not names & {n.lower() for n in N.defined_names()}


def test_profile_name_covers_the_hourly_shares():
    book = openpyxl.load_workbook(WORKBOOK)
    sheet, rng = book.defined_names[N.PROFILE_NAME].attr_text.split("!")
    cells = [c[0].value for c in book[sheet.strip("'")][rng.replace("$", "")]]
    shares = [c for c in cells if c is not None]
    assert tuple(shares) == example_inputs().profile.hourly_shares
    assert len(shares) <= N.MAX_HOURS


def test_the_built_workbook_holds_a_wrapper_per_udf():
    """The KC_* functions stay for power users on Windows, though the sheet does not use them."""
    import xlkc_udfs
    from oletools.olevba import VBA_Parser

    with zipfile.ZipFile(WORKBOOK) as z:
        data = z.read("xl/vbaProject.bin")
    parser = VBA_Parser("vbaProject.bin", data=data)
    modules = {name: code for _, _, name, code in parser.extract_macros()}
    parser.close()
    code = modules["xlwings_udfs.bas"] if "xlwings_udfs.bas" in modules else \
        modules["xlwings_udfs"]
    for name in xlkc_udfs.UDF_NAMES:
        m = re.search(rf"^Function {name}\((.*)\)\r?$", code, re.M)
        assert m, name
        params = inspect.signature(getattr(xlkc_udfs, name)).parameters
        assert [a.replace("Optional ", "") for a in m.group(1).split(", ")] == list(params)
        assert f'XLPy.CallUDF("xlkc_udfs", "{name}", Array({", ".join(params)}))' in code


def test_libreoffice_recalculates_the_sheet_as_the_engine(tmp_path):
    """No Python in LibreOffice: the sheet shows numbers, equal to the engine's, and renders."""
    from tests import lo_harness as lo

    reason = lo.unavailable_reason()
    if reason:
        pytest.skip(reason)
    values, pdfs = lo.run(WORKBOOK, [
        {"kind": "recalculate", "sheets": [L.NY_TJANST]},
        {"kind": "render_pdf", "sheets": [L.NY_TJANST], "out_dir": str(tmp_path),
         "stem": "ny"},
    ])
    grid = values[L.NY_TJANST]
    check_against_engine(lambda r, c: grid[r - 1][c - 1])
    assert lo.pdf_ink(Path(pdfs[L.NY_TJANST])) > 0.002
