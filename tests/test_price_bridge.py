"""Prisbrygga per price: the effects add up to the change, each effect is its component's only.

Independent references: the identity P0 + effects = P1 checked to the öre on random inputs; the
chain function against the price list's own exact price; whole-model runs where last year is
the model's own run and one kind of input changes.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies import inputs_strategy
from xlkc import calculate, example_inputs
from xlkc.errors import InputError
from xlkc.inputs import (
    AllocationKey,
    CostKind,
    FeeKey,
    Outcome,
    PreviousPrice,
    PriceModel,
    Service,
    ServiceType,
)
from xlkc.price_bridge import ALL_EFFECTS, COMPONENTS, EFFECT_COLUMNS, chain_price, substitute

KINDS = np.array(["contacts", "minutes", "hours", "fee"], dtype=object)


# --- the decomposition itself -----------------------------------------------------------------

chain_values = st.lists(st.floats(0.1, 1e6, allow_nan=False), min_size=8, max_size=8)


@settings(max_examples=200, deadline=None)
@given(chain_values, chain_values, st.floats(0.05, 1.0), st.floats(0.05, 1.0),
       st.sampled_from(list(KINDS)))
def test_effects_telescope_to_the_change_of_the_exact_price(a, b, phi, q, kind):
    x0, x1 = np.array(a)[:, None], np.array(b)[:, None]
    args = (np.array([phi]), np.array([q]), np.array([kind], dtype=object))
    start, effects, end = substitute(x0, x1, *args)
    assert start[0] == pytest.approx(chain_price(x0, *args)[0], rel=1e-12)
    assert end[0] == pytest.approx(chain_price(x1, *args)[0], rel=1e-12)
    # Exact in real arithmetic; in floating point within rounding of the largest price passed
    # on the way (each effect is a difference of two such prices).
    path = start[0] + np.cumsum(effects[:, 0])
    scale = max(abs(start[0]), np.abs(path).max())
    assert abs(effects.sum() - (end[0] - start[0])) <= 1e-13 * scale * 2 * len(COMPONENTS)


@settings(max_examples=200, deadline=None)
@given(chain_values, st.integers(0, 7), st.floats(0.2, 5.0), st.sampled_from(list(KINDS)))
def test_an_effect_is_zero_unless_its_own_component_changes(a, which, factor, kind):
    x0 = np.array(a)[:, None]
    x1 = x0.copy()
    x1[which] *= factor
    _, effects, _ = substitute(x0, x1, np.array([0.7]), np.array([0.4]),
                               np.array([kind], dtype=object))
    for i in range(len(COMPONENTS)):
        if i != which:
            assert effects[i, 0] == 0.0, COMPONENTS[i]


def test_the_chain_reproduces_this_years_exact_price():
    results = calculate(example_inputs())
    b = results.price_bridge.set_index(["service_id", results.price_bridge["channel_id"]
                                        .fillna("")])
    p = results.price.prices
    for row in p.itertuples():
        line = b.loc[(row.service_id, row.channel_id or "")]
        price = row.annual_fee_kr if row.price_model == "Fast årsavgift" else row.price_kr
        assert line["price_kr"] == pytest.approx(price, abs=1e-9)
        assert line["rounding_per_unit_kr"] is not None


# --- whole model: random inputs -----------------------------------------------------------------

@st.composite
def with_last_year(draw):
    inputs = draw(inputs_strategy(max_services=4))
    money = st.floats(1_000, 5_000_000)
    outcomes = tuple(
        Outcome(s.service_id, revenue_kr=draw(money), cost_kr=draw(money),
                volume=draw(st.floats(10, 90_000)), workload_h=draw(st.floats(10, 20_000)),
                fte=draw(st.floats(0.05, 20)), personnel_cost_kr=draw(money),
                overhead_kr=draw(money),
                carry_forward_kr=draw(st.one_of(st.none(), st.floats(-1e5, 1e5))))
        for s in inputs.services)
    previous = []
    for s in inputs.services:
        channels = ([c.channel_id for c in inputs.contacts if c.service_id == s.service_id]
                    if s.price_model is PriceModel.PER_CHANNEL else [None])
        for ch in channels:
            price = draw(st.floats(1, 2_000_000))
            previous.append(PreviousPrice(
                s.service_id, price, channel_id=ch,
                annual_fee_kr=draw(st.floats(0, 1e6))
                if s.price_model is PriceModel.SUBSCRIPTION else None,
                price_model=draw(st.sampled_from([None, s.price_model])),
                price_group=draw(st.sampled_from([None, s.price_group])),
                exact_price_kr=draw(st.one_of(st.none(), st.floats(0.5, 2_000_000)))))
    return dataclasses.replace(inputs, outcomes=outcomes, previous_prices=tuple(previous))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_last_year())
def test_effects_sum_to_the_price_change_to_the_ore_on_random_inputs(inputs):
    try:
        results = calculate(inputs)
    except InputError as e:  # the pipeline's documented refusals
        assert "mottagare" in str(e) or "prognosvolymen är 0" in str(e), e
        return
    b = results.price_bridge
    explained = b[b[list(ALL_EFFECTS)].notna().all(axis=1)]
    for row in explained.itertuples():
        total = row.previous_price_kr + sum(getattr(row, c) for c in ALL_EFFECTS)
        assert total == pytest.approx(row.price_kr, abs=0.005), row.service_id
        assert row.change_kr == pytest.approx(row.price_kr - row.previous_price_kr, abs=1e-6)
        assert pd.isna(row.comparison)
    # Every line with a comparable price and a complete Utfall is explained.
    assert len(explained) == int(b["comparison"].isna().sum())
    check = results.checks.set_index("check").loc[
        "Prisbrygga per pris: föregående pris + effekterna = årets pris"]
    assert bool(check["ok"])


# --- whole model: last year is the model's own run, one kind of input changes -----------------

def _base():
    """The example with no price-group surplus machinery in the way: economy's pool keyed by
    FTE instead of last year's invoicing, and last year's revenue equal to its cost."""
    inputs = example_inputs()
    pools = tuple(dataclasses.replace(p, key=AllocationKey.FTE)
                  if p.key is AllocationKey.INVOICED else p for p in inputs.pools)
    outcomes = tuple(dataclasses.replace(o, revenue_kr=o.cost_kr) for o in inputs.outcomes)
    # Only fund balances of services that still exist: an ended service's balance is spread
    # over its unit by full cost, so a cost change would move carry-forward between services.
    services = {x.service_id for x in inputs.services}
    fund = tuple(f for f in inputs.fund if f.key in services)
    return dataclasses.replace(inputs, pools=pools, outcomes=outcomes, fund=fund)


def _last_year_of(inputs, results):
    """Utfall and Föregående prislista as last year's run of the model would give them."""
    s = results.cost.services.set_index("service_id")
    by = results.staffing.services.groupby("service_id")[["volume", "workload_h"]].sum()
    outcomes = tuple(
        # what last year's prices collected: the cost plus the carry-forward they held, so
        # the year leaves no new result for the fund (Resultatfond) to return
        Outcome(sid, revenue_kr=float(s.at[sid, "price_basis_kr"]),
                cost_kr=float(s.at[sid, "full_cost_kr"]), volume=float(by.at[sid, "volume"]),
                workload_h=float(by.at[sid, "workload_h"]), fte=float(s.at[sid, "fte"]),
                personnel_cost_kr=float(s.at[sid, "personnel_cost_kr"]),
                overhead_kr=float(s.at[sid, "overhead_kr"] + s.at[sid, "city_charge_kr"]),
                carry_forward_kr=float(s.at[sid, "carry_forward_kr"]))
        for sid in s.index)
    previous = []
    for row in results.price.prices.itertuples():
        fee_only = row.price_model == PriceModel.ANNUAL_FEE.value
        previous.append(PreviousPrice(
            row.service_id, float(row.annual_fee_kr if fee_only else row.price_kr),
            channel_id=row.channel_id,
            annual_fee_kr=None if fee_only or pd.isna(row.annual_fee_kr)
            else float(row.annual_fee_kr),
            price_model=PriceModel(row.price_model),
            exact_price_kr=float(row.exact_price_kr),
            price_group=None if pd.isna(row.price_group) else row.price_group))
    return outcomes, tuple(previous)


@pytest.fixture(scope="module")
def last_year():
    inputs = _base()
    results = calculate(inputs)
    outcomes, previous = _last_year_of(inputs, results)
    return dataclasses.replace(inputs, outcomes=outcomes, previous_prices=previous)


def _nonzero(bridge: pd.DataFrame, in_group: bool) -> set[str]:
    rows = bridge[bridge["service_id"].isin(_GROUPED) == in_group]
    assert rows[list(ALL_EFFECTS)].notna().all().all()
    size = rows[list(ALL_EFFECTS)].abs().max()
    return {c for c in ALL_EFFECTS if size[c] > 1e-6}


_GROUPED = {"SO-T1", "SK-T1"}  # the example's price group


def test_nothing_changed_gives_no_effect_but_rounding(last_year):
    b = calculate(last_year).price_bridge
    assert _nonzero(b, False) <= {"rounding_per_unit_kr"}
    # Unchanged prices: rounding itself is unchanged, every line's change is 0.
    assert np.allclose(b["change_kr"], 0.0, atol=1e-6)


def test_only_salaries_changed_gives_only_the_salary_effect(last_year):
    staff = tuple(dataclasses.replace(c, monthly_salary_kr=c.monthly_salary_kr * f)
                  for c, f in zip(last_year.staff, (1.04, 1.07, 0.98), strict=False))
    staff += last_year.staff[3:]
    b = calculate(dataclasses.replace(last_year, staff=staff)).price_bridge
    assert _nonzero(b, False) == {"salary_per_unit_kr", "rounding_per_unit_kr"}
    # Inside the price group the group's pooled price moves money between the members too.
    assert _nonzero(b, True) <= {"salary_per_unit_kr", "group_transfer_per_unit_kr",
                                 "rounding_per_unit_kr"}


def test_only_an_overhead_pool_changed_gives_only_the_overhead_effect(last_year):
    pools = tuple(dataclasses.replace(p, amount_kr=p.amount_kr * 1.3) if p.pool_id == "IT"
                  else p for p in last_year.pools)
    b = calculate(dataclasses.replace(last_year, pools=pools)).price_bridge
    assert _nonzero(b, False) == {"overhead_per_unit_kr", "rounding_per_unit_kr"}


def test_only_a_direct_cost_changed_gives_only_the_other_effect(last_year):
    costs = tuple(dataclasses.replace(c, amount_kr=c.amount_kr * 2)
                  if c.kind is CostKind.PER_SEAT else c for c in last_year.costs)
    b = calculate(dataclasses.replace(last_year, costs=costs)).price_bridge
    assert _nonzero(b, False) == {"other_per_unit_kr", "rounding_per_unit_kr"}


def test_only_last_years_result_changed_gives_only_the_carry_forward_effect(last_year):
    outcomes = tuple(dataclasses.replace(o, revenue_kr=o.cost_kr * 0.95)
                     for o in last_year.outcomes)
    b = calculate(dataclasses.replace(last_year, outcomes=outcomes)).price_bridge
    assert _nonzero(b, False) == {"carry_forward_per_unit_kr", "rounding_per_unit_kr"}
    # A deficit to recover raises every price.
    assert (b["carry_forward_per_unit_kr"] > 0).all()


def test_only_the_price_group_changed_gives_only_the_group_effect(last_year):
    services = tuple(dataclasses.replace(s, price_group=None) if s.service_id in _GROUPED
                     else s for s in last_year.services)
    b = calculate(dataclasses.replace(last_year, services=services)).price_bridge
    assert _nonzero(b, False) <= {"rounding_per_unit_kr"}
    assert _nonzero(b, True) == {"group_transfer_per_unit_kr", "rounding_per_unit_kr"}


def test_last_years_underpricing_is_the_outcome_effect(last_year):
    # Last year's decided prices 5 % under the cost they should have covered.
    previous = tuple(dataclasses.replace(p, price_kr=p.price_kr * 0.95,
                                         exact_price_kr=p.exact_price_kr * 0.95)
                     for p in last_year.previous_prices)
    b = calculate(dataclasses.replace(last_year, previous_prices=previous)).price_bridge
    assert _nonzero(b, False) == {"outcome_per_unit_kr", "rounding_per_unit_kr"}
    # exact(last year's chain) - E0 = e - 0.95 e, e last year's exact price.
    e0 = pd.Series({(p.service_id, p.channel_id or ""): p.exact_price_kr for p in previous})
    lines = list(zip(b["service_id"], b["channel_id"].fillna(""), strict=True))
    assert np.allclose(b["outcome_per_unit_kr"], e0.loc[lines].to_numpy() / 0.95 * 0.05,
                       rtol=1e-9)


# --- lines that cannot be compared ----------------------------------------------------------------

@pytest.fixture(scope="module")
def changed():
    """SB-T1 per contact -> fixed fee, W2 subscription -> hourly, a new service N1."""
    inputs = example_inputs()
    services = []
    for s in inputs.services:
        if s.service_id == "SB-T1":
            s = dataclasses.replace(s, price_model=PriceModel.ANNUAL_FEE,
                                    fee_key=FeeKey.LAST_YEAR_CONTACTS)
        elif s.service_id == "W2":
            s = dataclasses.replace(s, price_model=PriceModel.PER_HOUR, fee_key=None,
                                    fixed_share=None)
        services.append(s)
    services.append(Service("N1", "Ny tjänst", services[0].unit, ServiceType.ADD_ON, "SB",
                            "handläggare", PriceModel.PER_CONTACT))
    contacts = inputs.contacts + (dataclasses.replace(inputs.contacts[1], service_id="N1",
                                                      volume=2_000.0),)
    hours = sum(c.used_volume * c.used_aht_s / 3600 for c in inputs.contacts
                if c.service_id == "W2")
    volumes = []
    for v in inputs.customer_volumes:
        if v.service_id == "W2":
            v = dataclasses.replace(v, forecast_quantity=hours / 4)
        volumes.append(v)
    volumes.append(dataclasses.replace(inputs.customer_volumes[0], service_id="N1",
                                       forecast_quantity=2_000.0, channel_id=None))
    inputs = dataclasses.replace(inputs, services=tuple(services), contacts=contacts,
                                 customer_volumes=tuple(volumes))
    return inputs, calculate(inputs)


def test_a_changed_model_or_a_new_service_says_so_instead_of_a_percentage(changed):
    _, changed = changed
    p = changed.price.prices.set_index("service_id")
    assert p.at["SB-T1", "comparison"] == ("Ny prismodell (i fjol Styckpris per kontakt, "
                                           "kr/kontakt)")
    assert p.at["W2", "comparison"].startswith("Ny prismodell (i fjol Abonnemang + rörligt")
    assert p.at["N1", "comparison"] == "Ny tjänst"
    for sid in ("SB-T1", "W2", "N1"):
        assert np.isnan(p.at[sid, "change_pct"]) and np.isnan(p.at[sid, "change_kr"])
    assert pd.isna(p.at["SB1", "comparison"]) and p.at["SB1", "change_pct"] > 0
    b = changed.price_bridge.set_index("service_id")
    for sid in ("SB-T1", "W2", "N1"):
        assert b.loc[sid, list(ALL_EFFECTS)].isna().all()
        assert b.at[sid, "comparison"] == p.at[sid, "comparison"]
    assert b.loc["SB1", list(EFFECT_COLUMNS)].notna().all()


def test_customers_see_no_previous_charge_for_a_changed_or_new_service(changed):
    _, changed = changed
    c = changed.price.charges
    mine = c[c["service_id"].isin(["SB-T1", "W2", "N1"])]
    assert len(mine) > 0
    assert mine["previous_charge_kr"].isna().all() and mine["price_effect_kr"].isna().all()
    others = c[c["service_id"] == "SB1"]
    assert others["previous_charge_kr"].notna().all()
    assert changed.all_checks_ok


def test_the_sheet_writes_no_change_formula_for_a_line_without_comparison(changed):
    from types import SimpleNamespace

    from xlkc import layout as L  # noqa: N812
    from xlkc.excel.output import Formula, plan_outputs

    run = SimpleNamespace(time=None, user="u", command="berakna", version="x", input_hash="h")
    plan = plan_outputs(*changed, run)
    for table in (L.T_PRICES, L.T_PRICE_BRIDGE):
        block = next(b for b in plan.tables if b.table == table.name)
        fields = [c.field for c in table.columns]
        for row in block.rows:
            cells = dict(zip(fields, row, strict=True))
            if cells["service_id"] in ("SB-T1", "W2", "N1"):
                assert cells["change_kr"] is None and cells["change_pct"] is None
                assert cells["comparison"].startswith(("Ny prismodell", "Ny tjänst"))
            elif table is L.T_PRICE_BRIDGE:  # Årets pris = Föregående pris + every effect
                assert isinstance(cells["price_kr"], Formula)
                assert cells["price_kr"].count("+") == len(ALL_EFFECTS)
