"""Follow-up (SPEC §6): why each service's cost moved since last year, and how much of the
workload and the cost rests on which data quality."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from xlkc.costing import cost_per_fte
from xlkc.inputs import Inputs, Source
from xlkc.results import (
    BRIDGE_COLUMNS,
    INHOUSE_COLUMNS,
    QUALITY_COLUMNS,
    CostResult,
    StaffingResult,
)
from xlkc.staffing.group_profiles import group_profiles
from xlkc.staffing.standalone import staff_many_alone
from xlkc.sums import group_codes, series_sum, sums_by_key

#: Less certain last: a contact row rests on the less certain of its volume and handle time.
_ORDER = (Source.MEASURED, Source.VALUATION, Source.TARGET)
TOTAL = "Totalt"


def data_quality(staffing: StaffingResult, cost: CostResult) -> pd.DataFrame:
    """Contacts, workload, FTE and cost per data source (statistik, värdering, målvärde).

    A contact row counts under the less certain source of its volume and handle time; a
    service's full cost is shared over its rows by their FTE (by workload where it has none).
    A last row holds the totals: the cost column adds up to the full cost of all services.
    """
    s = staffing.services
    rank = {src.value: i for i, src in enumerate(_ORDER)}
    row_rank = np.maximum(s["volume_source"].map(rank).to_numpy(),
                          s["aht_source"].map(rank).to_numpy())
    source = [_ORDER[int(r)].value for r in row_rank]
    # Group sums as pandas' groupby takes them (issue 15: on arrays, not per-group frames).
    by_service = group_codes(s["service_id"].tolist())
    fte = s["fte"].to_numpy(dtype=np.float64)
    workload = s["workload_h"].to_numpy(dtype=np.float64)
    fte_total = by_service.transform(fte)
    workload_total = by_service.transform(workload)
    codes = by_service.codes
    rows = np.bincount(codes[codes >= 0], minlength=len(by_service.keys))[codes]
    share = np.where(fte_total > 0, fte / np.where(fte_total > 0, fte_total, 1.0),
                     np.where(workload_total > 0,
                              workload / np.where(workload_total > 0, workload_total, 1),
                              1.0 / rows))
    full = dict(zip(cost.services["service_id"].tolist(),
                    cost.services["full_cost_kr"].to_numpy(dtype=np.float64), strict=True))
    columns = {"contacts": s["volume"].to_numpy(dtype=np.float64), "workload_h": workload,
               "fte": fte,
               "cost_kr": share * np.array([full.get(i, np.nan) for i in s["service_id"].tolist()],
                                           dtype=np.float64)}
    out = _by_source(source, columns)
    # Σ of each column over the sources (each a column of its own: a 1-D sum).
    total = pd.Series({c: float(series_sum(out[c].to_numpy())) for c in out.columns[1:]},
                      dtype=float)
    out.loc[len(out)] = {"source": TOTAL, **total.to_dict()}
    for part, whole in (("workload_share", "workload_h"), ("cost_share", "cost_kr")):
        denominator = float(total[whole])
        out[part] = out[whole] / denominator if denominator > 0 else np.nan
    out["contact_rows"] = out["contact_rows"].astype(int)
    return out[list(QUALITY_COLUMNS)]


def _by_source(source: list[str], columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per source (in ``_ORDER``, 0 where none): the number of rows and the sum of each
    column, as ``groupby("source").agg(...)`` sums them."""
    groups = group_codes(source)
    distinct = groups.keys
    at = [distinct.index(src.value) if src.value in distinct else -1 for src in _ORDER]

    def ordered(values):
        return np.array([values[i] if i >= 0 else 0 for i in at], dtype=values.dtype)

    out = {"source": [src.value for src in _ORDER],
           "contact_rows": ordered(np.bincount(groups.codes, minlength=len(distinct))
                                   .astype(np.int64))}
    for name, values in columns.items():
        out[name] = ordered(groups.sums(values))
    return pd.DataFrame(out)


def price_bridge(inputs: Inputs, staffing: StaffingResult, cost: CostResult) -> pd.DataFrame:
    """Prisbrygga: last year's full cost per service, the effects, this year's full cost.

    Personnel cost = contacts x hours per contact x FTE per workload hour x cost per FTE; each
    factor is changed from last year's value to this year's in that order (sequential
    substitution), so the four personnel effects add up exactly to the change of personnel
    cost. Overhead (with the city charge) and other costs (seats, minutes, direct) change as
    wholes. The effects add up exactly to full cost - last year's cost. A service without last
    year's volume, workload, FTE and personnel cost gets no effects (empty), only its costs.

    Beside it the efficiency of SPEC §6: cost per contact both years, its real change (this
    year's cost deflated by the salary revision) and FTE per 10 000 contacts.
    """
    s = cost.services.set_index("service_id")
    ids = list(s.index)
    now = _per_service(staffing, ["volume", "workload_h"], ids)
    last = {o.service_id: o for o in inputs.outcomes}

    def before(attr: str) -> np.ndarray:
        return np.array([_number(getattr(last.get(i), attr, None)) for i in ids])

    c0, v0, w0 = before("cost_kr"), before("volume"), before("workload_h")
    fte0, p0, oh0 = before("fte"), before("personnel_cost_kr"), before("overhead_kr")
    v1, w1 = now[:, 0], now[:, 1]
    fte1 = s["fte"].to_numpy(dtype=float)
    p1 = s["personnel_cost_kr"].to_numpy(dtype=float)
    oh1 = (s["overhead_kr"] + s["city_charge_kr"]).to_numpy(dtype=float)
    c1 = s["full_cost_kr"].to_numpy(dtype=float)

    known = (v0 > 0) & (w0 > 0) & (fte0 > 0) & np.isfinite(p0) & np.isfinite(c0) & (v1 > 0) \
        & (w1 > 0) & (fte1 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        volume_factor = v1 / v0
        aht_factor = (w1 / v1) / (w0 / v0)
        staffing_factor = (fte1 / w1) / (fte0 / w0)
        k0 = p0 / fte0
        volume_effect = p0 * (volume_factor - 1.0)
        aht_effect = p0 * volume_factor * (aht_factor - 1.0)
        staffing_effect = p0 * volume_factor * aht_factor * (staffing_factor - 1.0)
        salary_effect = p1 - fte1 * k0
        overhead_before = np.where(np.isfinite(oh0), oh0, 0.0)
        overhead_effect = oh1 - overhead_before
        other_effect = (c1 - p1 - oh1) - (c0 - p0 - overhead_before)
        revision = inputs.parameters.salary_revision
        unit0, unit1 = c0 / v0, c1 / v1
        real_change = (unit1 / (1.0 + revision)) / unit0 - 1.0

    def effect(x: np.ndarray) -> np.ndarray:
        return np.where(known, x, np.nan)

    return pd.DataFrame({
        "service_id": ids, "name": s["name"].to_numpy(),
        "previous_cost_kr": c0,
        "volume_effect_kr": effect(volume_effect),
        "handle_time_effect_kr": effect(aht_effect),
        "staffing_effect_kr": effect(staffing_effect),
        "salary_effect_kr": effect(salary_effect),
        "overhead_effect_kr": effect(overhead_effect),
        "other_effect_kr": effect(other_effect),
        "full_cost_kr": c1,
        "previous_cost_per_contact_kr": np.where(v0 > 0, unit0, np.nan),
        "cost_per_contact_kr": np.where(v1 > 0, unit1, np.nan),
        "real_change_pct": np.where((v0 > 0) & (v1 > 0) & (c0 > 0), real_change, np.nan),
        "previous_fte_per_10k": np.where(v0 > 0, fte0 / v0 * 10_000, np.nan),
        "fte_per_10k": np.where(v1 > 0, fte1 / v1 * 10_000, np.nan),
    }, columns=list(BRIDGE_COLUMNS))


def _per_service(staffing: StaffingResult, columns: list[str], ids: list[str]) -> np.ndarray:
    """``staffing.services.groupby("service_id")[columns].sum().reindex(ids)``: the staffing
    rows' sums per service in the order of ``ids`` (NaN for a service without rows)."""
    rows = staffing.services
    groups = group_codes(rows["service_id"].tolist())
    sums = groups.sums(rows[columns].to_numpy(dtype=np.float64))
    at = {k: i for i, k in enumerate(groups.keys)}
    out = np.full((len(ids), len(columns)), np.nan)
    for j, i in enumerate(ids):
        if i in at:
            out[j] = sums[at[i]]
    return out


def _number(x) -> float:
    return float(x) if x is not None else np.nan


def inhouse_comparison(inputs: Inputs, staffing: StaffingResult,
                       charges: pd.DataFrame) -> pd.DataFrame:
    """Kundjämförelse: what a customer would pay doing its share of a service itself.

    For every customer with its own salary: its share of each service it takes (its forecast
    quantity over the service's, per channel for a per-channel service) of every contact row of
    the service, staffed alone - no pooling - at the pool's service level, with the customer's
    own absence; cost = FTE x its own cost per FTE (salary x 12 x revision x PO) x (1 + its
    overhead rate). Beside it the customer's charge from the contact centre.
    """
    comparing = [c for c in inputs.customers if c.own_monthly_salary_kr is not None]
    if not comparing:
        return pd.DataFrame(columns=list(INHOUSE_COLUMNS))
    p = inputs.parameters
    channels = {c.channel_id: c for c in inputs.channels}
    pools = staffing.pools.set_index("pool_id")
    cv = inputs.customer_volumes  # plain columns: asdict() per row costs more than the rest
    volumes = pd.DataFrame({"service_id": [v.service_id for v in cv],
                            "channel_id": [v.channel_id for v in cv],
                            "forecast_quantity": [v.forecast_quantity for v in cv]})
    volumes["channel_key"] = volumes["channel_id"].fillna("")
    totals = sums_by_key(volumes["forecast_quantity"].to_numpy(dtype=np.float64),
                         volumes["service_id"].tolist(), volumes["channel_key"].tolist())
    charged = sums_by_key(charges["charge_kr"].to_numpy(dtype=np.float64),
                          charges["customer_id"].tolist(), charges["service_id"].tolist())
    # Each customer's quantities by service (in order of first appearance) and channel key, in
    # one pass over the rows: filtering all rows once per customer would be quadratic.
    taken_by: dict[str, dict[str, dict[str, float]]] = {}
    for v, key in zip(inputs.customer_volumes, volumes["channel_key"], strict=True):
        per_key = taken_by.setdefault(v.customer_id, {}).setdefault(v.service_id, {})
        per_key[key] = per_key.get(key, 0.0) + v.forecast_quantity
    # Every contact row of a service as plain values, with its pool's targets.
    targets = {pid: {"service_level": _given(level), "answer_time_s": _given(seconds),
                     "max_occupancy": _given(occupancy)}
               for pid, level, seconds, occupancy in zip(
                   pools.index, *(pools[c].tolist() for c in (
                       "service_level_target", "answer_time_s", "max_occupancy")), strict=True)}
    rows_of: dict[str, list[tuple[str, str, float, float]]] = {}
    for sid, *row in zip(*(staffing.services[c].tolist()
                           for c in ("service_id", "channel_id", "pool_id", "volume", "aht_s")),
                         strict=True):
        rows_of.setdefault(sid, []).append(tuple(row))
    profiles = group_profiles(inputs)  # answer group -> its own profile, if it has one
    out, requests, spans = [], [], []
    for customer in comparing:
        own = dataclasses.replace(p, total_shrinkage=customer.own_total_shrinkage) \
            if customer.own_total_shrinkage is not None else p
        per_fte = float(cost_per_fte(customer.own_monthly_salary_kr, p)) * (
            1.0 + (customer.own_overhead_rate or 0.0))
        for sid, taken in taken_by.get(customer.customer_id, {}).items():
            start, contacts = len(requests), 0.0
            for channel_id, pid, volume, aht_s in rows_of.get(sid, ()):
                key = channel_id if (sid, channel_id) in totals else ""
                total = totals.get((sid, key), 0.0)
                share = taken.get(key, 0.0) / total if total > 0 else 0.0
                if share <= 0:
                    continue
                requests.append((volume * share, aht_s, channels[channel_id], own, targets[pid],
                                 profiles.get(pid.rsplit("/", 1)[0])))
                contacts += volume * share
            spans.append((start, len(requests)))
            charge = float(charged.get((customer.customer_id, sid), 0.0))
            out.append({"customer_id": customer.customer_id, "customer_name": customer.name,
                        "service_id": sid, "contacts": contacts, "charge_kr": charge,
                        "_per_fte": per_fte})
    # All stand-alone volumes solved in one pass (each setting validated once).
    figures = staff_many_alone(requests, inputs.profile)
    for row, (start, stop) in zip(out, spans, strict=True):
        workload = fte = 0.0
        for f in figures[start:stop]:
            workload += f.workload_h
            fte += f.fte
        cost = fte * row.pop("_per_fte")
        row.update(workload_h=workload, inhouse_fte=fte, inhouse_cost_kr=cost,
                   difference_kr=cost - row["charge_kr"])
    return pd.DataFrame(out, columns=list(INHOUSE_COLUMNS))


def _given(x) -> float | None:
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else float(x)
