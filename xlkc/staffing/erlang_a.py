"""Erlang A (M/M/n+M): a queue whose callers abandon after an exponential patience
(SPEC §3): :func:`erlang_a` (probability of waiting, abandonment, ASA, occupancy, service level)
and :func:`agents_needed_erlang_a`.

Vectorised with numpy broadcasting over the arguments like Erlang B/C
(:mod:`xlkc.staffing.erlang`) and in closed form (regularised incomplete gamma and the
confluent hypergeometric 1F1 of scipy.special, imported on first use): fixed work per element
whatever the patience or the load, see ``_erlang_a_flat``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from xlkc.errors import InputError
from xlkc.staffing.erlang_arguments import (
    _agents,
    _aht,
    _answer_time,
    _asa_target,
    _occ_cap,
    _ranged,
    _result,
    _sl_target,
)
from xlkc.staffing.erlang_b import _erlang_b_gamma, _log_g

__all__ = ["ErlangAResult", "agents_needed_erlang_a", "erlang_a"]


# --------------------------------------------------------------------------- Erlang A


@dataclass(frozen=True)
class ErlangAResult:
    """Steady-state figures of the M/M/n+M (Erlang A) queue.

    p_wait: probability an arrival finds all agents busy; p_abandon: share of arrivals who
    abandon; asa_s: mean time in queue over all arrivals (s); occupancy: agents' busy share;
    service_level: share of arrivals answered within t (abandoners count as not answered).
    Floats for scalar arguments, numpy arrays of the broadcast shape otherwise.
    """

    p_wait: Any
    p_abandon: Any
    asa_s: Any
    occupancy: Any
    service_level: Any


def _arrival_rate(lam: Any) -> np.ndarray:
    return _ranged(lam, "Ankomstintensiteten", 0.0, True, np.inf, False,
                   "Ankomstintensiteten (samtal per sekund) måste vara ett ändligt tal ≥ 0, "
                   "fick {}")


def _patience(patience_s: Any) -> np.ndarray:
    return _ranged(patience_s, "Tålamodet", 0.0, False, np.inf, False,
                   "Genomsnittligt tålamod måste vara ett ändligt tal större än 0 sekunder, "
                   "fick {}")


def _erlang_a_flat(n: np.ndarray, lam: np.ndarray, aht: np.ndarray, patience: np.ndarray,
                   t: np.ndarray) -> tuple[np.ndarray, ...]:
    """(p_wait, p_abandon, asa_s, occupancy, service_level) for 1-D arrays of one length
    (n >= 1, λ > 0).

    Closed form, fixed work per element (no sum over queue lengths). With μ = 1/AHT,
    θ = 1/patience, a = λ/μ, r = λ/θ, s = nμ/θ and the stationary distribution π_k of the
    birth-death chain (birth λ, death min(k, n)·μ + (k − n)⁺·θ):

    - π_{n+j} = π_n · t_j with t_j = r^j·Γ(s+1)/Γ(s+1+j), so J = Σ_j t_j = 1F1(1; s+1; r)
      = G·P(s, r) and J − 1 = (r/(s+1))·1F1(1; s+2; r) = G·P(s+1, r), where P is the
      regularised lower incomplete gamma function and G = e^r·r^(−s)·Γ(s+1);
    - Σ_{k<n} π_k = π_n·(1/B − 1) with B = Erlang B(n, a), so π_n = B/D, D = 1 − B + B·J;
    - P(wait) = B·J/D;
    - E[queue] = π_n·Σ_j j·t_j = π_n·(r + (r − s)·(J − 1)) (from (s + j)·t_j = r·t_{j−1});
      P(abandon) = θ·E[queue]/λ = E[queue]/r; ASA = E[queue]/λ; occupancy = a·(1 − P(abandon))/n;
    - an arrival with j customers ahead is answered with probability s/(s+j+1) and, given
      that, within t with probability I_p(j+1, s+1) (p = 1 − e^(−θt), regularised incomplete
      beta: the tilted offered wait is the (j+1)-th of s+j+1 exponential(θ) order statistics).
      Summed over j: SL = [1 − B + B·(s/r)·G·(P(s+1, r) − P(s+1, r·e^(−θt)))]/D.

    Evaluation: where r < s, J stays below (s+1)/(s+1−r) and is taken from 1F1 (the incomplete
    gamma values would underflow while G overflows), with G·P(s+1, y) =
    e^(r−y)·(y/r)^s·(y/(s+1))·1F1(1; s+2; y). Where r >= s, P(s, r) is near 1 or above ½ and the
    incomplete gamma functions are used, B·G carried as its logarithm L, and numerators and D
    scaled by e^(−max(L, 0)) so that nothing overflows.
    """
    a = lam * aht
    s = n * patience / aht
    r = lam * patience
    b = _erlang_b_gamma(n, a)
    below = r < s
    # Each regime yields (D, P(wait)·D, P(abandon)·D, SL·D) on a common scale.
    d = np.empty(n.size)
    wait, ab, ans = np.empty(n.size), np.empty(n.size), np.empty(n.size)
    if below.any():
        k = below
        d[k], wait[k], ab[k], ans[k] = _erlang_a_below(b[k], s[k], r[k], t[k] / patience[k])
    if not below.all():
        k = ~below
        d[k], wait[k], ab[k], ans[k] = _erlang_a_above(b[k], s[k], r[k], t[k] / patience[k])
    p_wait = np.clip(wait / d, 0.0, 1.0)
    p_ab = np.clip(ab / d, 0.0, 1.0)
    sl = np.clip(ans / d, 0.0, 1.0)
    return p_wait, p_ab, p_ab * patience, a * (1.0 - p_ab) / n, sl


def _erlang_a_below(b: np.ndarray, s: np.ndarray, r: np.ndarray, theta_t: np.ndarray
                    ) -> tuple[np.ndarray, ...]:
    """r < s: (D, B·J, B·(1 + (1 − s/r)(J − 1)), 1 − B + B·(s/r)·G·ΔP), all by 1F1."""
    from scipy.special import hyp1f1

    f_r = hyp1f1(1.0, s + 2.0, r)
    j_minus_1 = r / (s + 1.0) * f_r
    y = r * np.exp(-theta_t)
    # (s/r)·G·P(s+1, y) = (s/(s+1))·e^(r−y−sθt)·(y/r)·1F1(1; s+2; y), exponent <= 0
    g_y = s / (s + 1.0) * np.exp(r - y - s * theta_t) * np.exp(-theta_t) * hyp1f1(1.0, s + 2.0, y)
    answered = s / (s + 1.0) * f_r - g_y  # (s/r)·G·ΔP
    d = 1.0 - b + b * (1.0 + j_minus_1)
    return (d, b * (1.0 + j_minus_1), b * (1.0 + (r - s) / (s + 1.0) * f_r),
            1.0 - b + b * np.maximum(answered, 0.0))


def _erlang_a_above(b: np.ndarray, s: np.ndarray, r: np.ndarray, theta_t: np.ndarray
                    ) -> tuple[np.ndarray, ...]:
    """r >= s: the same four figures by the incomplete gamma function, scaled."""
    from scipy.special import gammainc, gammaincc

    with np.errstate(divide="ignore"):  # B underflows to 0 far above the load: L = -inf
        log_l = np.log(b) + _log_g(r, s)
    w = np.exp(np.minimum(log_l, 0.0))  # B·G·scale
    v = np.exp(-np.maximum(log_l, 0.0))  # scale
    p_s = gammainc(s, r)
    p_s1 = gammainc(s + 1.0, r)
    rq = r * np.exp(-theta_t)
    upper = rq > s + 1.0  # both arguments in the upper tail: subtract the complements
    d_p = np.where(upper, gammaincc(s + 1.0, rq) - gammaincc(s + 1.0, r),
                   p_s1 - gammainc(s + 1.0, rq))
    d = (1.0 - b) * v + w * p_s
    return (d, w * p_s, b * v + (1.0 - s / r) * w * p_s1,
            (1.0 - b) * v + w * (s / r) * np.maximum(d_p, 0.0))


def _erlang_a_any(n: np.ndarray, lam: np.ndarray, aht: np.ndarray, patience: np.ndarray,
                  t: np.ndarray) -> tuple[np.ndarray, ...]:
    """``_erlang_a_flat`` with the edge cases: no arrivals, no agents (1-D arrays)."""
    out = [np.empty(n.size) for _ in range(5)]
    idle = lam == 0.0
    none = ~idle & (n == 0)
    for arr, v_idle, v_none in zip(out, (0.0, 0.0, 0.0, 0.0, 1.0),
                                   (1.0, 1.0, None, 0.0, 0.0), strict=True):
        arr[idle] = v_idle
        if v_none is not None:
            arr[none] = v_none
    out[2][none] = patience[none]  # nobody is answered: everyone waits out his patience
    rest = ~(idle | none)
    if rest.any():
        for arr, part in zip(out, _erlang_a_flat(n[rest], lam[rest], aht[rest],
                                                 patience[rest], t[rest]), strict=True):
            arr[rest] = part
    return tuple(out)


def erlang_a(
    n: Any, arrival_rate_per_s: Any, aht_s: Any, patience_s: Any, t_s: Any
) -> ErlangAResult:
    """Erlang A (M/M/n+M): ``n`` agents, Poisson arrivals, exponential handle times with mean
    ``aht_s`` and exponential patience with mean ``patience_s``.

    All arguments broadcast; scalar arguments give floats. P(wait) and the service level are the
    shares of all arrivals (PASTA); abandoners count as not answered; ASA is the mean time in
    queue over all arrivals. Closed form with the incomplete gamma function: see
    ``_erlang_a_flat``. n = 0 answers no one (ASA = the mean patience); λ = 0 waits for nothing.
    """
    args = (_agents(n), _arrival_rate(arrival_rate_per_s), _aht(aht_s), _patience(patience_s),
            _answer_time(t_s))
    scalar = all(x.ndim == 0 for x in args)
    shaped = np.broadcast_arrays(*args)
    shape = shaped[0].shape
    flat = [x.ravel().astype(np.float64) for x in shaped]
    parts = _erlang_a_any(*flat)
    return ErlangAResult(*(_result(p.reshape(shape), scalar) for p in parts))


def agents_needed_erlang_a(
    arrival_rate_per_s: Any,
    aht_s: Any,
    patience_s: Any,
    sl_target: Any,
    t_s: Any,
    max_occupancy: Any = 1.0,
    asa_target_s: Any = None,
) -> Any:
    """Smallest n meeting every target under Erlang A, elementwise (arguments broadcast).

    Targets: service level >= ``sl_target``, occupancy <= ``max_occupancy`` and, when given,
    ASA <= ``asa_target_s``. Assumes (as is standard for M/M/n+M) that the service level rises
    and occupancy and ASA fall as n grows: the answer is bracketed above by
    max(a/cap, a + 3·√a + 1) (widened if that does not meet the targets) and found by bisection
    from SL·a − 1 (fewer agents serve fewer than SL·a of the arrivals), all elements together
    (about log2(a) + 2 vectorised evaluations).
    λ = 0 needs 0 agents. Scalar inputs give an ``int``, otherwise an int64 array.
    """
    lam = _arrival_rate(arrival_rate_per_s)
    params = [_aht(aht_s), _patience(patience_s), _sl_target(sl_target), _answer_time(t_s),
              _occ_cap(max_occupancy)]
    if asa_target_s is not None:
        params.append(_asa_target(asa_target_s))
    scalar = lam.ndim == 0 and all(p.ndim == 0 for p in params)
    shaped = np.broadcast_arrays(lam, *params)
    shape = shaped[0].shape
    lam_f, aht, pat, sl, t, occ, *asa_t = (x.ravel().astype(np.float64) for x in shaped)
    out = np.zeros(lam_f.size, dtype=np.int64)
    todo = np.flatnonzero(lam_f > 0.0)
    if todo.size:
        idx = todo

        def meets(k: np.ndarray, sel: np.ndarray) -> np.ndarray:
            _, _, asa_s, occ_k, sl_k = _erlang_a_flat(k, lam_f[sel], aht[sel], pat[sel], t[sel])
            ok = (sl_k >= sl[sel]) & (occ_k <= occ[sel])
            return ok & (asa_s <= asa_t[0][sel]) if asa_t else ok

        a = lam_f[idx] * aht[idx]
        # A lower bracket that fails: answered ≤ served = n/a of the arrivals, so n < SL·a
        # cannot meet the service level.
        lo = np.maximum(np.ceil(sl[idx] * a) - 1.0, 0.0)
        # First bracket: the occupancy bound a/cap or a + 3·√a + 1 (square-root staffing),
        # whichever is larger; where it fails, its excess over the load doubles. Each
        # evaluation is fixed work (Erlang B by the incomplete gamma function above the load).
        hi = np.maximum(np.ceil(a / occ[idx]), np.ceil(a + 3.0 * np.sqrt(a) + 1.0))
        pending = np.arange(idx.size)
        while pending.size:
            ok = meets(hi[pending], idx[pending])
            failed = pending[~ok]
            lo[failed] = hi[failed]
            base = np.floor(a[failed])
            hi[failed] = base + 2.0 * np.maximum(hi[failed] - base, 1.0)
            pending = failed
            if pending.size and hi[pending].max() > 1e12:  # pragma: no cover - guarded inputs
                raise InputError("Erlang A: inget antal agenter når målen (kontrollera "
                                 "servicenivån, tålamodet och hanteringstiden)")
        open_ = np.flatnonzero(hi - lo > 1.0)
        while open_.size:
            mid = np.floor((lo[open_] + hi[open_]) / 2.0)
            ok = meets(mid, idx[open_])
            hi[open_[ok]] = mid[ok]
            lo[open_[~ok]] = mid[~ok]
            open_ = open_[hi[open_] - lo[open_] > 1.0]
        out[idx] = hi.astype(np.int64)
    return _result(out.reshape(shape), scalar, int)
