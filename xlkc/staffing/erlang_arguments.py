"""The arguments of the Erlang formulas (:mod:`xlkc.staffing.erlang`,
:mod:`xlkc.staffing.erlang_a`): each made a float array and checked, with a Swedish
:class:`~xlkc.errors.InputError` naming the first value out of range (load, agents, handle time,
answer time, service-level, occupancy and ASA targets); and a result given back as a Python
scalar when every argument was one (:func:`_result`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from xlkc.errors import InputError

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
