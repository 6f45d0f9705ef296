"""Worksheet functions (UDFs) of Prismodell Kontaktcenter, for xlwings.

xlwings imports this package by the name on the sheet ``xlwings.conf`` (``UDF MODULES`` =
``xlkc_udfs``); it is installed with xlkc (``pip install xlkc`` puts the top-level package
``xlkc_udfs`` beside ``xlkc``). The VBA wrappers (module ``xlwings_udfs``) are generated from this
package when the workbook is built (``xlkc.workbook.udf_vba``), exactly as xlwings' "Import
Functions" would, so a controller needs no extra step.

Every function is a thin wrapper over the engine (``xlkc.staffing``, ``xlkc.udf_core``): it
converts cell values (an empty cell arrives as None), calls the core and returns its figure. An
invalid argument gives a Swedish text in the cell starting with ``#KC:``, never a traceback.
Arguments marked elementwise accept a range: the result is an array of the same shape (Excel
spills it). Handle times are in minutes, answer times in seconds, shares as fractions.

:func:`register_formulas` registers the same functions with the ``formulas`` package, so the
workbook's UDF cells compute in headless tests.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import xlwings as xw

from xlkc import udf_core as core
from xlkc.staffing import agents_needed, erlang_c, productive_hours, service_level

__all__ = [
    "KC_AGENTER",
    "KC_ARSARBETARE",
    "KC_ERLANG_C",
    "KC_KOSTNAD_PER_AA",
    "KC_PRIS",
    "KC_PRODUKTIVA_TIMMAR",
    "KC_SERVICENIVA",
    "KC_SJALVKOSTNAD",
    "UDF_NAMES",
    "register_formulas",
]

CATEGORY = "Prismodell Kontaktcenter"


# --------------------------------------------------------------------------- cell values

def _empty(x: Any) -> bool:
    return x is None or (isinstance(x, str) and x.strip() == "")


def _opt(x: Any, what: str) -> float | None:
    """An optional number: None for an empty cell."""
    return None if _empty(x) else core.number(x, what)


def _req(x: Any, what: str) -> float:
    return core.number(None if _empty(x) else x, what)


def _grid(x: Any) -> np.ndarray:
    """A cell or a range as a 2-D object array (a 1-D list is a column)."""
    if isinstance(x, np.ndarray):
        arr = x.astype(object)
    elif isinstance(x, list | tuple):
        arr = np.empty((len(x), 1), dtype=object) if not x or not isinstance(
            x[0], list | tuple) else None
        if arr is not None:
            for i, v in enumerate(x):
                arr[i, 0] = v
        else:
            arr = np.empty((len(x), max(len(r) for r in x)), dtype=object)
            for i, r in enumerate(x):
                for j, v in enumerate(r):
                    arr[i, j] = v
    else:
        arr = np.empty((1, 1), dtype=object)
        arr[0, 0] = x
    return arr if arr.ndim == 2 else arr.reshape(-1, 1)


def _flat(x: Any) -> list[Any]:
    """The non-empty cells of a range, row by row."""
    return [v for v in _grid(x).ravel() if not _empty(v)]


def _elementwise(func: Callable[..., Any], *args: Any) -> Any:
    """Apply ``func`` to the broadcast elements of the arguments (cells or ranges).

    One element gives a value, several a 2-D list of the broadcast shape; an element whose
    arguments are invalid gets its own error text.
    """
    grids = [_grid(a) for a in args]
    try:
        grids = np.broadcast_arrays(*grids)
    except ValueError:
        shapes = " och ".join(f"{g.shape[0]}×{g.shape[1]}" for g in grids)
        raise core.InputError(f"Områdena har olika storlek ({shapes})") from None
    shape = grids[0].shape
    out = [[_safe_value(func, *(g[i, j] for g in grids)) for j in range(shape[1])]
           for i in range(shape[0])]
    return out[0][0] if shape == (1, 1) else out


def _safe_value(func: Callable[..., Any], *args: Any) -> Any:
    try:
        return func(*args)
    except Exception as exc:  # noqa: BLE001 - every error becomes a cell text
        return core.error_text(exc)


def _udf(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn any exception into the Swedish cell text (signature kept for xlwings)."""

    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        try:
            return func(*args)
        except Exception as exc:  # noqa: BLE001 - every error becomes a cell text
            return core.error_text(exc)

    return wrapper


def _sum(x: Any, what: str) -> float:
    """The sum of a cell or a range (empty cells skipped; at least one number)."""
    cells = _flat(x)
    if not cells:
        raise core.InputError(f"{what} saknas (tom cell)")
    return float(sum(core.number(v, what) for v in cells))


def _minutes(x: Any, what: str = "Hanteringstiden") -> float:
    return _req(x, what) * 60.0


# --------------------------------------------------------------------------- the functions

@xw.func(category=CATEGORY)
@xw.arg("arbetsdagar", doc="Arbetsdagar per år (t.ex. 251).")
@xw.arg("timmar_per_dag", doc="Arbetstimmar per dag (t.ex. 8).")
@xw.arg("semesterdagar", doc="Semesterdagar per år (t.ex. 28).")
@xw.arg("sjukfranvaro", doc="Sjukfrånvaro som andel (t.ex. 6,5 %).")
@xw.arg("utbildning", doc="Utbildning och möten som andel (t.ex. 6 %).")
@xw.arg("ovrig_franvaro", doc="Raster och övrig frånvaro som andel (t.ex. 3 %).")
@xw.arg("totalt_bortfall", doc="Valfritt: totalt bortfall som andel; ersätter de tre delarna.")
@_udf
def KC_PRODUKTIVA_TIMMAR(arbetsdagar, timmar_per_dag, semesterdagar, sjukfranvaro, utbildning,
                         ovrig_franvaro, totalt_bortfall=None):
    """Produktiva timmar per årsarbetare och år: (arbetsdagar − semesterdagar) × timmar per dag,
    minskat med frånvaron (multiplikativt) eller med ett totalt bortfall."""
    return productive_hours(
        _req(arbetsdagar, "Arbetsdagar"), _req(timmar_per_dag, "Timmar per dag"),
        _req(semesterdagar, "Semesterdagar"), _req(sjukfranvaro, "Sjukfrånvaro"),
        _req(utbildning, "Utbildning och möten"), _req(ovrig_franvaro, "Övrig frånvaro"),
        _opt(totalt_bortfall, "Totalt bortfall"))


@xw.func(category=CATEGORY)
@xw.arg("agenter", ndim=2, doc="Antal agenter (heltal); en cell eller ett område.")
@xw.arg("belastning", ndim=2,
        doc="Erbjuden belastning i Erlang = kontakter per timme × hanteringstid (min) / 60.")
@_udf
def KC_ERLANG_C(agenter, belastning):
    """Sannolikheten att en kontakt får vänta (Erlang C); 1 när agenterna inte räcker till.
    Områden ger ett område med svar."""
    return _elementwise(
        lambda n, a: erlang_c(_req(n, "Antal agenter"), _req(a, "Belastningen")),
        agenter, belastning)


@xw.func(category=CATEGORY)
@xw.arg("agenter", ndim=2, doc="Antal agenter (heltal); en cell eller ett område.")
@xw.arg("belastning", ndim=2,
        doc="Erbjuden belastning i Erlang = kontakter per timme × hanteringstid (min) / 60.")
@xw.arg("hanteringstid", ndim=2, doc="Genomsnittlig hanteringstid i minuter.")
@xw.arg("svarstid", ndim=2, doc="Svarstid i sekunder, t.ex. 60 för 80 % inom 60 s.")
@_udf
def KC_SERVICENIVA(agenter, belastning, hanteringstid, svarstid):
    """Servicenivån: andelen kontakter som besvaras inom svarstiden (Erlang C)."""
    return _elementwise(
        lambda n, a, h, t: service_level(_req(n, "Antal agenter"), _req(a, "Belastningen"),
                                         _minutes(h), _req(t, "Svarstiden")),
        agenter, belastning, hanteringstid, svarstid)


@xw.func(category=CATEGORY)
@xw.arg("belastning", ndim=2,
        doc="Erbjuden belastning i Erlang = kontakter per timme × hanteringstid (min) / 60.")
@xw.arg("hanteringstid", ndim=2, doc="Genomsnittlig hanteringstid i minuter.")
@xw.arg("serviceniva", ndim=2, doc="Mål för servicenivån som andel, t.ex. 80 %.")
@xw.arg("svarstid", ndim=2, doc="Svarstid i sekunder, t.ex. 60.")
@xw.arg("max_belaggning", doc="Valfritt: högsta beläggning som andel, t.ex. 85 %. Tomt: ingen.")
@xw.arg("mal_medelsvarstid", doc="Valfritt: högsta genomsnittliga svarstid (ASA) i sekunder.")
@_udf
def KC_AGENTER(belastning, hanteringstid, serviceniva, svarstid, max_belaggning=None,
               mal_medelsvarstid=None):
    """Minsta antal agenter som klarar servicenivån, beläggningstaket och ASA-målet
    (Erlang C)."""
    occ = _opt(max_belaggning, "Max beläggning")
    asa_t = _opt(mal_medelsvarstid, "Mål för medelsvarstid")
    return _elementwise(
        lambda a, h, s, t: agents_needed(_req(a, "Belastningen"), _minutes(h),
                                         _req(s, "Servicenivån"), _req(t, "Svarstiden"),
                                         1.0 if occ is None else occ, asa_t),
        belastning, hanteringstid, serviceniva, svarstid)


@xw.func(category=CATEGORY)
@xw.arg("volym", ndim=2, doc="Kontakter per år; en cell eller en kolumn (en rad per kanal).")
@xw.arg("hanteringstid", ndim=2, doc="Hanteringstid per kontakt i minuter.")
@xw.arg("kanaltyp", ndim=2, doc="'realtid' (telefon, chatt) eller 'uppskjuten' (e-post, brev).")
@xw.arg("serviceniva", doc="Realtid: mål för servicenivån som andel, t.ex. 80 %.")
@xw.arg("svarstid", doc="Realtid: svarstid i sekunder, t.ex. 60.")
@xw.arg("max_belaggning", doc="Valfritt: realtid, högsta beläggning som andel. Tomt: 85 %.")
@xw.arg("max_utnyttjande", doc="Valfritt: uppskjuten, högsta utnyttjande som andel. Tomt: 90 %.")
@xw.arg("samtidighet", ndim=2, doc="Valfritt: samtidighetsfaktor, t.ex. 1,7 för chatt. Tomt: 1.")
@xw.arg("produktiva_timmar", doc="Valfritt: produktiva timmar per årsarbetare (KC_PRODUKTIVA_TIMMAR).")
@xw.arg("timprofil", doc="Valfritt: område med andel av dagens kontakter per öppettimme.")
@xw.arg("dagar", doc="Valfritt: öppetdagar per år. Tomt: 251.")
@xw.arg("poolvolym", ndim=2,
        doc="Valfritt: befintlig volym per år i svarsgruppen som delar agenter med tjänsten.")
@xw.arg("pool_hanteringstid", ndim=2,
        doc="Valfritt: den befintliga volymens hanteringstid i minuter. Tomt: tjänstens.")
@_udf
def KC_ARSARBETARE(volym, hanteringstid, kanaltyp, serviceniva=None, svarstid=None,
                   max_belaggning=None, max_utnyttjande=None, samtidighet=None,
                   produktiva_timmar=None, timprofil=None, dagar=None, poolvolym=None,
                   pool_hanteringstid=None):
    """Årsarbetare för en årsvolym i en kanal: realtid bemannas timme för timme med Erlang C,
    uppskjutet efter arbetsbelastning. Med poolvolym: tjänstens andel av den delade poolen."""
    shares = None if _empty(timprofil) or not _flat(timprofil) else _flat(timprofil)
    kw = {
        "service_level": _opt(serviceniva, "Servicenivån"),
        "answer_time_s": _opt(svarstid, "Svarstiden"),
        "max_occupancy": _opt(max_belaggning, "Max beläggning"),
        "max_utilisation": _opt(max_utnyttjande, "Max utnyttjande"),
        "productive_hours": _opt(produktiva_timmar, "Produktiva timmar"),
        "hourly_shares": shares,
        "days": _opt(dagar, "Antal öppetdagar"),
    }

    def one(v, h, k, f, pv, ph):
        return core.new_service_fte(
            _req(v, "Volymen"), _minutes(h), k, concurrency_factor=_opt(f, "Samtidigheten"),
            pool_volume=_opt(pv, "Poolens befintliga volym"),
            pool_aht_s=None if _empty(ph) else _minutes(ph, "Poolens hanteringstid"), **kw)

    return _elementwise(one, volym, hanteringstid, kanaltyp, samtidighet, poolvolym,
                        pool_hanteringstid)


@xw.func(category=CATEGORY)
@xw.arg("manadslon", doc="Månadslön i kronor (basår).")
@xw.arg("po_palagg", doc="PO-pålägg som andel, t.ex. 46 %.")
@xw.arg("lonerevision", doc="Lönerevision till prisåret som andel, t.ex. 3 %.")
@_udf
def KC_KOSTNAD_PER_AA(manadslon, po_palagg, lonerevision):
    """Kostnad per årsarbetare och år: månadslön × 12 × (1 + lönerevision) × (1 + PO)."""
    return core.cost_per_fte(_req(manadslon, "Månadslönen"), _req(po_palagg, "PO-pålägget"),
                             _req(lonerevision, "Lönerevisionen"))


@xw.func(category=CATEGORY)
@xw.arg("arsarbetare", doc="Årsarbetare (KC_ARSARBETARE); ett område summeras (tjänstens kanaler).")
@xw.arg("kostnad_per_aa", doc="Kostnad per årsarbetare i kronor (KC_KOSTNAD_PER_AA).")
@xw.arg("overheadpalagg", doc="Overheadpålägg som andel av personalkostnaden, t.ex. 35 %.")
@_udf
def KC_SJALVKOSTNAD(arsarbetare, kostnad_per_aa, overheadpalagg):
    """Självkostnad per år: årsarbetare × kostnad per årsarbetare × (1 + overheadpålägg)."""
    return core.new_service_price(_sum(arsarbetare, "Årsarbetarna"),
                                  _req(kostnad_per_aa, "Kostnaden per årsarbetare"),
                                  _req(overheadpalagg, "Overheadpålägget")).full_cost_kr


@xw.func(category=CATEGORY)
@xw.arg("arsarbetare", doc="Årsarbetare (KC_ARSARBETARE); ett område summeras (tjänstens kanaler).")
@xw.arg("kostnad_per_aa", doc="Kostnad per årsarbetare i kronor (KC_KOSTNAD_PER_AA).")
@xw.arg("overheadpalagg", doc="Overheadpålägg som andel av personalkostnaden, t.ex. 35 %.")
@xw.arg("volym", doc="Kontakter per år som priset ska täcka; ett område summeras. Krävs för styckpris.")
@xw.arg("avrundningssteg", doc="Valfritt: avrunda till detta steg i kronor. Tomt: 1 kr.")
@xw.arg("riktning", doc="Valfritt: 'närmaste' eller 'uppåt'. Tomt: närmaste.")
@xw.arg("pristyp", doc="Valfritt: 'styckpris' (tomt), 'årsavgift', 'exakt' eller 'självkostnad'.")
@_udf
def KC_PRIS(arsarbetare, kostnad_per_aa, overheadpalagg, volym=None, avrundningssteg=None,
            riktning=None, pristyp=None):
    """Pris för en ny tjänst till självkostnad: styckpris per kontakt avrundat till steget,
    eller hela kostnaden som fast årsavgift (på öret)."""
    step = _opt(avrundningssteg, "Avrundningssteget")
    return core.price_figure(
        None if _empty(pristyp) else pristyp, _sum(arsarbetare, "Årsarbetarna"),
        _req(kostnad_per_aa, "Kostnaden per årsarbetare"),
        _req(overheadpalagg, "Overheadpålägget"),
        None if _empty(volym) or not _flat(volym) else _sum(volym, "Volymen"),
        1.0 if step is None else step, "närmaste" if _empty(riktning) else riktning)


#: Every worksheet function of the package, by name.
UDF_NAMES = ("KC_AGENTER", "KC_ARSARBETARE", "KC_ERLANG_C", "KC_KOSTNAD_PER_AA", "KC_PRIS",
             "KC_PRODUKTIVA_TIMMAR", "KC_SERVICENIVA", "KC_SJALVKOSTNAD")


# --------------------------------------------------------------------------- formulas

def _from_formulas(x: Any) -> Any:
    """A ``formulas`` argument as xlwings would pass it: a value, or a 2-D list for a range."""
    from formulas.ranges import Ranges
    from schedula import EMPTY

    if isinstance(x, Ranges):
        x = x.value
    if isinstance(x, np.ndarray):
        rows = [[None if v is EMPTY else (v.item() if isinstance(v, np.generic) else v)
                 for v in row] for row in np.atleast_2d(x).tolist()]
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows
    if x is EMPTY:
        return None
    return x.item() if isinstance(x, np.generic) else x


def _to_formulas(result: Any) -> Any:
    from formulas.functions import Array

    if isinstance(result, list):
        return np.asarray(result, dtype=object).view(Array)
    return result


def formulas_function(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` as a ``formulas`` function: ranges in as 2-D lists, empty cells as None."""
    from formulas.functions import wrap_func
    from formulas.tokens.operand import XlError

    def call(*args: Any) -> Any:
        values = [_from_formulas(a) for a in args]
        for v in values:  # an Excel error in an argument propagates, as in Excel
            for cell in (v if isinstance(v, list) else [[v]]):
                for c in cell:
                    if isinstance(c, XlError):
                        return c
        return _to_formulas(func(*values))

    return wrap_func(functools.update_wrapper(call, func))


def register_formulas(functions: dict[str, Any] | None = None) -> dict[str, Any]:
    """Register every UDF with ``formulas`` (call before ``ExcelModel().loads()``).

    Under its own name and with the ``_xludf.`` prefix Excel may store. Returns the mapping.
    """
    import formulas

    target = formulas.get_functions() if functions is None else functions
    for name in UDF_NAMES:
        f = formulas_function(globals()[name])
        target[name] = f
        target[f"_XLUDF.{name}"] = f
    return target
