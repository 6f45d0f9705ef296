"""The contact centre's calendar and the spread of a yearly volume over its intervals (SPEC §3).

Open days are Monday to Friday minus the Swedish public holidays that fall on a weekday, plus the
three "afton" days (midsommarafton, julafton, nyårsafton) on which Swedish municipalities are
de facto closed. Every open day is split into intervals of ``Profile.interval_minutes`` (60 by
default; 15 or 30 where statistics give quarter- or half-hours) from ``Parameters.opening_hour``
to ``Parameters.closing_hour``.

A yearly volume V is spread over the open days by ``month_factor[month] × weekday_share[weekday]``
(normalised so that the days sum to V) and within a day by the interval shares (``hourly_shares``, normalised to 1).
All days of the same (month, weekday) then carry the same load, so they are grouped into one
*interval type* with a count of days: a pool costs about 12 × 5 × 9 = 540 Erlang solves per year,
not one per calendar hour.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from xlkc.errors import InputError
from xlkc.inputs import Profile

__all__ = [
    "IntervalLoads",
    "easter_sunday",
    "interval_loads",
    "open_days",
    "profile_problems",
    "public_holidays",
]

_WEEKDAY_NAMES = ("måndag", "tisdag", "onsdag", "torsdag", "fredag")
#: Interval lengths (minutes) the model staffs on.
INTERVAL_MINUTES = (15, 30, 60)


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday of ``year`` by the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def public_holidays(year: int) -> dict[dt.date, str]:
    """The days the centre is closed besides weekends, whatever weekday they fall on.

    Swedish public holidays that can fall on a weekday, plus midsommarafton, julafton and
    nyårsafton (not public holidays by law, but closed days in Swedish municipalities).
    """
    easter = easter_sunday(year)
    # Midsommarafton: the Friday between 19 and 25 June.
    june19 = dt.date(year, 6, 19)
    midsummer_eve = june19 + dt.timedelta(days=(4 - june19.weekday()) % 7)
    return {
        dt.date(year, 1, 1): "nyårsdagen",
        dt.date(year, 1, 6): "trettondedag jul",
        easter - dt.timedelta(days=2): "långfredagen",
        easter + dt.timedelta(days=1): "annandag påsk",
        dt.date(year, 5, 1): "första maj",
        easter + dt.timedelta(days=39): "Kristi himmelsfärdsdag",
        dt.date(year, 6, 6): "Sveriges nationaldag",
        midsummer_eve: "midsommarafton",
        dt.date(year, 12, 24): "julafton",
        dt.date(year, 12, 25): "juldagen",
        dt.date(year, 12, 26): "annandag jul",
        dt.date(year, 12, 31): "nyårsafton",
    }


def _check_year(year: int) -> int:
    if isinstance(year, bool) or int(year) != year or not 1583 <= int(year) <= 9999:
        raise InputError(f"Året måste vara ett heltal mellan 1583 och 9999, fick {year!r}")
    return int(year)


@lru_cache(maxsize=64)
def _open_days_cached(year: int) -> np.ndarray:
    days = np.arange(np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01"),
                     dtype="datetime64[D]")
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    holidays = np.array(sorted(public_holidays(year)), dtype="datetime64[D]")
    out = days[(weekday < 5) & ~np.isin(days, holidays)]
    out.flags.writeable = False
    return out


def open_days(year: int) -> np.ndarray:
    """The centre's open days of ``year`` (a read-only ``datetime64[D]`` array, ascending)."""
    return _open_days_cached(_check_year(year))


def _month_weekday(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Month (0..11) and weekday (0 = Monday) of each ``datetime64[D]`` day."""
    months = days.astype("datetime64[M]").astype(np.int64) % 12
    weekdays = (days.astype(np.int64) + 3) % 7
    return months, weekdays


def profile_problems(profile: Profile, opening_hour: int, closing_hour: int) -> list[str]:
    """Everything wrong with ``profile`` for these opening hours, as Swedish messages."""
    out: list[str] = []
    if not (isinstance(opening_hour, int) and isinstance(closing_hour, int)
            and 0 <= opening_hour < closing_hour <= 24):
        out.append(f"Öppettiderna måste vara hela timmar med 0 ≤ öppning < stängning ≤ 24, "
                   f"fick {opening_hour!r}–{closing_hour!r}")
        hours = None
    else:
        hours = closing_hour - opening_hour
    minutes = profile.interval_minutes
    if minutes not in INTERVAL_MINUTES:
        out.append(f"Profilen: intervallängden måste vara 15, 30 eller 60 minuter, fick "
                   f"{minutes!r}")
        hours = None

    def check(values: tuple[float, ...] | None, name: str, length: int | None) -> None:
        if values is None:
            return
        arr = np.asarray(values, dtype=np.float64)
        if length is not None and arr.size != length:
            out.append(f"Profilen: {name} ska ha {length} värden, fick {arr.size}")
            return
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            out.append(f"Profilen: {name} måste vara ändliga tal ≥ 0")
        elif not arr.sum() > 0:
            out.append(f"Profilen: {name} måste ha en positiv summa")

    check(profile.month_factors, "månadsfaktorerna (januari–december)", 12)
    if minutes == 60 or hours is None:
        check(profile.hourly_shares,
              f"timandelarna (en per öppettimme {opening_hour}–{closing_hour})", hours)
    else:
        check(profile.hourly_shares,
              f"intervallandelarna (en per {minutes} minuter {opening_hour}–{closing_hour})",
              hours * 60 // minutes)
    check(profile.weekday_shares, "veckodagsandelarna (måndag–fredag)", 5)
    return out


@dataclass(frozen=True)
class IntervalLoads:
    """The distinct interval types of a year, with their share of a yearly volume.

    Arrays of equal length, one entry per interval type (a (month, weekday, interval) that occurs
    on at least one open day):

    - ``share``: share of the yearly volume in ONE such interval, so arrivals per second are
      ``V × share / (3600 × interval_h)``;
    - ``days``: number of open days of that type (the interval occurs that many times);
    - ``month`` (1..12), ``weekday`` (0 = Monday), ``hour`` (start, in hours: 8.25 is 08:15).

    ``(share × days).sum() == 1``.
    """

    share: np.ndarray
    days: np.ndarray
    month: np.ndarray
    weekday: np.ndarray
    hour: np.ndarray
    interval_h: float = 1.0

    @property
    def intervals(self) -> int:
        """Number of intervals in the year (Σ days over the types)."""
        return int(self.days.sum())

    def __len__(self) -> int:
        return int(self.share.size)


@lru_cache(maxsize=64)
def _interval_loads_cached(profile: Profile, year: int, opening_hour: int,
                           closing_hour: int) -> IntervalLoads:
    problems = profile_problems(profile, opening_hour, closing_hour)
    if problems:
        raise InputError("; ".join(problems))
    days = open_days(year)
    months, weekdays = _month_weekday(days)
    month_f = np.asarray(profile.month_factors, dtype=np.float64)
    week_f = (np.ones(5) if profile.weekday_shares is None
              else np.asarray(profile.weekday_shares, dtype=np.float64))
    # Group the open days by (month, weekday): key = 5·month + weekday.
    counts = np.bincount(months * 5 + weekdays, minlength=60).astype(np.float64)
    type_weight = np.repeat(month_f, 5) * np.tile(week_f, 12)  # one day of each type
    total = float(np.dot(counts, type_weight))
    if not total > 0:
        raise InputError("Profilen ger ingen volym på årets öppetdagar: månadsfaktorerna och "
                         "veckodagsandelarna måste vara positiva för minst en öppen dag")
    present = np.flatnonzero(counts > 0)
    day_share = type_weight[present] / total
    hour_f = np.asarray(profile.hourly_shares, dtype=np.float64)
    hour_share = hour_f / hour_f.sum()
    n_hours = hour_share.size
    interval_h = profile.interval_minutes / 60.0
    starts = opening_hour + interval_h * np.arange(n_hours)
    arrays = dict(
        share=np.repeat(day_share, n_hours) * np.tile(hour_share, present.size),
        days=np.repeat(counts[present], n_hours),
        month=np.repeat(present // 5 + 1, n_hours),
        weekday=np.repeat(present % 5, n_hours),
        hour=np.tile(starts if profile.interval_minutes != 60
                     else np.arange(opening_hour, closing_hour), present.size),
    )
    for arr in arrays.values():
        arr.flags.writeable = False
    return IntervalLoads(**arrays, interval_h=interval_h)


def interval_loads(profile: Profile, year: int, opening_hour: int = 8,
                   closing_hour: int = 17) -> IntervalLoads:
    """The interval types of ``year`` and each one's share of a yearly volume.

    Raises InputError (Swedish) when the profile does not fit the opening hours (12 month
    factors, 5 weekday shares if given, one hourly share per opening hour, non-negative with a
    positive sum). Results are cached; the arrays are read-only.
    """
    try:
        hash(profile)
    except TypeError:  # lists instead of tuples: make it hashable for the cache
        profile = Profile(
            tuple(profile.month_factors), tuple(profile.hourly_shares),
            None if profile.weekday_shares is None else tuple(profile.weekday_shares),
            profile.interval_minutes)
    return _interval_loads_cached(profile, _check_year(year), opening_hour, closing_hour)
