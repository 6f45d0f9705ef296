"""Tests of xlkc.allocation: hand-derived cases, cross-method identities, hypothesis properties."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from xlkc.allocation import allocate, allocation_flows, distribute_ore, to_ore
from xlkc.errors import InputError

METHODS = ["direct", "step-down", "reciprocal"]


# ---------------------------------------------------------------------------------------------
# Hand-checkable case: IT and HR serve each other and two services A and B
# ---------------------------------------------------------------------------------------------
#
# Pools: IT 100 000 kr, HR 60 000 kr. Keys (driver quantities, each row totals 100):
#   IT: to HR 10, to A 60, to B 30   → HR uses 10 % of IT; A 60 %, B 30 %
#   HR: to IT 20, to A 50, to B 30   → IT uses 20 % of HR; A 50 %, B 30 %
# (the IT row also says IT uses 5 units of itself: ignored, a pool does not charge itself)

def it_hr_case() -> tuple[pd.Series, pd.DataFrame]:
    costs = pd.Series({"IT": 100_000.0, "HR": 60_000.0})
    usage = pd.DataFrame(
        {"IT": [5, 20], "HR": [10, 0], "A": [60, 50], "B": [30, 30]}, index=["IT", "HR"]
    )
    return costs, usage


def as_frame(rows: dict[str, dict[str, Fraction]]) -> pd.DataFrame:
    return pd.DataFrame({p: {s: float(v) for s, v in r.items()} for p, r in rows.items()}).T


def test_reciprocal_by_hand():
    # Totals:  x_IT = 100 000 + 0.2·x_HR,  x_HR = 60 000 + 0.1·x_IT
    #   ⇒ x_IT = 100 000 + 0.2·(60 000 + 0.1·x_IT) = 112 000 + 0.02·x_IT
    #   ⇒ x_IT = 112 000 / 0.98 = 114 285.71…,  x_HR = 60 000 + 11 428.57… = 71 428.57…
    # Services (all pool totals passed on):
    #   A = 0.6·x_IT + 0.5·x_HR = 104 285.71…,  B = 0.3·x_IT + 0.3·x_HR = 55 714.29…
    # Origin tracking (what each pool's own cost turns into): 100 000 entering IT makes IT pass
    # on y = 100 000/0.98 in total, of which 0.1·y goes through HR, so
    #   IT→A = (0.6 + 0.1·0.5)·y = 0.65·y,  IT→B = (0.3 + 0.1·0.3)·y = 0.33·y  (0.98·y = 100 000)
    # and for HR's 60 000, y' = 60 000/0.98 passes HR, 0.2·y' goes through IT:
    #   HR→A = (0.5 + 0.2·0.6)·y' = 0.62·y',  HR→B = (0.3 + 0.2·0.3)·y' = 0.36·y'
    f = Fraction
    x_it = f(112_000) / f(98, 100)
    x_hr = 60_000 + f(1, 10) * x_it
    assert x_it == 100_000 + f(2, 10) * x_hr  # the system holds
    y, y2 = f(100_000) / f(98, 100), f(60_000) / f(98, 100)
    want = as_frame({
        "IT": {"A": f(65, 100) * y, "B": f(33, 100) * y},
        "HR": {"A": f(62, 100) * y2, "B": f(36, 100) * y2},
    })
    costs, usage = it_hr_case()
    got = allocate(costs, usage, "reciprocal")
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=0, atol=1e-6)
    svc = got.sum(axis=0)
    assert svc["A"] == pytest.approx(float(f(6, 10) * x_it + f(5, 10) * x_hr), abs=1e-6)
    assert svc["B"] == pytest.approx(float(f(3, 10) * x_it + f(3, 10) * x_hr), abs=1e-6)
    assert svc["A"] == pytest.approx(104_285.714286, abs=1e-6)


def test_step_down_by_hand():
    # Order IT, HR. IT (100 000) goes 10 % to HR, 60 % to A, 30 % to B:
    #   A 60 000, B 30 000, HR 10 000.
    # HR then holds 60 000 + 10 000; its key to IT (earlier) is ignored, so it shares 50:30
    # over A and B: HR's own 60 000 → A 37 500, B 22 500; IT's 10 000 → A 6 250, B 3 750.
    costs, usage = it_hr_case()
    want = pd.DataFrame({"A": [66_250.0, 37_500.0], "B": [33_750.0, 22_500.0]},
                        index=["IT", "HR"])
    got = allocate(costs, usage, "step-down")
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=0, atol=1e-8)


def test_step_down_other_order_by_hand():
    # Order HR, IT. HR (60 000): 20 % to IT = 12 000, A 30 000, B 18 000.
    # IT holds 100 000 + 12 000, shares 60:30 over A and B (HR is earlier: ignored):
    #   IT's own → A 66 666.67, B 33 333.33; HR's 12 000 → A 8 000, B 4 000.
    costs, usage = it_hr_case()
    got = allocate(costs[["HR", "IT"]], usage, "step-down")
    assert list(got.index) == ["HR", "IT"]
    np.testing.assert_allclose(got.loc["HR"], [38_000.0, 22_000.0], atol=1e-8)
    np.testing.assert_allclose(got.loc["IT"], [200_000 / 3, 100_000 / 3], atol=1e-8)


def test_direct_by_hand():
    # Pool columns ignored: IT shares 60:30, HR 50:30.
    costs, usage = it_hr_case()
    want = pd.DataFrame({"A": [200_000 / 3, 37_500.0], "B": [100_000 / 3, 22_500.0]},
                        index=["IT", "HR"])
    got = allocate(costs, usage, "direct")
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=0, atol=1e-8)


def test_swedish_method_names():
    costs, usage = it_hr_case()
    for sv, en in [("direkt", "direct"), ("Stegvis", "step-down"), ("ömsesidig", "reciprocal")]:
        pd.testing.assert_frame_equal(allocate(costs, usage, sv), allocate(costs, usage, en))


def test_result_layout_keeps_orders_and_services_only():
    costs = pd.Series({"P2": 50.0, "P1": 70.0})
    usage = pd.DataFrame({"S9": [1, 2], "P1": [3, 0], "S1": [4, 5]}, index=["P1", "P2"])
    got = allocate(costs, usage, "reciprocal")
    assert list(got.index) == ["P2", "P1"]
    assert list(got.columns) == ["S9", "S1"]  # services in key order; P2 has no column: fine


# ---------------------------------------------------------------------------------------------
# Errors (Swedish, naming the item)
# ---------------------------------------------------------------------------------------------

def test_negative_cost_names_pool():
    costs, usage = it_hr_case()
    costs["HR"] = -1.0
    with pytest.raises(InputError, match="Overheadpoolen 'HR' har ett negativt belopp"):
        allocate(costs, usage, "direct")


def test_nan_cost_and_nan_key():
    costs, usage = it_hr_case()
    with pytest.raises(InputError, match="'IT' saknar ett giltigt belopp"):
        allocate(costs.replace(100_000.0, np.nan), usage, "direct")
    usage = usage.astype(float)
    usage.loc["HR", "B"] = np.nan
    with pytest.raises(InputError, match="från overheadpoolen 'HR' till 'B' saknar"):
        allocate(costs, usage, "direct")


def test_negative_key_names_pool_and_receiver():
    costs, usage = it_hr_case()
    usage.loc["IT", "A"] = -3
    with pytest.raises(InputError, match="från overheadpoolen 'IT' till 'A' är negativ"):
        allocate(costs, usage, "reciprocal")


@pytest.mark.parametrize("method", METHODS)
def test_pool_without_receiver(method):
    costs = pd.Series({"IT": 100.0, "HR": 50.0})
    usage = pd.DataFrame({"HR": [0, 0], "A": [1, 0]}, index=["IT", "HR"])
    with pytest.raises(InputError, match="Overheadpoolen 'HR' har ingen mottagare med positiv"):
        allocate(costs, usage, method)


@pytest.mark.parametrize("method", METHODS)
def test_zero_pool_without_receiver_is_fine(method):
    costs = pd.Series({"IT": 100.0, "HR": 0.0})
    usage = pd.DataFrame({"A": [1, 0], "B": [3, 0]}, index=["IT", "HR"])
    got = allocate(costs, usage, method)
    assert got.loc["HR"].tolist() == [0.0, 0.0]
    assert got.loc["IT"].tolist() == [25.0, 75.0]


def test_direct_ignores_pool_keys_and_complains_without_service_key():
    costs = pd.Series({"IT": 100.0, "HR": 50.0})
    usage = pd.DataFrame({"HR": [5, 0], "A": [0, 1]}, index=["IT", "HR"])
    with pytest.raises(InputError, match="'IT' har ingen mottagare.*direkt"):
        allocate(costs, usage, "direct")


def test_step_down_ignores_earlier_pools():
    # HR is last in the order and only serves IT (earlier): nothing to pass its cost to.
    costs = pd.Series({"IT": 100.0, "HR": 50.0})
    usage = pd.DataFrame({"IT": [0, 4], "HR": [1, 0], "A": [1, 0]}, index=["IT", "HR"])
    with pytest.raises(InputError, match="'HR' har ingen mottagare.*senare i ordningen"):
        allocate(costs, usage, "step-down")
    # Reciprocal can: HR's cost goes via IT to A.
    got = allocate(costs, usage, "reciprocal")
    assert got.loc["HR", "A"] == pytest.approx(50.0)


def test_step_down_received_cost_without_receiver():
    costs = pd.Series({"IT": 100.0, "HR": 0.0})
    usage = pd.DataFrame({"HR": [1, 0], "A": [1, 0]}, index=["IT", "HR"])
    with pytest.raises(InputError, match="'HR' har ingen mottagare.*tar emot 50,00 kr"):
        allocate(costs, usage, "step-down")


def test_reciprocal_closed_loop():
    # IT and HR serve only each other; Ekonomi feeds the loop.
    costs = pd.Series({"IT": 100.0, "HR": 50.0, "Ekonomi": 10.0})
    usage = pd.DataFrame(
        {"IT": [0, 1, 1], "HR": [1, 0, 0], "A": [0, 0, 1]}, index=["IT", "HR", "Ekonomi"]
    )
    with pytest.raises(InputError, match=r"'IT', 'HR' fördelar bara till varandra \(sluten krets\)"):
        allocate(costs, usage, "reciprocal")


def test_reciprocal_idle_loop_without_money_is_fine():
    costs = pd.Series({"IT": 0.0, "HR": 0.0, "Ekonomi": 10.0})
    usage = pd.DataFrame(
        {"IT": [0, 1, 0], "HR": [1, 0, 0], "A": [0, 0, 1]}, index=["IT", "HR", "Ekonomi"]
    )
    got = allocate(costs, usage, "reciprocal")
    assert got["A"].tolist() == [0.0, 0.0, 10.0]


def test_pool_sets_must_match():
    costs, usage = it_hr_case()
    with pytest.raises(InputError, match="Overheadpoolen 'Lokaler' saknar rad"):
        allocate(pd.concat([costs, pd.Series({"Lokaler": 5.0})]), usage, "direct")
    with pytest.raises(InputError, match="rad för 'HR', som inte är någon overheadpool"):
        allocate(costs[["IT"]], usage, "direct")


def test_unknown_method():
    costs, usage = it_hr_case()
    with pytest.raises(InputError, match="Okänd fördelningsmetod 'abc'"):
        allocate(costs, usage, "abc")


# ---------------------------------------------------------------------------------------------
# Properties over random inputs
# ---------------------------------------------------------------------------------------------

@st.composite
def cases(draw):
    k = draw(st.integers(1, 8))
    m = draw(st.integers(1, 10))
    pools = [f"P{i}" for i in range(k)]
    services = [f"S{j}" for j in range(m)]
    costs = draw(st.lists(
        st.one_of(st.just(0.0), st.integers(0, 10**9).map(lambda c: c / 100)),
        min_size=k, max_size=k,
    ))
    # Driver quantities: zero, or at least a thousandth (a key of 1e-76 next to keys of 1 is a
    # closed loop in floating point, which allocate rightly refuses).
    key = st.one_of(st.just(0.0), st.floats(1e-3, 1e4))
    svc = draw(arrays(np.float64, (k, m), elements=key)) * draw(arrays(np.bool_, (k, m)))
    pp = draw(arrays(np.float64, (k, k), elements=key)) * draw(arrays(np.bool_, (k, k)))
    for i in range(k):  # at least one positive service key per pool
        if not (svc[i] > 0).any():
            svc[i, draw(st.integers(0, m - 1))] = draw(st.floats(0.5, 1e4))
    # Interleave pool and service columns to check that columns are classified by name.
    usage = pd.DataFrame(np.hstack([svc, pp]), index=pools, columns=services + pools)
    order = draw(st.permutations(list(usage.columns)))
    return pd.Series(costs, index=pools), usage[list(order)]


def neumann_reference(costs: pd.Series, usage: pd.DataFrame) -> np.ndarray:
    """Origin matrix by passing the money around until (almost) nothing is left in the pools."""
    pools = list(costs.index)
    services = [c for c in usage.columns if c not in pools]
    u_pp = usage.loc[pools, pools].to_numpy(float).copy()
    np.fill_diagonal(u_pp, 0.0)
    u_ps = usage.loc[pools, services].to_numpy(float)
    tot = u_pp.sum(1) + u_ps.sum(1)
    s_pp, s_ps = u_pp / tot[:, None], u_ps / tot[:, None]
    held = np.diag(costs.to_numpy(float))
    out = np.zeros((len(pools), len(services)))
    for _ in range(100_000):
        out += held @ s_ps
        held = held @ s_pp
        if held.sum() < 1e-9:
            break
    return out


@settings(max_examples=120, deadline=None)
@given(case=cases(), method=st.sampled_from(METHODS))
def test_money_is_conserved(case, method):
    costs, usage = case
    got = allocate(costs, usage, method)
    services = [c for c in usage.columns if c not in set(costs.index)]
    assert list(got.columns) == services and list(got.index) == list(costs.index)
    assert (got.to_numpy() >= 0).all()
    assert abs(got.to_numpy().sum() - costs.sum()) < 0.005
    np.testing.assert_allclose(got.sum(axis=1), costs, rtol=0, atol=0.005)
    # Öre-exact: rounding every cell, then fixing each row by largest remainder, loses nothing.
    for p in costs.index:
        parts = distribute_ore(costs[p], got.loc[p].to_numpy()) if costs[p] > 0 else None
        if parts is not None:
            assert sum(round(v * 100) for v in parts) == to_ore(costs[p])


@settings(max_examples=100, deadline=None)
@given(case=cases())
def test_direct_ignores_pool_columns(case):
    costs, usage = case
    pools = set(costs.index)
    bare = usage[[c for c in usage.columns if c not in pools]]
    pd.testing.assert_frame_equal(allocate(costs, usage, "direct"), allocate(costs, bare, "direct"))
    # Hand formula: cost × key / row total of service keys.
    want = bare.to_numpy() / bare.to_numpy().sum(1, keepdims=True) * costs.to_numpy()[:, None]
    np.testing.assert_allclose(allocate(costs, bare, "direct").to_numpy(), want, rtol=1e-12, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(case=cases())
def test_reciprocal_matches_neumann_series(case):
    costs, usage = case
    pools = list(costs.index)
    # Keep the simulation short: make every pool lose at least 10 % to services per round.
    svc = [c for c in usage.columns if c not in pools]
    u = usage.copy()
    pool_sum = u.loc[pools, pools].to_numpy().sum(1) - np.diag(u.loc[pools, pools].to_numpy())
    u[svc[0]] = u[svc[0]] + pool_sum / 9 + 1.0
    got = allocate(costs, u, "reciprocal")
    np.testing.assert_allclose(got.to_numpy(), neumann_reference(costs, u),
                               rtol=1e-7, atol=1e-3)


@settings(max_examples=100, deadline=None)
@given(case=cases())
def test_step_down_equals_reciprocal_on_forward_keys(case):
    # Step-down is the reciprocal method with every key to an earlier pool removed.
    costs, usage = case
    pools = list(costs.index)
    forward = usage.astype(float).copy()
    for i, p in enumerate(pools):
        forward.loc[p, pools[: i + 1]] = 0.0
    got = allocate(costs, usage, "step-down")
    want = allocate(costs, forward, "reciprocal")
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-9, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(case=cases())
def test_self_usage_is_ignored(case):
    costs, usage = case
    bumped = usage.astype(float).copy()
    for p in costs.index:
        bumped.loc[p, p] = bumped.loc[p, p] + 1234.5
    for method in METHODS:
        np.testing.assert_allclose(allocate(costs, bumped, method).to_numpy(),
                                   allocate(costs, usage, method).to_numpy(), atol=1e-6)


# ---------------------------------------------------------------------------------------------
# distribute_ore / to_ore
# ---------------------------------------------------------------------------------------------

def test_distribute_ore_by_hand():
    assert distribute_ore(100, [1, 1, 1]).tolist() == [33.34, 33.33, 33.33]
    assert distribute_ore(-100, [1, 1, 1]).tolist() == [-33.34, -33.33, -33.33]
    assert distribute_ore(0.1, [1, 2, 3.5]).tolist() == [0.02, 0.03, 0.05]
    # 1 000 kr by 3:5:0:2 → 300, 500, 0, 200 exactly
    assert distribute_ore(1000, [3, 5, 0, 2]).tolist() == [300.0, 500.0, 0.0, 200.0]
    # 0.285 kr is 28.5 öre in decimal → 29 öre: 15 + 14 (tie → earlier item)
    assert distribute_ore(0.285, [1, 1]).tolist() == [0.15, 0.14]


def test_to_ore_rounds_decimal_half_away():
    assert to_ore(0.285) == 29
    assert to_ore(1.005) == 101
    assert to_ore(-0.005) == -1
    assert to_ore(12_345_678.9) == 1_234_567_890


@pytest.mark.parametrize(("weights", "message"), [
    ([0, 0, 0], "Alla fördelningsnycklar är noll"),
    ([1, -1], "nr 2 är negativ"),
    ([1, float("nan")], "nr 2 saknar"),
    ([], "inga mottagare"),
])
def test_distribute_ore_errors(weights, message):
    with pytest.raises(InputError, match=message):
        distribute_ore(10.0, weights)


amounts = st.integers(-10**11, 10**11).map(lambda o: o / 100) | st.floats(-1e9, 1e9)
weight_lists = st.lists(
    st.one_of(st.just(0.0), st.integers(0, 10**6).map(float), st.floats(0, 1e6)),
    min_size=1, max_size=40,
).filter(lambda w: any(x > 0 for x in w))


@settings(max_examples=150, deadline=None)
@given(amount=amounts, weights=weight_lists)
def test_distribute_ore_properties(amount, weights):
    parts = distribute_ore(amount, weights)
    ore = [round(p * 100) for p in parts]
    assert all(p == o / 100 for p, o in zip(parts, ore, strict=True))  # whole öre
    total = int(Decimal(repr(amount)).scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert sum(ore) == total
    wsum = sum(Fraction(w) for w in weights)
    for o, w in zip(ore, weights, strict=True):
        exact = Fraction(total) * Fraction(w) / wsum
        assert abs(o - exact) < 1
        if w == 0:
            assert o == 0


@settings(max_examples=100, deadline=None)
@given(amount=amounts, weights=weight_lists, factor=st.sampled_from([2.0, 0.5, 0.25, 1024.0]))
def test_distribute_ore_scale_invariant(amount, weights, factor):
    assume(all(w * factor < 1e300 for w in weights))
    base = distribute_ore(amount, weights)
    scaled = distribute_ore(amount, [w * factor for w in weights])
    np.testing.assert_array_equal(base, scaled)


# ---------------------------------------------------------------------------------------------
# The allocation step by step (Fördelning: pool → receiver with key quantity and share)
# ---------------------------------------------------------------------------------------------

def test_flows_by_hand_reciprocal():
    # The IT/HR case above: x_IT = 114 285.71…, x_HR = 71 428.57…; IT gives 10 % of its total to
    # HR and 60/30 % to A/B, HR gives 20 % to IT and 50/30 % to A/B.
    costs, usage = it_hr_case()
    flows, totals = allocation_flows(costs, usage, "reciprocal")
    x_it, x_hr = 112_000 / 0.98, 60_000 + 0.1 * 112_000 / 0.98
    assert totals["IT"] == pytest.approx(x_it, abs=1e-6)
    assert totals["HR"] == pytest.approx(x_hr, abs=1e-6)
    got = {(r.pool_id, r.receiver): r.amount_kr for r in flows.itertuples()}
    assert got[("IT", "HR")] == pytest.approx(0.1 * x_it, abs=1e-6)
    assert got[("HR", "IT")] == pytest.approx(0.2 * x_hr, abs=1e-6)
    assert got[("IT", "A")] == pytest.approx(0.6 * x_it, abs=1e-6)


def test_flows_by_hand_step_down():
    # IT first: 10 000 to HR, 60 000 to A, 30 000 to B; HR then shares 70 000 by 50:30.
    costs, usage = it_hr_case()
    flows, totals = allocation_flows(costs, usage, "step-down")
    got = {(r.pool_id, r.receiver): (r.key_quantity, r.share, r.amount_kr)
           for r in flows.itertuples()}
    assert totals["HR"] == pytest.approx(70_000)
    assert got[("IT", "HR")][2] == pytest.approx(10_000)
    assert ("HR", "IT") not in got  # an earlier pool receives nothing in step-down
    assert got[("HR", "A")][1] == pytest.approx(50 / 80)
    assert got[("HR", "A")][2] == pytest.approx(70_000 * 50 / 80)


@settings(max_examples=120, deadline=None)
@given(case=cases(), method=st.sampled_from(METHODS))
def test_flows_follow_the_same_money_as_the_origin_matrix(case, method):
    """Two bookkeepings of one allocation: followed step by step, what reaches each service
    equals the column sum of the origin matrix; each pool shares out exactly what it holds
    (its own cost + what it receives), and the shares of a pool sum to 1."""
    costs, usage = case
    try:
        origin = allocate(costs, usage, method)
    except InputError:
        assume(False)
    flows, totals = allocation_flows(costs, usage, method)
    to_services = flows[~flows["to_pool"]].groupby("receiver")["amount_kr"].sum()
    np.testing.assert_allclose(to_services.reindex(origin.columns).fillna(0.0),
                               origin.sum(axis=0), rtol=1e-7, atol=1e-4)
    received = flows[flows["to_pool"]].groupby("receiver")["amount_kr"].sum()
    held = costs + received.reindex(costs.index).fillna(0.0)
    np.testing.assert_allclose(totals, held, rtol=1e-9, atol=1e-4)
    passed = flows.groupby("pool_id")["amount_kr"].sum().reindex(costs.index).fillna(0.0)
    np.testing.assert_allclose(passed, totals.where(passed > 0, 0.0), rtol=1e-9, atol=1e-4)
    shares = flows.groupby("pool_id")["share"].sum()
    np.testing.assert_allclose(shares, 1.0, rtol=1e-12)
    if method == "direct":
        assert not flows["to_pool"].any()


def test_distribute_ore_groups_equals_one_split_per_group():
    """The grouped split (issue 15) gives exactly the parts, and the errors, of one
    distribute_ore per group: integer, fractional, zero, negative weights, NaN amounts."""
    from xlkc.allocation import distribute_ore_groups

    rng = np.random.default_rng(15)
    for _ in range(400):
        sizes = rng.integers(1, 7, rng.integers(1, 6))
        kind = rng.integers(0, 5)
        ws = [rng.integers(0, 5, s).astype(float) if kind == 0 else
              rng.random(s) * 10 if kind == 1 else
              rng.integers(0, 10**6, s).astype(float) if kind == 2 else
              np.ones(s) if kind == 3 else rng.integers(-1, 3, s).astype(float)
              for s in sizes]
        amounts = [float(rng.choice([rng.normal(0, 1e5), rng.integers(-10**6, 10**6) / 100,
                                     0.0, np.nan])) for _ in sizes]
        starts = np.r_[0, np.cumsum(sizes)[:-1]]
        try:
            expected = np.concatenate([distribute_ore(a, w) if np.isfinite(a)
                                       else np.full(w.size, np.nan)
                                       for a, w in zip(amounts, ws, strict=True)])
        except InputError as exc:
            with pytest.raises(InputError, match=re.escape(str(exc))):
                distribute_ore_groups(amounts, np.concatenate(ws), starts)
            continue
        got = distribute_ore_groups(amounts, np.concatenate(ws), starts)
        assert got.tobytes() == expected.tobytes()
