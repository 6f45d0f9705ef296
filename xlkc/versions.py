"""Versions of the price list, and the comparison of this run with one of them. Pure: no I/O.

A controller saves a run under a name ("Förslag 1", "Förslag till verksamhetsrådet",
"Beslutad") with its status (Förslag or Beslutad), the decision date and ärendenummer of
Parametrar, the run's time, the input hash of the Körlogg (:func:`xlkc.excel.run.input_hash`)
and its key figures; a version keeps its price list (per price line), the full cost and FTE per
service and the charge per customer (:func:`version_of`).

Each saved version carries a Kontrollsumma (:func:`fingerprint`); a version whose rows no longer
give it was edited by hand, which the readers report as a warning and the comparison names.

Rules (:func:`save_version`):

- names are compared without regard to case and surrounding or repeated spaces;
- a version marked Beslutad is frozen: saving under its name is refused
  (:class:`VersionFrozen`) and nothing changes; only new versions can be added;
- saving a Förslag under the name of an existing Förslag replaces it, in its place;
- a new name is added last.

The comparison (:func:`compare`) sets the current run beside a version: per price line the price
and annual fee, per service the full cost and FTE, per customer the charge, each with the change
(now − version; a percentage where the version's figure is not zero); a Fast årsavgift line
shows its price as the annual fee only, as Prislista för beslut does. Versions keep kronor to
the öre and FTE to four decimals, so the changes are exact to that. Lines found on one side only
show the other side empty. The version compared with is the one named, else the latest Beslutad,
else the latest saved (:func:`choose`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from xlkc.errors import WARNING, InputError, Problem
from xlkc.inputs import Inputs, PriceListStatus, PriceModel

__all__ = ["Version", "VersionFrozen", "VersionPrice", "VersionService", "VersionCustomer",
           "SaveOutcome", "choose", "compare", "default_version", "fingerprint", "name_key",
           "save_version",
           "version_of", "version_frames", "COMPARISON_COLUMNS"]


def name_key(name: str) -> str:
    """How version names are compared: case and spacing do not matter."""
    return " ".join(str(name).split()).casefold()


def _num(x: Any) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _text(x: Any) -> str | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    s = str(x).strip()
    return s or None


@dataclass(frozen=True)
class VersionPrice:
    """One line of a version's price list (a service, or a service and channel)."""

    service_id: str
    channel_id: str | None
    name: str | None
    price_model: str | None
    price_unit: str | None
    price_kr: float | None
    annual_fee_kr: float | None


@dataclass(frozen=True)
class VersionService:
    service_id: str
    name: str | None
    full_cost_kr: float | None
    fte: float | None


@dataclass(frozen=True)
class VersionCustomer:
    customer_id: str
    customer_name: str | None
    charge_kr: float | None


@dataclass(frozen=True)
class Version:
    """One saved run. ``raw`` keeps the rows exactly as read from a workbook (by table), so a
    version carried from run to run is written back unchanged."""

    name: str
    status: PriceListStatus
    year: int | None
    saved: dt.datetime | None
    decision_date: dt.datetime | None
    case_number: str | None
    total_cost_kr: float | None
    revenue_kr: float | None
    fte: float | None
    input_hash: str | None
    user: str | None
    prices: tuple[VersionPrice, ...] = ()
    services: tuple[VersionService, ...] = ()
    customers: tuple[VersionCustomer, ...] = ()
    raw: dict[str, tuple[tuple[Any, ...], ...]] | None = field(default=None, compare=False,
                                                              repr=False)
    #: The Kontrollsumma read from Versioner (None for a version not read from a workbook).
    stored_fingerprint: str | None = field(default=None, compare=False, repr=False)

    @property
    def decided(self) -> bool:
        return self.status is PriceListStatus.DECIDED

    @property
    def altered(self) -> bool:
        """Read with a Kontrollsumma that its rows no longer give: edited by hand."""
        return (self.stored_fingerprint is not None
                and self.stored_fingerprint != fingerprint(self))

    @property
    def key(self) -> str:
        return name_key(self.name)


class VersionFrozen(InputError):
    """Saving under the name of a Beslutad version (Swedish message, located)."""

    def __init__(self, message: str, problem: Problem):
        super().__init__(message)
        self.problem = problem


def _r(x: Any, digits: int) -> float | None:
    v = _num(x)
    return None if v is None else round(v, digits) + 0.0


def fingerprint(v: Version) -> str:
    """The Kontrollsumma of a version: the first 16 hex digits of SHA-256 over a canonical text
    of what the version says.

    Covered: name, status, price year, decision date (the day), ärendenummer, total cost,
    revenue, FTE, input hash, and every line of its price list, services and customers. Not
    covered: when and by whom it was saved, and the order of the rows (sorting a table is not
    changing it). Kronor are written to the öre and FTE to four decimals, as a version keeps
    them, so the digest of a version read back from any tool that saved the workbook is the
    digest it was saved with; a changed figure, name, id or row changes it."""
    def kr(x: Any) -> str:
        r = _r(x, 2)
        return "" if r is None else f"{r:.2f}"

    def fte(x: Any) -> str:
        r = _r(x, 4)
        return "" if r is None else f"{r:.4f}"

    def tx(x: Any) -> str:
        t = _text(x)
        return "" if t is None else " ".join(t.split())

    day = v.decision_date.date().isoformat() if isinstance(v.decision_date, dt.datetime) else ""
    head = "\x1f".join((name_key(v.name), v.status.value, "" if v.year is None else str(v.year),
                        day, tx(v.case_number), kr(v.total_cost_kr), kr(v.revenue_kr),
                        fte(v.fte), tx(v.input_hash)))
    lines = sorted(
        ["P\x1f" + "\x1f".join((tx(p.service_id), tx(p.channel_id), tx(p.name),
                                 tx(p.price_model), tx(p.price_unit), kr(p.price_kr),
                                 kr(p.annual_fee_kr))) for p in v.prices]
        + ["S\x1f" + "\x1f".join((tx(s.service_id), tx(s.name), kr(s.full_cost_kr),
                                   fte(s.fte))) for s in v.services]
        + ["C\x1f" + "\x1f".join((tx(c.customer_id), tx(c.customer_name), kr(c.charge_kr)))
           for c in v.customers])
    text = "\x1e".join([head, *lines])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def version_of(name: str, status: PriceListStatus | str, inputs: Inputs, results: Any, *,
               input_hash: str, saved: dt.datetime | None = None,
               user: str | None = None) -> Version:
    """The version record of a run (its key figures, price list, services and customers).

    Kronor are kept to the öre and FTE to four decimals: a record that reads back the same
    from any tool that saves the workbook (Excel keeps 15 significant digits)."""
    from xlkc.pipeline import revenue_per_line

    name = " ".join(str(name).split())
    if not name:
        raise InputError("Versionen måste ha ett namn")
    status = PriceListStatus(status)
    p = inputs.parameters
    prices = results.price.prices
    cost = results.cost.services
    out_prices = tuple(
        VersionPrice(str(r.service_id), _text(r.channel_id), _text(r.name), _text(r.price_model),
                     _text(r.price_unit), _r(r.price_kr, 2), _r(r.annual_fee_kr, 2))
        for r in prices.itertuples(index=False))
    out_services = tuple(
        VersionService(str(r.service_id), _text(r.name), _r(r.full_cost_kr, 2), _r(r.fte, 4))
        for r in cost.itertuples(index=False))
    out_customers = tuple(
        VersionCustomer(str(r.customer_id), _text(r.customer_name), _r(r.charge_kr, 2))
        for r in results.price.customer_totals.itertuples(index=False))
    return Version(
        name=name, status=status, year=int(p.year), saved=saved,
        decision_date=p.decision_date if status is PriceListStatus.DECIDED else None,
        case_number=p.case_number if status is PriceListStatus.DECIDED else None,
        total_cost_kr=_r(results.cost.total_cost_kr, 2),
        revenue_kr=_r(revenue_per_line(prices).sum(), 2),
        fte=_r(cost["fte"].sum(), 4), input_hash=input_hash, user=user,
        prices=out_prices, services=out_services, customers=out_customers)


@dataclass(frozen=True)
class SaveOutcome:
    versions: tuple[Version, ...]
    saved: Version
    replaced: Version | None  # the proposal it replaced, None for a new name


def save_version(versions: tuple[Version, ...], new: Version,
                 where: dict[str, Any] | None = None) -> SaveOutcome:
    """``versions`` with ``new`` added, or replacing the Förslag of the same name.

    Raises :class:`VersionFrozen` when a Beslutad version has that name (``where``: the
    location of that version's row, for the message); ``versions`` are never changed."""
    for i, v in enumerate(versions):
        if v.key != new.key:
            continue
        if v.decided:
            date = f" {v.decision_date:%Y-%m-%d}" if v.decision_date else ""
            case = f", ärende {v.case_number}" if v.case_number else ""
            message = (f"Versionen '{v.name}' är beslutad{date}{case} och kan inte ändras; "
                       "spara körningen under ett nytt namn. Inget har skrivits.")
            problem = Problem(message, **(where or {}))
            raise VersionFrozen(str(problem), problem)
        return SaveOutcome(versions[:i] + (new,) + versions[i + 1:], new, v)
    return SaveOutcome(tuple(versions) + (new,), new, None)


def default_version(versions: tuple[Version, ...]) -> Version | None:
    """The latest Beslutad version, else the latest version (the last saved; ties: the later
    row), None when there is none."""
    if not versions:
        return None

    def order(iv: tuple[int, Version]) -> tuple[dt.datetime, int]:
        i, v = iv
        return (v.saved or dt.datetime.min, i)

    decided = [iv for iv in enumerate(versions) if iv[1].decided]
    pool = decided or list(enumerate(versions))
    return max(pool, key=order)[1]


def choose(versions: tuple[Version, ...], name: Any) -> tuple[Version | None, str | None]:
    """(the version to compare with, a Swedish note when the named one is missing)."""
    wanted = _text(name)
    if wanted is not None:
        for v in versions:
            if v.key == name_key(wanted):
                return v, None
        fallback = default_version(versions)
        note = (f"Versionen '{wanted}' finns inte på bladet Versioner"
                + (f"; jämför med '{fallback.name}'" if fallback else "") + ".")
        return fallback, note
    return default_version(versions), None


# --- the comparison -----------------------------------------------------------------------------

COMPARISON_COLUMNS = {
    "prices": ("service_id", "channel_id", "name", "price_unit", "base_price_kr", "price_kr",
               "price_change_kr", "price_change_pct", "base_annual_fee_kr", "annual_fee_kr",
               "fee_change_kr"),
    "services": ("service_id", "name", "base_full_cost_kr", "full_cost_kr",
                 "full_cost_change_kr", "base_fte", "fte", "fte_change"),
    "customers": ("customer_id", "customer_name", "base_charge_kr", "charge_kr",
                  "charge_change_kr", "charge_change_pct"),
}


def _change(now: float | None, base: float | None) -> float | None:
    return None if now is None or base is None else now - base


def _pct(now: float | None, base: float | None) -> float | None:
    return None if now is None or base is None or base == 0 else (now - base) / base


def _pair(current: tuple[Any, ...], base: tuple[Any, ...], key: Any) -> list[tuple[Any, Any]]:
    """(current item, base item) by key: the current order first, then what only the base
    has, in its order."""
    by_base = {key(b): b for b in base}
    seen = set()
    out = []
    for c in current:
        k = key(c)
        seen.add(k)
        out.append((c, by_base.get(k)))
    out += [(None, b) for b in base if key(b) not in seen]
    return out


def _unit_and_fee(p: VersionPrice | None) -> tuple[float | None, float | None]:
    """(unit price, annual fee) of a price line: a Fast årsavgift line's price is its annual
    fee and has no unit price (as on Prislista för beslut)."""
    if p is None:
        return None, None
    if p.price_model == PriceModel.ANNUAL_FEE.value:
        return None, p.price_kr if p.price_kr is not None else p.annual_fee_kr
    return p.price_kr, p.annual_fee_kr


@dataclass(frozen=True)
class Comparison:
    prices: pd.DataFrame
    services: pd.DataFrame
    customers: pd.DataFrame


def compare(current: Version, base: Version | None) -> Comparison:
    """The current run beside ``base`` (see the module doc); empty tables without a base."""
    if base is None:
        return Comparison(*(pd.DataFrame(columns=list(COMPARISON_COLUMNS[k]))
                            for k in ("prices", "services", "customers")))
    rows = []
    for c, b in _pair(current.prices, base.prices, lambda x: (x.service_id, x.channel_id)):
        one = c or b
        now_p, now_f = _unit_and_fee(c)
        was_p, was_f = _unit_and_fee(b)
        rows.append((one.service_id, one.channel_id, one.name, one.price_unit, was_p, now_p,
                     _change(now_p, was_p), _pct(now_p, was_p), was_f, now_f,
                     _change(now_f, was_f)))
    prices = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS["prices"]))
    rows = []
    for c, b in _pair(current.services, base.services, lambda x: x.service_id):
        one = c or b
        now_c, was_c = (c.full_cost_kr if c else None), (b.full_cost_kr if b else None)
        now_f, was_f = (c.fte if c else None), (b.fte if b else None)
        rows.append((one.service_id, one.name, was_c, now_c, _change(now_c, was_c), was_f,
                     now_f, _change(now_f, was_f)))
    services = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS["services"]))
    rows = []
    for c, b in _pair(current.customers, base.customers, lambda x: x.customer_id):
        one = c or b
        now, was = (c.charge_kr if c else None), (b.charge_kr if b else None)
        rows.append((one.customer_id, one.customer_name, was, now, _change(now, was),
                     _pct(now, was)))
    customers = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS["customers"]))
    return Comparison(prices, services, customers)


def describe(v: Version) -> str:
    """'Förslag 1' (Förslag, prisår 2027, sparad 2026-11-02 10:15) — for notes and messages."""
    parts = [v.status.value]
    if v.year is not None:
        parts.append(f"prisår {v.year}")
    if v.decided and v.decision_date is not None:
        parts.append(f"beslutad {v.decision_date:%Y-%m-%d}")
    if v.case_number:
        parts.append(f"ärende {v.case_number}")
    if v.saved is not None:
        parts.append(f"sparad {v.saved:%Y-%m-%d %H:%M}")
    if v.altered:
        parts.append("ÄNDRAD FÖR HAND efter att den sparades")
    return f"'{v.name}' ({', '.join(parts)})"


# --- versions as the long tables of Versioner ------------------------------------------------------

def version_frames(versions: tuple[Version, ...]) -> dict[str, list[tuple[Any, ...]]]:
    """Rows of the four version tables by part ("versions", "prices", "services",
    "customers"), in the fields' order of :data:`VERSION_FIELDS`. A version read from a workbook
    gives back the rows it was read from (``Version.raw``), unchanged."""
    out: dict[str, list[tuple[Any, ...]]] = {k: [] for k in VERSION_FIELDS}
    for v in versions:
        if v.raw is not None:
            for k in VERSION_FIELDS:
                out[k].extend(v.raw.get(k, ()))
            continue
        out["versions"].append((v.name, v.status.value, v.year, v.saved, v.decision_date,
                                v.case_number, v.total_cost_kr, v.revenue_kr, v.fte,
                                v.input_hash, v.user, fingerprint(v)))
        out["prices"].extend((v.name, p.service_id, p.channel_id, p.name, p.price_model,
                              p.price_unit, p.price_kr, p.annual_fee_kr) for p in v.prices)
        out["services"].extend((v.name, s.service_id, s.name, s.full_cost_kr, s.fte)
                               for s in v.services)
        out["customers"].extend((v.name, c.customer_id, c.customer_name, c.charge_kr)
                                for c in v.customers)
    return out


#: The fields of each version table, in column order (the layout's tables have exactly these).
VERSION_FIELDS = {
    "versions": ("version", "status", "year", "saved", "decision_date", "case_number",
                 "total_cost_kr", "revenue_kr", "fte", "input_hash", "user", "fingerprint"),
    "prices": ("version", "service_id", "channel_id", "name", "price_model", "price_unit",
               "price_kr", "annual_fee_kr"),
    "services": ("version", "service_id", "name", "full_cost_kr", "fte"),
    "customers": ("version", "customer_id", "customer_name", "charge_kr"),
}


def _note(message: str, row: dict[str, Any], field: str) -> Problem:
    return Problem(message, record="versions", row=row.get("_row"), field=field,
                   severity=WARNING)


def versions_from_rows(rows: dict[str, list[dict[str, Any]]]) -> tuple[tuple[Version, ...],
                                                                     list[Problem]]:
    """Versions from the four tables' rows (dicts by field, values as read; ``_raw``: the row
    as it stands, ``_row``: its Excel row), and warnings (Swedish) on rows that could not be
    read or were edited by hand: ``record`` is the table's part, ``row`` its Excel row,
    ``field`` the column's field, for an adapter to name the sheet, table and column.

    Rows of the other tables belong to the version of their name (orphans are noted and
    dropped); a version row without a name, or with a status other than Förslag/Beslutad, is
    noted and dropped."""
    notes: list[Problem] = []
    parts: dict[str, dict[str, list[dict[str, Any]]]] = {k: {} for k in VERSION_FIELDS}
    for part in ("prices", "services", "customers"):
        for r in rows.get(part, []):
            name = _text(r.get("version"))
            if name is not None:
                parts[part].setdefault(name_key(name), []).append(r)
    out: list[Version] = []
    seen: set[str] = set()
    for r in rows.get("versions", []):
        name = _text(r.get("version"))
        if name is None:
            continue
        try:
            status = PriceListStatus(_text(r.get("status")) or "")
        except ValueError:
            notes.append(_note(f"Versionen '{name}' har status '{r.get('status')}' (Förslag "
                               "eller Beslutad); den läses inte.", r, "status"))
            continue
        key = name_key(name)
        if key in seen:
            notes.append(_note(f"Versionen '{name}' finns redan; raden läses inte.", r,
                               "version"))
            continue
        seen.add(key)
        mine = {k: parts[k].get(key, []) for k in ("prices", "services", "customers")}
        year = _num(r.get("year"))
        v = Version(
            name=name, status=status, year=int(year) if year is not None else None,
            saved=_datetime(r.get("saved")), decision_date=_datetime(r.get("decision_date")),
            case_number=_text(r.get("case_number")), total_cost_kr=_num(r.get("total_cost_kr")),
            revenue_kr=_num(r.get("revenue_kr")), fte=_num(r.get("fte")),
            input_hash=_text(r.get("input_hash")), user=_text(r.get("user")),
            prices=tuple(VersionPrice(str(_text(p.get("service_id"))),
                                      _text(p.get("channel_id")), _text(p.get("name")),
                                      _text(p.get("price_model")), _text(p.get("price_unit")),
                                      _num(p.get("price_kr")), _num(p.get("annual_fee_kr")))
                         for p in mine["prices"]),
            services=tuple(VersionService(str(_text(s.get("service_id"))), _text(s.get("name")),
                                          _num(s.get("full_cost_kr")), _num(s.get("fte")))
                           for s in mine["services"]),
            customers=tuple(VersionCustomer(str(_text(c.get("customer_id"))),
                                            _text(c.get("customer_name")),
                                            _num(c.get("charge_kr")))
                            for c in mine["customers"]),
            raw={"versions": (r["_raw"],),
                 **{k: tuple(x["_raw"] for x in mine[k]) for k in mine}},
            stored_fingerprint=_text(r.get("fingerprint")))
        out.append(v)
        which = f"Versionen '{name}' ({status.value})"
        if v.altered:
            notes.append(_note(
                f"{which} har ändrats för hand efter att den sparades: Kontrollsumman stämmer "
                "inte med versionens rader. "
                + ("Den beslutade prislistan i arbetsboken är inte längre den som beslutades; "
                   "jämför med beslutet i ärendet." if v.decided else
                   "Spara förslaget igen med Beräkna priser för att få det beräknat."),
                r, "fingerprint"))
        elif v.decided and v.stored_fingerprint is None:
            notes.append(_note(f"{which} saknar Kontrollsumma (sparad med en äldre version av "
                               "verktyget) och kan inte kontrolleras mot ändringar för hand.",
                               r, "fingerprint"))
    for part in ("prices", "services", "customers"):
        orphans = sorted(k for k in parts[part] if k not in seen)
        if orphans:
            notes.append(Problem(f"Rader för versionerna {', '.join(orphans)} saknar en rad i "
                                 "tabellen Sparade versioner och tas bort vid nästa sparade "
                                 "version.", record=part, field="version", severity=WARNING))
    return tuple(out), notes


def _datetime(x: Any) -> dt.datetime | None:
    if isinstance(x, dt.datetime):
        return x
    if isinstance(x, dt.date):
        return dt.datetime(x.year, x.month, x.day)
    text = _text(x)
    if text is None:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None
