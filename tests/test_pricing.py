"""Price engine: revenue at forecast volumes = price basis + rounding residual, to the öre."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from tests.strategies import inputs_strategy, simple_staffing
from xlkc.costing import compute_costs
from xlkc.errors import InputError, ValidationError
from xlkc.example import example_inputs
from xlkc.inputs import ROUNDING_UNIT, PriceModel, RoundingDirection
from xlkc.pipeline import revenue_per_line
from xlkc.pricing import compute_prices

PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(inputs):
    staffing = simple_staffing(inputs)
    cost = compute_costs(inputs, staffing)
    return cost, compute_prices(inputs, cost, staffing)


@PROPS
@given(inputs_strategy())
def test_revenue_equals_basis_plus_residual_and_customers_pay_it(inputs):
    try:
        cost, price = run(inputs)
    except InputError as e:
        assert "mottagare" in str(e) or "prognosvolymen är 0" in str(e), e
        return
    prices = price.prices
    revenue = revenue_per_line(prices).sum()
    basis = cost.services["price_basis_kr"].sum()
    assert revenue == pytest.approx(basis + prices["residual_kr"].sum(), abs=0.01)
    # customer quantities add up to the forecast, so customers pay exactly the revenue
    assert price.charges["charge_kr"].sum() == pytest.approx(revenue, abs=0.01)
    # price groups only move money between members
    assert prices["group_transfer_kr"].sum() == pytest.approx(0.0, abs=0.01)
    # every rounded price is a multiple of its price unit's step
    for model, per_unit in prices[prices["price_model"] != PriceModel.ANNUAL_FEE.value].groupby(
            "price_model"):
        step, direction = inputs.parameters.rounding(ROUNDING_UNIT[PriceModel(model)])
        steps = per_unit["price_kr"] / step
        assert np.allclose(steps, np.round(steps), atol=1e-6)
        if direction == RoundingDirection.UP.value:
            assert (per_unit["price_kr"] >= per_unit["exact_price_kr"] - 1e-9).all()
        else:
            assert ((per_unit["price_kr"] - per_unit["exact_price_kr"]).abs()
                    <= step / 2 + 1e-9).all()


@PROPS
@given(inputs_strategy())
def test_fixed_fees_shared_among_customers_add_up_to_the_fee(inputs):
    try:
        _, price = run(inputs)
    except InputError:
        return
    fee_lines = price.prices.dropna(subset=["annual_fee_kr"])
    for line in fee_lines.itertuples():
        charged = price.charges.loc[price.charges["service_id"] == line.service_id, "fee_kr"]
        assert round(charged.sum(), 2) == pytest.approx(round(line.annual_fee_kr, 2), abs=1e-9)


@PROPS
@given(inputs_strategy())
def test_same_service_same_unit_price_for_every_customer(inputs):
    try:
        _, price = run(inputs)
    except InputError:
        return
    per_unit = price.charges.dropna(subset=["price_kr"])
    distinct = per_unit.groupby(["service_id", per_unit["channel_id"].fillna("")])[
        "price_kr"].nunique()
    assert (distinct <= 1).all()


def test_example_price_list_models():
    inputs = example_inputs()
    cost, price = run(inputs)
    prices = price.prices.set_index(["service_id", price.prices["channel_id"].fillna("")])
    basis = cost.services.set_index("service_id")["price_basis_kr"]
    # per minute: basis / handled minutes (30 000 calls x 8 min)
    so2 = prices.loc[("SO2", "")]
    assert so2["exact_price_kr"] == pytest.approx(basis["SO2"] / (30_000 * 8))
    # kr/minut has its own step, 0.10 kr nearest by default
    assert so2["price_kr"] == pytest.approx(round(basis["SO2"] / 240_000, 1))
    # per hour: 2 400 orders x 30 min = 1 200 h
    assert prices.loc[("W1", ""), "exact_price_kr"] == pytest.approx(basis["W1"] / 1_200)
    # annual fee: the whole basis, rounded by kr/år (1 kr nearest by default)
    assert prices.loc[("SB1", ""), "annual_fee_kr"] == round(basis["SB1"])
    # subscription: 30 % in the fee, the rest per contact
    w2 = prices.loc[("W2", "")]
    assert w2["annual_fee_kr"] == round(0.3 * basis["W2"])
    assert w2["exact_price_kr"] == pytest.approx(0.7 * basis["W2"] / 12_000)
    # per channel: one line per channel, the cost split by workload
    sk2 = prices.loc["SK2"]
    assert set(sk2.index) == {"telefon", "e-post"}
    phone_h, mail_h = 25_000 * 6 / 60, 6_000 * 9 / 60
    assert sk2.loc["telefon", "cost_basis_kr"] == pytest.approx(
        basis["SK2"] * phone_h / (phone_h + mail_h))
    # price group: SO-T1 and SK-T1 share one price from pooled cost and volume
    pooled = (basis["SO-T1"] + basis["SK-T1"]) / (5_000 + 3_000)
    assert prices.loc[("SO-T1", ""), "exact_price_kr"] == pytest.approx(pooled)
    assert prices.loc[("SK-T1", ""), "price_kr"] == prices.loc[("SO-T1", ""), "price_kr"]
    # change against last year's price list
    sb_t1 = prices.loc[("SB-T1", "")]
    last = next(q.price_kr for q in inputs.previous_prices if q.service_id == "SB-T1")
    assert sb_t1["change_kr"] == pytest.approx(sb_t1["price_kr"] - last)
    assert sb_t1["change_pct"] == pytest.approx((sb_t1["price_kr"] - last) / last)


def test_rounding_up_never_undercharges():
    inputs = example_inputs()
    up = RoundingDirection.UP
    params = dataclasses.replace(inputs.parameters, rounding_step_kr=10.0,
                                 rounding_direction=up, rounding_direction_minute=up,
                                 rounding_direction_hour=up, rounding_direction_fee=up)
    _, price = run(dataclasses.replace(inputs, parameters=params))
    p = price.prices
    assert (p["residual_kr"] >= -0.005).all()
    per_contact = p["price_unit"].str.startswith("kr/kontakt")
    assert (p.loc[per_contact, "price_kr"] % 10 == 0).all()


def test_price_per_contact_with_zero_volume_is_refused_in_swedish():
    inputs = example_inputs()
    contacts = tuple(dataclasses.replace(c, volume=0.0) if c.service_id == "SB-T1" else c
                     for c in inputs.contacts)
    inputs = dataclasses.replace(inputs, contacts=contacts)
    with pytest.raises(ValidationError) as e:
        run(inputs)
    assert "Tjänsten 'SB-T1' har ett styckpris men prognosvolymen är 0" in str(e.value)


def test_customer_volume_for_unknown_service_is_refused():
    inputs = example_inputs()
    bad = dataclasses.replace(inputs.customer_volumes[0], service_id="NY-TJÄNST")
    inputs = dataclasses.replace(inputs, customer_volumes=(*inputs.customer_volumes, bad))
    with pytest.raises(ValidationError) as e:
        run(inputs)
    assert "Tjänsten 'NY-TJÄNST' finns inte under Tjänster" in str(e.value)


def test_last_year_prices_show_the_price_effect():
    inputs = example_inputs()
    _, price = run(inputs)
    c = price.charges
    per_contact = c[c["service_id"].isin(["SB-T1", "SO2", "SK2", "W1"])]
    assert len(per_contact) > 0
    assert np.allclose(per_contact["previous_charge_kr"],
                       per_contact["quantity"] * per_contact["previous_price_kr"])
    last_fee = next(q.price_kr for q in inputs.previous_prices if q.service_id == "SB1")
    fees = c[c["service_id"] == "SB1"]  # last year's whole fee, shared by this year's key
    assert fees["previous_charge_kr"].sum() == pytest.approx(last_fee, abs=0.01)
    assert np.allclose(c["price_effect_kr"], c["charge_kr"] - c["previous_charge_kr"])
