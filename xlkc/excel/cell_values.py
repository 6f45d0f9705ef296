"""One cell's raw value as the engine's value, or a :class:`CellError` saying why not, in Swedish.

Numbers typed the Swedish way ("1 234,5", "6,5 min"), shares ("80 %" or 0,8), integers and
opening hours ("08:00"), yes/no values ("Ja", "Sant", True), choices from a closed list, lists of
ids, text: what controllers type and what is accepted is listed in :mod:`xlkc.excel.parse`.
:func:`_parse_value` picks the reader a layout column or named cell asks for (by its ``kind``)
and applies its scale. Excel error values (#N/A ...) are rejected everywhere.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from xlkc import layout as L  # noqa: N812

__all__ = [
    "CellError",
    "parse_bool",
    "parse_number",
    "parse_share",
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
