"""Core helpers behind the worksheet functions (UDFs) and the sheet Ny tjänst.

The UDF module (``xlkc_udfs``) only converts cell values and formats errors; every figure comes
from here, and everything here delegates to the engine: ``staffing.fte_for_intervals`` for FTE,
``costing.cost_per_fte`` for the cost of an FTE and ``rounding.round_price`` for prices.

Units follow the workbook: handle times in minutes at the UDF boundary, seconds here (``_s``);
answer times in seconds; shares as fractions.

A new service's FTE (:func:`new_service_fte`): one typical open day is described by an hourly
profile (shares of a day's contacts per open hour, relative; by default equal shares over the
default opening hours); the yearly volume is spread evenly over ``days`` open days, and each hour
of each day is staffed with Erlang C (real-time) or by workload (deferred). With an existing
pool volume the new volume shares agents with it, and the new service's FTE is its workload share
of the pooled FTE (the engine's rule, ``staffing.model``); without one it is staffed alone, which
is also what a customer would need in-house.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from xlkc.costing import cost_per_fte as _cost_per_fte
from xlkc.errors import InputError, ValidationError
from xlkc.inputs import Channel, ChannelKind, Parameters
from xlkc.rounding import normalise_direction, round_price
from xlkc.staffing import StaffingFigures, fte_for_intervals

__all__ = [
    "ERROR_PREFIX",
    "NewServicePrice",
    "PRICE_KINDS",
    "channel_kind",
    "cost_per_fte",
    "error_text",
    "new_service_fte",
    "new_service_figures",
    "new_service_price",
    "number",
    "parameters_for_hours",
    "price_figure",
    "price_kind",
]

_DEFAULTS = Parameters()
#: What KC_PRIS returns, by the Swedish word a controller types.
PRICE_KINDS = {
    "styckpris": "price", "kontakt": "price", "styckpris per kontakt": "price",
    "årsavgift": "annual_fee", "fast årsavgift": "annual_fee",
    "exakt": "exact_price", "exakt pris": "exact_price",
    "självkostnad": "full_cost",
}


def number(value: Any, what: str) -> float:
    """A finite number from a cell value; text, booleans and empty cells are errors."""
    if value is None:
        raise InputError(f"{what} saknas (tom cell)")
    if isinstance(value, bool | str):
        raise InputError(f"{what} måste vara ett tal, fick {value!r}")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} måste vara ett tal, fick {value!r}") from None
    if not math.isfinite(x):
        raise InputError(f"{what} måste vara ett ändligt tal, fick {value!r}")
    return x


def _non_negative(value: Any, what: str) -> float:
    x = number(value, what)
    if x < 0:
        raise InputError(f"{what} får inte vara negativ, fick {x:g}")
    return x


def _positive(value: Any, what: str) -> float:
    x = number(value, what)
    if x <= 0:
        raise InputError(f"{what} måste vara större än 0, fick {x:g}")
    return x


def channel_kind(kind: Any) -> ChannelKind:
    """'realtid' or 'uppskjuten' (any case, surrounding spaces ignored)."""
    text = str(kind).strip().lower() if isinstance(kind, str) else None
    for k in ChannelKind:
        if text == k.value:
            return k
    allowed = " eller ".join(f"'{k.value}'" for k in ChannelKind)
    raise InputError(f"Kanaltypen måste vara {allowed}, fick {kind!r}")


def price_kind(kind: Any) -> str:
    """The figure KC_PRIS returns: 'price', 'annual_fee', 'exact_price' or 'full_cost'."""
    if kind is None:
        return "price"
    text = str(kind).strip().lower()
    if text in PRICE_KINDS:
        return PRICE_KINDS[text]
    raise InputError("Pristypen måste vara 'styckpris', 'årsavgift', 'exakt' eller "
                     f"'självkostnad', fick {kind!r}")


def parameters_for_hours(productive_hours: float | None) -> Parameters:
    """Parameters whose productive hours per FTE are exactly ``productive_hours``.

    None gives the default parameters. (x / 8 × 8 is exact in binary floating point.)
    """
    if productive_hours is None:
        return _DEFAULTS
    h = _positive(productive_hours, "Produktiva timmar per årsarbetare")
    return Parameters(working_days=h / 8.0, hours_per_day=8.0, vacation_days=0.0,
                      total_shrinkage=0.0)


def cost_per_fte(monthly_salary_kr: float, payroll_overhead_rate: float,
                 salary_revision: float) -> float:
    """Cost per FTE and year: ``costing.cost_per_fte`` with the given PO and revision."""
    salary = _non_negative(monthly_salary_kr, "Månadslönen")
    po = _non_negative(payroll_overhead_rate, "PO-pålägget")
    revision = number(salary_revision, "Lönerevisionen")
    if revision <= -1:
        raise InputError(f"Lönerevisionen måste vara större än -100 %, fick {revision:g}")
    p = Parameters(payroll_overhead_rate=po, salary_revision=revision)
    return float(_cost_per_fte(salary, p))


def _shares(hourly_shares: Any) -> np.ndarray:
    if hourly_shares is None:
        n = _DEFAULTS.closing_hour - _DEFAULTS.opening_hour
        return np.full(n, 1.0 / n)
    values = np.atleast_1d(np.asarray(hourly_shares, dtype=object)).ravel()
    out = np.array([_non_negative(v, "Timprofilens andelar") for v in values], dtype=float)
    if out.size == 0 or out.sum() <= 0:
        raise InputError("Timprofilen måste ha minst en andel större än 0")
    return out / out.sum()


def new_service_figures(
    volume: float,
    aht_s: float,
    kind: ChannelKind | str,
    *,
    service_level: float | None = None,
    answer_time_s: float | None = None,
    max_occupancy: float | None = None,
    max_utilisation: float | None = None,
    concurrency_factor: float | None = None,
    productive_hours: float | None = None,
    hourly_shares: Any = None,
    days: float | None = None,
    pool_volume: float | None = None,
    pool_aht_s: float | None = None,
) -> tuple[float, StaffingFigures]:
    """(FTE of the new volume, the staffing figures of its pool) – see the module docstring.

    ``max_occupancy`` caps the occupancy of a real-time channel, ``max_utilisation`` the
    utilisation of a deferred one (each None: the default parameters', 0.85 / 0.90); only the
    one of the channel's kind is used. ``days`` defaults to the default working days.
    """
    k = channel_kind(kind)
    v = _non_negative(volume, "Volymen")
    aht = _non_negative(aht_s, "Hanteringstiden")
    f = 1.0 if concurrency_factor is None else _positive(concurrency_factor, "Samtidigheten")
    d = _DEFAULTS.working_days if days is None else _positive(days, "Antal öppetdagar")
    pv = 0.0 if pool_volume is None else _non_negative(pool_volume, "Poolens befintliga volym")
    paht = aht if pool_aht_s is None else _non_negative(pool_aht_s,
                                                        "Poolens befintliga hanteringstid")
    params = parameters_for_hours(productive_hours)
    shares = _shares(hourly_shares)
    total = v + pv
    w_new, w_pool = v * aht, v * aht + pv * paht
    mean_aht = w_pool / total if total > 0 else aht
    channel = Channel(k.value, k, concurrency_factor=f)
    fig = fte_for_intervals(total * shares / d, mean_aht, channel, params, days=d,
                            service_level=service_level, answer_time_s=answer_time_s,
                            max_occupancy=max_occupancy if k is ChannelKind.REAL_TIME
                            else max_utilisation)
    fte = fig.fte * w_new / w_pool if pv > 0 and w_pool > 0 else fig.fte
    return float(fte), fig


def new_service_fte(volume: float, aht_s: float, kind: ChannelKind | str, **kw: Any) -> float:
    """FTE of a new volume (see :func:`new_service_figures` for the arguments)."""
    return new_service_figures(volume, aht_s, kind, **kw)[0]


@dataclass(frozen=True)
class NewServicePrice:
    """Full cost and prices of a new service."""

    full_cost_kr: float
    exact_price_kr: float  # full cost / volume (NaN at zero volume)
    price_kr: float  # rounded to the step
    annual_fee_kr: float  # the full cost as a fixed annual fee, to the öre

    def figure(self, kind: str) -> float:
        return float(getattr(self, f"{kind}_kr"))


def new_service_price(fte: float, cost_per_fte_kr: float, overhead_rate: float,
                      volume: float | None = None, step: float = 1.0,
                      direction: str = "nearest") -> NewServicePrice:
    """Full cost = FTE × cost per FTE × (1 + overhead rate); price = round_price(cost / volume).

    The annual fee is the full cost rounded to the öre (half away from zero, as Excel).
    """
    n = _non_negative(fte, "Årsarbetarna")
    c = _non_negative(cost_per_fte_kr, "Kostnaden per årsarbetare")
    o = _non_negative(overhead_rate, "Overheadpålägget")
    step = _positive(step, "Avrundningssteget")
    direction = normalise_direction(direction)
    full = n * c * (1.0 + o)
    if volume is None:
        exact = price = float("nan")
    else:
        v = _positive(volume, "Volymen")
        exact = full / v
        price = float(round_price(exact, step, direction))
    fee = float(round_price(full, 0.01, "nearest"))
    return NewServicePrice(full, exact, price, fee)


def price_figure(kind: Any, fte: float, cost_per_fte_kr: float, overhead_rate: float,
                 volume: float | None = None, step: float = 1.0,
                 direction: str = "nearest") -> float:
    """One figure of :func:`new_service_price`, chosen by a Swedish word (``PRICE_KINDS``)."""
    what = price_kind(kind)
    if volume is None and what in ("price", "exact_price"):
        raise InputError("Volymen krävs för ett styckpris")
    return new_service_price(fte, cost_per_fte_kr, overhead_rate, volume, step,
                             direction).figure(what)


#: Prefix of every error text a worksheet function returns.
ERROR_PREFIX = "#KC: "
_ITEM = re.compile(r"^(Svarsgrupp '[^']*', kanal '[^']*'|Kanal '[^']*'): ")


def error_text(exc: BaseException) -> str:
    """The Swedish text a worksheet function shows instead of a traceback.

    Validation problems lose the item prefix of the engine's messages (a UDF has no answer
    group): "#KC: servicenivån måste ligga mellan 0 och 1 (t.ex. 0,8), fick 1".
    """
    if isinstance(exc, ValidationError):
        parts = [_ITEM.sub("", p.message) for p in exc.problems]
    elif isinstance(exc, InputError):
        parts = [_ITEM.sub("", str(exc))]
    else:
        parts = [f"oväntat fel ({type(exc).__name__}): {exc}"]
    return ERROR_PREFIX + "; ".join(parts)
