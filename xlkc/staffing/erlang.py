"""Queueing formulas for real-time channels: Erlang B and Erlang C (SPEC §3), and the staffing
they ask for (:func:`agents_needed`).

All Erlang B/C functions are vectorised with numpy broadcasting over their arguments.
When every argument is a scalar the result is a Python ``float`` (``int`` for agent counts);
otherwise it is a numpy array of the broadcast shape.

Erlang B's numerics (the stable forward recursion, run for many elements at once, and the
incomplete gamma function far above the load) are in :mod:`xlkc.staffing.erlang_b`; the
arguments' checks in :mod:`xlkc.staffing.erlang_arguments`. Erlang A (M/M/n+M, callers who
abandon) is in :mod:`xlkc.staffing.erlang_a`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

# Erlang A, re-exported: xlkc.staffing.solver still imports it from here.
from xlkc.staffing.erlang_a import agents_needed_erlang_a as agents_needed_erlang_a
from xlkc.staffing.erlang_a import erlang_a as erlang_a
from xlkc.staffing.erlang_arguments import (
    _agents,
    _aht,
    _answer_time,
    _asa_target,
    _load,
    _occ_cap,
    _result,
    _sl_target,
)
from xlkc.staffing.erlang_b import _BLOCK, _CHUNK, _erlang_b_flat

__all__ = [
    "agents_needed",
    "asa",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "service_level",
]


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
