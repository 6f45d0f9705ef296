"""Error types of the package. Messages are Swedish: they are shown to controllers."""

from __future__ import annotations

from dataclasses import dataclass


class XlkcError(Exception):
    """Base class of every error xlkc raises on purpose."""


class InputError(XlkcError, ValueError):
    """Invalid or inconsistent input. The message names the offending item, in Swedish."""


@dataclass(frozen=True)
class Problem:
    """One validation problem, located in the workbook where possible."""

    message: str
    sheet: str | None = None
    table: str | None = None
    row: int | None = None  # Excel row number
    column: str | None = None  # Swedish header
    # Where the core found it, for an adapter to translate into sheet/row/column:
    record: str | None = None  # attribute of Inputs, e.g. "contacts"
    index: int | None = None  # position in that tuple
    field: str | None = None  # dataclass field, e.g. "aht_s"

    def __str__(self) -> str:
        where = [p for p in (self.sheet, f"rad {self.row}" if self.row else None,
                             f"kolumn {self.column}" if self.column else None) if p]
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ValidationError(InputError):
    """Several problems found in one pass; nothing was calculated or written."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = "1 fel i indata" if n == 1 else f"{n} fel i indata"
        super().__init__(head + ":\n" + "\n".join(f"- {p}" for p in self.problems))
