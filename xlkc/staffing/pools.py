"""What a pool is and the settings it is staffed with (SPEC §3).

A pool is the services one answer group answers in one channel, ``(answer_group, channel_id)``,
named ``"SB/telefon"`` (:func:`pool_id`). :func:`_resolve` gives its :class:`PoolSettings`: each
field from the pool's ``AnswerGroup`` row, else the ``Channel``, else ``Parameters`` (deferred
channels are always staffed by workload); an ``sla_override`` replaces a real-time pool's service
level and answer time. :func:`pool_settings` does it for a pool named by its ids;
:func:`parameters_productive_hours` gives the productive hours per FTE of the parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlkc.inputs import (
    AnswerGroup,
    Channel,
    ChannelKind,
    Inputs,
    Parameters,
    SlaLevel,
    StaffingMethod,
)
from xlkc.staffing.hours import productive_hours

__all__ = [
    "PoolSettings",
    "parameters_productive_hours",
    "pool_id",
    "pool_settings",
]


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


def pool_id(answer_group: str, channel_id: str) -> str:
    """The readable id of a pool: ``"SB/telefon"``."""
    return f"{answer_group}/{channel_id}"


def parameters_productive_hours(p: Parameters) -> float:
    """Productive hours per FTE from the yearly parameters (``hours.productive_hours``)."""
    return productive_hours(p.working_days, p.hours_per_day, p.vacation_days, p.sick_leave,
                            p.training, p.other_absence, p.total_shrinkage)


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
