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
