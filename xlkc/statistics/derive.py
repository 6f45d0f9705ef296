"""Derivations of SPEC §8.1 and §8.3 from parsed interval rows (pure: arrays in, typed results out).

- ``demand``: V = erbjudna − korta_avbrutna − överflöde_ut per row;
- ``queue_stats``: per queue demand, handle time (ratio of sums), achieved service level, answer
  rate, ASA and the open days the rows cover;
- ``mapping_problems`` / ``service_volumes``: queues to (service, channel) by Andel (the rows of
  tblKoer), unmapped queues reported, yearly volume scaled to the price year's open days;
- ``group_profiles``: month factors, weekday shares and interval/hourly shares per answer group,
  in the form of ``xlkc.inputs.Profile``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from xlkc.inputs import Profile
from xlkc.staffing.calendar import open_days
from xlkc.statistics.data import IntervalData

__all__ = [
    "GroupProfile",
    "QueueMapping",
    "QueueStats",
    "ServiceStats",
    "ServiceVolumes",
    "demand",
    "group_profiles",
    "mapping_problems",
    "open_day_mask",
    "queue_stats",
    "service_volumes",
    "sv_number",
]

SHARE_TOLERANCE = 1e-6


def sv_number(x: float, decimals: int = 1) -> str:
    """A number for a Swedish message: decimal comma, thin grouping left out."""
    return f"{x:.{decimals}f}".replace(".", ",")


def demand(data: IntervalData) -> np.ndarray:
    """V_qi = erbjudna − korta_avbrutna − överflöde_ut of every row (SPEC §8.1)."""
    return data.offered - data.short_abandoned - data.overflow_out


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


def open_day_mask(days: np.ndarray) -> np.ndarray:
    """Whether each day (days since 1970-01-01) is an open day of the centre's calendar."""
    dates = days.astype("datetime64[D]")
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    out = np.zeros(days.size, dtype=bool)
    for y in np.unique(years):
        sel = years == y
        out[sel] = np.isin(dates[sel], open_days(int(y)))
    return out


@dataclass(frozen=True)
class QueueStats:
    """Derived figures of one queue over all its rows (SPEC §8.1)."""

    queue: str
    name: str
    rows: int
    demand: float
    offered: float
    answered: float
    handle_s: float  # Σ (samtalstid_s + efterarbete_s)
    handle_time_s: float | None  # handle_s / answered; None when nothing was answered
    service_level: float | None  # None when the files have no besvarade_inom_sl
    answer_rate: float | None
    asa_s: float | None  # None when the files have no väntetid_s
    open_days_covered: int  # open days of the calendar with at least one row of the queue
    first_day: np.datetime64
    last_day: np.datetime64
    length_min: int  # the longest interval length of its files


def _per_queue(data: IntervalData, values: np.ndarray) -> np.ndarray:
    return np.bincount(data.queue, weights=values, minlength=len(data.queues))


def _covered_open_days(data: IntervalData) -> np.ndarray:
    """Per queue, the number of distinct open days with a row."""
    nq = len(data.queues)
    key = np.unique(data.queue.astype(np.int64) * 1_000_000 + data.day)
    q, day = key // 1_000_000, key % 1_000_000
    return np.bincount(q[open_day_mask(day)], minlength=nq)


def queue_stats(data: IntervalData) -> list[QueueStats]:
    """One QueueStats per queue, in the order the queues first appear."""
    v = _per_queue(data, demand(data))
    off = _per_queue(data, data.offered)
    ans = _per_queue(data, data.answered)
    handle = _per_queue(data, data.talk_s + data.wrap_s)
    has_sl = np.asarray(data.has_sl)[data.file]
    has_wait = np.asarray(data.has_wait)[data.file]
    sl_num = _per_queue(data, np.where(has_sl, data.answered_within_sl, 0.0))
    sl_den = _per_queue(data, np.where(has_sl, data.answered, 0.0))
    wait_num = _per_queue(data, np.where(has_wait, data.wait_s, 0.0))
    wait_den = _per_queue(data, np.where(has_wait, data.answered, 0.0))
    rows = np.bincount(data.queue, minlength=len(data.queues))
    covered = _covered_open_days(data)
    nq = len(data.queues)
    first = np.full(nq, np.iinfo(np.int64).max)
    last = np.full(nq, np.iinfo(np.int64).min)
    np.minimum.at(first, data.queue, data.day)
    np.maximum.at(last, data.queue, data.day)
    length = np.zeros(nq, dtype=np.int64)
    np.maximum.at(length, data.queue, data.length_min)
    out = []
    for k, q in enumerate(data.queues):
        out.append(QueueStats(
            queue=q, name=data.queue_names[k], rows=int(rows[k]), demand=float(v[k]),
            offered=float(off[k]), answered=float(ans[k]), handle_s=float(handle[k]),
            handle_time_s=_ratio(handle[k], ans[k]),
            service_level=_ratio(sl_num[k], sl_den[k]), answer_rate=_ratio(ans[k], v[k]),
            asa_s=_ratio(wait_num[k], wait_den[k]), open_days_covered=int(covered[k]),
            first_day=np.datetime64(int(first[k]), "D"), last_day=np.datetime64(int(last[k]), "D"),
            length_min=int(length[k])))
    return out


@dataclass(frozen=True)
class QueueMapping:
    """One row of tblKoer: a share of a queue's demand belongs to a service and channel."""

    queue: str
    service_id: str
    channel_id: str
    share: float  # Andel, 0 < share ≤ 1; a queue's shares sum to 1


def mapping_problems(mapping: Iterable[QueueMapping]) -> list[str]:
    """Everything wrong with the mapping rows, as Swedish messages (empty: fine)."""
    out: list[str] = []
    sums: dict[str, float] = {}
    seen: set[tuple[str, str, str]] = set()
    for m in mapping:
        if not (np.isfinite(m.share) and 0 < m.share <= 1):
            out.append(f"Kö {m.queue}: andelen {sv_number(m.share, 3)} för {m.service_id}/"
                       f"{m.channel_id} måste vara större än 0 och högst 1")
        key = (m.queue, m.service_id, m.channel_id)
        if key in seen:
            out.append(f"Kö {m.queue}: {m.service_id}/{m.channel_id} förekommer två gånger")
        seen.add(key)
        sums[m.queue] = sums.get(m.queue, 0.0) + m.share
    for q, s in sums.items():
        if abs(s - 1.0) > SHARE_TOLERANCE:
            out.append(f"Kö {q}: andelarna summerar till {sv_number(s, 3)}, ska vara 1")
    return out


@dataclass(frozen=True)
class ServiceStats:
    """Derived yearly figures of one (service, channel) (SPEC §8.3)."""

    service_id: str
    channel_id: str
    volume: float  # per year, scaled to the price year's open days
    measured_demand: float  # Σ_q Andel_q × Σ_i V_qi, unscaled
    handle_time_s: float | None  # Σ_q Andel_q·handle_q / Σ_q Andel_q·answered_q
    queues: tuple[str, ...]
    scale: float  # volume / measured_demand (1 when the files cover exactly the price year)
    note: str  # Swedish: how the volume was scaled


@dataclass(frozen=True)
class ServiceVolumes:
    services: tuple[ServiceStats, ...]
    unmapped_queues: tuple[str, ...]  # in the files, not in the mapping: reported, kept apart
    unmapped_demand: float  # their demand, unscaled
    missing_queues: tuple[str, ...]  # in the mapping, not in the files
    open_days_price_year: int
    notes: tuple[str, ...]  # Swedish


def service_volumes(data: IntervalData, mapping: Iterable[QueueMapping],
                    price_year: int) -> ServiceVolumes:
    """Yearly volume and handle time of every mapped (service, channel).

    Each queue's demand is scaled by (open days of ``price_year``) / (open days its rows cover),
    so a file of part of a year, or of two years, gives one price year's volume. Raises nothing:
    check ``mapping_problems`` first.
    """
    mapping = list(mapping)
    stats = {s.queue: s for s in queue_stats(data)}
    year_days = int(open_days(price_year).size)
    acc: dict[tuple[str, str], list] = {}
    for m in mapping:
        s = stats.get(m.queue)
        if s is None:
            continue
        scale = year_days / s.open_days_covered if s.open_days_covered else 0.0
        a = acc.setdefault((m.service_id, m.channel_id), [0.0, 0.0, 0.0, 0.0, [], []])
        a[0] += m.share * s.demand * scale
        a[1] += m.share * s.demand
        a[2] += m.share * s.handle_s
        a[3] += m.share * s.answered
        a[4].append(m.queue)
        a[5].append((s.open_days_covered, scale))
    services = []
    for (sid, ch), (vol, raw, handle, ans, queues, cover) in acc.items():
        if all(abs(c[1] - 1.0) < 1e-12 for c in cover):
            note = f"Statistiken täcker årets {year_days} öppetdagar; ingen uppräkning"
        else:
            days = ", ".join(f"{q}: {c[0]}" for q, c in zip(queues, cover, strict=True))
            note = (f"Volymen är omräknad till {price_year}s {year_days} öppetdagar från de "
                    f"öppetdagar statistiken täcker ({days})")
        services.append(ServiceStats(
            service_id=sid, channel_id=ch, volume=vol, measured_demand=raw,
            handle_time_s=_ratio(handle, ans), queues=tuple(queues),
            scale=vol / raw if raw > 0 else 1.0, note=note))
    mapped = {m.queue for m in mapping}
    unmapped = tuple(q for q in data.queues if q not in mapped)
    missing = tuple(dict.fromkeys(m.queue for m in mapping if m.queue not in stats))
    notes = []
    if unmapped:
        notes.append(f"{len(unmapped)} köer i statistiken saknas i Köer och ingår inte i någon "
                     f"tjänst: {', '.join(unmapped)}")
    if missing:
        notes.append(f"{len(missing)} köer i Köer finns inte i statistiken: {', '.join(missing)}")
    return ServiceVolumes(
        services=tuple(services), unmapped_queues=unmapped,
        unmapped_demand=float(sum(stats[q].demand for q in unmapped)),
        missing_queues=missing, open_days_price_year=year_days, notes=tuple(notes))


@dataclass(frozen=True)
class GroupProfile:
    """Profiles of one answer group, derived from its queues' demand (SPEC §8.3).

    ``month_factors`` (12, mean 1 over the months with data, NaN where no data),
    ``weekday_shares`` (Mon..Fri, sum 1), ``interval_shares`` (one per interval of the opening
    hours at ``length_min``, sum 1) and ``hourly_shares`` (the same summed per opening hour).
    ``profile`` is the ``Profile`` to use, or None when months are missing.
    """

    group_id: str
    length_min: int
    month_factors: np.ndarray
    weekday_shares: np.ndarray
    interval_shares: np.ndarray
    hourly_shares: np.ndarray
    days: int  # open days with demand used
    missing_months: tuple[int, ...]  # 1..12
    outside_hours_demand: float  # demand in intervals outside the opening hours (not profiled)

    @property
    def profile(self) -> Profile | None:
        if self.missing_months:
            return None
        return Profile(tuple(map(float, self.month_factors)), tuple(map(float, self.hourly_shares)),
                       tuple(map(float, self.weekday_shares)))


def group_profiles(data: IntervalData, mapping: Iterable[QueueMapping],
                   service_groups: Mapping[str, str], opening_hour: int = 8,
                   closing_hour: int = 17) -> dict[str, GroupProfile]:
    """Month, weekday and interval profiles per answer group from the demand of its queues.

    A group's demand per row is Σ Andel × V over the mapping rows whose service belongs to the
    group (``service_groups``: service id → answer group). Only open days count.

    - month factor: the mean demand per open day in each (month, weekday) cell, averaged over the
      weekdays with equal weight (so a month's mix of weekdays does not leak into its factor),
      relative to the mean over the months;
    - weekday share: the same cell means averaged over the months, normalised to sum 1;
    - interval share: each day's share per interval of the opening hours, averaged over the days,
      normalised to 1; at the group's longest interval length.

    For demand of the form month × weekday × interval (as in ``Profile``) all three are exact.
    """
    weights: dict[str, dict[int, float]] = {}
    qindex = {q: k for k, q in enumerate(data.queues)}
    for m in mapping:
        g = service_groups.get(m.service_id)
        k = qindex.get(m.queue)
        if g is None or k is None:
            continue
        w = weights.setdefault(g, {})
        w[k] = w.get(k, 0.0) + m.share
    v_all = demand(data)
    is_open = open_day_mask(data.day)
    out: dict[str, GroupProfile] = {}
    for g, w in weights.items():
        qw = np.zeros(len(data.queues))
        for k, share in w.items():
            qw[k] = share
        row_w = qw[data.queue]
        sel = (row_w > 0) & is_open
        length = int(data.length_min[sel].max()) if sel.any() else 60
        out[g] = _profile(g, data.day[sel], data.minute[sel], v_all[sel] * row_w[sel], length,
                          opening_hour, closing_hour)
    return out


def _profile(group: str, day: np.ndarray, minute: np.ndarray, v: np.ndarray, length: int,
             opening_hour: int, closing_hour: int) -> GroupProfile:
    per_hour = 60 // length
    n_int = (closing_hour - opening_hour) * per_hour
    slot = minute.astype(np.int64) // length - opening_hour * per_hour
    inside = (slot >= 0) & (slot < n_int)
    outside = float(v[~inside].sum())
    day, slot, v = day[inside], slot[inside], v[inside]
    udays, dix = np.unique(day, return_inverse=True)
    table = np.zeros((udays.size, n_int))
    np.add.at(table, (dix, slot), v)
    totals = table.sum(axis=1)
    good = totals > 0
    shares = (table[good] / totals[good, None]).mean(axis=0) if good.any() else np.zeros(n_int)
    if shares.sum() > 0:
        shares = shares / shares.sum()
    dates = udays.astype("datetime64[D]")
    months = dates.astype("datetime64[M]").astype(np.int64) % 12
    weekdays = (udays.astype(np.int64) + 3) % 7
    cell = months * 5 + weekdays
    cell_sum = np.bincount(cell, weights=totals, minlength=60).reshape(12, 5)
    cell_n = np.bincount(cell, minlength=60).reshape(12, 5)
    with np.errstate(invalid="ignore", divide="ignore"):
        cell_mean = np.where(cell_n > 0, cell_sum / np.maximum(cell_n, 1), np.nan)
        month_mean = np.nanmean(np.where(np.isnan(cell_mean).all(axis=1, keepdims=True), 0.0,
                                         cell_mean), axis=1)
    has_month = cell_n.sum(axis=1) > 0
    month_mean = np.where(has_month, month_mean, np.nan)
    month_f = month_mean / np.nanmean(month_mean) if has_month.any() else month_mean
    with np.errstate(invalid="ignore"):
        week = np.nanmean(np.where(np.isnan(cell_mean).all(axis=0, keepdims=True), 0.0,
                                   cell_mean[has_month]), axis=0) if has_month.any() else np.ones(5)
    week = week / week.sum() if week.sum() > 0 else np.full(5, 0.2)
    hourly = shares.reshape(closing_hour - opening_hour, per_hour).sum(axis=1)
    missing = tuple(int(m) + 1 for m in np.flatnonzero(~has_month))
    return GroupProfile(group_id=group, length_min=length, month_factors=month_f,
                        weekday_shares=week, interval_shares=shares, hourly_shares=hourly,
                        days=int(good.sum()), missing_months=missing,
                        outside_hours_demand=outside)
