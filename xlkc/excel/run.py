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
from xlkc.errors import InputError, Problem, ValidationError
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


def _canonical(obj: Any) -> Any:
    """Plain JSON data of an Inputs tree: stable across runs, processes and platforms."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {"__type__": type(obj).__name__,
                **{f.name: _canonical(getattr(obj, f.name)) for f in dataclasses.fields(obj)}}
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, list | tuple):
        return [_canonical(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): _canonical(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
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
    tables = {name: {"header": list(t.header), "rows": [list(r) for r in t.rows]}
              for name, t in sorted(data.tables.items())}
    return "r" + _digest(_canonical({"tables": tables, "names": data.names}))[1:]


def _parse(data: WorkbookData) -> Inputs:
    from xlkc.excel.parse import parse_workbook

    return parse_workbook(data)


def _localise(problems: list[Problem], data: WorkbookData) -> list[Problem]:
    try:
        from xlkc.excel.parse import localise
    except ImportError:  # pragma: no cover - the parser module always has it
        return problems
    return localise(problems, data)


def _problems_of(exc: InputError) -> list[Problem]:
    if isinstance(exc, ValidationError):
        return list(exc.problems)
    return [Problem(str(exc))]


def calculate_workbook(data: WorkbookData, command: str = "berakna", user: str | None = None,
                       now: dt.datetime | None = None
                       ) -> tuple[OutputPlan, Results | None, list[Problem]]:
    """Parse, validate and calculate a workbook's inputs; plan what to write back.

    Returns ``(plan, results, [])`` on success, ``(plan_failure, None, problems)`` when the inputs
    are invalid: then the plan holds only the Start status and a Körlogg row.
    """
    try:
        inputs = _parse(data)
    except InputError as exc:
        problems = _problems_of(exc)
        return plan_failure(problems, RunInfo.make(command, raw_hash(data), user, now)), None, \
            problems
    run = RunInfo.make(command, input_hash(inputs), user, now)
    try:
        results = xlkc.calculate(inputs)
    except InputError as exc:  # the parser validates first; this is a safety net
        problems = _localise(_problems_of(exc), data)
        return plan_failure(problems, run), None, problems
    return plan_outputs(inputs, results, run), results, []


def validate_workbook(data: WorkbookData, command: str = "validera", user: str | None = None,
                      now: dt.datetime | None = None) -> tuple[OutputPlan, list[Problem]]:
    """Parse and validate only; the plan holds the Start status and a Körlogg row."""
    try:
        inputs = _parse(data)
    except InputError as exc:
        problems = _problems_of(exc)
        return plan_failure(problems, RunInfo.make(command, raw_hash(data), user, now)), problems
    return plan_validation(RunInfo.make(command, input_hash(inputs), user, now)), []
