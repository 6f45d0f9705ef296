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
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from xlkc.errors import InputError, Problem, ValidationError
from xlkc.inputs import (
    AnswerGroup,
    Channel,
    ChannelKind,
    Inputs,
    Parameters,
    Profile,
    SlaLevel,
    StaffingMethod,
)
from xlkc.results import POOL_COLUMNS, STAFFING_COLUMNS, StaffingResult
from xlkc.staffing.calendar import IntervalLoads, interval_loads, profile_problems
from xlkc.staffing.erlang import (
    agents_needed,
    agents_needed_erlang_a,
    erlang_a,
    service_level,
)
from xlkc.staffing.group_profiles import group_profile_problems, group_profiles
from xlkc.staffing.hours import productive_hours

__all__ = [
    "INTERVAL_COLUMNS",
    "PoolSettings",
    "StaffingFigures",
    "fte_for_intervals",
    "interval_trace",
    "parameters_productive_hours",
    "pool_id",
    "pool_settings",
    "restaffed_fte",
    "staff",
    "staff_service_alone",
    "staffing_problems",
]

NAN = float("nan")


# --------------------------------------------------------------------------- public types


@dataclass(frozen=True)
class PoolSettings:
    """The resolved staffing settings of one pool (or one service staffed alone)."""

    method: StaffingMethod
    kind: ChannelKind
    service_level: float | None = None
    answer_time_s: float | None = None
    max_occupancy: float = 0.85  # real-time: occupancy cap; deferred: max utilisation
    patience_s: float | None = None
    asa_target_s: float | None = None
    concurrency_factor: float = 1.0


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


def pool_id(answer_group: str, channel_id: str) -> str:
    """The readable id of a pool: ``"SB/telefon"``."""
    return f"{answer_group}/{channel_id}"


def parameters_productive_hours(p: Parameters) -> float:
    """Productive hours per FTE from the yearly parameters (``hours.productive_hours``)."""
    return productive_hours(p.working_days, p.hours_per_day, p.vacation_days, p.sick_leave,
                            p.training, p.other_absence, p.total_shrinkage)


# --------------------------------------------------------------------------- validation


def _num(x: object) -> str:
    """A number as a Swedish controller writes it (decimal comma)."""
    if isinstance(x, float | int) and not isinstance(x, bool):
        return f"{x:g}".replace(".", ",")
    return repr(x)


def _finite(x: object) -> bool:
    return (isinstance(x, float | int) and not isinstance(x, bool)
            and math.isfinite(float(x)))


class _Checker:
    """Collects problems; each check names its item in the message and its place in the inputs.

    ``record``/``index``/``field`` say where the value sits in :class:`Inputs` (e.g.
    ``"contacts"``, 3, ``"aht_s"``); an adapter translates that into a sheet, row and column.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: tuple[str, int | None], message: str, field: str | None = None) -> None:
        record, index = where
        self.problems.append(Problem(message, record=record, index=index, field=field))

    def share(self, where, item: str, value: float | None, what: str, field: str) -> None:
        """A service level: strictly between 0 and 1."""
        if value is not None and not (_finite(value) and 0 < value < 1):
            self.add(where, f"{item}: {what} måste ligga mellan 0 och 1 (t.ex. 0,8), "
                            f"fick {_num(value)}", field)

    def cap(self, where, item: str, value: float | None, what: str, field: str) -> None:
        """An occupancy or utilisation cap: in (0, 1]."""
        if value is not None and not (_finite(value) and 0 < value <= 1):
            self.add(where, f"{item}: {what} måste vara större än 0 och högst 1, "
                            f"fick {_num(value)}", field)

    def positive(self, where, item: str, value: float | None, what: str, field: str) -> None:
        if value is not None and not (_finite(value) and value > 0):
            self.add(where, f"{item}: {what} måste vara större än 0, fick {_num(value)}", field)

    def non_negative(self, where, item: str, value: float | None, what: str,
                     field: str) -> None:
        if value is not None and not (_finite(value) and value >= 0):
            self.add(where, f"{item}: {what} får inte vara negativ, fick {_num(value)}", field)


#: Which input a message of ``calendar.profile_problems`` is about: (word, record, field).
_PROFILE_SUBJECTS = (
    ("månadsfaktorerna", "profile", "month_factors"),
    ("timandelarna", "profile", "hourly_shares"),
    ("veckodagsandelarna", "profile", "weekday_shares"),
    ("Öppettiderna", "parameters", "opening_hour"),
)


def _profile_problem(message: str) -> Problem:
    for word, record, field_name in _PROFILE_SUBJECTS:
        if word in message:
            return Problem(message, record=record, field=field_name)
    return Problem(message, record="profile")


def _check_realtime_settings(ck: _Checker, where, item: str, *, service_level,
                             answer_time_s, max_occupancy, patience_s, asa_target_s) -> None:
    ck.share(where, item, service_level, "servicenivån", "service_level")
    ck.non_negative(where, item, answer_time_s, "svarstiden", "answer_time_s")
    ck.cap(where, item, max_occupancy, "maximal beläggning", "max_occupancy")
    ck.positive(where, item, patience_s, "tålamodet", "patience_s")
    ck.positive(where, item, asa_target_s, "målet för genomsnittlig svarstid (ASA)",
                "asa_target_s")


def staffing_problems(inputs: Inputs, sla_override: SlaLevel | None = None) -> list[Problem]:
    """Every problem that stops ``staff`` from running, in Swedish, each naming its item.

    Each problem carries ``record``/``index``/``field`` (where in ``inputs`` the value is); the
    problems of an ``sla_override`` point at its position in ``parameters.sla_levels`` if it is
    one of them.
    """
    ck = _Checker()
    p = inputs.parameters
    params = ("parameters", None)
    ck.cap(params, "Parametrar", p.max_occupancy, "maximal beläggning", "max_occupancy")
    ck.cap(params, "Parametrar", p.max_utilisation, "maximalt utnyttjande", "max_utilisation")
    try:
        parameters_productive_hours(p)
    except InputError as exc:
        ck.add(params, f"Parametrar: {exc}")
    ck.problems += [_profile_problem(msg)
                    for msg in profile_problems(inputs.profile, p.opening_hour, p.closing_hour)]
    ck.problems += group_profile_problems(inputs)
    if sla_override is not None:
        levels = tuple(p.sla_levels)
        sla = ("parameters.sla_levels",
               levels.index(sla_override) if sla_override in levels else None)
        ck.share(sla, "SLA-nivå", sla_override.service_level, "servicenivån", "service_level")
        ck.non_negative(sla, "SLA-nivå", sla_override.answer_time_s, "svarstiden",
                        "answer_time_s")

    channels: dict[str, Channel] = {}
    channel_index: dict[str, int] = {}
    for i, c in enumerate(inputs.channels):
        item = f"Kanal '{c.channel_id}'"
        here = ("channels", i)
        if c.channel_id in channels:
            ck.add(here, f"{item} förekommer mer än en gång", "channel_id")
        channels[c.channel_id] = c
        channel_index.setdefault(c.channel_id, i)
        _check_realtime_settings(ck, here, item, service_level=c.service_level,
                                 answer_time_s=c.answer_time_s, max_occupancy=c.max_occupancy,
                                 patience_s=c.patience_s, asa_target_s=c.asa_target_s)
        ck.cap(here, item, c.max_utilisation, "maximalt utnyttjande", "max_utilisation")
        if not (_finite(c.concurrency_factor) and c.concurrency_factor > 0):
            ck.add(here, f"{item}: samtidighetsfaktorn måste vara större än 0, "
                         f"fick {_num(c.concurrency_factor)}", "concurrency_factor")

    groups: dict[tuple[str, str], AnswerGroup] = {}
    group_index: dict[tuple[str, str], int] = {}
    for i, g in enumerate(inputs.answer_groups):
        item = f"Svarsgrupp '{g.group_id}', kanal '{g.channel_id}'"
        here = ("answer_groups", i)
        if g.channel_id not in channels:
            ck.add(here, f"{item}: kanalen '{g.channel_id}' finns inte i Kanaler", "channel_id")
        elif (channels[g.channel_id].kind is ChannelKind.DEFERRED and g.method is not None
              and g.method is not StaffingMethod.WORKLOAD):
            ck.add(here, f"{item}: {g.method.value} kan bara användas för "
                         f"realtidskanaler; '{g.channel_id}' bemannas efter "
                         f"arbetsbelastning", "method")
        if (g.group_id, g.channel_id) in groups:
            ck.add(here, f"{item} förekommer mer än en gång", "group_id")
        groups[(g.group_id, g.channel_id)] = g
        group_index.setdefault((g.group_id, g.channel_id), i)
        _check_realtime_settings(ck, here, item, service_level=g.service_level,
                                 answer_time_s=g.answer_time_s, max_occupancy=g.max_occupancy,
                                 patience_s=g.patience_s, asa_target_s=g.asa_target_s)

    services = {}
    for i, s in enumerate(inputs.services):
        if s.service_id in services:
            ck.add(("services", i), f"Tjänst '{s.service_id}' förekommer mer än en gång",
                   "service_id")
        services[s.service_id] = s

    seen: set[tuple[str, str]] = set()
    pools: dict[tuple[str, str], None] = {}
    for i, cv in enumerate(inputs.contacts):
        item = f"Tjänst '{cv.service_id}', kanal '{cv.channel_id}'"
        here = ("contacts", i)
        known = True
        if cv.service_id not in services:
            ck.add(here, f"{item}: tjänsten '{cv.service_id}' finns inte i Tjänster",
                   "service_id")
            known = False
        if cv.channel_id not in channels:
            ck.add(here, f"{item}: kanalen '{cv.channel_id}' finns inte i Kanaler", "channel_id")
            known = False
        key = (cv.service_id, cv.channel_id)
        if key in seen:
            ck.add(here, f"{item} förekommer mer än en gång", "service_id")
        seen.add(key)
        ck.non_negative(here, item, cv.volume, "volymen", "volume")
        ck.non_negative(here, item, cv.target_volume, "målvärdet för volymen", "target_volume")
        ck.non_negative(here, item, cv.aht_s, "hanteringstiden", "aht_s")
        ck.non_negative(here, item, cv.target_aht_s, "målvärdet för hanteringstiden",
                        "target_aht_s")
        if known:
            pools[(services[cv.service_id].answer_group, cv.channel_id)] = None

    for group_id, channel_id in pools:
        channel = channels[channel_id]
        if channel.kind is not ChannelKind.REAL_TIME:
            continue
        st = _resolve(channel, groups.get((group_id, channel_id)), p, sla_override)
        item = f"Svarsgrupp '{group_id}', kanal '{channel_id}'"
        if st.method is StaffingMethod.WORKLOAD:
            continue
        if st.service_level is None or st.answer_time_s is None:
            ck.add(("channels", channel_index[channel_id]),
                   f"{item}: realtidskanalen '{channel_id}' saknar servicenivå eller svarstid "
                   f"(ange dem i Kanaler eller Svarsgrupper)",
                   "service_level" if st.service_level is None else "answer_time_s")
        if st.method is StaffingMethod.ERLANG_A and st.patience_s is None:
            gi = group_index.get((group_id, channel_id))
            where = (("answer_groups", gi) if gi is not None
                     else ("channels", channel_index[channel_id]))
            ck.add(where, f"{item}: Erlang A kräver ett tålamod (s)", "patience_s")
    return ck.problems


# --------------------------------------------------------------------------- settings


def _first(*values):
    for v in values:
        if v is not None:
            return v
    return None


def _resolve(channel: Channel, group: AnswerGroup | None, p: Parameters,
             sla_override: SlaLevel | None = None) -> PoolSettings:
    """Pool settings: answer group row, then channel, then parameters."""
    g = group if group is not None else AnswerGroup("", channel.channel_id)
    if channel.kind is ChannelKind.DEFERRED:
        return PoolSettings(
            StaffingMethod.WORKLOAD, channel.kind,
            max_occupancy=_first(channel.max_utilisation, p.max_utilisation),
            concurrency_factor=channel.concurrency_factor)
    patience = _first(g.patience_s, channel.patience_s)
    method = g.method or (StaffingMethod.ERLANG_A if patience is not None
                          else StaffingMethod.ERLANG_C)
    sl = _first(g.service_level, channel.service_level)
    t = _first(g.answer_time_s, channel.answer_time_s)
    if sla_override is not None:
        sl, t = sla_override.service_level, sla_override.answer_time_s
    return PoolSettings(
        method, channel.kind, service_level=sl, answer_time_s=t,
        max_occupancy=_first(g.max_occupancy, channel.max_occupancy, p.max_occupancy),
        patience_s=patience, asa_target_s=_first(g.asa_target_s, channel.asa_target_s),
        concurrency_factor=channel.concurrency_factor)


# --------------------------------------------------------------------------- the solver


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


# --------------------------------------------------------------------------- staff()


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
        w_pool = workload_h[idx].sum()
        if w_pool > 0:
            service_fte[idx] = pool_jobs[key].out.fte * workload_h[idx] / w_pool
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
        w_pool = workload_h[idx].sum()
        fte = out.setdefault((li, key[0] if by_group else ""), base_fte.copy())
        fte[idx] = job.out.fte * workload_h[idx] / w_pool if w_pool > 0 else 0.0
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


# --------------------------------------------------------------------------- single volumes


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise ValidationError(problems)


def _single_settings(channel: Channel, parameters: Parameters, *, service_level, answer_time_s,
                     max_occupancy, patience_s, asa_target_s, method) -> PoolSettings:
    """Settings for a volume staffed on its own: arguments, then channel, then parameters."""
    group = AnswerGroup("", channel.channel_id, method=method, service_level=service_level,
                        answer_time_s=answer_time_s, max_occupancy=max_occupancy,
                        patience_s=patience_s, asa_target_s=asa_target_s)
    inputs = Inputs(parameters, (channel,), (group,), (), (), Profile((1.0,) * 12, (1.0,)))
    dummy = set(profile_problems(inputs.profile, parameters.opening_hour,
                                 parameters.closing_hour))
    problems = [pr for pr in staffing_problems(inputs) if pr.message not in dummy]
    st = _resolve(channel, group, parameters)
    item = f"Kanal '{channel.channel_id}'"
    if st.kind is ChannelKind.REAL_TIME and st.method is not StaffingMethod.WORKLOAD:
        if st.service_level is None or st.answer_time_s is None:
            problems.append(Problem(f"{item}: servicenivå och svarstid krävs för en "
                                    f"realtidskanal"))
        if st.method is StaffingMethod.ERLANG_A and st.patience_s is None:
            problems.append(Problem(f"{item}: Erlang A kräver ett tålamod (s)"))
    _raise(problems)
    return st


def _check_volume(volume: float, aht_s: float, problems: list[Problem]) -> None:
    if not (_finite(volume) and volume >= 0):
        problems.append(Problem(f"Volymen får inte vara negativ, fick {_num(volume)}"))
    if not (_finite(aht_s) and aht_s >= 0):
        problems.append(Problem(f"Hanteringstiden får inte vara negativ, fick {_num(aht_s)}"))


def _alone_settings(channel: Channel, parameters: Parameters, *, max_occupancy: float | None,
                    **overrides) -> PoolSettings:
    """Settings of a volume staffed alone; ``max_occupancy`` caps utilisation when deferred."""
    if channel.kind is ChannelKind.DEFERRED and max_occupancy is not None:
        channel = Channel(**{**channel.__dict__, "max_utilisation": max_occupancy})
        max_occupancy = None
    return _single_settings(channel, parameters, max_occupancy=max_occupancy, **overrides)


def staff_service_alone(
    volume: float,
    aht_s: float,
    channel: Channel,
    parameters: Parameters,
    profile: Profile,
    *,
    service_level: float | None = None,
    answer_time_s: float | None = None,
    max_occupancy: float | None = None,
    patience_s: float | None = None,
    asa_target_s: float | None = None,
    method: StaffingMethod | None = None,
) -> StaffingFigures:
    """FTE for one yearly volume staffed alone in ``channel`` (UDF KC_ARSARBETARE, Ny tjänst).

    Keyword arguments override the channel's settings, which override ``parameters``
    (``max_occupancy`` is the utilisation cap for a deferred channel). The volume is spread over
    the open days and hours of ``parameters.year`` by ``profile``, exactly as in ``staff``.
    """
    return staff_many_alone([(volume, aht_s, channel, parameters, dict(
        service_level=service_level, answer_time_s=answer_time_s, max_occupancy=max_occupancy,
        patience_s=patience_s, asa_target_s=asa_target_s, method=method))], profile)[0]


_NO_OVERRIDES = dict.fromkeys(("service_level", "answer_time_s", "max_occupancy", "patience_s",
                                "asa_target_s", "method"))


def staff_many_alone(requests: Sequence[tuple], profile: Profile) -> list[StaffingFigures]:
    """``staff_service_alone`` for many volumes at once, each ``(volume, aht_s, channel,
    parameters, overrides[, profile])`` (overrides: keyword arguments of
    ``staff_service_alone``, missing ones None; the optional profile replaces ``profile`` for
    that request); the same figures, solved in one pass.

    Each distinct (channel, parameters, overrides) is validated and resolved once, and the
    profile once, so that thousands of requests do not repeat the same checks.
    """
    problems: list[Problem] = []
    for volume, aht_s, *_ in requests:
        _check_volume(volume, aht_s, problems)
    # A request may carry its own profile (its answer group's) as a sixth item.
    profiles = [r[5] if len(r) > 5 and r[5] is not None else profile for r in requests]
    hours = {(r[3].opening_hour, r[3].closing_hour, prof)
             for r, prof in zip(requests, profiles, strict=True)}
    for opening, closing, prof in hours:
        problems += [_profile_problem(m) for m in profile_problems(prof, opening, closing)]
    _raise(list(dict.fromkeys(problems)))
    resolved: dict[tuple, PoolSettings] = {}
    jobs = []
    for (volume, aht_s, channel, parameters, given, *_), prof in zip(requests, profiles,
                                                                      strict=True):
        overrides = {**_NO_OVERRIDES, **given}
        key = (channel, parameters, tuple(sorted(overrides.items())))
        st = resolved.get(key)
        if st is None:
            st = resolved[key] = _alone_settings(channel, parameters, **overrides)
        loads = interval_loads(prof, parameters.year, parameters.opening_hour,
                               parameters.closing_hour)
        jobs.append((_profile_job([float(volume)], [float(aht_s)], st, loads),
                     parameters_productive_hours(parameters)))
    by_hours: dict[float, list[_Job]] = {}
    for job, prod_h in jobs:
        by_hours.setdefault(prod_h, []).append(job)
    for prod_h, same in by_hours.items():
        _solve(same, prod_h)
    return [job.out for job, _ in jobs]


def fte_for_intervals(
    volumes: Sequence[float] | np.ndarray,
    aht_s: float,
    channel: Channel,
    parameters: Parameters,
    *,
    days: float | Sequence[float] | np.ndarray = 1.0,
    interval_s: float = 3600.0,
    service_level: float | None = None,
    answer_time_s: float | None = None,
    max_occupancy: float | None = None,
    patience_s: float | None = None,
    asa_target_s: float | None = None,
    method: StaffingMethod | None = None,
) -> StaffingFigures:
    """FTE for an explicit interval profile (a UDF may pass an hourly range).

    ``volumes[i]`` contacts arrive in interval i (length ``interval_s``), and interval i occurs
    ``days[i]`` times a year (a scalar applies to all; e.g. one typical day's hourly volumes with
    ``days=251``). On-queue hours H = Σ N_i × interval length × days_i; FTE = H / productive
    hours from ``parameters``. Settings resolve as in ``staff_service_alone``.
    """
    problems: list[Problem] = []
    v = np.atleast_1d(np.asarray(volumes, dtype=np.float64)).ravel()
    d = np.broadcast_to(np.asarray(days, dtype=np.float64), v.shape).astype(np.float64)
    if not (np.all(np.isfinite(v)) and np.all(v >= 0)):
        problems.append(Problem("Volymerna per intervall måste vara tal ≥ 0"))
    if not (np.all(np.isfinite(d)) and np.all(d >= 0)):
        problems.append(Problem("Antalet dagar per intervall måste vara tal ≥ 0"))
    if not (_finite(interval_s) and interval_s > 0):
        problems.append(Problem(f"Intervallängden måste vara större än 0 sekunder, "
                                f"fick {_num(interval_s)}"))
    if not (_finite(aht_s) and aht_s >= 0):
        problems.append(Problem(f"Hanteringstiden får inte vara negativ, fick {_num(aht_s)}"))
    _raise(problems)
    st = _alone_settings(channel, parameters, service_level=service_level,
                         answer_time_s=answer_time_s, max_occupancy=max_occupancy,
                         patience_s=patience_s, asa_target_s=asa_target_s, method=method)
    total = float(np.dot(v, d))
    aht_eff = float(aht_s) / st.concurrency_factor if total > 0 else 0.0
    job = _Job(rate=v / float(interval_s), days=d, interval_h=float(interval_s) / 3600.0,
               aht_eff_s=aht_eff, workload_h=total * float(aht_s) / 3600.0, settings=st)
    _solve([job], parameters_productive_hours(parameters))
    return job.out


def pool_settings(inputs: Inputs, group_id: str, channel_id: str) -> PoolSettings | None:
    """The resolved settings of the pool (answer group, channel), as ``staff`` uses them; None
    for an unknown channel. Ids match case-insensitively."""
    channel = next((c for c in inputs.channels
                    if c.channel_id.casefold() == channel_id.casefold()), None)
    if channel is None:
        return None
    group = next((g for g in inputs.answer_groups
                  if g.group_id.casefold() == group_id.casefold()
                  and g.channel_id.casefold() == channel_id.casefold()), None)
    return _resolve(channel, group, inputs.parameters)
