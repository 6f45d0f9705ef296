"""Cost: from FTE to full cost (självkostnad) per service (SPEC §4).

Every krona entered (salaries, costs, overhead pools, the city charge) lands on exactly one service:
``CostResult.total_cost_kr == services.full_cost_kr.sum()``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlkc.allocation import FLOW_FIELDS, flows_of
from xlkc.cost_model import CostModel, cost_per_fte, service_minutes
from xlkc.errors import Problem, ValidationError
from xlkc.fund import FundResult
from xlkc.inputs import (
    AllocationKey,
    CostKind,
    Inputs,
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

__all__ = ["compute_costs", "cost_per_fte", "fund_table", "service_minutes", "validate_costs"]


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


def compute_costs(inputs: Inputs, staffing: StaffingResult, *,
                  validated: bool = False, details: bool = True,
                  model: CostModel | None = None) -> CostResult:
    """Full cost per service with every component visible, and the allocation of every pool.

    ``validated``: the inputs were already checked (by ``pipeline.validate``). ``details``:
    False leaves out what only the output sheets show (the allocation per pool and service,
    the pools, the allocation's steps and the fund table: None); the services frame, the
    total and the fund result are the same either way. The arithmetic is
    :class:`xlkc.cost_model.CostModel`'s (``model``: ``CostModel(inputs, staffing)``, when
    the caller has it, as the SLA prices do).
    """
    problems = [] if validated else validate_costs(inputs)
    if problems:
        raise ValidationError(problems)
    if model is None:
        model = CostModel(inputs, staffing)
    costs = model.at(staffing.services["fte"].to_numpy(dtype=np.float64))
    services = services_frame(model, costs)
    total = model.total(costs)
    if not details:
        return CostResult(services=services, allocation=None, pools=None,
                          total_cost_kr=total, fund_result=costs.fund)
    allocation, pools, flows = _allocation_frames(inputs, model, costs)
    return CostResult(services=services, allocation=allocation, pools=pools,
                      total_cost_kr=total, fund=fund_table(costs.fund), fund_result=costs.fund,
                      flows=flows)


def services_frame(model: CostModel, costs) -> pd.DataFrame:
    """Självkostnad: one row per service (COST_COLUMNS) of :meth:`CostModel.at`'s costs."""
    names = {s.service_id: s for s in model.inputs.services}
    ids = model.ids
    return pd.DataFrame({
        "service_id": ids,
        "name": [names[i].name for i in ids],
        "unit": [names[i].unit for i in ids],
        "staff_category": [names[i].staff_category for i in ids],
        "fte": costs.fte,
        "productive_hours": model.productive_hours,
        "cost_per_fte_kr": model.per_fte,
        "personnel_cost_kr": costs.personnel,
        "seat_cost_kr": costs.seat_cost,
        "minute_cost_kr": model.minute_cost,
        "direct_cost_kr": model.direct,
        "overhead_kr": costs.overhead,
        "city_charge_kr": costs.city,
        "full_cost_kr": costs.full,
        "carry_forward_kr": costs.carry,
        "price_basis_kr": costs.full + costs.carry,
    }, columns=list(COST_COLUMNS))


def _allocation_frames(inputs: Inputs, model: CostModel, costs
                       ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Fördelning: the allocation per pool and service (ALLOCATION_COLUMNS), the pools
    (POOL_COST_COLUMNS) and the allocation's steps (FLOW_COLUMNS)."""
    pool_ids, service_ids = model.pool_ids, model.ids
    if pool_ids:
        matrix = pd.DataFrame(costs.allocated, index=pd.Index(pool_ids),
                              columns=pd.Index(service_ids))
        matrix = matrix.reindex(index=pool_ids, columns=service_ids).fillna(0.0)
        steps, shared = flows_of(costs.prepared)
    else:
        matrix = pd.DataFrame(0.0, index=[], columns=service_ids)
        steps, shared = pd.DataFrame(columns=list(FLOW_FIELDS)), pd.Series(dtype=float)
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

    shared = shared.reindex(pool_ids).to_numpy()
    staff_cost, total = costs.pool_staff_cost, costs.pool_costs
    received = shared - total
    if not model.categories:
        # No overhead staff: these columns have always been objects (pandas' sum over an
        # empty table of staff is an object column); their values are the same floats.
        staff_cost, total, received = (np.array(a.tolist(), dtype=object)
                                       for a in (staff_cost, total, received))
    pools = pd.DataFrame({
        "pool_id": pool_ids,
        "name": [pool_meta[i].name for i in pool_ids],
        "level": [pool_meta[i].level.value for i in pool_ids],
        "key": [pool_meta[i].key.value for i in pool_ids],
        "amount_kr": model.pool_amount,
        "staff_cost_kr": staff_cost,
        "total_kr": total,
        "received_kr": received,
        "shared_kr": shared,
        "allocated_kr": matrix.sum(axis=1).reindex(pool_ids).to_numpy(),
    }, columns=list(POOL_COST_COLUMNS))
    flows = _flows_frame(inputs, steps, inputs.parameters.allocation_method.value)
    return allocation, pools, flows


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
                          for r, t in zip(steps["receiver"].tolist(), to_pool.tolist(),
                                          strict=True)],
        "key_quantity": steps["key_quantity"].astype(float),
        "share": steps["share"].astype(float),
        "amount_kr": steps["amount_kr"].astype(float),
    }, columns=list(FLOW_COLUMNS))


def fund_table(fund: FundResult) -> pd.DataFrame:
    """Fondavräkning: one row per fund row, FUND_COLUMNS."""
    rows = [{c: getattr(m, c) for c in FUND_COLUMNS} for m in fund.movements]
    return pd.DataFrame(rows, columns=list(FUND_COLUMNS))
