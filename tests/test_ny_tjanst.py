"""The sheet Ny tjänst in the bundled workbook: recalculated headless with ``formulas`` (the UDFs
registered), every UDF cell equals the engine's figure for the same inputs, computed here from
the engine's own functions (``fte_for_intervals``, ``productive_hours``, ``cost_per_fte``,
``round_price``), not through the UDF module or ``xlkc.udf_core``."""

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
from xlkc.staffing import fte_for_intervals, parameters_productive_hours
from xlkc.workbook import ny_tjanst as N

WORKBOOK = Path(__file__).resolve().parents[1] / "workbook" / "Prismodell.xlsm"
SHEET = "'[Prismodell.xlsm]" + L.NY_TJANST.upper() + "'!"


def key(row: int, col: int) -> str:
    return SHEET + L.cell_ref(row, col)


@pytest.fixture(scope="module")
def model():
    import formulas

    from tests.udf_formulas import register_formulas

    register_formulas()
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


# --------------------------------------------------------------------------- the sheet


def test_every_udf_cell_equals_the_engine(solution):
    ref = engine()
    assert value(solution, N.assumption_row("NyProduktivaTimmar"), 2) == pytest.approx(
        ref["prod_h"], rel=1e-12)
    assert value(solution, N.assumption_row("NyKostnadPerAa"), 2) == pytest.approx(
        ref["cost_per_fte"], rel=1e-12)
    cols = (N.C_FTE, *N.C_FTE_LEVEL, N.C_FTE_ALONE)
    for i, expected in enumerate(ref["rows"]):
        r = N.FIRST_CHANNEL_ROW + i
        got = [value(solution, r, c) for c in cols]
        assert got == pytest.approx(expected, rel=1e-12), N.CHANNELS[i][0]
    for row, fig in zip((N.R_CHOSEN, *N.R_LEVELS, N.R_ALONE), ref["levels"], strict=True):
        assert value(solution, row, 4) == pytest.approx(fig["fte"], rel=1e-12)
        assert value(solution, row, 5) == pytest.approx(fig["full"], rel=1e-12)
        if row != N.R_ALONE:
            assert value(solution, row, 6) == fig["price"]
            assert value(solution, row, 7) == fig["fee"]
    # the SLA levels come from Parametrar
    levels = [(value(solution, r, 2), value(solution, r, 3)) for r in N.R_LEVELS]
    assert levels == [(s.service_level, s.answer_time_s)
                      for s in example_inputs().parameters.sla_levels[:N.N_LEVELS]]


def test_every_formula_cell_computes_a_number(solution):
    for (row, col) in N.formulas():
        v = value(solution, row, col)
        assert isinstance(v, float | int) and np.isfinite(v), (row, col, v)


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
    assert got[2:] == [ref["price"], ref["fee"]]
    assert ref["fte"] > engine()["levels"][0]["fte"]


def test_bad_input_shows_the_swedish_error_in_the_cell(model):
    sl = key(N.assumption_row("NyServiceniva"), 2)
    fte = key(N.FIRST_CHANNEL_ROW, N.C_FTE)
    sol = model.calculate(inputs={sl: 1.0}, outputs=[fte])
    assert sol[fte].value[0, 0] == \
        "#KC: servicenivån måste ligga mellan 0 och 1 (t.ex. 0,8), fick 1"


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
    # inputs yellow, UDF results blue
    fill = ws.cell(N.FIRST_CHANNEL_ROW, N.C_VOLUME).fill.fgColor.rgb
    assert fill.endswith("FFF2CC")
    assert ws.cell(N.R_CHOSEN, 6).fill.fgColor.rgb.endswith("DDEBF7")
    banned = re.compile(r"\b(OFFSET|INDIRECT|SUBTOTAL|SEQUENCE|AGGREGATE)\b", re.I)
    assert not [f for f in N.formulas().values() if banned.search(f)]
    assert len(N.formulas()) <= 45


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


def test_the_built_workbook_holds_a_wrapper_per_udf():
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


def test_libreoffice_opens_and_renders_the_sheet(tmp_path):
    """No Python behind the UDFs in LibreOffice: the cells show errors, but the sheet loads,
    the wrapper module is imported and the page renders."""
    from tests import lo_harness as lo

    reason = lo.unavailable_reason()
    if reason:
        pytest.skip(reason)
    modules, pdfs = lo.run(WORKBOOK, [
        {"kind": "vba_modules"},
        {"kind": "render_pdf", "sheets": [L.NY_TJANST], "out_dir": str(tmp_path),
         "stem": "ny"},
    ])
    assert "Function KC_ARSARBETARE" in modules["VBAProject"]["xlwings_udfs"]
    assert lo.pdf_ink(Path(pdfs[L.NY_TJANST])) > 0.002
