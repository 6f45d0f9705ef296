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

Where the parts live: :mod:`xlkc.excel.cell_values` reads one cell (and defines
:class:`~xlkc.excel.cell_values.CellError`); :mod:`xlkc.excel.input_records` reads the tables and
named cells into record fields, a problem per unreadable cell; this module puts the workbook
together (ids, the hourly rows, the core's check) and locates the core's problems
(:func:`localise`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from xlkc import layout as L  # noqa: N812
from xlkc.errors import Problem, ValidationError, errors_of, warning, warnings_of
from xlkc.excel.input_records import _data_rows, _Parser, _positions, named_cell_location
from xlkc.excel.model import WorkbookData
from xlkc.inputs import Inputs, Parameters, Profile, SlaLevel

__all__ = [
    "localise",
    "check_workbook",
    "parse_workbook",
]


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
