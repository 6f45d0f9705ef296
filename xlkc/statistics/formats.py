"""Parsing the interval formats of SPEC §8: the canonical CSV (§8.1) and the Calabrio/Teleopti
queue file (§8.2), both mapped to the canonical counters of ``IntervalData``.

``parse_lines(lines, file_name)`` takes the decoded lines of one file (any iterable of str, with or
without line endings) and returns its rows; it does no I/O. The format is told by the first line:
a header naming canonical columns (Swedish or English, any case; separator ``;`` or ``,`` is the one
that yields more known names) or else a 21-field ``;`` row of Calabrio. Lines are processed in
chunks with one ``str.split`` per chunk and numpy conversions per column; a chunk containing a
double quote goes through the ``csv`` module instead. Every malformed line is reported with its
file and line number (``StatisticsError``), up to ``MAX_ERRORS`` per file.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import operator
import re
import unicodedata
from collections.abc import Iterable

import numpy as np

from xlkc.statistics.data import COUNTERS, IntervalData, LineError, StatisticsError

__all__ = ["CALABRIO_FIELDS", "CANONICAL_COLUMNS", "MAX_ERRORS", "parse_lines"]

MAX_ERRORS = 50
CHUNK = 100_000
LENGTHS = (15, 30, 60)

#: Canonical column: (Swedish name, English name, required).
CANONICAL_COLUMNS: dict[str, tuple[str, str, bool]] = {
    "date": ("datum", "date", True),
    "interval": ("intervall", "interval", True),
    "length_min": ("längd_min", "length_min", False),
    "queue": ("kö", "queue", True),
    "offered": ("erbjudna", "offered", True),
    "answered": ("besvarade", "answered", True),
    "abandoned": ("avbrutna", "abandoned", True),
    "short_abandoned": ("korta_avbrutna", "short_abandoned", False),
    "overflow_out": ("överflöde_ut", "overflow_out", False),
    "talk_s": ("samtalstid_s", "talk_s", True),
    "wrap_s": ("efterarbete_s", "wrap_s", True),
    "answered_within_sl": ("besvarade_inom_sl", "answered_within_sl", False),
    "wait_s": ("väntetid_s", "wait_s", False),
}
_ALIASES = {name: key for key, (sv, en, _) in CANONICAL_COLUMNS.items() for name in (sv, en)}

#: Calabrio/Teleopti queue file: the 0-based position of each field used (21 fields in all).
CALABRIO_FIELDS = {
    "length_min": 0, "date": 1, "interval": 2, "queue": 3, "queue_name": 4,
    "offered_direct": 5, "overflow_in": 6, "abandoned": 7, "overflow_out": 8, "answered": 9,
    "talk_s": 12, "wrap_s": 13, "answered_within_sl": 17, "wait_s": 18, "short_abandoned": 19,
}
CALABRIO_WIDTH = 21

_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?::00)?$")
_EPOCH = dt.date(1970, 1, 1).toordinal()


def _norm(name: str) -> str:
    name = unicodedata.normalize("NFC", name.strip().strip('"').strip().lower())
    return re.sub(r"[\s\-]+", "_", name)


class _Errors:
    def __init__(self, file: str):
        self.file = file
        self.items: list[LineError] = []

    def add(self, line: int | None, message: str) -> None:
        if len(self.items) < MAX_ERRORS:
            self.items.append(LineError(self.file, line, message))

    @property
    def full(self) -> bool:
        return len(self.items) >= MAX_ERRORS

    def raise_if_any(self) -> None:
        if self.items:
            raise StatisticsError(self.items)


def _detect(first: str, file: str) -> tuple[str, str, dict[str, int] | None]:
    """(format, separator, header map) from the first line; format 'canonical' or 'calabrio'."""
    first = first.lstrip("\ufeff")
    best: tuple[int, str, list[str]] = (0, ";", [])
    for sep in (";", ","):
        names = [_norm(f) for f in first.split(sep)]
        known = sum(n in _ALIASES for n in names)
        if known > best[0]:
            best = (known, sep, names)
    known, sep, names = best
    if known:
        header: dict[str, int] = {}
        errs = []
        for i, n in enumerate(names):
            key = _ALIASES.get(n)
            if key is None:
                continue  # platforms add columns of their own: ignore them
            if key in header:
                errs.append(LineError(file, 1, f"Kolumnen {n!r} förekommer två gånger i rubrikraden"))
            header[key] = i
        missing = [CANONICAL_COLUMNS[k][0] for k, (_, _, req) in CANONICAL_COLUMNS.items()
                   if req and k not in header]
        if missing:
            errs.append(LineError(file, 1, "Rubrikraden saknar kolumnerna " + ", ".join(missing)
                                  + " (svenska eller engelska namn, se formatbeskrivningen)"))
        if errs:
            raise StatisticsError(errs)
        return "canonical", sep, header
    fields = first.split(";")
    if len(fields) == CALABRIO_WIDTH and fields[0].strip().isdigit():
        return "calabrio", ";", None
    raise StatisticsError([LineError(
        file, 1, "Okänt format: första raden är varken en rubrikrad med kolumnerna datum, "
        "intervall, kö, erbjudna, besvarade, avbrutna, samtalstid_s, efterarbete_s "
        f"(eller de engelska namnen) eller en Calabrio-rad med {CALABRIO_WIDTH} fält åtskilda "
        "av semikolon")])


def _split_chunk(lines: list[str], numbers: list[int], sep: str, width: int,
                 errors: _Errors) -> tuple[list[list[str]], list[int]]:
    """Columns of the chunk's well-formed rows and their line numbers; bad rows reported."""
    if any('"' in ln for ln in lines):
        rows = list(csv.reader(lines, delimiter=sep))
        good = [len(r) == width for r in rows]
        flat = [f for r, g in zip(rows, good, strict=True) if g for f in r]
        counts = [len(r) for r in rows]
    else:
        counts = [c + 1 for c in map(operator.methodcaller("count", sep), lines)]
        good = [c == width for c in counts]
        if all(good):
            flat = sep.join(lines).split(sep)
        else:
            flat = sep.join(ln for ln, g in zip(lines, good, strict=True) if g).split(sep)
    if not all(good):
        kept = []
        for ln, c, g in zip(numbers, counts, good, strict=True):
            if g:
                kept.append(ln)
            else:
                errors.add(ln, f"Raden har {c} fält, ska ha {width}")
        numbers = kept
    if not numbers:
        return [[] for _ in range(width)], []
    return [flat[j::width] for j in range(width)], numbers


def _bad_lines(col: list[str], bad: set[str], numbers: list[int]) -> list[int]:
    return [numbers[i] for i, v in enumerate(col) if v in bad]


def _dates(col: list[str], numbers: list[int], errors: _Errors) -> np.ndarray:
    lookup: dict[str, int] = {}
    bad: set[str] = set()
    for s in dict.fromkeys(col):
        m = _DATE.match(s.strip())
        try:
            if m is None:
                raise ValueError
            lookup[s] = dt.date(*map(int, m.groups())).toordinal() - _EPOCH
        except ValueError:
            bad.add(s)
    for ln in _bad_lines(col, bad, numbers) if bad else ():
        errors.add(ln, f"Ogiltigt datum {col[numbers.index(ln)]!r}: skriv ÅÅÅÅ-MM-DD eller ÅÅÅÅMMDD")
    return np.fromiter((lookup.get(s, 0) for s in col), dtype=np.int32, count=len(col))


def _times(col: list[str], numbers: list[int], errors: _Errors) -> np.ndarray:
    lookup: dict[str, int] = {}
    bad: set[str] = set()
    for s in dict.fromkeys(col):
        m = _TIME.match(s.strip())
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            lookup[s] = int(m.group(1)) * 60 + int(m.group(2))
        else:
            bad.add(s)
    for ln in _bad_lines(col, bad, numbers) if bad else ():
        errors.add(ln, f"Ogiltig intervallstart {col[numbers.index(ln)]!r}: skriv TT:MM")
    return np.fromiter((lookup.get(s, 0) for s in col), dtype=np.int16, count=len(col))


def _numbers(col: list[str], name: str, numbers: list[int], errors: _Errors,
             optional: bool) -> np.ndarray:
    joined = "\x00".join(col)
    if "," in joined:
        col = joined.replace(",", ".").split("\x00")
    try:
        if optional and "" in col:
            raise ValueError
        out = np.fromiter(map(float, col), dtype=np.float64, count=len(col))
    except ValueError:
        out = np.zeros(len(col))
        for i, s in enumerate(col):
            s = s.strip()
            if not s and optional:
                continue
            try:
                out[i] = float(s) if "_" not in s else float("nan")
            except ValueError:
                out[i] = np.nan
    bad = ~(np.isfinite(out) & (out >= 0))
    for i in np.flatnonzero(bad):
        errors.add(numbers[i], f"Kolumnen {name}: {col[i]!r} är inte ett tal ≥ 0 "
                               "(decimalkomma eller decimalpunkt, inga tusentalsavgränsare)")
    out[bad] = 0.0
    return out


def parse_lines(lines: Iterable[str], file_name: str) -> IntervalData:
    """The rows of one statistics file (its decoded lines), or StatisticsError naming each line."""
    errors = _Errors(file_name)
    it = iter(lines)
    numbered = ((n, ln.rstrip("\r\n")) for n, ln in enumerate(it, start=1))
    numbered = ((n, ln) for n, ln in numbered if ln.strip())
    try:
        first_no, first = next(numbered)
    except StopIteration:
        raise StatisticsError([LineError(file_name, None, "Filen är tom")]) from None
    first = first.lstrip("\ufeff")
    fmt, sep, header = _detect(first, file_name)
    if fmt == "calabrio":
        numbered = itertools.chain([(first_no, first)], numbered)
        width = CALABRIO_WIDTH
        where = dict(CALABRIO_FIELDS)
    else:
        width = len(first.split(sep))
        assert header is not None
        where = dict(header)
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("line", "day", "minute", "queue",
                                                        "length", *COUNTERS)}
    queue_ids: dict[str, int] = {}
    queue_names: dict[str, str] = {}
    name_name = {k: sv for k, (sv, _, _) in CANONICAL_COLUMNS.items()}
    while not errors.full:
        chunk = list(itertools.islice(numbered, CHUNK))
        if not chunk:
            break
        nums = [n for n, _ in chunk]
        cols, nums = _split_chunk([ln for _, ln in chunk], nums, sep, width, errors)
        if not nums:
            continue
        parts["line"].append(np.asarray(nums, dtype=np.int32))
        parts["day"].append(_dates(cols[where["date"]], nums, errors))
        parts["minute"].append(_times(cols[where["interval"]], nums, errors))
        qcol = [q.strip() for q in cols[where["queue"]]]
        if "" in qcol:
            for i in [i for i, q in enumerate(qcol) if not q]:
                errors.add(nums[i], "Kön saknas")
        names = cols[where["queue_name"]] if "queue_name" in where else qcol
        for q, i in dict(zip(qcol, range(len(qcol)), strict=True)).items():
            if q not in queue_ids:
                queue_ids[q] = len(queue_ids)
                queue_names[q] = names[i].strip() or q
        parts["queue"].append(np.fromiter(map(queue_ids.__getitem__, qcol), dtype=np.int32,
                                          count=len(qcol)))
        if "length_min" in where:
            parts["length"].append(_numbers(cols[where["length_min"]], "längd_min", nums, errors,
                                            optional=False))
        if fmt == "calabrio":
            direct = _numbers(cols[where["offered_direct"]], "erbjudna direkt", nums, errors, False)
            over_in = _numbers(cols[where["overflow_in"]], "överflöde in", nums, errors, False)
            parts["offered"].append(direct + over_in)
            parts["overflow_in"].append(over_in)
            for key in COUNTERS:
                if key not in ("offered", "overflow_in"):
                    parts[key].append(_numbers(cols[where[key]], name_name[key], nums, errors,
                                               False))
        else:
            for key in COUNTERS:
                if key in where:
                    req = CANONICAL_COLUMNS[key][2]
                    parts[key].append(_numbers(cols[where[key]], name_name[key], nums, errors,
                                               not req))
                else:
                    parts[key].append(np.zeros(len(nums)))
    errors.raise_if_any()
    if not parts["line"]:
        raise StatisticsError([LineError(file_name, None, "Filen har inga datarader")])
    cat = {k: np.concatenate(v) for k, v in parts.items() if v}
    minute = cat["minute"]
    line = cat["line"]
    if "length" in cat:
        given = cat["length"]
        length = int(given[0])
        if length not in LENGTHS:
            errors.add(int(line[0]), f"Intervallängden {given[0]:g} min är inte 15, 30 eller 60")
        for i in np.flatnonzero(given != given[0])[:MAX_ERRORS]:
            errors.add(int(line[i]), f"Intervallängden {given[i]:g} min skiljer sig från filens "
                                     f"första rad ({given[0]:g} min); alla rader ska ha samma")
    else:
        length = next((L for L in reversed(LENGTHS) if not np.any(minute % L)), 0)
    if length in LENGTHS:
        for i in np.flatnonzero(minute % length)[:MAX_ERRORS]:
            errors.add(int(line[i]), f"Intervallstarten {minute[i] // 60:02d}:{minute[i] % 60:02d} "
                                     f"ligger inte på ett {length}-minutersintervall")
    elif "length" not in cat:
        i = int(np.flatnonzero(minute % 15)[0])
        errors.add(int(line[i]), f"Intervallstarten {minute[i] // 60:02d}:{minute[i] % 60:02d} "
                                 "ligger inte på ett 15-, 30- eller 60-minutersintervall")
    errors.raise_if_any()
    n = line.size
    answered = cat["answered"]
    bad = cat["answered_within_sl"] > answered
    for i in np.flatnonzero(bad)[:MAX_ERRORS]:
        errors.add(int(line[i]), "besvarade_inom_sl är större än besvarade")
    errors.raise_if_any()
    has_overflow = fmt == "calabrio" or "overflow_out" in where
    return IntervalData(
        files=(file_name,), queues=tuple(queue_ids), queue_names=tuple(queue_names.values()),
        file=np.zeros(n, dtype=np.int32), line=line, day=cat["day"], minute=minute,
        length_min=np.full(n, length, dtype=np.int16), queue=cat["queue"],
        **{k: cat[k] for k in COUNTERS},
        has_sl=(fmt == "calabrio" or "answered_within_sl" in where,),
        has_wait=(fmt == "calabrio" or "wait_s" in where,), has_overflow=(has_overflow,))
