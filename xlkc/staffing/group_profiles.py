"""Each answer group's own profile (Profil per svarsgrupp, issue 13).

A school queue and a building-permit queue peak at different hours and months, so an answer group
may have its own month factors, weekday shares and interval shares (``GroupProfileValue`` rows).
The profile a pool is staffed by is, part by part:

- month factors: the group's 12 values if it has any month rows, else the shared ones (Profil);
- weekday shares: the group's 5 values if it has any weekday rows, else the shared ones;
- interval shares: the group's values if it has any interval rows, else the shared hourly ones.
  The spacing of a group's interval start times sets its interval length (15, 30 or 60 min): a
  group with quarter-hour statistics is staffed on quarter-hours, the others on hours.

A part that is given must be complete: all 12 months, all five weekdays, every interval of the
opening hours exactly once. Everything wrong is a ``Problem`` located at its row
(``record="group_profiles"``).
"""

from __future__ import annotations

from collections.abc import Iterable

from xlkc.errors import Problem
from xlkc.inputs import GroupProfileValue, Inputs, Profile, ProfilePart, Source
from xlkc.staffing.calendar import INTERVAL_MINUTES

__all__ = [
    "MONTH_NAMES",
    "WEEKDAY_NAMES",
    "group_profile_problems",
    "group_profiles",
    "interval_label",
    "profile_values",
]

MONTH_NAMES = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
               "september", "oktober", "november", "december")
WEEKDAY_NAMES = ("måndag", "tisdag", "onsdag", "torsdag", "fredag")
_RECORD = "group_profiles"


def interval_label(minute_of_day: int) -> str:
    """480 -> "08:00"."""
    return f"{minute_of_day // 60:02d}:{minute_of_day % 60:02d}"


def _minute(period: str) -> int | None:
    """"08:15" (or "8:15", "08.15") -> 495; None when it is no time of day."""
    text = str(period).strip().replace(".", ":")
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(p.strip().isdigit() for p in parts):
        return None
    h, m = int(parts[0]), int(parts[1])
    if not (0 <= h <= 23 and 0 <= m <= 59):
        return None
    return h * 60 + m


def _index(names: tuple[str, ...], period: str) -> int | None:
    text = str(period).strip().casefold()
    for i, name in enumerate(names):
        if text == name or (len(text) >= 3 and name.startswith(text)):
            return i
    if text.isdigit() and 1 <= int(text) <= len(names):
        return int(text) - 1
    return None


def _by_group(values: Iterable[GroupProfileValue]) -> dict[str, list[tuple[int, GroupProfileValue]]]:
    groups: dict[str, list[tuple[int, GroupProfileValue]]] = {}
    for i, v in enumerate(values):
        groups.setdefault(v.group_id.casefold(), []).append((i, v))
    return groups


def _build(rows: list[tuple[int, GroupProfileValue]], shared: Profile, opening_hour: int,
           closing_hour: int, problems: list[Problem]) -> Profile | None:
    """One group's profile from its rows; problems appended (None when any)."""
    group = rows[0][1].group_id
    start = len(problems)

    def bad(i: int, message: str, field: str = "period") -> None:
        problems.append(Problem(f"Profil för svarsgrupp '{group}': {message}", record=_RECORD,
                                index=i, field=field))

    months: dict[int, float] = {}
    weekdays: dict[int, float] = {}
    intervals: dict[int, tuple[int, float]] = {}
    for i, v in rows:
        value = float(v.value)
        if not (value == value and abs(value) != float("inf")) or value < 0:
            bad(i, f"värdet måste vara ett tal ≥ 0, fick {v.value!r}", "value")
            continue
        if v.part is ProfilePart.MONTH:
            k = _index(MONTH_NAMES, v.period)
            if k is None:
                bad(i, f"'{v.period}' är ingen månad (januari … december)")
            elif k in months:
                bad(i, f"månaden {MONTH_NAMES[k]} förekommer mer än en gång")
            else:
                months[k] = value
        elif v.part is ProfilePart.WEEKDAY:
            k = _index(WEEKDAY_NAMES, v.period)
            if k is None:
                bad(i, f"'{v.period}' är ingen vardag (måndag … fredag)")
            elif k in weekdays:
                bad(i, f"{WEEKDAY_NAMES[k]} förekommer mer än en gång")
            else:
                weekdays[k] = value
        else:
            m = _minute(v.period)
            if m is None:
                bad(i, f"'{v.period}' är ingen tid (TT:MM)")
            elif m in intervals:
                bad(i, f"intervallet {interval_label(m)} förekommer mer än en gång")
            else:
                intervals[m] = (i, value)
    first_row = rows[0][0]
    if months and len(months) != 12:
        missing = ", ".join(MONTH_NAMES[k] for k in range(12) if k not in months)
        bad(first_row, f"månadsfaktorer saknas för {missing}")
    if weekdays and len(weekdays) != 5:
        missing = ", ".join(WEEKDAY_NAMES[k] for k in range(5) if k not in weekdays)
        bad(first_row, f"veckodagsandelar saknas för {missing}")
    length = 60
    if intervals:
        starts = sorted(intervals)
        steps = {b - a for a, b in zip(starts, starts[1:], strict=False)}
        length = steps.pop() if len(steps) == 1 else (60 if not steps else -1)
        if len(starts) == 1:
            length = (closing_hour - opening_hour) * 60
        expected = list(range(opening_hour * 60, closing_hour * 60, length)) \
            if length in INTERVAL_MINUTES else []
        if length not in INTERVAL_MINUTES:
            bad(intervals[starts[0]][0], "intervallen ska ligga med jämna 15, 30 eller 60 minuter "
                f"från öppning till stängning, fick starttiderna "
                f"{', '.join(interval_label(s) for s in starts[:6])}"
                + (" …" if len(starts) > 6 else ""))
        elif starts != expected:
            extra = [s for s in starts if s not in expected]
            gone = [s for s in expected if s not in intervals]
            what = []
            if gone:
                what.append("saknas: " + ", ".join(interval_label(s) for s in gone[:6])
                            + (" …" if len(gone) > 6 else ""))
            if extra:
                what.append("utanför öppettiden " f"{opening_hour:02d}–{closing_hour:02d}: "
                            + ", ".join(interval_label(s) for s in extra[:6])
                            + (" …" if len(extra) > 6 else ""))
            bad(intervals[extra[0] if extra else starts[0]][0],
                "intervallen täcker inte öppettiden (" + "; ".join(what) + ")")
    for name, part in (("månadsfaktorerna", months), ("veckodagsandelarna", weekdays)):
        if part and len(part) in (5, 12) and not sum(part.values()) > 0:
            bad(first_row, f"{name} måste ha en positiv summa", "value")
    if intervals and not sum(v for _, v in intervals.values()) > 0:
        bad(first_row, "intervallandelarna måste ha en positiv summa", "value")
    if len(problems) > start:
        return None
    return Profile(
        month_factors=(tuple(months[k] for k in range(12)) if months
                       else tuple(shared.month_factors)),
        hourly_shares=(tuple(intervals[m][1] for m in sorted(intervals)) if intervals
                       else tuple(shared.hourly_shares)),
        weekday_shares=(tuple(weekdays[k] for k in range(5)) if weekdays
                        else shared.weekday_shares),
        interval_minutes=length if intervals else shared.interval_minutes,
    )


def _profiles(inputs: Inputs) -> tuple[dict[str, Profile], list[Problem]]:
    p = inputs.parameters
    problems: list[Problem] = []
    out: dict[str, Profile] = {}
    names = {s.answer_group.casefold(): s.answer_group for s in inputs.services}
    for key, rows in _by_group(inputs.group_profiles).items():
        prof = _build(rows, inputs.profile, p.opening_hour, p.closing_hour, problems)
        if prof is not None:
            out[names.get(key, rows[0][1].group_id)] = prof
    return out, problems


def group_profiles(inputs: Inputs) -> dict[str, Profile]:
    """Answer group (as the services name it) -> its own profile; groups without rows are
    absent (they use ``inputs.profile``). Groups whose rows have problems are absent too:
    ``group_profile_problems`` reports them and validation stops the run first."""
    return _profiles(inputs)[0]


def group_profile_problems(inputs: Inputs) -> list[Problem]:
    """Everything wrong with the groups' own profiles, each located at its row."""
    return _profiles(inputs)[1]


def profile_values(group_id: str, months: Iterable[float] | None = None,
                   weekdays: Iterable[float] | None = None,
                   intervals: Iterable[tuple[int, float]] | None = None,
                   source: Source = Source.MEASURED) -> list[GroupProfileValue]:
    """The rows of one group's profile: month factors (12), weekday shares (5) and
    ``(minute_of_day, share)`` interval shares, each part optional."""
    out: list[GroupProfileValue] = []
    if months is not None:
        out += [GroupProfileValue(group_id, ProfilePart.MONTH, MONTH_NAMES[k], float(v), source)
                for k, v in enumerate(months)]
    if weekdays is not None:
        out += [GroupProfileValue(group_id, ProfilePart.WEEKDAY, WEEKDAY_NAMES[k], float(v),
                                  source) for k, v in enumerate(weekdays)]
    if intervals is not None:
        out += [GroupProfileValue(group_id, ProfilePart.INTERVAL, interval_label(m), float(v),
                                  source) for m, v in intervals]
    return out
