"""The building blocks of the layout: number formats, header geometry, Column, Table, NamedCell,
Chart, Sheet and A1 helpers (see the package docstring)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from xlkc import inputs as I  # noqa: N812

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
OUTPUT_NOTE_WITH_ENTRIES = ("Tabellerna fylls av Beräkna priser – skriv inte i dem. "
                            "De gula cellerna till vänster är dina.")
#: The text of a True/False cell in output tables.
BOOL_TEXT = {True: "Ja", False: "Nej"}
#: Totals of an output table: a row below the table (outside the Excel Table, so no reader takes
#: it for data), after TOTALS_GAP empty rows (Excel widens a table over a row written directly
#: below it), with TOTAL_LABEL in the first column and SUBTOTAL(109, ...) over every column
#: marked ``Column.total``.
TOTALS_GAP = 1
TOTAL_LABEL = "Summa"


def totals_row(header_row: int, n_rows: int) -> int:
    """The Excel row of the totals row below a table with ``n_rows`` data rows (at least one)."""
    return header_row + max(n_rows, 1) + TOTALS_GAP + 1


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
    #: additive (kr amounts, FTE, volumes, hours): an output table's totals row sums it; never
    #: prices, rates, shares or ids
    total: bool = False

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
    #: An output table whose rows are a record kept from run to run (Versioner): the readers
    #: read it back from the workbook, a run rewrites it only to add or replace a version.
    carried: bool = False

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.columns)

    @property
    def has_totals(self) -> bool:
        """True when a totals row is written below the table (some column is additive)."""
        return any(c.total for c in self.columns)

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
    #: Typed by a controller although its sheet is written by the model (yellow, never written
    #: over by a run except to empty it on purpose): the version cells on Versioner.
    entry: bool = False
    #: A drop-down over a defined list of the layout (``Table.list_name``), e.g. lstVersioner.
    list_source: str | None = None

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


#: Printing (A4 landscape): the left and right margins of output sheets (inches), the printable
#: width, and the smallest print scale a sheet may get (below it text is unreadable).
PRINT_SIDE_MARGIN_IN = 0.3
PAGE_WIDTH_IN = 297 / 25.4 - 2 * PRINT_SIDE_MARGIN_IN
MIN_PRINT_SCALE = 55
#: LibreOffice draws columns a few per cent wider than Excel's pixel rule below: the scale keeps
#: that much room so that a table's last column stays on its page in both.
PRINT_FIT_MARGIN = 0.89
#: Width (pixels at 96 dpi) of a sheet column that is ``width`` characters wide, as Excel draws
#: it in Calibri 11 (7 pixels per character plus 5 of padding); of a column of default width.
COLUMN_PX_PER_CHAR = 7
COLUMN_PX_PADDING = 5
DEFAULT_COLUMN_PX = 64


def column_px(width: float) -> float:
    return width * COLUMN_PX_PER_CHAR + COLUMN_PX_PADDING


@dataclass(frozen=True)
class PrintGroup:
    """Columns printed together on one page width: a table (its visible columns) or the charts."""

    first_col: int  # 1-based
    last_col: int
    width_in: float  # at 100 %

    @property
    def fit_scale(self) -> int:
        """The largest whole per cent at which the group fits the page width (at most 100)."""
        return min(100, math.floor(100 * PRINT_FIT_MARGIN * PAGE_WIDTH_IN / self.width_in))


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

    @property
    def output_note(self) -> str:
        """Row 3 of an output sheet before its first run: do not write here, or, where the
        sheet also has cells for the user (Versioner), not in its tables."""
        if any(nc.entry for nc in self.named_cells):
            return OUTPUT_NOTE_WITH_ENTRIES
        return OUTPUT_NOTE

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
    def print_groups(self) -> tuple[PrintGroup, ...]:
        """What prints side by side: each table, then the charts (one column of charts)."""
        groups = []
        col = self.first_table_col
        for t in self.tables:
            px = sum(column_px(c.width) for c in t.columns if not c.detail)
            groups.append(PrintGroup(col, col + len(t.columns) - 1, px / 96))
            col += len(t.columns) + 1
        if self.charts:
            _, first = self.chart_anchor(0)
            width = max(c.size[0] for c in self.charts)
            n = math.ceil(width / DEFAULT_COLUMN_PX)
            groups.append(PrintGroup(first, first + n, (n + 1) * DEFAULT_COLUMN_PX / 96))
        return tuple(groups)

    @property
    def print_scale(self) -> int | None:
        """None: the sheet prints fit to one page wide (one table, no chart). Else the scale at
        which the widest of its tables and charts fits the page width; each then starts a new
        page (``page_breaks``), so tables side by side print one after another, not shrunk
        together."""
        groups = self.print_groups
        if len(groups) <= 1:
            return None
        return min(g.fit_scale for g in groups)

    @property
    def page_breaks(self) -> tuple[int, ...]:
        """1-based columns that start a new page (each table and the charts after the first)."""
        return tuple(g.first_col for g in self.print_groups[1:])

    @property
    def print_last_col(self) -> int:
        """The last column printed (the print area is columns A to it, every used row)."""
        groups = self.print_groups
        return groups[-1].last_col if groups else 1

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
