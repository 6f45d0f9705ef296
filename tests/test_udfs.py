"""The worksheet functions (xlkc_udfs): equal to the core, ranges, Swedish errors, VBA wrappers.

References are the engine's own functions (``xlkc.staffing``, ``xlkc.costing``,
``xlkc.rounding``) called directly, never through ``xlkc.udf_core``, plus published values.
"""

from __future__ import annotations

import inspect
import math
import re
import subprocess
import sys

import numpy as np
import pytest
import xlkc_udfs as U
from hypothesis import given, settings
from hypothesis import strategies as st

from xlkc.costing import cost_per_fte
from xlkc.inputs import Channel, ChannelKind, Parameters
from xlkc.rounding import round_price
from xlkc.staffing import agents_needed, erlang_c, fte_for_intervals, productive_hours
from xlkc.staffing import service_level as sl_core

FAST = settings(max_examples=40, deadline=None)
share = st.floats(min_value=0.0, max_value=0.3)


# --------------------------------------------------------------------------- module


def test_module_is_importable_by_its_xlwings_name_from_anywhere(tmp_path):
    out = subprocess.run([sys.executable, "-c", "import xlkc_udfs; print(xlkc_udfs.UDF_NAMES)"],
                         cwd=tmp_path, capture_output=True, text=True, check=True)
    assert "KC_ARSARBETARE" in out.stdout


def test_every_udf_is_listed_documented_in_swedish_and_has_ascii_arguments():
    found = {n for n in dir(U) if n.startswith("KC_")}
    assert found == set(U.UDF_NAMES)
    for name in U.UDF_NAMES:
        f = getattr(U, name)
        assert f.__doc__ and re.search(r"[åäö]", f.__doc__), name
        for p in inspect.signature(f).parameters:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", p), (name, p)  # valid VBA identifiers


# --------------------------------------------------------------------------- equal to the core


@FAST
@given(days=st.floats(200, 260), hours=st.floats(6, 9), vac=st.floats(0, 35), a=share, b=share,
       c=share)
def test_produktiva_timmar_equals_core(days, hours, vac, a, b, c):
    assert U.KC_PRODUKTIVA_TIMMAR(days, hours, vac, a, b, c) == \
        productive_hours(days, hours, vac, a, b, c)
    assert U.KC_PRODUKTIVA_TIMMAR(days, hours, vac, a, b, c, 0.2) == \
        productive_hours(days, hours, vac, total_shrinkage=0.2)


@FAST
@given(n=st.integers(1, 400), a=st.floats(0.0, 400.0), aht=st.floats(0.5, 20), t=st.floats(0, 300))
def test_erlang_functions_equal_core(n, a, aht, t):
    assert U.KC_ERLANG_C(n, a) == erlang_c(n, a)
    assert U.KC_SERVICENIVA(n, a, aht, t) == sl_core(n, a, aht * 60, t)


@FAST
@given(a=st.floats(0.0, 300.0), aht=st.floats(0.5, 20), sl=st.floats(0.05, 0.99),
       t=st.floats(0, 300), occ=st.floats(0.5, 1.0))
def test_agenter_equals_core(a, aht, sl, t, occ):
    assert U.KC_AGENTER(a, aht, sl, t, occ) == agents_needed(a, aht * 60, sl, t, occ)
    assert U.KC_AGENTER(a, aht, sl, t) == agents_needed(a, aht * 60, sl, t)


def test_erlang_published_values():
    assert U.KC_ERLANG_C(132, 123) == pytest.approx(0.3211, abs=5e-5)
    assert U.KC_SERVICENIVA(130, 123, 5, 20) == pytest.approx(0.7339, abs=5e-5)
    # 100 calls / 30 min, AHT 3 min: A = 10 Erlang; 80 % in 20 s, occupancy <= 0.85 -> 14
    assert U.KC_AGENTER(10, 3, 0.8, 20, 0.85) == 14
    assert U.KC_AGENTER(10, 3, 0.8, 20, 0.70) == 15


def _reference_fte(volume, aht_min, kind, sl, t, occ, util, conc, prod_h, shares, days,
                   pool_v=0.0, pool_aht_min=None):
    """The engine's figure built directly from fte_for_intervals (pooled share by workload)."""
    kind = ChannelKind(kind)
    params = Parameters(working_days=prod_h / 8.0, hours_per_day=8.0, vacation_days=0.0,
                        total_shrinkage=0.0)
    assert math.isclose(productive_hours(prod_h / 8, 8, 0, total_shrinkage=0.0), prod_h)
    w = np.asarray(shares, dtype=float) / sum(shares)
    pool_aht = aht_min if pool_aht_min is None else pool_aht_min
    total = volume + pool_v
    w_new, w_all = volume * aht_min * 60, volume * aht_min * 60 + pool_v * pool_aht * 60
    mean_aht = w_all / total if total else aht_min * 60
    fig = fte_for_intervals(total * w / days, mean_aht, Channel("x", kind,
                                                                concurrency_factor=conc),
                            params, days=days, service_level=sl, answer_time_s=t,
                            max_occupancy=occ if kind is ChannelKind.REAL_TIME else util)
    return fig.fte * w_new / w_all if pool_v > 0 and w_all > 0 else fig.fte


@FAST
@given(volume=st.floats(0, 200_000), aht=st.floats(0.5, 20), kind=st.sampled_from(
    ["realtid", "uppskjuten"]), sl=st.floats(0.5, 0.95), t=st.sampled_from([20, 30, 60, 180]),
       occ=st.floats(0.7, 0.95), util=st.floats(0.7, 1.0), conc=st.sampled_from([1.0, 1.7]),
       prod_h=st.floats(1200, 1800), days=st.sampled_from([230, 251]),
       shares=st.lists(st.floats(0.01, 1), min_size=1, max_size=12),
       pool=st.one_of(st.none(), st.tuples(st.floats(1, 100_000), st.floats(0.5, 20))))
def test_arsarbetare_equals_core(volume, aht, kind, sl, t, occ, util, conc, prod_h, days, shares,
                                 pool):
    pv, ph = pool if pool else (None, None)
    got = U.KC_ARSARBETARE(volume, aht, kind, sl, t, occ, util, conc, prod_h,
                           [[s] for s in shares], days, pv, ph)
    ref = _reference_fte(volume, aht, kind, sl, t, occ, util, conc, prod_h, shares, days,
                         pv or 0.0, ph)
    assert got == pytest.approx(ref, rel=1e-12, abs=1e-12)


def test_arsarbetare_pooling_never_costs_more_than_alone():
    alone = U.KC_ARSARBETARE(6000, 8, "realtid", 0.8, 30)
    pooled = U.KC_ARSARBETARE(6000, 8, "realtid", 0.8, 30, None, None, None, None, None, None,
                              38000, 6.5)
    assert 0 < pooled < alone


def test_deferred_arsarbetare_is_workload_over_capacity():
    # 3 000 e-mails @ 9 min = 450 h; / (1 500 h × 0.9) = 0.3333 FTE, whatever the profile
    assert U.KC_ARSARBETARE(3000, 9, "uppskjuten", None, None, None, 0.9, None, 1500) == \
        pytest.approx(450 / 1350, rel=1e-12)


def test_ranges_in_arrays_out():
    got = U.KC_ARSARBETARE([[12000], [3000]], [[6], [9]], [["realtid"], ["uppskjuten"]], 0.8, 60)
    assert got == [[U.KC_ARSARBETARE(12000, 6, "realtid", 0.8, 60)],
                   [U.KC_ARSARBETARE(3000, 9, "uppskjuten", 0.8, 60)]]
    grid = U.KC_ERLANG_C([[130, 132, 140]], 123)  # one row of agents against one load
    assert grid == [[erlang_c(n, 123) for n in (130, 132, 140)]]
    # one bad element: its own error text, the others computed
    mixed = U.KC_ERLANG_C([[132], ["x"]], 123)
    assert mixed[0][0] == erlang_c(132, 123) and mixed[1][0].startswith("#KC: ")
    assert U.KC_ERLANG_C([[1, 2]], [[1], [2], [3]]) == [[erlang_c(n, a) for n in (1, 2)]
                                                          for a in (1, 2, 3)]
    assert U.KC_ERLANG_C([[1, 2]], [[1, 2, 3]]).startswith("#KC: Områdena har olika storlek")


@FAST
@given(salary=st.floats(20_000, 80_000), po=st.floats(0.3, 0.6), rev=st.floats(-0.05, 0.1),
       ftes=st.lists(st.floats(0, 20), min_size=1, max_size=4), overhead=st.floats(0, 1),
       volumes=st.lists(st.floats(1, 100_000), min_size=1, max_size=4),
       step=st.sampled_from([0.1, 0.5, 1.0, 10.0]), up=st.booleans())
def test_cost_and_price_equal_core(salary, po, rev, ftes, overhead, volumes, step, up):
    c = U.KC_KOSTNAD_PER_AA(salary, po, rev)
    assert c == float(cost_per_fte(salary, Parameters(payroll_overhead_rate=po,
                                                      salary_revision=rev)))
    fte_range = [[f] for f in ftes]
    full = sum(ftes) * c * (1 + overhead)
    assert U.KC_SJALVKOSTNAD(fte_range, c, overhead) == pytest.approx(full, rel=1e-12)
    direction = "uppåt" if up else "närmaste"
    exact = U.KC_PRIS(fte_range, c, overhead, [volumes], step, direction, "exakt")
    assert exact == pytest.approx(full / sum(volumes), rel=1e-12)
    assert U.KC_PRIS(fte_range, c, overhead, [volumes], step, direction) == \
        round_price(exact, step, "up" if up else "nearest")
    assert U.KC_PRIS(fte_range, c, overhead, None, None, None, "årsavgift") == \
        round_price(full, 0.01)


def test_price_defaults_round_to_whole_kronor_nearest():
    assert U.KC_PRIS(2, 600_000, 0.3, 10_000) == 156.0  # 1 560 000 / 10 000
    assert U.KC_PRIS(1, 12.5, 0, 1) == 13.0  # half away from zero, as Excel's ROUND
    assert U.KC_PRIS(1, 12.01, 0, 1, 1, "uppåt") == 13.0


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("call, text", [
    (lambda: U.KC_ARSARBETARE(1000, 5, "realtid", 1, 60),
     "#KC: servicenivån måste ligga mellan 0 och 1 (t.ex. 0,8), fick 1"),
    (lambda: U.KC_ARSARBETARE(1000, 5, "realtid", 1.2, 60), "#KC: servicenivån måste ligga mellan"),
    (lambda: U.KC_ARSARBETARE(-5, 5, "uppskjuten"), "#KC: Volymen får inte vara negativ"),
    (lambda: U.KC_ARSARBETARE("många", 5, "uppskjuten"), "#KC: Volymen måste vara ett tal"),
    (lambda: U.KC_ARSARBETARE(None, 5, "uppskjuten"), "#KC: Volymen saknas"),
    (lambda: U.KC_ARSARBETARE("", 5, "uppskjuten"), "#KC: Volymen saknas"),
    (lambda: U.KC_ARSARBETARE(100, 5, "telefon"), "#KC: Kanaltypen måste vara 'realtid' eller"),
    (lambda: U.KC_ARSARBETARE(100, 5, "realtid"), "#KC: servicenivå och svarstid krävs"),
    (lambda: U.KC_ARSARBETARE(100, 5, "realtid", 0.8, 60, None, None, None, None, [[0], [0]]),
     "#KC: Timprofilen måste ha minst en andel större än 0"),
    (lambda: U.KC_ARSARBETARE(100, 5, "realtid", 0.8, 60, None, None, None, 0),
     "#KC: Produktiva timmar per årsarbetare måste vara större än 0"),
    (lambda: U.KC_ERLANG_C(True, 3), "#KC: Antal agenter måste vara ett tal"),
    (lambda: U.KC_SERVICENIVA(10, 5, -1, 20), "#KC: "),
    (lambda: U.KC_AGENTER(10, 3, 1, 20), "#KC: "),
    (lambda: U.KC_PRODUKTIVA_TIMMAR(251, 8, 28, 1.5, 0, 0), "#KC: Sjukfrånvaro"),
    (lambda: U.KC_KOSTNAD_PER_AA(-1, 0.46, 0.03), "#KC: Månadslönen får inte vara negativ"),
    (lambda: U.KC_SJALVKOSTNAD("två", 600_000, 0.3), "#KC: Årsarbetarna måste vara ett tal"),
    (lambda: U.KC_SJALVKOSTNAD(None, 600_000, 0.3), "#KC: Årsarbetarna saknas"),
    (lambda: U.KC_PRIS(2, 600_000, 0.3), "#KC: Volymen krävs för ett styckpris"),
    (lambda: U.KC_PRIS(2, 600_000, 0.3, 0), "#KC: Volymen måste vara större än 0"),
    (lambda: U.KC_PRIS(2, 600_000, 0.3, 100, 0), "#KC: Avrundningssteget"),
    (lambda: U.KC_PRIS(2, 600_000, 0.3, 100, 1, "neråt"), "#KC: Avrundningsriktning"),
    (lambda: U.KC_PRIS(2, 600_000, 0.3, 100, 1, None, "gratis"), "#KC: Pristypen måste vara"),
])
def test_bad_arguments_give_swedish_text_not_a_traceback(call, text):
    got = call()
    assert isinstance(got, str) and got.startswith(text), got
    assert "Traceback" not in got and "Error" not in got


# --------------------------------------------------------------------------- formulas


def test_register_formulas_under_both_names():
    import formulas

    funcs = U.register_formulas({})
    assert set(funcs) == set(U.UDF_NAMES) | {f"_XLUDF.{n}" for n in U.UDF_NAMES}
    assert U.register_formulas() is formulas.get_functions()
    assert "KC_PRIS" in formulas.get_functions()


def test_formulas_computes_udf_cells_with_ranges_and_empty_cells(tmp_path):
    import formulas
    import openpyxl

    U.register_formulas()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "A"
    ws["A1"], ws["A2"] = 12000, 3000
    ws["B1"], ws["B2"] = 6, 9
    ws["C1"], ws["C2"] = "realtid", "uppskjuten"
    ws["D1"] = "=KC_ARSARBETARE(A1,B1,C1,0.8,60)"
    ws["D2"] = "=KC_ARSARBETARE(A2,B2,C2,0.8,60,E9,E9)"  # E9 empty: defaults
    ws["D3"] = "=KC_PRIS(D1:D2,600000,0.3,A1:A2)"
    ws["D4"] = "=KC_ARSARBETARE(A1,B1,C1,1,60)"
    path = tmp_path / "u.xlsx"
    wb.save(path)
    sol = formulas.ExcelModel().loads(str(path)).finish().calculate()

    def cell(ref):
        return sol[f"'[u.xlsx]A'!{ref}"].value[0, 0]

    d1 = U.KC_ARSARBETARE(12000, 6, "realtid", 0.8, 60)
    d2 = U.KC_ARSARBETARE(3000, 9, "uppskjuten", 0.8, 60)
    assert cell("D1") == d1 and cell("D2") == d2
    assert cell("D3") == U.KC_PRIS([[d1], [d2]], 600000, 0.3, [[12000], [3000]])
    assert cell("D4").startswith("#KC: servicenivån")


# --------------------------------------------------------------------------- VBA wrappers


def test_vba_wrappers_match_the_python_signatures():
    from xlkc.workbook import udf_vba

    text = udf_vba.xlwings_udfs_module()
    assert text.startswith('Attribute VB_Name = "xlwings_udfs"\n')
    assert "Autogenerated code by xlwings" in text
    for name in U.UDF_NAMES:
        params = inspect.signature(getattr(U, name)).parameters.values()
        sig = ", ".join(("Optional " if p.default is not inspect.Parameter.empty else "") + p.name
                        for p in params)
        assert f"Function {name}({sig})\n" in text, name
        args = ", ".join(p.name for p in params)
        assert (f'{name} = XLPy.CallUDF("xlkc_udfs", "{name}", Array({args}), ThisWorkbook, '
                "Application.Caller)") in text
    assert text.count("End Function") == len(U.UDF_NAMES)
    # xlwings' stand-ins for the Windows modules are gone again
    assert "pythoncom" not in sys.modules and "xlwings.udfs" not in sys.modules


def test_xlwings_metadata_carries_swedish_docs_and_category():
    from xlkc.workbook import udf_vba

    meta = udf_vba.udf_functions()
    assert set(meta) == set(U.UDF_NAMES)
    for name, m in meta.items():
        assert m["category"] == U.CATEGORY
        assert re.search(r"[åäö]", m["ret"]["doc"]), name
        for a in m["args"]:
            assert not a["doc"].startswith("Positional argument"), (name, a["name"])
    ndim = {a["name"]: a["options"].get("ndim") for a in meta["KC_ARSARBETARE"]["args"]}
    assert ndim["volym"] == 2 and ndim["serviceniva"] is None
