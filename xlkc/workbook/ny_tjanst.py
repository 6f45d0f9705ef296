"""The sheet Ny tjänst: price a new or changed service with plain worksheet formulas.

Every figure is computed with functions every spreadsheet has (SUM, SUMPRODUCT, POISSON, EXP,
INT, CEILING, ROUND, INDEX, IF), so the calculator works without Python: in Excel on Windows, Mac
and the web, and in LibreOffice. The worksheet functions KC_* (``xlkc_udfs``) stay available for
power users on Windows; the sheet does not use them.

Blocks, at fixed positions (1-based rows/columns, defined here once and used by the builder and
the tests):

- **Volym per kanal** (header row :data:`CHANNEL_HEADER_ROW`): one row per channel with its type,
  volume per year, handle time (min), concurrency and, optionally, the existing volume of the
  answer group it would join (yellow); then its FTE at the chosen service level (shared with the
  existing volume), at the three SLA levels of Parametrar, and staffed alone (blue);
- **Antaganden**: service level, answer time, monthly salary, overhead rate (the named cell
  ``NyOverhead``, so a value from the model can feed it) and open days (yellow); productive hours
  and cost per FTE from Parametrar's named cells (blue);
- **Resultat**: per level FTE, full cost, price per contact and the full cost as a fixed annual
  fee; the last row is the stand-alone (in-house) FTE and its full cost;
- **Underlag per timme**: the representative intervals, one typical open day: the hours of
  Profil (at most :data:`MAX_HOURS`), each hour's share of a day's contacts, and per channel its
  effective handle time, occupancy cap, work share in the answer group and the offered load per
  hour (Erlang), shared and alone.

Staffing (the engine's rule for one typical day, ``udf_core.new_service_figures``): a day's
contacts are the year's volume / open days, spread over the hours by Profil's hourly shares. Load
in hour h: a_h = V × share_h / days × AHT_eff / 3600 (AHT_eff = handle time in seconds /
concurrency; shared: the workload-weighted mean with the existing volume). Real-time channels get
the smallest integer n_h ≥ n0_h = max(⌊a_h⌋ + 1, ⌈a_h / cap⌉) with Erlang C service level
SL(n) = 1 − C(n, a)·exp(−(n − a)·t / AHT_eff) ≥ target, where with p = POISSON(n, a, FALSE) and
F = POISSON(n, a, TRUE): C(n, a) = n·p / ((n − a)·F + a·p). SL rises with n, so n_h = n0_h + the
number of offsets k = 0 … :data:`N_OFFSETS` − 1 with SL(n0_h + k) < target: one SUMPRODUCT over
hours × offsets per channel and level (a load needing more, or a target outside (0, 1), is
shown as #SAKNAS!/#N/A rather than a wrong figure). Deferred
channels: Σ_h a_h / cap. FTE = Σ_h n_h × days / productive hours, times the new volume's work
share when it joins an answer group.

Against the engine's full year (every open hour of the price year, with the month and weekday
profiles and the holidays) the typical day differs by a few per cent: :data:`TOLERANCE`, stated
in the sheet's note and tested.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xlkc import layout as L  # noqa: N812
from xlkc.example import EXAMPLE_OVERHEAD_RATE

TITLE_ROW = 1
CHANNEL_TITLE_ROW = 4
CHANNEL_HEADER_ROW = 5
#: Default channels: (kanal, typ, volym/år, hanteringstid min, samtidighet, befintlig volym,
#: befintlig hanteringstid min).
CHANNELS: tuple[tuple[Any, ...], ...] = (
    ("telefon", "realtid", 12000, 6.0, 1.0, 38000, 6.5),
    ("chatt", "realtid", 2000, 8.0, 1.7, 8000, 7.0),
    ("e-post", "uppskjuten", 3000, 9.0, 1.0, None, None),
)
FIRST_CHANNEL_ROW = CHANNEL_HEADER_ROW + 1
LAST_CHANNEL_ROW = FIRST_CHANNEL_ROW + len(CHANNELS) - 1
N_LEVELS = 3  # SLA levels shown (the first rows of tblSLA on Parametrar)
#: Open hours of the typical day the calculator can hold (Profil's first hours; more is an error).
MAX_HOURS = 16
#: Agent counts tried above the lower bound n0 in each hour.
N_OFFSETS = 40
#: How far the typical day may differ from the engine's full year, in FTE (shown in the note).
TOLERANCE = 0.03
REAL_TIME = "realtid"


@dataclass(frozen=True)
class Col:
    header: str
    role: str  # "input" | "output"
    number_format: str | None
    width: float


#: Channel table columns, from column A.
CHANNEL_COLUMNS = (
    Col("Kanal", "input", L.FMT_TEXT, 26),
    Col("Typ", "input", L.FMT_TEXT, 13),
    Col("Volym per år", "input", L.FMT_INT, 14),
    Col("Hanteringstid (min)", "input", L.FMT_MIN, 14),
    Col("Samtidighet", "input", L.FMT_FACTOR, 12),
    Col("Befintlig volym i svarsgruppen", "input", L.FMT_INT, 16),
    Col("Befintlig hanteringstid (min)", "input", L.FMT_MIN, 16),
    Col("Årsarbetare", "output", L.FMT_FTE, 13),
    *(Col(f"Åa vid SLA-nivå {k}", "output", L.FMT_FTE, 13) for k in range(1, N_LEVELS + 1)),
    Col("Åa fristående", "output", L.FMT_FTE, 13),
)
C_CHANNEL, C_KIND, C_VOLUME, C_AHT, C_CONC, C_POOL_VOL, C_POOL_AHT = range(1, 8)
C_FTE = 8
C_FTE_LEVEL = tuple(range(9, 9 + N_LEVELS))
C_FTE_ALONE = 9 + N_LEVELS


@dataclass(frozen=True)
class Assumption:
    name: str  # workbook-scoped defined name
    label: str
    role: str  # "input": value; "output": formula
    number_format: str
    value: Any = None
    formula: str | None = None
    unit: str = ""
    note: str = ""


ASSUMPTION_TITLE_ROW = LAST_CHANNEL_ROW + 2
ASSUMPTION_HEADER_ROW = ASSUMPTION_TITLE_ROW + 1
ASSUMPTIONS = (
    Assumption("NyServiceniva", "Servicenivå (realtid)", "input", L.FMT_PCT, 0.8, unit="%",
               note="Andel besvarade inom svarstiden."),
    Assumption("NySvarstid", "Svarstid", "input", L.FMT_SEC, 60, unit="s"),
    Assumption("NyManadslon", "Månadslön", "input", L.FMT_KR, 34000, unit="kr",
               note="Basår; PO-pålägg och lönerevision från Parametrar."),
    Assumption("NyOverhead", "Overheadpålägg", "input", L.FMT_PCT, EXAMPLE_OVERHEAD_RATE,
               unit="%", note="Overhead och stadsgemensamt i procent av personalkostnaden "
               "(modellens senaste körning: Start, StatusOverhead)."),
    Assumption("NyDagar", "Öppetdagar per år", "input", L.FMT_INT, 251, unit="dagar",
               note="Årsvolymen sprids lika över dagarna, över dagen enligt Timprofil."),
    Assumption("NyProduktivaTimmar", "Produktiva timmar per åa", "output", L.FMT_HOURS,
               formula="=(Arbetsdagar-Semesterdagar)*TimmarPerDag*IF(ISNUMBER(TotaltBortfall),"
                       "1-TotaltBortfall,(1-Sjukfranvaro)*(1-Utbildning)*(1-OvrigFranvaro))",
               unit="tim", note="Från Parametrar: (arbetsdagar − semester) × timmar × (1 − "
                                "frånvaro)."),
    Assumption("NyKostnadPerAa", "Kostnad per åa", "output", L.FMT_KR,
               formula="=NyManadslon*12*(1+Lonerevision)*(1+PO_palagg)", unit="kr",
               note="Månadslön × 12 × (1 + lönerevision) × (1 + PO)."),
)
#: The hourly profile the formulas use: Profil's share column, room for 24 open hours.
PROFILE_NAME = "NyTimprofil"
#: The offsets 0 … N_OFFSETS − 1: a name for an array constant (a row), so no cells are needed.
OFFSETS_NAME = "NyForskjutning"

RESULT_TITLE_ROW = ASSUMPTION_HEADER_ROW + len(ASSUMPTIONS) + 2
RESULT_HEADER_ROW = RESULT_TITLE_ROW + 1
RESULT_HEADERS = (
    ("Nivå", L.FMT_TEXT, None), ("Servicenivå", L.FMT_PCT, None),
    ("Svarstid (s)", L.FMT_SEC, None), ("Årsarbetare", L.FMT_FTE, None),
    ("Självkostnad per år", L.FMT_KR, None), ("Pris per kontakt", L.FMT_KR2, None),
    ("Fast årsavgift", L.FMT_KR, None),
)
R_CHOSEN = RESULT_HEADER_ROW + 1
R_LEVELS = tuple(R_CHOSEN + k for k in range(1, N_LEVELS + 1))
R_ALONE = R_CHOSEN + N_LEVELS + 1
#: Workbook-scoped names of the main results (the chosen service level).
RESULT_NAMES = {"NyArsarbetare": 4, "NySjalvkostnad": 5, "NyPris": 6, "NyArsavgift": 7}

#: The method and its tolerance against the full year, under the results.
METHOD_NOTE_ROW = R_ALONE + 2

# --- the hourly table ("Underlag per timme") -----------------------------------------------------
HOURS_TITLE_ROW = R_ALONE + 4
#: Per-channel constants, one row each, above the hourly header: (label, number format).
CHANNEL_CONSTANTS = (
    ("Kanal", L.FMT_TEXT),
    ("Effektiv hanteringstid (s)", L.FMT_SEC),
    ("Tak för beläggning", L.FMT_PCT),
    ("Arbetsandel i svarsgruppen", L.FMT_PCT),
)
R_CONST_NAME, R_CONST_AHT, R_CONST_CAP, R_CONST_SHARE = (
    HOURS_TITLE_ROW + 1 + i for i in range(len(CHANNEL_CONSTANTS)))
HOURS_HEADER_ROW = R_CONST_SHARE + 1
FIRST_HOUR_ROW = HOURS_HEADER_ROW + 1
LAST_HOUR_ROW = FIRST_HOUR_ROW + MAX_HOURS - 1
C_HOUR, C_SHARE = 1, 2
FMT_LOAD = "0.000"


def load_col(channel: int, alone: bool) -> int:
    """Column of a channel's (0-based) load per hour: shared, then alone."""
    return 3 + 2 * channel + (1 if alone else 0)


def ref(row: int, col: int, absolute: bool = True) -> str:
    return L.cell_ref(row, col, absolute)


def assumption_row(name: str) -> int:
    for i, a in enumerate(ASSUMPTIONS):
        if a.name == name:
            return ASSUMPTION_HEADER_ROW + 1 + i
    raise KeyError(name)


def profile_range() -> str:
    s = L.sheet_of("tblTimprofil")
    row, col = s.table_origin("tblTimprofil")
    col += L.table("tblTimprofil").column_index("value")
    return f"={L.quote_sheet(s.name)}!{ref(row + 1, col)}:{ref(row + 24, col)}"


def offsets_range() -> str:
    """The array constant {0,1,…,N_OFFSETS − 1} (a row: broadcast against a column of hours)."""
    return "={" + ",".join(str(k) for k in range(N_OFFSETS)) + "}"


def sla_cell(level: int, field: str) -> str:
    """The cell of SLA level ``level`` (1-based) in tblSLA on Parametrar."""
    s = L.sheet_of("tblSLA")
    row, col = s.table_origin("tblSLA")
    col += L.table("tblSLA").column_index(field)
    return f"{L.quote_sheet(s.name)}!{ref(row + level, col)}"


def _channel_cells(row: int) -> dict[str, str]:
    return {k: ref(row, col) for k, col in (
        ("v", C_VOLUME), ("h", C_AHT), ("k", C_KIND), ("f", C_CONC), ("pv", C_POOL_VOL),
        ("ph", C_POOL_AHT))}


def _pool_aht(c: dict[str, str]) -> str:
    """The existing volume's handle time, the new one's when it is blank."""
    return f"IF(ISNUMBER({c['ph']}),{c['ph']},{c['h']})"


def constant_formulas(channel: int) -> dict[tuple[int, int], str]:
    """The per-channel constants above the hourly table (both load columns of the channel)."""
    c = _channel_cells(FIRST_CHANNEL_ROW + channel)
    shared, alone = load_col(channel, False), load_col(channel, True)
    work_new = f"{c['v']}*{c['h']}"
    work_all = f"({work_new}+{c['pv']}*{_pool_aht(c)})"
    cap = f'=IF({c["k"]}="{REAL_TIME}",MaxBelaggning,MaxUtnyttjande)'
    return {
        (R_CONST_NAME, shared): f'={ref(FIRST_CHANNEL_ROW + channel, 1)}&" (delad)"',
        (R_CONST_NAME, alone): f'={ref(FIRST_CHANNEL_ROW + channel, 1)}&" (ensam)"',
        (R_CONST_AHT, shared): f"=IF({c['v']}+{c['pv']}>0,60*{work_all}/({c['v']}+{c['pv']})"
                               f"/{c['f']},60*{c['h']}/{c['f']})",
        (R_CONST_AHT, alone): f"=60*{c['h']}/{c['f']}",
        (R_CONST_CAP, shared): cap,
        (R_CONST_CAP, alone): cap,
        (R_CONST_SHARE, shared): f"=IF({c['pv']}>0,{work_new}/{work_all},1)",
        (R_CONST_SHARE, alone): "=1",
    }


def hour_formulas(i: int) -> dict[tuple[int, int], str]:
    """Hour ``i`` (0-based) of the typical day: its label, share and each channel's loads."""
    row = FIRST_HOUR_ROW + i
    share = ref(row, C_SHARE, absolute=False)
    out = {
        (row, C_HOUR): f'=IF({i + 1}<=COUNT({PROFILE_NAME}),Oppnar+{i},"")',
        (row, C_SHARE): f"=IF(COUNT({PROFILE_NAME})>{MAX_HOURS},NA(),"
                        f"IF(ISNUMBER(INDEX({PROFILE_NAME},{i + 1})),"
                        f"INDEX({PROFILE_NAME},{i + 1}),0)/SUM({PROFILE_NAME}))",
    }
    for ch in range(len(CHANNELS)):
        c = _channel_cells(FIRST_CHANNEL_ROW + ch)
        for alone in (False, True):
            col = load_col(ch, alone)
            volume = c["v"] if alone else f"({c['v']}+{c['pv']})"
            aht = ref(R_CONST_AHT, col)
            out[(row, col)] = f"={share}*{volume}/NyDagar*{aht}/3600"
    return out


def _erlang_agents(loads: str, aht: str, cap: str, sl: str, t: str) -> str:
    """Σ over the hours of the smallest agent count meeting the target (see the module doc)."""
    a = f"({loads}+({loads}<=0))"  # POISSON needs a mean > 0; empty hours are masked out
    hi = f"INT({a})+1"
    lo = f"CEILING({a}/{cap},1)"
    n0 = f"(({hi}+{lo}+ABS({hi}-{lo}))/2)"  # elementwise max of two integers

    def service_level(n: str) -> str:
        p = f"POISSON({n},{a},FALSE)"
        return (f"(1-{n}*{p}/(({n}-{a})*POISSON({n},{a},TRUE)+{a}*{p})"
                f"*EXP(-({n}-{a})*{t}/{aht}))")

    on = f"({loads}>0)"
    n = f"({n0}+{OFFSETS_NAME})"
    last = f"({n0}+{N_OFFSETS - 1})"
    return (f"IF(({sl}<=0)+({sl}>=1)+SUMPRODUCT({on}*({service_level(last)}<{sl}))>0,NA(),"
            f"SUMPRODUCT({on}*{n0})+SUMPRODUCT({on}*({service_level(n)}<{sl})))")


def fte_formula(row: int, level_row: int | None, alone: bool = False) -> str:
    """FTE of one channel row: at the chosen level, a result row's level, or alone."""
    sl, t = (("NyServiceniva", "NySvarstid") if level_row is None
             else (ref(level_row, 2), ref(level_row, 3)))
    ch = row - FIRST_CHANNEL_ROW
    col = load_col(ch, alone)
    letter = L.cell_ref(1, col, False)[:-1]
    loads = f"${letter}${FIRST_HOUR_ROW}:${letter}${LAST_HOUR_ROW}"
    aht, cap, share = (ref(r, col) for r in (R_CONST_AHT, R_CONST_CAP, R_CONST_SHARE))
    kind = ref(row, C_KIND)
    agents = (f'IF({kind}<>"{REAL_TIME}",SUM({loads})/{cap},'
              f"{_erlang_agents(loads, aht, cap, sl, t)})")
    return f"={agents}*NyDagar/NyProduktivaTimmar" + ("" if alone else f"*{share}")


def _rounded(x: str) -> str:
    """``x`` rounded to AvrundningSteg, nearest (half away from zero) or up (the engine's rule,
    ``rounding.round_price``, with the step read at run time)."""
    r = f"({x})/AvrundningSteg"
    q = f"ROUND({r},0)"
    up = f"({q}+IF({r}-{q}>1E-12*ABS({r}),1,0))"
    return f'ROUND(IF(AvrundningRiktning="uppåt",{up},{q})*AvrundningSteg,10)'


def result_formulas(row: int, fte_col: int, with_prices: bool = True) -> dict[int, str]:
    """Columns 4.. of a result row: FTE sum, full cost, price per contact, annual fee."""
    ftes = f"{ref(FIRST_CHANNEL_ROW, fte_col)}:{ref(LAST_CHANNEL_ROW, fte_col)}"
    vols = f"{ref(FIRST_CHANNEL_ROW, C_VOLUME)}:{ref(LAST_CHANNEL_ROW, C_VOLUME)}"
    fte, full = ref(row, 4, absolute=False), ref(row, 5, absolute=False)
    out = {4: f"=SUM({ftes})", 5: f"={fte}*NyKostnadPerAa*(1+NyOverhead)"}
    if with_prices:
        out[6] = f"={_rounded(f'{full}/SUM({vols})')}"
        out[7] = f"=ROUND({full},2)"
    return out


def formulas() -> dict[tuple[int, int], str]:
    """Every formula cell of the sheet: (row, col) -> formula."""
    out: dict[tuple[int, int], str] = {}
    for r in range(FIRST_CHANNEL_ROW, LAST_CHANNEL_ROW + 1):
        out[(r, C_FTE)] = fte_formula(r, None)
        for k, col in enumerate(C_FTE_LEVEL):
            out[(r, col)] = fte_formula(r, R_LEVELS[k])
        out[(r, C_FTE_ALONE)] = fte_formula(r, None, alone=True)
    for a in ASSUMPTIONS:
        if a.formula:
            out[(assumption_row(a.name), 2)] = a.formula
    for c, f in result_formulas(R_CHOSEN, C_FTE).items():
        out[(R_CHOSEN, c)] = f
    for k, row in enumerate(R_LEVELS, start=1):
        out[(row, 2)] = "=" + sla_cell(k, "service_level")
        out[(row, 3)] = "=" + sla_cell(k, "answer_time_s")
        for c, f in result_formulas(row, C_FTE_LEVEL[k - 1]).items():
            out[(row, c)] = f
    for c, f in result_formulas(R_ALONE, C_FTE_ALONE, with_prices=False).items():
        out[(R_ALONE, c)] = f
    for ch in range(len(CHANNELS)):
        out.update(constant_formulas(ch))
    for i in range(MAX_HOURS):
        out.update(hour_formulas(i))
    return out


def defined_names() -> dict[str, str]:
    """Workbook-scoped names of the sheet: name -> reference ("='Ny tjänst'!$B$12")."""
    q = L.quote_sheet(L.NY_TJANST)
    names = {a.name: f"={q}!{ref(assumption_row(a.name), 2)}" for a in ASSUMPTIONS}
    names.update({n: f"={q}!{ref(R_CHOSEN, c)}" for n, c in RESULT_NAMES.items()})
    names[PROFILE_NAME] = profile_range()
    names[OFFSETS_NAME] = offsets_range()
    return names


NOTE = ("Gula celler fylls i; blå räknas med vanliga kalkylbladsformler (ingen Python behövs: "
        "Excel för Windows, Mac och webben, LibreOffice) och skrivs aldrig av Beräkna priser.")
METHOD_NOTE = (f"Metod: en typisk öppetdag, timme för timme enligt Profil, med Erlang C för "
               f"realtidskanaler. Mot modellens beräkning över årets alla öppettimmar avviker "
               f"årsarbetarna med högst ±{TOLERANCE:.0%}".replace("%", " %") + ".")
HOURS_NOTE = (f"Varje öppettimme i Profil (högst {MAX_HOURS}), dess andel av dagens kontakter "
              "och kanalernas last i erlang.")


def write_sheet(book, ws, st, sheet: L.Sheet) -> None:
    """Write the sheet with xlsxwriter (``st``: the builder's styles)."""
    head = st(bold=True, text_wrap=True, valign="top", font_color="#FFFFFF", bg_color="#1F4E78")
    note = st(italic=True, font_color="#595959")
    ws.write_string(0, 0, sheet.name, st(bold=True, font_size=14, font_color="#1F4E78"))
    ws.write_string(1, 0, sheet.purpose, note)
    ws.write_string(2, 0, NOTE, st(bold=True, font_color="#1F4E78"))
    fx = formulas()

    def write(row: int, col: int, value: Any, fmt) -> None:
        if (row, col) in fx:
            ws.write_formula(row - 1, col - 1, fx[(row, col)], fmt)
        elif value is None:
            ws.write_blank(row - 1, col - 1, None, fmt)
        elif isinstance(value, str):
            ws.write_string(row - 1, col - 1, value, fmt)
        else:
            ws.write_number(row - 1, col - 1, value, fmt)

    # Volym per kanal
    ws.write_string(CHANNEL_TITLE_ROW - 1, 0, "Volym per kanal", st(bold=True, font_size=12))
    for j, c in enumerate(CHANNEL_COLUMNS, start=1):
        ws.write_string(CHANNEL_HEADER_ROW - 1, j - 1, c.header, head)
        ws.set_column(j - 1, j - 1, c.width)
    ws.set_row(CHANNEL_HEADER_ROW - 1, 45)
    for i, values in enumerate(CHANNELS):
        r = FIRST_CHANNEL_ROW + i
        for j, c in enumerate(CHANNEL_COLUMNS, start=1):
            v = values[j - 1] if j <= len(values) else None
            write(r, j, v, st.cell(c.role, c.number_format))
    ws.data_validation(FIRST_CHANNEL_ROW - 1, C_KIND - 1, LAST_CHANNEL_ROW - 1, C_KIND - 1, {
        "validate": "list", "source": [REAL_TIME, "uppskjuten"],
        "error_title": "Ogiltigt värde", "error_message": "Välj realtid eller uppskjuten."})

    # Antaganden
    ws.write_string(ASSUMPTION_TITLE_ROW - 1, 0, "Antaganden", st(bold=True, font_size=12))
    for j, h in enumerate(("Antagande", "Värde", "Enhet", "Förklaring"), start=1):
        ws.write_string(ASSUMPTION_HEADER_ROW - 1, j - 1, h, head)
    for a in ASSUMPTIONS:
        r = assumption_row(a.name)
        ws.write_string(r - 1, 0, a.label)
        write(r, 2, a.value, st.cell(a.role, a.number_format))
        if a.unit and not L.format_shows_unit(a.number_format, a.unit):
            ws.write_string(r - 1, 2, a.unit, st(indent=1))
        if a.note:
            ws.write_string(r - 1, 3, a.note, note)

    r = assumption_row("NyServiceniva") - 1
    ws.data_validation(r, 1, r, 1, {
        "validate": "decimal", "criteria": "between", "minimum": 0.01, "maximum": 0.999,
        "error_title": "Ogiltig servicenivå",
        "error_message": "Ange en andel mellan 1 % och 99,9 % (100 % kräver oändligt många "
                         "agenter)."})

    # Resultat
    ws.write_string(RESULT_TITLE_ROW - 1, 0, "Resultat", st(bold=True, font_size=12))
    for j, (h, _, _) in enumerate(RESULT_HEADERS, start=1):
        ws.write_string(RESULT_HEADER_ROW - 1, j - 1, h, head)
    ws.set_row(RESULT_HEADER_ROW - 1, 34)  # two lines: "Självkostnad per år"
    labels = {R_CHOSEN: "Vald servicenivå",
              **{row: f"SLA-nivå {k}" for k, row in enumerate(R_LEVELS, start=1)},
              R_ALONE: "Fristående (i egen regi)"}
    for row, label in labels.items():
        ws.write_string(row - 1, 0, label, st(bold=row == R_CHOSEN))
        for j, (_, fmt, _) in enumerate(RESULT_HEADERS[1:], start=2):
            if (row, j) in fx:
                write(row, j, None, st.cell("output", fmt, bold=row == R_CHOSEN))
            elif row == R_CHOSEN and j in (2, 3):
                ws.write_string(row - 1, j - 1, "se Antaganden", note)
    ws.write_string(R_ALONE, 0, "SLA-nivåerna är de tre första raderna i tabellen SLA-nivåer på "
                                "bladet Parametrar. Fristående: varje kanal bemannas ensam, utan "
                                "befintlig volym att dela agenter med.", note)
    ws.write_string(METHOD_NOTE_ROW - 1, 0, METHOD_NOTE, note)

    # Underlag per timme
    ws.write_string(HOURS_TITLE_ROW - 1, 0, "Underlag per timme", st(bold=True, font_size=12))
    ws.write_string(HOURS_TITLE_ROW - 1, 2, HOURS_NOTE, note)
    for r, (label, fmt) in zip((R_CONST_NAME, R_CONST_AHT, R_CONST_CAP, R_CONST_SHARE),
                               CHANNEL_CONSTANTS, strict=True):
        ws.write_string(r - 1, 1, label, st(bold=True, align="right"))
        for ch in range(len(CHANNELS)):
            for alone in (False, True):
                col = load_col(ch, alone)
                bold = {"bold": True} if r == R_CONST_NAME else {}
                write(r, col, None, st.cell("output", fmt, **bold))
    ws.set_row(HOURS_HEADER_ROW - 1, 30)  # two lines: "Last delad (erlang)"
    for j, h in enumerate(("Timme", "Andel av dagen"), start=1):
        ws.write_string(HOURS_HEADER_ROW - 1, j - 1, h, head)
    for ch in range(len(CHANNELS)):
        for alone in (False, True):
            ws.write_string(HOURS_HEADER_ROW - 1, load_col(ch, alone) - 1,
                            "Last ensam (erlang)" if alone else "Last delad (erlang)", head)
    for i in range(MAX_HOURS):
        r = FIRST_HOUR_ROW + i
        write(r, C_HOUR, None, st.cell("output", L.FMT_HOUR_OF_DAY, align="left"))
        write(r, C_SHARE, None, st.cell("output", L.FMT_PCT))
        for ch in range(len(CHANNELS)):
            for alone in (False, True):
                write(r, load_col(ch, alone), None, st.cell("output", FMT_LOAD))
    for name, target in defined_names().items():
        book.define_name(name, target)
