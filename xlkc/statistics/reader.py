"""Reading statistics files from disk: the only I/O of ``xlkc.statistics``.

A file is decoded as UTF-8 (a byte-order mark is dropped) and, when that fails, as cp1252; the
decoded lines go to ``formats.parse_lines``. Several files are concatenated with ``data.concat``;
the errors of every file are collected before anything is raised.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from xlkc.statistics.data import IntervalData, LineError, StatisticsError, concat
from xlkc.statistics.formats import parse_lines

__all__ = ["decode", "read_file", "read_files"]


def decode(data: bytes) -> str:
    """Text of a file's bytes: UTF-8 (with or without BOM), else cp1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")  # may raise UnicodeDecodeError too


def read_file(path: str | Path) -> IntervalData:
    path = Path(path)
    name = path.name
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            with path.open(encoding=encoding, newline="") as fh:
                return parse_lines(fh, name)
        except UnicodeDecodeError:
            continue
        except OSError as exc:
            raise StatisticsError([LineError(name, None, f"Filen kan inte läsas: {exc}")]) from exc
    raise StatisticsError([LineError(name, None, "Filen kan inte läsas som UTF-8 eller cp1252")])


def read_files(paths: Iterable[str | Path]) -> IntervalData:
    """All files' rows as one IntervalData; StatisticsError with the errors of every file."""
    parts, errors = [], []
    for p in paths:
        try:
            parts.append(read_file(p))
        except StatisticsError as exc:
            errors.extend(exc.errors)
    if errors:
        raise StatisticsError(errors)
    return concat(parts)
