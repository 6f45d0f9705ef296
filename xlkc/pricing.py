"""Price: from full cost to the price list and what every customer pays (SPEC §5).

Revenue at forecast volumes equals the price basis (full cost + carry-forward) plus the rounding
residual: the residual is defined per price line as (price - exact price) x quantity, plus the
fee's rounding (rounded fee - fee basis). Each price unit is rounded by its own step and
direction (``Parameters.rounding``: kr/kontakt, kr/minut, kr/timme; fees by kr/år). Price groups move money between their members only (``group_transfer_kr``
sums to zero per group).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from xlkc.charges import WITH_FEE as _WITH_FEE
from xlkc.charges import customer_charges, validate_customers
from xlkc.errors import Problem, ValidationError
from xlkc.inputs import PRICE_UNITS, ROUNDING_UNIT, Inputs, PriceModel
from xlkc.results import (
    CUSTOMER_TOTAL_COLUMNS,
    PRICE_COLUMNS,
    CostResult,
    PriceResult,
    StaffingResult,
)
from xlkc.rounding import round_price
from xlkc.sums import Groups, group_codes, is_missing

_QUANTITY_OF = {PriceModel.PER_MINUTE: "minutes", PriceModel.PER_HOUR: "hours"}


def _services_frame(inputs: Inputs) -> pd.DataFrame:
    return pd.DataFrame({
        "service_id": [s.service_id for s in inputs.services],
        "price_model": [s.price_model for s in inputs.services],
        "price_group": [s.price_group for s in inputs.services],
        "fixed_share": [s.fixed_share if s.fixed_share is not None else 0.0
                        for s in inputs.services],
        "fee_key": [s.fee_key for s in inputs.services],
    })


def contact_quantities(inputs: Inputs) -> pd.DataFrame:
    """Per contact row: contacts, handled minutes and workload hours at the used values."""
    c = inputs.contacts
    volume = np.array([x.used_volume for x in c], dtype=float)
    aht = np.array([x.used_aht_s for x in c], dtype=float)
    return pd.DataFrame({
        "service_id": [x.service_id for x in c], "channel_id": [x.channel_id for x in c],
        "contacts": volume, "minutes": volume * aht / 60.0, "hours": volume * aht / 3600.0,
    })


def price_lines(inputs: Inputs, basis: pd.Series, quantities: pd.DataFrame) -> pd.DataFrame:
    """One line per priced item: its quantity and the cost it must cover (before rounding).

    ``basis`` is the price basis per service id; ``quantities`` has one row per service and
    channel (contacts, minutes, hours). Per-channel services get one line per channel, their
    cost split by channel workload (hours / the service's hours; equal shares when it has
    none); a subscription's basis is split into the fixed fee's share and the per-contact
    rest; an annual fee is all fee. Lines in the services' order, each service's channels in
    the quantities' order. The joins and group sums are done on arrays, as the frames did them
    (issue 15).
    """
    svc = _services_frame(inputs)
    services = inputs.services
    b = basis.reindex(svc["service_id"]).to_numpy(dtype=float)
    # Each service id's rows among the services (more than one only in invalid inputs).
    rows_of: dict[str, list[int]] = {}
    for j, s in enumerate(services):
        rows_of.setdefault(s.service_id, []).append(j)
    per_channel = [j for j, s in enumerate(services) if s.price_model == PriceModel.PER_CHANNEL]
    channel_rows = {}
    for j in per_channel:
        channel_rows.setdefault(services[j].service_id, []).append(j)
    q_ids = quantities["service_id"].tolist()
    pairs = [(i, j) for i, sid in enumerate(q_ids) for j in channel_rows.get(sid, ())]
    qi = np.array([i for i, _ in pairs], dtype=np.intp)
    sj = np.array([j for _, j in pairs], dtype=np.intp)
    channel_lines = _channel_lines(quantities, qi, b[sj], [q_ids[i] for i in qi])

    by_service = group_codes(q_ids)
    totals = by_service.sums(quantities[["contacts", "minutes", "hours"]].to_numpy(
        dtype=np.float64))
    total_of = {k: i for i, k in enumerate(by_service.keys)}
    rest = [j for j, s in enumerate(services) if s.price_model != PriceModel.PER_CHANNEL]
    column = {"contacts": 0, "minutes": 1, "hours": 2}
    picked = np.array([
        totals[total_of[services[j].service_id], column[
            _QUANTITY_OF.get(services[j].price_model, "contacts")]]
        if services[j].service_id in total_of else 0.0 for j in rest], dtype=float)
    picked = np.where(np.isnan(picked), 0.0, picked)
    model = [services[j].price_model for j in rest]
    fixed = svc["fixed_share"].to_numpy()[rest] if rest else np.zeros(0)
    is_fee = np.array([m == PriceModel.ANNUAL_FEE for m in model], dtype=bool)
    fee_share = np.select([is_fee, np.array([m == PriceModel.SUBSCRIPTION for m in model],
                                            dtype=bool)], [1.0, fixed], 0.0)
    fee_basis = b[rest] * fee_share
    variable = b[rest] - fee_basis
    variable[is_fee] = 0.0
    other_lines = pd.DataFrame({
        "service_id": np.array([services[j].service_id for j in rest], dtype=object),
        "channel_id": None, "quantity": picked, "variable_basis_kr": variable,
        "fee_basis_kr": fee_basis})

    lines = pd.concat([channel_lines, other_lines], ignore_index=True)
    # In the services' order (stable), each line beside its service's model and group (one
    # line per service row of its id: a left join).
    order = {s.service_id: j for j, s in enumerate(services)}
    line_ids = [services[j].service_id for j in sj] + [services[j].service_id for j in rest]
    sort = np.argsort(np.array([order[i] for i in line_ids], dtype=np.intp), kind="stable")
    joined = [(k, j) for k in sort.tolist() for j in rows_of[line_ids[k]]]
    at = np.array([k for k, _ in joined], dtype=np.intp)
    js = np.array([j for _, j in joined], dtype=np.intp)
    lines = lines.take(at).reset_index(drop=True)
    for col in ("price_model", "price_group"):
        lines[col] = svc[col].take(js).reset_index(drop=True)
    return lines


def _channel_lines(quantities: pd.DataFrame, qi: np.ndarray, basis: np.ndarray,
                   ids: list[str]) -> pd.DataFrame:
    """The lines of per-channel services: quantity rows ``qi`` (their services' ``ids`` and
    price ``basis``), each basis x hours / the service's hours over its rows, or an equal
    share where the service has no hours."""
    q = quantities.take(qi).reset_index(drop=True)
    hours = q["hours"].to_numpy(dtype=np.float64)
    by_service = group_codes(ids)
    hours_total = by_service.transform(hours)
    count = np.bincount(by_service.codes, minlength=len(by_service.keys))[by_service.codes]
    split = np.where(hours_total > 0, hours / np.where(hours_total > 0, hours_total, 1.0),
                     1.0 / count)
    return pd.DataFrame({
        "service_id": q["service_id"], "channel_id": q["channel_id"],
        "quantity": q["contacts"], "variable_basis_kr": basis * split,
        "fee_basis_kr": 0.0})


def validate_prices(inputs: Inputs) -> list[Problem]:
    problems: list[Problem] = []
    index = {s.service_id: i for i, s in enumerate(inputs.services)}
    groups: dict[str, set] = {}
    first_of_group: dict[str, str] = {}
    for s in inputs.services:
        if s.price_group:
            groups.setdefault(s.price_group, set()).add(s.price_model)
            first_of_group.setdefault(s.price_group, s.service_id)
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
    for g, models in groups.items():
        if len(models) > 1:
            problems.append(Problem(
                f"Prisgruppen '{g}' blandar prismodeller; alla tjänster i en prisgrupp måste ha "
                "samma prismodell", record="services", index=index[first_of_group[g]],
                field="price_group"))
    # A price per unit needs a positive forecast quantity (pooled over a price group).
    q = contact_quantities(inputs)
    known = q[q["service_id"].isin(index)]
    basis = pd.Series(1.0, index=list(index))
    lines = price_lines(inputs, basis, known)
    keep = (lines["variable_basis_kr"] > 0).to_numpy()
    ids = [sid for sid, k in zip(lines["service_id"].tolist(), keep, strict=True) if k]
    pooled = _line_groups(lines, keep).transform(
        lines["quantity"].to_numpy(dtype=np.float64)[keep])
    for sid in dict.fromkeys(sid for sid, q in zip(ids, pooled, strict=True) if q <= 0):
        problems.append(Problem(
            f"Tjänsten '{sid}' har ett styckpris men prognosvolymen är 0; priset kan inte "
            "beräknas", record="services", index=index[sid], field="price_model"))
    return problems


def _line_groups(lines: pd.DataFrame, keep: np.ndarray | None = None) -> Groups:
    """The price groups of price lines (those ``keep`` marks): each line's group by its price
    group, else its service, and its channel."""
    group = lines["price_group"].tolist()
    sid = lines["service_id"].tolist()
    channel = lines["channel_id"].tolist()
    at = range(len(sid)) if keep is None else np.flatnonzero(keep).tolist()
    return group_codes([sid[i] if is_missing(group[i]) else group[i] for i in at],
                       ["" if is_missing(channel[i]) else channel[i] for i in at])


def compute_prices(inputs: Inputs, cost: CostResult, staffing: StaffingResult, *,
                   validated: bool = False, repricer: Repricer | None = None) -> PriceResult:
    """The price list, customer charges and totals (``validated``: inputs already checked;
    ``repricer``: the inputs' :class:`Repricer`, when the caller has it)."""
    problems = [] if validated else validate_prices(inputs) + validate_customers(inputs)
    if problems:
        raise ValidationError(problems)
    prices = price_list(inputs, cost, repricer)
    charges = customer_charges(inputs, prices)
    totals = (charges.groupby(["customer_id", "customer_name"], sort=False)
              [["charge_kr", "previous_charge_kr", "price_effect_kr"]].sum().reset_index())
    return PriceResult(prices=prices, charges=charges,
                       customer_totals=totals[list(CUSTOMER_TOTAL_COLUMNS)])


def price_list(inputs: Inputs, cost: CostResult, repricer: Repricer | None = None
               ) -> pd.DataFrame:
    """The price list (PRICE_COLUMNS) of valid inputs: exact and rounded prices, last year's.

    The prices are :class:`Repricer`'s (``repricer``: the inputs' own, when the caller has
    it); the rounding residual per line is (price − exact price) x quantity + (fee − fee
    basis), the price group transfer exact price x quantity − the line's own basis.
    """
    r = Repricer(inputs) if repricer is None else repricer
    lines = r.lines
    a = r.priced(cost.services["service_id"], cost.services["price_basis_kr"])
    quantity, is_fee, has_fee = r.quantity, r.is_fee, r.has_fee
    variable = ~is_fee
    residual = (a.rounded - a.exact) * quantity + (a.fee - a.fee_basis)
    transfer = np.where(variable, a.exact * quantity - a.variable_basis, 0.0)
    previous = _previous_prices(inputs, lines)

    price = np.where(is_fee, a.fee, a.rounded)
    comparison = _comparison(inputs, lines)
    comparable = np.array([c is None for c in comparison])
    change = np.where(comparable, price - previous, np.nan)
    services = {s.service_id: s for s in inputs.services}
    sid = lines["service_id"]
    prices = pd.DataFrame({
        "service_id": sid, "channel_id": lines["channel_id"],
        "name": sid.map({i: v.name for i, v in services.items()}),
        "unit": sid.map({i: v.unit for i, v in services.items()}),
        "service_type": sid.map({i: v.service_type.value for i, v in services.items()}),
        "price_model": lines["price_model"].map({m: m.value for m in PriceModel}),
        "price_unit": sid.map({i: v.price_unit for i, v in services.items()}),
        "price_group": lines["price_group"],
        "quantity": quantity, "cost_basis_kr": a.variable_basis + a.fee_basis,
        "exact_price_kr": np.where(is_fee, a.fee_basis, a.exact), "price_kr": price,
        "annual_fee_kr": np.where(has_fee, a.fee, np.nan),
        "previous_price_kr": previous, "change_kr": change,
        "change_pct": np.divide(change, previous, out=np.full(len(change), np.nan),
                                where=comparable & (np.nan_to_num(previous) != 0)),
        "comparison": comparison,
        "residual_kr": residual, "group_transfer_kr": transfer,
    }, columns=list(PRICE_COLUMNS))
    return prices


def _previous_prices(inputs: Inputs, lines: pd.DataFrame) -> np.ndarray:
    """Last year's price of each line: Föregående prislista's first row for its service and
    channel, else for its service without a channel (NaN: none)."""
    prev: dict[tuple, float] = {}
    for q in inputs.previous_prices:
        prev.setdefault((q.service_id, q.channel_id or ""),
                        float(q.price_kr) if q.price_kr is not None else np.nan)
    out = []
    for sid, ch in zip(lines["service_id"].tolist(), lines["channel_id"].tolist(), strict=True):
        value = prev.get((sid, "" if is_missing(ch) else ch), np.nan)
        out.append(prev.get((sid, ""), np.nan) if np.isnan(value) else value)
    return np.array(out, dtype=float)


class Priced(NamedTuple):
    """:class:`Repricer`'s arithmetic per price line."""

    variable_basis: np.ndarray  # the basis priced per unit
    fee_basis: np.ndarray  # the basis priced as a fee
    exact: np.ndarray  # pooled variable basis / pooled quantity (per unit lines)
    rounded: np.ndarray  # the exact price rounded by its unit's step and direction
    fee: np.ndarray  # the fee basis rounded by the fee's step and direction


class Repricer:
    """:func:`price_list`'s prices for any price basis of the same valid inputs.

    The lines, their quantities, channel splits, fee shares, price groups and the rounding of
    each line do not depend on the basis and are found here once; :meth:`priced` then does
    the arithmetic on arrays: a channel line's basis = the service's basis x its channel
    split, any other line's fee basis = basis x fee share and its variable basis the rest (an
    annual fee: none); exact price = the variable basis pooled over the line's price group
    and channel / the pooled quantity. The SLA prices reprice the inputs once per level and
    answer group with only the costs changed (issue 15).
    """

    def __init__(self, inputs: Inputs) -> None:
        ids = [s.service_id for s in inputs.services]
        # With a basis of 1 a channel line's variable basis is its channel split and any other
        # line's fee basis its fee share (1.0 * x == x).
        lines = price_lines(inputs, pd.Series(1.0, index=ids), contact_quantities(inputs))
        self.lines = lines
        self._ids = ids
        position = {sid: i for i, sid in enumerate(ids)}
        self._service_at = np.array([position[i] for i in lines["service_id"]], dtype=np.intp)
        model = lines["price_model"]
        self._channel = (model == PriceModel.PER_CHANNEL).to_numpy()
        self.is_fee = (model == PriceModel.ANNUAL_FEE).to_numpy()
        self.has_fee = model.isin(_WITH_FEE).to_numpy()
        self._split = lines["variable_basis_kr"].to_numpy(dtype=float)
        self._fee_share = lines["fee_basis_kr"].to_numpy(dtype=float)
        self._groups = _line_groups(lines)
        self.quantity = lines["quantity"].to_numpy(dtype=float)
        self._pooled_qty = self._groups.transform(self.quantity)
        unit = model.map(lambda m: ROUNDING_UNIT[PriceModel(m)]).to_numpy()
        self._units = [(unit == u, inputs.parameters.rounding(u)) for u in dict.fromkeys(unit)]
        self._fee_rounding = inputs.parameters.rounding("kr/år")

    def priced(self, service_ids, basis) -> Priced:
        """The arithmetic per line for ``basis`` per service (a service's id beside its price
        basis)."""
        service_ids = list(service_ids)
        if service_ids == self._ids:
            order = self._service_at
        else:
            position = {sid: i for i, sid in enumerate(service_ids)}
            order = np.array([position[s] for s in self.lines["service_id"]], dtype=np.intp)
        b = np.asarray(basis, dtype=float)[order]
        fee_basis = np.where(self._channel, 0.0, b * self._fee_share)
        variable_basis = np.where(self._channel, b * self._split, b - b * self._fee_share)
        variable_basis[self.is_fee] = 0.0
        pooled_basis = self._groups.transform(variable_basis)
        pooled_qty = self._pooled_qty
        variable = ~self.is_fee
        exact = np.where(variable & (pooled_qty > 0),
                         pooled_basis / np.where(pooled_qty > 0, pooled_qty, 1.0), 0.0)
        rounded = np.zeros(len(b))
        fee = np.zeros(len(b))
        for at, (step, direction) in self._units:
            rounded[at] = np.where(variable[at], np.asarray(
                round_price(exact[at], step, direction), dtype=float), 0.0)
        fee_step, fee_direction = self._fee_rounding
        fee[self.has_fee] = np.asarray(round_price(fee_basis[self.has_fee], fee_step,
                                                   fee_direction), dtype=float)
        return Priced(variable_basis, fee_basis, exact, rounded, fee)

    def prices(self, service_ids, basis) -> tuple[np.ndarray, np.ndarray]:
        """(price_kr, annual_fee_kr) per line for ``basis`` per service, as price_list gives
        them."""
        a = self.priced(service_ids, basis)
        return (np.where(self.is_fee, a.fee, a.rounded), np.where(self.has_fee, a.fee, np.nan))


def _comparison(inputs: Inputs, lines: pd.DataFrame) -> list[str | None]:
    """Why a price line has no comparable previous price (None: it has one).

    "Ny tjänst" without any previous price for the service; "Ny kanal" where only the channel is
    new; "Ny prismodell (i fjol …)" where Föregående prislista gives another price model (a
    blank model there means the same as this year's). A price in another model or unit is no
    base for a change or a percentage.
    """
    models: dict[str, dict[str, PriceModel | None]] = {}
    for q in inputs.previous_prices:
        models.setdefault(q.service_id, {}).setdefault(q.channel_id or "", q.price_model)
    out: list[str | None] = []
    for sid, ch, model in zip(lines["service_id"], lines["channel_id"], lines["price_model"],
                              strict=True):
        rows = models.get(sid)
        if rows is None:
            out.append("Ny tjänst")
            continue
        key = ch or ""
        if key not in rows and "" not in rows:
            out.append("Ny kanal")
            continue
        before = rows.get(key, rows.get(""))
        if before is not None and before is not model:
            out.append(f"Ny prismodell (i fjol {before.value}, {PRICE_UNITS[before]})")
        else:
            out.append(None)
    return out
