"""What the Excel adapters exchange with the core, independent of the Excel library.

Reading: an adapter (:mod:`xlkc.excel.file_reader`, the standard library's XML parser, for
files; xlwings for live Excel) turns a workbook into :class:`WorkbookData` - every Excel Table as
a header and rows of raw cell values, every named cell as a raw value - and
:mod:`xlkc.excel.parse` turns that into typed inputs. Writing: :mod:`xlkc.excel.output` turns
results into an :class:`OutputPlan` - blocks of values and formulas at layout positions - and an
adapter applies the plan. Business logic lives on neither side of an adapter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RawTable:
    """One Excel Table as found: its header and its data rows, raw cell values."""

    sheet: str
    name: str  # Excel table name, e.g. "tblTjanster"
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]  # data rows, in sheet order, as read
    first_row: int  # Excel row number of rows[0]
    #: Excel rows with values below the table after an empty row (not read as data).
    stray_rows: tuple[int, ...] = ()


@dataclass(frozen=True)
class WorkbookData:
    """A workbook's inputs as raw values, whatever library read them."""

    path: str  # file name or book name, for messages
    sheets: tuple[str, ...]
    tables: dict[str, RawTable]  # by Excel table name
    names: dict[str, Any]  # workbook-scoped named cells: name -> raw value
    #: Where each named cell's defined name really points: name -> (sheet, row, column), 1-based
    #: (an adapter that does not know leaves it out: the layout's position is used).
    name_cells: dict[str, tuple[str, int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class TableBlock:
    """One output table to write: header plus rows of values or formulas ("=...")."""

    sheet: str
    table: str  # Excel table name
    header_row: int  # 1-based
    first_col: int  # 1-based
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    number_formats: tuple[str | None, ...]  # one per column
    #: the totals row below the table (``layout.totals_row``): a label, SUBTOTAL formulas over
    #: the additive columns and None elsewhere; None: no totals row
    totals: tuple[Any, ...] | None = None

    @property
    def totals_row(self) -> int:
        """The Excel row of the totals row (one empty row below the last data row)."""
        from xlkc import layout as L  # noqa: N812 - the layout is pure data

        return L.totals_row(self.header_row, len(self.rows))


@dataclass(frozen=True)
class CellWrite:
    sheet: str
    row: int  # 1-based
    col: int  # 1-based
    value: Any
    number_format: str | None = None


@dataclass(frozen=True)
class OutputPlan:
    """Everything a calculation writes; an adapter applies it and touches nothing else."""

    tables: tuple[TableBlock, ...]
    cells: tuple[CellWrite, ...] = ()  # the status on Start
    log_entry: tuple[Any, ...] | None = None  # one new row for the Körlogg table
    meta: dict[str, Any] = field(default_factory=dict)
    #: Input tables this plan rewrites on purpose (a statistics import); a calculation's plan
    #: has none, and the adapters refuse any write to an input sheet that is not named here.
    input_tables: frozenset[str] = frozenset()
    #: Input sheets whose named cells this plan sets on purpose (a new price year's Prisår).
    input_sheets: frozenset[str] = frozenset()


def check_targets(plan: OutputPlan) -> None:
    """Refuse to write anywhere but the output sheets, the Start status and the input tables
    the plan names in ``input_tables`` (InputError, Swedish; raised before anything is written).
    """
    from xlkc import layout as L  # noqa: N812 - the layout is pure data
    from xlkc.errors import InputError

    roles = {s.name: s.role for s in L.SHEETS}
    for b in plan.tables:
        if roles.get(b.sheet) != "output" and b.table not in plan.input_tables:
            raise InputError(f"Planen skulle skriva till bladet '{b.sheet}', som inte är ett "
                             "resultatblad. Inget har skrivits.")
    status_sheets = {s.name for s in L.SHEETS if s.role == "info" and s.named_cells}
    for c in plan.cells:
        if (roles.get(c.sheet) != "output" and c.sheet not in status_sheets
                and c.sheet not in plan.input_sheets):
            raise InputError(f"Planen skulle skriva till bladet '{c.sheet}', som inte är ett "
                             "resultatblad. Inget har skrivits.")
