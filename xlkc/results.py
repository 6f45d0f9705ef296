"""Typed results of the pipeline: pandas DataFrames with stable column names.

The column lists here are the contract between the engine and the workbook writer: every result
table has exactly these columns, in this order (the layout gives them Swedish headers and formats).
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from typing import Any

import pandas as pd

# Staffing, one row per service and channel (Bemanning).
STAFFING_COLUMNS = (
    "service_id", "channel_id", "pool_id", "method",
    "volume", "volume_source", "measured_volume",
    "aht_s", "aht_source", "measured_aht_s",
    "workload_h", "fte", "standalone_fte",
)
# One row per pool (answer group x channel), the trace of how its FTE arose.
POOL_COLUMNS = (
    "pool_id", "answer_group", "channel_id", "method", "services",
    "service_level_target", "answer_time_s", "max_occupancy",
    "volume", "workload_h", "intervals", "peak_agents", "on_queue_h",
    "achieved_service_level", "achieved_occupancy", "fte", "standalone_fte_sum",
)
# Full cost per service (Självkostnad); each component visible.
COST_COLUMNS = (
    "service_id", "name", "unit", "staff_category", "fte", "productive_hours", "cost_per_fte_kr",
    "personnel_cost_kr", "seat_cost_kr", "minute_cost_kr", "direct_cost_kr",
    "overhead_kr", "city_charge_kr", "full_cost_kr", "carry_forward_kr", "price_basis_kr",
)
# The result fund (Fondavräkning), one row per service or price group and year of origin.
FUND_COLUMNS = ("key", "unit", "origin_year", "result_kr", "opening_kr", "new_kr", "returned_kr",
                "closing_kr", "years_left", "returned_to")
# Allocation of every overhead pool to every service, long format (Fördelning).
ALLOCATION_COLUMNS = ("pool_id", "pool_name", "level", "key", "service_id", "amount_kr")
# One row per pool: where its money came from.
POOL_COST_COLUMNS = ("pool_id", "name", "level", "key", "amount_kr", "staff_cost_kr",
                     "total_kr", "received_kr", "shared_kr", "allocated_kr")
# How the allocation runs, step by step (Fördelning): every pool's total shared over its
# receivers (services, and other pools for step-down and reciprocal) by their key quantities.
FLOW_COLUMNS = ("pool_id", "pool_name", "method", "key", "receiver", "receiver_kind",
                "receiver_name", "key_quantity", "share", "amount_kr")
# The price list (Prislista), one row per service, or per service and channel.
PRICE_COLUMNS = (
    "service_id", "channel_id", "name", "unit", "service_type", "price_model", "price_unit",
    "price_group", "quantity", "cost_basis_kr", "exact_price_kr", "price_kr", "annual_fee_kr",
    "previous_price_kr", "change_kr", "change_pct", "comparison", "residual_kr",
    "group_transfer_kr",
)
# What every customer pays (Kunddebitering), one row per customer, service (and channel).
CHARGE_COLUMNS = (
    "customer_id", "customer_name", "service_id", "channel_id", "quantity", "price_kr",
    "fee_share", "fee_kr", "charge_kr", "previous_price_kr", "previous_charge_kr",
    "price_effect_kr",
)
# Totals per customer.
CUSTOMER_TOTAL_COLUMNS = ("customer_id", "customer_name", "charge_kr", "previous_charge_kr",
                          "price_effect_kr")
# The reconciliation (Avstämning): each check with its figures.
CHECK_COLUMNS = ("check", "value_kr", "reference_kr", "difference_kr", "ok")
# Price of each real-time service at other service levels (SLA-pris), long format.
SLA_COLUMNS = ("service_id", "name", "service_level", "answer_time_s", "fte", "full_cost_kr",
               "price_kr", "price_unit")

# How much rests on which data quality (Datakvalitet): one row per source, then a total row.
QUALITY_COLUMNS = ("source", "contact_rows", "contacts", "workload_h", "workload_share", "fte",
                   "cost_kr", "cost_share")

# Why full cost moved since last year (Prisbrygga), one row per service; efficiency beside it.
BRIDGE_COLUMNS = (
    "service_id", "name", "previous_cost_kr", "volume_effect_kr", "handle_time_effect_kr",
    "staffing_effect_kr", "salary_effect_kr", "overhead_effect_kr", "other_effect_kr",
    "full_cost_kr", "previous_cost_per_contact_kr", "cost_per_contact_kr", "real_change_pct",
    "previous_fte_per_10k", "fte_per_10k",
)

# The price list as the board decides it (Prislista för beslut), one row per price line.
BOARD_COLUMNS = ("service_id", "channel_id", "name", "service_type", "price_model",
                 "unit_price_kr", "price_unit", "annual_fee_kr", "previous_price_kr",
                 "previous_annual_fee_kr", "change_pct", "note")
# Every customer's statement (Kundspecifikation): its lines, then a total row per customer.
STATEMENT_COLUMNS = ("customer_id", "customer_name", "row_kind", "service_id", "name",
                     "channel_id", "key", "key_quantity", "share", "quantity", "price_unit",
                     "price_kr", "fee_kr", "charge_kr", "previous_charge_kr", "change_kr",
                     "change_pct")
# Why each price moved since last year (Prisbrygga), one row per price-list line: last year's
# price, the effects in kr per price unit in their order of substitution, this year's price
# (xlkc.price_bridge); a text instead of effects where the line is not comparable.
PRICE_BRIDGE_COLUMNS = (
    "service_id", "channel_id", "name", "price_unit", "previous_price_kr",
    "outcome_per_unit_kr", "volume_per_unit_kr", "handle_time_per_unit_kr",
    "staffing_per_unit_kr", "salary_per_unit_kr", "overhead_per_unit_kr", "other_per_unit_kr",
    "carry_forward_per_unit_kr", "group_transfer_per_unit_kr", "rounding_per_unit_kr",
    "price_kr", "change_kr", "change_pct", "comparison",
)

# What each customer would pay doing the work itself (Kundjämförelse), per customer and service.
INHOUSE_COLUMNS = ("customer_id", "customer_name", "service_id", "contacts", "workload_h",
                   "inhouse_fte", "inhouse_cost_kr", "charge_kr", "difference_kr")


def records(frame: pd.DataFrame) -> list:
    """The rows of a result table as named tuples of plain Python values, as
    ``frame.itertuples(index=False)`` gives them, without pandas' access per value (issue
    15)."""
    row = namedtuple("Row", list(frame.columns), rename=True)
    return list(map(row._make, zip(*(frame[c].tolist() for c in frame.columns), strict=True)))


@dataclass(frozen=True)
class StaffingResult:
    services: pd.DataFrame  # STAFFING_COLUMNS
    pools: pd.DataFrame  # POOL_COLUMNS
    productive_hours: float  # per FTE


@dataclass(frozen=True)
class CostResult:
    services: pd.DataFrame  # COST_COLUMNS
    allocation: pd.DataFrame  # ALLOCATION_COLUMNS
    pools: pd.DataFrame  # POOL_COST_COLUMNS
    total_cost_kr: float  # every krona entered (salaries, costs, pools, city charge)
    flows: pd.DataFrame | None = None  # FLOW_COLUMNS
    fund: pd.DataFrame | None = None  # FUND_COLUMNS (Fondavräkning)
    fund_result: Any = None  # the xlkc.fund.FundResult behind it

    @property
    def overhead_rate(self) -> float:
        """The model's overhead rate: (overhead + city charge) / personnel cost, all services
        (what Ny tjänst adds on a new service's personnel cost); NaN without personnel cost."""
        s = self.services
        personnel = float(s["personnel_cost_kr"].sum())
        if personnel <= 0:
            return float("nan")
        return float((s["overhead_kr"] + s["city_charge_kr"]).sum()) / personnel


@dataclass(frozen=True)
class PriceResult:
    prices: pd.DataFrame  # PRICE_COLUMNS
    charges: pd.DataFrame  # CHARGE_COLUMNS
    customer_totals: pd.DataFrame  # CUSTOMER_TOTAL_COLUMNS


@dataclass(frozen=True)
class Results:
    staffing: StaffingResult
    cost: CostResult
    price: PriceResult
    checks: pd.DataFrame  # CHECK_COLUMNS
    sla: pd.DataFrame  # SLA_COLUMNS
    quality: pd.DataFrame  # QUALITY_COLUMNS
    bridge: pd.DataFrame  # BRIDGE_COLUMNS
    inhouse: pd.DataFrame  # INHOUSE_COLUMNS
    price_bridge: pd.DataFrame  # PRICE_BRIDGE_COLUMNS
    # Views for the board and the customers (xlkc.statements): BOARD_COLUMNS, STATEMENT_COLUMNS
    board: pd.DataFrame | None = None
    statement: pd.DataFrame | None = None

    @property
    def all_checks_ok(self) -> bool:
        return bool(self.checks["ok"].all())
