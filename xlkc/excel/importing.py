"""The statistics import as an output plan (``xlkc importera``, button Importera statistik).

Reads nothing and writes nothing itself: the caller gives the workbook's raw data and the
interval files' parsed rows, and applies the returned :class:`~xlkc.excel.model.OutputPlan` with
a file or xlwings adapter. The plan rewrites the input tables the import changes (Kontakter,
Kundvolymer, Profil per svarsgrupp), the sheet Statistikkvalitet, the status on Start (the prices
are not computed for the new inputs yet) and adds a Körlogg row. Business rules are in
:mod:`xlkc.statistics.apply`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from xlkc import layout as L  # noqa: N812
from xlkc.errors import WARNING, Problem, errors_of
from xlkc.excel.model import OutputPlan, WorkbookData
from xlkc.excel.output import (
    _block,
    _log_entry,
    _run_values,
    _status_cells,
    input_block,
    warnings_text,
)
from xlkc.excel.parse import check_workbook, localise
from xlkc.excel.run import RunInfo, input_hash
from xlkc.statistics.apply import (
    FINDING_COLUMNS,
    QUEUE_STATS_COLUMNS,
    ImportResult,
    finding_rows,
    import_statistics,
    queue_problems,
)
from xlkc.statistics.data import IntervalData

__all__ = ["IMPORT_STATUS", "ImportPlan", "plan_import"]

#: Start's status after an import: the inputs changed, the outputs are from before.
IMPORT_STATUS = "Statistik importerad: klicka Beräkna priser"
#: Input tables an import rewrites.
IMPORT_TABLES = (L.T_CONTACTS, L.T_CUSTOMER_VOLUMES, L.T_GROUP_PROFILES)


@dataclass(frozen=True)
class ImportPlan:
    plan: OutputPlan | None  # None: nothing may be written (problems)
    result: ImportResult | None
    problems: list[Problem]  # errors; the plan is None when there are any
    warnings: list[Problem]


def plan_import(data: WorkbookData, stats: IntervalData, user: str | None = None,
                now: dt.datetime | None = None) -> ImportPlan:
    """Validate the workbook and the mapping, apply the statistics, plan the writes."""
    inputs, problems = check_workbook(data)
    errors = errors_of(problems)
    if inputs is not None and not errors:
        errors = localise(queue_problems(inputs), data)
    if errors or inputs is None:
        return ImportPlan(None, None, errors, [])
    result = import_statistics(inputs, stats)
    warnings = localise(list(result.warnings), data)
    # What the new inputs would make Beräkna priser say: shown now, as warnings.
    from xlkc.pipeline import validate

    after = [p for p in validate(result.inputs) if not p.is_warning]
    warnings += [Problem(f"Efter importen: {p.message}", p.sheet, p.table, p.row, p.column,
                         severity=WARNING) for p in localise(after, data)]
    blocks = [input_block(t, result.inputs) for t in IMPORT_TABLES]
    blocks.append(_block(L.T_QUEUE_STATS,
                         pd.DataFrame(list(result.queue_rows), columns=list(QUEUE_STATS_COLUMNS)),
                         result.inputs))
    blocks.append(_block(L.T_STAT_FINDINGS,
                         pd.DataFrame(finding_rows(result.findings), columns=list(FINDING_COLUMNS)),
                         result.inputs))
    n_changes = len(result.changes)
    head = (f"Statistik importerad: {n_changes} värden ändrade, {len(result.findings)} fynd "
            "i statistiken (bladet Statistikkvalitet). Klicka Beräkna priser.")
    message = "\n".join([head, *result.notes] + ([warnings_text(warnings)] if warnings else []))
    run = RunInfo.make("importera", input_hash(result.inputs), user, now)
    values = {**_run_values(run), "status": IMPORT_STATUS, "checks": "Ej beräknad",
              "warnings": warnings_text(warnings), "message": message}
    plan = OutputPlan(tables=tuple(blocks), cells=_status_cells(values),
                      log_entry=_log_entry(values),
                      meta={"status": IMPORT_STATUS, "ok": True, "problems": [],
                            "warnings": warnings, "changes": result.changes,
                            "notes": result.notes, "findings": len(result.findings),
                            "failed_checks": []},
                      input_tables=frozenset(t.name for t in IMPORT_TABLES))
    return ImportPlan(plan, result, [], warnings)
