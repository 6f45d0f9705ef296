"""What every customer pays (SPEC §5): quantity x price, plus a key share of each fee.

On plain lists and arrays (issue 15): the customer-volume rows are few per customer, and a
frame per step cost more than the arithmetic.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from xlkc.allocation import distribute_ore_groups
from xlkc.errors import Problem
from xlkc.inputs import FeeKey, Inputs, PriceModel
from xlkc.results import CHARGE_COLUMNS
from xlkc.sums import sums_by_key

#: The price models with a fee shared among the customers.
WITH_FEE = {PriceModel.ANNUAL_FEE, PriceModel.SUBSCRIPTION}


class FeeRows(NamedTuple):
    """The first customer-volume row of each (service, customer) for fee services (in the
    rows' order), with its weight under the service's fee key."""

    at: np.ndarray  # positions among inputs.customer_volumes
    service_id: list[str]
    customer_id: list[str]
    weight: np.ndarray


def fee_rows(inputs: Inputs) -> FeeRows:
    """:class:`FeeRows`. A row's weight: last year's contacts, inhabitants or employees of
    its customer (0 where the customer is unknown), by the service's fee key, else 1 (equal
    shares); a customer new this year (no contacts last year, a forecast this year) under
    last year's contacts is keyed by its forecast (the rule is documented in
    xlkc.crosscheck)."""
    v = inputs.customer_volumes
    # A duplicated service id is reported by the staffing checks; the first one counts here.
    service: dict = {}
    for s in inputs.services:
        service.setdefault(s.service_id, s)
    customer = {c.customer_id: c for c in inputs.customers}
    quantity = np.array([x.forecast_quantity for x in v], dtype=float)
    last_year = np.array([x.last_year_contacts for x in v], dtype=float)
    seen: set = set()
    at: list[int] = []
    weight: list[float] = []
    for i, x in enumerate(v):
        s = service.get(x.service_id)
        if s is None or s.price_model not in WITH_FEE or (x.service_id, x.customer_id) in seen:
            seen.add((x.service_id, x.customer_id))
            continue
        seen.add((x.service_id, x.customer_id))
        at.append(i)
        key = s.fee_key
        c = customer.get(x.customer_id)
        if key == FeeKey.LAST_YEAR_CONTACTS:
            w = last_year[i]
            if last_year[i] == 0 and quantity[i] > 0:
                w = quantity[i]
        elif key == FeeKey.INHABITANTS:
            w = float((c.inhabitants or 0.0) if c is not None else 0.0)
        elif key == FeeKey.EMPLOYEES:
            w = float((c.employees or 0.0) if c is not None else 0.0)
        else:
            w = 1.0
        weight.append(w)
    return FeeRows(np.array(at, dtype=np.intp), [v[i].service_id for i in at],
                   [v[i].customer_id for i in at], np.array(weight, dtype=float))


def validate_customers(inputs: Inputs) -> list[Problem]:
    problems: list[Problem] = []
    services = {s.service_id: s for s in inputs.services}
    customers = {c.customer_id for c in inputs.customers}
    for i, c in enumerate(inputs.customers):
        for field, label, ok in (
                ("own_monthly_salary_kr", "egen månadslön", lambda x: x >= 0),
                ("own_total_shrinkage", "egen frånvaro", lambda x: 0 <= x < 1),
                ("own_overhead_rate", "eget overheadpålägg", lambda x: x >= 0)):
            value = getattr(c, field)
            if value is not None and not ok(value):
                problems.append(Problem(f"Kunden '{c.customer_id}': {label} kan inte vara "
                                        f"{value:g}".replace(".", ","), record="customers",
                                        index=i, field=field))
    for i, v in enumerate(inputs.customer_volumes):
        if v.customer_id not in customers:
            problems.append(Problem(f"Kunden '{v.customer_id}' finns inte under Kunder",
                                    record="customer_volumes", index=i, field="customer_id"))
        if v.service_id not in services:
            problems.append(Problem(f"Tjänsten '{v.service_id}' finns inte under Tjänster",
                                    record="customer_volumes", index=i, field="service_id"))
        if v.forecast_quantity < 0 or v.last_year_contacts < 0:
            problems.append(Problem(f"Kunden '{v.customer_id}' har en negativ volym för "
                                    f"'{v.service_id}'", record="customer_volumes", index=i,
                                    field="forecast_quantity"))
    rows = fee_rows(inputs)
    weights = sums_by_key(rows.weight, rows.service_id)  # as groupby("service_id").sum()
    for i, s in enumerate(inputs.services):
        if s.price_model not in WITH_FEE or s.fee_key is None:
            continue
        if s.service_id not in weights:
            problems.append(Problem(f"Tjänsten '{s.service_id}' har en fast avgift men inga "
                                    "kunder under Kundvolymer", record="services", index=i,
                                    field="fee_key"))
        elif not weights[s.service_id] > 0:
            problems.append(Problem(f"Fördelningsnyckeln '{s.fee_key.value}' för tjänsten "
                                    f"'{s.service_id}' är 0 för alla kunder", record="services",
                                    index=i, field="fee_key"))
    return problems


def customer_charges(inputs: Inputs, prices: pd.DataFrame) -> pd.DataFrame:
    """Per customer and service: quantity x price, plus the customer's key share of a fee.

    The price of a row is its service's line for its channel, else the service's line
    without a channel; last year's likewise, where the line has a comparable one. A fee is
    shared to the öre among the customers that take the service (largest remainder), one
    share per customer even when it has a row per channel. Rows in the services' order.
    """
    v = inputs.customer_volumes
    n = len(v)
    unit_price, prev_unit = _unit_prices(v, prices)
    model_of = {s.service_id: s.price_model for s in inputs.services}
    model = [model_of.get(x.service_id) for x in v]
    fee_only = np.array([m == PriceModel.ANNUAL_FEE for m in model], dtype=bool)
    unit_price = np.where(fee_only, np.nan, unit_price)
    prev_unit = np.where(fee_only, np.nan, prev_unit)

    fee = np.zeros(n)
    prev_fee = np.zeros(n)
    share = np.full(n, np.nan)
    share[np.array([m in WITH_FEE for m in model], dtype=bool)] = 0.0
    _split_fees(inputs, prices, fee_rows(inputs), fee, prev_fee, share)

    quantity = np.array([x.forecast_quantity for x in v], dtype=float)
    charge = np.nan_to_num(quantity * unit_price) + fee
    # NaN where last year had no comparable price (a new service or channel, another model).
    previous = np.where(fee_only, prev_fee, quantity * prev_unit + prev_fee)
    names = {c.customer_id: c.name for c in inputs.customers}
    order = {s.service_id: i for i, s in enumerate(inputs.services)}
    # By service (an unknown one last), stable.
    rank = [order.get(x.service_id) for x in v]
    sort = sorted(range(n), key=lambda i: (rank[i] is None, rank[i] or 0))
    rows = [v[i] for i in sort]
    # As a column of a frame of these rows (its dtype as pandas infers it, also with none).
    customer = pd.DataFrame({"customer_id": [x.customer_id for x in rows]})["customer_id"]
    return pd.DataFrame({
        "customer_id": customer, "customer_name": customer.map(names).fillna(""),
        "service_id": [x.service_id for x in rows], "channel_id": [x.channel_id for x in rows],
        "quantity": quantity[sort], "price_kr": unit_price[sort], "fee_share": share[sort],
        "fee_kr": fee[sort], "charge_kr": charge[sort], "previous_price_kr": prev_unit[sort],
        "previous_charge_kr": previous[sort], "price_effect_kr": (charge - previous)[sort],
    }, columns=list(CHARGE_COLUMNS))


def _unit_prices(volumes, prices: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each customer-volume row's price and last year's comparable price (NaN: none): its
    service's line for its channel, else the line without a channel."""
    comparable = prices["comparison"].isna().to_numpy()
    previous = np.where(comparable, prices["previous_price_kr"].to_numpy(dtype=float), np.nan)
    line: dict[tuple, tuple[float, float]] = {}
    for sid, ch, price, prev in zip(prices["service_id"].tolist(), prices["channel_id"].tolist(),
                                    prices["price_kr"].to_numpy(dtype=float).tolist(),
                                    previous.tolist(), strict=True):
        line.setdefault((sid, "" if ch is None or ch != ch else ch), (price, prev))
    nan = (np.nan, np.nan)
    price_out, prev_out = [], []
    for x in volumes:
        exact = line.get((x.service_id, x.channel_id or ""), nan)
        general = line.get((x.service_id, ""), nan)
        price_out.append(general[0] if exact[0] != exact[0] else exact[0])
        prev_out.append(general[1] if exact[1] != exact[1] else exact[1])
    return np.array(price_out, dtype=float), np.array(prev_out, dtype=float)


def _split_fees(inputs: Inputs, prices: pd.DataFrame, rows: FeeRows, fee: np.ndarray,
                prev_fee: np.ndarray, share: np.ndarray) -> None:
    """Each fee service's fee (and last year's) split to the öre over its customers' rows by
    weight, and each row's share (into ``fee``, ``prev_fee``, ``share``, per volume row).

    Services in order of first appearance, rows in order, all at once (issue 15: a groupby
    loop of one split per service cost most of this)."""
    annual: dict[str, float] = {}
    for sid, a in zip(prices["service_id"].tolist(),
                      prices["annual_fee_kr"].to_numpy(dtype=float).tolist(), strict=True):
        if a == a:
            annual.setdefault(sid, a)
    previous_fee = _previous_fees(inputs)
    codes, sids = pd.factorize(pd.Series(rows.service_id, dtype=object), sort=False)
    order = np.argsort(codes, kind="stable")
    if not order.size:
        return
    code_of = codes[order]
    starts = np.flatnonzero(np.r_[True, code_of[1:] != code_of[:-1]])
    w = rows.weight[order]
    at = rows.at[order]
    fee[at] = distribute_ore_groups([float(annual[sid]) for sid in sids], w, starts)
    befores = [previous_fee.get(sid, np.nan) for sid in sids]
    prev_fee[at] = distribute_ore_groups(
        [b if np.isfinite(b) else np.nan for b in befores], w, starts)
    for a, b in zip(starts, np.append(starts[1:], order.size), strict=True):
        share[at[a:b]] = w[a:b] / w[a:b].sum()


def _previous_fees(inputs: Inputs) -> dict[str, float]:
    """Last year's whole fee per fee service (annual fee: its price; subscription: its fee)."""
    model = {s.service_id: s.price_model for s in inputs.services}
    out: dict[str, float] = {}
    for q in inputs.previous_prices:
        m = model.get(q.service_id)
        if q.price_model is not None and q.price_model is not m:
            continue  # another model last year: no fee to compare with
        if m is PriceModel.ANNUAL_FEE:
            out.setdefault(q.service_id, float(q.price_kr))
        elif m is PriceModel.SUBSCRIPTION and q.annual_fee_kr is not None:
            out.setdefault(q.service_id, float(q.annual_fee_kr))
    return out
