"""Swedish plain text of the command line's results: numbers (space as thousands separator,
decimal comma, a true minus sign), kronor and percentages, and the tables built from them: the
price list with its checks and totals (:func:`summary`), the problems of the input
(:func:`problem_table`), the saved versions (:func:`versions_table`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


def _num(x: Any, decimals: int = 0) -> str:
    """Swedish number: space as thousands separator, decimal comma; '–' for empty."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    value = round(float(x), decimals) + 0.0
    if value == 0:
        value = 0.0  # no "−0,00"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace("-", "−")


def _kr(x: Any, decimals: int = 0) -> str:
    s = _num(x, decimals)
    return s if s == "–" else f"{s} kr"


def _pct(x: Any) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return f"{_num(100 * float(x), 1)} %"


def format_table(header: Sequence[str], rows: Sequence[Sequence[Any]],
                 right: Sequence[bool] | None = None, max_width: int | None = 34) -> str:
    """A plain-text table: columns padded, long text cut with '…' (never with max_width None)."""
    right = right or [False] * len(header)

    def cut(v: Any) -> str:
        s = "" if v is None else str(v)
        return s if max_width is None or len(s) <= max_width else s[: max_width - 1] + "…"

    body = [[cut(v) for v in r] for r in rows]
    widths = [max([len(h)] + [len(r[j]) for r in body]) for j, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if right[j] else c.ljust(w)
                         for j, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    out += [line(r) for r in body]
    return "\n".join(out)


def _text(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def summary(results: Any, year: int | None = None) -> str:
    """Price list, checks and totals of a calculation, as plain Swedish text."""
    from xlkc.pipeline import revenue_per_line

    p = results.price.prices
    rows = []
    for r in p.itertuples(index=False):
        sid = r.service_id + (f" ({r.channel_id})" if _text(r.channel_id) else "")
        rows.append((sid, r.name, r.price_model, _num(r.price_kr, 2), r.price_unit,
                     _pct(r.change_pct)))
    parts = [f"Prislista {year}" if year else "Prislista",
             format_table(("Tjänst", "Namn", "Prismodell", "Pris", "Enhet", "Förändring"), rows,
                          right=(False, False, False, True, False, True))]
    checks = []
    for c in results.checks.itertuples(index=False):
        if isinstance(c.reference_kr, float) and math.isnan(c.reference_kr):
            checks.append(("", c.check, _kr(c.value_kr, 2)))
        else:
            # differences in kr, except where the check says otherwise (årsarbetare)
            checks.append(("OK" if c.ok else "FEL", c.check,
                           f"differens {_num(c.difference_kr, 2)}"))
    parts += ["", "Avstämning", format_table(("", "Kontroll", "Differens / belopp"), checks,
                                             right=(False, False, True), max_width=70)]
    revenue = float(revenue_per_line(p).sum())
    parts += ["", f"Total kostnad: {_kr(results.cost.total_cost_kr)}",
              f"Intäkt vid prognosvolym: {_kr(revenue)}"]
    if not results.all_checks_ok:
        parts.append("Varning: minst en kontroll avviker, se Avstämning.")
    return "\n".join(parts)


def problem_table(problems: Sequence[Any], warnings: bool = False) -> str:
    """Problems as a table with their location; messages are printed whole."""
    rows = [(p.sheet or "", getattr(p, "table_label", None) or p.table or "", p.row or "",
             p.column or "", p.message) for p in problems]
    n = len(problems)
    if warnings:
        head = "1 varning:" if n == 1 else f"{n} varningar:"
    else:
        head = "1 fel i indata:" if n == 1 else f"{n} fel i indata:"
    return head + "\n" + format_table(
        ("Blad", "Tabell", "Rad", "Kolumn", "Varning" if warnings else "Fel"), rows,
        right=(False, False, True, False, False), max_width=None)


def versions_table(versions: Sequence[Any]) -> str:
    """The versions as a Swedish plain-text table (``xlkc versioner``)."""
    def when(t: Any, fmt: str) -> str:
        return t.strftime(fmt) if t is not None else "–"

    rows = [(v.name, v.status.value, v.year if v.year is not None else "–",
             when(v.saved, "%Y-%m-%d %H:%M"), when(v.decision_date, "%Y-%m-%d"),
             v.case_number or "–", _kr(v.total_cost_kr), _kr(v.revenue_kr), _num(v.fte, 2),
             v.input_hash or "–") for v in versions]
    return format_table(("Version", "Status", "Prisår", "Sparad", "Beslutsdatum",
                         "Ärendenummer", "Total kostnad", "Intäkt", "Årsarbetare",
                         "Indata-hash"), rows,
                        right=(False, False, True, False, False, False, True, True, True,
                               False), max_width=None)


def _change_value(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return _num(v, 2 if abs(v) < 100 else 0)
    return str(v)
