"""The staffing model of SPEC §3: from contacts per service and channel to FTE (årsarbetare).

Pools
    Services answered by the same answer group in the same channel share agents: the pool is
    ``(Service.answer_group, channel_id)``, named ``"SB/telefon"``. A pool's settings come from
    its ``AnswerGroup`` row if there is one, each missing field falling back to the ``Channel``
    and then to ``Parameters`` (``max_occupancy`` for real-time, ``max_utilisation`` for deferred
    channels). An ``sla_override`` replaces the service level and answer time of every real-time
    pool (used to price services at other service levels).

Methods
    - Deferred channels: always workload-based, FTE = W / (productive h × max utilisation).
    - Real-time channels: ``AnswerGroup.method`` if given, else Erlang A when a patience is
      known, else Erlang C.
    - Erlang C: per interval type i (see ``calendar.interval_loads``) λ_i = V_pool × share_i /
      3600 per second and A_i = λ_i × AHT_pool, where AHT_pool is the pool's mean *effective*
      handle time weighted by volume (= effective workload / volume, so that A_i equals the sum
      of the services' offered loads exactly; chat: effective AHT = AHT / concurrency factor).
      N_i = ``agents_needed`` (service level, answer time, occupancy cap, ASA target), on-queue
      hours H = Σ_i N_i × 1 h × days_i and FTE = H / productive hours. All pools and all
      stand-alone figures go through ONE vectorised ``agents_needed`` call (equal loads within
      a job are solved once).
    - Erlang A: the same intervals, one vectorised ``agents_needed_erlang_a`` call per pool
      over its distinct loads.
    - Workload on a real-time pool: FTE = W_eff / (productive h × max occupancy).

Per service
    FTE_s = FTE_pool × W_s / W_pool with W = V × AHT (raw handle time), so Σ_s FTE_s = FTE_pool.
    The stand-alone FTE staffs the (service, channel) alone with the pool's settings: what a
    customer would need in-house. Pooling never needs more: for every pool FTE_pool ≤ Σ stand-
    alone FTE (Erlang C agents are subadditive in the load for equal AHT and targets; the tests
    check it on the example and on random data).

Trace (``POOL_COLUMNS``)
    ``workload_h`` is the raw workload V × AHT / 3600; ``achieved_occupancy`` is the effective
    workload over on-queue hours; ``achieved_service_level`` is weighted by the arrivals of each
    interval (Erlang A: its own service level, abandoners counting as not answered). For deferred
    and workload pools ``intervals``, ``peak_agents`` and ``achieved_service_level`` are NaN,
    ``max_occupancy`` holds the cap used (max utilisation for deferred) and ``on_queue_h`` is
    W_eff / cap.

Calendar note: productive hours per FTE follow ``Parameters.working_days`` (the employees'
year); the intervals follow the centre's real open days of ``Parameters.year``
(``calendar.open_days``). The two need not be equal.

Where the parts live: a pool's settings and how they resolve in :mod:`xlkc.staffing.pools`; the
checks (``staffing_problems``) in :mod:`xlkc.staffing.checks`; the jobs and the one vectorised
solve in :mod:`xlkc.staffing.solver`; a volume staffed alone (``staff_service_alone``,
``staff_many_alone``, ``fte_for_intervals``) in :mod:`xlkc.staffing.standalone`. This module
staffs an ``Inputs`` (``staff``), restaffs it at other SLA levels (``restaffed_fte``) and traces
one pool's intervals (``interval_trace``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlkc.errors import InputError, ValidationError
from xlkc.inputs import ChannelKind, Inputs, SlaLevel, StaffingMethod
from xlkc.results import POOL_COLUMNS, STAFFING_COLUMNS, StaffingResult
from xlkc.staffing.calendar import IntervalLoads, interval_loads
from xlkc.staffing.checks import staffing_problems
from xlkc.staffing.group_profiles import group_profiles
from xlkc.staffing.pools import PoolSettings, _resolve, parameters_productive_hours, pool_id
from xlkc.staffing.solver import NAN, _Job, _profile_job, _solve

__all__ = [
    "INTERVAL_COLUMNS",
    "interval_trace",
    "restaffed_fte",
    "staff",
]


@dataclass
class _Plan:
    """The pools of an ``Inputs``, ready to solve."""

    prod_h: float
    loads: dict[tuple[str, str], IntervalLoads]  # pool key -> its answer group's intervals
    members: dict[tuple[str, str], list[int]]  # pool key -> contact row indices
    settings: dict[tuple[str, str], PoolSettings]
    volume: np.ndarray  # used volume per contact row
    aht: np.ndarray  # used AHT per contact row
    pool_jobs: dict[tuple[str, str], _Job]


def _plan(inputs: Inputs, sla_override: SlaLevel | None, validated: bool = False) -> _Plan:
    if not validated:
        problems = staffing_problems(inputs, sla_override)
        if problems:
            raise ValidationError(problems)
    p = inputs.parameters
    prod_h = parameters_productive_hours(p)
    own = group_profiles(inputs)
    channels = {c.channel_id: c for c in inputs.channels}
    groups = {(g.group_id, g.channel_id): g for g in inputs.answer_groups}
    services = {s.service_id: s for s in inputs.services}
    members: dict[tuple[str, str], list[int]] = {}
    for i, cv in enumerate(inputs.contacts):
        members.setdefault((services[cv.service_id].answer_group, cv.channel_id), []).append(i)
    settings = {key: _resolve(channels[key[1]], groups.get(key), p, sla_override)
                for key in members}
    volume = np.array([cv.used_volume for cv in inputs.contacts], dtype=np.float64)
    aht = np.array([cv.used_aht_s for cv in inputs.contacts], dtype=np.float64)
    loads = {key: interval_loads(own.get(key[0], inputs.profile), p.year, p.opening_hour,
                                 p.closing_hour) for key in members}
    pool_jobs = {key: _profile_job(volume[idx], aht[idx], settings[key], loads[key])
                 for key, idx in members.items()}
    return _Plan(prod_h, loads, members, settings, volume, aht, pool_jobs)


#: The smallest normal double: below it a number keeps fewer than 53 bits.
_TINY = np.finfo(np.float64).tiny


def _by_workload(pool_fte: float, w: np.ndarray) -> np.ndarray:
    """A pool's FTE shared by workload: FTE_i = FTE_pool × w_i / Σw (0 where Σw = 0).

    Workloads so small that they are subnormal doubles (Σw < 2.2e-308 h) keep too few bits
    for FTE_pool × w_i to be exact enough; they are shared as FTE_pool × (w_i / Σw), so the
    services still add up to the pool.
    """
    w_pool = w.sum()
    if not w_pool > 0:
        return np.zeros(len(w))
    if w_pool < _TINY:
        return pool_fte * (w / w_pool)
    return pool_fte * w / w_pool


def staff(inputs: Inputs, sla_override: SlaLevel | None = None, *,
          validated: bool = False) -> StaffingResult:
    """Staff every pool and service of ``inputs`` (SPEC §3).

    Validates first (all problems at once, ``ValidationError``) unless ``validated`` says
    :func:`staffing_problems` already found none. With ``sla_override`` every real-time pool is
    staffed at that service level and answer time instead of its own.
    """
    plan = _plan(inputs, sla_override, validated)
    members, settings, volume, aht = plan.members, plan.settings, plan.volume, plan.aht
    pool_jobs, prod_h, contacts = plan.pool_jobs, plan.prod_h, inputs.contacts
    pool_of = {i: key for key, idx in members.items() for i in idx}
    alone_jobs = [_profile_job(volume[i:i + 1], aht[i:i + 1], settings[pool_of[i]],
                               plan.loads[pool_of[i]])
                  for i in range(len(contacts))]
    _solve([*pool_jobs.values(), *alone_jobs], prod_h)

    workload_h = volume * aht / 3600.0
    service_fte = np.zeros(len(contacts))
    for key, idx in members.items():
        service_fte[idx] = _by_workload(pool_jobs[key].out.fte, workload_h[idx])
    standalone = np.array([job.out.fte for job in alone_jobs])

    service_rows = [
        (cv.service_id, cv.channel_id, pool_id(*pool_of[i]), settings[pool_of[i]].method.value,
         cv.used_volume, cv.used_volume_source.value, cv.volume,
         cv.used_aht_s, cv.used_aht_source.value, cv.aht_s,
         float(workload_h[i]), float(service_fte[i]), float(standalone[i]))
        for i, cv in enumerate(contacts)
    ]
    pool_rows = []
    for key, idx in members.items():
        st, fig = settings[key], pool_jobs[key].out
        realtime = st.method is not StaffingMethod.WORKLOAD  # targets apply
        pool_rows.append((
            pool_id(*key), key[0], key[1], st.method.value,
            ", ".join(contacts[i].service_id for i in idx),
            st.service_level if realtime and st.service_level is not None else NAN,
            st.answer_time_s if realtime and st.answer_time_s is not None else NAN,
            st.max_occupancy,
            float(volume[idx].sum()), fig.workload_h, fig.intervals, fig.peak_agents,
            fig.on_queue_h, fig.achieved_service_level, fig.achieved_occupancy, fig.fte,
            float(standalone[idx].sum()),
        ))
    services_df = pd.DataFrame(service_rows, columns=list(STAFFING_COLUMNS))
    pools_df = pd.DataFrame(pool_rows, columns=list(POOL_COLUMNS))
    return StaffingResult(services=services_df, pools=pools_df, productive_hours=prod_h)


def restaffed_fte(inputs: Inputs, levels: Sequence[SlaLevel], base: StaffingResult,
                  by_group: bool = False) -> list[np.ndarray] | dict[tuple[int, str], np.ndarray]:
    """Each contact row's pooled FTE at each SLA level: ``staff(inputs, sla_override=level)
    .services["fte"]``, the same numbers, without the work that does not change.

    Only the real-time pools staffed by Erlang C or A read the service level, so only they are
    solved again (all levels in one ``_solve``); every other row keeps its FTE from ``base``
    (``staff(inputs)``), and no stand-alone volume is staffed. The inputs must be valid
    (``staffing_problems`` for every level found nothing).

    ``by_group``: instead, per (level index, answer group) the FTE with only that group's
    real-time pools at the level and every other pool at its own (SLA-pris prices one answer
    group at a time); the same single solve.
    """
    plan = _plan(inputs, None, validated=True)
    p = inputs.parameters
    channels = {c.channel_id: c for c in inputs.channels}
    groups = {(g.group_id, g.channel_id): g for g in inputs.answer_groups}
    workload_h = plan.volume * plan.aht / 3600.0
    jobs: list[_Job] = []
    placed: list[tuple[int, tuple[str, str]]] = []
    for li, level in enumerate(levels):
        for key, idx in plan.members.items():
            st = _resolve(channels[key[1]], groups.get(key), p, level)
            if st.kind is not ChannelKind.REAL_TIME or st.method is StaffingMethod.WORKLOAD:
                continue
            jobs.append(_profile_job(plan.volume[idx], plan.aht[idx], st, plan.loads[key]))
            placed.append((li, key))
    _solve(jobs, plan.prod_h)
    base_fte = base.services["fte"].to_numpy(dtype=np.float64)
    out: dict[tuple[int, str], np.ndarray] = {}
    for job, (li, key) in zip(jobs, placed, strict=True):
        idx = plan.members[key]
        fte = out.setdefault((li, key[0] if by_group else ""), base_fte.copy())
        fte[idx] = _by_workload(job.out.fte, workload_h[idx])
    if by_group:
        return out
    return [out.get((li, ""), base_fte.copy()) for li in range(len(levels))]


INTERVAL_COLUMNS = ("month", "weekday", "hour", "days", "contacts", "load_erlang", "agents",
                    "service_level", "occupancy")


def interval_trace(inputs: Inputs, pool: str, sla_override: SlaLevel | None = None
                   ) -> pd.DataFrame:
    """The intervals behind one real-time pool's FTE (``pool`` like ``"SB/telefon"``).

    One row per interval type (``INTERVAL_COLUMNS``): month (1..12), weekday (0 = Monday),
    start hour, number of such days, contacts in one such interval, offered load (Erlang,
    effective AHT), agents, achieved service level and occupancy. Σ agents × days × 1 h equals
    the pool's ``on_queue_h``. Raises InputError for an unknown or workload-based pool.
    """
    plan = _plan(inputs, sla_override)
    keys = {pool_id(*k): k for k in plan.members}
    if pool not in keys:
        raise InputError(f"Svarsgruppen/kanalen '{pool}' finns inte; välj en av: "
                         f"{', '.join(keys)}")
    job = plan.pool_jobs[keys[pool]]
    if job.settings.method is StaffingMethod.WORKLOAD:
        raise InputError(f"'{pool}' bemannas efter arbetsbelastning och har inga intervall")
    _solve([job], plan.prod_h)
    loads = plan.loads[keys[pool]]
    load = job.rate * job.aht_eff_s
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(job.agents > 0, load / np.where(job.agents > 0, job.agents, 1), np.nan)
    return pd.DataFrame({
        "month": loads.month, "weekday": loads.weekday, "hour": loads.hour,
        "days": loads.days, "contacts": job.rate * 3600.0 * loads.interval_h,
        "load_erlang": load, "agents": job.agents, "service_level": job.achieved_sl,
        "occupancy": occ,
    }, columns=list(INTERVAL_COLUMNS))
