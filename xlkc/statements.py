"""What the board and each customer read (issue 11): Prislista för beslut and Kundspecifikation.

Both are views of the results, nothing is computed anew:

- **Prislista för beslut** (``board_price_list``): one row per price line, unit prices and annual
  fees in separate columns (a subscription has both), last year's price beside it and the change
  in per cent only where the two are comparable: a new service, or a service whose price model or
  unit changed, gets a note instead of a percentage.
- **Kundspecifikation** (``customer_statement``): per customer, every service it buys with the
  key and key quantity that gave it its share of a fee, the share, the quantity, the price, the
  charge, last year's charge and the change; then one total row per customer. Rows that charge
  nothing now and charged nothing last year are left out (no "Avgift 0 kr" noise).

The totals are the same numbers as Kunddebitering and Kundsummor: Σ statement rows of a customer
= its Kundsummor charge, to the öre (tests check it).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from xlkc.charges import fee_rows
from xlkc.inputs import FeeKey, Inputs, PriceModel
from xlkc.results import BOARD_COLUMNS, STATEMENT_COLUMNS, Results, records

__all__ = ["BOARD_COLUMNS", "STATEMENT_COLUMNS", "board_price_list", "customer_statement",
           "NOTE_CHANGED_MODEL", "NOTE_NEW", "ROW_TOTAL", "ROW_LINE", "board_heading"]

NOTE_NEW = "Ny tjänst: inget pris föregående år"
NOTE_CHANGED_MODEL = "Ny prismodell eller prisenhet: priserna jämförs inte i procent"
ROW_LINE = "tjänst"
ROW_TOTAL = "Summa"

#: The unit a price per unit is quoted in, by price model (the annual fee has none).
_UNIT = {PriceModel.PER_CONTACT: "kr/kontakt", PriceModel.PER_CHANNEL: "kr/kontakt",
         PriceModel.PER_MINUTE: "kr/minut", PriceModel.PER_HOUR: "kr/timme",
         PriceModel.SUBSCRIPTION: "kr/kontakt"}
_KEY_TEXT = {FeeKey.LAST_YEAR_CONTACTS: "kontakter föregående år",
             FeeKey.INHABITANTS: "invånare", FeeKey.EMPLOYEES: "anställda",
             FeeKey.EQUAL: "lika delar"}


def _finite(x) -> bool:
    return x is not None and isinstance(x, int | float | np.floating) and math.isfinite(x)


def _comparable(inputs: Inputs) -> dict[str, str | None]:
    """Per service: None when this year's and last year's prices compare, else the note.

    Last year's price model is the service's own unless Föregående prislista says otherwise
    (a ``price_model`` field, where the inputs carry one)."""
    previous = {}
    for p in inputs.previous_prices:
        previous.setdefault(p.service_id, p)
    out: dict[str, str | None] = {}
    for s in inputs.services:
        p = previous.get(s.service_id)
        if p is None:
            out[s.service_id] = NOTE_NEW
            continue
        before = getattr(p, "price_model", None)
        out[s.service_id] = (NOTE_CHANGED_MODEL if before is not None and before != s.price_model
                             else None)
    return out


def board_price_list(inputs: Inputs, results: Results) -> pd.DataFrame:
    """The price list as the board decides it (``BOARD_COLUMNS``), in the price list's order."""
    notes = _comparable(inputs)
    models = {s.service_id: s.price_model for s in inputs.services}
    previous_fee = {p.service_id: p.annual_fee_kr for p in inputs.previous_prices
                    if p.annual_fee_kr is not None}
    rows = []
    for r in records(results.price.prices):
        model = models[r.service_id]
        fee_only = model is PriceModel.ANNUAL_FEE
        note = notes.get(r.service_id)
        unit_price = None if fee_only else float(r.price_kr)
        annual = float(r.price_kr) if fee_only else (
            float(r.annual_fee_kr) if _finite(r.annual_fee_kr) else None)
        prev = float(r.previous_price_kr) if _finite(r.previous_price_kr) else None
        change = float(r.change_pct) if _finite(r.change_pct) and note is None else None
        prev_unit, prev_fee = ((None, prev) if fee_only
                               else (prev, previous_fee.get(r.service_id)))
        if note is not None and prev is None:
            prev_unit = prev_fee = None
        rows.append({
            "service_id": r.service_id, "channel_id": r.channel_id, "name": r.name,
            "service_type": r.service_type, "price_model": r.price_model,
            "unit_price_kr": unit_price, "price_unit": _UNIT.get(model),
            "annual_fee_kr": annual, "previous_price_kr": prev_unit,
            "previous_annual_fee_kr": prev_fee, "change_pct": change,
            "note": note if note is not None or change is not None or prev is not None
            else NOTE_NEW,
        })
    return pd.DataFrame(rows, columns=list(BOARD_COLUMNS))


def board_heading(inputs: Inputs) -> str:
    """"Prislista 2027 – Förslag" or "Prislista 2027 – Beslutad 2026-11-20, ärende KS 2026/14"."""
    p = inputs.parameters
    text = f"Prislista {p.year} – {p.price_list_status.value}"
    if p.decision_date is not None:
        text += f" {p.decision_date:%Y-%m-%d}"
    if p.case_number:
        text += f", ärendenummer {p.case_number}"
    return text


def _keys(inputs: Inputs) -> dict[tuple[str, str], float]:
    """(service, customer) -> the key quantity that shares the service's fee."""
    rows = fee_rows(inputs)
    return {(s, c): float(w) for s, c, w in zip(rows.service_id, rows.customer_id,
                                                rows.weight, strict=True)}


def customer_statement(inputs: Inputs, results: Results) -> pd.DataFrame:
    """Every customer's statement (``STATEMENT_COLUMNS``): its lines, then its total row."""
    services = {s.service_id: s for s in inputs.services}
    keys = _keys(inputs)
    notes = _comparable(inputs)
    charges = results.price.charges
    order = {c.customer_id: i for i, c in enumerate(inputs.customers)}
    # Customers that gave last year's contacts for a service (looked up, not scanned per row).
    counted = {(v.customer_id, v.service_id) for v in inputs.customer_volumes
               if v.last_year_contacts}
    # Each customer's lines in the charges' order, customers in order of first appearance (as
    # ``groupby(sort=False)``, without a frame and a namedtuple class per customer).
    by_customer: dict[str, list] = {}
    for r in records(charges):
        if not pd.isna(r.customer_id):
            by_customer.setdefault(r.customer_id, []).append(r)
    rows = []
    for cid, lines in sorted(by_customer.items(), key=lambda kv: order.get(kv[0], len(order))):
        name = lines[0].customer_name
        total = previous_total = 0.0
        comparable_total = True
        for r in lines:
            charge = float(r.charge_kr)
            previous = float(r.previous_charge_kr) if _finite(r.previous_charge_kr) else None
            if charge == 0 and not previous and not r.quantity:
                continue
            s = services[r.service_id]
            has_fee = s.price_model in (PriceModel.ANNUAL_FEE, PriceModel.SUBSCRIPTION)
            key = _KEY_TEXT.get(s.fee_key) if has_fee and s.fee_key is not None else None
            key_qty = keys.get((r.service_id, cid)) if has_fee else None
            if (has_fee and s.fee_key is FeeKey.LAST_YEAR_CONTACTS and key_qty is not None
                    and (cid, r.service_id) not in counted):
                key = "årets prognos (ny kund)"
            note = notes.get(r.service_id)
            ok = note is None and previous is not None and previous > 0
            comparable_total &= note is None and previous is not None
            total += charge
            previous_total += previous or 0.0
            rows.append({
                "customer_id": cid, "customer_name": name, "row_kind": ROW_LINE,
                "service_id": r.service_id, "name": s.name, "channel_id": r.channel_id,
                "key": key, "key_quantity": key_qty,
                "share": float(r.fee_share) if _finite(r.fee_share) else None,
                "quantity": float(r.quantity) if s.price_model is not PriceModel.ANNUAL_FEE
                else None,
                "price_unit": _UNIT.get(s.price_model),
                "price_kr": float(r.price_kr) if _finite(r.price_kr) else None,
                "fee_kr": float(r.fee_kr) if has_fee else None,
                "charge_kr": charge, "previous_charge_kr": previous,
                "change_kr": charge - previous if note is None and previous is not None
                else None,
                "change_pct": (charge - previous) / previous if ok else None,
            })
        rows.append({
            "customer_id": cid, "customer_name": name, "row_kind": ROW_TOTAL,
            "service_id": None, "name": f"Summa {name}", "channel_id": None, "key": None,
            "key_quantity": None, "share": None, "quantity": None, "price_unit": None,
            "price_kr": None, "fee_kr": None, "charge_kr": total,
            "previous_charge_kr": previous_total,
            "change_kr": total - previous_total,
            "change_pct": ((total - previous_total) / previous_total
                           if comparable_total and previous_total > 0 else None),
        })
    return pd.DataFrame(rows, columns=list(STATEMENT_COLUMNS))
