"""The sheet Ny tjänst: price a new or changed service with the worksheet functions.

Three blocks, all at fixed positions (1-based rows/columns, defined here once and used by the
builder and the tests):

- **Volym per kanal** (header row :data:`CHANNEL_HEADER_ROW`): one row per channel with its type,
  volume per year, handle time (min), concurrency and, optionally, the existing volume of the
  answer group it would join (yellow); then its FTE at the chosen service level (shared with the
  existing volume), at the three SLA levels of Parametrar, and staffed alone (blue, one
  ``KC_ARSARBETARE`` per cell);
- **Antaganden** (header row :data:`ASSUMPTION_HEADER_ROW`): service level, answer time, monthly
  salary, overhead rate and open days (yellow); productive hours and cost per FTE (blue). PO,
  salary revision, occupancy caps and rounding come from Parametrar's named cells, the hourly
  profile from Profil;
- **Resultat** (header row :data:`RESULT_HEADER_ROW`): per level FTE, full cost, price per
  contact and the full cost as a fixed annual fee; the last row is the stand-alone (in-house) FTE
  and its full cost.

Few formula cells; only workbook-scoped names and plain functions (SUM, the KC_ UDFs).
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
               formula="=KC_PRODUKTIVA_TIMMAR(Arbetsdagar,TimmarPerDag,Semesterdagar,"
                       "Sjukfranvaro,Utbildning,OvrigFranvaro,TotaltBortfall)",
               unit="tim", note="Från Parametrar."),
    Assumption("NyKostnadPerAa", "Kostnad per åa", "output", L.FMT_KR,
               formula="=KC_KOSTNAD_PER_AA(NyManadslon,PO_palagg,Lonerevision)", unit="kr",
               note="Månadslön × 12 × (1 + lönerevision) × (1 + PO)."),
)
#: The hourly profile the FTE formulas use: Profil's share column, room for 24 open hours.
PROFILE_NAME = "NyTimprofil"

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


def sla_cell(level: int, field: str) -> str:
    """The cell of SLA level ``level`` (1-based) in tblSLA on Parametrar."""
    s = L.sheet_of("tblSLA")
    row, col = s.table_origin("tblSLA")
    col += L.table("tblSLA").column_index(field)
    return f"{L.quote_sheet(s.name)}!{ref(row + level, col)}"


def fte_formula(row: int, level_row: int | None, alone: bool = False) -> str:
    """KC_ARSARBETARE for one channel row: at the chosen level, a result row's level, or alone."""
    sl, t = (("NyServiceniva", "NySvarstid") if level_row is None
             else (ref(level_row, 2), ref(level_row, 3)))
    c = {k: ref(row, col, absolute=False) for k, col in (
        ("v", C_VOLUME), ("h", C_AHT), ("k", C_KIND), ("f", C_CONC), ("pv", C_POOL_VOL),
        ("ph", C_POOL_AHT))}
    args = [c["v"], c["h"], c["k"], sl, t, "MaxBelaggning", "MaxUtnyttjande", c["f"],
            "NyProduktivaTimmar", PROFILE_NAME, "NyDagar"]
    if not alone:
        args += [c["pv"], c["ph"]]
    return "=KC_ARSARBETARE(" + ",".join(args) + ")"


def result_formulas(row: int, fte_col: int, with_prices: bool = True) -> dict[int, str]:
    """Columns 4.. of a result row: FTE sum, full cost, price per contact, annual fee."""
    ftes = f"{ref(FIRST_CHANNEL_ROW, fte_col)}:{ref(LAST_CHANNEL_ROW, fte_col)}"
    vols = f"{ref(FIRST_CHANNEL_ROW, C_VOLUME)}:{ref(LAST_CHANNEL_ROW, C_VOLUME)}"
    fte = ref(row, 4, absolute=False)
    out = {4: f"=SUM({ftes})",
           5: f"=KC_SJALVKOSTNAD({fte},NyKostnadPerAa,NyOverhead)"}
    if with_prices:
        price = f"KC_PRIS({fte},NyKostnadPerAa,NyOverhead,{vols},AvrundningSteg,AvrundningRiktning"
        out[6] = f"={price})"
        out[7] = f'={price},"årsavgift")'
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
    return out


def defined_names() -> dict[str, str]:
    """Workbook-scoped names of the sheet: name -> reference ("='Ny tjänst'!$B$12")."""
    q = L.quote_sheet(L.NY_TJANST)
    names = {a.name: f"={q}!{ref(assumption_row(a.name), 2)}" for a in ASSUMPTIONS}
    names.update({n: f"={q}!{ref(R_CHOSEN, c)}" for n, c in RESULT_NAMES.items()})
    names[PROFILE_NAME] = profile_range()
    return names


def write_sheet(book, ws, st, sheet: L.Sheet) -> None:
    """Write the sheet with xlsxwriter (``st``: the builder's styles)."""
    head = st(bold=True, text_wrap=True, valign="top", font_color="#FFFFFF", bg_color="#1F4E78")
    note = st(italic=True, font_color="#595959")
    ws.write_string(0, 0, sheet.name, st(bold=True, font_size=14, font_color="#1F4E78"))
    ws.write_string(1, 0, sheet.purpose, note)
    ws.write_string(2, 0, "Gula celler fylls i. Blå celler räknas i Excel av funktionerna KC_… "
                          "(Python med xlkc, se bladet xlwings.conf); skrivs aldrig av Beräkna "
                          "priser.", st(bold=True, font_color="#1F4E78"))
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
        "validate": "list", "source": ["realtid", "uppskjuten"],
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
    for name, target in defined_names().items():
        book.define_name(name, target)
