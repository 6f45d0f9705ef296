"""Cost: from FTE to full cost (självkostnad) per service (SPEC §4).

Every krona entered (salaries, costs, overhead pools, the city charge) lands on exactly one service:
``CostResult.total_cost_kr == services.full_cost_kr.sum()``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlkc.allocation import FLOW_FIELDS, allocate, allocation_flows
from xlkc.errors import Problem, ValidationError
from xlkc.fund import FundPlan, FundResult, compute_fund
from xlkc.inputs import (
    AllocationKey,
    AllocationMethod,
    CostKind,
    Inputs,
    Parameters,
    PoolLevel,
    StaffRole,
)
from xlkc.results import (
    ALLOCATION_COLUMNS,
    COST_COLUMNS,
    FLOW_COLUMNS,
    FUND_COLUMNS,
    POOL_COST_COLUMNS,
    CostResult,
    StaffingResult,
)

_METHOD_CODES = {
    AllocationMethod.DIRECT: "direct",
    AllocationMethod.STEP_DOWN: "step-down",
    AllocationMethod.RECIPROCAL: "reciprocal",
}


def cost_per_fte(monthly_salary_kr, parameters: Parameters):
    """Monthly salary x 12 x (1 + salary revision) x (1 + PO)."""
    return (np.asarray(monthly_salary_kr, dtype=float) * 12.0
            * (1.0 + parameters.salary_revision) * (1.0 + parameters.payroll_overhead_rate))


def service_drivers(inputs: Inputs, staffing: StaffingResult) -> pd.DataFrame:
    """Per service: FTE, volume, workload hours, seats, m², last year's invoiced amount."""
    ids = [s.service_id for s in inputs.services]
    by_service = staffing.services.groupby("service_id")[["fte", "volume", "workload_h"]].sum()
    drivers = by_service.reindex(ids).fillna(0.0)
    p = inputs.parameters
    drivers["seats"] = drivers["fte"] * p.seat_ratio
    drivers["area_m2"] = drivers["seats"] * p.area_per_seat_m2
    invoiced = pd.Series({o.service_id: o.revenue_kr for o in inputs.outcomes}, dtype=float)
    drivers["invoiced_kr"] = invoiced.reindex(ids).fillna(0.0)
    drivers["equal"] = 1.0
    return drivers


def overhead_staff(inputs: Inputs, drivers: pd.DataFrame) -> pd.DataFrame:
    """Overhead staff per category: FTE (fixed, or agents of the scope / span) and cost."""
    unit_of = pd.Series({s.service_id: s.unit for s in inputs.services})
    rows = []
    for cat in inputs.staff:
        if cat.role is not StaffRole.OVERHEAD:
            continue
        if cat.span is not None:
            agents = drivers["fte"] if cat.unit is None else drivers["fte"][unit_of == cat.unit]
            fte = float(agents.sum()) / cat.span
        else:
            fte = float(cat.headcount or 0.0)
        rows.append({"category_id": cat.category_id, "pool_id": cat.pool_id, "fte": fte,
                     "cost_kr": fte * float(cost_per_fte(cat.monthly_salary_kr,
                                                         inputs.parameters))})
    return pd.DataFrame(rows, columns=["category_id", "pool_id", "fte", "cost_kr"])


_SERVICE_DRIVER = {
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


def usage_matrix(inputs: Inputs, drivers: pd.DataFrame, pool_fte: pd.Series) -> pd.DataFrame:
    """Rows pools, columns pools then services: the driver quantity each receiver uses.

    A unit-level pool serves its own unit's services (and pools of that unit); higher levels
    serve every service and every pool. A pool never serves itself.
    """
    pool_ids = [p.pool_id for p in inputs.pools]
    service_ids = np.array(drivers.index, dtype=object)
    unit_of = np.array([s.unit for s in inputs.services], dtype=object)
    scope = [p.unit if p.level is PoolLevel.UNIT else None for p in inputs.pools]
    pool_unit = np.array(scope, dtype=object)
    staff_fte = pool_fte.reindex(pool_ids).fillna(0.0).to_numpy(dtype=float)
    to_services = np.zeros((len(pool_ids), len(service_ids)))
    to_pools = np.zeros((len(pool_ids), len(pool_ids)))
    for i, pool in enumerate(inputs.pools):
        if pool.key is AllocationKey.DIRECT:
            to_services[i] = np.isin(service_ids, list(pool.receivers))
            continue
        row = drivers[_SERVICE_DRIVER[pool.key]].to_numpy(dtype=float)
        to_services[i] = row if scope[i] is None else np.where(unit_of == scope[i], row, 0.0)
        per_fte = _POOL_DRIVER_PER_FTE.get(pool.key)
        if per_fte is not None:
            in_scope = np.ones(len(pool_ids), bool) if scope[i] is None else pool_unit == scope[i]
            to_pools[i] = np.where(in_scope, staff_fte * per_fte(inputs.parameters), 0.0)
            to_pools[i, i] = 0.0
    return pd.DataFrame(np.hstack([to_pools, to_services]), index=pool_ids,
                        columns=[*pool_ids, *service_ids])


def validate_costs(inputs: Inputs) -> list[Problem]:
    """Cross-references of the cost inputs; each problem names its item in Swedish."""
    problems: list[Problem] = []
    services = {s.service_id for s in inputs.services}
    units = {s.unit for s in inputs.services}
    pools = {p.pool_id for p in inputs.pools}
    agents = {c.category_id for c in inputs.staff if c.role is StaffRole.AGENT}
    channels = {c.channel_id for c in inputs.channels}

    def add(msg, record, index, field):
        problems.append(Problem(msg, record=record, index=index, field=field))

    listed = [u.unit_id for u in inputs.units]
    for i, u in enumerate(inputs.units):
        if listed.index(u.unit_id) != i:
            add(f"Enheten '{u.unit_id}' förekommer mer än en gång", "units", i, "unit_id")
    for i, s in enumerate(inputs.services):
        if listed and s.unit not in listed:
            add(f"Tjänsten '{s.service_id}' hör till enheten '{s.unit}', som inte finns under "
                "Enheter", "services", i, "unit")
        if s.staff_category not in agents:
            add(f"Tjänsten '{s.service_id}' anger personalkategorin '{s.staff_category}', som "
                "inte finns som produktionspersonal under Personal", "services", i,
                "staff_category")
    for i, c in enumerate(inputs.staff):
        if c.monthly_salary_kr < 0:
            add(f"Personalkategorin '{c.category_id}' har negativ månadslön", "staff", i,
                "monthly_salary_kr")
        if c.role is StaffRole.OVERHEAD:
            if c.pool_id not in pools:
                add(f"Personalkategorin '{c.category_id}' hör till overheadpoolen "
                    f"'{c.pool_id}', som inte finns", "staff", i, "pool_id")
            if (c.span is None) == (c.headcount is None):
                add(f"Personalkategorin '{c.category_id}' ska ha antingen antal eller "
                    "spann (en per så många årsarbetare), inte båda eller inget", "staff", i,
                    "headcount")
            if c.span is not None and c.span <= 0:
                add(f"Personalkategorin '{c.category_id}' har spann {c.span}; det måste vara "
                    "större än 0", "staff", i, "span")
            if c.headcount is not None and c.headcount < 0:
                add(f"Personalkategorin '{c.category_id}' har negativt antal", "staff", i,
                    "headcount")
            if c.unit is not None and c.unit not in units:
                add(f"Personalkategorin '{c.category_id}' anger enheten '{c.unit}', som ingen "
                    "tjänst har", "staff", i, "unit")
    for i, c in enumerate(inputs.costs):
        if c.amount_kr < 0:
            add(f"Kostnaden '{c.cost_id}' har ett negativt belopp", "costs", i, "amount_kr")
        if c.kind is CostKind.DIRECT and c.service_id is None:
            add(f"Den direkta kostnaden '{c.cost_id}' saknar tjänst", "costs", i, "service_id")
        if c.service_id is not None and c.service_id not in services:
            add(f"Kostnaden '{c.cost_id}' anger tjänsten '{c.service_id}', som inte finns",
                "costs", i, "service_id")
        if c.channel_id is not None and c.channel_id not in channels:
            add(f"Kostnaden '{c.cost_id}' anger kanalen '{c.channel_id}', som inte finns",
                "costs", i, "channel_id")
    for i, o in enumerate(inputs.outcomes):
        if o.service_id not in services:
            add(f"Utfallet för '{o.service_id}' gäller en tjänst som inte finns under Tjänster",
                "outcomes", i, "service_id")
        for name, label in (("revenue_kr", "intäkten"), ("cost_kr", "kostnaden"),
                            ("volume", "volymen"), ("workload_h", "arbetsbelastningen"),
                            ("fte", "årsarbetarna"), ("personnel_cost_kr", "personalkostnaden"),
                            ("overhead_kr", "overheaden")):
            value = getattr(o, name)
            if value is not None and value < 0:
                add(f"Utfallet för '{o.service_id}': {label} får inte vara negativ", "outcomes",
                    i, name)
    seen: set[str] = set()
    for i, p in enumerate(inputs.pools):
        if p.pool_id in seen:
            add(f"Overheadpoolen '{p.pool_id}' förekommer mer än en gång", "pools", i, "pool_id")
        seen.add(p.pool_id)
        if p.amount_kr < 0:
            add(f"Overheadpoolen '{p.pool_id}' har ett negativt belopp", "pools", i, "amount_kr")
        if p.level is PoolLevel.UNIT and p.unit not in units:
            add(f"Overheadpoolen '{p.pool_id}' ligger på enhetsnivå men enheten "
                f"'{p.unit or ''}' har inga tjänster", "pools", i, "unit")
        if p.key is AllocationKey.DIRECT:
            if not p.receivers:
                add(f"Overheadpoolen '{p.pool_id}' fördelas direkt men saknar mottagare",
                    "pools", i, "receivers")
            for r in p.receivers:
                if r not in services:
                    add(f"Overheadpoolen '{p.pool_id}' har mottagaren '{r}', som inte är en "
                        "tjänst", "pools", i, "receivers")
    p = inputs.parameters
    for name, field_name in (("PO-pålägg", "payroll_overhead_rate"),
                             ("Stadens påslag", "city_charge_rate"),
                             ("Platser per årsarbetare", "seat_ratio"),
                             ("Kvm per plats", "area_per_seat_m2")):
        if getattr(p, field_name) < 0:
            add(f"Parametern {name} får inte vara negativ", "parameters", None, field_name)
    return problems


def service_minutes(inputs: Inputs, staffing: StaffingResult) -> pd.DataFrame:
    """Handled minutes per service (rows, the services' order) and channel (columns)."""
    ids = [s.service_id for s in inputs.services]
    return (staffing.services.assign(minutes=lambda d: d["volume"] * d["aht_s"] / 60.0)
            .pivot_table(index="service_id", columns="channel_id", values="minutes",
                         aggfunc="sum", fill_value=0.0)
            .reindex(ids).fillna(0.0))


def compute_costs(inputs: Inputs, staffing: StaffingResult, *,
                  validated: bool = False, details: bool = True,
                  fund_plan: FundPlan | None = None,
                  minutes: pd.DataFrame | None = None) -> CostResult:
    """Full cost per service with every component visible, and the allocation of every pool.

    ``validated``: the inputs were already checked (by ``pipeline.validate``). ``details``:
    False leaves out what only the output sheets show (the allocation per pool and service,
    the pools, the allocation's steps and the fund table: None), for the SLA prices, which
    rerun the costs per level and read the services' costs only; the services frame, the
    total and the fund result are the same either way. ``fund_plan``: ``xlkc.fund.plan_of
    (inputs)``, for a caller rerunning the costs of the same inputs (the fund's movements do
    not depend on the costs); ``minutes``: ``service_minutes(inputs, staffing)``, for a caller
    rerunning the costs with only the FTE changed (they do not depend on it).
    """
    problems = [] if validated else validate_costs(inputs)
    if problems:
        raise ValidationError(problems)
    p = inputs.parameters
    drivers = service_drivers(inputs, staffing)
    service_ids = list(drivers.index)
    fte = drivers["fte"]

    category = {c.category_id: c for c in inputs.staff}
    # Elementwise the same operations as one cost_per_fte per service (issue 15).
    per_fte = pd.Series(
        cost_per_fte(np.array([category[s.staff_category].monthly_salary_kr
                               for s in inputs.services], dtype=float), p), index=service_ids)
    personnel = fte * per_fte

    seat_rate = sum(c.amount_kr for c in inputs.costs
                    if c.kind is CostKind.PER_SEAT and c.service_id is None)
    seat_named = _named(inputs, CostKind.PER_SEAT, service_ids)
    seat_cost = drivers["seats"] * (seat_rate + seat_named)

    if minutes is None:
        minutes = service_minutes(inputs, staffing)
    # Summed in the costs' order per service, as before; a cost named to one service touches
    # that service only (not a masked copy of every service per cost: costs × services at
    # scale, issue 15), and each channel's minutes are taken out once.
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
    minute_cost = pd.Series(minute_cost_at, index=service_ids)

    direct = _named(inputs, CostKind.DIRECT, service_ids)

    staff = overhead_staff(inputs, drivers)
    pool_staff_cost = staff.groupby("pool_id")["cost_kr"].sum()
    pool_fte = staff.groupby("pool_id")["fte"].sum()
    pools_sorted = sorted(inputs.pools, key=lambda q: q.order)
    pool_ids = [q.pool_id for q in pools_sorted]
    pool_amount = pd.Series({q.pool_id: q.amount_kr for q in pools_sorted}, dtype=float)
    pool_costs = (pool_amount + pool_staff_cost.reindex(pool_ids).fillna(0.0)).reindex(pool_ids)
    usage = usage_matrix(inputs, drivers, pool_fte).reindex(index=pool_ids)
    usage = usage[pool_ids + service_ids]
    method = _METHOD_CODES[p.allocation_method]
    if pool_ids:
        matrix = allocate(pool_costs, usage, method)
        matrix = matrix.reindex(index=pool_ids, columns=service_ids).fillna(0.0)
        steps, shared = (allocation_flows(pool_costs, usage, method) if details
                         else (None, None))
    else:
        matrix = pd.DataFrame(0.0, index=[], columns=service_ids)
        steps, shared = pd.DataFrame(columns=list(FLOW_FIELDS)), pd.Series(dtype=float)
    overhead = matrix.sum(axis=0)

    before_city = personnel + seat_cost + minute_cost + direct + overhead
    city = before_city * p.city_charge_rate
    full = before_city + city

    # Carry-forward: this year's instalments of the result fund (xlkc.fund), per service.
    # As full.to_dict(), without a pandas lookup per label (issue 15).
    fund = compute_fund(inputs, dict(zip(full.index.tolist(), full.to_numpy().tolist(),
                                         strict=True)), fund_plan)
    carry = pd.Series(fund.carry_forward_kr, dtype=float).reindex(service_ids).fillna(0.0)

    names = {s.service_id: s for s in inputs.services}
    services = pd.DataFrame({
        "service_id": service_ids,
        "name": [names[i].name for i in service_ids],
        "unit": [names[i].unit for i in service_ids],
        "staff_category": [names[i].staff_category for i in service_ids],
        "fte": fte.to_numpy(),
        "productive_hours": staffing.productive_hours,
        "cost_per_fte_kr": per_fte.to_numpy(),
        "personnel_cost_kr": personnel.to_numpy(),
        "seat_cost_kr": seat_cost.to_numpy(),
        "minute_cost_kr": minute_cost.to_numpy(),
        "direct_cost_kr": direct.to_numpy(),
        "overhead_kr": overhead.reindex(service_ids).to_numpy(),
        "city_charge_kr": city.to_numpy(),
        "full_cost_kr": full.to_numpy(),
        "carry_forward_kr": carry.to_numpy(),
        "price_basis_kr": (full + carry).to_numpy(),
    }, columns=list(COST_COLUMNS))
    if not details:
        return CostResult(services=services, allocation=None, pools=None,
                          total_cost_kr=_total(personnel, seat_cost, minute_cost, direct,
                                               pool_costs, p.city_charge_rate),
                          fund_result=fund)

    pool_meta = {q.pool_id: q for q in inputs.pools}
    allocation = (matrix.rename_axis(index="pool_id", columns="service_id")
                  .stack().rename("amount_kr").reset_index())
    # One look-up per pool, not a Python call per (pool, service) row (issue 15).
    allocation["pool_name"] = allocation["pool_id"].map(
        {i: q.name for i, q in pool_meta.items()})
    allocation["level"] = allocation["pool_id"].map(
        {i: q.level.value for i, q in pool_meta.items()})
    allocation["key"] = allocation["pool_id"].map({i: q.key.value for i, q in pool_meta.items()})
    allocation = allocation[list(ALLOCATION_COLUMNS)]

    pools = pd.DataFrame({
        "pool_id": pool_ids,
        "name": [pool_meta[i].name for i in pool_ids],
        "level": [pool_meta[i].level.value for i in pool_ids],
        "key": [pool_meta[i].key.value for i in pool_ids],
        "amount_kr": pool_amount.reindex(pool_ids).to_numpy(),
        "staff_cost_kr": pool_staff_cost.reindex(pool_ids).fillna(0.0).to_numpy(),
        "total_kr": pool_costs.to_numpy(),
        "received_kr": (shared.reindex(pool_ids) - pool_costs).to_numpy(),
        "shared_kr": shared.reindex(pool_ids).to_numpy(),
        "allocated_kr": matrix.sum(axis=1).reindex(pool_ids).to_numpy(),
    }, columns=list(POOL_COST_COLUMNS))
    flows = _flows_frame(inputs, steps, p.allocation_method.value)

    total = _total(personnel, seat_cost, minute_cost, direct, pool_costs, p.city_charge_rate)
    return CostResult(services=services, allocation=allocation, pools=pools,
                      total_cost_kr=total, fund=fund_table(fund), fund_result=fund,
                      flows=flows)


def _total(personnel, seat_cost, minute_cost, direct, pool_costs, city_charge_rate) -> float:
    """Every krona entered (salaries, costs, pools) with the city charge."""
    entered = (personnel.sum() + seat_cost.sum() + minute_cost.sum() + direct.sum()
               + pool_costs.sum())
    return float(entered * (1.0 + city_charge_rate))


def _flows_frame(inputs: Inputs, steps: pd.DataFrame, method: str) -> pd.DataFrame:
    """The allocation's steps with the names a controller reads (``FLOW_COLUMNS``)."""
    pool = {q.pool_id: q for q in inputs.pools}
    service = {s.service_id: s.name for s in inputs.services}
    to_pool = steps["to_pool"].astype(bool)
    return pd.DataFrame({
        "pool_id": steps["pool_id"],
        "pool_name": steps["pool_id"].map({i: q.name for i, q in pool.items()}),
        "method": method,
        "key": steps["pool_id"].map({i: q.key.value for i, q in pool.items()}),
        "receiver": steps["receiver"],
        "receiver_kind": np.where(to_pool, "pool", "tjänst"),
        "receiver_name": [pool[r].name if t else service.get(r, r)
                          for r, t in zip(steps["receiver"], to_pool, strict=True)],
        "key_quantity": steps["key_quantity"].astype(float),
        "share": steps["share"].astype(float),
        "amount_kr": steps["amount_kr"].astype(float),
    }, columns=list(FLOW_COLUMNS))


def _named(inputs: Inputs, kind: CostKind, service_ids: list[str]) -> pd.Series:
    """Sum of costs of one kind named to each service."""
    position = {sid: i for i, sid in enumerate(service_ids)}
    out = np.zeros(len(service_ids))
    for c in inputs.costs:
        if c.kind is kind and c.service_id is not None:
            out[position[c.service_id]] += c.amount_kr
    return pd.Series(out, index=service_ids)


def fund_table(fund: FundResult) -> pd.DataFrame:
    """Fondavräkning: one row per fund row, FUND_COLUMNS."""
    rows = [{c: getattr(m, c) for c in FUND_COLUMNS} for m in fund.movements]
    return pd.DataFrame(rows, columns=list(FUND_COLUMNS))
