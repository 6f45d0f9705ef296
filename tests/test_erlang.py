"""Tests of xlkc.staffing.erlang and erlang_a against published values, mpmath, pyworkforce and
simulation."""

from __future__ import annotations

import heapq
import math
import random
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlkc.errors import InputError
from xlkc.staffing.erlang import (
    agents_needed,
    asa,
    erlang_b,
    erlang_c,
    occupancy,
    service_level,
)
from xlkc.staffing.erlang_a import ErlangAResult, agents_needed_erlang_a, erlang_a

# --------------------------------------------------------------------------- SPEC §3 references


def test_reference_c_and_b_132_123():
    assert round(erlang_c(132, 123), 4) == 0.3211
    assert round(erlang_b(132, 123), 4) == 0.0312


def test_reference_large_n():
    assert round(erlang_c(12421, 12345), 4) == 0.3812


def test_reference_n130():
    a = 123.0
    assert round(erlang_c(130, a), 4) == 0.4244
    assert round(service_level(130, a, 300, 20), 4) == 0.7339
    assert round(asa(130, a, 300), 2) == 18.19


def test_reference_1000_calls_per_hour():
    a = 1000 / 3600 * 120
    n = agents_needed(a, 120, 0.8, 20, max_occupancy=0.85)
    assert n == 40
    assert round(service_level(n, a, 120, 20), 2) == 0.94
    assert round(asa(n, a, 120), 1) == 3.4
    assert round(occupancy(n, a), 2) == 0.83
    assert math.ceil(n / (1 - 0.30)) == 58


def test_reference_1000_calls_per_hour_n35():
    a = 1000 / 3600 * 120
    assert round(erlang_c(35, a), 2) == 0.70
    assert round(service_level(35, a, 120, 20), 2) == 0.47
    assert round(asa(35, a, 120), 2) == 50.15


def test_reference_100_calls_per_30_min():
    a = 100 / 1800 * 180
    n = agents_needed(a, 180, 0.80, 20, max_occupancy=0.85)
    assert n == 14
    assert round(service_level(n, a, 180, 20), 3) == 0.888
    assert round(occupancy(n, a), 3) == 0.714
    assert round(erlang_c(n, a), 3) == 0.174
    n = agents_needed(a, 180, 0.80, 20, max_occupancy=0.70)
    assert n == 15
    assert round(service_level(n, a, 180, 20), 3) == 0.941
    assert round(erlang_c(n, a), 3) == 0.102


# --------------------------------------------------------------------------- mpmath references


def _mp_erlang_b(n: int, a: float) -> mpmath.mpf:
    """Direct high-precision sum B = (a^n/n!) / Σ_{k<=n} a^k/k!."""
    with mpmath.workdps(60):
        a = mpmath.mpf(a)
        terms = [mpmath.power(a, k) / mpmath.factorial(k) for k in range(n + 1)]
        return terms[-1] / mpmath.fsum(terms)


def _mp_erlang_b_poisson(n: int, a: float) -> mpmath.mpf:
    """B = pmf(n; a) / cdf(n; a) of the Poisson law, via mpmath's incomplete gamma."""
    with mpmath.workdps(40):
        a = mpmath.mpf(a)
        log_pmf = n * mpmath.log(a) - a - mpmath.loggamma(n + 1)
        cdf = mpmath.gammainc(n + 1, a, mpmath.inf, regularized=True)
        return mpmath.exp(log_pmf) / cdf


@pytest.mark.parametrize("a", [0.01, 0.7, 3.0, 9.99, 25.5, 60.0, 140.0])
def test_erlang_b_and_c_match_mpmath_small_n(a):
    ns = np.arange(0, 120)
    got_b = erlang_b(ns, a)
    got_c = erlang_c(ns, a)
    for n in ns:
        ref_b = _mp_erlang_b(int(n), a)
        assert got_b[n] == pytest.approx(float(ref_b), rel=1e-11, abs=1e-300)
        if n > a:
            ref_c = n * ref_b / (n - a * (1 - ref_b))
            assert got_c[n] == pytest.approx(float(ref_c), rel=1e-11, abs=1e-300)
        else:
            assert got_c[n] == 1.0


@pytest.mark.parametrize(
    ("n", "a"),
    [(1000, 950.5), (1000, 1200.0), (5000, 4900.0), (20000, 20000.0), (50000, 49800.0),
     (50000, 50500.0), (200, 2000.0)],
)
def test_erlang_b_large_matches_mpmath_poisson(n, a):
    """Large n exercises the truncated start of the recursion."""
    assert erlang_b(n, a) == pytest.approx(float(_mp_erlang_b_poisson(n, a)), rel=1e-9)


def test_large_n_no_warnings_and_arrays():
    ns = np.array([1, 10, 1000, 20000, 49999, 50000, 50001, 60000, 80000])
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        b = erlang_b(ns, 50000.0)
        c = erlang_c(ns, 50000.0)
        sl = service_level(ns, 50000.0, 300.0, 20.0)
        w = asa(ns, 50000.0, 300.0)
        n_req = agents_needed(np.array([0.0, 1e-9, 0.5, 49999.5, 50000.0]), 300.0, 0.8, 20.0, 0.85)
        n_sl = agents_needed(50000.0, 300.0, 0.999, 60.0, asa_target_s=1.0)
    assert np.all(np.isfinite(b)) and np.all((b >= 0) & (b <= 1))
    assert np.all(c[ns <= 50000] == 1.0) and 0 < c[6] < 1 and c[-1] < 1e-300
    assert np.all(sl[ns <= 50000] == 0.0) and sl[-1] == 1.0
    assert np.all(np.isinf(w[ns <= 50000])) and w[6] > 0
    assert n_req[0] == 0 and n_req[1] == 1 and n_req[4] == math.ceil(50000 / 0.85)
    assert n_sl > 50000 and service_level(n_sl, 50000.0, 300.0, 60.0) >= 0.999


def test_scalar_and_broadcast_shapes():
    assert isinstance(erlang_c(10, 5.0), float)
    assert isinstance(agents_needed(5.0, 180, 0.8, 20), int)
    out = erlang_c(np.arange(5, 8)[:, None], np.array([1.0, 2.0]))
    assert out.shape == (3, 2)
    assert out[1, 1] == erlang_c(6, 2.0)
    n = agents_needed(np.array([[1.0, 2.0, 3.0]]), np.array([[100.0], [400.0]]), 0.8, 20)
    assert n.shape == (2, 3) and n.dtype == np.int64
    assert n[1, 2] == agents_needed(3.0, 400.0, 0.8, 20)


def test_occupancy_edge_values():
    assert occupancy(40, 34.0) == pytest.approx(0.85)
    assert occupancy(0, 0.0) == 0.0
    assert occupancy(0, 1.0) == math.inf


# --------------------------------------------------------------------------- properties

loads = st.floats(min_value=0.0, max_value=400.0, allow_nan=False)
agents = st.integers(min_value=0, max_value=600)


@settings(max_examples=150, deadline=None)
@given(n=agents, a=loads)
def test_c_bounds_and_c_ge_b(n, a):
    b, c = erlang_b(n, a), erlang_c(n, a)
    assert 0.0 <= b <= 1.0
    assert 0.0 <= c <= 1.0
    assert c >= b * (1 - 1e-12)


@settings(max_examples=100, deadline=None)
@given(a=st.floats(min_value=0.01, max_value=300.0), aht=st.floats(10, 1000),
       t=st.floats(0, 300))
def test_monotone_in_n(a, aht, t):
    ns = np.arange(0, int(a) + 80)
    b, c = erlang_b(ns, a), erlang_c(ns, a)
    sl = service_level(ns, a, aht, t)
    assert np.all(np.diff(b) <= 0)
    assert np.all(np.diff(c) <= 1e-15)
    assert np.all(np.diff(sl) >= -1e-15)


@settings(max_examples=200, deadline=None)
@given(
    a=st.floats(min_value=0.0, max_value=500.0),
    aht=st.floats(min_value=5.0, max_value=1200.0),
    sl=st.floats(min_value=0.01, max_value=0.995),
    t=st.floats(min_value=0.0, max_value=180.0),
    occ=st.floats(min_value=0.3, max_value=1.0),
    asa_t=st.one_of(st.none(), st.floats(min_value=0.5, max_value=300.0)),
)
def test_agents_needed_is_smallest_meeting_all_targets(a, aht, sl, t, occ, asa_t):
    n = agents_needed(a, aht, sl, t, max_occupancy=occ, asa_target_s=asa_t)
    if a == 0:
        assert n == 0
        return

    def meets(k: int) -> bool:
        ok = k > a and service_level(k, a, aht, t) >= sl and occupancy(k, a) <= occ
        return ok and (asa_t is None or asa(k, a, aht) <= asa_t)

    assert meets(n)
    assert not meets(n - 1)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=80.0), min_size=1, max_size=60),
       st.floats(min_value=60.0, max_value=900.0))
def test_agents_needed_vector_equals_scalar(loads_, aht):
    arr = np.array(loads_)
    got = agents_needed(arr, aht, 0.8, 30, max_occupancy=0.85, asa_target_s=25.0)
    want = [agents_needed(x, aht, 0.8, 30, max_occupancy=0.85, asa_target_s=25.0) for x in loads_]
    assert got.tolist() == want


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"sl_target": 1.2}, "Servicenivåmålet"),
        ({"sl_target": 0.0}, "Servicenivåmålet"),
        ({"max_occupancy": 0.0}, "Maximal beläggning"),
        ({"max_occupancy": 1.5}, "Maximal beläggning"),
        ({"aht_s": 0.0}, "Hanteringstiden"),
        ({"aht_s": float("nan")}, "Hanteringstiden"),
        ({"t_s": -1.0}, "Svarstidsmålet"),
        ({"a": -0.5}, "Trafikintensiteten"),
        ({"a": float("inf")}, "Trafikintensiteten"),
        ({"a": np.array([1.0, np.nan])}, "Trafikintensiteten"),
        ({"asa_target_s": 0.0}, "ASA"),
        ({"a": "många"}, "Trafikintensiteten"),
    ],
)
def test_agents_needed_rejects_bad_input_in_swedish(kwargs, words):
    args = {"a": 10.0, "aht_s": 180.0, "sl_target": 0.8, "t_s": 20.0} | kwargs
    with pytest.raises(InputError, match=words):
        agents_needed(**args)


def test_bad_agent_count_rejected():
    with pytest.raises(InputError, match="heltal"):
        erlang_c(2.5, 1.0)
    with pytest.raises(InputError, match="heltal"):
        erlang_b(-1, 1.0)
    assert issubclass(InputError, ValueError)


# --------------------------------------------------------------------------- pyworkforce


def test_agents_needed_agrees_with_pyworkforce():
    queuing = pytest.importorskip("pyworkforce.queuing")
    rng = np.random.default_rng(7)
    cases = []
    for _ in range(300):
        transactions = float(rng.uniform(1, 900))
        aht_min = float(rng.uniform(2, 10))
        interval = int(rng.choice([15, 30, 60]))
        answer_min = float(rng.choice([1 / 3, 0.5, 1.0]))
        sl = float(rng.choice([0.7, 0.8, 0.9]))
        occ = float(rng.choice([0.7, 0.85, 1.0]))
        cases.append((transactions, aht_min, interval, answer_min, sl, occ))
    for transactions, aht_min, interval, answer_min, sl, occ in cases:
        erl = queuing.ErlangC(transactions=transactions, aht=aht_min, asa=answer_min,
                              interval=interval)
        want = erl.required_positions(service_level=sl, max_occupancy=occ)["raw_positions"]
        a = (transactions / interval) * aht_min  # pyworkforce's intensity, same arithmetic
        got = agents_needed(a, aht_min * 60, sl, answer_min * 60, max_occupancy=occ)
        assert got == want, (transactions, aht_min, interval, answer_min, sl, occ)
    # The same cases, solved as one vector.
    a = np.array([(c[0] / c[2]) * c[1] for c in cases])
    got = agents_needed(a, np.array([c[1] * 60 for c in cases]), np.array([c[4] for c in cases]),
                        np.array([c[3] * 60 for c in cases]), np.array([c[5] for c in cases]))
    assert got.tolist() == [agents_needed(x, c[1] * 60, c[4], c[3] * 60, c[5])
                            for x, c in zip(a, cases, strict=True)]


# --------------------------------------------------------------------------- Erlang A


def test_erlang_a_converges_to_erlang_c():
    a, aht, t = 123.0, 300.0, 20.0
    r = erlang_a(130, a / aht, aht, 1e10, t)
    assert isinstance(r, ErlangAResult)
    assert r.p_wait == pytest.approx(erlang_c(130, a), rel=1e-5)
    assert r.asa_s == pytest.approx(asa(130, a, aht), rel=1e-5)
    assert r.service_level == pytest.approx(service_level(130, a, aht, t), rel=1e-5)
    assert r.occupancy == pytest.approx(a / 130, rel=1e-5)
    assert r.p_abandon < 1e-6
    # Shorter patience: fewer wait, fewer wait long.
    r2 = erlang_a(130, a / aht, aht, 120.0, t)
    assert r2.p_wait < r.p_wait and r2.asa_s < r.asa_s and 0 < r2.p_abandon < 1


def test_erlang_a_overloaded_and_impatient():
    # Twice the load the agents can carry, customers give up after 5 s on average (agents free
    # up once a minute): the queue stays short, the system acts almost as a loss system, and a
    # waiting customer abandons with probability about θ/(θ + nμ) = 12/13.
    r = erlang_a(5, 10 / 300, 300, 5.0, 20)
    assert r.p_wait == pytest.approx(erlang_b(5, 10.0), abs=0.06)
    assert r.p_abandon == pytest.approx(r.p_wait * 12 / 13, rel=0.02)
    assert 0 <= r.service_level <= 1 - r.p_abandon + 1e-12
    assert r.occupancy == pytest.approx(10 * (1 - r.p_abandon) / 5)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 40), a=st.floats(0.01, 60.0), aht=st.floats(30, 600),
       patience=st.floats(1.0, 3000.0), t=st.floats(0, 120))
def test_erlang_a_ranges(n, a, aht, patience, t):
    r = erlang_a(n, a / aht, aht, patience, t)
    for v in (r.p_wait, r.p_abandon, r.occupancy, r.service_level):
        assert -1e-12 <= v <= 1 + 1e-12
    assert r.asa_s >= 0
    assert r.service_level <= 1 - r.p_abandon + 1e-9
    assert r.service_level >= 1 - r.p_wait - 1e-9  # who does not wait is answered at once


def _simulate_erlang_a(n, lam, aht, patience, t, customers, seed):
    """FCFS M/M/n+M by the offered-wait recursion (abandoners take no server)."""
    rng = random.Random(seed)
    free = [0.0] * n  # heap of times the servers become free
    clock = 0.0
    waited = abandoned = answered_in_t = total_wait = 0
    for _ in range(customers):
        clock += rng.expovariate(lam)
        patience_i = rng.expovariate(1 / patience)
        start = max(free[0], clock)
        offered = start - clock
        waited += offered > 0
        if offered > patience_i:
            abandoned += 1
            total_wait += patience_i
            continue
        total_wait += offered
        answered_in_t += offered <= t
        heapq.heapreplace(free, start + rng.expovariate(1 / aht))
    k = customers
    return waited / k, abandoned / k, total_wait / k, answered_in_t / k


def test_erlang_a_against_simulation():
    n, aht, patience, t = 4, 60.0, 90.0, 20.0
    lam = 0.95 * n / aht
    r = erlang_a(n, lam, aht, patience, t)
    p_wait, p_ab, mean_wait, sl = _simulate_erlang_a(n, lam, aht, patience, t, 300_000, 1)
    assert r.p_wait == pytest.approx(p_wait, abs=0.01)
    assert r.p_abandon == pytest.approx(p_ab, abs=0.006)
    assert r.asa_s == pytest.approx(mean_wait, rel=0.04)
    assert r.service_level == pytest.approx(sl, abs=0.01)


def test_agents_needed_erlang_a():
    lam, aht, patience, t = 200 / 3600, 240.0, 60.0, 20.0
    n = agents_needed_erlang_a(lam, aht, patience, 0.8, t, max_occupancy=0.85, asa_target_s=15)

    def meets(k):
        r = erlang_a(k, lam, aht, patience, t)
        return r.service_level >= 0.8 and r.occupancy <= 0.85 and r.asa_s <= 15

    assert meets(n) and not meets(n - 1)
    # Nearly infinite patience: the same answer as Erlang C.
    a = lam * aht
    assert agents_needed_erlang_a(lam, aht, 1e10, 0.8, t, 0.85) == agents_needed(
        a, aht, 0.8, t, 0.85)
    assert agents_needed_erlang_a(0.0, aht, patience, 0.8, t) == 0
    with pytest.raises(InputError, match="tålamod"):
        erlang_a(3, lam, aht, 0.0, t)


# --------------------------------------------------------------------------- Erlang A, exact


def _erlang_a_mp(n, lam, aht, patience, t, dps=40):
    """Exact M/M/n+M figures at high precision, by summing, not by the closed form: the
    birth-death chain π_k summed until its tail is below 10^-dps, and the service level term by
    term over the queue length j an arrival finds (answered with probability s/(s+j+1), then
    within t with the regularised incomplete beta I_p(j+1, s+1), p = 1 − e^(−t/patience))."""
    with mpmath.workdps(dps):
        lam, mu = mpmath.mpf(lam), 1 / mpmath.mpf(aht)
        th, t = 1 / mpmath.mpf(patience), mpmath.mpf(t)
        terms = [mpmath.mpf(1)]
        k = 0
        while True:
            k += 1
            rate = min(k, n) * mu + max(k - n, 0) * th
            terms.append(terms[-1] * lam / rate)
            if k > n and lam < rate and terms[-1] < mpmath.mpf(10) ** (-dps) * max(terms):
                break
        z = mpmath.fsum(terms)
        pi = [x / z for x in terms]
        queued = pi[n:]
        lq = mpmath.fsum(j * q for j, q in enumerate(queued))
        s = n * mu / th
        p = 1 - mpmath.exp(-th * t)
        sl = mpmath.fsum(pi[:n]) + mpmath.fsum(
            q * s / (s + j + 1) * mpmath.betainc(j + 1, s + 1, 0, p, regularized=True)
            for j, q in enumerate(queued))
        p_ab = th * lq / lam
        return tuple(float(x) for x in (mpmath.fsum(queued), p_ab, lq / lam,
                                        lam * (1 - p_ab) / (n * mu), sl))


def _answered_within_uniformised(n, lam, aht, patience, t):
    """The service level by another route: the stationary chain (floats, truncated where the
    tail is negligible) and, for each queue position, the tagged customer's absorbing chain
    solved by uniformisation (the pre-vectorisation implementation, kept as a reference)."""
    mu, th = 1 / aht, 1 / patience
    pi = [1.0]
    k = 0
    while True:
        k += 1
        rate = min(k, n) * mu + max(k - n, 0) * th
        pi.append(pi[-1] * lam / rate)
        if k > n and lam < rate and pi[-1] < 1e-18 * max(pi):
            break
    z = sum(pi)
    pi = [x / z for x in pi]
    q = len(pi) - n
    p = np.arange(q, dtype=np.float64)
    move = n * mu + p * th
    lam_u = float(n * mu + q * th)
    x = lam_u * t
    stay, prob_move = 1.0 - (move + th) / lam_u, move / lam_u
    v = np.zeros(q)
    acc = np.zeros(q)
    if x == 0:
        return sum(pi[:n])
    logw = -x
    for m in range(1, int(x + 12.0 * math.sqrt(x) + 40.0) + 1):
        shifted = np.concatenate([[1.0], v[:-1]])
        v = prob_move * shifted + stay * v
        logw += math.log(x) - math.log(m)
        if logw > -745.0:
            acc += math.exp(logw) * v
    return sum(pi[:n]) + float(np.dot(pi[n:], acc))


ERLANG_A_CASES = [  # n, a (Erlang), AHT s, patience s, answer time s
    (130, 123.0, 300.0, 120.0, 20.0),  # the SPEC's load with a realistic patience
    (5, 10.0, 300.0, 5.0, 20.0),  # overloaded, very impatient
    (4, 3.8, 60.0, 90.0, 20.0),
    (1, 0.5, 200.0, 30.0, 0.0),  # answer time 0: only who does not wait
    (50, 60.0, 300.0, 120.0, 30.0),  # fewer agents than the load
    (20, 5.0, 100.0, 1000.0, 60.0),  # lightly loaded: almost no one waits
    (300, 290.0, 300.0, 120.0, 20.0),
    (2, 6.0, 600.0, 1.0, 60.0),
    (3, 0.01, 300.0, 0.5, 20.0),
    (300, 290.0, 300.0, 3600.0, 20.0),  # patient: near Erlang C
    (1000, 990.0, 200.0, 600.0, 20.0),
]


@pytest.mark.parametrize("case", ERLANG_A_CASES, ids=[str(c) for c in ERLANG_A_CASES])
@pytest.mark.filterwarnings("error")
def test_erlang_a_equals_the_exact_chain(case):
    n, a, aht, patience, t = case
    got = erlang_a(n, a / aht, aht, patience, t)
    want = _erlang_a_mp(n, a / aht, aht, patience, t)
    for name, g, w in zip(("p_wait", "p_abandon", "asa_s", "occupancy", "service_level"),
                          (got.p_wait, got.p_abandon, got.asa_s, got.occupancy,
                           got.service_level), want, strict=True):
        assert g == pytest.approx(w, rel=1e-11, abs=1e-300), name


@pytest.mark.parametrize("case", ERLANG_A_CASES[:9], ids=[str(c) for c in ERLANG_A_CASES[:9]])
@pytest.mark.filterwarnings("error")
def test_erlang_a_service_level_by_uniformisation(case):
    n, a, aht, patience, t = case
    got = erlang_a(n, a / aht, aht, patience, t).service_level
    assert got == pytest.approx(_answered_within_uniformised(n, a / aht, aht, patience, t),
                                rel=1e-9)


@pytest.mark.filterwarnings("error")
def test_erlang_a_vectorised_equals_scalar():
    rng = np.random.default_rng(7)
    n = rng.integers(0, 200, 300).astype(float)
    aht = rng.uniform(20, 900, 300)
    lam = rng.uniform(0, 1.2, 300) * n / aht
    lam[:5] = 0.0
    patience = rng.uniform(1, 3600, 300)
    t = rng.uniform(0, 300, 300)
    vec = erlang_a(n, lam, aht, patience, t)
    assert isinstance(vec.service_level, np.ndarray) and vec.service_level.shape == (300,)
    for i in range(0, 300, 7):
        one = erlang_a(int(n[i]), lam[i], aht[i], patience[i], t[i])
        assert isinstance(one.service_level, float)
        for f in ("p_wait", "p_abandon", "asa_s", "occupancy", "service_level"):
            assert getattr(vec, f)[i] == getattr(one, f), (i, f)


@pytest.mark.filterwarnings("error")
@settings(max_examples=30, deadline=None)
@given(lam=st.lists(st.floats(0.0, 5.0), min_size=1, max_size=20),
       aht=st.floats(10, 1200), patience=st.floats(1.0, 3600.0), sl=st.floats(0.05, 0.99),
       t=st.floats(0, 300), occ=st.floats(0.3, 1.0))
def test_agents_needed_erlang_a_is_the_smallest_n_meeting_the_targets(lam, aht, patience, sl,
                                                                       t, occ):
    lam = np.array(lam)
    n = agents_needed_erlang_a(lam, aht, patience, sl, t, occ, 30.0)
    assert n.dtype == np.int64 and n.shape == lam.shape

    def meets(k, x):
        r = erlang_a(k, x, aht, patience, t)
        return r.service_level >= sl and r.occupancy <= occ and r.asa_s <= 30.0

    for k, x in zip(n.tolist(), lam.tolist(), strict=True):
        if x == 0:
            assert k == 0
            continue
        assert meets(k, x) and not meets(k - 1, x)
        assert agents_needed_erlang_a(x, aht, patience, sl, t, occ, 30.0) == k


@pytest.mark.parametrize("n, lam, aht, patience, t", [
    (3, 1.0, 300.0, 0.001, 20.0),  # patience 1 ms: everyone who waits leaves at once
    (10, 1e-9, 300.0, 1e7, 20.0),  # a trickle, saints' patience
    (400_000, 1000.0, 400.0, 120.0, 20.0),  # 400 000 Erlang
    (1, 1e6, 1.0, 86400.0, 20.0),  # hopelessly overloaded, patient
    (130, 123 / 300, 300.0, 1e10, 20.0),  # patience beyond any bound
])
def test_erlang_a_extreme_inputs_are_finite_and_silent(n, lam, aht, patience, t):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = erlang_a(n, lam, aht, patience, t)
        k = agents_needed_erlang_a(lam, aht, patience, 0.8, t, 0.85)
    for v in (r.p_wait, r.p_abandon, r.occupancy, r.service_level, r.asa_s):
        assert math.isfinite(v) and v >= 0
    assert 0 <= r.service_level <= 1 and 0 <= r.p_abandon <= 1
    assert k >= 1


@pytest.mark.filterwarnings("error")
def test_erlang_b_far_above_the_load_in_fixed_work():
    """n − a > 2000 (a low occupancy cap on a large load): incomplete gamma, not n − a steps."""
    n = np.array([3000.0, 20_000.0, 1_000_000.0, 5000.0])
    a = np.array([500.0, 15_000.0, 100_000.0, 2999.0])
    got = erlang_b(n, a)
    with mpmath.workdps(30):
        for g, nn, aa in zip(got, n, a, strict=True):
            # B = Poisson pmf / Poisson cdf, by mpmath's incomplete gamma
            want = mpmath.exp(nn * mpmath.log(aa) - aa - mpmath.loggamma(nn + 1)) / \
                mpmath.gammainc(nn + 1, aa, mpmath.inf, regularized=True)
            assert g == pytest.approx(float(want), rel=1e-11)
    # 10 % occupancy on 100 000 Erlang: a million agents, found without a million steps
    assert agents_needed(1e5, 300.0, 0.8, 20.0, 0.1) == 1_000_000
