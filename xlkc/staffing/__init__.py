"""Staffing (SPEC §3): queueing formulas, productive hours, calendar and the pool model.

Public API:

- ``erlang``: ``erlang_b``, ``erlang_c``, ``service_level``, ``asa``, ``occupancy``,
  ``agents_needed`` (Erlang B's numerics in ``erlang_b``, the arguments' checks in
  ``erlang_arguments``);
- ``erlang_a``: ``erlang_a`` / ``ErlangAResult``, ``agents_needed_erlang_a``;
- ``hours``: ``productive_hours``;
- ``calendar``: ``open_days``, ``public_holidays``, ``easter_sunday``, ``interval_loads`` /
  ``IntervalLoads``;
- ``model``: ``staff`` (the whole staffing of an ``Inputs``), ``staff_service_alone`` (one
  volume in one channel, staffed alone), ``fte_for_intervals`` (an explicit interval profile),
  ``staffing_problems`` (validation only), ``interval_trace`` (the intervals of one pool), ``StaffingFigures``, ``PoolSettings``, ``pool_id``.
"""

from xlkc.staffing.calendar import (
    IntervalLoads,
    easter_sunday,
    interval_loads,
    open_days,
    profile_problems,
    public_holidays,
)
from xlkc.staffing.erlang import (
    agents_needed,
    asa,
    erlang_b,
    erlang_c,
    occupancy,
    service_level,
)
from xlkc.staffing.erlang_a import ErlangAResult, agents_needed_erlang_a, erlang_a
from xlkc.staffing.hours import productive_hours
from xlkc.staffing.model import (
    INTERVAL_COLUMNS,
    PoolSettings,
    StaffingFigures,
    fte_for_intervals,
    interval_trace,
    parameters_productive_hours,
    pool_id,
    staff,
    staff_service_alone,
    staffing_problems,
)

__all__ = [
    "INTERVAL_COLUMNS",
    "ErlangAResult",
    "IntervalLoads",
    "PoolSettings",
    "StaffingFigures",
    "agents_needed",
    "agents_needed_erlang_a",
    "asa",
    "easter_sunday",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "fte_for_intervals",
    "interval_loads",
    "interval_trace",
    "occupancy",
    "open_days",
    "parameters_productive_hours",
    "pool_id",
    "productive_hours",
    "profile_problems",
    "public_holidays",
    "service_level",
    "staff",
    "staff_service_alone",
    "staffing_problems",
]
