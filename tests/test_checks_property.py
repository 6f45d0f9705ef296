"""Property: on inputs that pass validation, no reconciliation check fails (a check that fails
on valid input is a bug), and the cross-checks hold on the results."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

from tests.strategies import inputs_strategy
from xlkc.errors import errors_of
from xlkc.pipeline import evaluate, revenue_per_line


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs_strategy(max_services=4))
def test_checks_cannot_fail_on_inputs_that_pass_validation(inputs):
    results, problems = evaluate(inputs)
    # the strategy draws valid inputs: validation must accept them, and then every check holds
    assert not errors_of(problems), [str(p) for p in problems]
    assert results is not None
    bad = results.checks[~results.checks["ok"].astype(bool)]
    assert bad.empty, bad.to_string()
    # every service's customer charges equal its revenue (the cross-checks' purpose)
    prices = results.price.prices
    revenue = revenue_per_line(prices).groupby(prices["service_id"]).sum()
    charged = results.price.charges.groupby("service_id")["charge_kr"].sum()
    assert np.allclose(charged.reindex(revenue.index, fill_value=0.0), revenue, atol=0.02)
