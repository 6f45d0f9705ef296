"""Build the JSON payload xlwings' Server engine expects, from a real .xlsm, with openpyxl.

The payload mirrors what xlwings' VBA client (``xlwings/addin/Remote.bas``, ``RunRemotePython``)
sends and what the Server engine (``xlwings/pro/_xlremote.py``) reads:

- ``sheets[i].values``: the cached values from A1 to the used range's last row and column,
  ``""`` for an empty cell, dates as ISO strings ending in ``Z`` (the engine cuts the last
  character before ``datetime.fromisoformat``);
- ``sheets[i].tables``: one dict per Excel Table with ``name``, ``range_address``,
  ``header_row_range_address``, ``data_body_range_address``, ``total_row_range_address`` (absolute
  addresses as VBA's ``Range.Address`` gives them), ``show_headers``, ``show_totals``,
  ``table_style``, ``show_autofilter``;
- ``names``: only names that refer to a single range (as the VBA client filters them), with
  ``sheet_index`` (0-based), ``address`` (relative, as ``Address(False, False)``), ``book_scope``,
  ``scope_sheet_name`` and ``scope_sheet_index``.

Reusable by any test: :func:`payload_from_xlsx` and :func:`set_cell` (edit a cell's value in a
payload before building the book).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries

_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!(\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)$")


def _json_value(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(v, dt.date):
        return f"{v.isoformat()}T00:00:00.000Z"
    if isinstance(v, dt.time):
        # Excel keeps a time of day as a fraction of a day
        return (v.hour * 3600 + v.minute * 60 + v.second) / 86400
    if isinstance(v, bool | int | float | str):
        return v
    return str(v)


def _absolute(ref: str) -> str:
    """"A5:H27" -> "$A$5:$H$27" (VBA's Range.Address)."""
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    a = f"${get_column_letter(min_col)}${min_row}"
    b = f"${get_column_letter(max_col)}${max_row}"
    return a if a == b else f"{a}:{b}"


def _table_dict(t: Any) -> dict[str, Any]:
    min_col, min_row, max_col, max_row = range_boundaries(t.ref)
    header_rows = 0 if t.headerRowCount == 0 else 1
    total_rows = int(t.totalsRowCount or 0)
    first_body = min_row + header_rows
    last_body = max_row - total_rows
    col_a, col_b = get_column_letter(min_col), get_column_letter(max_col)

    def rows(r0: int, r1: int) -> str:
        return _absolute(f"{col_a}{r0}:{col_b}{r1}")

    style = t.tableStyleInfo
    return {
        "name": t.name,
        "range_address": _absolute(t.ref),
        "header_row_range_address": rows(min_row, min_row) if header_rows else None,
        "data_body_range_address": rows(first_body, last_body) if last_body >= first_body
        else None,
        "total_row_range_address": rows(max_row, max_row) if total_rows else None,
        "show_headers": bool(header_rows),
        "show_totals": bool(total_rows),
        "table_style": style.name if style is not None else "",
        "show_autofilter": t.autoFilter is not None,
    }


def _sheet_values(ws: Any) -> list[list[Any]]:
    if ws.max_row == 1 and ws.max_column == 1 and ws.cell(1, 1).value is None:
        return [[]]
    return [[_json_value(c.value) for c in row]
            for row in ws.iter_rows(min_row=1, max_row=ws.max_row, min_col=1,
                                    max_col=ws.max_column)]


def payload_from_xlsx(path: str | Path, *, version: str | None = None) -> dict[str, Any]:
    """The Server engine payload of the workbook at ``path`` (cached values, not formulas)."""
    if version is None:
        import xlwings as xw

        version = xw.__version__
    path = Path(path)
    wb = openpyxl.load_workbook(path, data_only=True)  # tables need the full (not read-only) mode
    titles = [ws.title for ws in wb.worksheets]
    names = []
    for name, dn in wb.defined_names.items():
        m = _REF.match(dn.attr_text or "")
        if m is None:
            continue  # not a single range: the VBA client leaves it out
        sheet_name = (m.group(1) or "").replace("''", "'") or m.group(2)
        if sheet_name not in titles:
            continue
        names.append({"name": name, "sheet_index": titles.index(sheet_name),
                      "address": m.group(3).replace("$", ""), "book_scope": True,
                      "scope_sheet_name": None, "scope_sheet_index": None})
    for ix, ws in enumerate(wb.worksheets):
        for name, dn in ws.defined_names.items():
            m = _REF.match(dn.attr_text or "")
            if m is None:
                continue
            sheet_name = (m.group(1) or "").replace("''", "'") or m.group(2)
            if sheet_name not in titles:
                continue
            names.append({"name": name, "sheet_index": titles.index(sheet_name),
                          "address": m.group(3).replace("$", ""), "book_scope": False,
                          "scope_sheet_name": ws.title, "scope_sheet_index": ix})
    sheets = [{"name": ws.title, "values": _sheet_values(ws), "pictures": [],
               "tables": [_table_dict(t) for t in ws.tables.values()]}
              for ws in wb.worksheets]
    active = wb.active
    return {
        "client": "VBA",
        "version": version,
        "book": {"name": path.name, "active_sheet_index": titles.index(active.title)
                 if active is not None else 0, "selection": "A1"},
        "names": names,
        "sheets": sheets,
    }


def set_cell(payload: dict[str, Any], sheet: str, address: str, value: Any) -> None:
    """Set one cell's value in a payload (growing the values array as needed)."""
    m = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)", address)
    if m is None:
        raise ValueError(f"ogiltig celladress {address!r}")
    col = column_index_from_string(m.group(1))
    row = int(m.group(2))
    sh = next(s for s in payload["sheets"] if s["name"] == sheet)
    values = sh["values"]
    if values == [[]]:
        values.clear()
    width = max([len(r) for r in values] + [col])
    for r in values:
        r.extend([""] * (width - len(r)))
    while len(values) < row:
        values.append([""] * width)
    values[row - 1][col - 1] = _json_value(value)
