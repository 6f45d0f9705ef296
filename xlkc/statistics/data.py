"""The parsed interval rows of one or more statistics files, column by column (SPEC §8.1)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xlkc.errors import InputError

__all__ = ["COUNTERS", "IntervalData", "LineError", "StatisticsError", "concat"]

#: The counters of a row, in the canonical (§8.1) meaning; optional ones are 0 where absent.
COUNTERS = ("offered", "answered", "abandoned", "short_abandoned", "overflow_out", "overflow_in",
            "talk_s", "wrap_s", "answered_within_sl", "wait_s")


@dataclass(frozen=True)
class LineError:
    """A malformed line: the file, its 1-based line number (None: the whole file), a message."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, rad {self.line}"
        return f"{where}: {self.message}"


class StatisticsError(InputError):
    """One or more statistics files are invalid; nothing was imported."""

    def __init__(self, errors: list[LineError]):
        self.errors = list(errors)
        n = len(self.errors)
        head = "1 fel i statistikfilerna" if n == 1 else f"{n} fel i statistikfilerna"
        super().__init__(head + ":\n" + "\n".join(f"- {e}" for e in self.errors))


@dataclass(frozen=True)
class IntervalData:
    """Rows of interval statistics as parallel numpy arrays (one entry per file row).

    - ``files``/``queues``: names; ``file``/``queue`` index into them;
    - ``line``: the row's 1-based line number in its file;
    - ``day``: days since 1970-01-01 (``datetime64[D]`` as int); ``minute``: start minute of day;
    - ``length_min``: the interval length of the row's file (15, 30 or 60);
    - the counters of ``COUNTERS`` as float64 (optional columns 0 where the file lacks them);
    - ``has_sl``/``has_wait``/``has_overflow``: per file, whether it carries that column;
    - ``queue_names``: display name per queue (the Calabrio queue name, else the id).
    """

    files: tuple[str, ...]
    queues: tuple[str, ...]
    queue_names: tuple[str, ...]
    file: np.ndarray
    line: np.ndarray
    day: np.ndarray
    minute: np.ndarray
    length_min: np.ndarray
    queue: np.ndarray
    offered: np.ndarray
    answered: np.ndarray
    abandoned: np.ndarray
    short_abandoned: np.ndarray
    overflow_out: np.ndarray
    overflow_in: np.ndarray
    talk_s: np.ndarray
    wrap_s: np.ndarray
    answered_within_sl: np.ndarray
    wait_s: np.ndarray
    has_sl: tuple[bool, ...]
    has_wait: tuple[bool, ...]
    has_overflow: tuple[bool, ...]

    def __len__(self) -> int:
        return int(self.day.size)

    def dates(self) -> np.ndarray:
        """The rows' dates as ``datetime64[D]``."""
        return self.day.astype("datetime64[D]")


def concat(parts: list[IntervalData]) -> IntervalData:
    """One IntervalData of several files; queues with the same id are the same queue."""
    if not parts:
        raise StatisticsError([LineError("(inga filer)", None, "Ingen statistikfil angavs")])
    if len(parts) == 1:
        return parts[0]
    queues: dict[str, int] = {}
    names: dict[str, str] = {}
    queue_cols, file_cols = [], []
    offset = 0
    for p in parts:
        remap = np.empty(len(p.queues), dtype=np.int32)
        for k, (q, nm) in enumerate(zip(p.queues, p.queue_names, strict=True)):
            remap[k] = queues.setdefault(q, len(queues))
            names.setdefault(q, nm)
        queue_cols.append(remap[p.queue])
        file_cols.append((p.file + offset).astype(np.int32))
        offset += len(p.files)
    cat = {c: np.concatenate([getattr(p, c) for p in parts])
           for c in ("line", "day", "minute", "length_min", *COUNTERS)}
    return IntervalData(
        files=tuple(f for p in parts for f in p.files), queues=tuple(queues),
        queue_names=tuple(names[q] for q in queues),
        file=np.concatenate(file_cols), queue=np.concatenate(queue_cols),
        has_sl=tuple(x for p in parts for x in p.has_sl),
        has_wait=tuple(x for p in parts for x in p.has_wait),
        has_overflow=tuple(x for p in parts for x in p.has_overflow), **cat)
