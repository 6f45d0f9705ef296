"""Erlang B for many elements at once: the numerics under every Erlang formula of
:mod:`xlkc.staffing.erlang` and :mod:`xlkc.staffing.erlang_a` (internal: the arguments are
checked by the callers).

Erlang B is evaluated with the stable forward recursion
``B_0 = 1, B_k = A·B_{k-1} / (k + A·B_{k-1})`` (never factorials, never overflows; tiny values
underflow quietly to 0). For large A the recursion does not start at k = 0: terms of the
equivalent sum ``1/B_n = Σ_j Π_{i=j+1..n} i/A`` that lie more than ``12·√A + 40`` below
``min(n, A)`` are smaller than ``A·exp(-72)`` relative to the total and are dropped by starting
the recursion there with ``B = 1``. So the work per element is O(n − A + √A), and n in the
tens of thousands is cheap.

The recursion is run for many elements at once: elements are sorted by the number of steps they
need and processed in cache-sized chunks, each step updating only the prefix of the chunk that
still needs it. Far above the load (a low occupancy cap on a large load) Erlang B comes from the
incomplete gamma function instead, in fixed work (:func:`_erlang_b_gamma`, scipy.special,
imported on first use).
"""

from __future__ import annotations

import numpy as np

# Elements per cache-resident chunk of the recursion, and per block (bounds temporary memory).
_CHUNK = 16384
_BLOCK = 1 << 18


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


# --------------------------------------------------------------------------- Erlang B in fixed work


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
