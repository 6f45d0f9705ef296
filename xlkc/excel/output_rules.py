"""The transparent formulas of the output tables (:data:`FORMULA_RULES`): where a controller
should see how a figure arises, the cell holds a formula over cells of the same row instead of
the engine's value. Pure: a rule gets a row's code values, the A1 address of a field in the same
row and the inputs, and returns the formula or None (see :mod:`xlkc.excel.output`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from xlkc import layout as L  # noqa: N812
from xlkc.excel.output_cells import _blank
from xlkc.inputs import ROUNDING_UNIT, Inputs, PriceModel
from xlkc.rounding import excel_round_formula

__all__ = ["FORMULA_RULES", "Rule"]


#: Price models whose exact price is the line's cost basis over its quantity.
_PER_UNIT = {PriceModel.PER_CONTACT.value, PriceModel.PER_CHANNEL.value,
             PriceModel.PER_MINUTE.value, PriceModel.PER_HOUR.value}


def _finite(v: Any) -> bool:
    if type(v) is float:  # the commonest case (a rule reads several per row)
        return v - v == 0
    return isinstance(v, int | float | np.integer | np.floating) and math.isfinite(float(v))


# --- transparent formulas ------------------------------------------------------------------------

#: A rule gets (the row's code values by field, the A1 address of a field in the same row, the
#: inputs) and returns the formula of one cell, or None to keep the value.
Rule = Callable[[dict[str, Any], Callable[[str], str], Inputs], str | None]


def _cost_rules() -> dict[str, Rule]:
    parts = ("personnel_cost_kr", "seat_cost_kr", "minute_cost_kr", "direct_cost_kr",
             "overhead_kr", "city_charge_kr")
    return {
        "personnel_cost_kr": lambda r, a, i: f"={a('fte')}*{a('cost_per_fte_kr')}"
        if _finite(r["fte"]) and _finite(r["cost_per_fte_kr"]) else None,
        "full_cost_kr": lambda r, a, i: "=" + "+".join(map(a, parts))
        if all(map(_finite, map(r.__getitem__, parts))) else None,
        "price_basis_kr": lambda r, a, i: f"={a('full_cost_kr')}+{a('carry_forward_kr')}"
        if _finite(r["carry_forward_kr"]) else None,
    }


def _is_own_unit_price(r: dict[str, Any]) -> bool:
    """A per-unit line whose exact price is its own cost basis over its own quantity."""
    return (r["price_model"] in _PER_UNIT and _blank(r["price_group"])
            and _finite(r["quantity"]) and r["quantity"] > 0
            and _finite(r["cost_basis_kr"]) and r["cost_basis_kr"] != 0)


def _rounded_price(r: dict[str, Any], a: Callable[[str], str], inputs: Inputs) -> str | None:
    # Every price is the rounding of its exact price by its price unit's step and direction
    # (an annual fee's exact price is its fee basis, rounded by kr/år); lines without a
    # variable part keep their value.
    if not (_finite(r["exact_price_kr"]) and r["exact_price_kr"] != 0):
        return None
    step, direction = inputs.parameters.rounding(ROUNDING_UNIT[PriceModel(r["price_model"])])
    price = a("exact_price_kr")
    return "=" + _round_formula(step, direction).replace(_HOLE, price)


#: Where a price's address goes in :func:`_round_formula` (no formula holds this character).
_HOLE = "\x00"


@functools.lru_cache(maxsize=64)
def _round_template(kind: type, step: Any, direction: str) -> str:
    return excel_round_formula(_HOLE, step, direction)


def _round_formula(step: Any, direction: str) -> str:
    """:func:`excel_round_formula` of the address :data:`_HOLE`: the same text for every price
    rounded by this step and direction (made once per step, not once per price, issue 15).
    Nothing is remembered for a step it refuses, which it refuses each time."""
    try:
        return _round_template(type(step), step, direction)
    except TypeError:  # an unhashable step: made each time
        return excel_round_formula(_HOLE, step, direction)


def _price_rules() -> dict[str, Rule]:
    def has_previous(r: dict[str, Any]) -> bool:
        return _finite(r["previous_price_kr"]) and _finite(r["price_kr"])

    return {
        "exact_price_kr": lambda r, a, i: f"={a('cost_basis_kr')}/{a('quantity')}"
        if _is_own_unit_price(r) else None,
        "price_kr": _rounded_price,
        "change_kr": lambda r, a, i: f"={a('price_kr')}-{a('previous_price_kr')}"
        if has_previous(r) and _finite(r["change_kr"]) else None,
        "change_pct": lambda r, a, i: f"={a('change_kr')}/{a('previous_price_kr')}"
        if has_previous(r) and r["previous_price_kr"] != 0 and _finite(r["change_pct"])
        else None,
    }


def _charge_rules() -> dict[str, Rule]:
    return {
        "charge_kr": lambda r, a, i: f"={a('quantity')}*{a('price_kr')}+{a('fee_kr')}"
        if _finite(r["price_kr"]) and _finite(r["quantity"]) and _finite(r["fee_kr"])
        else None,
        "price_effect_kr": lambda r, a, i: f"={a('charge_kr')}-{a('previous_charge_kr')}"
        if _finite(r["previous_charge_kr"]) and _finite(r["charge_kr"]) else None,
    }


def _pool_cost_rules() -> dict[str, Rule]:
    return {
        "total_kr": lambda r, a, i: f"={a('amount_kr')}+{a('staff_cost_kr')}"
        if _finite(r["amount_kr"]) and _finite(r["staff_cost_kr"]) else None,
    }


def _check_rules() -> dict[str, Rule]:
    return {
        "difference_kr": lambda r, a, i: f"={a('value_kr')}-{a('reference_kr')}"
        if _finite(r["reference_kr"]) and _finite(r["value_kr"]) else None,
    }


def _bridge_rules() -> dict[str, Rule]:
    effects = ("previous_cost_kr", "volume_effect_kr", "handle_time_effect_kr",
               "staffing_effect_kr", "salary_effect_kr", "overhead_effect_kr", "other_effect_kr")
    return {
        "full_cost_kr": lambda r, a, i: "=" + "+".join(map(a, effects))
        if all(map(_finite, map(r.__getitem__, effects))) else None,
    }


def _price_bridge_rules() -> dict[str, Rule]:
    from xlkc.price_bridge import ALL_EFFECTS

    steps = ("previous_price_kr", *ALL_EFFECTS)

    def explained(r: dict[str, Any]) -> bool:
        return all(map(_finite, map(r.__getitem__, steps)))

    return {
        "price_kr": lambda r, a, i: "=" + "+".join(map(a, steps))
        if explained(r) else None,
        "change_kr": lambda r, a, i: f"={a('price_kr')}-{a('previous_price_kr')}"
        if explained(r) and _finite(r["change_kr"]) else None,
        "change_pct": lambda r, a, i: f"={a('change_kr')}/{a('previous_price_kr')}"
        if explained(r) and _finite(r["change_pct"]) and r["previous_price_kr"] != 0 else None,
    }


def _pool_staffing_rules() -> dict[str, Rule]:
    return {
        "fte": lambda r, a, i: f"={a('on_queue_h')}/{a('productive_hours')}"
        if _finite(r["on_queue_h"]) and _finite(r["productive_hours"])
        and r["productive_hours"] > 0 and _finite(r["fte"])
        and _close(r["on_queue_h"] / r["productive_hours"], r["fte"]) else None,
    }


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


#: Table name -> {field: rule}. Everything not listed is a value (or a link, below).
FORMULA_RULES: dict[str, dict[str, Rule]] = {
    L.T_POOL_STAFFING.name: _pool_staffing_rules(),
    L.T_COST.name: _cost_rules(),
    L.T_POOL_COST.name: _pool_cost_rules(),
    L.T_PRICES.name: _price_rules(),
    L.T_CHARGES.name: _charge_rules(),
    L.T_CHECKS.name: _check_rules(),
    L.T_BRIDGE.name: _bridge_rules(),
    L.T_PRICE_BRIDGE.name: _price_bridge_rules(),
}
