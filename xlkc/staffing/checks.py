"""The checks of the staffing inputs: every problem that stops ``staff`` from running.

:func:`staffing_problems` checks the parameters, the profiles, the channels, the answer groups,
the services, the contact rows and every real-time pool's resolved settings (an optional SLA
level too), all at once. Each problem is in Swedish, names its item and carries
``record``/``index``/``field`` (where in :class:`~xlkc.inputs.Inputs` the value is) for an
adapter to locate. Stand-alone staffing (:mod:`xlkc.staffing.standalone`) shares the number
formatting, the finiteness test and the placing of the calendar's profile problems.
"""

from __future__ import annotations

import math

from xlkc.errors import InputError, Problem
from xlkc.inputs import (
    AnswerGroup,
    Channel,
    ChannelKind,
    Inputs,
    SlaLevel,
    StaffingMethod,
)
from xlkc.staffing.calendar import profile_problems
from xlkc.staffing.group_profiles import group_profile_problems
from xlkc.staffing.pools import _resolve, parameters_productive_hours

__all__ = [
    "staffing_problems",
]


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
