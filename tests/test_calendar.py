"""Calendar: Easter, Swedish closed days, open days and the spread of a yearly volume."""

from __future__ import annotations

import datetime as dt
from itertools import product

import numpy as np
import pytest
from dateutil.easter import EASTER_WESTERN, easter

from xlkc.errors import InputError
from xlkc.inputs import Profile
from xlkc.staffing.calendar import (
    easter_sunday,
    interval_loads,
    open_days,
    public_holidays,
)

MONTHS = (1.05, 1.0, 1.0, 0.95, 1.0, 1.1, 0.8, 1.2, 1.1, 1.0, 0.95, 0.85)
HOURS = (0.09, 0.14, 0.14, 0.12, 0.10, 0.12, 0.11, 0.10, 0.08)


@pytest.mark.parametrize(("year", "expected"), [
    (2024, dt.date(2024, 3, 31)),
    (2025, dt.date(2025, 4, 20)),
    (2026, dt.date(2026, 4, 5)),
    (2027, dt.date(2027, 3, 28)),
    (1818, dt.date(1818, 3, 22)),  # earliest possible date
    (2285, dt.date(2285, 3, 22)),
    (1943, dt.date(1943, 4, 25)),  # latest possible date
    (2038, dt.date(2038, 4, 25)),
    (2000, dt.date(2000, 4, 23)),
])
def test_easter_known_dates(year: int, expected: dt.date) -> None:
    assert easter_sunday(year) == expected


def test_easter_agrees_with_dateutil_over_centuries() -> None:
    for year in range(1583, 2600):
        assert easter_sunday(year) == easter(year, EASTER_WESTERN), year


# Closed weekdays written out by hand from a 2027 calendar (1 Jan 2027 is a Friday).
HOLIDAYS_2027_ON_WEEKDAYS = [
    "2027-01-01",  # nyårsdagen, fredag
    "2027-01-06",  # trettondedag jul, onsdag
    "2027-03-26",  # långfredagen
    "2027-03-29",  # annandag påsk
    "2027-05-06",  # Kristi himmelsfärdsdag (torsdag)
    "2027-06-25",  # midsommarafton (fredag)
    "2027-12-24",  # julafton, fredag
    "2027-12-31",  # nyårsafton, fredag
    # 1 maj (lördag), 6 juni (söndag), juldagen (lördag), annandag jul (söndag): weekend
]
# 2024 (leap year, 1 Jan a Monday)
HOLIDAYS_2024_ON_WEEKDAYS = [
    "2024-01-01", "2024-03-29", "2024-04-01", "2024-05-01", "2024-05-09", "2024-06-06",
    "2024-06-21", "2024-12-24", "2024-12-25", "2024-12-26", "2024-12-31",
    # trettondedag jul is a Saturday
]


@pytest.mark.parametrize(("year", "holidays", "count"), [
    # 2027: 365 days = 52 weeks + Friday -> 261 weekdays, minus 8 closed weekdays.
    (2027, HOLIDAYS_2027_ON_WEEKDAYS, 253),
    # 2024: 366 days = 52 weeks + Monday, Tuesday -> 262 weekdays, minus 11.
    (2024, HOLIDAYS_2024_ON_WEEKDAYS, 251),
])
def test_open_days_count_and_content(year: int, holidays: list[str], count: int) -> None:
    days = open_days(year)
    assert days.dtype == np.dtype("datetime64[D]")
    assert len(days) == count
    # A second implementation: numpy's business-day calendar with the hand-listed holidays.
    expected = np.arange(np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01"))
    expected = expected[np.is_busday(expected, holidays=holidays)]
    np.testing.assert_array_equal(days, expected)


def test_open_days_are_weekdays_without_holidays() -> None:
    for year in range(2020, 2041):
        days = open_days(year)
        py_days = [d.astype(dt.date) for d in days]
        assert all(d.weekday() < 5 for d in py_days)
        assert not set(public_holidays(year)) & set(py_days)
        assert np.all(np.diff(days).astype(int) > 0)
        assert 245 <= len(days) <= 255


def test_midsummer_eve_is_the_friday_between_19_and_25_june() -> None:
    for year in range(1990, 2100):
        eves = [d for d, name in public_holidays(year).items() if name == "midsommarafton"]
        assert len(eves) == 1
        assert eves[0].weekday() == 4 and 19 <= eves[0].day <= 25 and eves[0].month == 6


def test_ascension_and_good_friday_follow_easter() -> None:
    h = {name: d for d, name in public_holidays(2026).items()}
    assert h["långfredagen"] == dt.date(2026, 4, 3)
    assert h["annandag påsk"] == dt.date(2026, 4, 6)
    assert h["Kristi himmelsfärdsdag"] == dt.date(2026, 5, 14)


def test_open_days_rejects_bad_year() -> None:
    with pytest.raises(InputError, match="Året"):
        open_days(1200)


def _brute_force(profile: Profile, year: int, hours: range) -> dict[tuple[int, int, int], list]:
    """Per calendar interval: the share of the yearly volume, written independently."""
    days = [d.astype(dt.date) for d in open_days(year)]
    week = profile.weekday_shares or (1.0,) * 5
    weights = [profile.month_factors[d.month - 1] * week[d.weekday()] for d in days]
    total = sum(weights)
    hour_total = sum(profile.hourly_shares)
    out: dict[tuple[int, int, int], list] = {}
    for d, w in zip(days, weights, strict=True):
        for k, h in enumerate(hours):
            share = w / total * profile.hourly_shares[k] / hour_total
            out.setdefault((d.month, d.weekday(), h), []).append(share)
    return out


@pytest.mark.parametrize("weekday_shares", [None, (1.3, 1.1, 1.0, 0.9, 0.7)])
def test_interval_loads_match_a_day_by_day_spread(weekday_shares) -> None:
    profile = Profile(MONTHS, HOURS, weekday_shares)
    loads = interval_loads(profile, 2027, 8, 17)
    brute = _brute_force(profile, 2027, range(8, 17))
    assert len(loads) == len(brute) == 12 * 5 * 9  # every (month, weekday) occurs in 2027
    assert loads.intervals == 253 * 9
    assert (loads.share * loads.days).sum() == pytest.approx(1.0, abs=1e-12)
    for i in range(len(loads)):
        key = (int(loads.month[i]), int(loads.weekday[i]), int(loads.hour[i]))
        shares = brute[key]
        assert loads.days[i] == len(shares)
        assert loads.share[i] == pytest.approx(shares[0], rel=1e-12)
        assert max(shares) == pytest.approx(min(shares), rel=1e-12)  # grouping is exact


def test_interval_loads_relative_intensities() -> None:
    loads = interval_loads(Profile(MONTHS, HOURS), 2027, 8, 17)
    pick = {(int(m), int(w), int(h)): s for m, w, h, s in
            zip(loads.month, loads.weekday, loads.hour, loads.share, strict=True)}
    # August (1.2) against July (0.8), same weekday and hour: ratio 1.5.
    assert pick[(8, 2, 10)] / pick[(7, 2, 10)] == pytest.approx(1.5)
    # 09-10 (0.14) against 16-17 (0.08) on one day: ratio 1.75.
    assert pick[(3, 0, 9)] / pick[(3, 0, 16)] == pytest.approx(0.14 / 0.08)


def test_hourly_shares_are_normalised() -> None:
    a = interval_loads(Profile(MONTHS, HOURS), 2026, 8, 17)
    b = interval_loads(Profile(MONTHS, tuple(10 * h for h in HOURS)), 2026, 8, 17)
    np.testing.assert_allclose(a.share, b.share, rtol=1e-14)


def test_other_opening_hours() -> None:
    loads = interval_loads(Profile(MONTHS, (1.0,) * 4), 2026, 10, 14)
    assert sorted(set(loads.hour.tolist())) == [10, 11, 12, 13]
    assert loads.intervals == len(open_days(2026)) * 4


@pytest.mark.parametrize(("profile", "hours", "words"), [
    (Profile(MONTHS, HOURS[:8]), (8, 17), ["timandelarna", "9", "8"]),
    (Profile(MONTHS[:11], HOURS), (8, 17), ["månadsfaktorerna", "12", "11"]),
    (Profile(MONTHS, HOURS, (1.0, 1.0)), (8, 17), ["veckodagsandelarna", "5"]),
    (Profile(MONTHS, (0.0,) * 9), (8, 17), ["timandelarna", "positiv summa"]),
    (Profile((-1.0,) + MONTHS[1:], HOURS), (8, 17), ["månadsfaktorerna", "≥ 0"]),
    (Profile(MONTHS, HOURS), (17, 8), ["Öppettiderna"]),
])
def test_bad_profiles_raise_swedish_errors(profile, hours, words) -> None:
    with pytest.raises(InputError) as err:
        interval_loads(profile, 2027, *hours)
    for word in words:
        assert word in str(err.value)


def test_profile_without_weight_on_any_weekday_is_rejected() -> None:
    with pytest.raises(InputError, match="veckodagsandelarna"):
        interval_loads(Profile(MONTHS, HOURS, (0.0,) * 5), 2027, 8, 17)


def test_lists_instead_of_tuples_are_accepted() -> None:
    loads = interval_loads(Profile(list(MONTHS), list(HOURS)), 2027, 8, 17)  # type: ignore[arg-type]
    assert len(loads) == 540


def test_all_month_weekday_pairs_present() -> None:
    loads = interval_loads(Profile(MONTHS, HOURS), 2025, 8, 17)
    present = set(zip(loads.month.tolist(), loads.weekday.tolist(), strict=True))
    assert present == set(product(range(1, 13), range(5)))
