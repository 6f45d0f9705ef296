"""From raw workbook values to the engine's typed inputs, with every problem located in Swedish.

:func:`parse_workbook` turns a :class:`~xlkc.excel.model.WorkbookData` (whatever adapter read it)
into :class:`~xlkc.inputs.Inputs`, or raises :class:`~xlkc.errors.ValidationError` listing every
problem at once, each with its sheet, Excel table, Excel row and Swedish column header. Nothing is
computed.

What controllers type and is accepted
    - numbers stored as text, with a decimal comma or point ("12,5", "12.5"), grouped with spaces,
      no-break spaces or thin spaces ("38 000", "38\u202f000"), a minus sign "-" or "−", and the
      column's own unit after the number ("500 kr", "6,5 min", "30 s"). Digit groups after the
      first must have three digits. A comma is always the decimal separator: "38,000" is 38;
    - shares as fractions (0,8) or with a percent sign ("80 %", "80%", "6,5 %"). A share above 1
      without a percent sign (80 where 0,8 is meant) is rejected, not guessed: the message says
      to write "80 %" or 0,8. Negative shares are rejected;
    - integers as whole numbers in any of those forms; opening hours also as "08:00" or a time;
    - text and ids with surrounding spaces (stripped); an id that differs only in upper/lower case
      from exactly one defined id (service, channel, staff category, pool, customer) is read as
      that id;
    - choices from a closed list case-insensitively and with extra spaces ("  Erlang c ");
    - "Ja"/"Nej", "Sant"/"Falskt", True/False for yes/no values;
    - empty rows (skipped; their Excel row numbers still count), rows typed below a table, columns
      in any order (matched by header text; unknown extra columns are ignored).

What is rejected (one problem per cell, all collected in one pass)
    text in a number, an unknown choice, a date or a yes/no value where a number belongs, a
    fraction where an integer belongs, an Excel error value (#N/A ...), a missing required value,
    a missing table or column (these alone are reported first: the rest cannot be read).

Then the core's :func:`xlkc.pipeline.validate` runs on the inputs and each of its problems is
located through its ``record``/``index``/``field``. Rows with an unreadable cell enter that check
with a neutral placeholder, and the core's problems about those rows are left out, so that one
mistake gives one message.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from xlkc import layout as L  # noqa: N812
from xlkc.errors import Problem, ValidationError, errors_of, warning, warnings_of
from xlkc.excel.model import RawTable, WorkbookData
from xlkc.inputs import Inputs, Parameters, Profile, SlaLevel

__all__ = [
    "CellError",
    "localise",
    "parse_bool",
    "parse_number",
    "parse_share",
    "check_workbook",
    "parse_workbook",
]

EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                          "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!",
                          "#UNKNOWN!", "#CONNECT!", "#BUSY!"})
_MINUS = "-\u2212\u2013"  # hyphen-minus, minus sign, en dash (Word's "−" replacement)
_NUMBER = re.compile(
    r"(?P<sign>[+\-\u2212\u2013]?)"
    r"(?P<int>\d{1,3}(?:[ \u00a0\u2007\u2009\u202f]\d{3})+|\d*)"
    r"(?:[,.](?P<frac>\d+))?")
_HOUR = re.compile(r"(\d{1,2})[:.]00")
_TRUE = frozenset({"ja", "sant", "true", "1"})
_FALSE = frozenset({"nej", "falskt", "false", "0"})


class CellError(ValueError):
    """A value that cannot be read: ``shown`` is the value as quoted, ``reason`` the rest.

    The message reads "värdet 'ca 5' är inte ett tal"; for a named cell "värdet 'ca 5' för
    Prisår är inte ett tal".
    """

    def __init__(self, shown: str, reason: str):
        super().__init__(f"värdet {shown} {reason}")
        self.shown = shown
        self.reason = reason

    def message(self, label: str | None = None) -> str:
        if label is None:
            return f"värdet {self.shown} {self.reason}"
        return f"värdet {self.shown} för {label} {self.reason}"


class _Missing(Exception):
    """A required value is empty."""


# --- values ------------------------------------------------------------------------------------

def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _fmt(x: float) -> str:
    """A number as a Swedish reader writes it: 0,8; 38000; 1,5e+20."""
    return f"{x:.15g}".replace(".", ",")


def _shown(v: Any) -> str:
    if isinstance(v, bool):
        return "SANT" if v else "FALSKT"
    if isinstance(v, int | float):
        return _fmt(float(v))
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M") if (v.hour or v.minute) else v.strftime("%Y-%m-%d")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    return "'" + str(v).strip() + "'"


def _check_error_value(v: Any) -> None:
    if isinstance(v, str) and v.strip().upper() in EXCEL_ERRORS:
        raise CellError(v.strip(), "är ett felvärde från en formel, inte ett värde")


def _decimal(text: str, unit: str = "") -> Decimal | None:
    """The number a controller typed as text, or None if it is not one."""
    t = text.strip()
    if unit and t.casefold().endswith(unit.casefold()) and len(t) > len(unit):
        t = t[: -len(unit)].rstrip()
    m = _NUMBER.fullmatch(t)
    if m is None or not (m["int"] or m["frac"]):
        return None
    digits = "".join(m["int"].split()) or "0"
    sign = "-" if m["sign"] and m["sign"] in _MINUS else ""
    try:
        return Decimal(f"{sign}{digits}.{m['frac'] or '0'}")
    except InvalidOperation:  # pragma: no cover - the pattern admits digits only
        return None


def parse_number(v: Any, unit: str = "") -> float:
    """A number from a cell: a real number, or text typed the Swedish way ("1 234,5")."""
    _check_error_value(v)
    if isinstance(v, bool):
        raise CellError(_shown(v), "är ett sanningsvärde, inte ett tal")
    if isinstance(v, int | float):
        if not math.isfinite(v):
            raise CellError(_shown(v), "är inte ett ändligt tal")
        return float(v)
    if isinstance(v, dt.datetime | dt.date):
        raise CellError(_shown(v), "är ett datum, inte ett tal")
    if isinstance(v, dt.time | dt.timedelta):
        raise CellError(_shown(v), "är en tid, inte ett tal")
    if isinstance(v, str):
        d = _decimal(v, unit)
        if d is not None:
            return float(d)
    raise CellError(_shown(v), "är inte ett tal")


def parse_share(v: Any) -> float:
    """A share in [0, 1]: 0,8 or "80 %". 80 without a percent sign is rejected."""
    _check_error_value(v)
    if isinstance(v, str) and v.strip().endswith("%"):
        d = _decimal(v.strip()[:-1])
        if d is None:
            raise CellError(_shown(v), "är inte en andel (skriv t.ex. 80 % eller 0,8)")
        x = float(d / 100)
        if not 0.0 <= x <= 1.0:
            raise CellError(_shown(v), "ligger inte mellan 0 % och 100 %")
        return x
    try:
        x = parse_number(v)
    except CellError as exc:
        if exc.reason == "är inte ett tal":
            raise CellError(exc.shown, "är inte en andel (skriv t.ex. 80 % eller 0,8)") from None
        raise
    if x > 100.0:
        raise CellError(_shown(v), "är större än 100 %; en andel skrivs t.ex. 80 % eller 0,8")
    if x > 1.0:
        raise CellError(_shown(v), f"är större än 100 %; menar du {_fmt(x)} %, skriv "
                                   f"{_fmt(x)} % eller {_fmt(float(Decimal(str(x)) / 100))}")
    if x < 0.0:
        raise CellError(_shown(v), "är negativt; en andel ligger mellan 0 % och 100 %")
    return x


def parse_integer(v: Any, unit: str = "", hour_of_day: bool = False) -> int:
    if hour_of_day:
        if isinstance(v, dt.time) and v.minute == 0 and v.second == 0:
            return v.hour
        if isinstance(v, str) and (m := _HOUR.fullmatch(v.strip())):
            return int(m[1])
    x = parse_number(v, unit)
    if x != int(x):
        raise CellError(_shown(v), "är inte ett heltal")
    return int(x)


def parse_bool(v: Any) -> bool:
    _check_error_value(v)
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float) and v in (0, 1):
        return bool(v)
    if isinstance(v, str):
        t = v.strip().casefold()
        if t in _TRUE:
            return True
        if t in _FALSE:
            return False
    raise CellError(_shown(v), "är inte Ja eller Nej")


def _parse_text(v: Any) -> str:
    _check_error_value(v)
    if isinstance(v, bool):
        return "Ja" if v else "Nej"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    return str(v).strip()


@functools.lru_cache(maxsize=64)
def _enum_values(allowed: Any) -> tuple[tuple[str, ...], dict[str, str]]:
    """(the allowed values, normalised text -> the first value with that text) of a column's
    list (a StrEnum or a tuple: immutable, so found once per list, not per cell: issue 15)."""
    values = (tuple(m.value for m in allowed) if isinstance(allowed, type) else tuple(allowed))
    by_text: dict[str, str] = {}
    for value in values:
        by_text.setdefault(" ".join(value.split()).casefold(), value)
    return values, by_text


def _parse_enum(v: Any, allowed: Any) -> Any:
    _check_error_value(v)
    text = " ".join(str(v).split()).casefold()
    try:
        values, by_text = _enum_values(allowed)
    except TypeError:  # an unhashable list of values
        values, by_text = _enum_values.__wrapped__(allowed)
    value = by_text.get(text)
    if value is not None:
        return allowed(value) if isinstance(allowed, type) else value
    raise CellError(_shown(v), "finns inte i listan; välj " + ", ".join(f"'{x}'" for x in values))


def _parse_list(v: Any) -> tuple[str, ...]:
    _check_error_value(v)
    text = _parse_text(v)
    return tuple(p.strip() for p in re.split(r"[,;\n]", text) if p.strip())


def _clean(x: float) -> float:
    """A scaled value without the binary noise of minutes x 60 (e.g. 436.99999999999994)."""
    return float(f"{x:.12g}")


def _parse_value(item: L.Column | L.NamedCell, v: Any) -> Any:
    """A non-blank cell as its code value; raises CellError."""
    kind = item.kind
    if kind in ("number", "money"):
        x = parse_number(v, item.unit)
        return _clean(x * item.scale) if item.scale != 1.0 else x
    if kind == "integer":
        return parse_integer(v, item.unit, item.number_format == L.FMT_HOUR_OF_DAY)
    if kind == "share":
        return parse_share(v)
    if kind == "enum":
        return _parse_enum(v, item.allowed)
    if kind == "bool":
        return parse_bool(v)
    if kind == "list":
        return _parse_list(v)
    if kind == "datetime":
        if isinstance(v, dt.datetime):
            return v
        raise CellError(_shown(v), "är inte en tidpunkt")
    return _parse_text(v)  # text, ref


# --- records -----------------------------------------------------------------------------------

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


# --- ids ---------------------------------------------------------------------------------------

def _resolve_ids(tables: dict[str, list[dict[str, Any]]]) -> None:
    """Ids that differ from exactly one defined id only in case become that id (in place)."""
    defined: dict[tuple[str, str], dict[str, Any]] = {}  # "exact": a set, "~folded": a list
    for t in L.input_tables():
        if t.list_name is None or t.name not in tables:
            continue
        fld = t.columns[0].field
        ids = [r[fld] for r in tables[t.name] if isinstance(r.get(fld), str) and r[fld]]
        folded: dict[str, list[str]] = {}
        for i in dict.fromkeys(ids):
            folded.setdefault(i.casefold(), []).append(i)
        defined[(t.name, fld)] = {"exact": set(ids), **{"~" + k: v for k, v in folded.items()}}

    def fix(value: Any, ref: tuple[str, str]) -> Any:
        known = defined.get(ref)
        if not isinstance(value, str) or not value or known is None or value in known["exact"]:
            return value
        match = known.get("~" + value.casefold())
        return match[0] if match and len(match) == 1 else value

    for t in L.input_tables():
        rows = tables.get(t.name)
        if not rows:
            continue
        for c in t.input_columns:
            ref = c.reference
            if ref is None and c.kind == "list" and c.field == "receivers":
                ref = ("tblTjanster", "service_id")
            if ref is None:
                continue
            for r in rows:
                v = r.get(c.field)
                r[c.field] = (tuple(fix(x, ref) for x in v) if isinstance(v, tuple)
                              else fix(v, ref))


def _resolve_answer_groups(tables: dict[str, list[dict[str, Any]]]) -> None:
    """Answer group ids in Svarsgrupper match the services' groups case-insensitively, as every
    other id does ("SO-Jour" is "SO-jour" when that is the only group spelt so)."""
    groups = {r.get("answer_group") for r in tables.get(L.T_SERVICES.name, [])}
    folded: dict[str, set[str]] = {}
    for g in groups:
        if isinstance(g, str) and g:
            folded.setdefault(g.casefold(), set()).add(g)
    for t in L.input_tables():
        if t.inputs_field != "answer_groups":
            continue
        for r in tables.get(t.name, []):
            g = r.get("group_id")
            if isinstance(g, str) and g and g not in groups:
                match = folded.get(g.casefold())
                if match and len(match) == 1:
                    r["group_id"] = next(iter(match))


# --- the whole workbook ------------------------------------------------------------------------

def _structure_problems(data: WorkbookData) -> list[Problem]:
    problems = []
    for t in L.input_tables():
        raw = data.tables.get(t.name)
        if raw is None:
            sheet = L.sheet_of(t.name).name
            what = (f"Bladet '{sheet}' saknas i arbetsboken" if sheet not in data.sheets
                    else f"Tabellen {t.name} ({t.title}) saknas på bladet '{sheet}'")
            if all(p.message != what for p in problems):
                problems.append(Problem(what, sheet=sheet, table=None if
                                        sheet not in data.sheets else t.name))
            continue
        problems += _positions(t, raw)[1]
    return problems


def _hour_problems(p: _Parser, hours: list[Any], rows: list[int], opening: Any) -> None:
    """The hourly profile's rows must be the opening hours in order."""
    t = L.T_HOURS
    if not isinstance(opening, int) or ("parameters", "opening_hour") in p.tainted_fields:
        return
    for i, (h, row) in enumerate(zip(hours, rows, strict=True)):
        if isinstance(h, int) and h != opening + i:
            p.cell_problem(f"timmen {h} står på fel rad; timprofilen ska ha en rad per "
                           f"öppettimme i ordning från {opening} (rad {rows[0]})",
                           L.sheet_of(t.name).name, t.name, row, t.column("label").header)
            p.tainted_fields.add(("profile", "hourly_shares"))
            return


def parse_workbook(data: WorkbookData) -> Inputs:
    """Typed inputs from a workbook's raw values; ValidationError with every problem located."""
    inputs, problems = check_workbook(data)
    if inputs is None or errors_of(problems):
        raise ValidationError(errors_of(problems), warnings_of(problems))
    return inputs


def check_workbook(data: WorkbookData) -> tuple[Inputs | None, list[Problem]]:
    """Typed inputs and every problem (errors and warnings), each located, in workbook order.

    Inputs is None when the workbook's structure (sheets, tables, columns) cannot be read.
    """
    structure = _structure_problems(data)
    if structure:
        return None, structure
    p = _Parser(data)
    params = p.parameters()
    tables: dict[str, list[dict[str, Any]]] = {}
    for t in L.input_tables():
        if t.record is not None and t.name != L.T_SLA.name:
            tables[t.name] = p.records(t)
    sla_rows = p.records(L.T_SLA)
    months, _, _ = p.series(L.T_MONTHS)
    hourly, hour_rows, hours = p.series(L.T_HOURS)
    weekdays, _, _ = p.series(L.T_WEEKDAYS)
    _hour_problems(p, hours, hour_rows, params.get("opening_hour"))
    _resolve_ids(tables)
    _resolve_answer_groups(tables)

    weekday_shares = (None if all(v is None for v in weekdays) else
                      tuple(1.0 if v is None else v for v in weekdays))
    if weekday_shares is not None and any(v is None for v in weekdays):
        p.cell_problem("fyll i andelen för alla veckodagar eller för ingen",
                       L.sheet_of(L.T_WEEKDAYS.name).name, L.T_WEEKDAYS.name, None,
                       L.T_WEEKDAYS.column("value").header)
        p.tainted_fields.add(("profile", "weekday_shares"))
    kwargs: dict[str, Any] = {}
    for t in L.input_tables():
        if t.name in tables:
            kwargs[t.inputs_field] = tuple(t.record(**r) for r in tables[t.name])
    inputs = Inputs(
        parameters=Parameters(**params, sla_levels=tuple(SlaLevel(**r) for r in sla_rows)),
        profile=Profile(month_factors=tuple(1.0 if v is None else v for v in months),
                        hourly_shares=tuple(0.0 if v is None else v for v in hourly),
                        weekday_shares=weekday_shares),
        **kwargs,
    )
    problems = list(p.problems) + _stray_row_warnings(data)
    core = _core_problems(inputs)
    core = [pr for pr in core if not _suppressed(pr, p)]
    problems += localise(core, data)
    return inputs, sorted(problems, key=_workbook_order)


def _stray_row_warnings(data: WorkbookData) -> list[Problem]:
    out = []
    for t in L.input_tables():
        raw = data.tables.get(t.name)
        for row in getattr(raw, "stray_rows", ()) if raw is not None else ():
            out.append(warning(
                f"raden står under tabellen {t.name} ({t.title}) efter en tom rad och läses "
                "inte; ta bort den tomma raden ovanför om raden hör till tabellen",
                sheet=raw.sheet, table=t.name, row=row))
    return out


_SHEET_ORDER = {s.name: i for i, s in enumerate(L.SHEETS)}


def _workbook_order(pr: Problem) -> tuple[int, int]:
    """Problems in the order a controller meets them: sheet by sheet, top to bottom."""
    return _SHEET_ORDER.get(pr.sheet or "", len(_SHEET_ORDER)), pr.row or 0


def _core_problems(inputs: Inputs) -> list[Problem]:
    from xlkc.pipeline import validate

    return validate(inputs)


def _suppressed(pr: Problem, p: _Parser) -> bool:
    """A core problem about a row or value that already has a cell problem."""
    if pr.record is None:
        return False
    if (pr.record, pr.index) in p.tainted:
        return True
    if pr.record not in ("parameters", "profile"):
        return False
    if pr.field is None:
        return any(r == pr.record for r, _ in p.tainted_fields)
    hours = {("parameters", "opening_hour"), ("parameters", "closing_hour")}
    if pr.field in ("hourly_shares", "opening_hour") and hours & p.tainted_fields:
        return True
    return (pr.record, pr.field) in p.tainted_fields


# --- localisation ------------------------------------------------------------------------------

def _table_for(record: str, field: str | None) -> L.Table | None:
    key = f"profile.{field}" if record == "profile" else record
    for t in L.input_tables():
        if t.inputs_field == key:
            return t
    return None


def localise(problems: Iterable[Problem], data: WorkbookData) -> list[Problem]:
    """Each core problem with its sheet, table, Excel row and Swedish column header.

    The core says where it found a problem by ``record`` (the Inputs attribute, e.g.
    ``"contacts"``), ``index`` (position in that tuple) and ``field``; records are numbered as
    :func:`parse_workbook` made them (one per non-empty row), so the Excel row is recomputed from
    ``data``. Problems already located, or about nothing in the workbook, are returned as they are.
    """
    row_cache: dict[str, list[int]] = {}

    def excel_rows(t: L.Table) -> list[int]:
        if t.name not in row_cache:
            raw = data.tables.get(t.name)
            if raw is None:
                row_cache[t.name] = []
            else:
                pos, _ = _positions(t, raw)
                row_cache[t.name] = [r for r, _ in _data_rows(t, raw, pos)]
        return row_cache[t.name]

    out = []
    for pr in problems:
        if pr.sheet is not None or pr.record is None:
            out.append(pr)
            continue
        if pr.record == "parameters":
            out.append(_localise_parameter(pr, data))
            continue
        t = _table_for(pr.record, pr.field)
        if t is None:
            out.append(pr)
            continue
        sheet = L.sheet_of(t.name).name
        rows = excel_rows(t)
        row = rows[pr.index] if pr.index is not None and 0 <= pr.index < len(rows) else None
        field = "value" if t.series_field else pr.field
        column = t.column(field).header if field in t.fields else None
        out.append(dataclasses.replace(pr, sheet=sheet, table=t.name, row=row, column=column))
    return out


def _localise_parameter(pr: Problem, data: WorkbookData | None = None) -> Problem:
    sheet = next((s for s in L.SHEETS if s.role == "input"
                  and any(nc.field == pr.field for nc in s.named_cells)), None) or next(
        s for s in L.SHEETS if any(nc.field == "year" for nc in s.named_cells))
    message = pr.message
    prefix = f"{sheet.name}: "
    if message.startswith(prefix):
        message = message[len(prefix):]
    for nc in sheet.named_cells:
        if nc.field == pr.field:
            name_sheet, row, column = named_cell_location(data, sheet, nc)
            return dataclasses.replace(pr, message=message, sheet=name_sheet, row=row,
                                       column=column)
    return dataclasses.replace(pr, message=message, sheet=sheet.name)

