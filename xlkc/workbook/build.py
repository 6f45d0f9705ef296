"""Build ``Prismodell.xlsm`` from the layout and an Inputs (by default the synthetic example).

Two passes (see TOOLING.md): pass 1 writes a skeleton with the final sheets and code names, and
pyopenvba compiles the VBA sources into a project for it; pass 2 writes the whole workbook with
xlsxwriter and embeds that project. With a fixed creation date two builds are byte-identical.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import xlsxwriter

from xlkc import layout as L  # noqa: N812
from xlkc.inputs import Inputs
from xlkc.layout.rows import sheet_value, table_rows  # noqa: F401  (re-exported)
from xlkc.workbook import ny_tjanst, vba, vba_project

#: The committed workbook of the repo.
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "workbook" / "Prismodell.xlsm"
#: Fixed document date: keeps builds byte-identical.
CREATED = dt.datetime(2026, 1, 1, 0, 0, 0)

INPUT_FILL = "#FFF2CC"  # light yellow: typed by a controller
OUTPUT_FILL = "#DDEBF7"  # light blue: written by the model
HEADER_FILL = "#1F4E78"
TAB_COLOURS = {"info": "#548235", "input": "#FFC000", "output": "#2E75B6", "config": "#7F7F7F"}
TABLE_STYLE = "Table Style Light 1"
A4 = 9
#: Width of Start's text column: the three columns fit a landscape A4 page unscaled, so the
#: buttons print at their size (LibreOffice does not scale a button's caption with the page).
START_TEXT_WIDTH = 90


class _Styles:
    """xlsxwriter formats, created once per distinct property set."""

    def __init__(self, book: xlsxwriter.Workbook):
        self.book = book
        self.cache: dict[tuple, Any] = {}

    def __call__(self, **props: Any):
        key = tuple(sorted(props.items()))
        if key not in self.cache:
            self.cache[key] = self.book.add_format({"font_name": "Calibri", "font_size": 11,
                                                    **props})
        return self.cache[key]

    def cell(self, role: str, number_format: str | None = None, **more: Any):
        fill = INPUT_FILL if role == "input" else OUTPUT_FILL
        props: dict[str, Any] = {"bg_color": fill, "border": 1, "border_color": "#BFBFBF", **more}
        if number_format:
            props["num_format"] = number_format
        return self(**props)


# --- sheets --------------------------------------------------------------------------------------

def _sheet_head(ws, st: _Styles, sheet: L.Sheet) -> None:
    title = L.START_TITLE if sheet.role == "info" else sheet.name
    ws.write_string(0, 0, title, st(bold=True, font_size=16 if sheet.role == "info" else 14,
                                    font_color=HEADER_FILL))
    purpose = st(italic=True, font_color="#595959")
    if sheet.role == "output" and sheet.tables:
        # wrapped over the first table's width, so a long purpose prints within the page
        last = sheet.print_groups[0].last_col
        width = sum(c.width for c in sheet.tables[0].columns if not c.detail)
        lines = max(1, -(-len(sheet.purpose) * 1.1 // width))
        ws.merge_range(1, 0, 1, last - 1, sheet.purpose,
                       st(italic=True, font_color="#595959", text_wrap=True, valign="top"))
        ws.set_row(1, 15 * lines + 2)
    else:
        ws.write_string(1, 0, sheet.purpose, purpose)
    if sheet.role == "output":
        # replaced by each run with the price year and time (OutputPlan: note cells)
        ws.write_string(2, 0, sheet.output_note, st(bold=True, font_color=HEADER_FILL))


def _print_setup(ws, sheet: L.Sheet) -> None:
    ws.set_paper(A4)
    if sheet.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    if sheet.role == "output" and sheet.tables:
        # tables side by side and the charts each start a page, at one scale
        # (L.Sheet.print_scale), or one table fits the page width; no print area (the used
        # range: row 2 wraps within the first table, so no text runs past the tables)
        scale = sheet.print_scale
        if scale is None:
            ws.fit_to_pages(1, 0)
        else:
            ws.set_print_scale(scale)
            ws.set_v_pagebreaks([c - 1 for c in sheet.page_breaks])
    elif sheet.fit_to_width:
        ws.fit_to_pages(1, 0)
    if sheet.print_titles:
        ws.repeat_rows(L.HEADER_ROW - 1)
    side = L.PRINT_SIDE_MARGIN_IN if sheet.role == "output" else 0.5
    ws.set_margins(left=side, right=side, top=0.6, bottom=0.6)
    ws.set_footer("&L&A&CPrismodell Kontaktcenter&RSida &P av &N")


def _validation(col: L.Column) -> dict[str, Any] | None:
    values = col.allowed_values
    ref = col.reference
    if values is not None:
        source: Any = list(values)
    elif ref is not None:
        source = "=" + L.list_name_for(ref)
    else:
        return None
    return {"validate": "list", "source": source, "ignore_blank": not col.required,
            "error_title": "Ogiltigt värde",
            "error_message": f"Välj ett värde i listan för {col.header}."}


def _header_format(st: _Styles):
    return st(bold=True, text_wrap=True, valign="top", font_color="#FFFFFF", bg_color=HEADER_FILL)


def _write_table(ws, st: _Styles, sheet: L.Sheet, table: L.Table, rows: list[list[Any]]) -> None:
    row0, col0 = sheet.table_origin(table.name)
    r0, c0 = row0 - 1, col0 - 1  # 0-based header cell
    role = "input" if sheet.role == "input" else "output"
    caption = sheet.table_caption(table)
    if caption:
        ws.write_string(r0 - 1, c0, caption, st(bold=True, font_size=12, valign="bottom"))
    columns = []
    for c in table.columns:
        fmt = st.cell("output" if c.computed else role, c.number_format)
        columns.append({"header": c.header, "format": fmt, "header_format": _header_format(st)})
    n = max(len(rows), 1)
    data = rows if rows else [[None] * len(table.columns)]
    if role == "output" and table.has_totals:
        # the totals row of the empty table (label only): its bold formats are the ones the
        # writer gives every run's totals row, so a run leaves the stylesheet as it is
        r_tot = L.totals_row(row0, len(rows)) - 1
        for i, c in enumerate(table.columns):
            fmt = st.cell("output", c.number_format, bold=True)
            if i == 0 and not c.total:
                ws.write_string(r_tot, c0 + i, L.TOTAL_LABEL, fmt)
            else:
                ws.write_blank(r_tot, c0 + i, None, fmt)
    ws.add_table(r0, c0, r0 + n, c0 + len(table.columns) - 1, {
        "name": table.name, "columns": columns, "data": data, "style": TABLE_STYLE,
        "autofilter": True,
    })
    for i, c in enumerate(table.columns):
        ws.set_column(c0 + i, c0 + i, c.width, None,
                      {"level": 1, "hidden": True} if c.detail else {})
        if role != "input" or c.computed:
            continue
        v = _validation(c)
        last = r0 + L.LIST_CAPACITY
        if v is not None:
            ws.data_validation(r0 + 1, c0 + i, last, c0 + i, v)
        elif c.kind == "share":
            ws.data_validation(r0 + 1, c0 + i, last, c0 + i, {
                "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1,
                "error_title": "Ogiltig andel",
                "error_message": f"{c.header}: ange en andel mellan 0 % och 100 %."})
        if c.note:
            ws.data_validation(r0, c0 + i, r0, c0 + i, {
                "validate": "any", "input_title": c.header[:32], "input_message": c.note[:255]})


#: Series colours of the charts, in order (calm, distinguishable, printable in grey).
CHART_COLOURS = ("#1F4E78", "#2E75B6", "#9DC3E6", "#A9D18E", "#F4B183", "#7F7F7F")


def _insert_chart(book, ws, sheet: L.Sheet, index: int, n_rows: int) -> None:
    """Chart ``index`` of ``sheet`` over its table's ``n_rows`` data rows (see ``L.Chart``)."""
    spec = sheet.charts[index]
    chart = book.add_chart({"type": spec.kind, **({"subtype": "stacked"} if spec.stacked
                                                  else {})})
    categories, series = L.chart_ranges(spec, n_rows)
    for i, (name, values) in enumerate(series):
        colour = CHART_COLOURS[i % len(CHART_COLOURS)]
        chart.add_series({"name": "=" + name, "categories": "=" + categories,
                          "values": "=" + values, "fill": {"color": colour},
                          "border": {"none": True}, "gap": 60 if spec.stacked else 80})
    font = {"name": "Calibri", "size": 9}
    chart.set_title({"name": spec.title, "name_font": {"name": "Calibri", "size": 12,
                                                        "bold": True, "color": HEADER_FILL}})
    chart.set_legend({"position": "bottom", "font": font})
    value_axis = {"num_format": spec.number_format, "num_font": font,
                  "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
                  "line": {"none": True}}
    if spec.axis_title:
        value_axis |= {"name": spec.axis_title, "name_font": {**font, "bold": False}}
    # labels at the low end: below the bars also where effects are negative
    category_axis = {"num_font": {**font, "rotation": -45}, "line": {"color": "#BFBFBF"},
                     "label_position": "low"}
    if spec.kind == "bar":
        chart.set_x_axis(value_axis)
        chart.set_y_axis(category_axis | {"reverse": True})
    else:
        chart.set_y_axis(value_axis)
        chart.set_x_axis(category_axis)
    chart.set_chartarea({"border": {"color": "#BFBFBF"}})
    chart.set_size({"width": spec.size[0], "height": spec.size[1]})
    row, col = sheet.chart_anchor(index)
    ws.insert_chart(row - 1, col - 1, chart, {"x_offset": 0, "y_offset": 0})


def _write_named_cells(book, ws, st: _Styles, sheet: L.Sheet, values: dict[str, Any]) -> None:
    row0, col0 = sheet.named_cells_origin
    r0, c0 = row0 - 1, col0 - 1
    head = _header_format(st)
    heads = L.STATUS_HEADER if sheet.role == "info" else \
        ("Parameter", "Värde", "Enhet", "Förklaring")
    for j, h in enumerate(heads):
        ws.write_string(r0, c0 + j, h, head)
    for i, nc in enumerate(sheet.named_cells):
        role = "input" if sheet.role == "input" or nc.entry else "output"
        r = r0 + 1 + i
        ws.write_string(r, c0, nc.label)
        fmt = st.cell(role, nc.number_format, **({} if role == "input" else {"align": "left"}))
        v = values.get(nc.field)
        if v is None:
            ws.write_blank(r, c0 + 1, None, fmt)
        elif isinstance(v, str):
            ws.write_string(r, c0 + 1, v, fmt)
        else:
            ws.write_number(r, c0 + 1, v, fmt)
        if nc.unit and not L.format_shows_unit(nc.number_format, nc.unit):
            ws.write_string(r, c0 + 2, nc.unit, st(indent=1))
        if nc.note:
            ws.write_string(r, c0 + 3, nc.note, st(italic=True, font_color="#595959"))
        book.define_name(nc.name, L.named_cell_ref(nc.name))
        if role == "input" and nc.allowed_values:
            ws.data_validation(r, c0 + 1, r, c0 + 1, {
                "validate": "list", "source": list(nc.allowed_values),
                "ignore_blank": not nc.required, "error_title": "Ogiltigt värde",
                "error_message": f"Välj ett värde i listan för {nc.label}."})
        elif role == "input" and nc.list_source:
            ws.data_validation(r, c0 + 1, r, c0 + 1, {
                "validate": "list", "source": "=" + nc.list_source, "ignore_blank": True,
                "error_title": "Ogiltigt värde",
                "error_message": f"Välj ett värde i listan för {nc.label}."})
    if sheet.role == "info":
        return  # Start sets its own column widths
    ws.set_column(c0, c0, 36)
    ws.set_column(c0 + 1, c0 + 1, 16)
    ws.set_column(c0 + 2, c0 + 2, 8)
    ws.set_column(c0 + 3, c0 + 3, 44)


def _write_start(ws, st: _Styles, inputs: Inputs, with_buttons: bool) -> None:
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 20)
    ws.set_column(2, 2, START_TEXT_WIDTH)
    r = L.START_YEAR_ROW - 1
    button_w, button_h = L.BUTTON_SIZE
    rows = -(-len(L.BUTTONS) // L.BUTTONS_PER_ROW)
    ws.set_row(r, (button_h * rows + L.BUTTON_GAP * (rows - 1)) * 0.75 + 8)  # points
    ws.write_string(r, 0, "Prisår", st(bold=True, font_size=12, valign="vcenter"))
    ws.write_formula(r, 1, "=Prisar", st.cell("output", "0", bold=True, font_size=12,
                                               align="left", valign="vcenter"),
                     inputs.parameters.year)
    r = L.START_STEPS_ROW - 1
    ws.write_string(r, 0, "Så här gör du", st(bold=True, font_size=12))
    for i, step in enumerate(L.START_STEPS, start=1):
        ws.write_string(r + i, 0, f"Steg {i}", st(bold=True))
        ws.write_string(r + i, 1, step)
    if with_buttons:
        for i, (caption, macro) in enumerate(L.BUTTONS):
            row, col = divmod(i, L.BUTTONS_PER_ROW)
            ws.insert_button(L.START_YEAR_ROW - 1, 2, {
                "macro": macro, "caption": caption, "width": button_w, "height": button_h,
                "x_offset": 12 + (button_w + L.BUTTON_GAP) * col,
                "y_offset": 4 + (button_h + L.BUTTON_GAP) * row})
    r = L.START_LEGEND_ROW - 1
    ws.write_string(r, 0, "Färgförklaring", st(bold=True, font_size=12))
    for i, (role, word, text) in enumerate(L.LEGEND, start=1):
        ws.write_string(r + i, 0, word, st.cell(role, align="center"))
        ws.write_string(r + i, 1, text)
    r += len(L.LEGEND) + 2
    ws.set_h_pagebreaks([r])  # printed: the overview on page 1, the list of sheets on page 2
    ws.write_string(r, 0, "Bladen", st(bold=True, font_size=12))
    kinds = {"info": "översikt", "input": "indata", "output": "resultat", "config": "inställning"}
    head = _header_format(st)
    for j, h in enumerate(("Blad", "Typ", "Innehåll")):
        ws.write_string(r + 1, j, h, head)
    for i, s in enumerate(L.SHEETS[1:], start=2):
        ws.write_url(r + i, 0, f"internal:{L.quote_sheet(s.name)}!A1", string=s.name)
        ws.write_string(r + i, 1, "kalkylator" if s.name == L.NY_TJANST else kinds[s.role])
        lines = math.ceil(len(s.purpose) / START_TEXT_WIDTH)
        if lines > 1:  # wrap within the page rather than run past the printed width
            ws.set_row(r + i, 15 * lines)
        ws.write_string(r + i, 2, s.purpose, st(text_wrap=True))


def _write_config(ws, st: _Styles) -> None:
    for i, (key, value, note) in enumerate(L.XLWINGS_CONFIG):
        ws.write_string(i, 0, key, st(bold=True))
        if value:
            ws.write_string(i, 1, value, st.cell("input"))
        else:
            ws.write_blank(i, 1, None, st.cell("input"))
        ws.write_string(i, 2, note, st(italic=True, font_color="#595959"))
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 62)
    ws.set_column(2, 2, 70)


def _write_book(path: Path, inputs: Inputs, vba_bin: bytes | None, skeleton: bool) -> None:
    book = xlsxwriter.Workbook(str(path), {"in_memory": True, "strings_to_numbers": False,
                                           "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({
        "title": "Prismodell Kontaktcenter", "subject": f"Priser {inputs.parameters.year}",
        "author": "xlkc", "company": "", "created": CREATED,
        "comments": "Byggd av xlkc bygg. Indata i gula celler, beräknat i blå.",
    })
    book.set_custom_property("xlkc_layout", "1")
    book.set_vba_name("ThisWorkbook")
    if vba_bin is not None:
        book.add_vba_project(io.BytesIO(vba_bin), is_stream=True)
    st = _Styles(book)
    sheets = {}
    for s in L.SHEETS:
        ws = book.add_worksheet(s.name)
        ws.set_vba_name(s.code_name)
        sheets[s.name] = ws
    if not skeleton:
        params = {f.name: sheet_value(_plain, getattr(inputs.parameters, f.name))
                  for f in dataclasses.fields(inputs.parameters) if f.name != "sla_levels"}
        for s in L.SHEETS:
            ws = sheets[s.name]
            ws.set_tab_color(TAB_COLOURS[s.role])
            ws.hide_gridlines(1 if s.gridlines else 2)  # 1: shown on screen, never printed
            _print_setup(ws, s)
            if s.role == "config":
                _write_config(ws, st)
                continue
            if s.name == L.NY_TJANST:
                ws.set_tab_color(TAB_COLOURS["input"])
                ny_tjanst.write_sheet(book, ws, st, s)
                continue
            _sheet_head(ws, st, s)
            if s.role == "info":
                _write_start(ws, st, inputs, with_buttons=vba_bin is not None)
                _write_named_cells(book, ws, st, s, {"status": "Ej körd"})
            elif s.named_cells:
                _write_named_cells(book, ws, st, s, params)
            n_rows = {}
            for t in s.tables:
                rows = table_rows(t, inputs) if s.role == "input" else []
                _write_table(ws, st, s, t, rows)
                n_rows[t.name] = len(rows)
            for i, c in enumerate(s.charts):
                _insert_chart(book, ws, s, i, n_rows[c.table])
            if s.tables:
                ws.set_row(L.HEADER_ROW - 2, 22)  # the captions, apart from the note above
                ws.set_row(L.HEADER_ROW - 1, s.header_height)
            if s.freeze:
                ws.freeze_panes(L.HEADER_ROW, 0)
        for name in L.lists():
            book.define_name(name, L.list_ref(name))
        sheets["Start"].activate()
    book.close()


_plain = L.NamedCell("_", "_", "_")  # no scale: parameters are shown as stored


def build_workbook(path: str | os.PathLike, inputs: Inputs | None = None) -> Path:
    """Write the workbook to ``path`` (two passes, see the module doc). Returns the path."""
    if inputs is None:
        from xlkc.example import example_inputs

        inputs = example_inputs()
    path = Path(path)
    modules = vba.vba_modules()
    with tempfile.TemporaryDirectory() as tmp:
        skeleton = Path(tmp) / "skeleton.xlsm"
        _write_book(skeleton, inputs, None, skeleton=True)
        # MS-OVBA's form on write: no performance caches, cookies 0xFFFF (vba_project)
        vba_bin = vba_project.normalize(vba.compile_project(skeleton, modules))
    _write_book(path, inputs, vba_bin, skeleton=False)
    return path


def build_atomic(target: str | os.PathLike, inputs: Inputs | None = None) -> Path:
    """Build into a temporary file beside ``target``, then replace ``target`` atomically."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".bygg-", suffix=".xlsm", dir=target.parent)
    os.close(fd)
    try:
        build_workbook(tmp_name, inputs)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_name, 0o666 & ~umask)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return target
