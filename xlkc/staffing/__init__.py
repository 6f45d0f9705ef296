"""Staffing (SPEC §3): queueing formulas, productive hours, calendar and the pool model.

Public API:

- ``erlang``: ``erlang_b``, ``erlang_c``, ``service_level``, ``asa``, ``occupancy``,
  ``agents_needed`` (Erlang B's numerics in ``erlang_b``, the arguments' checks in
  ``erlang_arguments``);
- ``erlang_a``: ``erlang_a`` / ``ErlangAResult``, ``agents_needed_erlang_a``;
- ``hours``: ``productive_hours``;
- ``calendar``: ``open_days``, ``public_holidays``, ``easter_sunday``, ``interval_loads`` /
  ``IntervalLoads``;
- ``model``: ``staff`` (the whole staffing of an ``Inputs``), ``interval_trace`` (the
  intervals of one pool);
- ``standalone``: ``staff_service_alone`` (one volume in one channel, staffed alone),
  ``fte_for_intervals`` (an explicit interval profile);
- ``checks``: ``staffing_problems`` (validation only);
- ``pools``: ``PoolSettings``, ``pool_id``, ``parameters_productive_hours``;
- ``solver``: ``StaffingFigures`` (and the jobs and the one vectorised solve behind them).
"""

from xlkc.staffing.calendar import (
    IntervalLoads,
    easter_sunday,
    interval_loads,
    open_days,
    profile_problems,
    public_holidays,
)
from xlkc.staffing.checks import staffing_problems
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
from xlkc.staffing.model import INTERVAL_COLUMNS, interval_trace, staff
from xlkc.staffing.pools import PoolSettings, parameters_productive_hours, pool_id
from xlkc.staffing.solver import StaffingFigures
from xlkc.staffing.standalone import fte_for_intervals, staff_service_alone

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
