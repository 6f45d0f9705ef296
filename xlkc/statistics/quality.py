"""Data-quality findings of interval statistics (issue 13, point 5). Pure: rows in, findings out.

Each finding names the file, line (None when the finding is about a row that is missing), queue and
interval, with a Swedish message (decimal comma). Kinds:

- missing days (open days without a row of the queue between its first and last day) and missing
  intervals (opening-hour intervals absent on a day the queue has rows);
- duplicated intervals (the same queue, date and start twice; the last Sunday of October, when
  02:00–03:00 occurs twice, is named as a daylight-saving day);
- answered contacts with no talk time;
- an interval's handle time (talk + wrap per answered) outside ``HandleTimeLimits``;
- weeks whose demand per open day deviates more than 3 robust standard deviations
  (1.4826 × median absolute deviation) from the queue's median week;
- overflow: erbjudna larger than besvarade + avbrutna + överflöde_ut (contacts that left the
  queue unreported, so counted again by the queue that took them) and, where the format shows
  overflow in (Calabrio), an interval whose overflow in exceeds all queues' overflow out.

At most ``limit`` findings of one kind per queue are listed; ``counts`` has the totals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from xlkc.staffing.calendar import open_days
from xlkc.statistics.data import IntervalData
from xlkc.statistics.derive import demand, open_day_mask, sv_number

__all__ = ["Finding", "FindingKind", "HandleTimeLimits", "QualityReport", "quality_report"]


class FindingKind(StrEnum):
    MISSING_DAY = "saknad dag"
    MISSING_INTERVAL = "saknat intervall"
    DUPLICATE = "dubblerat intervall"
    NO_TALK_TIME = "besvarade utan samtalstid"
    HANDLE_TIME = "hanteringstid utanför gränserna"
    DEVIATING_WEEK = "avvikande vecka"
    OVERFLOW = "överflöde dubbelräknat"


@dataclass(frozen=True)
class HandleTimeLimits:
    """Documented plausible limits of an interval's handle time per answered contact."""

    min_s: float = 10.0
    max_s: float = 3600.0


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    file: str
    line: int | None
    queue: str
    interval: str  # "2027-03-02 08:15", "2027-03-02" or "vecka 2027-W10"
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, rad {self.line}"
        return f"{where}, kö {self.queue}, {self.interval}: {self.kind}: {self.message}"


@dataclass(frozen=True)
class QualityReport:
    findings: tuple[Finding, ...]
    counts: dict[FindingKind, int] = field(default_factory=dict)

    def of_kind(self, kind: FindingKind) -> list[Finding]:
        return [f for f in self.findings if f.kind is kind]


def _date(day: int) -> str:
    return str(np.datetime64(int(day), "D"))


def _when(day: int, minute: int) -> str:
    return f"{_date(day)} {minute // 60:02d}:{minute % 60:02d}"


def _dst_end(year: int) -> dt.date:
    d = dt.date(year, 10, 31)
    return d - dt.timedelta(days=(d.weekday() + 1) % 7)


class _Sink:
    def __init__(self, data: IntervalData, limit: int):
        self.data, self.limit = data, limit
        self.items: list[Finding] = []
        self.counts: dict[FindingKind, int] = {}
        self.per: dict[tuple[FindingKind, int], int] = {}

    def add(self, kind: FindingKind, q: int, file: int, line: int | None, interval: str,
            message: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        key = (kind, q)
        self.per[key] = self.per.get(key, 0) + 1
        if self.per[key] <= self.limit:
            self.items.append(Finding(kind, self.data.files[file], line, self.data.queues[q],
                                      interval, message))


def quality_report(data: IntervalData, opening_hour: int = 8, closing_hour: int = 17,
                   limits: HandleTimeLimits | None = None, limit: int = 20) -> QualityReport:
    limits = limits or HandleTimeLimits()
    sink = _Sink(data, limit)
    d = data
    order = np.lexsort((d.line, d.file, d.minute, d.day, d.queue))
    q, day, minute = d.queue[order], d.day[order], d.minute[order]
    # duplicates
    same = (q[1:] == q[:-1]) & (day[1:] == day[:-1]) & (minute[1:] == minute[:-1])
    for i in np.flatnonzero(same) + 1:
        r = order[i]
        date = np.datetime64(int(day[i]), "D").astype(dt.date)
        dst = " (sommartiden slutar: 02:00–03:00 förekommer två gånger)" \
            if date == _dst_end(date.year) else ""
        sink.add(FindingKind.DUPLICATE, int(q[i]), int(d.file[r]), int(d.line[r]),
                 _when(day[i], minute[i]), "Intervallet förekommer redan på rad "
                 f"{int(d.line[order[i - 1]])}{dst}; båda räknas")
    # missing days and intervals, per queue
    is_open = open_day_mask(d.day)
    for k in range(len(d.queues)):
        sel = d.queue == k
        rows = np.flatnonzero(sel)
        file0 = int(d.file[rows[0]])
        qdays = d.day[sel]
        first, last = int(qdays.min()), int(qdays.max())
        years = range(int(np.datetime64(first, "D").astype(dt.date).year),
                      int(np.datetime64(last, "D").astype(dt.date).year) + 1)
        cal = np.concatenate([open_days(y).astype(np.int64) for y in years])
        cal = cal[(cal >= first) & (cal <= last)]
        present = np.unique(qdays)
        for md in np.setdiff1d(cal, present):
            sink.add(FindingKind.MISSING_DAY, k, file0, None, _date(md),
                     "Öppetdagen saknas i statistiken")
        length = int(d.length_min[sel].max())
        grid = np.arange(opening_hour * 60, closing_hour * 60, length)
        open_sel = sel & is_open
        odays = np.unique(d.day[open_sel])
        have = np.zeros((odays.size, grid.size), dtype=bool)
        slot = (d.minute[open_sel].astype(np.int64) - opening_hour * 60) // length
        inside = (slot >= 0) & (slot < grid.size)
        have[np.searchsorted(odays, d.day[open_sel][inside]), slot[inside]] = True
        for di, si in zip(*np.nonzero(~have), strict=True):
            sink.add(FindingKind.MISSING_INTERVAL, k, file0, None, _when(odays[di], grid[si]),
                     "Intervallet inom öppettiden saknas i statistiken")
    # answered with no talk time; handle time outside limits
    handle = d.talk_s + d.wrap_s
    for r in np.flatnonzero((d.answered > 0) & (d.talk_s == 0)):
        sink.add(FindingKind.NO_TALK_TIME, int(d.queue[r]), int(d.file[r]), int(d.line[r]),
                 _when(d.day[r], d.minute[r]),
                 f"{sv_number(d.answered[r], 0)} besvarade men ingen samtalstid")
    with np.errstate(invalid="ignore", divide="ignore"):
        aht = np.where(d.answered > 0, handle / np.maximum(d.answered, 1), np.nan)
    outside = (d.talk_s > 0) & ((aht < limits.min_s) | (aht > limits.max_s))
    for r in np.flatnonzero(outside):
        sink.add(FindingKind.HANDLE_TIME, int(d.queue[r]), int(d.file[r]), int(d.line[r]),
                 _when(d.day[r], d.minute[r]),
                 f"Hanteringstiden {sv_number(aht[r])} s ligger utanför "
                 f"{sv_number(limits.min_s, 0)}–{sv_number(limits.max_s, 0)} s")
    # overflow
    v = demand(d)
    excess = d.offered - d.answered - d.abandoned - d.overflow_out
    for r in np.flatnonzero(excess > 0):
        sink.add(FindingKind.OVERFLOW, int(d.queue[r]), int(d.file[r]), int(d.line[r]),
                 _when(d.day[r], d.minute[r]),
                 f"erbjudna är {sv_number(excess[r], 0)} fler än besvarade + avbrutna + "
                 "överflöde_ut: kontakter som lämnat kön utan att räknas som överflöde räknas "
                 "igen i kön som tog emot dem")
    if d.overflow_in.any():
        key = d.day.astype(np.int64) * 1440 + d.minute
        ukey, inv = np.unique(key, return_inverse=True)
        o_in = np.bincount(inv, weights=d.overflow_in)
        o_out = np.bincount(inv, weights=d.overflow_out)
        for u in np.flatnonzero(o_in > o_out):
            r = int(np.flatnonzero((inv == u) & (d.overflow_in > 0))[0])
            sink.add(FindingKind.OVERFLOW, int(d.queue[r]), int(d.file[r]), int(d.line[r]),
                     _when(ukey[u] // 1440, ukey[u] % 1440),
                     f"överflöde in ({sv_number(o_in[u], 0)}) är större än alla köers överflöde "
                     f"ut ({sv_number(o_out[u], 0)}): kontakterna kommer från köer utanför filerna")
    # weeks deviating more than 3 robust standard deviations
    monday = d.day.astype(np.int64) - (d.day.astype(np.int64) + 3) % 7
    for k in range(len(d.queues)):
        sel = (d.queue == k) & is_open
        if not sel.any():
            continue
        weeks, inv = np.unique(monday[sel], return_inverse=True)
        vol = np.bincount(inv, weights=v[sel])
        wd = np.unique(inv.astype(np.int64) * 1_000_000 + d.day[sel]) // 1_000_000
        ndays = np.bincount(wd, minlength=weeks.size)
        per_day = vol / ndays
        if per_day.size < 5:
            continue
        med = np.median(per_day)
        sigma = 1.4826 * np.median(np.abs(per_day - med))
        if sigma <= 0:
            continue
        for w in np.flatnonzero(np.abs(per_day - med) > 3 * sigma):
            iso = np.datetime64(int(weeks[w]), "D").astype(dt.date).isocalendar()
            r = int(np.flatnonzero(sel & (monday == weeks[w]))[0])
            sink.add(FindingKind.DEVIATING_WEEK, k, int(d.file[r]), int(d.line[r]),
                     f"vecka {iso.year}-W{iso.week:02d}",
                     f"{sv_number(per_day[w])} kontakter per öppetdag mot medianen "
                     f"{sv_number(med)} ({sv_number(abs(per_day[w] - med) / sigma)} robusta "
                     "standardavvikelser)")
    return QualityReport(tuple(sink.items), dict(sink.counts))
