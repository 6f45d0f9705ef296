"""Price: from full cost to the price list and what every customer pays (SPEC §5).

Revenue at forecast volumes equals the price basis (full cost + carry-forward) plus the rounding
residual, exactly: the residual is defined per price line as (price - exact price) x quantity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlkc.allocation import distribute_ore
from xlkc.errors import Problem, ValidationError
from xlkc.inputs import FeeKey, Inputs, PriceModel, Service
from xlkc.results import (
    CHARGE_COLUMNS,
    CUSTOMER_TOTAL_COLUMNS,
    PRICE_COLUMNS,
    CostResult,
    PriceResult,
    StaffingResult,
)
from xlkc.rounding import round_price

_PER_UNIT = {PriceModel.PER_CONTACT, PriceModel.PER_CHANNEL, PriceModel.PER_MINUTE,
             PriceModel.PER_HOUR}
_WITH_FEE = {PriceModel.ANNUAL_FEE, PriceModel.SUBSCRIPTION}


def forecast_quantities(staffing: StaffingResult) -> pd.DataFrame:
    """Per service and channel: contacts, handled minutes, workload hours at forecast volumes."""
    d = staffing.services
    return pd.DataFrame({
        "service_id": d["service_id"], "channel_id": d["channel_id"],
        "contacts": d["volume"], "minutes": d["volume"] * d["aht_s"] / 60.0,
        "hours": d["workload_h"],
    })


def _quantity_column(model: PriceModel) -> str:
    return {PriceModel.PER_MINUTE: "minutes", PriceModel.PER_HOUR: "hours"}.get(model,
                                                                                "contacts")


def price_lines(inputs: Inputs, cost: CostResult, staffing: StaffingResult) -> pd.DataFrame:
    """One line per priced item: its quantity and the cost it must cover (before rounding).

    Per-channel services get one line per channel, their cost split by channel workload; a
    subscription's basis is split into the fixed fee's share and the per-contact rest.
    """
    basis = cost.services.set_index("service_id")["price_basis_kr"]
    qty = forecast_quantities(staffing)
    rows = []
    for s in inputs.services:
        mine = qty[qty["service_id"] == s.service_id]
        b = float(basis[s.service_id])
        if s.price_model is PriceModel.PER_CHANNEL:
            hours = mine["hours"].to_numpy()
            split = hours / hours.sum() if hours.sum() > 0 else np.full(len(hours), 1 / len(hours))
            for (_, r), part in zip(mine.iterrows(), split, strict=True):
                rows.append((s, r["channel_id"], float(r["contacts"]), b * part, 0.0))
        elif s.price_model is PriceModel.ANNUAL_FEE:
            rows.append((s, None, float(mine["contacts"].sum()), 0.0, b))
        elif s.price_model is PriceModel.SUBSCRIPTION:
            fixed = b * float(s.fixed_share or 0.0)
            rows.append((s, None, float(mine["contacts"].sum()), b - fixed, fixed))
        else:
            rows.append((s, None, float(mine[_quantity_column(s.price_model)].sum()), b, 0.0))
    return pd.DataFrame(
        [{"service_id": s.service_id, "channel_id": ch, "price_group": s.price_group,
          "price_model": s.price_model, "quantity": q, "variable_basis_kr": vb,
          "fee_basis_kr": fb} for s, ch, q, vb, fb in rows])


def validate_prices(inputs: Inputs) -> list[Problem]:
    problems: list[Problem] = []
    index = {s.service_id: i for i, s in enumerate(inputs.services)}
    groups: dict[str, set] = {}
    for s in inputs.services:
        if s.price_group:
            groups.setdefault(s.price_group, set()).add((s.price_model, s.price_unit))
        if s.price_model in _WITH_FEE and s.fee_key is None:
            problems.append(Problem(
                f"Tjänsten '{s.service_id}' har prismodellen {s.price_model.value} men ingen "
                "fördelningsnyckel för avgiften", record="services", index=index[s.service_id],
                field="fee_key"))
        if s.price_model is PriceModel.SUBSCRIPTION and not (
                s.fixed_share is not None and 0.0 <= s.fixed_share <= 1.0):
            problems.append(Problem(
                f"Tjänsten '{s.service_id}' (abonnemang + rörligt) behöver en fast andel mellan "
                "0 och 100 %", record="services", index=index[s.service_id], field="fixed_share"))
    for g, kinds in groups.items():
        if len(kinds) > 1:
            problems.append(Problem(f"Prisgruppen '{g}' blandar prismodeller; alla tjänster i "
                                    "en prisgrupp måste ha samma prismodell", record="services",
                                    field="price_group"))
    # A price per unit needs a positive forecast quantity (pooled over a price group).
    quantity: dict[tuple[str, str | None], float] = {}
    for s in inputs.services:
        if s.price_model is PriceModel.ANNUAL_FEE or (
                s.price_model is PriceModel.SUBSCRIPTION and s.fixed_share == 1.0):
            continue
        for c in inputs.contacts:
            if c.service_id != s.service_id:
                continue
            key = (s.price_group or s.service_id,
                   c.channel_id if s.price_model is PriceModel.PER_CHANNEL else None)
            amount = {PriceModel.PER_MINUTE: c.used_volume * c.used_aht_s / 60.0,
                      PriceModel.PER_HOUR: c.used_volume * c.used_aht_s / 3600.0}.get(
                s.price_model, c.used_volume)
            quantity[key] = quantity.get(key, 0.0) + amount
        if not any(v > 0 for k, v in quantity.items() if k[0] == (s.price_group or s.service_id)):
            problems.append(Problem(
                f"Tjänsten '{s.service_id}' har ett styckpris men prognosvolymen är 0; priset "
                "kan inte beräknas", record="services", index=index[s.service_id],
                field="price_model"))
    return problems


def compute_prices(inputs: Inputs, cost: CostResult, staffing: StaffingResult) -> PriceResult:
    lines = price_lines(inputs, cost, staffing)
    problems = validate_prices(inputs) + validate_customers(inputs)
    if problems:
        raise ValidationError(problems)
    p = inputs.parameters

    # Price groups share one price: pooled basis over pooled quantity (per channel).
    key = lines["price_group"].fillna(lines["service_id"])
    chan = lines["channel_id"].fillna("")
    pooled_basis = lines.groupby([key, chan])["variable_basis_kr"].transform("sum")
    pooled_qty = lines.groupby([key, chan])["quantity"].transform("sum")
    variable = lines["variable_basis_kr"].abs() > 0
    exact = np.where(variable, pooled_basis / pooled_qty.where(pooled_qty > 0, np.nan), 0.0)
    exact = np.nan_to_num(exact)
    rounded = np.asarray(round_price(exact, p.rounding_step_kr, p.rounding_direction.value))
    rounded = np.where(variable, rounded, 0.0)
    fee = np.round(lines["fee_basis_kr"].to_numpy(dtype=float), 2)
    quantity = lines["quantity"].to_numpy(dtype=float)
    # Rounding residual: (rounded - exact price) x quantity, plus a fee's rounding to the öre.
    residual = (rounded - exact) * quantity + (fee - lines["fee_basis_kr"].to_numpy())
    # Within a price group a member pays the group's exact price, not its own: the transfers
    # between members add up to zero per group.
    transfer = np.where(variable, exact * quantity - lines["variable_basis_kr"].to_numpy(), 0.0)

    prev = {(q.service_id, q.channel_id): q for q in inputs.previous_prices}
    services = {s.service_id: s for s in inputs.services}
    out = []
    for i, line in lines.iterrows():
        s: Service = services[line["service_id"]]
        pp = prev.get((s.service_id, line["channel_id"])) or prev.get((s.service_id, None))
        if s.price_model is PriceModel.ANNUAL_FEE:
            price = float(fee[i])
            exact_i = float(line["fee_basis_kr"])
            previous = pp.price_kr if pp else np.nan
        else:
            price = float(rounded[i])
            exact_i = float(exact[i])
            previous = pp.price_kr if pp else np.nan
        change = price - previous
        out.append({
            "service_id": s.service_id, "channel_id": line["channel_id"], "name": s.name,
            "unit": s.unit, "service_type": s.service_type.value,
            "price_model": s.price_model.value, "price_unit": s.price_unit,
            "price_group": s.price_group, "quantity": float(line["quantity"]),
            "cost_basis_kr": float(line["variable_basis_kr"] + line["fee_basis_kr"]),
            "exact_price_kr": exact_i, "price_kr": price,
            "annual_fee_kr": float(fee[i]) if s.price_model in _WITH_FEE else np.nan,
            "previous_price_kr": previous, "change_kr": change,
            "change_pct": change / previous if previous else np.nan,
            "residual_kr": float(residual[i]), "group_transfer_kr": float(transfer[i]),
        })
    prices = pd.DataFrame(out, columns=list(PRICE_COLUMNS))
    charges = customer_charges(inputs, prices)
    totals = (charges.groupby(["customer_id", "customer_name"], sort=False)
              [["charge_kr", "previous_charge_kr", "price_effect_kr"]].sum().reset_index())
    return PriceResult(prices=prices, charges=charges,
                       customer_totals=totals[list(CUSTOMER_TOTAL_COLUMNS)])


def validate_customers(inputs: Inputs) -> list[Problem]:
    problems: list[Problem] = []
    services = {s.service_id: s for s in inputs.services}
    customers = {c.customer_id for c in inputs.customers}
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
    for s in inputs.services:
        if s.price_model not in _WITH_FEE or s.fee_key is None:
            continue
        takers = [v for v in inputs.customer_volumes if v.service_id == s.service_id]
        if not takers:
            problems.append(Problem(f"Tjänsten '{s.service_id}' har en fast avgift men inga "
                                    "kunder under Kundvolymer", record="services",
                                    field="fee_key"))
        elif _fee_weights(inputs, s, takers).sum() <= 0:
            problems.append(Problem(f"Fördelningsnyckeln '{s.fee_key.value}' för tjänsten "
                                    f"'{s.service_id}' är 0 för alla kunder", record="services",
                                    field="fee_key"))
    return problems


def _fee_weights(inputs: Inputs, service: Service, takers) -> np.ndarray:
    customer = {c.customer_id: c for c in inputs.customers}
    if service.fee_key is FeeKey.LAST_YEAR_CONTACTS:
        w = [v.last_year_contacts for v in takers]
    elif service.fee_key is FeeKey.INHABITANTS:
        w = [customer[v.customer_id].inhabitants or 0.0 for v in takers]
    elif service.fee_key is FeeKey.EMPLOYEES:
        w = [customer[v.customer_id].employees or 0.0 for v in takers]
    else:
        w = [1.0] * len(takers)
    return np.asarray(w, dtype=float)


def customer_charges(inputs: Inputs, prices: pd.DataFrame) -> pd.DataFrame:
    """Per customer and service: quantity x price, plus the customer's key share of a fee."""
    names = {c.customer_id: c.name for c in inputs.customers}
    services = {s.service_id: s for s in inputs.services}
    price_of = {(r.service_id, r.channel_id if isinstance(r.channel_id, str) else None): r
                for r in prices.itertuples()}
    rows = []
    for s in inputs.services:
        takers = [v for v in inputs.customer_volumes if v.service_id == s.service_id]
        if not takers:
            continue
        # One fee share per customer, even if it has a row per channel.
        fee_customers = list(dict.fromkeys(v.customer_id for v in takers))
        shares = {c: 0.0 for c in fee_customers}
        fees = {c: 0.0 for c in fee_customers}
        prev_fees = {c: 0.0 for c in fee_customers}
        if s.price_model in _WITH_FEE:
            first = [next(v for v in takers if v.customer_id == c) for c in fee_customers]
            w = _fee_weights(inputs, s, first)
            line = price_of[(s.service_id, None)]
            parts = distribute_ore(float(line.annual_fee_kr), w)
            prev_fee = _previous_fee(inputs, s)
            prev_parts = (distribute_ore(prev_fee, w) if np.isfinite(prev_fee)
                          else np.full(len(w), np.nan))
            for c, wi, part, prev_part in zip(fee_customers, w, parts, prev_parts, strict=True):
                shares[c], fees[c], prev_fees[c] = wi / w.sum(), float(part), float(prev_part)
        seen_fee: set[str] = set()
        for v in takers:
            line = price_of.get((s.service_id, v.channel_id)) or price_of[(s.service_id, None)]
            unit_price = 0.0 if s.price_model is PriceModel.ANNUAL_FEE else float(line.price_kr)
            prev_unit = (0.0 if s.price_model is PriceModel.ANNUAL_FEE
                         else float(line.previous_price_kr))
            fee = fees[v.customer_id] if v.customer_id not in seen_fee else 0.0
            prev_fee_part = prev_fees[v.customer_id] if v.customer_id not in seen_fee else 0.0
            share = shares[v.customer_id] if v.customer_id not in seen_fee else 0.0
            seen_fee.add(v.customer_id)
            charge = v.forecast_quantity * unit_price + fee
            previous = v.forecast_quantity * prev_unit + prev_fee_part
            rows.append({
                "customer_id": v.customer_id, "customer_name": names.get(v.customer_id, ""),
                "service_id": s.service_id, "channel_id": v.channel_id,
                "quantity": v.forecast_quantity,
                "price_kr": unit_price if s.price_model is not PriceModel.ANNUAL_FEE else np.nan,
                "fee_share": share if services[s.service_id].price_model in _WITH_FEE
                else np.nan,
                "fee_kr": fee, "charge_kr": charge, "previous_price_kr": prev_unit
                if s.price_model is not PriceModel.ANNUAL_FEE else np.nan,
                "previous_charge_kr": previous, "price_effect_kr": charge - previous,
            })
    return pd.DataFrame(rows, columns=list(CHARGE_COLUMNS))


def _previous_fee(inputs: Inputs, s: Service) -> float:
    for q in inputs.previous_prices:
        if q.service_id == s.service_id:
            if s.price_model is PriceModel.ANNUAL_FEE:
                return float(q.price_kr)
            if q.annual_fee_kr is not None:
                return float(q.annual_fee_kr)
    return float("nan")
