"""Excel-compatible rounding of prices.

Excel's ROUND works on the *decimal* value of a number: it first reduces the binary double to
15 significant digits and then rounds half away from zero. So ``ROUND(0.285; 2)`` is 0.29 in
Excel (and LibreOffice) although the double nearest 0.285 is 0.28499999999999998. This module
reproduces that:

* :func:`round_half_away` is Excel's ``ROUND``. The decimal value of ``x`` is defined as
  ``Decimal(format(x, ".15g"))`` (the double, correctly rounded to 15 significant digits); that
  value is rounded half away from zero and the nearest double to the result is returned.
  The common path is vectorised numpy (exact error-free products, integer mantissas); only
  non-finite, extreme or exactly ambiguous elements go through ``decimal`` one by one.
* :func:`round_price` rounds prices to a step (0.01, 0.10, 0.50, 1, 10 kr …), to the nearest
  multiple (half away from zero) or up (ceiling).
* :func:`excel_round_formula` gives the Excel formula text that computes the same rounding as
  :func:`round_price`, so the workbook shows the same figures as the engine.
* :func:`rounding_residual` is Σ (rounded − exact) × volume.

Definitions (the engine and the formulas follow them operation by operation, so Excel and the
engine agree exactly; ``step = n·10^-d`` with an integer ``n`` not divisible by 10):

* nearest, ``n == 1`` (0.01, 0.1, 1, 10 …): ``ROUND(x; d)``.
* otherwise the ratio ``r = x·k`` when ``k = 1/step`` is a whole number (0.5 → 2, 0.25 → 4,
  0.05 → 20), else ``r = x/step`` (2.5, 5 …); nearest: ``q = ROUND(r; 0)``;
  up: ``q = ROUND(r; 0)``, plus 1 when ``r − q > 1e-12·|r|``; result ``ROUND(q·step; d)``
  (written ``ROUND(q/k; d)`` in the k form). The relative tolerance of 1e-12 keeps binary
  noise such as ``0.1*3 = 0.30000000000000004`` on its multiple (0.30, not 0.40); a price above
  a multiple by less than 1e-12 of itself stays on that multiple. "Up" means towards +infinity
  (−12.5 → −12).

Known differences (nearest only; "up" is immune because the tie decision of the inner ROUND does
not change the ceiling):

* The Python ``formulas`` package (used to recalculate workbooks in tests) evaluates ``ROUND`` on
  the binary double: ``ROUND(0.285; 2)`` is 0.28 there and ``ROUND(1.005; 2)`` is 1.00.
* LibreOffice (7.4, measured) rounds the *shortest* decimal form of the double (Python's
  ``repr``, up to 17 digits), not the 15-digit form: it agrees on 0.285 and 1.005 (short forms)
  but ``ROUND(53.49999999999999; 0)`` is 53 there, 54 here. Such 16–17-digit near-ties come
  from float noise (``2.675/0.05``); the k form above avoids most of them for steps like 0.05.
  Excel's own ROUND is documented to work on 15 significant digits; this module follows Excel.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import numpy as np
import pandas as pd

from xlkc.errors import InputError

__all__ = [
    "Residual",
    "excel_round_formula",
    "normalise_direction",
    "round_half_away",
    "round_price",
    "rounding_residual",
]

#: Relative tolerance of the "up" direction (see the module docstring).
UP_TOLERANCE = 1e-12

_POW10 = np.array([float(10**i) for i in range(23)])  # exact doubles 1 … 1e22
_IPOW10 = np.array([10**i for i in range(17)], dtype=np.int64)
_SPLIT = 134217729.0  # 2**27 + 1, Dekker/Veltkamp split constant

_DIRECTIONS = {
    "nearest": "nearest",
    "närmaste": "nearest",
    "up": "up",
    "uppåt": "up",
}


# --------------------------------------------------------------------------------------------
# round_half_away: Excel's ROUND
# --------------------------------------------------------------------------------------------

def _round_scalar_decimal(x: float, decimals: int) -> float:
    """Reference path for one element: 15 significant digits, then half away from zero."""
    if not math.isfinite(x):
        return x
    if x == 0.0:
        return 0.0
    dx = Decimal(format(x, ".15g"))
    if dx.as_tuple().exponent >= -decimals:  # nothing to drop
        return float(dx) + 0.0
    return float(dx.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)) + 0.0


def _two_prod(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Error-free product: a*b == p + e exactly (Dekker), no FMA needed."""
    p = a * b
    c = _SPLIT * a
    a_hi = c - (c - a)
    a_lo = a - a_hi
    c = _SPLIT * b
    b_hi = c - (c - b)
    b_lo = b - b_hi
    e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return p, e


def _round_half_away_array(x: np.ndarray, decimals: int) -> np.ndarray:
    out = np.empty_like(x)
    a = np.abs(x)
    # Vectorised range: 1e-8 <= |x| < 1e15, so that the mantissa scale 10^s is an exact double.
    fast = np.isfinite(x) & (a >= 1e-8) & (a < 1e15) & (-22 <= decimals <= 22)
    af = a[fast]
    with np.errstate(divide="ignore"):
        e = np.floor(np.log10(af)).astype(np.int64)
    s = np.clip(14 - e, 0, 22)
    p, err = _two_prod(af, _POW10[s])
    # log10 may be one off near powers of ten: bring p into [1e14, 1e15).
    for _ in range(2):
        hi = (p >= 1e15) & (s > 0)
        lo = (p < 1e14) & (s < 22)
        if not (hi.any() or lo.any()):
            break
        s = s - hi + lo
        p, err = _two_prod(af, _POW10[s])
    m = np.rint(p)
    d = (p - m) + err  # p - m is exact; only a sum of exactly 0.5 is ambiguous
    m = m + (d > 0.5) - (d < -0.5)
    ambiguous = (np.abs(d) == 0.5) | (p >= 1e15) | (p < 1e14)
    mi = m.astype(np.int64)
    k = s - decimals  # digits of the 15-digit mantissa to drop
    val = np.empty_like(af)
    keep = k <= 0
    val[keep] = mi[keep] / _POW10[s[keep]]
    cut = (k >= 1) & (k <= 16)
    if cut.any():
        pk = _IPOW10[k[cut]]
        q, r = np.divmod(mi[cut], pk)
        q = q + (2 * r >= pk)
        qf = q.astype(np.float64)
        val[cut] = qf / _POW10[decimals] if decimals >= 0 else qf * _POW10[-decimals]
    val[k > 16] = 0.0
    res = np.where(x[fast] < 0, -val, val) + 0.0
    out[fast] = res
    # Element-wise decimal path for everything else (zeros, nan/inf, extremes, exact ties).
    trivial = (a == 0.0) | ~np.isfinite(x)
    out[trivial] = x[trivial] + 0.0  # 0 → 0.0 (no negative zero), nan and inf unchanged
    slow_idx = np.flatnonzero(~fast & ~trivial)
    amb_idx = np.flatnonzero(fast)[ambiguous]
    for i in np.concatenate([slow_idx, amb_idx]):
        out[i] = _round_scalar_decimal(float(x[i]), decimals)
    return out


def round_half_away(x, decimals: int = 0):
    """Excel ``ROUND(x; decimals)``: half away from zero on the 15-digit decimal value.

    ``x`` may be a scalar, a numpy array (any shape) or a pandas Series (index kept).
    ``round_half_away(0.285, 2) == 0.29``; ``round_half_away(-2.5) == -3``.
    """
    if isinstance(decimals, bool) or int(decimals) != decimals:
        raise InputError(f"Antal decimaler måste vara ett heltal (fick {decimals!r}).")
    decimals = int(decimals)
    if isinstance(x, pd.Series):
        vals = _round_half_away_array(x.to_numpy(dtype=np.float64).ravel(), decimals)
        return pd.Series(vals, index=x.index, name=x.name)
    arr = np.asarray(x, dtype=np.float64)
    res = _round_half_away_array(arr.ravel(), decimals).reshape(arr.shape)
    if arr.ndim == 0:
        return float(res)
    return res


# --------------------------------------------------------------------------------------------
# round_price
# --------------------------------------------------------------------------------------------

def normalise_direction(direction: str) -> str:
    """Map 'nearest'/'närmaste' → 'nearest' and 'up'/'uppåt' → 'up'; anything else is an error."""
    key = str(direction).strip().lower() if direction is not None else ""
    try:
        return _DIRECTIONS[key]
    except KeyError:
        raise InputError(
            "Avrundningsriktning måste vara 'närmaste' eller 'uppåt' "
            f"(fick {direction!r})."
        ) from None


def _step_parts(step) -> tuple[float, int, int, bool, int | None]:
    """Validate a step and write it as n·10^-d. Returns (step, n, d, clean, k).

    ``clean`` tells whether results can be snapped to the step's decimals exactly (true for every
    ordinary step such as 0.01, 0.1, 0.5, 1, 10, 2.5). ``k`` is 1/step when that is a whole
    number (0.5 → 2, 0.05 → 20), else None: multiplying by an exact integer adds less binary
    noise than dividing by a decimal step.
    """
    try:
        s = float(step)
    except (TypeError, ValueError):
        raise InputError(f"Avrundningssteget måste vara ett positivt tal (fick {step!r}).") from None
    if isinstance(step, bool) or not math.isfinite(s) or s <= 0:
        raise InputError(f"Avrundningssteget måste vara ett positivt tal (fick {step!r}).")
    dec = Decimal(repr(s)).normalize()
    t = dec.as_tuple()
    n = int("".join(map(str, t.digits)))
    d = -int(t.exponent)
    clean = -15 <= d <= 15 and n < 2**20
    inv = Decimal(1) / dec
    k = int(inv) if inv == inv.to_integral_value() and 1 < inv < 2**20 else None
    return s, n, d, clean, k


def _step_text(step: float) -> str:
    return format(Decimal(repr(float(step))).normalize(), "f")


def _snap_to_step(q: np.ndarray, s: float, n: int, d: int, clean: bool) -> np.ndarray:
    """q·step, returned as the double nearest to the exact decimal q·n·10^-d (ROUND(q*s; d))."""
    if not clean:
        return q * s
    qn = q * n  # exact: q is an integer-valued double and n < 2**20
    if d >= 0:
        return qn / _POW10[d] + 0.0
    return qn * _POW10[-d] + 0.0


def round_price(price, step: float = 1.0, direction: str = "nearest"):
    """Round prices to a multiple of ``step``, "nearest" (half away from zero) or "up".

    Matches the Excel formula from :func:`excel_round_formula` (see the module docstring for the
    exact definition). Scalars give a float, arrays an array, Series a Series.
    ``round_price(12.5) == 13``, ``round_price(12.25, 0.5) == 12.5``,
    ``round_price(12.01, 1, "up") == 13``, ``round_price(0.1 * 3, 0.1, "up") == 0.3``.
    """
    s, n, d, clean, k = _step_parts(step)
    how = normalise_direction(direction)
    series = price if isinstance(price, pd.Series) else None
    arr = np.asarray(series.to_numpy(dtype=np.float64) if series is not None else price,
                     dtype=np.float64)
    flat = arr.ravel()
    if how == "nearest" and n == 1 and clean:
        res = _round_half_away_array(flat, d)
    else:
        r = flat * k if k else flat / s
        q = _round_half_away_array(r, 0)
        if how == "up":
            with np.errstate(invalid="ignore"):
                q = q + ((r - q) > UP_TOLERANCE * np.abs(r))
        res = _snap_to_step(q, s, n, d, clean)
    if series is not None:
        return pd.Series(res, index=series.index, name=series.name)
    res = res.reshape(arr.shape)
    return float(res) if arr.ndim == 0 else res


def excel_round_formula(expr: str, step: float = 1.0, direction: str = "nearest") -> str:
    """Excel formula text (without the leading '=') that rounds ``expr`` like :func:`round_price`.

    Uses only ROUND, IF and ABS, with ',' as argument separator and '.' as decimal point (the
    storage syntax of .xlsx files). ``expr`` is wrapped in parentheses and may be any expression
    (repeated up to four times for "up").
    """
    s, n, d, clean, k = _step_parts(step)
    how = normalise_direction(direction)
    x = f"({expr})"
    st = _step_text(s)
    if how == "nearest" and n == 1 and clean:
        return f"ROUND({x},{d})"
    r = f"{x}*{k}" if k else (x if s == 1 else f"{x}/{st}")
    q = f"ROUND({r},0)"
    if how == "up":
        q = f"({q}+IF({r}-{q}>1E-12*ABS({r}),1,0))"
    inner = f"{q}/{k}" if k else (q if s == 1 else f"{q}*{st}")
    return f"ROUND({inner},{d})" if clean else inner


# --------------------------------------------------------------------------------------------
# Residual
# --------------------------------------------------------------------------------------------

class Residual(NamedTuple):
    """Rounding residual: per item (rounded − exact) × volume, and the total."""

    per_item: np.ndarray | pd.Series
    total: float


def rounding_residual(exact, rounded, volume) -> Residual:
    """Σ (rounded − exact) × volume: what rounding adds to revenue at forecast volumes.

    Returns ``Residual(per_item, total)``; ``per_item`` is a Series when ``exact`` is a Series
    (index kept), otherwise an array of the broadcast shape.
    """
    e = np.asarray(exact, dtype=np.float64)
    r = np.asarray(rounded, dtype=np.float64)
    v = np.asarray(volume, dtype=np.float64)
    try:
        per = (r - e) * v
    except ValueError:
        raise InputError(
            "Exakta priser, avrundade priser och volymer måste ha samma längd "
            f"(fick {e.shape}, {r.shape} och {v.shape})."
        ) from None
    total = math.fsum(per.ravel().tolist()) + 0.0
    if isinstance(exact, pd.Series) and per.shape == (len(exact),):
        return Residual(pd.Series(per, index=exact.index, name="avrundningsdifferens"), total)
    return Residual(per, total)
