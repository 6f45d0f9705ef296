"""The input tables and named cells of a workbook read into record fields, a problem per bad cell.

:class:`_Parser` matches each table's columns by header text (:func:`_positions`), skips empty
rows (:func:`_data_rows`; their Excel row numbers still count) and reads every cell through
:mod:`xlkc.excel.cell_values` into ``field -> value`` dicts for the records of
:mod:`xlkc.inputs`; it reads the one-column series (months, hours, weekdays) and the named cells
of the input sheets (:func:`named_cell_location` says where one sits) the same way. An
unreadable or missing required cell becomes a located problem and a neutral placeholder, and its
row or parameter is marked tainted, so that :mod:`xlkc.excel.parse` can leave out the core's
problems about it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from xlkc import layout as L  # noqa: N812
from xlkc.errors import Problem
from xlkc.excel.cell_values import CellError, _blank, _parse_value
from xlkc.excel.model import RawTable, WorkbookData
from xlkc.inputs import Parameters

__all__ = ["named_cell_location"]


_NO_DEFAULT = object()


def _defaults(record: type) -> dict[str, Any]:
    out = {}
    for f in dataclasses.fields(record):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            out[f.name] = f.default_factory()
    return out


def _placeholder(item: L.Column | L.NamedCell, default: Any) -> Any:
    """A neutral value for an unreadable cell, so that the core can check the rest."""
    if default is not _NO_DEFAULT and default is not None:
        return default
    if item.kind in ("number", "money"):
        return 1.0
    if item.kind == "integer":
        return 1
    if item.kind == "share":
        return 0.5
    if item.kind == "enum":
        allowed = item.allowed
        return allowed(next(iter(allowed)).value) if isinstance(allowed, type) else allowed[0]
    if item.kind == "list":
        return ()
    if item.kind == "bool":
        return False
    return "" if default is _NO_DEFAULT else None


def _norm(text: Any) -> str:
    return " ".join(str(text or "").split()).casefold()


def _positions(t: L.Table, raw: RawTable) -> tuple[dict[str, int], list[Problem]]:
    """Column field -> position in the raw row, by header text; a problem per missing column."""
    where: dict[str, int] = {}
    for i, h in enumerate(raw.header):
        where.setdefault(_norm(h), i)
    pos: dict[str, int] = {}
    problems = []
    found = ", ".join(f"'{h}'" for h in raw.header if str(h or "").strip()) or "inga rubriker"
    for c in t.columns:
        i = where.get(_norm(c.header))
        if i is not None:
            pos[c.field] = i
        elif not c.computed:
            problems.append(Problem(f"kolumnen '{c.header}' saknas i tabellen {t.name} "
                                    f"(hittade: {found})", sheet=raw.sheet, table=t.name,
                                    row=raw.first_row - 1))
    return pos, problems


def _data_rows(t: L.Table, raw: RawTable, pos: dict[str, int]
               ) -> list[tuple[int, dict[str, Any]]]:
    """(Excel row, field -> raw value) of every row with a value in an input column."""
    fields = [c.field for c in t.columns if c.field in pos and not c.computed]
    items = list(pos.items())
    out = []
    for k, row in enumerate(raw.rows):
        n = len(row)
        values = {f: (row[i] if i < n else None) for f, i in items}
        if any(not _blank(values[f]) for f in fields):
            out.append((raw.first_row + k, values))
    return out


class _Parser:
    def __init__(self, data: WorkbookData):
        self.data = data
        self.problems: list[Problem] = []
        self.tainted: set[tuple[str, int | None]] = set()  # (record, index) with a bad cell
        self.tainted_fields: set[tuple[str, str]] = set()  # parameters / profile fields

    def cell_problem(self, msg: str, sheet: str, table: str | None, row: int | None,
                     column: str | None) -> None:
        self.problems.append(Problem(msg, sheet=sheet, table=table, row=row, column=column))

    def read(self, item: L.Column | L.NamedCell, v: Any, default: Any, where: dict[str, Any],
             label: str | None = None) -> tuple[Any, bool]:
        """(value, ok). An empty optional cell gives ``default`` (or None)."""
        if type(v).__name__ == "UncachedFormula":
            what = "" if label is None else f" för {label}"
            self.cell_problem(f"cellen{what} har formeln {v} men inget sparat värde (filen är "
                              "sparad av ett program som inte räknar); öppna filen i Excel och "
                              "spara den, eller skriv in värdet", **where)
            return _placeholder(item, default), False
        if _blank(v):
            if item.required:
                msg = "värde saknas" if label is None else f"värde saknas för {label}"
                self.cell_problem(msg, **where)
                return _placeholder(item, default), False
            return (None if default is _NO_DEFAULT else default), True
        try:
            return _parse_value(item, v), True
        except CellError as exc:
            self.cell_problem(exc.message(label), **where)
            return _placeholder(item, default), False

    # records

    def records(self, t: L.Table) -> list[dict[str, Any]]:
        raw = self.data.tables[t.name]
        pos, _ = _positions(t, raw)
        defaults = _defaults(t.record)
        record_name = t.inputs_field
        out = []
        columns = [(c, c.field, defaults.get(c.field, _NO_DEFAULT), {})
                   for c in t.input_columns]
        for index, (excel_row, values) in enumerate(_data_rows(t, raw, pos)):
            kwargs: dict[str, Any] = {}
            for c, field, default, seen in columns:
                v = values.get(field)
                # The common cells straight to their value (what read() gives them), without
                # building a location per cell (issue 15): a number, non-blank text (each text
                # parsed once per column: the values are immutable), an empty optional cell.
                # Anything else, and any cell that fails, goes through read().
                tv = type(v)
                if v is None and not c.required:
                    kwargs[field] = None if default is _NO_DEFAULT else default
                    continue
                if tv is str:
                    hit = seen.get(v, _NO_DEFAULT)
                    if hit is not _NO_DEFAULT:
                        kwargs[field] = hit
                        continue
                    if v.strip():
                        try:
                            kwargs[field] = seen[v] = _parse_value(c, v)
                            continue
                        except CellError:
                            pass
                elif tv is float or tv is int:
                    try:
                        kwargs[field] = _parse_value(c, v)
                        continue
                    except CellError:
                        pass
                where = {"sheet": raw.sheet, "table": t.name, "row": excel_row,
                         "column": c.header}
                value, ok = self.read(c, v, default, where)
                if not ok:
                    self.tainted.add((record_name, index))
                kwargs[field] = value
            out.append(kwargs)
        return out

    def series(self, t: L.Table) -> tuple[list[Any], list[int], list[Any]]:
        """(values, Excel rows, labels) of a one-column series table, rows in sheet order."""
        raw = self.data.tables[t.name]
        pos, _ = _positions(t, raw)
        value_col = t.column(t.series_field)
        label_col = t.column("label")
        labels_in = [(raw.first_row + k, {f: (r[i] if i < len(r) else None)
                                          for f, i in pos.items()})
                     for k, r in enumerate(raw.rows)
                     if any(not _blank(r[i]) for i in pos.values() if i < len(r))]
        if label_col.computed:  # fixed labels (months, weekdays): put rows in label order
            by_label = {_norm(x): i for i, x in enumerate(t.labels)}
            found = [by_label.get(_norm(vals.get("label"))) for _, vals in labels_in]
            if None not in found and len(set(found)) == len(found):
                order = sorted(range(len(found)), key=lambda i: found[i])
                labels_in = [labels_in[i] for i in order]
        values, rows, labels = [], [], []
        field_key = t.inputs_field.split(".", 1)[1]
        for excel_row, vals in labels_in:
            where = {"sheet": raw.sheet, "table": t.name, "row": excel_row,
                     "column": value_col.header}
            value, ok = self.read(value_col, vals.get(value_col.field), _NO_DEFAULT, where)
            if not ok:
                self.tainted_fields.add(("profile", field_key))
            label = vals.get("label")
            if not label_col.computed:
                where = {**where, "column": label_col.header}
                label, ok = self.read(label_col, label, _NO_DEFAULT, where)
                if not ok:
                    self.tainted_fields.add(("profile", field_key))
            values.append(value)
            rows.append(excel_row)
            labels.append(label)
        return values, rows, labels

    def parameters(self) -> dict[str, Any]:
        defaults = _defaults(Parameters)
        out: dict[str, Any] = {}
        for sheet, nc in L.named_cells():
            if sheet.role != "input":
                continue
            sheet_name, row, column = named_cell_location(self.data, sheet, nc)
            where = {"sheet": sheet_name, "table": None, "row": row, "column": column}
            value, ok = self.read(nc, self.data.names.get(nc.name),
                                  defaults.get(nc.field, _NO_DEFAULT), where, label=nc.label)
            if not ok:
                self.tainted_fields.add(("parameters", nc.field))
            out[nc.field] = value
        return out


def named_cell_location(data: WorkbookData, sheet: L.Sheet, nc: L.NamedCell
                        ) -> tuple[str, int, str]:
    """(sheet, Excel row, column letter) of the cell a named cell's defined name points at."""
    found = getattr(data, "name_cells", {}).get(nc.name) if data is not None else None
    if found is None:
        row, col = sheet.named_cell_position(nc.name)
        return sheet.name, row, L.col_letter(col)
    return found[0], found[1], L.col_letter(found[2])
