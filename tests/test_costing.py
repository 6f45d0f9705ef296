"""Cost engine: every krona entered lands on exactly one service."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from tests.strategies import inputs_strategy, simple_staffing
from xlkc.costing import compute_costs, cost_per_fte
from xlkc.errors import InputError, ValidationError
from xlkc.example import example_inputs
from xlkc.inputs import (
    AllocationKey,
    AllocationMethod,
    CostKind,
    OverheadPool,
    Parameters,
    PoolLevel,
    StaffRole,
)

PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_cost_per_fte_follows_the_formula():
    # 34 000 kr/month, 12 months, +3 % revision, +46 % PO
    assert cost_per_fte(34_000, Parameters()) == pytest.approx(34_000 * 12 * 1.03 * 1.46)
    assert cost_per_fte(34_000, Parameters()) == pytest.approx(613_550.40)


def entered_total(inputs, staffing) -> float:
    """Every krona entered, summed straight from the inputs (independent of costing.py)."""
    p = inputs.parameters
    per_fte = {c.category_id: c.monthly_salary_kr * 12 * (1 + p.salary_revision)
               * (1 + p.payroll_overhead_rate) for c in inputs.staff}
    s = staffing.services
    fte = s.groupby("service_id")["fte"].sum()
    total = sum(fte.get(sv.service_id, 0.0) * per_fte[sv.staff_category]
                for sv in inputs.services)
    agent_fte = fte.sum()
    unit_fte = {}
    for sv in inputs.services:
        unit_fte[sv.unit] = unit_fte.get(sv.unit, 0.0) + fte.get(sv.service_id, 0.0)
    for c in inputs.staff:
        if c.role is StaffRole.OVERHEAD:
            n = c.headcount if c.span is None else (
                (agent_fte if c.unit is None else unit_fte[c.unit]) / c.span)
            total += n * per_fte[c.category_id]
    for c in inputs.costs:
        if c.kind is CostKind.DIRECT:
            total += c.amount_kr
        elif c.kind is CostKind.PER_SEAT:
            total += c.amount_kr * p.seat_ratio * (
                agent_fte if c.service_id is None else fte.get(c.service_id, 0.0))
        else:
            rows = s if c.channel_id is None else s[s["channel_id"] == c.channel_id]
            total += c.amount_kr * float((rows["volume"] * rows["aht_s"] / 60).sum())
    total += sum(q.amount_kr for q in inputs.pools)
    return total * (1 + p.city_charge_rate)


@PROPS
@given(inputs_strategy())
def test_full_cost_of_all_services_equals_all_costs_entered(inputs):
    staffing = simple_staffing(inputs)
    try:
        result = compute_costs(inputs, staffing)
    except InputError as e:  # a random key may leave a pool without receivers: must say so
        assert "mottagare" in str(e) and "'P" in str(e), e
        return
    services = result.services
    assert services["full_cost_kr"].sum() == pytest.approx(entered_total(inputs, staffing),
                                                            abs=0.01)
    assert result.total_cost_kr == pytest.approx(services["full_cost_kr"].sum(), abs=0.01)
    parts = services[["personnel_cost_kr", "seat_cost_kr", "minute_cost_kr", "direct_cost_kr",
                      "overhead_kr", "city_charge_kr"]].sum(axis=1)
    assert np.allclose(parts, services["full_cost_kr"], atol=1e-6)
    assert result.allocation["amount_kr"].sum() == pytest.approx(
        result.pools["total_kr"].sum(), abs=0.01)
    # carry-forward hands back last year's surplus / years, each fund row rounded to the öre
    surplus = sum(o.surplus_kr for o in inputs.outcomes)
    fund = result.fund_result
    assert services["carry_forward_kr"].sum() == pytest.approx(-fund.returned_kr, abs=0.01)
    assert fund.returned_kr == pytest.approx(surplus / inputs.parameters.surplus_years,
                                             abs=0.005 * len(fund.movements) + 1e-6)


@pytest.mark.parametrize("method", list(AllocationMethod))
def test_every_method_conserves_the_example(method):
    inputs = example_inputs()
    inputs = dataclasses.replace(
        inputs, parameters=dataclasses.replace(inputs.parameters, allocation_method=method))
    staffing = simple_staffing(inputs)
    result = compute_costs(inputs, staffing)
    assert result.services["full_cost_kr"].sum() == pytest.approx(
        entered_total(inputs, staffing), abs=0.01)
    assert (result.allocation["amount_kr"] >= -1e-9).all()


def test_unit_pool_lands_only_on_its_units_services():
    inputs = example_inputs()
    result = compute_costs(inputs, simple_staffing(inputs))
    units = {s.service_id: s.unit for s in inputs.services}
    alloc = result.allocation
    for pool in inputs.pools:
        if pool.level is not PoolLevel.UNIT:
            continue
        mine = alloc[alloc["pool_id"] == pool.pool_id]
        outside = mine[mine["service_id"].map(units) != pool.unit]
        assert outside["amount_kr"].abs().max() == pytest.approx(0.0, abs=1e-9)
        assert mine["amount_kr"].sum() > 0


def test_direct_key_goes_to_named_services_only():
    inputs = example_inputs()
    pool = OverheadPool("KVAL", "Kvalitet", PoolLevel.DEPARTMENT, 300_000, AllocationKey.DIRECT,
                        receivers=("SO1", "SO2"), order=99)
    inputs = dataclasses.replace(inputs, pools=(*inputs.pools, pool))
    result = compute_costs(inputs, simple_staffing(inputs))
    mine = result.allocation[result.allocation["pool_id"] == "KVAL"].set_index("service_id")
    assert mine.loc[["SO1", "SO2"], "amount_kr"].sum() == pytest.approx(300_000)
    assert mine.drop(["SO1", "SO2"])["amount_kr"].abs().sum() == pytest.approx(0.0)


def test_team_leaders_follow_span_of_control():
    inputs = example_inputs()
    staffing = simple_staffing(inputs)
    result = compute_costs(inputs, staffing)
    tl = result.pools.set_index("pool_id").loc["TL"]
    agent_fte = staffing.services["fte"].sum()
    assert tl["staff_cost_kr"] == pytest.approx(agent_fte / 13 * cost_per_fte(43_000,
                                                                              Parameters()))


def test_bad_cost_inputs_are_named_in_swedish():
    inputs = example_inputs()
    bad_pool = OverheadPool("X", "Trasig", PoolLevel.DEPARTMENT, -5, AllocationKey.DIRECT,
                            receivers=("FINNS-EJ",))
    inputs = dataclasses.replace(inputs, pools=(*inputs.pools, bad_pool))
    with pytest.raises(ValidationError) as e:
        compute_costs(inputs, simple_staffing(inputs))
    text = str(e.value)
    assert "'X' har ett negativt belopp" in text
    assert "mottagaren 'FINNS-EJ'" in text


def test_units_are_checked_against_the_unit_list():
    inputs = example_inputs()
    services = list(inputs.services)
    services[0] = dataclasses.replace(services[0], unit="Okänd enhet")
    units = (*inputs.units, inputs.units[0])
    inputs = dataclasses.replace(inputs, services=tuple(services), units=units)
    with pytest.raises(ValidationError) as e:
        compute_costs(inputs, simple_staffing(inputs))
    text = str(e.value)
    assert "Tjänsten 'SB1' hör till enheten 'Okänd enhet', som inte finns under Enheter" in text
    assert f"Enheten '{units[0].unit_id}' förekommer mer än en gång" in text
    located = {(p.record, p.index, p.field) for p in e.value.problems}
    assert ("services", 0, "unit") in located
