"""An output table's cells as the sheet shows them, and its totals row, column by column.

Pure. :func:`sheet_cell_value` converts one result value (``Column.to_sheet``: seconds ->
minutes; enums as their Swedish words; True/False as ``layout.BOOL_TEXT``; NaN -> empty);
:func:`sheet_column` converts a whole column, with a fast path for the common columns (all
floats, all texts) that returns exactly what :func:`sheet_cell_value` returns for each value
(a plan holds every cell of every output table: issue 15). :func:`totals_cells` is the totals
row below a table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import Enum
from typing import Any

import numpy as np
import pandas as pd

from xlkc import layout as L  # noqa: N812

__all__ = ["Formula", "column_totals", "sheet_cell_value", "sheet_column", "totals_cells"]


class Formula(str):
    """An Excel formula ("=..."), as opposed to a text value, with ``value``: what the engine
    computed for the cell, in the sheet's unit (None if unknown). A file writer stores it as the
    formula's cached value, so a reader that does not calculate sees the number."""

    value: Any

    def __new__(cls, text: str, value: Any = None) -> Formula:
        self = super().__new__(cls, text)
        self.value = value
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Formula, (str(self), self.value))


def _blank(v: Any) -> bool:
    if v is None:
        return True
    t = type(v)
    if t is str:  # the commonest values, as pd.isna says of them
        return False
    if t is float:
        return v != v
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def sheet_cell_value(col: L.Column, v: Any) -> Any:
    """A result value as the sheet shows it (plain Python types, None for empty)."""
    # The two commonest cases first; what they return is what the general path below returns.
    t = type(v)
    if t is str:
        return v
    if t is float:
        if v != v:  # NaN
            return None
        v = col.to_sheet(v)
        return 0.0 if isinstance(v, float) and v == 0.0 else v
    if isinstance(v, list | tuple):
        return ", ".join(str(x) for x in v) or None
    if _blank(v):
        return None
    if isinstance(v, bool | np.bool_):
        return L.BOOL_TEXT[bool(v)]
    if isinstance(v, Enum):
        return str(v.value)
    if isinstance(v, np.integer):
        v = int(v)
    elif isinstance(v, np.floating):
        v = float(v)
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, int | float) and not isinstance(v, bool):
        v = col.to_sheet(v)
        if isinstance(v, float) and v == 0.0:
            v = 0.0  # no negative zero in a sheet
    return v


def sheet_column(col: L.Column, values: list[Any]) -> list[Any]:
    """:func:`sheet_cell_value` of each value of a column."""
    kinds = set(map(type, values))
    if kinds == {str}:
        return list(values)
    if kinds == {float}:
        scale = col.scale
        if scale == 1.0:
            # NaN -> None; -0.0 -> 0.0 (v == 0.0 holds for both zeros)
            return [None if v != v else 0.0 if v == 0.0 else v for v in values]
        return [None if v != v else x if (x := v / scale) != 0.0 else 0.0 for v in values]
    return [sheet_cell_value(col, v) for v in values]


def _number(v: Any) -> float | None:
    v = getattr(v, "value", v) if isinstance(v, Formula) else v
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        return None
    return float(v)


def column_total(values: Sequence[Any]) -> float:
    """The sum of a column's finite numbers (a formula counts with its value)."""
    kinds = set(map(type, values))
    if kinds <= {float, type(None)}:
        return math.fsum([v for v in values if v is not None and v - v == 0])
    return math.fsum([x for x in map(_number, values) if x is not None])


def column_totals(table: L.Table, header_row: int, first_col: int,
                  columns: Sequence[Sequence[Any]]) -> tuple[Any, ...] | None:
    """:func:`totals_cells` of a table given column by column."""
    n = len(columns[0]) if columns else 0
    if not table.has_totals or not n:
        return None
    first, last = header_row + 1, header_row + n
    out: list[Any] = []
    for j, c in enumerate(table.columns):
        if c.total:
            letter = L.col_letter(first_col + j)
            out.append(Formula(f"=SUBTOTAL(109,{letter}{first}:{letter}{last})",
                               column_total(columns[j])))
        else:
            out.append(L.TOTAL_LABEL if j == 0 else None)
    return tuple(out)


def totals_cells(table: L.Table, header_row: int, first_col: int,
                 rows: tuple[tuple[Any, ...], ...] | list[tuple[Any, ...]]
                 ) -> tuple[Any, ...] | None:
    """The totals row of a table (``layout.totals_row``): ``layout.TOTAL_LABEL`` in the first
    column, ``=SUBTOTAL(109,X6:X17)`` over the data rows of every additive column
    (``Column.total``) with the sum of the written values as its cached value, None elsewhere.
    None when the table has no additive column or no rows. SUBTOTAL 109 sums what a filter
    shows; A1 ranges (not ``tbl[Kolumn]``) so that every calculator reads it."""
    if not table.has_totals or not rows:
        return None
    columns = [[row[j] for row in rows] if c.total else [None] * len(rows)
               for j, c in enumerate(table.columns)]
    return column_totals(table, header_row, first_col, columns)
