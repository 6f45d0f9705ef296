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


def _erlang_b_flat(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Erlang B for 1-D float arrays of integer-valued n >= 0 and a >= 0 (same length)."""
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
    b = _erlang_b_block(n0, a)  # sorted internally by recursion length; returned in order
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
    """

    p_wait: float
    p_abandon: float
    asa_s: float
    occupancy: float
    service_level: float


def _erlang_a_validate(n: Any, lam: Any, aht_s: Any, patience_s: Any, t_s: Any) -> tuple:
    n_arr = _agents(n)
    lam_arr = _as_float(lam, "Ankomstintensiteten")
    with np.errstate(invalid="ignore"):
        _check(lam_arr, np.isfinite(lam_arr) & (lam_arr >= 0),
               "Ankomstintensiteten (samtal per sekund) måste vara ett ändligt tal ≥ 0, fick {}")
    pat = _as_float(patience_s, "Tålamodet")
    with np.errstate(invalid="ignore"):
        _check(pat, np.isfinite(pat) & (pat > 0),
               "Genomsnittligt tålamod måste vara ett ändligt tal större än 0 sekunder, fick {}")
    aht = _aht(aht_s)
    t = _answer_time(t_s)
    for x, what in ((n_arr, "Antalet agenter"), (lam_arr, "Ankomstintensiteten"),
                    (pat, "Tålamodet"), (aht, "Hanteringstiden"), (t, "Svarstidsmålet")):
        if x.ndim:
            raise InputError(f"{what} måste vara ett enskilt tal i Erlang A")
    return int(n_arr), float(lam_arr), float(aht), float(pat), float(t)


def _erlang_a_chain(n: int, lam: float, mu: float, theta: float) -> np.ndarray:
    """Normalised stationary distribution π_0..π_K of the M/M/n+M birth-death chain.

    Built in log space; the chain is truncated where π_k < 1e-30·max π (the tail decays at
    least geometrically once (k − n)·θ + n·μ exceeds λ).
    """
    # k = 1..n: ratios λ/(kμ).
    k = np.arange(1, n + 1, dtype=np.float64)
    logs = [np.zeros(1), np.log(lam) - np.log(k * mu)]
    head = np.concatenate(logs).cumsum()
    # k > n: ratios λ/(nμ + (k−n)θ), generated in growing batches until the tail is negligible.
    tail_parts = []
    last = head[-1]
    peak = head.max()
    j0 = 1
    batch = 1024
    while True:
        j = np.arange(j0, j0 + batch, dtype=np.float64)
        part = last + np.cumsum(np.log(lam) - np.log(n * mu + j * theta))
        tail_parts.append(part)
        peak = max(peak, float(part.max()))
        last = float(part[-1])
        decaying = lam < n * mu + (j0 + batch) * theta
        if decaying and last < peak - 70.0:
            break
        j0 += batch
        batch *= 2
        if j0 > 50_000_000:  # pragma: no cover - absurd parameter ranges
            raise InputError("Erlang A: kön blir för lång för att beräknas (kontrollera tålamodet)")
    logpi = np.concatenate([head, *tail_parts])
    logpi -= logpi.max()
    pi = np.exp(logpi)
    return pi / pi.sum()


def _answered_within(n: int, mu: float, theta: float, t: float, q: int) -> np.ndarray:
    """u_p(t) for p = 0..q−1: P(answered within t | arrival finds p customers queued ahead).

    The tagged customer at position p (p ahead) moves to p − 1 at rate n·μ + p·θ (a service
    completion lets the head enter service, or one of the p ahead abandons) and abandons
    himself at rate θ; he is answered when he leaves position 0 by a service completion.
    Solved by uniformisation of this small absorbing chain.
    """
    if q == 0:
        return np.zeros(0)
    p = np.arange(q, dtype=np.float64)
    move = n * mu + p * theta
    lam_u = float(n * mu + q * theta)  # >= every total outflow move + θ
    x = lam_u * t
    stay = 1.0 - (move + theta) / lam_u
    prob_move = move / lam_u
    v = np.zeros(q)  # P(answered within m uniformised jumps)
    if x == 0.0:
        return v
    m_max = int(x + 12.0 * math.sqrt(x) + 40.0)
    # Poisson(m; x) weights in log space, summed as Σ_m w_m · v_m.
    logw = -x
    acc = np.zeros(q)
    acc += math.exp(logw) * v
    for m in range(1, m_max + 1):
        shifted = np.empty(q)
        shifted[0] = 1.0
        shifted[1:] = v[:-1]
        v = prob_move * shifted + stay * v
        logw += math.log(x) - math.log(m)
        if logw > -745.0:
            acc += math.exp(logw) * v
    return np.minimum(acc, 1.0)


def erlang_a(
    n: Any, arrival_rate_per_s: Any, aht_s: Any, patience_s: Any, t_s: Any
) -> ErlangAResult:
    """Erlang A (M/M/n+M): ``n`` agents, Poisson arrivals, exponential handle times with mean
    ``aht_s`` and exponential patience with mean ``patience_s``. Scalar arguments only.

    From the birth-death chain π_k ∝ Π_{j<=k} λ/(min(j,n)·μ + max(j−n,0)·θ):
    P(wait) = Σ_{k>=n} π_k, L_q = Σ_k (k−n)⁺ π_k, P(abandon) = θ·L_q/λ, ASA = L_q/λ,
    occupancy = λ(1 − P(abandon))/(n·μ), and the service level is the probability that an
    arrival is answered within ``t_s`` (see ``_answered_within``).
    """
    n, lam, aht, patience, t = _erlang_a_validate(n, arrival_rate_per_s, aht_s, patience_s, t_s)
    if lam == 0.0:
        return ErlangAResult(0.0, 0.0, 0.0, 0.0, 1.0)
    if n == 0:
        return ErlangAResult(1.0, 1.0, patience, 0.0, 0.0)
    mu, theta = 1.0 / aht, 1.0 / patience
    pi = _erlang_a_chain(n, lam, mu, theta)
    queued = pi[n:]
    p_wait = float(queued.sum())
    lq = float(np.dot(np.arange(queued.size, dtype=np.float64), queued))
    p_ab = min(1.0, theta * lq / lam)
    occ = lam * (1.0 - p_ab) / (n * mu)
    u = _answered_within(n, mu, theta, t, queued.size)
    sl = float(pi[:n].sum() + np.dot(queued, u))
    return ErlangAResult(p_wait, p_ab, lq / lam, occ, min(sl, 1.0))


def _meets_erlang_a(r: ErlangAResult, sl: float, occ: float, asa_t: float | None) -> bool:
    ok = r.service_level >= sl and r.occupancy <= occ
    return ok and (asa_t is None or r.asa_s <= asa_t)


def agents_needed_erlang_a(
    arrival_rate_per_s: Any,
    aht_s: Any,
    patience_s: Any,
    sl_target: Any,
    t_s: Any,
    max_occupancy: Any = 1.0,
    asa_target_s: Any = None,
) -> int:
    """Smallest n meeting every target under Erlang A (scalar arguments).

    Assumes (as is standard for M/M/n+M) that service level rises and occupancy and ASA fall
    as n grows: the answer is bracketed by doubling and found by bisection.
    """
    sl = float(_sl_target(sl_target))
    occ = float(_occ_cap(max_occupancy))
    asa_t = None if asa_target_s is None else float(_asa_target(asa_target_s))
    _, lam, aht, patience, t = _erlang_a_validate(0, arrival_rate_per_s, aht_s, patience_s, t_s)
    if lam == 0.0:
        return 0

    def meets(k: int) -> bool:
        return _meets_erlang_a(erlang_a(k, lam, aht, patience, t), sl, occ, asa_t)

    lo = 0  # fails (no agents answer nothing)
    hi = max(1, math.ceil(lam * aht))
    while not meets(hi):
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if meets(mid):
            hi = mid
        else:
            lo = mid
    return hi
