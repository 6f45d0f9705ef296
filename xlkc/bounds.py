"""The documented range of every number a controller types: one table, checked before anything
is computed.

Every number in the inputs has a range here (:data:`BOUNDS`): a value outside it is an error
located at its cell (sheet, table, row, column), in Swedish, and nothing is calculated. The
ranges are wide: they admit any real contact centre (a warning in :mod:`xlkc.crosscheck` flags
the merely implausible, e.g. a handle time over 2 hours) and reject what is certainly a typing
error (a volume pasted into the handle-time column, a salary of 10^300), so that the work of the
engine is bounded: no input makes it hang, run out of memory, overflow, or take more than seconds
on a workbook of the bundled size. The README lists the same table (``README.md``, "Tillåtna
intervall"); a test checks that they agree.

Units are the code's (seconds, kronor, shares as fractions); ``scale`` converts a value to the
unit the workbook shows (handle times are typed in minutes, shares in per cent).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from xlkc.errors import Problem
from xlkc.inputs import Inputs


@dataclass(frozen=True)
class Bound:
    """The closed range [low, high] of one input, in code units, and why."""

    low: float
    high: float
    unit: str  # as shown in the workbook (Swedish)
    reason: str  # why the limit is there (Swedish)
    scale: float = 1.0  # code value / scale = the value as shown

    def shown(self, x: float) -> str:
        return _num(x / self.scale)


_SHARE = dict(unit="%", scale=0.01)
_YEAR_KR = 1e11  # 100 000 Mkr: above any municipal budget line
_SERVICE_LEVEL = Bound(0.01, 0.999, reason="en servicenivå mellan 1 % och 99,9 %", **_SHARE)
_ANSWER_TIME = Bound(0, 86_400, "s", "högst ett dygn")
_OCCUPANCY = Bound(0.1, 1.0, reason="under 10 % skulle bemanningen bli orimligt stor", **_SHARE)
_PATIENCE = Bound(1, 86_400, "s", "mellan 1 sekund och ett dygn")
_ASA = Bound(1, 86_400, "s", "mellan 1 sekund och ett dygn")
_ABSENCE = Bound(0, 0.9, reason="frånvaron kan inte ta mer än 90 % av tiden", **_SHARE)
_VOLUME = Bound(0, 1e8, "kontakter per år", "högst 100 miljoner kontakter på en rad")
_AHT = Bound(0, 8 * 3600, "min", "högst 8 timmar (en arbetsdag) per kontakt", scale=60.0)
_SALARY = Bound(0, 1e6, "kr per månad", "högst 1 000 000 kr i månadslön")
_AMOUNT = Bound(0, _YEAR_KR, "kr", "högst 100 000 miljoner kr")

#: (record, field) -> Bound. ``record`` is the attribute of Inputs ("contacts") or
#: "parameters", "parameters.sla_levels", "profile".
BOUNDS: dict[tuple[str, str], Bound] = {
    # Parametrar
    ("parameters", "year"): Bound(1583, 9999, "", "ett år med fyra siffror i den gregorianska "
                                                  "kalendern"),
    ("parameters", "working_days"): Bound(1, 366, "dagar", "dagar på ett år"),
    ("parameters", "hours_per_day"): Bound(0.5, 24, "timmar", "timmar på ett dygn"),
    ("parameters", "vacation_days"): Bound(0, 100, "dagar", "högst 100 semesterdagar"),
    ("parameters", "sick_leave"): _ABSENCE,
    ("parameters", "training"): _ABSENCE,
    ("parameters", "other_absence"): _ABSENCE,
    ("parameters", "total_shrinkage"): _ABSENCE,
    ("parameters", "max_occupancy"): _OCCUPANCY,
    ("parameters", "max_utilisation"): _OCCUPANCY,
    ("parameters", "opening_hour"): Bound(0, 23, "", "en timme på dygnet"),
    ("parameters", "closing_hour"): Bound(1, 24, "", "en timme på dygnet"),
    ("parameters", "payroll_overhead_rate"): Bound(0, 1, reason="högst 100 %", **_SHARE),
    ("parameters", "salary_revision"): Bound(0, 0.5, reason="högst 50 % till prisåret",
                                             **_SHARE),
    ("parameters", "seat_ratio"): Bound(0, 10, "platser", "högst 10 platser per årsarbetare"),
    ("parameters", "area_per_seat_m2"): Bound(0, 1000, "kvm", "högst 1 000 kvm per plats"),
    ("parameters", "city_charge_rate"): Bound(0, 0.5, reason="högst 50 %", **_SHARE),
    ("parameters", "rounding_step_kr"): Bound(0.01, 100_000, "kr",
                                              "minst ett öre och högst 100 000 kr"),
    ("parameters", "surplus_years"): Bound(1, 50, "år", "mellan 1 och 50 år"),
    ("parameters.sla_levels", "service_level"): _SERVICE_LEVEL,
    ("parameters.sla_levels", "answer_time_s"): _ANSWER_TIME,
    # Kanaler, Svarsgrupper
    ("channels", "service_level"): _SERVICE_LEVEL,
    ("channels", "answer_time_s"): _ANSWER_TIME,
    ("channels", "max_occupancy"): _OCCUPANCY,
    ("channels", "concurrency_factor"): Bound(0.1, 20, "", "mellan 0,1 och 20 samtidiga "
                                                           "kontakter"),
    ("channels", "patience_s"): _PATIENCE,
    ("channels", "asa_target_s"): _ASA,
    ("channels", "max_utilisation"): _OCCUPANCY,
    ("answer_groups", "service_level"): _SERVICE_LEVEL,
    ("answer_groups", "answer_time_s"): _ANSWER_TIME,
    ("answer_groups", "max_occupancy"): _OCCUPANCY,
    ("answer_groups", "patience_s"): _PATIENCE,
    ("answer_groups", "asa_target_s"): _ASA,
    # Tjänster
    ("services", "fixed_share"): Bound(0, 1, reason="en andel av kostnaden", **_SHARE),
    # Kontakter
    ("contacts", "volume"): _VOLUME,
    ("contacts", "target_volume"): _VOLUME,
    ("contacts", "aht_s"): _AHT,
    ("contacts", "target_aht_s"): _AHT,
    # Profil
    ("profile", "month_factors"): Bound(0, 1000, "", "en relativ faktor, högst 1 000"),
    ("profile", "hourly_shares"): Bound(0, 1, reason="en andel av dygnets kontakter", **_SHARE),
    ("profile", "weekday_shares"): Bound(0, 1000, "", "en relativ andel, högst 1 000"),
    # Personal, Kostnader, Overhead
    ("staff", "monthly_salary_kr"): _SALARY,
    ("staff", "headcount"): Bound(0, 100_000, "åa", "högst 100 000 årsarbetare"),
    ("staff", "span"): Bound(0.1, 100_000, "åa", "mellan 0,1 och 100 000 årsarbetare"),
    ("costs", "amount_kr"): _AMOUNT,
    ("pools", "amount_kr"): _AMOUNT,
    ("pools", "order"): Bound(-1_000_000, 1_000_000, "", "ett ordningstal"),
    # Kunder, Kundvolymer, Föregående prislista, Utfall
    ("customers", "inhabitants"): Bound(0, 1e9, "", "högst 1 miljard"),
    ("customers", "employees"): Bound(0, 1e8, "", "högst 100 miljoner"),
    ("customers", "own_monthly_salary_kr"): _SALARY,
    ("customers", "own_total_shrinkage"): _ABSENCE,
    ("customers", "own_overhead_rate"): Bound(0, 1, reason="högst 100 %", **_SHARE),
    ("customer_volumes", "forecast_quantity"): Bound(
        0, 1e11, "i prisenheten", "högst 100 miljarder kontakter, minuter eller timmar"),
    ("customer_volumes", "last_year_contacts"): Bound(0, 1e9, "kontakter",
                                                      "högst 1 miljard kontakter"),
    ("previous_prices", "price_kr"): _AMOUNT,
    ("previous_prices", "annual_fee_kr"): _AMOUNT,
    ("outcomes", "revenue_kr"): _AMOUNT,
    ("outcomes", "cost_kr"): _AMOUNT,
    ("outcomes", "volume"): Bound(0, 1e9, "kontakter", "högst 1 miljard kontakter"),
    ("outcomes", "workload_h"): Bound(0, 1e9, "timmar", "högst 1 miljard timmar"),
    ("outcomes", "fte"): Bound(0, 1e6, "åa", "högst 1 miljon årsarbetare"),
    ("outcomes", "personnel_cost_kr"): _AMOUNT,
    ("outcomes", "overhead_kr"): _AMOUNT,
}


def _num(x: float) -> str:
    """A number as a Swedish reader writes it: 100 000 000; 0,5; 1e+300 as 1·10^300."""
    if not math.isfinite(x):
        return "ett oändligt tal" if x == x else "ett ogiltigt tal"
    if abs(x) >= 1e15 or 0 < abs(x) < 1e-4:
        mant, exp = f"{x:.3e}".split("e")
        return f"{mant.rstrip('0').rstrip('.').replace('.', ',')}·10^{int(exp)}"
    if float(x).is_integer() and abs(x) < 10_000:
        return str(int(x)).replace("-", "\u2212")
    if float(x).is_integer():
        return f"{int(x):,}".replace(",", "\u00a0").replace("-", "\u2212")
    return f"{x:.10g}".replace(".", ",").replace("-", "\u2212")


def _range(b: Bound) -> str:
    unit = f" {b.unit}" if b.unit and b.unit != "%" else (" %" if b.unit == "%" else "")
    return f"{b.shown(b.low)}–{b.shown(b.high)}{unit}"


def _out_of_range(value: object, b: Bound) -> bool:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return False
    x = float(value)
    return not (math.isfinite(x) and b.low <= x <= b.high)


def _values(inputs: Inputs):
    """(record, index, field, value) of every bounded number in the inputs."""
    p = inputs.parameters
    for (record, field) in BOUNDS:
        if record == "parameters":
            yield record, None, field, getattr(p, field)
        elif record == "parameters.sla_levels":
            for i, level in enumerate(p.sla_levels):
                yield record, i, field, getattr(level, field)
        elif record == "profile":
            for i, v in enumerate(getattr(inputs.profile, field) or ()):
                yield record, i, field, v
        else:
            for i, row in enumerate(getattr(inputs, record)):
                yield record, i, field, getattr(row, field)


def bound_problems(inputs: Inputs) -> list[Problem]:
    """Every number outside its range, each an error located by record/index/field."""
    out = []
    for record, index, field, value in _values(inputs):
        b = BOUNDS[(record, field)]
        if _out_of_range(value, b):
            out.append(Problem(
                f"värdet {b.shown(float(value))} ligger utanför det tillåtna intervallet "
                f"{_range(b)} ({b.reason})", record=record, index=index, field=field))
    return out


def clamped(inputs: Inputs, problems: list[Problem]) -> Inputs:
    """``inputs`` with each value named by ``problems`` (from :func:`bound_problems`) that is
    too large or not finite moved to the top of its range, so that the other checks run on
    sane numbers (no overflow, no cascade of messages). Values below their range are left as
    they are: the other checks name most of them in their own words (a negative volume)."""
    problems = [pr for pr in problems if _too_large(_value(inputs, pr))
                and (pr.record, pr.field) in BOUNDS
                and _too_large(_value(inputs, pr), BOUNDS[(pr.record, pr.field)])]
    if not problems:
        return inputs
    params = {f.name: getattr(inputs.parameters, f.name)
              for f in dataclasses.fields(inputs.parameters)}
    levels = list(inputs.parameters.sla_levels)
    profile = {f.name: getattr(inputs.profile, f.name) for f in dataclasses.fields(inputs.profile)}
    records: dict[str, list] = {}
    for pr in problems:
        b = BOUNDS[(pr.record, pr.field)]
        if pr.record == "parameters":
            params[pr.field] = _clamp(params[pr.field], b)
        elif pr.record == "parameters.sla_levels":
            lv = levels[pr.index]
            levels[pr.index] = dataclasses.replace(
                lv, **{pr.field: _clamp(getattr(lv, pr.field), b)})
        elif pr.record == "profile":
            values = list(profile[pr.field])
            values[pr.index] = _clamp(values[pr.index], b)
            profile[pr.field] = tuple(values)
        else:
            rows = records.setdefault(pr.record, list(getattr(inputs, pr.record)))
            row = rows[pr.index]
            rows[pr.index] = dataclasses.replace(
                row, **{pr.field: _clamp(getattr(row, pr.field), b)})
    params["sla_levels"] = tuple(levels)
    return dataclasses.replace(
        inputs, parameters=type(inputs.parameters)(**params),
        profile=type(inputs.profile)(**profile), **{k: tuple(v) for k, v in records.items()})


def _value(inputs: Inputs, pr: Problem) -> object:
    if pr.record == "parameters":
        return getattr(inputs.parameters, pr.field)
    if pr.record == "parameters.sla_levels":
        return getattr(inputs.parameters.sla_levels[pr.index], pr.field)
    if pr.record == "profile":
        return getattr(inputs.profile, pr.field)[pr.index]
    return getattr(getattr(inputs, pr.record)[pr.index], pr.field)


def _too_large(value: object, b: Bound | None = None) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    x = float(value)
    return not math.isfinite(x) or (b is not None and x > b.high)


def _clamp(value: float, b: Bound) -> float | int:
    x = b.high  # too large or not finite
    return int(x) if isinstance(value, int) and not isinstance(value, bool) else float(x)


#: Where each record is typed (sheet and table title), for the README's table.
_WHERE = {
    "parameters": "Parametrar", "parameters.sla_levels": "Parametrar, SLA-nivåer",
    "services": "Tjänster",
    "channels": "Kanaler", "answer_groups": "Kanaler, Svarsgrupper", "contacts": "Kontakter",
    "profile": "Profil", "staff": "Personal", "costs": "Kostnader", "pools": "Overhead",
    "customers": "Kunder", "customer_volumes": "Kundvolymer",
    "previous_prices": "Föregående prislista", "outcomes": "Utfall",
}


def markdown_rows() -> list[str]:
    """The README's table of ranges, one line per input: where, field, range, reason."""
    return [f"| {_WHERE[record]} | `{field}` | {_range(b)} | {b.reason} |"
            for (record, field), b in BOUNDS.items()]
