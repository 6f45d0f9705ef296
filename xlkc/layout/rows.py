"""Input tables' rows as the workbook shows them (the builder writes them; a statistics import
and a new price year rewrite them)."""

from __future__ import annotations

from enum import Enum
from typing import Any

from xlkc.layout.core import BOOL_TEXT, Column, NamedCell, Table

__all__ = ["sheet_value", "table_rows"]


def _resolve(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def sheet_value(col: Column | NamedCell, value: Any) -> Any:
    """A code value as the workbook shows it."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return BOOL_TEXT[value]
    if isinstance(value, int | float) and col.scale != 1.0:
        return value / col.scale
    return value


def table_rows(table: Table, inputs: Any) -> list[list[Any]]:
    """The rows of an input table for ``inputs`` (an ``xlkc.inputs.Inputs``)."""
    data = _resolve(inputs, table.inputs_field) if table.inputs_field else None
    if table.series_field is not None:
        values = list(data) if data is not None else [None] * len(table.labels)
        if table.labels:
            labels: list[Any] = list(table.labels)
        else:  # hourly profile: one row per opening hour
            start = inputs.parameters.opening_hour
            labels = [start + i for i in range(len(values))]
        return [[lab if c.field == "label" else v for c in table.columns]
                for lab, v in zip(labels, values, strict=True)]
    rows = []
    for rec in data or ():
        rows.append([sheet_value(c, getattr(rec, c.field)) for c in table.columns])
    return rows
