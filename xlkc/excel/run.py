"""One run of Beräkna priser / Validera indata, whatever adapter read the workbook.

``WorkbookData`` in, ``OutputPlan`` out: parse and validate (:mod:`xlkc.excel.parse`), calculate
(:func:`xlkc.calculate`), plan the outputs (:mod:`xlkc.excel.output`). Used by the command line
and by the xlwings entry points alike, so both write exactly the same.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import hashlib
import json
import os
from dataclasses import dataclass
from enum import Enum
from typing import Any

import xlkc
from xlkc import layout as L  # noqa: N812
from xlkc.errors import InputError, Problem, ValidationError, errors_of, warnings_of
from xlkc.excel.model import OutputPlan, WorkbookData
from xlkc.excel.output import plan_failure, plan_outputs, plan_validation
from xlkc.inputs import Inputs
from xlkc.results import Results

__all__ = ["RunInfo", "calculate_workbook", "current_user", "input_hash", "raw_hash",
           "validate_workbook"]

#: Hex digits of the input hash shown in the Körlogg (64 bits: plenty to tell versions apart).
HASH_DIGITS = 16


@dataclass(frozen=True)
class RunInfo:
    """Who ran what, when, with which version, on which inputs."""

    time: dt.datetime
    user: str
    command: str
    version: str
    input_hash: str

    @classmethod
    def make(cls, command: str, input_hash: str, user: str | None = None,
             now: dt.datetime | None = None) -> RunInfo:
        now = now or dt.datetime.now()
        return cls(time=now.replace(microsecond=0, tzinfo=None), user=user or current_user(),
                   command=command, version=xlkc.__version__, input_hash=input_hash)


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in the environment (Windows services ...)
        return os.environ.get("USERNAME") or os.environ.get("USER") or "okänd"


def _canonical(obj: Any, fields: dict[type, tuple[str, ...] | None] | None = None) -> Any:
    """Plain JSON data of an Inputs tree: stable across runs, processes and platforms.

    ``fields``: each type's dataclass field names (None: not a dataclass), found once per call
    tree instead of once per object (issue 15); the result does not depend on it.
    """
    if fields is None:
        fields = {}
    t = type(obj)
    if t is str or t is bool or obj is None:  # the commonest leaves, as below
        return obj
    if t is float or t is int:  # the number leaves, exactly as below (issue 15)
        f = float(obj)
        return int(f) if f.is_integer() and abs(f) < 2**53 else repr(f)
    if t is tuple or t is list:
        return [_canonical(v, fields) for v in obj]
    if t not in fields:
        fields[t] = (tuple(f.name for f in dataclasses.fields(obj))
                     if dataclasses.is_dataclass(obj) and not isinstance(obj, type) else None)
    names = fields[t]
    if names is not None:
        return {"__type__": t.__name__, **{n: _canonical(getattr(obj, n), fields) for n in names}}
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, list | tuple):
        return [_canonical(v, fields) for v in obj]
    if isinstance(obj, dict):
        return {str(k): _canonical(v, fields)
                for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, int | float):
        f = float(obj)
        # 1 and 1.0 hash alike; repr keeps every bit of a float
        return int(f) if f.is_integer() and abs(f) < 2**53 else repr(f)
    if isinstance(obj, dt.date | dt.datetime):
        return obj.isoformat()
    return repr(obj)


def _digest(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_DIGITS]


def input_hash(inputs: Inputs) -> str:
    """Short sha256 of the typed inputs: equal inputs give equal hashes, any change another."""
    return _digest(_canonical(inputs))


def raw_hash(data: WorkbookData) -> str:
    """Hash of a workbook's raw input values (when they cannot be parsed into Inputs)."""
    carried = {t.name for t in L.carried_tables()}  # versions are not inputs
    tables = {name: {"header": list(t.header), "rows": [list(r) for r in t.rows]}
              for name, t in sorted(data.tables.items()) if name not in carried}
    return "r" + _digest(_canonical({"tables": tables, "names": data.names}))[1:]


def _check(data: WorkbookData) -> tuple[Inputs | None, Results | None, list[Problem]]:
    """The one validation of a workbook: parse, check, calculate, check the results.

    ``validera``, ``berakna`` and both buttons run exactly this, so nothing ``berakna`` rejects
    can be called valid. Returns (inputs, results, problems): results is None when the problems
    hold an error; problems are errors and warnings, each located.
    """
    from xlkc.excel.parse import check_workbook, localise
    from xlkc.pipeline import evaluate

    inputs, problems = check_workbook(data)
    if inputs is None or errors_of(problems):
        return inputs, None, problems
    try:
        results, problems = evaluate(inputs, problems)
    except InputError as exc:  # pragma: no cover - evaluate turns these into problems
        return inputs, None, problems + _problems_of(exc)
    return inputs, results, localise(problems, data)


def _problems_of(exc: InputError) -> list[Problem]:
    if isinstance(exc, ValidationError):
        return list(exc.problems)
    return [Problem(str(exc))]


def calculate_workbook(data: WorkbookData, command: str = "berakna", user: str | None = None,
                       now: dt.datetime | None = None, *, version_name: str | None = None,
                       version_status: str | None = None
                       ) -> tuple[OutputPlan, Results | None, list[Problem]]:
    """Parse, validate and calculate a workbook's inputs; plan what to write back.

    Returns ``(plan, results, [])`` on success, ``(plan_failure, None, errors)`` when the inputs
    are invalid: then the plan holds only the Start status and a Körlogg row. Warnings are in
    ``plan.meta["warnings"]`` either way; a failed reconciliation in ``plan.meta["failed_checks"]``
    (the plan still holds every output, each sheet's note saying FEL).

    Versions (:mod:`xlkc.excel.versions_io`): ``version_name``/``version_status`` save the run
    as a version (else the cells on Versioner do; only ``berakna`` saves); saving over a Beslutad version raises
    :class:`xlkc.versions.VersionFrozen` (an InputError, located) before anything is planned.
    Jämförelse is planned on every successful calculation.
    """
    from xlkc.excel.versions_io import plan_versions

    inputs, results, problems = _check(data)
    errors, warnings = errors_of(problems), warnings_of(problems)
    if results is None:
        digest = raw_hash(data) if inputs is None else input_hash(inputs)
        plan = plan_failure(errors, RunInfo.make(command, digest, user, now), warnings)
        return plan, None, errors
    run = RunInfo.make(command, input_hash(inputs), user, now)
    versions = plan_versions(data, inputs, results, run, name=version_name,
                             status=version_status, save=command == "berakna")
    # what could not be read on Versioner, a version edited by hand: warnings the user sees
    warnings = warnings + list(versions.meta.get("version_notes") or [])
    return plan_outputs(inputs, results, run, warnings, versions), results, []


def validate_workbook(data: WorkbookData, command: str = "validera", user: str | None = None,
                      now: dt.datetime | None = None) -> tuple[OutputPlan, list[Problem]]:
    """The same checks as :func:`calculate_workbook`; the plan holds the Start status and a
    Körlogg row only (no output is written). Returns the errors; warnings and failed checks are
    in the plan's meta."""
    inputs, results, problems = _check(data)
    errors, warnings = errors_of(problems), warnings_of(problems)
    if results is None:
        digest = raw_hash(data) if inputs is None else input_hash(inputs)
        return plan_failure(errors, RunInfo.make(command, digest, user, now), warnings), errors
    run = RunInfo.make(command, input_hash(inputs), user, now)
    return plan_validation(run, warnings, inputs, results), []
