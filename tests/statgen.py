"""Synthetic interval statistics from a known truth (for tests and bench/bench_import.py).

A queue's demand in an interval is ``base × month_w[m] × weekday_w[wd] × interval_w[i]``
(integers), so its month factors, weekday shares and interval shares are known exactly; the other
counters are built around the demand (short abandons and overflow added to erbjudna, a tenth
abandoned, talk with half seconds so decimals are exercised). ``write_canonical`` and
``write_calabrio`` render the rows in either format, any separator, encoding, header language and
case, date style and with or without ``längd_min``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np

from xlkc.staffing.calendar import open_days

SV = ("datum", "intervall", "längd_min", "kö", "erbjudna", "besvarade", "avbrutna",
      "korta_avbrutna", "överflöde_ut", "samtalstid_s", "efterarbete_s", "besvarade_inom_sl",
      "väntetid_s")
EN = ("date", "interval", "length_min", "queue", "offered", "answered", "abandoned",
      "short_abandoned", "overflow_out", "talk_s", "wrap_s", "answered_within_sl", "wait_s")
KEYS = EN


@dataclass(frozen=True)
class QueueTruth:
    queue: str
    base: int
    month_w: tuple[int, ...]  # 12
    weekday_w: tuple[int, ...]  # 5
    interval_w: tuple[int, ...]  # one per interval of the opening hours
    talk_per_call: int
    wrap_per_call: int


@dataclass(frozen=True)
class Truth:
    year: int
    length_min: int
    queues: tuple[QueueTruth, ...]
    opening_hour: int = 8
    closing_hour: int = 17
    first_day: int = 0  # index into the year's open days
    n_days: int | None = None  # None: to the end of the year


def days_of(truth: Truth) -> np.ndarray:
    days = open_days(truth.year)
    end = None if truth.n_days is None else truth.first_day + truth.n_days
    return days[truth.first_day:end]


def rows(truth: Truth) -> dict[str, np.ndarray]:
    """All rows (queue-major, then day, then interval) as columns; counters as float64."""
    days = days_of(truth)
    months = days.astype("datetime64[M]").astype(np.int64) % 12
    wds = (days.astype(np.int64) + 3) % 7
    minutes = np.arange(truth.opening_hour * 60, truth.closing_hour * 60, truth.length_min)
    out: dict[str, list] = {k: [] for k in (*KEYS, "demand", "handle")}
    for qt in truth.queues:
        assert len(qt.interval_w) == minutes.size
        d = (qt.base * np.asarray(qt.month_w)[months][:, None] * np.asarray(qt.weekday_w)[wds][:, None]
             * np.asarray(qt.interval_w)[None, :]).reshape(-1).astype(np.float64)
        n = d.size
        short = d % 2
        overflow = d % 3
        abandoned_real = d // 10
        answered = d - abandoned_real
        talk = answered * qt.talk_per_call + 0.5 * (d % 2)
        wrap = answered * qt.wrap_per_call
        out["date"].append(np.repeat(days, minutes.size))
        out["interval"].append(np.tile(minutes, days.size))
        out["length_min"].append(np.full(n, truth.length_min))
        out["queue"].append(np.full(n, qt.queue, dtype=object))
        out["offered"].append(d + short + overflow)
        out["answered"].append(answered)
        out["abandoned"].append(abandoned_real + short)
        out["short_abandoned"].append(short)
        out["overflow_out"].append(overflow)
        out["talk_s"].append(talk)
        out["wrap_s"].append(wrap)
        out["answered_within_sl"].append(answered * 8 // 10)
        out["wait_s"].append(answered * 7)
        out["demand"].append(d)
        out["handle"].append(talk + wrap)
    return {k: np.concatenate(v) for k, v in out.items()}


def _num(x: float, decimal: str) -> str:
    s = f"{x:.1f}" if x != int(x) else str(int(x))
    return s.replace(".", decimal)


def write_canonical(r: dict[str, np.ndarray], *, lang: str = "sv", sep: str = ";",
                    decimal: str = ",", compact_date: bool = False, with_length: bool = True,
                    upper: bool = False, encoding: str = "utf-8", crlf: bool = False) -> bytes:
    names = SV if lang == "sv" else EN
    cols = [i for i in range(len(KEYS)) if with_length or KEYS[i] != "length_min"]
    head = [names[i].upper() if upper else names[i].capitalize() for i in cols]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\r\n" if crlf else "\n")
    w.writerow(head)
    dates = r["date"].astype(str)
    if compact_date:
        dates = np.char.replace(dates, "-", "")
    for j in range(r["date"].size):
        row = []
        for i in cols:
            k = KEYS[i]
            if k == "date":
                row.append(dates[j])
            elif k == "interval":
                m = int(r[k][j])
                row.append(f"{m // 60:02d}:{m % 60:02d}")
            elif k == "queue":
                row.append(r[k][j])
            else:
                row.append(_num(float(r[k][j]), decimal))
        w.writerow(row)
    return buf.getvalue().encode(encoding)


def write_calabrio(r: dict[str, np.ndarray], *, encoding: str = "utf-8") -> bytes:
    """The Calabrio queue file of SPEC §8.2; erbjudna split into a third overflowed in."""
    lines = []
    for j in range(r["date"].size):
        m = int(r["interval"][j])
        offered = int(r["offered"][j])
        over_in = offered // 3
        f = [str(int(r["length_min"][j])), str(r["date"][j]).replace("-", ""),
             f"{m // 60:02d}:{m % 60:02d}", r["queue"][j], f"Kö {r['queue'][j]}",
             str(offered - over_in), str(over_in), _num(r["abandoned"][j], ","),
             _num(r["overflow_out"][j], ","), _num(r["answered"][j], ","), "0", "0",
             _num(r["talk_s"][j], ","), _num(r["wrap_s"][j], ","), "0", "0", "1,5",
             _num(r["answered_within_sl"][j], ","), _num(r["wait_s"][j], ","),
             _num(r["short_abandoned"][j], ","), "0"]
        lines.append(";".join(f))
    return ("\n".join(lines) + "\n").encode(encoding)


def simple_truth(year: int = 2026, length_min: int = 60, queues: int = 2, **kw) -> Truth:
    per_hour = 60 // length_min
    rng = np.random.default_rng(queues * 100 + length_min)
    qs = []
    for k in range(queues):
        qs.append(QueueTruth(
            queue=f"Q{k + 1}", base=int(rng.integers(1, 4)),
            month_w=tuple(int(x) for x in rng.integers(1, 6, 12)),
            weekday_w=tuple(int(x) for x in rng.integers(1, 6, 5)),
            interval_w=tuple(int(x) for x in rng.integers(1, 9, 9 * per_hour)),
            talk_per_call=int(rng.integers(60, 600)), wrap_per_call=int(rng.integers(0, 120))))
    return Truth(year=year, length_min=length_min, queues=tuple(qs), **kw)
