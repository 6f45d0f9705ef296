"""Staffing volumes over their intervals: the jobs, one solve for them all, the figures.

A :class:`_Job` is one volume to staff (a pool's, or one service's alone): its arrivals per
second in each interval type, how often each type occurs in the year, its effective handle time
and its settings (:func:`_profile_job` makes one from volumes and ``calendar.interval_loads``).
:func:`_solve` staffs a list of jobs in place: workload-based ones by formula, Erlang A per job
over its distinct loads, and every Erlang C job of the list in ONE vectorised
``agents_needed`` call; :func:`_finish` sums a job's agents into its :class:`StaffingFigures`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from xlkc.inputs import StaffingMethod
from xlkc.staffing.calendar import IntervalLoads
from xlkc.staffing.erlang import (
    agents_needed,
    agents_needed_erlang_a,
    erlang_a,
    service_level,
)
from xlkc.staffing.pools import PoolSettings

__all__ = [
    "StaffingFigures",
]

NAN = float("nan")


@dataclass(frozen=True)
class StaffingFigures:
    """How many FTE a volume needs, with the figures that explain it.

    ``peak_agents``, ``intervals`` and ``achieved_service_level`` are NaN for workload-based
    staffing; ``achieved_occupancy`` is effective workload / on-queue hours (NaN at zero hours).
    """

    fte: float
    on_queue_h: float
    peak_agents: float
    achieved_service_level: float
    achieved_occupancy: float
    workload_h: float  # raw: volume × AHT / 3600
    intervals: float
    method: StaffingMethod
    productive_hours: float


@dataclass
class _Job:
    """One volume to staff: arrivals per second per interval type, repeated ``days`` times."""

    rate: np.ndarray  # arrivals per second in each interval type
    days: np.ndarray  # occurrences of each interval type per year
    interval_h: float
    aht_eff_s: float  # mean effective handle time (AHT / concurrency factor)
    workload_h: float  # raw V × AHT / 3600
    settings: PoolSettings
    out: StaffingFigures | None = field(default=None)
    agents: np.ndarray | None = field(default=None)  # per interval type, after _solve
    achieved_sl: np.ndarray | None = field(default=None)

    @property
    def effective_workload_h(self) -> float:
        return float(np.dot(self.rate, self.days)) * self.interval_h * self.aht_eff_s


def _profile_job(volumes: Sequence[float], ahts: Sequence[float], settings: PoolSettings,
                 loads: IntervalLoads) -> _Job:
    """A job for the summed volumes of one or more services of one pool."""
    v = np.asarray(volumes, dtype=np.float64)
    a = np.asarray(ahts, dtype=np.float64)
    volume = float(v.sum())
    raw_w = float(np.dot(v, a))
    aht_eff = raw_w / settings.concurrency_factor / volume if volume > 0 else 0.0
    rate = volume * loads.share / (3600.0 * loads.interval_h)
    return _Job(rate, loads.days, loads.interval_h, aht_eff, raw_w / 3600.0, settings)


def _solve(jobs: list[_Job], prod_h: float) -> None:
    """Staff every job in place (``job.out``); one ``agents_needed`` call for all Erlang C."""
    erlang_c: list[tuple[_Job, np.ndarray, np.ndarray]] = []
    for job in jobs:
        st = job.settings
        if st.method is StaffingMethod.WORKLOAD:
            w_eff = job.workload_h / st.concurrency_factor
            on_queue = w_eff / st.max_occupancy
            job.out = StaffingFigures(
                fte=on_queue / prod_h, on_queue_h=on_queue, peak_agents=NAN,
                achieved_service_level=NAN,
                achieved_occupancy=st.max_occupancy if on_queue > 0 else NAN,
                workload_h=job.workload_h, intervals=NAN, method=st.method,
                productive_hours=prod_h)
            continue
        if job.aht_eff_s <= 0:  # nothing arrives, or nothing to handle: no agents
            agents = np.zeros(job.rate.size)
            sl = np.ones(job.rate.size)
            _finish(job, agents, sl, prod_h)
            continue
        uniq, inverse = np.unique(job.rate, return_inverse=True)
        if st.method is StaffingMethod.ERLANG_A:
            n_u = agents_needed_erlang_a(uniq, job.aht_eff_s, st.patience_s,
                                         st.service_level, st.answer_time_s,
                                         st.max_occupancy, st.asa_target_s).astype(np.float64)
            sl_u = erlang_a(n_u, uniq, job.aht_eff_s, st.patience_s,
                            st.answer_time_s).service_level
            _finish(job, n_u[inverse], sl_u[inverse], prod_h)
            continue
        erlang_c.append((job, uniq, inverse))
    if not erlang_c:
        return
    # One vectorised call for every Erlang C job: parameters broadcast per element.
    sizes = [u.size for _, u, _ in erlang_c]

    def per_element(values: list[float]) -> np.ndarray:
        return np.repeat(np.asarray(values, dtype=np.float64), sizes)

    load = np.concatenate([u * j.aht_eff_s for j, u, _ in erlang_c])
    aht = per_element([j.aht_eff_s for j, _, _ in erlang_c])
    sl_t = per_element([j.settings.service_level for j, _, _ in erlang_c])
    t = per_element([j.settings.answer_time_s for j, _, _ in erlang_c])
    occ = per_element([j.settings.max_occupancy for j, _, _ in erlang_c])
    asa_targets = [j.settings.asa_target_s for j, _, _ in erlang_c]
    asa_t = (None if all(x is None for x in asa_targets)
             else per_element([np.inf if x is None else x for x in asa_targets]))
    agents = agents_needed(load, aht, sl_t, t, occ, asa_t).astype(np.float64)
    achieved = service_level(agents, load, aht, t)
    achieved = np.where(load > 0, achieved, 1.0)
    start = 0
    for (job, _, inverse), size in zip(erlang_c, sizes, strict=True):
        stop = start + size
        _finish(job, agents[start:stop][inverse], achieved[start:stop][inverse], prod_h)
        start = stop


def _finish(job: _Job, agents: np.ndarray, sl: np.ndarray, prod_h: float) -> None:
    job.agents, job.achieved_sl = agents, sl
    on_queue = float(np.dot(agents, job.days)) * job.interval_h
    arrivals = job.rate * job.days
    total = float(arrivals.sum())
    w_eff = job.effective_workload_h
    job.out = StaffingFigures(
        fte=on_queue / prod_h,
        on_queue_h=on_queue,
        peak_agents=float(agents.max()) if agents.size else 0.0,
        achieved_service_level=float(np.dot(arrivals, sl)) / total if total > 0 else NAN,
        achieved_occupancy=w_eff / on_queue if on_queue > 0 else NAN,
        workload_h=job.workload_h,
        intervals=float(job.days.sum()),
        method=job.settings.method,
        productive_hours=prod_h,
    )
