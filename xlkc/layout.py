"""The workbook's layout, defined once.

Every sheet of ``Prismodell.xlsm``: its Swedish name, purpose, the Excel Tables on it (columns with
Swedish headers, code field, kind, unit, number format, allowed values) and its named cells. The
builder, the reader, the writer and the tests use this module; nothing else hard-codes a sheet name,
a header or a cell address.

Geometry (all 1-based Excel rows/columns):

- row 1 the sheet title, row 2 its purpose, row 3 a note (outputs: "Fylls av Beräkna priser ...");
- every table's header row is :data:`HEADER_ROW`, its first data row the one below it; the header
  row is frozen;
- the named-cell block of a sheet (``Sheet.named_cells``) starts at ``Sheet.named_cells_origin``:
  a header row (Parameter, Värde, Enhet, Förklaring), then one row per named cell with its value
  in the second column;
- tables sit side by side from ``Sheet.first_table_col``, one empty column between them.

Values in a column are ``to_code``/``to_sheet`` converted by ``Column.scale``: the dataclass holds
``aht_s`` (seconds), the sheet shows minutes (``scale=60``): ``code = sheet * scale``.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from xlkc import inputs as I  # noqa: N812
from xlkc import results as R  # noqa: N812

# --- number formats (Excel localises separators; these work with a Swedish locale) -------------
# A unit is shown once. Headers name it in parentheses ("Hanteringstid (min)") and the number
# format is plain; only money and percentages carry "kr"/"%" in the format, where the header does
# not already name the unit (``_kr`` drops "kr" from the format of a "... (kr)" column). Named
# cells show the other units in their Enhet column.
FMT_TEXT = "@"
FMT_INT = "#,##0"
FMT_NUM = "#,##0.00"
FMT_FACTOR = "0.00"
FMT_KR = '#,##0 "kr"'
FMT_KR2 = '#,##0.00 "kr"'
FMT_PCT = "0.0%"
FMT_HOURS = "#,##0.0"
FMT_MIN = "#,##0.0"
FMT_SEC = "#,##0"
FMT_FTE = "#,##0.00"
FMT_DATETIME = "yyyy-mm-dd hh:mm:ss"
FMT_HOUR_OF_DAY = '00":00"'



def format_shows_unit(number_format: str | None, unit: str) -> bool:
    """True when ``number_format`` already prints ``unit`` ("kr" in '#,##0 "kr"', "%" in 0.0%)."""
    if not number_format or not unit:
        return False
    if unit == "%":
        return "%" in number_format
    return f'"{unit}"' in number_format or f'" {unit}"' in number_format


def without_unit(number_format: str) -> str:
    """'#,##0.00 "kr"' -> '#,##0.00'."""
    return re.sub(r'\s*"[^"]*"\s*$', "", number_format)


#: Width of a column in Excel's units (the width of "0" in the body font) per character of a bold
#: header word, and the room kept for the filter button of an Excel Table's header cell.
HEADER_CHAR_WIDTH = 1.05
FILTER_BUTTON_WIDTH = 2.0
#: Characters of a bold header per unit of column width when wrapping (the filter button sits
#: at the bottom right, below a top-aligned header's first lines).
HEADER_CHARS_PER_WIDTH = 1.05
#: Header row height (points) per line of wrapped header text, plus padding.
HEADER_LINE_HEIGHT = 15.0


def header_min_width(header: str) -> float:
    """The narrowest column in which no word of ``header`` is broken."""
    longest = max((len(w) for w in header.split()), default=0)
    return round(longest * HEADER_CHAR_WIDTH + FILTER_BUTTON_WIDTH, 1)


def header_lines(header: str, width: float) -> int:
    """How many lines ``header`` wraps to in a column ``width`` wide (greedy, whole words)."""
    room = max(width * HEADER_CHARS_PER_WIDTH - 1, 1.0)
    lines, used = 1, -1.0
    for word in header.split():
        need = len(word) + (1 if used >= 0 else 0)
        if used >= 0 and used + need > room:
            lines, used = lines + 1, len(word)
        else:
            used = max(used, 0) + need
    return lines


#: Column kinds. "enum": allowed is a StrEnum or a tuple; "ref": allowed is "tblX.field", an id
#: defined in another table; "list": a comma-separated text holding a tuple of ids; "bool": the
#: writer writes True/False as "Ja"/"Nej".
KINDS = ("text", "number", "integer", "share", "money", "enum", "ref", "list", "bool", "datetime")

HEADER_ROW = 5
FIRST_DATA_ROW = HEADER_ROW + 1
#: Rows covered by the defined names behind id drop-downs (``lstTjanster`` ...).
LIST_CAPACITY = 500
#: The note on every output sheet (row 3).
OUTPUT_NOTE = "Fylls av Beräkna priser – skriv inte här."
#: The text of a True/False cell in output tables.
BOOL_TEXT = {True: "Ja", False: "Nej"}


@dataclass(frozen=True)
class Column:
    field: str  # the dataclass field or result DataFrame column
    header: str  # Swedish header shown in the workbook
    kind: str = "text"
    unit: str = ""
    number_format: str | None = None
    allowed: type[StrEnum] | tuple[str, ...] | str | None = None
    required: bool = False
    width: float = 14.0
    note: str = ""
    scale: float = 1.0  # code value = sheet value * scale
    computed: bool = False  # derived (e.g. price unit): written, never read as input
    detail: bool = False  # a working column: grouped and collapsed (one click opens it)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"okänd kolumntyp {self.kind!r} för {self.field}")
        # Wide enough that no header word breaks mid-word.
        object.__setattr__(self, "width", max(self.width, header_min_width(self.header)))

    @property
    def allowed_values(self) -> tuple[str, ...] | None:
        """The closed list of an enum column (the Swedish words), else None."""
        if isinstance(self.allowed, type) and issubclass(self.allowed, StrEnum):
            return tuple(m.value for m in self.allowed)
        if isinstance(self.allowed, tuple):
            return self.allowed
        return None

    @property
    def reference(self) -> tuple[str, str] | None:
        """(table name, field) an id column refers to, else None."""
        if isinstance(self.allowed, str):
            tbl, fld = self.allowed.split(".")
            return tbl, fld
        return None

    def to_code(self, value: Any) -> Any:
        if value is None or self.scale == 1.0:
            return value
        return value * self.scale

    def to_sheet(self, value: Any) -> Any:
        if value is None or self.scale == 1.0:
            return value
        return value / self.scale


@dataclass(frozen=True)
class Table:
    name: str  # Excel table name (ASCII)
    title: str  # Swedish caption
    columns: tuple[Column, ...]
    record: type | None = None  # the dataclass a row maps to
    inputs_field: str | None = None  # the Inputs attribute it fills, e.g. "services"
    result: str | None = None  # outputs: the Results attribute, e.g. "cost.services"
    series_field: str | None = None  # a one-column series (Profil): the value column's field
    list_name: str | None = None  # defined name over the id column (first column), for drop-downs
    labels: tuple[Any, ...] = ()  # series tables: the fixed label of each row
    note: str = ""

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.columns)

    @property
    def input_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.computed)

    def column(self, field: str) -> Column:
        for c in self.columns:
            if c.field == field:
                return c
        raise KeyError(f"{self.name} har ingen kolumn {field!r}")

    def column_index(self, field: str) -> int:
        """0-based position of a column in the table."""
        return self.fields.index(field)


@dataclass(frozen=True)
class NamedCell:
    name: str  # workbook-scoped defined name (ASCII)
    field: str  # Parameters field (or a status key on Start)
    label: str  # Swedish label beside the value
    kind: str = "number"
    number_format: str | None = None
    allowed: type[StrEnum] | tuple[str, ...] | None = None
    required: bool = True
    unit: str = ""
    note: str = ""
    scale: float = 1.0

    @property
    def allowed_values(self) -> tuple[str, ...] | None:
        if isinstance(self.allowed, type) and issubclass(self.allowed, StrEnum):
            return tuple(m.value for m in self.allowed)
        return self.allowed


#: Chart types (xlsxwriter's names): "column" draws vertical bars, "bar" horizontal ones.
CHART_KINDS = ("column", "bar")
#: Size of a chart (pixels) and the gap (columns) between the last table and the chart.
CHART_SIZE = (760, 420)
CHART_GAP_COLS = 1
#: Height (pixels) of a default row, for stacking charts below one another.
CHART_ROW_PX = 20


@dataclass(frozen=True)
class Chart:
    """A chart over an output table: one series per value field, the category field on the
    category axis. The series cover exactly the table's data rows; the file writer moves their
    ranges with the table on every write."""

    title: str  # Swedish
    table: str  # the Excel table it draws
    category: str  # field on the category axis
    values: tuple[str, ...]  # one series per field, named by the column's header cell
    kind: str = "column"
    stacked: bool = False
    axis_title: str = ""  # value axis, Swedish
    number_format: str = FMT_INT  # value axis
    size: tuple[int, int] = CHART_SIZE

    def __post_init__(self) -> None:
        if self.kind not in CHART_KINDS:
            raise ValueError(f"okänd diagramtyp {self.kind!r} för {self.title}")


@dataclass(frozen=True)
class Sheet:
    name: str  # Swedish sheet name
    purpose: str  # Swedish, shown in row 2
    role: str  # "info" | "input" | "output" | "config"
    tables: tuple[Table, ...] = ()
    named_cells: tuple[NamedCell, ...] = ()
    named_cells_origin: tuple[int, int] = (HEADER_ROW, 1)
    first_table_col: int = 1
    landscape: bool = True
    fit_to_width: bool = True
    print_titles: bool = True  # repeat the header row on every printed page
    freeze: bool = True  # freeze the rows down to the header row
    gridlines: bool = False  # gridlines on screen (never printed)
    code_name: str = ""  # VBA code name (ASCII), set on the sheet and in the VBA project
    charts: tuple[Chart, ...] = ()  # output sheets: charts right of the tables, one below another

    def table_origin(self, table_name: str) -> tuple[int, int]:
        """(header row, first column) of a table on this sheet, 1-based."""
        col = self.first_table_col
        for t in self.tables:
            if t.name == table_name:
                return HEADER_ROW, col
            col += len(t.columns) + 1
        raise KeyError(f"bladet {self.name} har ingen tabell {table_name}")

    def chart_anchor(self, index: int) -> tuple[int, int]:
        """(row, column) of the top left cell of chart ``index``, 1-based: right of the last
        table (one empty column between), from the header row down, so no table cell is covered
        however long the tables grow."""
        col = self.first_table_col + sum(len(t.columns) + 1 for t in self.tables)
        col += CHART_GAP_COLS - 1
        row = HEADER_ROW
        for c in self.charts[:index]:
            row += math.ceil(c.size[1] / CHART_ROW_PX) + 1
        return row, col

    @property
    def header_height(self) -> float:
        """Height (points) of the header row: room for the longest wrapped table header."""
        lines = max((header_lines(c.header, c.width) for t in self.tables for c in t.columns),
                    default=1)
        return HEADER_LINE_HEIGHT * lines + 4

    def table_caption(self, table: Table) -> str | None:
        """The caption above a table (row above the header), None where it repeats the sheet
        title (a single table named like its sheet)."""
        if len(self.tables) == 1 and table.title.casefold() == self.name.casefold():
            return None
        return table.title

    def named_cell_position(self, name: str) -> tuple[int, int]:
        """(row, column) of a named cell's value, 1-based."""
        row0, col0 = self.named_cells_origin
        for i, nc in enumerate(self.named_cells):
            if nc.name == name:
                return row0 + 1 + i, col0 + 1
        raise KeyError(f"bladet {self.name} har ingen namngiven cell {name}")


# --- helpers -------------------------------------------------------------------------------------

def col_letter(col: int) -> str:
    """1 -> A, 27 -> AA."""
    s = ""
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


def cell_ref(row: int, col: int, absolute: bool = False) -> str:
    d = "$" if absolute else ""
    return f"{d}{col_letter(col)}{d}{row}"


def quote_sheet(name: str) -> str:
    """A sheet name as it appears in a formula: 'Föregående prislista'."""
    return "'" + name.replace("'", "''") + "'"


# --- columns shared by several tables --------------------------------------------------------------

def _service(required: bool = True, **kw: Any) -> Column:
    return Column("service_id", kw.pop("header", "Tjänst-id"), "ref", allowed="tblTjanster.service_id",
                  required=required, width=kw.pop("width", 11), **kw)


def _channel(required: bool = True, **kw: Any) -> Column:
    return Column("channel_id", kw.pop("header", "Kanal"), "ref", allowed="tblKanaler.channel_id",
                  required=required, width=12, **kw)


def _unit(required: bool = False, **kw: Any) -> Column:
    return Column("unit", "Enhet", "ref", allowed="tblEnheter.unit_id", required=required,
                  width=26, **kw)


def _source(field: str, header: str) -> Column:
    return Column(field, header, "enum", allowed=I.Source, required=True, width=12)


def _share(field: str, header: str, required: bool = False, **kw: Any) -> Column:
    return Column(field, header, "share", unit="%", number_format=FMT_PCT, required=required,
                  width=kw.pop("width", 12), **kw)


def _kr(field: str, header: str, required: bool = False, fmt: str = FMT_KR, **kw: Any) -> Column:
    if "(kr)" in header:  # the header names the unit: a plain number format
        fmt = without_unit(fmt)
    return Column(field, header, "money", unit="kr", number_format=fmt, required=required,
                  width=kw.pop("width", 15), **kw)


def _seconds(field: str, header: str, required: bool = False, **kw: Any) -> Column:
    return Column(field, header, "number", unit="s", number_format=FMT_SEC, required=required,
                  width=kw.pop("width", 13), **kw)


def _minutes(field: str, header: str, required: bool = False, **kw: Any) -> Column:
    return Column(field, header, "number", unit="min", number_format=FMT_MIN, required=required,
                  scale=60.0, width=kw.pop("width", 13), **kw)


def _num(field: str, header: str, required: bool = False, fmt: str = FMT_INT, **kw: Any) -> Column:
    return Column(field, header, "number", number_format=fmt, required=required,
                  width=kw.pop("width", 12), **kw)


def _text(field: str, header: str, required: bool = False, width: float = 14, **kw: Any) -> Column:
    return Column(field, header, "text", required=required, width=width, **kw)


def _enum(field: str, header: str, allowed: Any, required: bool = True, width: float = 14,
          **kw: Any) -> Column:
    return Column(field, header, "enum", allowed=allowed, required=required, width=width, **kw)


# --- input tables ----------------------------------------------------------------------------------

T_SLA = Table(
    "tblSLA", "SLA-nivåer att prissätta", record=I.SlaLevel, inputs_field="parameters.sla_levels",
    columns=(
        _share("service_level", "Servicenivå", required=True),
        _seconds("answer_time_s", "Svarstid (s)", required=True, width=14),
    ),
    note="Realtidstjänsternas pris räknas även vid dessa servicenivåer (bladet SLA-pris).",
)

T_SERVICES = Table(
    "tblTjanster", "Tjänstekatalog", record=I.Service, inputs_field="services",
    list_name="lstTjanster",
    columns=(
        _text("service_id", "Tjänst-id", required=True, width=11),
        _text("name", "Tjänst", required=True, width=34),
        _unit(required=True),
        _enum("service_type", "Bas/tillägg", I.ServiceType, width=12),
        _text("answer_group", "Svarsgrupp", required=True, width=12),
        Column("staff_category", "Personalkategori", "ref", allowed="tblPersonal.category_id",
               required=True, width=17),
        _enum("price_model", "Prismodell", I.PriceModel, width=24),
        Column("price_unit", "Prisenhet", "text", width=18, computed=True,
               note="Följer av prismodellen."),
        _enum("fee_key", "Avgiftsnyckel", I.FeeKey, required=False, width=24,
              note="Fast årsavgift och abonnemang: hur avgiften delas mellan kunderna."),
        _text("price_group", "Prisgrupp", width=20,
              note="Tjänster i samma prisgrupp får samma pris."),
        _share("fixed_share", "Fast andel", note="Abonnemang: andel av kostnaden i årsavgiften."),
        _text("description", "Beskrivning", width=40),
    ),
)

T_UNITS = Table(
    "tblEnheter", "Enheter", record=I.Unit, inputs_field="units", list_name="lstEnheter",
    columns=(
        _text("unit_id", "Enhet", required=True, width=28),
        _text("description", "Beskrivning", width=44),
    ),
    note="Kontaktcentrets enheter; tjänster, personal och pooler på enhetsnivå anger en av dem.",
)

T_CONTACTS = Table(
    "tblKontakter", "Kontakter per tjänst och kanal", record=I.ContactVolume,
    inputs_field="contacts",
    columns=(
        _service(),
        _channel(),
        _num("volume", "Volym per år", required=True, width=13),
        _source("volume_source", "Källa volym"),
        _minutes("aht_s", "Hanteringstid (min)", required=True, width=14),
        _source("aht_source", "Källa hanteringstid"),
        _num("target_volume", "Målvärde volym", width=14,
             note="Ersätter volymen i beräkningen; båda syns."),
        _minutes("target_aht_s", "Målvärde hanteringstid (min)", width=20),
    ),
)

T_CHANNELS = Table(
    "tblKanaler", "Kanaler", record=I.Channel, inputs_field="channels", list_name="lstKanaler",
    columns=(
        _text("channel_id", "Kanal", required=True, width=12),
        _enum("kind", "Typ", I.ChannelKind, width=12),
        _share("service_level", "Servicenivå"),
        _seconds("answer_time_s", "Svarstid (s)"),
        _share("max_occupancy", "Max beläggning"),
        _num("concurrency_factor", "Samtidighet", required=True, fmt=FMT_FACTOR,
             note="Chatt: effektiv hanteringstid = hanteringstid / samtidighet."),
        _seconds("patience_s", "Tålamod (s)", note="Anges: Erlang A."),
        _seconds("asa_target_s", "Mål medelsvarstid (s)", width=18),
        _share("max_utilisation", "Max utnyttjande", note="Uppskjutna kanaler."),
    ),
)

T_ANSWER_GROUPS = Table(
    "tblSvarsgrupper", "Svarsgrupper (avvikelser från kanalens standard)", record=I.AnswerGroup,
    inputs_field="answer_groups",
    columns=(
        _text("group_id", "Svarsgrupp", required=True, width=12),
        _channel(),
        _enum("method", "Metod", I.StaffingMethod, required=False, width=16),
        _share("service_level", "Servicenivå"),
        _seconds("answer_time_s", "Svarstid (s)"),
        _share("max_occupancy", "Max beläggning"),
        _seconds("patience_s", "Tålamod (s)"),
        _seconds("asa_target_s", "Mål medelsvarstid (s)", width=18),
    ),
)

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
          "oktober", "november", "december")
WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag")

T_MONTHS = Table(
    "tblManadsfaktorer", "Månadsfaktorer", inputs_field="profile.month_factors",
    series_field="value", labels=MONTHS,
    columns=(
        _text("label", "Månad", width=12, computed=True),
        _num("value", "Faktor", required=True, fmt=FMT_FACTOR, width=10,
             note="Relativ intensitet per dag, 1,00 = normal."),
    ),
)
T_HOURS = Table(
    "tblTimprofil", "Timprofil", inputs_field="profile.hourly_shares", series_field="value",
    note="En rad per öppettimme, från öppning till stängning (Parametrar).",
    columns=(
        Column("label", "Timme", "integer", number_format=FMT_HOUR_OF_DAY, width=10,
               required=True),
        _share("value", "Andel", required=True, width=10),
    ),
)
T_WEEKDAYS = Table(
    "tblVeckodagar", "Veckodagar", inputs_field="profile.weekday_shares", series_field="value",
    labels=WEEKDAYS, note="Tomt: alla vardagar lika.",
    columns=(
        _text("label", "Veckodag", width=12, computed=True),
        _num("value", "Andel", fmt=FMT_FACTOR, width=10),
    ),
)

T_STAFF = Table(
    "tblPersonal", "Personalkategorier", record=I.StaffCategory, inputs_field="staff",
    list_name="lstPersonal",
    columns=(
        _text("category_id", "Personalkategori", required=True, width=20),
        _kr("monthly_salary_kr", "Månadslön (kr)", required=True),
        _enum("role", "Roll", I.StaffRole, width=13),
        Column("pool_id", "Kostnadspool", "ref", allowed="tblOverhead.pool_id", width=13,
               note="Overheadpersonal: poolen kostnaden går till."),
        _num("headcount", "Antal åa", fmt=FMT_NUM, width=10),
        _num("span", "En per antal åa", fmt=FMT_NUM, width=14,
             note="Till exempel teamledare: en per 13 handläggare."),
        _unit(note="Spannet räknar bara denna enhets åa."),
    ),
)

T_COSTS = Table(
    "tblKostnader", "Kostnader utöver lön", record=I.Cost, inputs_field="costs",
    columns=(
        _text("cost_id", "Kostnad-id", required=True, width=11),
        _text("description", "Beskrivning", required=True, width=44),
        _enum("kind", "Typ", I.CostKind, width=12),
        _kr("amount_kr", "Belopp (kr)", required=True, fmt=FMT_KR2,
            note="Direkt: kr/år. Per plats: kr per plats och år. Per minut: kr/minut."),
        _service(required=False),
        _channel(required=False),
    ),
)

T_POOLS = Table(
    "tblOverhead", "Overhead och kostnadspooler", record=I.OverheadPool, inputs_field="pools",
    list_name="lstPooler",
    columns=(
        _text("pool_id", "Pool-id", required=True, width=10),
        _text("name", "Namn", required=True, width=34),
        _enum("level", "Nivå", I.PoolLevel, width=13),
        _kr("amount_kr", "Belopp (kr)", required=True),
        _enum("key", "Fördelningsnyckel", I.AllocationKey, width=19),
        _unit(note="Enhetsnivå: fördelas bara på enhetens tjänster."),
        Column("receivers", "Mottagare (tjänster)", "list", width=22,
               note="Nyckel direkt: tjänst-id åtskilda med kommatecken."),
        Column("order", "Ordning", "integer", number_format="0", width=9,
               note="Stegvis fördelning: lägst först."),
    ),
)

T_CUSTOMERS = Table(
    "tblKunder", "Kunder", record=I.Customer, inputs_field="customers", list_name="lstKunder",
    columns=(
        _text("customer_id", "Kund-id", required=True, width=10),
        _text("name", "Kund", required=True, width=34),
        _num("inhabitants", "Invånare", width=12),
        _num("employees", "Anställda", width=12),
        _kr("own_monthly_salary_kr", "Egen månadslön (kr)",
            note="Kundjämförelse: kundens egen lön om den gjorde arbetet själv."),
        _share("own_total_shrinkage", "Egen frånvaro", width=12,
               note="Kundjämförelse: total frånvaroandel; tomt = modellens."),
        _share("own_overhead_rate", "Eget overheadpålägg", width=13,
               note="Kundjämförelse: påslag på personalkostnaden; tomt = 0."),
    ),
)

T_CUSTOMER_VOLUMES = Table(
    "tblKundvolymer", "Kundvolymer", record=I.CustomerVolume, inputs_field="customer_volumes",
    columns=(
        Column("customer_id", "Kund-id", "ref", allowed="tblKunder.customer_id", required=True,
               width=10),
        _service(),
        _num("forecast_quantity", "Prognos (prisenhet)", required=True, fmt=FMT_NUM, width=18,
             note="I tjänstens prisenhet: kontakter, minuter eller timmar."),
        _num("last_year_contacts", "Kontakter föregående år", required=True, width=14),
        _channel(required=False, note="Styckpris per kanal: kanalen."),
    ),
)

T_PREVIOUS = Table(
    "tblForegaendePriser", "Föregående års prislista", record=I.PreviousPrice,
    inputs_field="previous_prices",
    columns=(
        _service(),
        _channel(required=False),
        _kr("price_kr", "Pris (kr)", required=True, fmt=FMT_KR2,
            note="Per prisenhet; fast årsavgift: hela avgiften."),
        _kr("annual_fee_kr", "Årsavgift (kr)", note="Abonnemang: föregående års fasta avgift."),
    ),
)

T_OUTCOMES = Table(
    "tblUtfall", "Utfall föregående år", record=I.Outcome, inputs_field="outcomes",
    columns=(
        _service(),
        _kr("revenue_kr", "Intäkt (kr)", required=True),
        _kr("cost_kr", "Kostnad (kr)", required=True),
        _num("volume", "Volym", width=12),
        _num("workload_h", "Arbetsbelastning (tim)", width=14,
             note="Fjolårets volym × hanteringstid; behövs för prisbryggan."),
        _num("fte", "Årsarbetare", fmt=FMT_FTE, width=12),
        _kr("personnel_cost_kr", "Personalkostnad (kr)"),
        _kr("overhead_kr", "Overhead (kr)", note="Overhead och stadens påslag i kostnaden."),
    ),
)

# --- named parameter cells ----------------------------------------------------------------------

PARAMETER_CELLS = (
    NamedCell("Prisar", "year", "Prisår", "integer", "0", note="Året prislistan gäller."),
    NamedCell("Arbetsdagar", "working_days", "Arbetsdagar per år", "number", FMT_INT, unit="dagar"),
    NamedCell("TimmarPerDag", "hours_per_day", "Timmar per dag", "number", FMT_HOURS, unit="tim"),
    NamedCell("Semesterdagar", "vacation_days", "Semesterdagar", "number", FMT_INT, unit="dagar"),
    NamedCell("Sjukfranvaro", "sick_leave", "Sjukfrånvaro", "share", FMT_PCT, unit="%"),
    NamedCell("Utbildning", "training", "Utbildning och möten", "share", FMT_PCT, unit="%"),
    NamedCell("OvrigFranvaro", "other_absence", "Övrig frånvaro", "share", FMT_PCT, unit="%"),
    NamedCell("TotaltBortfall", "total_shrinkage", "Totalt bortfall (ersätter delarna)", "share",
              FMT_PCT, required=False, unit="%", note="Tomt: summan av delarna ovan."),
    NamedCell("MaxBelaggning", "max_occupancy", "Max beläggning (realtid)", "share", FMT_PCT,
              unit="%"),
    NamedCell("MaxUtnyttjande", "max_utilisation", "Max utnyttjande (uppskjutet)", "share",
              FMT_PCT, unit="%"),
    NamedCell("Oppnar", "opening_hour", "Öppnar (timme)", "integer", FMT_HOUR_OF_DAY),
    NamedCell("Stanger", "closing_hour", "Stänger (timme)", "integer", FMT_HOUR_OF_DAY),
    NamedCell("PO_palagg", "payroll_overhead_rate", "PO-pålägg", "share", FMT_PCT, unit="%",
              note="Arbetsgivaravgifter och pension på lönen."),
    NamedCell("Lonerevision", "salary_revision", "Lönerevision till prisåret", "share", FMT_PCT,
              unit="%"),
    NamedCell("PlatserPerAa", "seat_ratio", "Platser per årsarbetare", "number", FMT_FACTOR),
    NamedCell("KvmPerPlats", "area_per_seat_m2", "Kvadratmeter per plats", "number", FMT_NUM,
              unit="kvm"),
    NamedCell("Stadspalagg", "city_charge_rate", "Stadsgemensamt påslag", "share", FMT_PCT,
              unit="%", note="På total kostnad."),
    NamedCell("Fordelningsmetod", "allocation_method", "Fördelningsmetod overhead", "enum",
              allowed=I.AllocationMethod),
    NamedCell("AvrundningSteg", "rounding_step_kr", "Avrundning av priser (steg)", "number",
              FMT_KR2, unit="kr"),
    NamedCell("AvrundningRiktning", "rounding_direction", "Avrundningsriktning", "enum",
              allowed=I.RoundingDirection),
    NamedCell("OverskottAr", "surplus_years", "År att fördela över-/underskott på", "integer",
              "0", unit="år"),
)

STATUS_CELLS = (
    NamedCell("StatusTid", "time", "Tid", "datetime", FMT_DATETIME, required=False),
    NamedCell("StatusResultat", "status", "Resultat", "text", required=False),
    NamedCell("StatusTotalkostnad", "total_cost_kr", "Total kostnad", "money", FMT_KR,
              required=False, unit="kr"),
    NamedCell("StatusVersion", "version", "xlkc-version", "text", required=False),
    NamedCell("StatusVarningar", "warnings", "Varningar", "text", required=False),
)

# --- output tables ------------------------------------------------------------------------------

#: Swedish header, kind and format of every result column, by field; per-table overrides below.
_OUT: dict[str, Column] = {c.field: c for c in (
    Column("service_id", "Tjänst-id", width=11),
    Column("channel_id", "Kanal", width=12),
    Column("pool_id", "Pool", width=16),
    Column("method", "Metod", width=16),
    _num("volume", "Volym"),
    _text("volume_source", "Källa volym", width=12),
    _num("measured_volume", "Uppmätt volym", width=13),
    _minutes("aht_s", "Hanteringstid (min)"),
    _text("aht_source", "Källa hanteringstid", width=12),
    _minutes("measured_aht_s", "Uppmätt hanteringstid (min)", width=20),
    _num("workload_h", "Arbetsbelastning (tim)", fmt=FMT_HOURS, width=15),
    _num("fte", "Årsarbetare", fmt=FMT_FTE),
    _num("standalone_fte", "Åa fristående", fmt=FMT_FTE),
    _text("answer_group", "Svarsgrupp", width=12),
    _text("services", "Tjänster", width=22),
    _share("service_level_target", "Mål servicenivå"),
    _seconds("answer_time_s", "Svarstid (s)"),
    _share("max_occupancy", "Max beläggning"),
    Column("intervals", "Intervall", "integer", number_format=FMT_INT, width=10),
    _num("peak_agents", "Max agenter", fmt=FMT_NUM),
    _num("on_queue_h", "Tid i kö-beredskap (tim)", fmt=FMT_HOURS, width=19),
    _share("achieved_service_level", "Uppnådd servicenivå"),
    _share("achieved_occupancy", "Uppnådd beläggning"),
    _num("standalone_fte_sum", "Summa åa fristående", fmt=FMT_FTE, width=15),
    _text("name", "Tjänst", width=30),
    _text("unit", "Enhet", width=24),
    _text("staff_category", "Personalkategori", width=16),
    _kr("cost_per_fte_kr", "Kostnad per åa"),
    _kr("personnel_cost_kr", "Personalkostnad"),
    _kr("seat_cost_kr", "Platskostnad"),
    _kr("minute_cost_kr", "Minutkostnad"),
    _kr("direct_cost_kr", "Direkta kostnader"),
    _kr("overhead_kr", "Overhead"),
    _kr("previous_cost_kr", "Fjolårets kostnad"),
    _num("inhouse_fte", "Åa i egen regi", fmt=FMT_FTE),
    _kr("inhouse_cost_kr", "Kostnad i egen regi"),
    _kr("volume_effect_kr", "Volymeffekt"),
    _kr("handle_time_effect_kr", "Hanteringstidseffekt"),
    _kr("staffing_effect_kr", "Bemanningseffekt"),
    _kr("salary_effect_kr", "Lön och PO"),
    _kr("overhead_effect_kr", "Overheadeffekt"),
    _kr("other_effect_kr", "Övriga kostnader"),
    _kr("previous_cost_per_contact_kr", "Kostnad per kontakt i fjol", fmt=FMT_KR2),
    _kr("cost_per_contact_kr", "Kostnad per kontakt", fmt=FMT_KR2),
    _share("real_change_pct", "Real förändring per kontakt"),
    _num("previous_fte_per_10k", "Åa per 10 000 kontakter i fjol", fmt=FMT_FTE),
    _num("fte_per_10k", "Åa per 10 000 kontakter", fmt=FMT_FTE),
    _kr("city_charge_kr", "Stadsgemensamt påslag"),
    _kr("full_cost_kr", "Självkostnad"),
    _kr("carry_forward_kr", "Över-/underskott att fördela"),
    _kr("price_basis_kr", "Prisunderlag"),
    _text("pool_name", "Pool", width=30),
    _text("level", "Nivå", width=12),
    _text("key", "Fördelningsnyckel", width=18),
    _kr("amount_kr", "Belopp"),
    _kr("staff_cost_kr", "Personalkostnad"),
    _kr("total_kr", "Summa"),
    _kr("allocated_kr", "Fördelat"),
    _text("service_type", "Bas/tillägg", width=11),
    _text("price_model", "Prismodell", width=22),
    _text("price_unit", "Prisenhet", width=16),
    _text("price_group", "Prisgrupp", width=18),
    _num("quantity", "Kvantitet", fmt=FMT_NUM, width=13),
    _kr("cost_basis_kr", "Kostnadsunderlag"),
    _kr("exact_price_kr", "Exakt pris", fmt=FMT_KR2),
    _kr("price_kr", "Pris", fmt=FMT_KR2),
    _kr("annual_fee_kr", "Årsavgift"),
    _kr("previous_price_kr", "Föregående pris", fmt=FMT_KR2),
    _kr("change_kr", "Förändring", fmt=FMT_KR2),
    _share("change_pct", "Förändring i procent"),
    _kr("residual_kr", "Avrundningsrest"),
    _kr("group_transfer_kr", "Omfördelning inom prisgrupp"),
    _text("customer_id", "Kund-id", width=10),
    _text("customer_name", "Kund", width=30),
    _share("fee_share", "Andel av avgift"),
    _kr("fee_kr", "Avgift"),
    _kr("charge_kr", "Debitering"),
    _kr("previous_charge_kr", "Föregående debitering"),
    _kr("price_effect_kr", "Priseffekt"),
    _text("check", "Kontroll", width=62),
    _text("source", "Källa", width=14),
    Column("contact_rows", "Rader", "integer", number_format=FMT_INT, width=8),
    _num("contacts", "Kontakter", width=12),
    _share("workload_share", "Andel av arbetsbelastning", width=14),
    _kr("cost_kr", "Kostnad"),
    _share("cost_share", "Andel av kostnad", width=12),
    _kr("value_kr", "Värde"),
    _kr("reference_kr", "Jämförelsevärde"),
    _kr("difference_kr", "Differens", fmt=FMT_KR2),
    Column("ok", "OK", "bool", width=8),
)}

_OVERRIDES: dict[tuple[str, str], dict[str, Any]] = {
    ("tblPoolbemanning", "pool_id"): {"header": "Pool"},
    ("tblPoolbemanning", "services"): {"header": "Tjänster i poolen"},
    ("tblPoolkostnader", "name"): {"header": "Pool", "width": 36},
    ("tblPoolkostnader", "pool_id"): {"header": "Pool-id", "width": 10},
    ("tblFordelning", "pool_id"): {"header": "Pool-id", "width": 10},
    ("tblFordelning", "amount_kr"): {"header": "Fördelat belopp"},
    ("tblSLApris", "service_level"): {"kind": "share", "header": "Servicenivå",
                                      "number_format": FMT_PCT, "unit": "%"},
    ("tblPrislista", "quantity"): {"header": "Prognos (prisenhet)"},
    ("tblKundjamforelse", "difference_kr"): {"header": "Egen regi − debitering",
                                             "number_format": FMT_KR},
    # The price list as the board reads it; how each price arises is one click away.
    **{("tblPrislista", f): {"detail": True}
       for f in ("cost_basis_kr", "exact_price_kr", "residual_kr", "group_transfer_kr")},
    # The checks compare kronor and årsarbetare: the values carry no unit of their own.
    **{("tblAvstamning", f): {"number_format": FMT_NUM, "unit": ""}
       for f in ("value_kr", "reference_kr", "difference_kr")},
}


def _output_table(name: str, title: str, fields: tuple[str, ...], result: str | None) -> Table:
    cols = []
    for f in fields:
        base = _OUT.get(f) or Column(f, f)
        over = _OVERRIDES.get((name, f), {})
        cols.append(dataclasses.replace(base, **over))
    return Table(name, title, tuple(cols), result=result)


T_STAFFING = _output_table("tblBemanning", "Bemanning per tjänst och kanal", R.STAFFING_COLUMNS,
                           "staffing.services")
T_POOL_STAFFING = _output_table("tblPoolbemanning", "Bemanning per svarsgrupp och kanal",
                                R.POOL_COLUMNS, "staffing.pools")
T_COST = _output_table("tblSjalvkostnad", "Självkostnad per tjänst", R.COST_COLUMNS,
                       "cost.services")
T_ALLOCATION = _output_table("tblFordelning", "Fördelning av overhead", R.ALLOCATION_COLUMNS,
                             "cost.allocation")
T_POOL_COST = _output_table("tblPoolkostnader", "Kostnadspooler", R.POOL_COST_COLUMNS,
                            "cost.pools")
T_PRICES = _output_table("tblPrislista", "Prislista", R.PRICE_COLUMNS, "price.prices")
T_CHARGES = _output_table("tblKunddebitering", "Kunddebitering", R.CHARGE_COLUMNS,
                          "price.charges")
T_CUSTOMER_TOTALS = _output_table("tblKundsummor", "Summa per kund", R.CUSTOMER_TOTAL_COLUMNS,
                                  "price.customer_totals")
T_QUALITY = _output_table("tblDatakvalitet", "Arbetsbelastning och kostnad per datakälla",
                          R.QUALITY_COLUMNS, "quality")
T_BRIDGE = _output_table("tblPrisbrygga", "Från fjolårets kostnad till årets självkostnad",
                         R.BRIDGE_COLUMNS, "bridge")
T_INHOUSE = _output_table("tblKundjamforelse", "Egen regi jämfört med debiteringen",
                          R.INHOUSE_COLUMNS, "inhouse")
T_SLA_PRICES = _output_table("tblSLApris", "Pris vid andra servicenivåer", R.SLA_COLUMNS, "sla")
T_CHECKS = _output_table("tblAvstamning", "Avstämning", R.CHECK_COLUMNS, "checks")

#: The run log: one row per click on Beräkna priser or Validera indata (newest first).
RUNLOG_COLUMNS = ("time", "user", "command", "version", "input_hash", "total_cost_kr",
                  "revenue_kr", "checks", "message")
T_RUNLOG = Table("tblKorlogg", "Körlogg", columns=(
    Column("time", "Tid", "datetime", number_format=FMT_DATETIME, width=20),
    _text("user", "Användare", width=14),
    _text("command", "Kommando", width=12),
    _text("version", "xlkc-version", width=12),
    _text("input_hash", "Indata-hash", width=19, note="Ändras när någon indata ändras."),
    _kr("total_cost_kr", "Total kostnad"),
    _kr("revenue_kr", "Intäkt"),
    _text("checks", "Kontroller", width=16),
    _text("message", "Meddelande", width=70),
))

# --- charts ---------------------------------------------------------------------------------------

CHART_COST = Chart(
    "Vad självkostnaden består av per tjänst", T_COST.name, "service_id",
    ("personnel_cost_kr", "seat_cost_kr", "minute_cost_kr", "direct_cost_kr", "overhead_kr",
     "city_charge_kr"), stacked=True, axis_title="kr")
CHART_POOLING = Chart(
    "Årsarbetare i pool jämfört med fristående tjänster", T_POOL_STAFFING.name, "pool_id",
    ("fte", "standalone_fte_sum"), axis_title="Årsarbetare", number_format="#,##0.0")
CHART_BRIDGE = Chart(
    "Varför kostnaden ändrats sedan i fjol, per tjänst", T_BRIDGE.name, "service_id",
    ("volume_effect_kr", "handle_time_effect_kr", "staffing_effect_kr", "salary_effect_kr",
     "overhead_effect_kr", "other_effect_kr"), stacked=True, axis_title="kr")

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
    "Klicka Beräkna priser: resultatbladen från Bemanning till Körlogg fylls i.",
    "Granska Prislista, Kunddebitering och Avstämning; Prisbrygga förklarar förändringen.",
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
)
#: Button size and gap (pixels); they sit in a row beside the year.
BUTTON_SIZE = (180, 40)
BUTTON_GAP = 16
#: Header of the status block on Start (its rows are ``STATUS_CELLS``).
STATUS_HEADER = ("Senaste körning", "Värde")
#: Position of the Start sheet's blocks (1-based rows).
START_YEAR_ROW = 4
START_STEPS_ROW = 6
START_LEGEND_ROW = 21

CONFIG_SHEET = "xlwings.conf"

#: The calculator sheet for a new service (geometry and formulas: ``xlkc.workbook.ny_tjanst``).
#: Inputs in yellow, results in blue computed in Excel by the worksheet functions of
#: ``xlkc_udfs``; neither read by the reader nor written by Beräkna priser. Its role is "info":
#: the engine does not need it.
NY_TJANST = "Ny tjänst"
NY_TJANST_PURPOSE = ("Prissätt en ny eller ändrad tjänst innan den finns: volym, hanteringstid och "
                     "servicenivå in, årsarbetare, självkostnad och pris ut.")

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
    Sheet("Profil", "Hur årsvolymen fördelas över månader, veckodagar och öppettimmar.", "input",
          tables=(T_MONTHS, T_HOURS, T_WEEKDAYS), code_name="shProfil"),
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
          tables=(T_PREVIOUS,), code_name="shForegaende"),
    Sheet("Utfall", "Fjolårets utfall per tjänst: intäkt och kostnad, och för prisbryggan volym, "
          "arbetsbelastning, årsarbetare, personalkostnad och overhead.", "input",
          tables=(T_OUTCOMES,), code_name="shUtfall"),
    Sheet(NY_TJANST, NY_TJANST_PURPOSE, "info", freeze=False, print_titles=False,
          code_name="shNyTjanst"),
    Sheet("Bemanning", "Årsarbetare per tjänst och kanal, och per svarsgrupp.", "output",
          tables=(T_STAFFING, T_POOL_STAFFING), code_name="shBemanning",
          charts=(CHART_POOLING,)),
    Sheet("Självkostnad", "Självkostnad per tjänst, varje kostnadsslag synligt.", "output",
          tables=(T_COST,), code_name="shSjalvkostnad", charts=(CHART_COST,)),
    Sheet("Fördelning", "Hur varje kostnadspool fördelas på tjänsterna.", "output",
          tables=(T_POOL_COST, T_ALLOCATION), code_name="shFordelning"),
    Sheet("Prislista", "Prislistan för prisåret, jämförd med föregående år.", "output",
          tables=(T_PRICES,), code_name="shPrislista"),
    Sheet("Kunddebitering", "Vad varje kund betalar per tjänst.", "output",
          tables=(T_CHARGES,), code_name="shKunddebitering"),
    Sheet("Kundsummor", "Summa per kund, jämförd med föregående år.", "output",
          tables=(T_CUSTOMER_TOTALS,), code_name="shKundsummor"),
    Sheet("Kundjämförelse", "Vad kunden skulle betala om den gjorde arbetet själv: sin volym "
          "bemannad ensam, med egen lön, frånvaro och overhead, mot debiteringen.", "output",
          tables=(T_INHOUSE,), code_name="shKundjamforelse"),
    Sheet("Prisbrygga", "Varför kostnaden per tjänst ändrats sedan i fjol: volym, hanteringstid, "
          "bemanning, lön och PO, overhead och övrigt; effektivisering per kontakt.", "output",
          tables=(T_BRIDGE,), code_name="shPrisbrygga", charts=(CHART_BRIDGE,)),
    Sheet("SLA-pris", "Realtidstjänsternas pris vid andra servicenivåer.", "output",
          tables=(T_SLA_PRICES,), code_name="shSLApris"),
    Sheet("Avstämning", "Kontroller: att varje krona kommer med och att priserna täcker kostnaden.",
          "output", tables=(T_CHECKS,), code_name="shAvstamning"),
    Sheet("Datakvalitet", "Hur stor del av arbetsbelastning och kostnad som vilar på statistik, "
          "värdering och målvärde.", "output", tables=(T_QUALITY,), code_name="shDatakvalitet"),
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
