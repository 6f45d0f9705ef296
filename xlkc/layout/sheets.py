"""The sheets in workbook order, the Start sheet, xlwings.conf and lookups over them."""

from __future__ import annotations

from collections.abc import Iterator

from xlkc.layout.core import (
    HEADER_ROW,
    LIST_CAPACITY,
    Chart,
    NamedCell,
    Sheet,
    Table,
    cell_ref,
    quote_sheet,
)
from xlkc.layout.input_tables import (
    OUTCOME_YEAR_CELLS,
    PARAMETER_CELLS,
    PREVIOUS_YEAR_CELLS,
    STATUS_CELLS,
    T_ANSWER_GROUPS,
    T_CHANNELS,
    T_CONTACTS,
    T_COSTS,
    T_CUSTOMER_VOLUMES,
    T_CUSTOMERS,
    T_FUND,
    T_GROUP_PROFILES,
    T_HOURS,
    T_MONTHS,
    T_OUTCOMES,
    T_POOLS,
    T_PREVIOUS,
    T_QUEUES,
    T_SERVICES,
    T_SLA,
    T_STAFF,
    T_UNITS,
    T_WEEKDAYS,
)
from xlkc.layout.output_tables import (
    CHART_BRIDGE,
    CHART_COST,
    CHART_POOLING,
    T_ALLOCATION,
    T_BOARD,
    T_BRIDGE,
    T_CHARGES,
    T_CHECKS,
    T_COST,
    T_CUSTOMER_TOTALS,
    T_FLOWS,
    T_FUND_OUT,
    T_INHOUSE,
    T_POOL_COST,
    T_POOL_STAFFING,
    T_PRICE_BRIDGE,
    T_PRICES,
    T_QUALITY,
    T_QUEUE_STATS,
    T_RUNLOG,
    T_SLA_PRICES,
    T_STAFFING,
    T_STAT_FINDINGS,
    T_STATEMENT,
)
from xlkc.layout.version_tables import (
    T_CMP_CUSTOMERS,
    T_CMP_PRICES,
    T_CMP_SERVICES,
    T_VERSION_CUSTOMERS,
    T_VERSION_PRICES,
    T_VERSION_SERVICES,
    T_VERSIONS,
    VERSION_CELLS,
)

# --- sheets ---------------------------------------------------------------------------------------

START_TITLE = "Prismodell Kontaktcenter"
START_PURPOSE = (
    "Räknar fram årsarbetare, självkostnad och pris per tjänst enligt självkostnadsprincipen: "
    "över tid betalar kunderna vad tjänsterna kostar, varken mer eller mindre."
)
START_STEPS = (
    "Fyll i Parametrar: prisår, arbetstid, frånvaro, PO-pålägg, lönerevision och avrundning.",
    "Fyll i Tjänster, Kanaler och Kontakter: volymer och hanteringstider med källa.",
    "Fyll i Profil, Personal, Kostnader och Overhead.",
    "Fyll i Kunder, Kundvolymer, Föregående prislista och Utfall.",
    "Klicka Validera indata och rätta det som rapporteras.",
    "Klicka Beräkna priser: resultatbladen fylls i; med ett namn på bladet Versioner sparas "
    "beräkningen som version.",
    "Granska Prislista, Kunddebitering och Avstämning; Prisbrygga och Jämförelse förklarar "
    "förändringen.",
    "Nästa år: klicka Nytt prisår; skriv sedan in bokslutet i Utfall i den nya arbetsboken.",
)
#: The colour legend on Start: (cell role, word in the coloured cell, explanation beside it).
LEGEND = (
    ("input", "Indata", "Gula celler: fylls i av controller."),
    ("output", "Beräknat", "Blå celler: skrivs av modellen – skriv inte här."),
)
#: The buttons on Start: (caption, macro).
BUTTONS = (
    ("Beräkna priser", "Prismodell.BeraknaPriser"),
    ("Validera indata", "Prismodell.ValideraIndata"),
    ("Skapa PDF", "Prismodell.SkapaPDF"),
    ("Importera statistik", "Prismodell.ImporteraStatistik"),
    ("Testa kopplingen", "Prismodell.TestaKopplingen"),
    ("Nytt prisår", "Prismodell.NyttPrisar"),
)
#: Button size and gap (pixels); they sit in a row beside the year.
BUTTON_SIZE = (180, 40)
BUTTON_GAP = 16
#: Buttons per row: three side by side fit column C on a landscape A4 page.
BUTTONS_PER_ROW = 3
#: Header of the status block on Start (its rows are ``STATUS_CELLS``).
STATUS_HEADER = ("Senaste körning", "Värde")
#: Position of the Start sheet's blocks (1-based rows).
START_YEAR_ROW = 4
START_STEPS_ROW = 6
START_LEGEND_ROW = 23  # below the status block (STATUS_CELLS), one empty row between

CONFIG_SHEET = "xlwings.conf"

#: The calculator sheet for a new service (geometry and formulas: ``xlkc.workbook.ny_tjanst``).
#: Inputs in yellow, results in blue computed by plain worksheet formulas (no Python needed);
#: neither read by the reader nor written by Beräkna priser. Its role is "info":
#: the engine does not need it.
NY_TJANST = "Ny tjänst"
NY_TJANST_PURPOSE = ("Prissätt en ny eller ändrad tjänst innan den finns: volym, hanteringstid och "
                     "servicenivå in, årsarbetare, självkostnad och pris ut.")

#: The price principles, in a few lines (Prislista för beslut and its PDF).
PRICE_PRINCIPLES = (
    "Priserna följer självkostnadsprincipen: över tid betalar kunderna vad tjänsterna kostar. "
    "Självkostnaden är personalkostnad efter bemanning per svarsgrupp, direkta kostnader och "
    "overhead fördelad med nycklar; fjolårets över- eller underskott återförs. Samma tjänst har "
    "samma pris för alla kunder; bastjänster betalas med en årsavgift fördelad efter nyckel, "
    "tilläggstjänster per kontakt, minut eller timme."
)

SHEETS: tuple[Sheet, ...] = (
    Sheet("Start", START_PURPOSE, "info", named_cells=STATUS_CELLS, named_cells_origin=(15, 1),
          freeze=False, fit_to_width=False, print_titles=False, code_name="shStart"),
    Sheet("Parametrar", "Årets parametrar för arbetstid, kostnad och pris.", "input",
          tables=(T_SLA,), named_cells=PARAMETER_CELLS, first_table_col=6,
          code_name="shParametrar"),
    Sheet("Tjänster", "Tjänstekatalogen: en rad per tjänst med prismodell; kontaktcentrets enheter.", "input",
          tables=(T_SERVICES, T_UNITS), code_name="shTjanster"),
    Sheet("Kontakter", "Volym och hanteringstid per tjänst och kanal, med källa för varje värde.",
          "input", tables=(T_CONTACTS,), code_name="shKontakter"),
    Sheet("Kanaler", "Kanalernas typ och servicenivå; svarsgrupper som avviker.", "input",
          tables=(T_CHANNELS, T_ANSWER_GROUPS), code_name="shKanaler"),
    Sheet("Profil", "Hur årsvolymen fördelas över månader, veckodagar och öppettimmar; "
          "svarsgrupper med egen profil (från statistiken) till höger.", "input",
          tables=(T_MONTHS, T_HOURS, T_WEEKDAYS, T_GROUP_PROFILES), code_name="shProfil"),
    Sheet("Köer", "Köerna i telefoni- och ärendesystemens statistik och vilken tjänst och kanal "
          "de hör till (Importera statistik).", "input", tables=(T_QUEUES,), code_name="shKoer"),
    Sheet("Personal", "Personalkategorier: månadslön, roll och bemanning av overheadpersonal.",
          "input", tables=(T_STAFF,), code_name="shPersonal"),
    Sheet("Kostnader", "Kostnader utöver lön: direkta, per plats och per minut.", "input",
          tables=(T_COSTS,), code_name="shKostnader"),
    Sheet("Overhead", "Kostnadspooler: nivå, belopp, fördelningsnyckel och ordning.", "input",
          tables=(T_POOLS,), code_name="shOverhead"),
    Sheet("Kunder", "Kunderna (nämnder och bolag) med nyckeltal för avgiftsfördelning.", "input",
          tables=(T_CUSTOMERS,), code_name="shKunder"),
    Sheet("Kundvolymer", "Vad varje kund väntas ta av varje tjänst.", "input",
          tables=(T_CUSTOMER_VOLUMES,), code_name="shKundvolymer"),
    Sheet("Föregående prislista", "Fjolårets beslutade priser, för jämförelse.", "input",
          tables=(T_PREVIOUS,), code_name="shForegaende", named_cells=PREVIOUS_YEAR_CELLS,
          named_cells_origin=(HEADER_ROW, len(T_PREVIOUS.columns) + 2)),
    Sheet("Utfall", "Fjolårets utfall per tjänst: intäkt och kostnad, och för prisbryggan volym, "
          "arbetsbelastning, årsarbetare, personalkostnad och overhead.", "input",
          tables=(T_OUTCOMES,), code_name="shUtfall", named_cells=OUTCOME_YEAR_CELLS,
          named_cells_origin=(HEADER_ROW, len(T_OUTCOMES.columns) + 2)),
    Sheet("Resultatfond", "Tidigare års över- och underskott som återstår att återföra, per "
          "tjänst eller prisgrupp och ursprungsår.", "input", tables=(T_FUND,),
          code_name="shResultatfond"),
    Sheet(NY_TJANST, NY_TJANST_PURPOSE, "info", freeze=False, print_titles=False,
          code_name="shNyTjanst"),
    Sheet("Bemanning", "Årsarbetare per tjänst och kanal, och per svarsgrupp.", "output",
          tables=(T_STAFFING, T_POOL_STAFFING), code_name="shBemanning",
          charts=(CHART_POOLING,)),
    Sheet("Självkostnad", "Självkostnad per tjänst, varje kostnadsslag synligt.", "output",
          tables=(T_COST,), code_name="shSjalvkostnad", charts=(CHART_COST,)),
    Sheet("Fördelning", "Hur varje kostnadspool fördelas: poolens egen kostnad och vad den "
          "tar emot från andra pooler, fördelat efter mottagarnas nyckeltal (metoden står i "
          "kolumnen Metod); till höger var varje pools kostnad till sist hamnar.", "output",
          tables=(T_POOL_COST, T_FLOWS, T_ALLOCATION), code_name="shFordelning"),
    Sheet("Prislista", "Prislistan för prisåret, jämförd med föregående år.", "output",
          tables=(T_PRICES,), code_name="shPrislista"),
    Sheet("Prislista för beslut", PRICE_PRINCIPLES, "output", tables=(T_BOARD,),
          code_name="shPrislistaBeslut"),
    Sheet("Kunddebitering", "Vad varje kund betalar per tjänst.", "output",
          tables=(T_CHARGES,), code_name="shKunddebitering"),
    Sheet("Kundspecifikation", "Varje kunds specifikation: tjänsterna den köper, nyckeln som "
          "gav dess andel av en avgift, pris, debitering och fjolårets debitering, med en "
          "summarad per kund.", "output", tables=(T_STATEMENT,), code_name="shKundspec"),
    Sheet("Kundsummor", "Summa per kund, jämförd med föregående år.", "output",
          tables=(T_CUSTOMER_TOTALS,), code_name="shKundsummor"),
    Sheet("Kundjämförelse", "Vad kunden skulle betala om den gjorde arbetet själv: sin volym "
          "bemannad ensam, med egen lön, frånvaro och overhead, mot debiteringen.", "output",
          tables=(T_INHOUSE,), code_name="shKundjamforelse"),
    Sheet("Prisbrygga", "Varför priset ändrats sedan i fjol, i kr per prisenhet (effekterna "
          "summerar till förändringen); bredvid: självkostnadens förändring och effektivisering "
          "per kontakt.", "output",
          tables=(T_PRICE_BRIDGE, T_BRIDGE), code_name="shPrisbrygga", charts=(CHART_BRIDGE,)),
    Sheet("SLA-pris", "Realtidstjänsternas pris vid andra servicenivåer.", "output",
          tables=(T_SLA_PRICES,), code_name="shSLApris"),
    Sheet("Avstämning", "Kontroller: att varje krona kommer med och att priserna täcker kostnaden.",
          "output", tables=(T_CHECKS,), code_name="shAvstamning"),
    Sheet("Fondavräkning", "Resultatfonden i år: ingående saldo + årets resultat − återfört i "
          "priserna = utgående saldo, per tjänst eller prisgrupp och ursprungsår.", "output",
          tables=(T_FUND_OUT,), code_name="shFondavrakning"),
    Sheet("Datakvalitet", "Hur stor del av arbetsbelastning och kostnad som vilar på statistik, "
          "värdering och målvärde.", "output", tables=(T_QUALITY,), code_name="shDatakvalitet"),
    Sheet("Statistikkvalitet", "Senaste statistikimporten: köernas utfall mot målen och "
          "fynd i filerna (saknade dagar och intervall, dubbletter, orimliga värden).", "output",
          tables=(T_QUEUE_STATS, T_STAT_FINDINGS), code_name="shStatistikkvalitet"),
    Sheet("Jämförelse", "Årets beräkning bredvid en sparad version (vald på bladet Versioner): "
          "pris, självkostnad och årsarbetare per tjänst, debitering per kund och förändringen.",
          "output", tables=(T_CMP_PRICES, T_CMP_SERVICES, T_CMP_CUSTOMERS),
          code_name="shJamforelse"),
    Sheet("Versioner", "Sparade versioner av prislistan (förslag och beslutad) med nyckeltal, "
          "prislista, självkostnad och summa per kund. En beslutad version ändras aldrig.",
          "output", tables=(T_VERSIONS, T_VERSION_PRICES, T_VERSION_SERVICES,
                            T_VERSION_CUSTOMERS),
          named_cells=VERSION_CELLS, first_table_col=6, code_name="shVersioner"),
    Sheet("Körlogg", "Varje körning: tid, kommando, resultat och meddelanden.", "output",
          tables=(T_RUNLOG,), code_name="shKorlogg"),
    Sheet(CONFIG_SHEET, "Inställningar för xlwings (läses av VBA-modulen xlwings).", "config",
          freeze=False, print_titles=False, gridlines=True, code_name="shXlwingsConf"),
)


# --- lookups --------------------------------------------------------------------------------------

def sheet(name: str) -> Sheet:
    for s in SHEETS:
        if s.name == name:
            return s
    raise KeyError(f"okänt blad {name!r}")


def iter_tables() -> Iterator[tuple[Sheet, Table]]:
    for s in SHEETS:
        for t in s.tables:
            yield s, t


def table(name: str) -> Table:
    for _, t in iter_tables():
        if t.name == name:
            return t
    raise KeyError(f"okänd tabell {name!r}")


def sheet_of(table_name: str) -> Sheet:
    for s, t in iter_tables():
        if t.name == table_name:
            return s
    raise KeyError(f"okänd tabell {table_name!r}")


def input_tables() -> tuple[Table, ...]:
    return tuple(t for s, t in iter_tables() if s.role == "input")


def output_tables() -> tuple[Table, ...]:
    return tuple(t for s, t in iter_tables() if s.role == "output")


def carried_tables() -> tuple[Table, ...]:
    """Output tables read back from the workbook and carried from run to run (Versioner)."""
    return tuple(t for t in output_tables() if t.carried)


def named_cells() -> tuple[tuple[Sheet, NamedCell], ...]:
    return tuple((s, nc) for s in SHEETS for nc in s.named_cells)


def named_cell(name: str) -> tuple[Sheet, NamedCell]:
    for s, nc in named_cells():
        if nc.name == name:
            return s, nc
    raise KeyError(f"okänt namn {name!r}")


def named_cell_ref(name: str) -> str:
    """The absolute reference of a named cell: ='Parametrar'!$B$6."""
    s, _ = named_cell(name)
    row, col = s.named_cell_position(name)
    return f"={quote_sheet(s.name)}!{cell_ref(row, col, absolute=True)}"


def charts() -> tuple[tuple[Sheet, Chart], ...]:
    return tuple((s, c) for s in SHEETS for c in s.charts)


def chart_ranges(chart: Chart, n_rows: int) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The formulas of a chart over a table with ``n_rows`` data rows (at least one): its
    categories, and per series (name cell, values), e.g. 'Självkostnad'!$A$6:$A$17."""
    s = sheet_of(chart.table)
    t = table(chart.table)
    row, col = s.table_origin(chart.table)
    first, last = row + 1, row + max(n_rows, 1)
    q = quote_sheet(s.name)

    def rng(field: str) -> str:
        c = col + t.column_index(field)
        return f"{q}!{cell_ref(first, c, True)}:{cell_ref(last, c, True)}"

    return rng(chart.category), tuple(
        (f"{q}!{cell_ref(row, col + t.column_index(f), True)}", rng(f)) for f in chart.values)


def table_range(table_name: str, n_rows: int) -> str:
    """The A1 range of a table with ``n_rows`` data rows (at least one, as Excel requires)."""
    s = sheet_of(table_name)
    row, col = s.table_origin(table_name)
    t = table(table_name)
    last_row = row + max(n_rows, 1)
    return f"{cell_ref(row, col)}:{cell_ref(last_row, col + len(t.columns) - 1)}"


def lists() -> dict[str, tuple[str, str]]:
    """Defined names behind id drop-downs: list name -> (table name, field of its first column)."""
    return {t.list_name: (t.name, t.columns[0].field) for _, t in iter_tables() if t.list_name}


def list_name_for(ref: tuple[str, str]) -> str:
    """The defined name of the list behind a reference ("tblTjanster", "service_id")."""
    tbl, fld = ref
    t = table(tbl)
    if t.list_name is None or t.columns[0].field != fld:
        raise KeyError(f"{tbl}.{fld} har ingen lista")
    return t.list_name


def list_ref(list_name: str) -> str:
    """The defined name's formula: ='Tjänster'!$A$6:$A$505."""
    tbl, fld = lists()[list_name]
    s = sheet_of(tbl)
    row, col = s.table_origin(tbl)
    col += table(tbl).column_index(fld)
    first, last = row + 1, row + LIST_CAPACITY
    return (f"={quote_sheet(s.name)}!{cell_ref(first, col, True)}:"
            f"{cell_ref(last, col, True)}")

#: The sheet xlwings.conf, from A1 down: (key, value, Swedish explanation). The xlwings VBA module
#: reads column A from A1 to the first empty cell, and the value beside each key; booleans are the
#: text True/False (a localised FALSKT may break the VBA).
XLWINGS_CONFIG: tuple[tuple[str, str, str], ...] = (
    ("INTERPRETER_WIN", r"%LOCALAPPDATA%\Programs\Python\Python311\pythonw.exe",
     "Windows: full sökväg till pythonw.exe (eller python.exe) där xlkc är installerat."),
    ("INTERPRETER_MAC", "/Library/Frameworks/Python.framework/Versions/3.11/bin/python3",
     "macOS: full sökväg till python3 där xlkc är installerat."),
    ("PYTHONPATH", "", "Extra mappar för Python, åtskilda med semikolon. Tomt: inga."),
    ("UDF MODULES", "xlkc_udfs", "Python-modulen med kalkylbladsfunktionerna."),
    ("USE UDF SERVER", "False", "True: en Python-process för alla anrop (snabbare)."),
    ("ADD_WORKBOOK_TO_PYTHONPATH", "True", "Lägg arbetsbokens mapp i Pythons sökväg."),
    ("SHOW CONSOLE", "False", "True: visa ett konsolfönster vid körning (felsökning)."),
)
