"""Productive hours per FTE (årsarbetare), SPEC §3."""

from __future__ import annotations

import math
from typing import Any

from xlkc.errors import InputError

__all__ = ["productive_hours"]


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool):
        raise InputError(f"{name} måste vara ett tal, fick {value!r}")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} måste vara ett tal, fick {value!r}") from None
    if not math.isfinite(x):
        raise InputError(f"{name} måste vara ett ändligt tal, fick {value!r}")
    return x


def _non_negative(value: Any, name: str) -> float:
    x = _number(value, name)
    if x < 0:
        raise InputError(f"{name} får inte vara negativt, fick {x:g}")
    return x


def _share(value: Any, name: str) -> float:
    x = _number(value, name)
    if not 0.0 <= x < 1.0:
        raise InputError(f"{name} måste vara en andel i intervallet [0, 1), fick {x:g}")
    return x


def productive_hours(
    working_days: float = 251,
    hours_per_day: float = 8.0,
    vacation_days: float = 28,
    sick_leave: float = 0.065,
    training: float = 0.06,
    other: float = 0.03,
    total_shrinkage: float | None = None,
) -> float:
    """Productive hours per FTE and year.

    (working_days − vacation_days) × hours_per_day, times
    (1 − sick_leave)(1 − training)(1 − other) (multiplicative shrinkage), or times
    (1 − total_shrinkage) when ``total_shrinkage`` is given (the three parts are then ignored).
    Shares are fractions in [0, 1). Raises InputError (Swedish) on invalid input or when the
    result is not positive.
    """
    days = _non_negative(working_days, "Arbetsdagar")
    hours = _non_negative(hours_per_day, "Timmar per dag")
    if hours == 0:
        raise InputError("Timmar per dag måste vara större än 0, fick 0")
    if hours > 24:
        raise InputError(f"Timmar per dag kan inte vara fler än 24, fick {hours:g}")
    vacation = _non_negative(vacation_days, "Semesterdagar")
    if total_shrinkage is None:
        factor = (
            (1.0 - _share(sick_leave, "Sjukfrånvaro"))
            * (1.0 - _share(training, "Utbildning och möten"))
            * (1.0 - _share(other, "Raster och övrigt"))
        )
    else:
        factor = 1.0 - _share(total_shrinkage, "Total frånvaro")
    result = (days - vacation) * hours * factor
    if result <= 0:
        raise InputError(
            "Produktiva timmar per årsarbetare blir inte positiva "
            f"({result:g} h): Semesterdagar ({vacation:g}) måste vara färre än "
            f"Arbetsdagar ({days:g})"
        )
    return result
