"""The cost arithmetic (SPEC §4) on arrays: full cost per service as a function of the FTE.

:class:`CostModel` holds, for valid inputs and their staffing, everything the costs need that
does not change with the agents' FTE (salaries per FTE, seat and minute costs, direct costs,
the allocation keys that are not FTE, the fund's movements); :meth:`CostModel.at` then prices
one FTE per staffing row. :func:`xlkc.costing.compute_costs` builds its tables from it, and the
SLA prices rerun it per level without building any (issue 15).

Every sum is the one pandas took when this was written with frames (:mod:`xlkc.sums`), so the
costs are the same to the last bit.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from xlkc.allocation import Prepared, prepare, shares
from xlkc.fund import FundPlan, FundResult, compute_fund, plan_of
from xlkc.inputs import (
    AllocationKey,
    AllocationMethod,
    CostKind,
    Inputs,
    Parameters,
    PoolLevel,
    StaffRole,
)
from xlkc.results import StaffingResult
from xlkc.sums import column_sums, group_codes, series_sum

METHOD_CODES = {
    AllocationMethod.DIRECT: "direct",
    AllocationMethod.STEP_DOWN: "step-down",
    AllocationMethod.RECIPROCAL: "reciprocal",
}

#: The service driver each allocation key reads (Fördelningsnyckel → column of the drivers).
SERVICE_DRIVER = {
    AllocationKey.FTE: "fte",
    AllocationKey.SEATS: "seats",
    AllocationKey.AREA: "area_m2",
    AllocationKey.CONTACTS: "volume",
    AllocationKey.WORKLOAD: "workload_h",
    AllocationKey.INVOICED: "invoiced_kr",
    AllocationKey.EQUAL: "equal",
}
# Pools consume support by the staff in them: FTE, seats and floor area; not contacts etc.
_POOL_DRIVER_PER_FTE = {
    AllocationKey.FTE: lambda p: 1.0,
    AllocationKey.SEATS: lambda p: p.seat_ratio,
    AllocationKey.AREA: lambda p: p.seat_ratio * p.area_per_seat_m2,
}
_FTE_DRIVERS = {"fte", "seats", "area_m2"}


def cost_per_fte(monthly_salary_kr, parameters: Parameters):
    """Monthly salary x 12 x (1 + salary revision) x (1 + PO)."""
    return (np.asarray(monthly_salary_kr, dtype=float) * 12.0
            * (1.0 + parameters.salary_revision) * (1.0 + parameters.payroll_overhead_rate))


def service_minutes(inputs: Inputs, staffing: StaffingResult) -> pd.DataFrame:
    """Handled minutes per service (rows, the services' order) and channel (columns)."""
    ids = [s.service_id for s in inputs.services]
    return (staffing.services.assign(minutes=lambda d: d["volume"] * d["aht_s"] / 60.0)
            .pivot_table(index="service_id", columns="channel_id", values="minutes",
                         aggfunc="sum", fill_value=0.0)
            .reindex(ids).fillna(0.0))


def named_costs(inputs: Inputs, kind: CostKind, service_ids: list[str]) -> np.ndarray:
    """Sum of costs of one kind named to each service (in the costs' order)."""
    position = {sid: i for i, sid in enumerate(service_ids)}
    out = np.zeros(len(service_ids))
    for c in inputs.costs:
        if c.kind is kind and c.service_id is not None:
            out[position[c.service_id]] += c.amount_kr
    return out


def minute_costs(inputs: Inputs, minutes: pd.DataFrame, service_ids: list[str]) -> np.ndarray:
    """Σ per-minute cost x the minutes it applies to (its channel's, or all), per service.

    Summed in the costs' order per service; a cost named to one service touches that service
    only (not a masked copy of every service per cost: costs × services at scale, issue 15),
    and each channel's minutes are taken out once.
    """
    minute_cost_at = np.zeros(len(service_ids))
    position = {sid: i for i, sid in enumerate(service_ids)}
    used_by: dict[str | None, np.ndarray] = {}
    for c in inputs.costs:
        if c.kind is not CostKind.PER_MINUTE:
            continue
        if c.channel_id not in used_by:
            used_by[c.channel_id] = (
                minutes.sum(axis=1) if c.channel_id is None
                else minutes.get(c.channel_id, pd.Series(0.0, index=service_ids))
            ).to_numpy(dtype=np.float64)
        used = used_by[c.channel_id]
        if c.service_id is None:
            minute_cost_at += used * c.amount_kr
        elif c.service_id in position:
            at = position[c.service_id]
            minute_cost_at[at] += used[at] * c.amount_kr
    return minute_cost_at


def _zero_nan(a: np.ndarray) -> np.ndarray:
    """NaN as 0.0 (a ``fillna(0.0)``)."""
    return np.where(np.isnan(a), 0.0, a)


class Costs(NamedTuple):
    """The costs at one FTE: per service (the services' order) and per pool (step-down
    order); ``prepared`` is the allocation's validated input (None without pools)."""

    fte: np.ndarray
    personnel: np.ndarray
    seat_cost: np.ndarray
    overhead: np.ndarray
    city: np.ndarray
    full: np.ndarray
    carry: np.ndarray
    pool_staff_cost: np.ndarray
    pool_costs: np.ndarray
    allocated: np.ndarray | None  # pools × services
    prepared: Prepared | None
    fund: FundResult


class CostModel:
    """Full cost per service of valid inputs at any FTE per staffing row (see the module).

    ``fund_plan``: ``xlkc.fund.plan_of(inputs)`` and ``minutes``: ``service_minutes(inputs,
    staffing)``, when the caller has them already.
    """

    def __init__(self, inputs: Inputs, staffing: StaffingResult, *,
                 fund_plan: FundPlan | None = None, minutes: pd.DataFrame | None = None):
        p = inputs.parameters
        self.inputs = inputs
        self.ids = ids = [s.service_id for s in inputs.services]
        self.productive_hours = staffing.productive_hours
        self._fund_plan = plan_of(inputs) if fund_plan is None else fund_plan
        rows = staffing.services
        # The staffing rows grouped by service id; each service's group (−1: none)
        self._by_service = group_codes(rows["service_id"].tolist())
        group = {u: g for g, u in enumerate(self._by_service.keys)}
        self._group_of = np.array([group.get(i, -1) for i in ids], dtype=np.intp)
        self._volume_work = rows[["volume", "workload_h"]].to_numpy(dtype=np.float64)
        self._volume_work_nan = bool(np.isnan(self._volume_work).any())
        self._sums: dict[bool, np.ndarray] = {}
        invoiced = {o.service_id: o.revenue_kr for o in inputs.outcomes}
        self.invoiced = _zero_nan(np.array([invoiced.get(i, np.nan) for i in ids], dtype=float))

        category = {c.category_id: c for c in inputs.staff}
        # Elementwise the same operations as one cost_per_fte per service (issue 15).
        self.per_fte = cost_per_fte(np.array([category[s.staff_category].monthly_salary_kr
                                              for s in inputs.services], dtype=float), p)
        seat_rate = sum(c.amount_kr for c in inputs.costs
                        if c.kind is CostKind.PER_SEAT and c.service_id is None)
        self._seat_per_seat = seat_rate + named_costs(inputs, CostKind.PER_SEAT, ids)
        if minutes is None:
            minutes = service_minutes(inputs, staffing)
        self.minute_cost = minute_costs(inputs, minutes, ids)
        self.direct = named_costs(inputs, CostKind.DIRECT, ids)
        self._overhead_staff(inputs)
        self._pools(inputs)

    # ------------------------------------------------------------------ set-up

    def _overhead_staff(self, inputs: Inputs) -> None:
        """Per overhead category: its pool, whose FTE it follows (span: the agents of its
        scope) or its headcount, and its cost per FTE."""
        unit_of = np.array([s.unit for s in inputs.services], dtype=object)
        self.categories = []
        for cat in inputs.staff:
            if cat.role is not StaffRole.OVERHEAD:
                continue
            scope = None if cat.span is None or cat.unit is None else unit_of == cat.unit
            per_fte = float(cost_per_fte(cat.monthly_salary_kr, inputs.parameters))
            self.categories.append((cat, scope, per_fte))
        self._by_pool = group_codes([c.pool_id for c, _, _ in self.categories])
        self._category_pools = self._by_pool.keys

    def _pools(self, inputs: Inputs) -> None:
        """The pools in step-down order, their amounts and what of their keys is fixed."""
        p = inputs.parameters
        # The step-down order (stable): the pools' input positions.
        self._sorted_input = np.array(sorted(range(len(inputs.pools)),
                                             key=lambda i: inputs.pools[i].order), dtype=np.intp)
        pools_sorted = [inputs.pools[i] for i in self._sorted_input]
        self.pool_ids = [q.pool_id for q in pools_sorted]
        amount = {q.pool_id: q.amount_kr for q in pools_sorted}
        self.pool_amount = np.array([amount[i] for i in self.pool_ids], dtype=float)
        input_ids = [q.pool_id for q in inputs.pools]
        pos = {pid: i for i, pid in enumerate(self._category_pools)}
        # Each pool's staff (by pool id, as a Series reindexed by it), input and sorted order.
        self._staff_of_input = np.array([pos.get(i, -1) for i in input_ids], dtype=np.intp)
        self._staff_of_sorted = np.array([pos.get(i, -1) for i in self.pool_ids], dtype=np.intp)
        service_ids = np.array(self.ids, dtype=object)
        unit_of = np.array([s.unit for s in inputs.services], dtype=object)
        scope = [q.unit if q.level is PoolLevel.UNIT else None for q in inputs.pools]
        pool_unit = np.array(scope, dtype=object)
        self._keys = []
        for i, q in zip(self._sorted_input.tolist(), pools_sorted, strict=True):
            if q.key is AllocationKey.DIRECT:
                fixed = np.isin(service_ids, list(q.receivers)).astype(float)
                self._keys.append((i, None, None, fixed, None))
                continue
            driver = SERVICE_DRIVER[q.key]
            mask = None if scope[i] is None else unit_of == scope[i]
            per_fte = _POOL_DRIVER_PER_FTE.get(q.key)
            in_scope = None
            if per_fte is not None:
                in_scope = (np.ones(len(input_ids), bool) if scope[i] is None
                            else pool_unit == scope[i])
                per_fte = per_fte(p)
            self._keys.append((i, driver, mask, None, (in_scope, per_fte)))
        self.receivers = [*self.pool_ids, *self.ids]
        self.method = METHOD_CODES[p.allocation_method]

    # ------------------------------------------------------------------ per FTE

    def drivers(self, fte_rows: np.ndarray, fte_apart: bool = False) -> dict[str, np.ndarray]:
        """Per service: FTE, seats, m², contacts, workload hours, last year's invoiced amount
        and 1 (the drivers of the allocation keys). FTE, contacts and hours: the staffing rows
        summed per service (as ``groupby("service_id").sum()``, NaN and absent as 0).

        ``fte_apart``: the FTE were a column of their own (``assign(fte=...)``), not one block
        with the contacts and hours; with a NaN among them pandas sums them another way.
        """
        p = self.inputs.parameters
        fte_rows = np.asarray(fte_rows, dtype=np.float64)
        fte_nan = not fte_apart and bool(np.isnan(fte_rows).any())
        if fte_nan not in self._sums:
            sums = self._by_service.sums(self._volume_work, nan_beside=fte_nan)
            self._sums[fte_nan] = self._per_service(sums)
        volume_work = self._sums[fte_nan]
        fte = self._per_service(self._by_service.sums(
            fte_rows, nan_beside=not fte_apart and self._volume_work_nan))
        seats = fte * p.seat_ratio
        return {"fte": fte, "seats": seats, "area_m2": seats * p.area_per_seat_m2,
                "volume": volume_work[:, 0], "workload_h": volume_work[:, 1],
                "invoiced_kr": self.invoiced, "equal": np.ones(len(self.ids))}

    def _per_service(self, sums: np.ndarray) -> np.ndarray:
        """Group sums in the services' order (0.0 for a service without rows, and for NaN)."""
        out = np.zeros((len(self.ids), *sums.shape[1:]))
        has = self._group_of >= 0
        out[has] = sums[self._group_of[has]]
        return _zero_nan(out)

    def staff(self, fte: np.ndarray) -> list[tuple[float, float]]:
        """(FTE, cost) of each overhead category: agents of its scope / span, else its
        headcount; cost = FTE x cost per FTE."""
        out = []
        for cat, scope, per_fte in self.categories:
            if cat.span is not None:
                n = float(series_sum(fte if scope is None else fte[scope])) / cat.span
            else:
                n = float(cat.headcount or 0.0)
            out.append((n, n * per_fte))
        return out

    def _pool_staff(self, staff: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
        """(FTE of each pool's staff in the pools' input order, their cost in step-down
        order): the categories summed per pool, as ``groupby("pool_id").sum()``."""
        values = np.array(staff, dtype=np.float64).reshape(-1, 2)
        fte = self._by_pool.sums(values[:, 0])
        cost = self._by_pool.sums(values[:, 1])

        def take(sums, at):
            out = np.zeros(len(at))
            out[at >= 0] = sums[at[at >= 0]]
            return _zero_nan(out)

        return take(fte, self._staff_of_input), take(cost, self._staff_of_sorted)

    def usage(self, drivers: dict[str, np.ndarray], pool_fte: np.ndarray) -> np.ndarray:
        """The key table, pools (step-down order) × receivers (the pools, then the services):
        the driver quantity each receiver uses. A unit-level pool serves its own unit's
        services (and pools of that unit); higher levels serve every service and pool. A pool
        never serves itself; a pool serves other pools only by FTE, seats or floor area (the
        staff in them x the key per FTE)."""
        k, m = len(self.pool_ids), len(self.ids)
        to_pools = np.zeros((k, k))
        to_services = np.zeros((k, m))
        for r, (i, driver, mask, fixed, per_pool) in enumerate(self._keys):
            if fixed is not None:
                to_services[r] = fixed
                continue
            row = drivers[driver]
            to_services[r] = row if mask is None else np.where(mask, row, 0.0)
            in_scope, per_fte = per_pool
            if in_scope is not None:
                by_input = np.where(in_scope, pool_fte * per_fte, 0.0)
                by_input[i] = 0.0
                to_pools[r] = by_input[self._sorted_input]
        return np.hstack([to_pools, to_services])

    def at(self, fte_rows: np.ndarray, *, fte_apart: bool = False) -> Costs:
        """The costs with ``fte_rows`` (one FTE per staffing row; ``fte_apart``: see
        :meth:`drivers`).

        personnel = FTE x cost per FTE; seats = FTE x seat ratio, seat cost = seats x (the
        seat costs for all + those named to the service); minute and direct costs as entered;
        overhead = the service's column of the allocation of every pool (its amount + its
        staff's cost); city charge = rate x the sum of those; full cost = the sum + the city
        charge; carry-forward: the fund's instalments at these full costs.
        """
        p = self.inputs.parameters
        d = self.drivers(fte_rows, fte_apart)
        fte = d["fte"]
        personnel = fte * self.per_fte
        seat_cost = d["seats"] * self._seat_per_seat
        pool_fte, pool_staff_cost = self._pool_staff(self.staff(fte))
        pool_costs = self.pool_amount + pool_staff_cost
        if self.pool_ids:
            prep = prepare(self.method, self.pool_ids, pool_costs, self.usage(d, pool_fte),
                           self.receivers)
            allocated = shares(prep)
            overhead = column_sums(allocated)
        else:
            prep, allocated, overhead = None, None, np.zeros(len(self.ids))
        before_city = personnel + seat_cost + self.minute_cost + self.direct + overhead
        city = before_city * p.city_charge_rate
        full = before_city + city
        result = compute_fund(self.inputs, dict(zip(self.ids, full.tolist(), strict=True)),
                              self._fund_plan)
        carry = _zero_nan(np.array([result.carry_forward_kr.get(i, np.nan) for i in self.ids],
                                   dtype=float))
        return Costs(fte, personnel, seat_cost, overhead, city, full, carry, pool_staff_cost,
                     pool_costs, allocated, prep, result)

    def total(self, costs: Costs) -> float:
        """Every krona entered (salaries, costs, pools) with the city charge."""
        entered = (series_sum(costs.personnel) + series_sum(costs.seat_cost)
                   + series_sum(self.minute_cost) + series_sum(self.direct)
                   + series_sum(costs.pool_costs))
        return float(entered * (1.0 + self.inputs.parameters.city_charge_rate))
