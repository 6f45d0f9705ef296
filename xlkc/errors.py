"""Error types of the package. Messages are Swedish: they are shown to controllers.

A :class:`Problem` is either an error (``severity == ERROR``: nothing is calculated) or a warning
(``severity == WARNING``: the run goes on, and the warning is listed on Start, in the Körlogg, in
the message box and by the command line, each with its location).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Severities of a problem (Swedish: they are shown).
ERROR = "fel"
WARNING = "varning"


class XlkcError(Exception):
    """Base class of every error xlkc raises on purpose."""


class InputError(XlkcError, ValueError):
    """Invalid or inconsistent input. The message names the offending item, in Swedish."""


@dataclass(frozen=True)
class Problem:
    """One validation problem (an error or a warning), located in the workbook where possible."""

    message: str
    sheet: str | None = None
    table: str | None = None
    row: int | None = None  # Excel row number
    column: str | None = None  # Swedish header (a named cell: its column letter)
    # Where the core found it, for an adapter to translate into sheet/row/column:
    record: str | None = None  # attribute of Inputs, e.g. "contacts"
    index: int | None = None  # position in that tuple
    field: str | None = None  # dataclass field, e.g. "aht_s"
    severity: str = ERROR

    @property
    def is_warning(self) -> bool:
        return self.severity == WARNING

    @property
    def table_label(self) -> str | None:
        """The table's title where its sheet holds more than one table (else None)."""
        if not self.table or not self.sheet:
            return None
        try:
            from xlkc import layout as L  # noqa: N812 - the layout is pure data

            sheet = L.sheet(self.sheet)
            if len(sheet.tables) < 2 and not (sheet.tables and sheet.named_cells):
                return None
            return L.table(self.table).title
        except KeyError:
            return self.table

    def location(self) -> str:
        label = self.table_label
        parts = (self.sheet, f"tabell {label}" if label else None,
                 f"rad {self.row}" if self.row else None,
                 f"kolumn {self.column}" if self.column else None)
        return ", ".join(p for p in parts if p)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


def warning(message: str, **where) -> Problem:
    """A warning: it does not stop the run."""
    return Problem(message, severity=WARNING, **where)


def errors_of(problems) -> list[Problem]:
    return [p for p in problems if not p.is_warning]


def warnings_of(problems) -> list[Problem]:
    return [p for p in problems if p.is_warning]


class ValidationError(InputError):
    """Several problems found in one pass; nothing was calculated or written.

    ``problems`` are the errors; ``warnings`` the warnings found in the same pass.
    """

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None):
        self.problems = errors_of(problems)
        self.warnings = list(warnings or []) + warnings_of(problems)
        n = len(self.problems)
        head = "1 fel i indata" if n == 1 else f"{n} fel i indata"
        super().__init__(head + ":\n" + "\n".join(f"- {p}" for p in self.problems))
