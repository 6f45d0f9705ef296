"""Staffing a volume on its own: a new service, a customer in-house, a UDF's interval profile.

:func:`staff_service_alone` (UDF KC_ARSARBETARE, Ny tjänst) spreads one yearly volume over the
open days and hours of the price year exactly as ``staff`` does; :func:`staff_many_alone` does
it for many volumes in one solve (the customers' in-house comparison); :func:`fte_for_intervals`
takes an explicit interval profile. Settings come from the keyword arguments, then the channel,
then ``Parameters``; they are checked with ``staffing_problems`` and every problem is raised at
once (``ValidationError``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from xlkc.errors import Problem, ValidationError
from xlkc.inputs import (
    AnswerGroup,
    Channel,
    ChannelKind,
    Inputs,
    Parameters,
    Profile,
    StaffingMethod,
)
from xlkc.staffing.calendar import interval_loads, profile_problems
from xlkc.staffing.checks import _finite, _num, _profile_problem, staffing_problems
from xlkc.staffing.pools import PoolSettings, _resolve, parameters_productive_hours
from xlkc.staffing.solver import StaffingFigures, _Job, _profile_job, _solve

__all__ = [
    "fte_for_intervals",
    "staff_service_alone",
]


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
