"""PDF documents for the board and the customers (``xlkc dokument``).

Prislista för beslut and one Kundspecifikation per customer, each laid out for A4 landscape in a
small workbook of its own (xlsxwriter) and printed to PDF by LibreOffice headless, the real
spreadsheet renderer available without Excel. Numbers are written as Swedish text ("5 616 129 kr",
"4,9 %") so the PDF reads the same whatever LibreOffice's locale. In Excel the button
**Skapa PDF** does the same with ``ExportAsFixedFormat`` on the workbook's own sheets.

The figures are the engine's (``xlkc.statements``); this module only lays them out.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from xlkc.errors import XlkcError
from xlkc.inputs import Inputs
from xlkc.layout.sheets import PRICE_PRINCIPLES
from xlkc.results import Results
from xlkc.statements import ROW_TOTAL, board_heading

__all__ = ["DocumentError", "board_pdf_name", "find_soffice", "statement_pdf_name",
           "write_documents"]

#: Seconds LibreOffice may take to print all documents.
SOFFICE_TIMEOUT = 600
_FONT = {"font_name": "Calibri", "font_size": 10}


class DocumentError(XlkcError):
    """The documents could not be made (Swedish message)."""


def find_soffice() -> str | None:
    """LibreOffice's command, or None when it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for path in (r"C:\Program Files\LibreOffice\program\soffice.exe",
                 "/Applications/LibreOffice.app/Contents/MacOS/soffice"):
        if os.path.exists(path):
            return path
    return None


# --- Swedish text of numbers ---------------------------------------------------------------------

def _blank(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def sv_number(x: Any, decimals: int = 0) -> str:
    """12345.5 -> '12 345,50' (decimals 2); '' for an empty value; '−' for minus."""
    if _blank(x):
        return ""
    text = f"{float(x):,.{decimals}f}".replace(",", " ").replace(".", ",")
    return text.replace("-", "−")


def _t(x: Any) -> str:
    """A text cell's value: '' for an empty one (None or NaN)."""
    return "" if _blank(x) else str(x)


def sv_kr(x: Any, decimals: int = 0) -> str:
    return "" if _blank(x) else f"{sv_number(x, decimals)} kr"


def sv_pct(x: Any) -> str:
    return "" if _blank(x) else f"{sv_number(100 * float(x), 1)} %"


def _safe(name: str) -> str:
    """A file name part without characters Windows or macOS refuse."""
    return re.sub(r'[\\/:*?"<>|]+', "-", name).strip(" .") or "kund"


def board_pdf_name(inputs: Inputs) -> str:
    return f"Prislista för beslut {inputs.parameters.year}.pdf"


def statement_pdf_name(inputs: Inputs, customer_id: str, customer_name: str) -> str:
    return _safe(f"Kundspecifikation {inputs.parameters.year} {customer_id} {customer_name}") \
        + ".pdf"


# --- layout of one document ----------------------------------------------------------------------

class _Doc:
    """One A4 landscape sheet: a title, lines of text, then a table of text cells."""

    def __init__(self, path: Path, title: str, widths: list[float]):
        import xlsxwriter

        self.book = xlsxwriter.Workbook(str(path))
        self.ws = self.book.add_worksheet(title[:31].replace("/", "-"))
        self.ws.set_landscape()
        self.ws.set_paper(9)  # A4
        self.ws.set_margins(left=0.6, right=0.6, top=0.7, bottom=0.7)
        self.ws.fit_to_pages(1, 0)
        self.ws.hide_gridlines(2)
        self.ws.set_footer("&L&8Prismodell Kontaktcenter&R&8Sida &P av &N")
        for j, w in enumerate(widths):
            self.ws.set_column(j, j, w)
        self.n_cols = len(widths)
        self.row = 0
        f = self.book.add_format
        self.f_title = f({**_FONT, "bold": True, "font_size": 16, "font_color": "#1F4E78"})
        self.f_line = f({**_FONT, "font_size": 11})
        self.f_wrap = f({**_FONT, "text_wrap": True, "valign": "top"})
        self.f_head = f({**_FONT, "bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E78",
                         "text_wrap": True, "valign": "top", "border": 1,
                         "border_color": "#BFBFBF"})
        self.f_cell = f({**_FONT, "border": 1, "border_color": "#BFBFBF"})
        self.f_num = f({**_FONT, "border": 1, "border_color": "#BFBFBF", "align": "right"})
        self.f_total = f({**_FONT, "bold": True, "top": 2, "bottom": 1,
                          "border_color": "#1F4E78"})
        self.f_total_num = f({**_FONT, "bold": True, "top": 2, "bottom": 1, "align": "right",
                              "border_color": "#1F4E78"})
        self.f_small = f({**_FONT, "font_size": 9, "italic": True})
        self.f_small_wrap = f({**_FONT, "font_size": 9, "italic": True, "text_wrap": True,
                               "valign": "top"})
        self.ws.write(self.row, 0, title, self.f_title)
        self.row += 1

    def line(self, text: str, small: bool = False) -> None:
        self.ws.write(self.row, 0, text, self.f_small if small else self.f_line)
        self.row += 1

    def paragraph(self, text: str, lines: int = 3, small: bool = False) -> None:
        self.ws.merge_range(self.row, 0, self.row, self.n_cols - 1, text,
                            self.f_small_wrap if small else self.f_wrap)
        self.ws.set_row(self.row, 14 * lines)
        self.row += 1

    def table(self, header: list[str], rows: list[tuple[list[str], bool]],
              right: list[bool]) -> None:
        for j, h in enumerate(header):
            self.ws.write(self.row, j, h, self.f_head)
        self.ws.set_row(self.row, 30)
        self.ws.repeat_rows(self.row)
        self.row += 1
        for values, total in rows:
            for j, v in enumerate(values):
                fmt = ((self.f_total_num if right[j] else self.f_total) if total
                       else (self.f_num if right[j] else self.f_cell))
                self.ws.write_string(self.row, j, v, fmt)
            self.row += 1

    def close(self) -> None:
        self.book.close()


def _board_doc(path: Path, inputs: Inputs, board: pd.DataFrame) -> None:
    doc = _Doc(path, "Prislista för beslut", [9, 34, 20, 13, 11, 15, 13, 15, 10])
    doc.line(board_heading(inputs))
    doc.paragraph(PRICE_PRINCIPLES, lines=3)
    doc.row += 1
    notes: dict[str, int] = {}
    rows = []
    for r in board.itertuples(index=False):
        mark = ""
        if isinstance(r.note, str) and r.note:
            mark = "¹²³⁴⁵⁶⁷⁸⁹"[notes.setdefault(r.note, len(notes)) % 9]
        service = r.service_id + (f" ({r.channel_id})" if isinstance(r.channel_id, str) else "")
        previous = (sv_kr(r.previous_price_kr, 2) if not _blank(r.previous_price_kr)
                    else sv_kr(r.previous_annual_fee_kr))
        rows.append(([service, _t(r.name), _t(r.price_model), sv_kr(r.unit_price_kr, 2),
                      _t(r.price_unit), sv_kr(r.annual_fee_kr), previous,
                      sv_pct(r.change_pct) if not mark else "", mark], False))
    doc.table(["Tjänst", "Namn", "Prismodell", "Pris per enhet", "Enhet", "Årsavgift",
               "Föregående pris", "Förändring", "Not"], rows,
              [False, False, False, True, False, True, True, True, False])
    doc.row += 1
    for text, k in notes.items():
        doc.line(f"{'¹²³⁴⁵⁶⁷⁸⁹'[k % 9]} {text}", small=True)
    doc.line("Årsavgifter fördelas på kunderna efter tjänstens avgiftsnyckel; se "
             "Kundspecifikation.", small=True)
    doc.close()


def _statement_doc(path: Path, inputs: Inputs, lines: pd.DataFrame) -> None:
    name = lines["customer_name"].iloc[0]
    doc = _Doc(path, f"Kundspecifikation – {name}", [9, 30, 22, 12, 8, 12, 13, 14, 14, 14, 10])
    doc.line(board_heading(inputs).replace("Prislista", "Priser"))
    doc.line(f"Kund: {name} ({lines['customer_id'].iloc[0]})")
    doc.row += 1
    rows = []
    for r in lines.itertuples(index=False):
        total = r.row_kind == ROW_TOTAL
        service = "" if total else r.service_id + (
            f" ({r.channel_id})" if isinstance(r.channel_id, str) else "")
        rows.append(([service, _t(r.name), _t(r.key), sv_number(r.key_quantity),
                      sv_pct(r.share) if not _blank(r.share) else "",
                      sv_number(r.quantity, 0),
                      "" if _blank(r.price_kr) else f"{sv_number(r.price_kr, 2)} "
                      f"{_t(r.price_unit) or 'kr'}",
                      sv_kr(r.charge_kr), sv_kr(r.previous_charge_kr), sv_kr(r.change_kr),
                      sv_pct(r.change_pct)], total))
    doc.table(["Tjänst", "Namn", "Avgiftsnyckel", "Nyckeltal", "Andel", "Kvantitet", "Pris",
               "Debitering", "Föregående år", "Förändring", "Förändring %"], rows,
              [False, False, False, True, True, True, True, True, True, True, True])
    doc.row += 1
    doc.paragraph("Årsavgiften för en bastjänst delas mellan kunderna efter nyckeln: kundens "
                  "andel = kundens nyckeltal / alla kunders nyckeltal. Tilläggstjänster "
                  "debiteras per kontakt, minut eller timme till prislistans pris. Priserna följer "
                  "självkostnadsprincipen.", lines=2, small=True)
    doc.close()


# --- printing ------------------------------------------------------------------------------------

def _print_pdfs(soffice: str, sources: list[Path], out_dir: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="xlkc-lo-") as profile:
        cmd = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
               "--norestore", "--convert-to", "pdf", "--outdir", str(out_dir),
               *map(str, sources)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=SOFFICE_TIMEOUT,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise DocumentError(f"LibreOffice svarade inte inom {SOFFICE_TIMEOUT} s; inga "
                                "PDF:er skapades") from exc
    missing = [s.name for s in sources if not (out_dir / (s.stem + ".pdf")).exists()]
    if proc.returncode != 0 or missing:
        detail = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
        raise DocumentError(f"LibreOffice kunde inte skriva ut {', '.join(missing) or 'PDF'}"
                            f" ({detail[0]})")


def write_documents(inputs: Inputs, results: Results, out_dir: str | os.PathLike[str],
                    soffice: str | None = None) -> list[Path]:
    """Write Prislista för beslut and one Kundspecifikation per customer as PDFs into
    ``out_dir``; returns their paths (the price list first). An existing PDF of the same name
    is replaced only when all documents were printed."""
    soffice = soffice or find_soffice()
    if soffice is None:
        raise DocumentError(
            "LibreOffice behövs för att skapa PDF:er utan Excel, men finns inte på den här "
            "datorn. Installera LibreOffice, eller använd knappen Skapa PDF i Excel.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    board = results.board
    statement = results.statement
    with tempfile.TemporaryDirectory(prefix="xlkc-dok-") as tmp_name:
        tmp = Path(tmp_name)
        jobs: list[tuple[Path, str]] = []
        src = tmp / "doc000.xlsx"
        _board_doc(src, inputs, board)
        jobs.append((src, board_pdf_name(inputs)))
        for k, (cid, lines) in enumerate(statement.groupby("customer_id", sort=False), 1):
            src = tmp / f"doc{k:03d}.xlsx"
            _statement_doc(src, inputs, lines)
            jobs.append((src, statement_pdf_name(inputs, cid, lines["customer_name"].iloc[0])))
        printed = tmp / "pdf"
        printed.mkdir()
        _print_pdfs(soffice, [s for s, _ in jobs], printed)
        written = []
        for src, name in jobs:
            target = out / name
            shutil.move(str(printed / (src.stem + ".pdf")), target)
            written.append(target)
    return written

