"""Prisbrygga per price: from last year's price to this year's, in kr per price unit.

Every price line of the price list is written as one function of a year's *price chain*::

    exact = (phi * (P + O + D + CF) + G) / Q            P = V * h * s * k

with, per service: V contacts, h = W / V workload hours per contact, s = FTE / W FTE per
workload hour (staffing and pooling), k = P / FTE personnel cost per FTE (salary, revision, PO),
O overhead, D other direct costs (seats, minutes, named costs), CF the carry-forward in the
price (Självkostnad's column), and per line: phi its share of the service's price basis (1; a
per-channel line: its channel's workload share; a subscription: 1 - fixed share), G its
price-group transfer, Q its quantity in the price unit (contacts: q * V, minutes: 60 * V * h,
hours: V * h, a fixed fee: 1, where q is the line's share of the service's contacts). The city
charge is a rate on every cost, so it travels with each component: P, O and D are taken *with*
their city charge (P = personnel cost x (1 + rate); O = overhead and city charge minus the city
charge on P and D; D the rest of full cost), and full cost = P + O + D.

Last year's chain comes from Utfall (V, W, FTE, personnel cost, overhead with city charge, full
cost, and the carry-forward last year's prices included); last year's city charge is taken at
this year's rate, and a per-channel line's channel mix (q, phi) as this year's. Last year's
group transfer G0 is what last year's price group (Föregående prislista's Prisgrupp) gives the
line: the group's pooled exact price (sum of phi * (C0 + CF0) over sum of Q0, its lines of that
channel) times the line's Q0, less its own basis, as the price list does this year.

**Sequential substitution.** Starting from last year's chain x0 = (V0, h0, s0, k0, O0, D0, CF0,
G0), the components are replaced by this year's values one at a time in this order: volume (the
divisor, and the personnel cost that follows the volume), handle time, staffing and pooling,
salary and PO, overhead, other direct costs, carry-forward, price-group transfer. Each effect
is exact(after the replacement) - exact(before it). Then, with E0 last year's exact price
(Föregående prislista's Exakt pris; unknown: the price itself) and P0, P1 the decided prices:

* outcome effect = exact(x0) - E0: what last year's price missed of last year's real cost per
  unit (last year's under- or overpricing, which the carry-forward then settles);
* rounding effect = (P1 - exact(x1)) - (P0 - E0): this year's rounding less last year's.

The sum telescopes: P0 + (exact(x0) - E0) + [exact(x1) - exact(x0)] + (P1 - exact(x1) - P0
+ E0) = P1. So the effects add up to P1 - P0 exactly (in floating point to far below an öre),
whatever the values; and an effect is zero when its component is the same both years (the
function is evaluated at two points that differ in that component only). The effect of a
component depends on the order (the standard property of sequential substitution): volume is
measured at last year's costs, salary at this year's volume, handle time and staffing.

A line is compared only when last year had a price for it under the same price model and unit;
otherwise the Jämförelse column says why (a new service, a new channel, a changed price model),
and no change or percentage is shown. A line with a price but an incomplete Utfall shows its
change without effects.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlkc.inputs import Inputs, PriceModel
from xlkc.results import PRICE_BRIDGE_COLUMNS, CostResult, StaffingResult
from xlkc.sums import group_codes, sums_by_key

#: The components in their order of substitution (index into the chain vector).
COMPONENTS = ("volume", "handle_time", "staffing", "salary", "overhead", "other",
              "carry_forward", "group_transfer")
#: Result column of each component's effect, in the same order.
EFFECT_COLUMNS = tuple(f"{c}_per_unit_kr" for c in COMPONENTS)
#: Every column between Föregående pris and Årets pris, in order: they sum to the change.
ALL_EFFECTS = ("outcome_per_unit_kr", *EFFECT_COLUMNS, "rounding_per_unit_kr")

_KIND = {PriceModel.PER_MINUTE.value: "minutes", PriceModel.PER_HOUR.value: "hours",
         PriceModel.ANNUAL_FEE.value: "fee"}


def chain_price(x: np.ndarray, phi: np.ndarray, q: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """Exact price of lines from chain vectors ``x`` (shape (8, n), the order of COMPONENTS).

    exact = (phi * (V*h*s*k + O + D + CF) + G) / Q, Q by ``kind``: "contacts" q*V, "minutes"
    60*V*h, "hours" V*h, "fee" 1.
    """
    v, h, s, k, o, d, cf, g = x
    basis = phi * (v * h * s * k + o + d + cf) + g
    with np.errstate(divide="ignore", invalid="ignore"):
        return basis / chain_quantity(v, h, q, kind)


def chain_quantity(v: np.ndarray, h: np.ndarray, q: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """A line's quantity in its price unit: contacts q*V, minutes 60*V*h, hours V*h, fee 1."""
    return np.select([kind == "fee", kind == "minutes", kind == "hours"],
                     [np.ones_like(v), 60.0 * v * h, v * h], q * v)


def substitute(x0: np.ndarray, x1: np.ndarray, phi: np.ndarray, q: np.ndarray,
               kind: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(exact at x0, effects (8, n) in the order of COMPONENTS, exact at x1)."""
    x = np.array(x0, dtype=float, copy=True)
    before = chain_price(x, phi, q, kind)
    start = before
    effects = np.empty_like(x)
    for i in range(len(COMPONENTS)):
        x[i] = x1[i]
        after = chain_price(x, phi, q, kind)
        effects[i] = after - before
        before = after
    return start, effects, before


def _components(volume, workload_h, fte, personnel_kr, overhead_kr, full_cost_kr, rate):
    """(V, h, s, k, O, D) with the city charge carried by each cost component."""
    with np.errstate(divide="ignore", invalid="ignore"):
        personnel = personnel_kr * (1.0 + rate)
        overhead = overhead_kr * (1.0 + rate) - full_cost_kr * rate
        other = full_cost_kr - personnel - overhead
        return (volume, workload_h / volume, fte / workload_h, personnel / fte, overhead, other)


def price_bridge_per_unit(inputs: Inputs, staffing: StaffingResult, cost: CostResult,
                          prices: pd.DataFrame) -> pd.DataFrame:
    """Prisbrygga per price line (PRICE_BRIDGE_COLUMNS); see the module docstring."""
    rate = inputs.parameters.city_charge_rate
    services = {s.service_id: s for s in inputs.services}
    s1 = cost.services.set_index("service_id")
    rows = staffing.services
    # Sums per service and per service and channel as pandas' groupby takes them (issue 15).
    by_service = group_codes(rows["service_id"].tolist())
    ids = by_service.keys
    now = by_service.sums(rows[["volume", "workload_h"]].to_numpy(dtype=np.float64))
    hours_c = sums_by_key(rows["workload_h"].to_numpy(dtype=np.float64),
                          rows["service_id"].tolist(), rows["channel_id"].tolist())
    outcome = {o.service_id: o for o in inputs.outcomes}
    n = len(prices)
    sid = prices["service_id"].to_numpy(dtype=object)
    channel = prices["channel_id"].to_numpy(dtype=object)
    model = prices["price_model"].to_numpy(dtype=object)
    kind = np.array([_KIND.get(m, "contacts") for m in model], dtype=object)
    fee_only = kind == "fee"

    # Each line's row in the cost per service, looked up once (not a label lookup per line and
    # column: issue 15).
    at_service = {i: j for j, i in enumerate(s1.index)}
    rows1 = np.array([at_service[i] for i in sid], dtype=np.intp)

    def this(col):
        return s1[col].to_numpy(dtype=float)[rows1]

    def last(attr):
        out = []
        for i in sid:
            val = getattr(outcome.get(i), attr, None)
            out.append(np.nan if val is None else float(val))
        return np.array(out)

    volume_of = dict(zip(ids, now[:, 0], strict=True))
    hours_of = dict(zip(ids, now[:, 1], strict=True))
    v1 = np.array([float(volume_of.get(i, 0.0)) for i in sid])
    w1 = np.array([float(hours_of.get(i, 0.0)) for i in sid])
    c1 = this("full_cost_kr")
    x1 = np.array([*_components(v1, w1, this("fte"), this("personnel_cost_kr"),
                                this("overhead_kr") + this("city_charge_kr"), c1, rate),
                   this("carry_forward_kr"), prices["group_transfer_kr"].to_numpy(float)])
    # The line's share of its service's price basis (phi) and of its contacts (q).
    phi = np.ones(n)
    q = np.ones(n)
    # Each service's hours per channel and their sum (as Series.sum: NaN as 0), found once
    # instead of a MultiIndex lookup per line (issue 15).
    by_channel: dict[str, dict[str, float]] = {}
    for (s, ch), h in hours_c.items():
        by_channel.setdefault(s, {})[ch] = h
    hours_total: dict[str, np.float64] = {}
    quantity = prices["quantity"].to_numpy()
    for j in range(n):
        svc = services[sid[j]]
        if svc.price_model is PriceModel.PER_CHANNEL:
            hours = by_channel[sid[j]]
            if sid[j] not in hours_total:
                values = np.fromiter(hours.values(), dtype=float, count=len(hours))
                hours_total[sid[j]] = np.where(np.isnan(values), 0.0, values).sum()
            total = hours_total[sid[j]]
            phi[j] = (hours.get(channel[j], 0.0) / total if total > 0
                      else 1.0 / len(hours))
            q[j] = quantity[j] / v1[j] if v1[j] > 0 else np.nan
        elif svc.price_model is PriceModel.SUBSCRIPTION:
            phi[j] = 1.0 - (svc.fixed_share or 0.0)
    cf0 = np.nan_to_num(last("carry_forward_kr"))
    c0 = last("cost_kr")
    v0, h0, s0, k0, o0, d0 = _components(last("volume"), last("workload_h"), last("fte"),
                                         last("personnel_cost_kr"),
                                         np.nan_to_num(last("overhead_kr")), c0, rate)
    x0 = np.array([v0, h0, s0, k0, o0, d0, cf0, np.zeros(n)])
    x0[7] = _group_transfer0(inputs, prices, x0, phi, q, kind)

    p1 = np.where(fee_only, prices["annual_fee_kr"].to_numpy(float),
                  prices["price_kr"].to_numpy(float))
    p0 = prices["previous_price_kr"].to_numpy(float)
    e0 = _previous_exact(inputs, prices)
    e0 = np.where(np.isfinite(e0), e0, p0)
    comparison = np.array([None if pd.isna(c) else c for c in prices["comparison"]],
                          dtype=object)
    comparable = np.array([c is None for c in comparison], dtype=bool) & np.isfinite(p0)
    known = comparable & np.isfinite(x0).all(axis=0) & np.isfinite(x1).all(axis=0) \
        & (x0[0] > 0) & (x1[0] > 0) & (last("workload_h") > 0) & (w1 > 0) \
        & (last("fte") > 0) & (this("fte") > 0)
    start, effects, end = substitute(np.where(known, x0, 1.0), np.where(known, x1, 1.0),
                                     phi, q, kind)
    comparison[comparable & ~known] = "Utfall saknas: förändringen förklaras inte"
    change = np.where(comparable, p1 - p0, np.nan)
    out = {
        "service_id": sid, "channel_id": channel,
        "name": prices["name"].to_numpy(dtype=object),
        "price_unit": prices["price_unit"].to_numpy(dtype=object),
        "previous_price_kr": p0,
        "outcome_per_unit_kr": np.where(known, start - e0, np.nan),
    }
    for col, eff in zip(EFFECT_COLUMNS, effects, strict=True):
        out[col] = np.where(known, eff, np.nan)
    out["rounding_per_unit_kr"] = np.where(known, (p1 - end) - (p0 - e0), np.nan)
    out["price_kr"] = p1
    out["change_kr"] = change
    out["change_pct"] = np.divide(change, p0, out=np.full(n, np.nan),
                                  where=comparable & (np.nan_to_num(p0) != 0))
    out["comparison"] = list(comparison)
    return pd.DataFrame(out, columns=list(PRICE_BRIDGE_COLUMNS))


def _group_transfer0(inputs: Inputs, prices: pd.DataFrame, x0: np.ndarray, phi: np.ndarray, q: np.ndarray,
                     kind: np.ndarray) -> np.ndarray:
    """Last year's transfer of each line inside last year's price group (0 outside a group).

    The group's pooled exact price (sum of the lines' phi * (C0 + CF0) over the sum of their Q0,
    per channel) times the line's Q0, less its own basis; NaN where a member lacks last year.
    The members are this year's lines whose Föregående prislista row names the group.
    """
    v, h, s, k, o, d, cf, _ = x0
    basis = phi * (v * h * s * k + o + d + cf)
    quantity = chain_quantity(v, h, q, kind)
    group = pd.Series(_previous_groups(inputs, prices), index=prices.index)
    out = np.zeros(len(prices))
    in_group = group.notna().to_numpy() & (kind != "fee")
    if not in_group.any():
        return out
    key = group.fillna("").astype(str) + "\x00" + prices["channel_id"].fillna("").astype(str)
    keys = key[in_group].tolist()
    basis, quantity = basis[in_group], quantity[in_group]
    # A member without last year leaves its whole group unknown (a sum with min_count: NaN
    # if one is NaN); each group's sum as pandas takes a column's (numpy's, in row order).
    members: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        members.setdefault(k, []).append(i)
    pooled_basis = np.empty(len(keys))
    pooled_q = np.empty(len(keys))
    for idx in members.values():
        for values, pooled in ((basis, pooled_basis), (quantity, pooled_q)):
            part = values[idx]
            pooled[idx] = np.nan if np.isnan(part).any() else part.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = pooled_basis / pooled_q
    out[in_group] = exact * quantity - basis
    return out


def _previous_groups(inputs: Inputs, prices: pd.DataFrame) -> list[str | None]:
    """Last year's price group of each line (Föregående prislista's Prisgrupp; None: none)."""
    by_key: dict[tuple[str, str], str | None] = {}
    for p in inputs.previous_prices:
        by_key.setdefault((p.service_id, p.channel_id or ""), p.price_group or None)
    return [by_key.get((sid, ch or ""), by_key.get((sid, ""))) for sid, ch in
            zip(prices["service_id"], prices["channel_id"], strict=True)]


def _previous_exact(inputs: Inputs, prices: pd.DataFrame) -> np.ndarray:
    """Last year's exact price per line (the channel's row, else the service's), NaN unknown."""
    by_key: dict[tuple[str, str], float] = {}
    for p in inputs.previous_prices:
        if p.exact_price_kr is not None:
            by_key.setdefault((p.service_id, p.channel_id or ""), float(p.exact_price_kr))
    out = []
    for sid, ch in zip(prices["service_id"], prices["channel_id"], strict=True):
        out.append(by_key.get((sid, ch or ""), by_key.get((sid, ""), np.nan)))
    return np.array(out, dtype=float)
