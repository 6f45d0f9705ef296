"""Queueing formulas for real-time channels: Erlang B, Erlang C, Erlang A (SPEC §3).

All Erlang B/C functions are vectorised with numpy broadcasting over their arguments.
When every argument is a scalar the result is a Python ``float`` (``int`` for agent counts);
otherwise it is a numpy array of the broadcast shape.

Numerics: Erlang B is evaluated with the stable forward recursion
``B_0 = 1, B_k = A·B_{k-1} / (k + A·B_{k-1})`` (never factorials, never overflows; tiny values
underflow quietly to 0). For large A the recursion does not start at k = 0: terms of the
equivalent sum ``1/B_n = Σ_j Π_{i=j+1..n} i/A`` that lie more than ``12·√A + 40`` below
``min(n, A)`` are smaller than ``A·exp(-72)`` relative to the total and are dropped by starting
the recursion there with ``B = 1``. So the work per element is O(n − A + √A), and n in the
tens of thousands is cheap.

The recursion is run for many elements at once: elements are sorted by the number of steps they
need and processed in cache-sized chunks, each step updating only the prefix of the chunk that
still needs it.

Erlang A (M/M/n+M) is vectorised too and in closed form (regularised incomplete gamma and the
confluent hypergeometric 1F1 of scipy.special, imported on first use): fixed work per element
whatever the patience or the load, see ``_erlang_a_flat``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from xlkc.errors import InputError

__all__ = [
    "ErlangAResult",
    "agents_needed",
    "agents_needed_erlang_a",
    "asa",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "service_level",
]

# Elements per cache-resident chunk of the recursion, and per block (bounds temporary memory).
_CHUNK = 16384
_BLOCK = 1 << 18


# --------------------------------------------------------------------------- validation


def _fmt(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _as_float(x: Any, what: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{what} måste vara ett tal, fick {x!r}") from None
    return arr


def _first_bad(arr: np.ndarray, bad: np.ndarray) -> float:
    return float(arr[bad].flat[0]) if arr.ndim else float(arr)


def _check(arr: np.ndarray, ok: np.ndarray | bool, message: str) -> None:
    """Raise InputError with ``message`` (a format string with ``{}``) unless ``ok`` holds."""
    ok = np.asarray(ok)
    if not ok.all():
        raise InputError(message.format(_fmt(_first_bad(arr, ~ok))))


def _fast_ok(arr: np.ndarray, low: float, low_incl: bool, high: float, high_incl: bool) -> bool:
    """True when every value lies in the interval (NaN fails): two reductions, no masks."""
    if arr.size == 0:
        return True
    lo, hi = arr.min(), arr.max()
    ok_lo = lo >= low if low_incl else lo > low
    ok_hi = hi <= high if high_incl else hi < high
    return bool(ok_lo and ok_hi)


def _ranged(x: Any, what: str, low: float, low_incl: bool, high: float, high_incl: bool,
            message: str) -> np.ndarray:
    """``x`` as a float array whose every value lies in the interval, else InputError."""
    arr = _as_float(x, what)
    if _fast_ok(arr, low, low_incl, high, high_incl):
        return arr
    with np.errstate(invalid="ignore"):
        ok_lo = arr >= low if low_incl else arr > low
        ok_hi = arr <= high if high_incl else arr < high
        _check(arr, ok_lo & ok_hi & ~np.isnan(arr), message)
    return arr


def _load(a: Any) -> np.ndarray:
    return _ranged(a, "Trafikintensiteten (Erlang)", 0.0, True, np.inf, False,
                   "Trafikintensiteten (Erlang) måste vara ett ändligt tal ≥ 0, fick {}")


def _agents(n: Any) -> np.ndarray:
    arr = _as_float(n, "Antalet agenter")
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(arr) & (arr >= 0)
        ok &= np.where(ok, arr == np.floor(np.where(ok, arr, 0.0)), False)
    _check(arr, ok, "Antalet agenter måste vara ett heltal ≥ 0, fick {}")
    return arr


def _aht(aht_s: Any) -> np.ndarray:
    return _ranged(aht_s, "Hanteringstiden (AHT)", 0.0, False, np.inf, False,
                   "Hanteringstiden (AHT) måste vara ett ändligt tal större än 0 sekunder, "
                   "fick {}")


def _answer_time(t_s: Any) -> np.ndarray:
    return _ranged(t_s, "Svarstidsmålet", 0.0, True, np.inf, False,
                   "Svarstidsmålet måste vara ett ändligt tal ≥ 0 sekunder, fick {}")


def _sl_target(sl: Any) -> np.ndarray:
    return _ranged(sl, "Servicenivåmålet", 0.0, False, 1.0, False,
                   "Servicenivåmålet måste ligga mellan 0 och 1 (exklusive), fick {}")


def _occ_cap(occ: Any) -> np.ndarray:
    return _ranged(occ, "Maximal beläggning", 0.0, False, 1.0, True,
                   "Maximal beläggning måste ligga i intervallet (0, 1], fick {}")


def _asa_target(asa_t: Any) -> np.ndarray:
    return _ranged(asa_t, "Målet för genomsnittlig svarstid (ASA)", 0.0, False, np.inf, True,
                   "Målet för genomsnittlig svarstid (ASA) måste vara större än 0 sekunder, "
                   "fick {}")


def _result(x: np.ndarray, scalar: bool, kind: type = float) -> Any:
    return kind(x.reshape(-1)[0]) if scalar else x


# --------------------------------------------------------------------------- Erlang B core


def _start(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """First recursion index k0 (with B_k0 taken as 1); see module docstring."""
    if a.size and a.max() < 150.0:  # floor(a) - 12·√a - 40 < 0: every start is 0
        return np.zeros(a.shape)
    m = np.ceil(12.0 * np.sqrt(a)) + 40.0
    return np.maximum(0.0, np.minimum(n, np.floor(a)) - m)


#: Above this many agents over the load Erlang B comes from the incomplete gamma function
#: (fixed work) instead of n − a steps of the recursion.
_FAR_ABOVE = 2000.0


def _erlang_b_flat(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Erlang B for 1-D float arrays of integer-valued n >= 0 and a >= 0 (same length).

    Elements with n more than ``_FAR_ABOVE`` above the load (a low occupancy cap on a large
    load) are computed by ``_erlang_b_gamma`` in fixed work; the rest by the recursion.
    """
    far = n - a > _FAR_ABOVE
    if far.any():
        out = np.empty(n.size)
        out[far] = _erlang_b_gamma(n[far], a[far])
        out[~far] = _erlang_b_flat(n[~far], a[~far])
        return out
    size = n.size
    out = np.empty(size)
    for lo in range(0, size, _BLOCK):
        hi = min(size, lo + _BLOCK)
        out[lo:hi] = _erlang_b_block(n[lo:hi], a[lo:hi])
    return out


def _erlang_b_block(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    s = _start(n, a)
    steps = (n - s).astype(np.int64)
    order = _descending(steps)
    a_o = a[order]
    s_o = s[order] if s.any() else np.zeros(1)
    steps_o = steps[order]
    b = np.ones(n.size)
    for lo in range(0, n.size, _CHUNK):
        hi = min(n.size, lo + _CHUNK)
        s_c = s_o[lo:hi] if s_o.size > 1 else s_o
        b[lo:hi] = _recurse(a_o[lo:hi], s_c, steps_o[lo:hi])
    out = np.empty(n.size)
    out[order] = b
    return out


def _descending(steps: np.ndarray) -> np.ndarray:
    """Permutation sorting ``steps`` in descending order (radix sort for small ranges)."""
    if steps.size == 0:
        return np.arange(0)
    top = int(steps.max())
    if top < 65535:
        return np.argsort((top - steps).astype(np.uint16), kind="stable")
    return np.argsort(-steps, kind="stable")


def _recurse(a: np.ndarray, s: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """B at k = s + steps for one chunk sorted by ``steps`` descending.

    At step j only the prefix of elements with steps >= j is updated, so each element stops at
    its own n.
    """
    size = a.size
    b = np.ones(size)
    if size == 0 or steps[0] <= 0:
        return b
    top = int(steps[0])
    counts = np.searchsorted(-steps, -np.arange(1, top + 1), side="right")
    t = np.empty(size)
    den = np.empty(size)
    s0 = s[0]
    if s0 == s[-1]:  # common case: one start for the chunk, k is a scalar
        for j in range(1, top + 1):
            c = counts[j - 1]
            tc, dc, bc = t[:c], den[:c], b[:c]
            np.multiply(a[:c], bc, out=tc)
            np.add(tc, s0 + j, out=dc)
            np.divide(tc, dc, out=bc)
    else:
        k = s.copy()
        for j in range(1, top + 1):
            c = counts[j - 1]
            tc, dc, bc, kc = t[:c], den[:c], b[:c], k[:c]
            kc += 1.0
            np.multiply(a[:c], bc, out=tc)
            np.add(tc, kc, out=dc)
            np.divide(tc, dc, out=bc)
    return b


# --------------------------------------------------------------------------- shared formulas
# agents_needed uses exactly these expressions so that its answers agree bit for bit with the
# public functions.


def _c_from_b(n: np.ndarray, a: np.ndarray, b: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Erlang C from Erlang B for n > a, with d = n - a > 0."""
    return n * b / (d + a * b)


def _sl_from_c(c: np.ndarray, d: np.ndarray, neg_ratio: Any, where: Any = True) -> np.ndarray:
    """Service level from C, with d = n - a > 0 and neg_ratio = -(t / AHT).

    With a boolean ``where`` only those elements are computed (exp is the costly part); the
    others are 0.
    """
    e = np.exp(d * neg_ratio, out=np.zeros(np.shape(d)), where=where)
    return 1.0 - c * e


def _asa_from_c(c: np.ndarray, d: np.ndarray, aht: Any) -> np.ndarray:
    return c * aht / d


# --------------------------------------------------------------------------- public: B, C, SL


def erlang_b(n: Any, a: Any) -> Any:
    """Erlang B blocking probability for ``n`` servers and offered load ``a`` (Erlang).

    Broadcasts ``n`` (integer-valued, >= 0) against ``a`` (>= 0). Scalar inputs give a float.
    """
    n_arr, a_arr = _agents(n), _load(a)
    scalar = n_arr.ndim == 0 and a_arr.ndim == 0
    nb, ab = np.broadcast_arrays(n_arr, a_arr)
    out = _erlang_b_flat(nb.ravel(), ab.ravel()).reshape(nb.shape)
    return _result(out, scalar)


def _erlang_c_arrays(n_arr: np.ndarray, a_arr: np.ndarray) -> tuple[np.ndarray, ...]:
    nb, ab = np.broadcast_arrays(n_arr, a_arr)
    b = _erlang_b_flat(nb.ravel(), ab.ravel()).reshape(nb.shape)
    d = nb - ab
    stable = d > 0
    dd = np.where(stable, d, 1.0)
    c = np.where(stable, _c_from_b(nb, ab, b, dd), 1.0)
    return nb, ab, b, c, d, dd, stable


def erlang_c(n: Any, a: Any) -> Any:
    """Erlang C probability of waiting; 1.0 where ``n <= a`` (unstable queue)."""
    n_arr, a_arr = _agents(n), _load(a)
    scalar = n_arr.ndim == 0 and a_arr.ndim == 0
    c = _erlang_c_arrays(n_arr, a_arr)[3]
    return _result(c, scalar)


def service_level(n: Any, a: Any, aht_s: Any, t_s: Any) -> Any:
    """Share answered within ``t_s`` seconds: 1 − C·exp(−(n − a)·t/AHT); 0 where ``n <= a``."""
    n_arr, a_arr, aht, t = _agents(n), _load(a), _aht(aht_s), _answer_time(t_s)
    scalar = all(x.ndim == 0 for x in (n_arr, a_arr, aht, t))
    n_arr, a_arr, aht, t = np.broadcast_arrays(n_arr, a_arr, aht, t)
    _, _, _, c, _, dd, stable = _erlang_c_arrays(n_arr, a_arr)
    sl = np.where(stable, _sl_from_c(c, dd, -(t / aht)), 0.0)
    return _result(sl, scalar)


def asa(n: Any, a: Any, aht_s: Any) -> Any:
    """Average speed of answer in seconds: C·AHT/(n − a); ``inf`` where ``n <= a``."""
    n_arr, a_arr, aht = _agents(n), _load(a), _aht(aht_s)
    scalar = all(x.ndim == 0 for x in (n_arr, a_arr, aht))
    n_arr, a_arr, aht = np.broadcast_arrays(n_arr, a_arr, aht)
    _, _, _, c, _, dd, stable = _erlang_c_arrays(n_arr, a_arr)
    out = np.where(stable, _asa_from_c(c, dd, aht), np.inf)
    return _result(out, scalar)


def occupancy(n: Any, a: Any) -> Any:
    """Occupancy a/n (may exceed 1 where n <= a; 0 for n = a = 0, inf for n = 0 < a)."""
    n_arr, a_arr = _agents(n), _load(a)
    scalar = n_arr.ndim == 0 and a_arr.ndim == 0
    nb, ab = np.broadcast_arrays(n_arr, a_arr)
    pos = nb > 0
    out = np.where(pos, ab / np.where(pos, nb, 1.0), np.where(ab > 0, np.inf, 0.0))
    return _result(out, scalar)


# --------------------------------------------------------------------------- agents_needed


def agents_needed(
    a: Any,
    aht_s: Any,
    sl_target: Any,
    t_s: Any,
    max_occupancy: Any = 1.0,
    asa_target_s: Any = None,
) -> Any:
    """Smallest integer n > a meeting every target under Erlang C, elementwise.

    Targets: ``service_level(n, a, aht_s, t_s) >= sl_target``, ``a / n <= max_occupancy`` and,
    when ``asa_target_s`` is given, ``asa(n, a, aht_s) <= asa_target_s``. ``a == 0`` needs 0
    agents. All arguments broadcast; scalar inputs give an ``int``, otherwise an int64 array.

    Method: start at the lower bound n0 = max(floor(a) + 1, smallest n with a/n <= cap),
    compute B(n0) for all elements with the chunked recursion, then step n upward with
    B_{n+1} = a·B_n / (n + 1 + a·B_n) only for the elements not yet satisfied.
    """
    a_arr = _load(a)
    params = {
        "aht": _aht(aht_s),
        "sl": _sl_target(sl_target),
        "t": _answer_time(t_s),
        "occ": _occ_cap(max_occupancy),
    }
    if asa_target_s is not None:
        params["asa"] = _asa_target(asa_target_s)
    scalar = a_arr.ndim == 0 and all(p.ndim == 0 for p in params.values())
    shape = np.broadcast_shapes(a_arr.shape, *(p.shape for p in params.values()))
    size = math.prod(shape)
    flat_a = np.broadcast_to(a_arr, shape).ravel()
    # Scalars stay scalars; arrays are flattened to the full broadcast size.
    flat: dict[str, Any] = {}
    for key, p in params.items():
        if p.size == 1:
            flat[key] = float(p.reshape(-1)[0])
        else:
            flat[key] = np.broadcast_to(p, shape).ravel()
    out = np.zeros(size, dtype=np.int64)
    for lo in range(0, size, _BLOCK):
        hi = min(size, lo + _BLOCK)
        blk = {k: (v[lo:hi] if isinstance(v, np.ndarray) else v) for k, v in flat.items()}
        out[lo:hi] = _agents_block(flat_a[lo:hi], blk)
    return _result(out.reshape(shape), scalar, int)


def _min_agents_for_occupancy(a: np.ndarray, occ: Any) -> np.ndarray:
    """Smallest integer n >= 1 with a / n <= occ, as evaluated in floating point."""
    n = np.maximum(np.ceil(a / occ), 1.0)
    n += a / n > occ  # a/occ rounded down across an integer
    lower = np.maximum(n - 1.0, 1.0)
    n -= (n > 1.0) & (a / lower <= occ)  # or rounded up across one
    return n


def _agents_block(a: np.ndarray, p: dict[str, Any]) -> np.ndarray:
    """agents_needed for one block of flat arrays (p holds scalars or same-length arrays)."""
    n0 = np.maximum(np.floor(a) + 1.0, _min_agents_for_occupancy(a, p["occ"]))
    b = _erlang_b_flat(n0, a)  # recursion sorted by length (or fixed work far above a)
    neg_ratio = -(p["t"] / p["aht"])
    out = np.empty(a.size, dtype=np.int64)
    for lo in range(0, a.size, _CHUNK):
        sl_ = slice(lo, min(a.size, lo + _CHUNK))
        pc = {k: (v[sl_] if isinstance(v, np.ndarray) else v) for k, v in p.items()}
        pc["neg_ratio"] = neg_ratio[sl_] if isinstance(neg_ratio, np.ndarray) else neg_ratio
        out[sl_] = _search_up(a[sl_], n0[sl_], b[sl_], pc)
    out[a == 0] = 0
    return out


def _search_up(a: np.ndarray, n: np.ndarray, b: np.ndarray, p: dict[str, Any]) -> np.ndarray:
    """Step n upward from the lower bound until SL (and ASA) targets hold; returns n.

    All elements of the chunk are stepped together (masked) while many are pending; once fewer
    than an eighth are, the arrays are compressed to the pending ones.
    """
    size = a.size
    result = np.zeros(size)
    pending = np.ones(size, dtype=bool)
    newly = np.empty(size, dtype=bool)
    idx = None  # positions in ``result`` of the (compressed) working arrays
    n = n.copy()
    aht, sl, neg_ratio, asa_t = (p.get(k) for k in ("aht", "sl", "neg_ratio", "asa"))
    while True:
        d = n - a
        c = _c_from_b(n, a, b, d)
        ok = _sl_from_c(c, d, neg_ratio, where=pending) >= sl
        if asa_t is not None:
            ok &= _asa_from_c(c, d, aht) <= asa_t
        np.logical_and(ok, pending, out=newly)
        if idx is None:
            np.copyto(result, n, where=newly)
        else:
            result[idx[newly]] = n[newly]
        pending ^= newly
        left = int(np.count_nonzero(pending))
        if left == 0:
            return result.astype(np.int64)
        if left * 8 < pending.size:
            keep = pending
            idx = np.flatnonzero(keep) if idx is None else idx[keep]
            a, n, b = a[keep], n[keep], b[keep]
            aht, sl, neg_ratio, asa_t = (
                v[keep] if isinstance(v, np.ndarray) else v for v in (aht, sl, neg_ratio, asa_t)
            )
            pending = np.ones(left, dtype=bool)
            newly = np.empty(left, dtype=bool)
        n += 1.0
        ab = a * b
        b = ab / (n + ab)


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


def _log_g(r: np.ndarray, s: np.ndarray) -> np.ndarray:
    """log G with G = e^r · r^(−s) · Γ(s + 1), for r > 0, s > 0.

    For s >= 100 by Stirling's series written around r = s,
    log G = s·(x − log1p(x)) + ½·log(2πs) + 1/(12s) − 1/(360s³) + 1/(1260s⁵), x = (r − s)/s,
    so that the large terms r and s·log r, which nearly cancel, are never formed (absolute
    error about |r − s|·1e-16 instead of r·1e-16); directly below.
    """
    from scipy.special import gammaln

    r = np.maximum(r, 1e-300)
    big = s >= 100.0
    sb = np.where(big, s, 100.0)
    x = (np.where(big, r, sb) - sb) / sb
    stirling = (sb * (x - np.log1p(x)) + 0.5 * np.log(2.0 * np.pi * sb)
                + 1.0 / (12.0 * sb) - 1.0 / (360.0 * sb**3) + 1.0 / (1260.0 * sb**5))
    rs = np.where(big, 1.0, r)
    ss = np.where(big, 1.0, s)
    direct = rs - ss * np.log(rs) + gammaln(ss + 1.0)
    return np.where(big, stirling, direct)


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


def _erlang_b_gamma(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Erlang B for n >= 1, a > 0 in fixed work wherever n is not far below a.

    B = Poisson(n; a)/P(Poisson(a) <= n) = e^(−log G(a, n))/Q(n+1, a) with Q the regularised
    upper incomplete gamma function. Where Q underflows (n far below the load) the recursion
    is used instead: there it takes 12·√a + 40 steps, while above the load it would take
    n − a.
    """
    from scipy.special import gammaincc

    out = np.empty(n.size)
    q = gammaincc(n + 1.0, a)
    above = q > 1e-250  # all n >= a, and n down to about a − 30·√a
    if above.any():
        out[above] = np.exp(-_log_g(a[above], n[above])) / q[above]
    if not above.all():
        out[~above] = _erlang_b_flat(n[~above], a[~above])
    return out


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
