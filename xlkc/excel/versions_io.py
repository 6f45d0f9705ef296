"""Versions between the workbook and :mod:`xlkc.versions`, whatever adapter read the workbook.

Reading: :func:`read_versions` turns the raw rows of the version tables (read back by the file
reader and the xlwings reader like input tables, see ``Table.carried``) into
:class:`~xlkc.versions.Version` records; each keeps its rows as read, so an unchanged version is
written back cell for cell.

Planning: :func:`plan_versions` decides what a calculation writes on Versioner and Jämförelse:

- the version to save, from ``--versionsnamn``/``--status`` or else the cells VersionsNamn and
  VersionsStatus on Versioner (empty name: none; empty status: Prislistans status on
  Parametrar). Saving over a Beslutad version raises :class:`~xlkc.versions.VersionFrozen`
  before anything is written; a run whose reconciliation fails saves no version;
- the four version tables only when a version is saved (otherwise they are not written at all);
  the cells VersionsNamn and VersionsStatus emptied when the name came from them;
- the three comparison tables and the note on Jämförelse, on every calculation.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from xlkc import layout as L  # noqa: N812
from xlkc.errors import WARNING, InputError, Problem, ValidationError
from xlkc.excel.model import CellWrite, TableBlock, WorkbookData
from xlkc.inputs import Inputs, PriceListStatus
from xlkc.versions import (
    VERSION_FIELDS,
    SaveOutcome,
    Version,
    choose,
    compare,
    describe,
    save_version,
    version_frames,
    version_of,
    versions_from_rows,
)

__all__ = ["VersionPlan", "plan_versions", "read_versions", "request_of"]

#: The version tables by part of :data:`xlkc.versions.VERSION_FIELDS`.
PART_TABLES = {"versions": L.T_VERSIONS, "prices": L.T_VERSION_PRICES,
               "services": L.T_VERSION_SERVICES, "customers": L.T_VERSION_CUSTOMERS}


def _norm(text: Any) -> str:
    return " ".join(str(text or "").split()).casefold()


def _rows_of(data: WorkbookData, table: L.Table) -> list[dict[str, Any]]:
    """A version table's rows as dicts by field (matched by header), with ``_raw`` (the row in
    the layout's column order) and ``_row`` (its Excel row)."""
    raw = data.tables.get(table.name)
    if raw is None:
        return []
    where = {_norm(h): j for j, h in enumerate(raw.header) if h}
    pos = [where.get(_norm(c.header)) for c in table.columns]
    out = []
    for i, row in enumerate(raw.rows):
        values = tuple(row[j] if j is not None and j < len(row) else None for j in pos)
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        rec = dict(zip(table.fields, values, strict=True))
        rec["_raw"] = values
        rec["_row"] = raw.first_row + i
        out.append(rec)
    return out


def read_versions(data: WorkbookData) -> tuple[tuple[Version, ...], list[Problem]]:
    """The versions saved in a workbook (none where it has no Versioner), and warnings on rows
    that could not be read or were edited by hand, located on Versioner."""
    assert tuple(PART_TABLES["versions"].fields) == VERSION_FIELDS["versions"]
    versions, notes = versions_from_rows({part: _rows_of(data, t)
                                          for part, t in PART_TABLES.items()})
    return versions, [_located(p) for p in notes]


def _located(p: Problem) -> Problem:
    """A warning of :func:`xlkc.versions.versions_from_rows` with its sheet, table and column."""
    table = PART_TABLES.get(p.record or "")
    if table is None:
        return p
    column = next((c.header for c in table.columns if c.field == p.field), None)
    return dataclasses.replace(p, sheet=L.sheet_of(table.name).name, table=table.name,
                               column=column, record=None, field=None)


def _version_row(data: WorkbookData, name: str) -> int | None:
    from xlkc.versions import name_key

    for rec in _rows_of(data, L.T_VERSIONS):
        if name_key(rec.get("version") or "") == name_key(name):
            return rec["_row"]
    return None


@dataclass(frozen=True)
class Request:
    name: str
    status: PriceListStatus
    from_cells: bool  # typed on Versioner (then emptied once saved)


def _cell_problem(data: WorkbookData, name: str, message: str) -> Problem:
    sheet, nc = L.named_cell(name)
    found = data.names and data.name_cells.get(name)
    if found:
        s, row, col = found
    else:
        s = sheet.name
        row, col = sheet.named_cell_position(name)
    return Problem(message, sheet=s, row=row, column=L.col_letter(col))


def request_of(data: WorkbookData, inputs: Inputs, name: str | None = None,
               status: str | None = None) -> Request | None:
    """What to save: the arguments, else the cells on Versioner; None for no version."""
    from_cells = name is None
    if from_cells:
        value = data.names.get("VersionsNamn")
        name = None if value is None else str(value)
    name = " ".join((name or "").split())
    if not name:
        return None
    if status is None and from_cells:
        value = data.names.get("VersionsStatus")
        status = None if value is None or not str(value).strip() else str(value)
    if status is None:
        return Request(name, inputs.parameters.price_list_status, from_cells)
    for s in PriceListStatus:
        if s.value.casefold() == str(status).strip().casefold():
            return Request(name, s, from_cells)
    message = f"Versionens status '{status}' är varken Förslag eller Beslutad"
    if from_cells:
        raise ValidationError([_cell_problem(data, "VersionsStatus", message)])
    raise InputError(message)


@dataclass(frozen=True)
class VersionPlan:
    """What a calculation writes on Versioner and Jämförelse."""

    tables: tuple[TableBlock, ...]
    cells: tuple[CellWrite, ...]
    message: str | None  # for the Körlogg, the CLI and the message box (None: nothing saved)
    meta: dict[str, Any] = field(default_factory=dict)


def _block(table: L.Table, rows: list[tuple[Any, ...]]) -> TableBlock:
    from xlkc.excel.output import sheet_cell_value

    sheet = L.sheet_of(table.name)
    header_row, first_col = sheet.table_origin(table.name)
    conv = tuple(tuple(v if isinstance(v, dt.datetime) else sheet_cell_value(c, v)
                       for c, v in zip(table.columns, r, strict=True)) for r in rows)
    return TableBlock(sheet=sheet.name, table=table.name, header_row=header_row,
                      first_col=first_col, header=table.headers, rows=conv,
                      number_formats=tuple(c.number_format for c in table.columns))


def _frame_block(table: L.Table, frame: pd.DataFrame) -> TableBlock:
    rows = [tuple(r) for r in frame.reindex(columns=list(table.fields)).itertuples(index=False)]
    return _block(table, rows)


def _comparison_note(base: Version | None, note: str | None, year: int) -> str:
    if base is None:
        text = ("Ingen sparad version att jämföra med: spara en beräkning som version (cellen "
                "Spara nästa beräkning som version på bladet Versioner, eller xlkc berakna "
                "--versionsnamn).")
    else:
        text = f"Beräkningen nu (prisår {year}) jämförd med versionen {describe(base)}."
    if note:
        text = note + " " + text
    return f"{L.OUTPUT_NOTE} {text}"


def plan_versions(data: WorkbookData, inputs: Inputs, results: Any, run: Any, *,
                  name: str | None = None, status: str | None = None,
                  save: bool = True) -> VersionPlan:
    """Versioner and Jämförelse for a calculation (see the module doc); ``save`` False: no
    version is saved whatever the cells say (a calculation for the PDFs)."""
    versions, notes = read_versions(data)
    request = request_of(data, inputs, name, status) if save else None
    current = version_of(request.name if request else "nu",
                         request.status if request else inputs.parameters.price_list_status,
                         inputs, results, input_hash=run.input_hash, saved=run.time,
                         user=run.user)
    tables: list[TableBlock] = []
    cells: list[CellWrite] = []
    message = None
    meta: dict[str, Any] = {"version_notes": list(notes)}
    outcome: SaveOutcome | None = None
    if request is not None and not results.all_checks_ok:
        message = (f"Versionen '{request.name}' sparades inte: avstämningen avviker, så "
                   "priserna är inte giltiga.")
    elif request is not None:
        where = {"sheet": L.sheet_of(L.T_VERSIONS.name).name, "table": L.T_VERSIONS.name,
                 "row": _version_row(data, request.name), "column": L.T_VERSIONS.columns[0].header}
        outcome = save_version(versions, current, where)
        versions = outcome.versions
        frames = version_frames(versions)
        tables += [_block(t, frames[part]) for part, t in PART_TABLES.items()]
        if outcome.replaced is not None:
            message = (f"Versionen '{outcome.saved.name}' ({outcome.saved.status.value}) "
                       f"ersatte förslaget med samma namn, sparat "
                       f"{_when(outcome.replaced.saved)}.")
        else:
            message = (f"Sparad som versionen '{outcome.saved.name}' "
                       f"({outcome.saved.status.value}).")
        if outcome.saved.decided:
            message += " En beslutad version kan inte ändras."
            missing = [w for w, v in (("Beslutsdatum", inputs.parameters.decision_date),
                                      ("Ärendenummer", inputs.parameters.case_number)) if not v]
            if missing:
                message += (" Obs: " + " och ".join(missing) + " saknas på Parametrar.")
            if inputs.parameters.price_list_status is not PriceListStatus.DECIDED:
                message += (" Obs: Prislistans status på Parametrar är "
                            f"{inputs.parameters.price_list_status.value}.")
        if request.from_cells:
            for cell in ("VersionsNamn", "VersionsStatus"):
                s, nc = L.named_cell(cell)
                row, col = s.named_cell_position(cell)
                cells.append(CellWrite(s.name, row, col, None, nc.number_format))
        meta.update(version_saved=outcome.saved.name, version_status=outcome.saved.status.value,
                    version_replaced=outcome.replaced is not None)
    # the comparison: the chosen version, or the default; a version just saved is not
    # compared with itself unless it is named
    pool = versions
    if outcome is not None and not (data.names.get("JamforMedVersion") or "").strip():
        pool = tuple(v for v in versions if v is not outcome.saved)
    base, note = choose(pool, data.names.get("JamforMedVersion"))
    if note:
        meta["version_notes"].append(dataclasses.replace(
            _cell_problem(data, "JamforMedVersion", note), severity=WARNING))
    cmp = compare(current, base)
    tables += [_frame_block(L.T_CMP_PRICES, cmp.prices),
               _frame_block(L.T_CMP_SERVICES, cmp.services),
               _frame_block(L.T_CMP_CUSTOMERS, cmp.customers)]
    cmp_sheet = L.sheet_of(L.T_CMP_PRICES.name).name
    cells.append(CellWrite(cmp_sheet, 3, 1, _comparison_note(base, note,
                                                            inputs.parameters.year)))
    meta["compared_with"] = base.name if base is not None else None
    return VersionPlan(tuple(tables), tuple(cells), message, meta)


def _when(t: Any) -> str:
    return f"{t:%Y-%m-%d %H:%M}" if isinstance(t, dt.datetime) else "tidigare"
