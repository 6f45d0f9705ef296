"""LibreOffice checks: the harness itself (on a scratch workbook built here) and the
real workbook's buttons, VBA modules and rendering (skipped until it exists).

Everything skips with a reason when soffice, python3-uno or pdftoppm is missing.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

try:  # tests/ as a package or as a plain rootdir-relative folder
    from . import lo_harness as lo
except ImportError:
    import lo_harness as lo

# $XLKC_ARBETSBOK checks a workbook built elsewhere (e.g. a build in a temp folder).
WORKBOOK = Path(os.environ.get("XLKC_ARBETSBOK") or lo.REPO_ROOT / "workbook" / "Prismodell.xlsm")

pytestmark = pytest.mark.skipif(
    lo.unavailable_reason() is not None,
    reason=f"LibreOffice-kontroller hoppas över: {lo.unavailable_reason()}",
)

SCRATCH_INPUTS = [1, 2, 3.5]
SCRATCH_MODULE = 'Attribute VB_Name = "Module1"\r\nSub Hej()\r\n    MsgBox "Hej"\r\nEnd Sub\r\n'


@pytest.fixture(scope="session")
def office():
    """The shared LibreOffice; stopped at the end of the session."""
    instance = lo.office()
    yield instance
    lo.shutdown()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    """A tiny .xlsm: one button bound to Module1.Hej, a formula, an error, two sheets."""
    xlsxwriter = pytest.importorskip("xlsxwriter")
    pyopenvba = pytest.importorskip("pyopenvba")
    tmp = tmp_path_factory.mktemp("lo_scratch")
    # Pass 1: pyopenvba's Excel template supplies a valid VBA project.
    pass1 = tmp / "pass1.xlsm"
    pyopenvba.ExcelFile.create_new(pass1)
    with pyopenvba.ExcelFile(pass1) as wb:
        names = wb.module_names()
        wb.set_module("Module1", SCRATCH_MODULE)
        wb.save()
    with pyopenvba.ExcelFile(pass1) as wb:
        binary = wb.vba_project_bytes()
    assert {"ThisWorkbook", "Sheet1", "Module1"} <= set(names)
    # Pass 2: the real workbook, with the project and a button.
    path = tmp / "Prov.xlsm"
    book = xlsxwriter.Workbook(path)
    book.add_vba_project(io.BytesIO(binary), is_stream=True)
    book.set_vba_name("ThisWorkbook")
    sheet = book.add_worksheet("Blad")
    sheet.set_vba_name("Sheet1")
    sheet.write_column("A1", SCRATCH_INPUTS)
    sheet.write_formula("B1", "=SUM(A1:A3)*2")
    sheet.write_formula("B2", "=1/0")
    sheet.write("C1", "text")
    sheet.insert_button("D2", {"macro": "Module1.Hej", "caption": "Klicka här",
                               "width": 120, "height": 30})
    other = book.add_worksheet("Andra blad")
    other.write("A1", "andra bladet")
    other.write_formula("A2", "=Blad!B1+1")
    book.close()
    return path


# ---------------------------------------------------------------------------
# The harness on the scratch workbook
# ---------------------------------------------------------------------------


def test_harness_buttons(office, scratch):
    found = office.buttons(scratch)
    assert len(found) == 1
    button = found[0]
    assert button["sheet"] == "Blad"
    assert button["caption"] == "Klicka här"
    assert button["macro"] == "Module1.Hej"
    assert button["library"] == "VBAProject"
    assert button["script"].startswith("vnd.sun.star.script:VBAProject.Module1.Hej?")
    # xlsxwriter writes buttons as non-printable; rendering has to switch that on.
    assert button["printable"] is False
    assert button["width"] > button["height"] > 0


def test_harness_vba_modules(office, scratch):
    modules = office.vba_modules(scratch)
    assert "VBAProject" in modules
    assert "Sub Hej()" in modules["VBAProject"]["Module1"]
    assert {"ThisWorkbook", "Sheet1"} <= set(modules["VBAProject"])


def test_harness_recalculate_and_formulas(office, scratch):
    values, formulas = office.run(scratch, [
        {"kind": "recalculate", "sheets": None, "ranges": ["Blad!A1:B2"]},
        {"kind": "formulas", "sheets": ["Blad"], "ranges": []},
    ])
    # xlsxwriter stores 0 as the cached result; the engine must compute the formulas.
    assert values["Blad!A1:B2"] == [[1.0, sum(SCRATCH_INPUTS) * 2], [2.0, None]]
    assert formulas["Blad"][0][1] == "=SUM(A1:A3)*2"


def test_harness_recalculate_whole_sheets(scratch):
    sheets = lo.recalculate(scratch)
    assert set(sheets) == {"Blad", "Andra blad"}
    blad = sheets["Blad"]
    assert len(blad) == 3 and len(blad[0]) == 3  # A1 through the used area's end (C3)
    assert [row[0] for row in blad] == [float(v) for v in SCRATCH_INPUTS]
    assert blad[0][1] == sum(SCRATCH_INPUTS) * 2
    assert blad[1][1] is None  # #DIV/0!
    assert blad[0][2] == "text" and blad[2][2] == ""
    assert sheets["Andra blad"] == [["andra bladet"], [sum(SCRATCH_INPUTS) * 2 + 1]]


def test_harness_unknown_sheet_is_a_swedish_error(office, scratch):
    with pytest.raises(lo.LibreOfficeError, match="finns inte"):
        office.recalculate(scratch, sheets=["Saknas"])
    # The instance survives a failed job.
    assert office.recalculate(scratch, ranges=["'Andra blad'!A1"]) == {
        "'Andra blad'!A1": [["andra bladet"]]}


def _pdftext(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext saknas")
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True,
                          timeout=60).stdout.decode()


def test_harness_render_one_sheet_per_pdf(office, scratch, tmp_path):
    pdfs = office.render_pdf(scratch, ["Blad", "Andra blad"], tmp_path)
    blad, andra = _pdftext(pdfs["Blad"]), _pdftext(pdfs["Andra blad"])
    assert "Klicka här" in blad  # the button became printable
    assert "13" in blad and "#DIV/0!" in blad  # recalculated before export
    assert "andra bladet" not in blad
    assert "andra bladet" in andra and "Klicka" not in andra
    pngs = lo.pdf_to_png(pdfs["Blad"], dpi=40)
    assert len(pngs) == 1
    width, height = lo.png_size(pngs[0])
    assert height > width > 100  # A4 portrait
    assert lo.pdf_ink(pdfs["Blad"]) > 0.001


def test_harness_blank_page_has_no_ink(office, tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "Tom.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("Tomt").write("A1", " ")
    book.close()
    pdf = office.render_pdf(path, ["Tomt"], tmp_path)["Tomt"]
    assert lo.pdf_ink(pdf) == 0.0


def test_harness_private_instance_is_killed(scratch):
    with lo.LibreOffice(connect_timeout=60, job_timeout=60) as private:
        pid = private.pid
        assert pid is not None
        os.killpg(pid, 0)  # alive
        assert private.buttons(scratch)[0]["caption"] == "Klicka här"
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)


# ---------------------------------------------------------------------------
# The real workbook
# ---------------------------------------------------------------------------

EXPECTED_BUTTONS = {
    "Beräkna priser": "Prismodell.BeraknaPriser",
    "Validera indata": "Prismodell.ValideraIndata",
    "Testa kopplingen": "Prismodell.TestaKopplingen",
    "Nytt prisår": "Prismodell.NyttPrisar",
}
RENDERED_SHEETS = ["Start", "Prislista"]


@pytest.fixture(scope="module")
def workbook_report(office):
    """Buttons, VBA modules and PDFs of workbook/Prismodell.xlsm from one load."""
    if not WORKBOOK.exists():
        pytest.skip(f"{WORKBOOK} finns inte ännu")
    out_dir = lo.artefakter_dir()
    found, modules, pdfs = office.run(WORKBOOK, [
        {"kind": "buttons"},
        {"kind": "vba_modules"},
        {"kind": "render_pdf", "sheets": RENDERED_SHEETS, "out_dir": str(out_dir),
         "stem": WORKBOOK.stem},
    ])
    pngs = {sheet: lo.pdf_to_png(Path(pdf)) for sheet, pdf in pdfs.items()}
    return {"buttons": found, "modules": modules, "pdfs": pdfs, "pngs": pngs}


@pytest.mark.parametrize("caption", sorted(EXPECTED_BUTTONS))
def test_workbook_button_on_start_is_bound(workbook_report, caption):
    on_start = [b for b in workbook_report["buttons"] if b["sheet"] == "Start"]
    matches = [b for b in on_start if b["caption"] == caption]
    assert len(matches) == 1, f"knappen {caption!r} saknas på Start: {on_start}"
    assert matches[0]["macro"] == EXPECTED_BUTTONS[caption]
    assert matches[0]["library"] == "VBAProject"


def test_workbook_vba_modules_imported(workbook_report):
    project = workbook_report["modules"].get("VBAProject", {})
    assert {"Prismodell", "xlwings", "Dictionary"} <= set(project)
    prismodell = project["Prismodell"]
    for needle in ("Sub BeraknaPriser", "Sub ValideraIndata", "Sub TestaKopplingen",
                   "RunPython"):
        assert needle in prismodell
    assert "Function RunPython" in project["xlwings"]
    # The Dictionary class keeps its class-module nature through the import.
    assert "VBAClassModule" in project["Dictionary"]


@pytest.mark.parametrize("sheet", RENDERED_SHEETS)
def test_workbook_sheet_renders(workbook_report, sheet):
    pngs = workbook_report["pngs"][sheet]
    assert pngs, f"ingen bild för {sheet}"
    first = pngs[0]
    assert first.stat().st_size > 5_000
    width, height = lo.png_size(first)
    assert width > 300 and height > 300
    assert lo.pdf_ink(Path(workbook_report["pdfs"][sheet])) > 0.005


def test_workbook_buttons_are_visible_when_rendered(workbook_report):
    text = _pdftext(Path(workbook_report["pdfs"]["Start"]))
    words = set(text.split())
    for caption in EXPECTED_BUTTONS:
        assert set(caption.split()) <= words, f"knappen {caption!r} syns inte på Start"
