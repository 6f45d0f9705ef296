"""Tests of xlkc.rounding against Excel's documented behaviour and exact decimal references."""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import cache

import formulas
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlkc.errors import InputError
from xlkc.inputs import RoundingDirection
from xlkc.rounding import (
    excel_round_formula,
    round_half_away,
    round_price,
    rounding_residual,
)

STEPS = [0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0]


# ---------------------------------------------------------------------------------------------
# Independent references (plain decimal arithmetic, one element at a time)
# ---------------------------------------------------------------------------------------------

def excel_decimal(x: float) -> Decimal:
    """The value Excel rounds: the double written with 15 significant digits (d.dddddddddddddd)."""
    return Decimal("%.14e" % x).normalize() if x else Decimal(0)  # noqa: UP031 (explicit format)


def ref_round(x: float, decimals: int) -> float:
    d = excel_decimal(x)
    if d.as_tuple().exponent >= -decimals:
        return float(d)
    return float(d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)) + 0.0


def ref_price(x: float, step: float, direction: str) -> float:
    """Exact decimal rounding of a decimal price to a multiple of step."""
    xd, sd = excel_decimal(x), Decimal(repr(step))
    mode = ROUND_HALF_UP if direction == "nearest" else ROUND_CEILING
    q = (xd / sd).quantize(Decimal(1), rounding=mode)
    return float(q * sd) + 0.0


def is_multiple(value: float, step: float) -> bool:
    return Decimal(repr(value)) % Decimal(repr(step)) == 0


# ---------------------------------------------------------------------------------------------
# round_half_away
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("x", "decimals", "expected"),
    [
        (0.285, 2, 0.29),  # binary 0.28499999999999998; Excel gives 0.29
        (1.005, 2, 1.01),  # binary 1.00499999999999989
        (2.675, 2, 2.68),
        (2.5, 0, 3.0),
        (-2.5, 0, -3.0),
        (0.5, 0, 1.0),
        (1.5, 0, 2.0),
        (-0.5, 0, -1.0),
        (1234.5, -1, 1230.0),
        (1235.0, -1, 1240.0),
        (-1235.0, -1, -1240.0),
        (0.0049, 2, 0.0),
        (-0.004, 2, 0.0),
        (12.345, 1, 12.3),
        (8.325, 2, 8.33),
        (1e-9, 2, 0.0),
        (123456789.125, 2, 123456789.13),
    ],
)
def test_round_half_away_excel_cases(x, decimals, expected):
    got = round_half_away(x, decimals)
    assert got == expected
    assert isinstance(got, float)
    assert math.copysign(1.0, got) == math.copysign(1.0, expected) or expected == 0.0


def test_round_half_away_no_negative_zero_and_specials():
    got = round_half_away(np.array([-0.001, -0.0, np.nan, np.inf, -np.inf]), 2)
    assert math.copysign(1.0, got[0]) == 1.0 and math.copysign(1.0, got[1]) == 1.0
    assert np.isnan(got[2]) and got[3] == np.inf and got[4] == -np.inf


def test_round_half_away_keeps_shape_and_series_index():
    arr = np.array([[0.285, 2.5], [-2.5, 1.005]])
    assert round_half_away(arr, 2).shape == (2, 2)
    s = pd.Series([0.285, 1.005], index=["a", "b"], name="pris")
    out = round_half_away(s, 2)
    assert list(out.index) == ["a", "b"] and out.name == "pris"
    assert out.tolist() == [0.29, 1.01]


def test_round_half_away_rejects_fractional_decimals():
    with pytest.raises(InputError, match="decimaler"):
        round_half_away(1.0, 1.5)


@settings(max_examples=200, deadline=None)
@given(
    xs=st.lists(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e17, max_value=1e17),
                min_size=1, max_size=40),
    decimals=st.integers(-4, 8),
)
def test_round_half_away_matches_decimal_reference_on_any_float(xs, decimals):
    got = round_half_away(np.array(xs), decimals)
    want = np.array([ref_round(x, decimals) for x in xs])
    np.testing.assert_array_equal(got, want)


@settings(max_examples=200, deadline=None)
@given(
    ints=st.lists(st.integers(-10**12, 10**12), min_size=1, max_size=40),
    scale=st.integers(0, 6),
    decimals=st.integers(-2, 5),
)
def test_round_half_away_on_decimal_ties(ints, scale, decimals):
    # Values written with few decimals hit the .5 edges that binary rounding gets wrong.
    xs = [float(Decimal(i).scaleb(-scale)) for i in ints]
    got = round_half_away(np.array(xs), decimals)
    for x, g in zip(xs, got, strict=True):
        exact = Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        assert g == float(exact)


# ---------------------------------------------------------------------------------------------
# round_price
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("price", "step", "direction", "expected"),
    [
        (12.5, 1, "nearest", 13.0),
        (12.49, 1, "nearest", 12.0),
        (12.25, 0.5, "nearest", 12.5),
        (12.24, 0.5, "nearest", 12.0),
        (12.75, 0.5, "närmaste", 13.0),
        (0.285, 0.01, "nearest", 0.29),
        (1.005, 0.01, "nearest", 1.01),
        (0.15, 0.1, "nearest", 0.2),
        (95.0, 10, "nearest", 100.0),
        (94.99, 10, "nearest", 90.0),
        (-12.5, 1, "nearest", -13.0),
        (12.01, 1, "up", 13.0),
        (12.0, 1, "up", 12.0),
        (0.1 * 3, 0.1, "up", 0.3),  # 0.30000000000000004 stays on 0.30
        (0.3, 0.1, "up", 0.3),  # 0.3/0.1 = 2.9999999999999996 in binary
        (0.31, 0.1, "uppåt", 0.4),
        (81.0000001, 0.5, "up", 81.5),
        (1.1 + 2.2, 0.1, "up", 3.3),
        (-12.5, 1, "up", -12.0),
        (0.0, 1, "up", 0.0),
        (91.0, 10, "up", 100.0),
    ],
)
def test_round_price_cases(price, step, direction, expected):
    got = round_price(price, step, direction)
    assert got == expected
    assert isinstance(got, float)


def test_round_price_arrays_and_series():
    prices = np.array([12.5, 12.01, 0.1 * 3])
    assert round_price(prices, 1, "up").tolist() == [13.0, 13.0, 1.0]
    s = pd.Series([12.25, 7.75], index=["SB1", "SO1"])
    out = round_price(s, 0.5)
    assert out.to_dict() == {"SB1": 12.5, "SO1": 8.0}


@pytest.mark.parametrize("direction", ["down", "", None, "NÄRMAST"])
def test_round_price_rejects_unknown_direction(direction):
    with pytest.raises(InputError, match="Avrundningsriktning måste vara 'närmaste' eller 'uppåt'"):
        round_price(1.0, 1, direction)


def test_round_price_accepts_case_and_spaces_in_direction():
    assert round_price(1.2, 1, " Uppåt ") == 2.0
    assert round_price(1.2, 1, "NEAREST") == 1.0


@pytest.mark.parametrize("step", [0, -1, float("nan"), float("inf"), "en krona", None])
def test_round_price_rejects_bad_step(step):
    with pytest.raises(InputError, match="Avrundningssteget"):
        round_price(1.0, step)


price_decimals = st.builds(
    lambda i, k: float(Decimal(i).scaleb(-k)), st.integers(-10**9, 10**9), st.integers(0, 4)
)


@settings(max_examples=200, deadline=None)
@given(x=price_decimals, step=st.sampled_from(STEPS))
def test_nearest_properties(x, step):
    got = round_price(x, step, "nearest")
    assert is_multiple(got, step)
    assert abs(got - x) <= step / 2 + 1e-9 * max(1.0, abs(x))
    assert got == ref_price(x, step, "nearest")


@settings(max_examples=200, deadline=None)
@given(x=price_decimals, step=st.sampled_from(STEPS))
def test_up_properties(x, step):
    got = round_price(x, step, "up")
    assert is_multiple(got, step)
    assert got >= x - 1e-9
    assert got < x + step
    assert got == ref_price(x, step, "up")


@settings(max_examples=200, deadline=None)
@given(k=st.integers(-10**7, 10**7), step=st.sampled_from(STEPS))
def test_up_keeps_float_noise_multiples(k, step):
    # k*step in binary is often a hair above the multiple (0.1*3); it must stay there.
    x = k * step
    assert round_price(x, step, "up") == float(Decimal(k) * Decimal(repr(step)))
    assert round_price(x, step, "nearest") == float(Decimal(k) * Decimal(repr(step)))


@settings(max_examples=200, deadline=None)
@given(x=st.floats(-1e9, 1e9, allow_nan=False), step=st.sampled_from(STEPS))
def test_up_and_nearest_bounds_on_any_float(x, step):
    up = round_price(x, step, "up")
    near = round_price(x, step, "nearest")
    tol = 1e-12 * abs(x) + 1e-9
    assert up >= x - tol and up < x + step + tol
    assert abs(near - x) <= step / 2 + tol
    assert is_multiple(up, step) and is_multiple(near, step)


# ---------------------------------------------------------------------------------------------
# rounding_residual
# ---------------------------------------------------------------------------------------------

def test_rounding_residual_by_hand():
    exact = np.array([83.27, 112.5, 40.0])
    rounded = round_price(exact, 1.0)  # 83, 113, 40
    res = rounding_residual(exact, rounded, [1000, 200, 50])
    np.testing.assert_allclose(res.per_item, [-270.0, 100.0, 0.0], atol=1e-9)
    assert res.total == pytest.approx(-170.0, abs=1e-9)


def test_rounding_residual_series_and_reconciliation():
    exact = pd.Series([91.234, 18.76], index=["SB1", "SK1"])
    volume = pd.Series([38_000, 60_000], index=["SB1", "SK1"])
    rounded = round_price(exact, 0.5, "up")
    res = rounding_residual(exact, rounded, volume)
    assert list(res.per_item.index) == ["SB1", "SK1"]
    # revenue at forecast volume = exact revenue (full cost) + residual
    revenue = float((rounded * volume).sum())
    assert revenue == pytest.approx(float((exact * volume).sum()) + res.total, abs=1e-6)
    assert res.total > 0


def test_rounding_residual_shape_mismatch():
    with pytest.raises(InputError, match="samma längd"):
        rounding_residual([1.0, 2.0], [1.0, 2.0, 3.0], [1, 1])


# ---------------------------------------------------------------------------------------------
# Excel formula helper, evaluated by the `formulas` package
# ---------------------------------------------------------------------------------------------

@cache
def compiled(step: float, direction: str):
    text = excel_round_formula("A1", step, direction)
    return formulas.Parser().ast("=" + text)[1].compile()


def evaluate(step: float, direction: str, x: float) -> float:
    return float(np.asarray(compiled(step, direction)(x)).ravel()[0])


def binary_half_edge(x: float, step: float) -> bool:
    """x/step is a .5 tie in decimal but not in binary: where `formulas` ROUND may differ."""
    ratio = excel_decimal(x) / Decimal(repr(step))
    return ratio - ratio.to_integral_value(rounding=ROUND_FLOOR) == Decimal("0.5")


def test_formula_texts():
    assert excel_round_formula("B2", 1, "nearest") == "ROUND((B2),0)"
    assert excel_round_formula("B2", 0.01, "närmaste") == "ROUND((B2),2)"
    assert excel_round_formula("B2", 10, "nearest") == "ROUND((B2),-1)"
    assert excel_round_formula("B2", 0.5, "nearest") == "ROUND(ROUND((B2)*2,0)/2,1)"
    assert excel_round_formula("B2", 2.5, "nearest") == "ROUND(ROUND((B2)/2.5,0)*2.5,1)"
    up = excel_round_formula("B2*C2", 0.1, "up")
    assert up == ("ROUND((ROUND((B2*C2)*10,0)+IF((B2*C2)*10-ROUND((B2*C2)*10,0)"
                  ">1E-12*ABS((B2*C2)*10),1,0))/10,1)")
    assert excel_round_formula("B2", 1, "uppåt") == (
        "ROUND((ROUND((B2),0)+IF((B2)-ROUND((B2),0)>1E-12*ABS((B2)),1,0)),0)")


def test_formula_known_binary_edge():
    # Excel and LibreOffice: 0.29 (decimal); formulas 1.3.4 works on the binary double: 0.28.
    assert round_price(0.285, 0.01) == 0.29
    assert evaluate(0.01, "nearest", 0.285) == 0.28
    assert evaluate(0.01, "nearest", 1.005) == 1.0
    # Ceiling is not affected by the edge.
    assert evaluate(0.01, "up", 0.285) == round_price(0.285, 0.01, "up") == 0.29


@pytest.mark.parametrize("direction", ["nearest", "up"])
@pytest.mark.parametrize("step", STEPS)
def test_formula_agrees_with_round_price(step, direction):
    rng = np.random.default_rng(int(step * 100) + (direction == "up"))
    values = np.concatenate([
        np.round(rng.uniform(-500, 5000, 25), 2),  # two-decimal prices (many .5 edges)
        rng.uniform(0, 2000, 15),  # full-precision computed prices
        np.arange(-3, 12) * step,  # multiples with binary noise
        (np.arange(0, 10) + 0.5) * step,  # exact ties
    ])
    diffs = []
    for x in values:
        x = float(x)
        got = evaluate(step, direction, x)
        want = round_price(x, step, direction)
        if got != want:
            diffs.append(x)
            assert direction == "nearest" and binary_half_edge(x, step), (x, got, want)
            assert abs(got - want) == pytest.approx(step)
    if direction == "up":
        assert not diffs


# --------------------------------------------------------------------------------------------
# Rounding per price unit (Parametrar: kr/kontakt, kr/minut, kr/timme, kr/år)
# --------------------------------------------------------------------------------------------

def _example_prices(**changes):
    import dataclasses

    from xlkc import calculate, example_inputs

    inputs = example_inputs()
    inputs = dataclasses.replace(inputs, parameters=dataclasses.replace(inputs.parameters,
                                                                        **changes))
    return inputs, calculate(inputs)


def test_each_price_unit_rounds_by_its_own_step_and_the_books_still_balance():
    from xlkc.pipeline import revenue_per_line

    inputs, results = _example_prices(
        rounding_step_kr=0.5, rounding_direction=RoundingDirection.UP,
        rounding_step_minute_kr=0.1, rounding_step_hour_kr=10.0,
        rounding_step_fee_kr=100.0, rounding_direction_fee=RoundingDirection.UP)
    p = results.price.prices
    by = {(r.service_id, r.channel_id): r for r in p.itertuples()}
    so2 = by[("SO2", None)]  # kr/minut, 0.10 nearest: 18.7192 -> 18.70, not 19 (+1.5 %)
    assert so2.price_kr == pytest.approx(ref_price(so2.exact_price_kr, 0.1, "nearest"))
    assert abs(so2.price_kr - so2.exact_price_kr) <= 0.05 + 1e-9
    w1 = by[("W1", None)]  # kr/timme, 10 kr nearest
    assert w1.price_kr == pytest.approx(ref_price(w1.exact_price_kr, 10, "nearest"))
    sbt1 = by[("SB-T1", None)]  # kr/kontakt, 0.50 up
    assert sbt1.price_kr == pytest.approx(ref_price(sbt1.exact_price_kr, 0.5, "up"))
    for sid in ("SB1", "SO1", "W3"):  # annual fees: whole hundreds, up
        fee = by[(sid, None)]
        assert fee.annual_fee_kr % 100 == 0 and fee.annual_fee_kr >= fee.exact_price_kr
        assert fee.residual_kr == pytest.approx(fee.annual_fee_kr - fee.exact_price_kr)
    w2 = by[("W2", None)]  # subscription: per-contact part by kr/kontakt, the fee by kr/år
    assert w2.price_kr == pytest.approx(ref_price(w2.exact_price_kr, 0.5, "up"))
    assert w2.annual_fee_kr % 100 == 0
    # The residual per service, and revenue = price basis + residual, to the öre.
    revenue = revenue_per_line(p).sum()
    basis = results.cost.services["price_basis_kr"].sum()
    assert revenue == pytest.approx(basis + p["residual_kr"].sum(), abs=0.01)
    assert results.all_checks_ok


def test_default_steps_keep_kr_per_contact_and_round_minutes_to_ten_ore():
    from xlkc.inputs import Parameters

    p = Parameters()
    assert p.rounding("kr/kontakt") == (1.0, "närmaste")  # today's behaviour
    assert p.rounding("kr/minut") == (0.10, "närmaste")
    assert p.rounding("kr/timme") == (1.0, "närmaste")
    assert p.rounding("kr/år") == (1.0, "närmaste")
    _, results = _example_prices()
    fees = results.price.prices.dropna(subset=["annual_fee_kr"])
    assert (fees["annual_fee_kr"] == fees["annual_fee_kr"].round(0)).all()  # no öre
    # The example runs without the residual warning the 1 kr minute step gave SO2.
    from xlkc.crosscheck import result_warnings
    from xlkc.example import example_inputs

    assert not [w for w in result_warnings(example_inputs(), results)
                if "avrundning" in str(w).lower()]
