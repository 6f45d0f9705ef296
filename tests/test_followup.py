"""Data quality: workload and cost per source, adding up to the whole."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies import inputs_strategy, simple_staffing
from xlkc import calculate, example_inputs
from xlkc.costing import compute_costs
from xlkc.errors import InputError
from xlkc.followup import TOTAL, data_quality
from xlkc.inputs import Source


def test_example_workload_per_source_by_hand():
    quality = calculate(example_inputs()).quality.set_index("source")
    # SPEC §7: valued (värdering) are W1 uppdrag 2 400 @ 30, W2 inlägg 12 000 @ 4 and
    # SO-T1 brev 5 000 @ 15 minutes; SK1 telefon 60 000 calls carries a target of 5 minutes.
    valued_h = (2_400 * 30 + 12_000 * 4 + 5_000 * 15) / 60
    target_h = 60_000 * 5 / 60
    assert quality.loc["värdering", "workload_h"] == pytest.approx(valued_h)
    assert quality.loc["målvärde", "workload_h"] == pytest.approx(target_h)
    assert quality.loc["värdering", "contact_rows"] == 3
    assert quality.loc["målvärde", "contact_rows"] == 1
    assert quality.loc[TOTAL, "workload_share"] == pytest.approx(1.0)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs_strategy(), st.data())
def test_cost_per_source_adds_up_to_full_cost(inputs, data):
    sources = st.sampled_from(list(Source))
    contacts = tuple(dataclasses.replace(c, volume_source=data.draw(sources),
                                         aht_source=data.draw(sources))
                     for c in inputs.contacts)
    inputs = dataclasses.replace(inputs, contacts=contacts)
    staffing = simple_staffing(inputs)
    try:
        cost = compute_costs(inputs, staffing)
    except InputError:
        return
    q = data_quality(staffing, cost).set_index("source")
    parts = q.drop(index=TOTAL)
    assert parts["cost_kr"].sum() == pytest.approx(cost.services["full_cost_kr"].sum(), abs=0.01)
    assert parts["workload_h"].sum() == pytest.approx(staffing.services["workload_h"].sum())
    assert parts["contact_rows"].sum() == len(inputs.contacts)
    # a row with any valued input never counts as measured
    measured = [c for c in contacts
                if c.volume_source is Source.MEASURED and c.aht_source is Source.MEASURED]
    assert q.loc["statistik", "contact_rows"] == len(measured)


def _one_service_inputs():
    """One e-mail service (deferred: FTE = workload / (productive h x 0.9)), no overhead."""
    from xlkc.example import CHANNELS, PROFILE
    from xlkc.inputs import ContactVolume as CV
    from xlkc.inputs import (
        Inputs,
        Outcome,
        Parameters,
        PriceModel,
        Service,
        ServiceType,
        StaffCategory,
        StaffRole,
    )

    params = Parameters(city_charge_rate=0.0)
    services = (Service("E", "E-post", "Enhet", ServiceType.BASE, "G", "hl",
                        PriceModel.PER_CONTACT),)
    contacts = (CV("E", "e-post", 12_000.0, 600.0),)  # 2 000 h of workload
    last = Outcome("E", revenue_kr=1_000_000, cost_kr=1_100_000, volume=10_000,
                   workload_h=1_800, fte=1.4, personnel_cost_kr=840_000, overhead_kr=0)
    return Inputs(parameters=params, channels=CHANNELS, answer_groups=(), services=services,
                  contacts=contacts, profile=PROFILE,
                  staff=(StaffCategory("hl", 40_000, StaffRole.AGENT),), outcomes=(last,))


def test_bridge_by_hand():
    inputs = _one_service_inputs()
    results = calculate(inputs)
    row = results.bridge.iloc[0]
    p = inputs.parameters
    hours = (251 - 28) * 8 * (1 - 0.065) * (1 - 0.06) * (1 - 0.03)
    fte1 = 2_000 / (hours * 0.9)
    k1 = 40_000 * 12 * (1 + p.salary_revision) * (1 + p.payroll_overhead_rate)
    k0 = 840_000 / 1.4
    # volume 10 000 -> 12 000: personnel at last year's productivity and salary grows 20 %
    assert row["volume_effect_kr"] == pytest.approx(840_000 * 0.2)
    # hours per contact 0.18 -> 0.1667: 2 000 h instead of 2 160 h at last year's FTE per hour
    assert row["handle_time_effect_kr"] == pytest.approx(840_000 * 1.2 * (2_000 / 2_160 - 1))
    # FTE per workload hour 1.4/1 800 -> fte1/2 000, at last year's cost per FTE
    assert row["staffing_effect_kr"] == pytest.approx(k0 * fte1 - 840_000 * 2_000 / 1_800)
    assert row["salary_effect_kr"] == pytest.approx(fte1 * (k1 - k0))
    assert row["overhead_effect_kr"] == pytest.approx(0.0)
    # other: this year none, last year 1 100 000 - 840 000 = 260 000
    assert row["other_effect_kr"] == pytest.approx(-260_000)
    effects = row[["volume_effect_kr", "handle_time_effect_kr", "staffing_effect_kr",
                   "salary_effect_kr", "overhead_effect_kr", "other_effect_kr"]].sum()
    assert 1_100_000 + effects == pytest.approx(row["full_cost_kr"])
    assert row["real_change_pct"] == pytest.approx(
        row["full_cost_kr"] / 12_000 / (1 + p.salary_revision) / 110 - 1)
    assert row["fte_per_10k"] == pytest.approx(fte1 / 12_000 * 10_000)


def test_bridge_without_last_years_detail_explains_nothing():
    inputs = _one_service_inputs()
    bare = dataclasses.replace(inputs.outcomes[0], workload_h=None, fte=None)
    results = calculate(dataclasses.replace(inputs, outcomes=(bare,)))
    row = results.bridge.iloc[0]
    assert row[["volume_effect_kr", "salary_effect_kr", "other_effect_kr"]].isna().all()
    assert row["previous_cost_kr"] == 1_100_000  # the costs stay visible
    bridge_check = results.checks[results.checks["check"].str.startswith("Prisbrygga")]
    assert bridge_check["ok"].all() and bridge_check["value_kr"].iloc[0] == 0.0


def test_example_bridge_adds_up_for_every_service():
    results = calculate(example_inputs())
    b = results.bridge
    effects = [c for c in b.columns if c.endswith("_effect_kr")]
    assert b[effects].notna().all().all()
    assert (b["previous_cost_kr"] + b[effects].sum(axis=1)).to_numpy() == pytest.approx(
        b["full_cost_kr"].to_numpy(), abs=0.01)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs_strategy(), st.data())
def test_bridge_effects_add_up_to_the_change_of_full_cost(inputs, data):
    from xlkc.followup import price_bridge

    positive = st.floats(1.0, 1e6)
    outcomes = tuple(dataclasses.replace(
        o, volume=data.draw(positive), workload_h=data.draw(positive),
        fte=data.draw(st.floats(0.01, 50)), personnel_cost_kr=data.draw(positive),
        overhead_kr=data.draw(st.floats(0, 1e6))) for o in inputs.outcomes)
    inputs = dataclasses.replace(inputs, outcomes=outcomes)
    staffing = simple_staffing(inputs)
    try:
        cost = compute_costs(inputs, staffing)
    except InputError:
        return
    b = price_bridge(inputs, staffing, cost)
    effects = b[[c for c in b.columns if c.endswith("_effect_kr")]]
    explained = effects.notna().all(axis=1)
    assert explained.any()
    total = b["previous_cost_kr"] + effects.sum(axis=1)
    assert total[explained].to_numpy() == pytest.approx(
        b.loc[explained, "full_cost_kr"].to_numpy(), rel=1e-9, abs=0.01)


def test_inhouse_comparison_by_hand():
    """SBN takes 60 % of SB-T1 (6 000 priority calls, 8 min, 80 % in 30 s): staffed alone with
    its own 22 % absence, at 36 500 kr/month and a 30 % overhead."""
    from xlkc.example import CHANNELS
    from xlkc.staffing import staff_service_alone

    inputs = example_inputs()
    results = calculate(inputs)
    row = results.inhouse.set_index(["customer_id", "service_id"]).loc[("SBN", "SB-T1")]
    own = dataclasses.replace(inputs.parameters, total_shrinkage=0.22)
    phone = next(c for c in CHANNELS if c.channel_id == "telefon")
    alone = staff_service_alone(3_600, 480, phone, own, inputs.profile, service_level=0.8,
                                answer_time_s=30, max_occupancy=0.85)
    assert row["contacts"] == pytest.approx(3_600)
    assert row["inhouse_fte"] == pytest.approx(alone.fte)
    per_fte = 36_500 * 12 * 1.03 * 1.46 * 1.30
    assert row["inhouse_cost_kr"] == pytest.approx(alone.fte * per_fte)
    price = results.price.prices.set_index("service_id").loc["SB-T1", "price_kr"]
    assert row["charge_kr"] == pytest.approx(3_600 * price)
    assert row["difference_kr"] == pytest.approx(alone.fte * per_fte - 3_600 * price)
    # staffed alone, its share needs more agents than its workload share of the pool
    pool_fte = results.staffing.services.set_index("service_id").loc["SB-T1", "fte"]
    hours = lambda p: (p.working_days - p.vacation_days) * p.hours_per_day  # noqa: E731
    assert alone.fte * hours(own) * 0.78 > 0.6 * pool_fte * results.staffing.productive_hours


def test_only_customers_with_their_own_salary_are_compared():
    inputs = example_inputs()
    results = calculate(inputs)
    compared = {c.customer_id for c in inputs.customers if c.own_monthly_salary_kr is not None}
    assert set(results.inhouse["customer_id"]) == compared
    takes = {(v.customer_id, v.service_id) for v in inputs.customer_volumes
             if v.customer_id in compared}
    assert set(zip(results.inhouse["customer_id"], results.inhouse["service_id"],
                   strict=True)) == takes


def test_bad_own_figures_are_refused_in_swedish():
    from xlkc.errors import ValidationError

    inputs = example_inputs()
    customers = list(inputs.customers)
    customers[0] = dataclasses.replace(customers[0], own_total_shrinkage=1.5,
                                       own_monthly_salary_kr=-1.0)
    with pytest.raises(ValidationError) as e:
        calculate(dataclasses.replace(inputs, customers=tuple(customers)))
    text = str(e.value)
    assert "Kunden 'SBN': egen frånvaro kan inte vara 1,5" in text
    assert "Kunden 'SBN': egen månadslön kan inte vara -1" in text
    assert {(p.record, p.index, p.field) for p in e.value.problems} >= {
        ("customers", 0, "own_total_shrinkage"), ("customers", 0, "own_monthly_salary_kr")}
