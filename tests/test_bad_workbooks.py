"""A corpus of bad workbooks, generated from the bundled one: each gives its clear Swedish
message naming sheet, row and column, every problem of a workbook is reported at once, nothing
is computed, and the input file is byte-identical afterwards."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.excel_edit import WORKBOOK, edited_copy, named, set_cell, sha256, table_box
from xlkc import layout as L  # noqa: N812
from xlkc.errors import InputError, Problem, ValidationError
from xlkc.excel.file_reader import read_inputs

ROW = L.FIRST_DATA_ROW  # Excel row of a table's first data row


def _read_failing(path: Path, error: type[Exception] = ValidationError):
    """read_inputs must fail with ``error``, leave the file unchanged and compute nothing."""
    before = sha256(path)
    with pytest.raises(error) as err:
        read_inputs(path)
    assert sha256(path) == before
    return err.value


def _find(problems: list[Problem], text: str) -> Problem:
    hits = [p for p in problems if text in p.message]
    assert hits, f"no problem mentions {text!r}:\n" + "\n".join(map(str, problems))
    return hits[0]


@dataclass(frozen=True)
class Case:
    name: str
    edit: Callable[[Any], Any]
    text: str  # part of the message
    sheet: str
    row: int | None
    column: str | None


def _param_cell(name: str) -> tuple[int, str]:
    """(Excel row, column letter) of a parameter's named cell in the bundled workbook."""
    row, col = L.sheet("Parametrar").named_cell_position(name)
    return row, L.col_letter(col)


def _set(table: str, header: str, index: int, value: Any):
    return lambda wb: set_cell(wb, table, header, index, value)


def _month_zeros(wb):
    for i in range(12):
        set_cell(wb, "tblManadsfaktorer", "Faktor", i, 0)


def _direct_without_receivers(wb):
    set_cell(wb, "tblOverhead", "Fördelningsnyckel", 0, "direkt")
    set_cell(wb, "tblOverhead", "Mottagare (tjänster)", 0, None)


def _price_per_contact_without_volume(wb):
    # SB-T1 (Styckpris per kontakt) has one contact row: index 8 of Kontakter.
    assert set_cell(wb, "tblKontakter", "Tjänst-id", 8, "SB-T1")
    set_cell(wb, "tblKontakter", "Volym per år", 8, 0)


CASES = [
    Case("text i talcell", _set("tblKontakter", "Hanteringstid (min)", 8, "ca 5"),
         "värdet 'ca 5' är inte ett tal", "Kontakter", ROW + 8, "Hanteringstid (min)"),
    Case("okänd tjänst", _set("tblKontakter", "Tjänst-id", 4, "XX9"),
         "tjänsten 'XX9' finns inte i Tjänster", "Kontakter", ROW + 4, "Tjänst-id"),
    Case("okänd kanal", _set("tblKontakter", "Kanal", 3, "fax"),
         "kanalen 'fax' finns inte i Kanaler", "Kontakter", ROW + 3, "Kanal"),
    Case("dubblett tjänst", _set("tblTjanster", "Tjänst-id", 2, "SB1"),
         "Tjänst 'SB1' förekommer mer än en gång", "Tjänster", ROW + 2, "Tjänst-id"),
    Case("negativ volym", _set("tblKontakter", "Volym per år", 0, -100),
         "volymen får inte vara negativ", "Kontakter", ROW, "Volym per år"),
    Case("värde saknas", _set("tblTjanster", "Prismodell", 3, None),
         "värde saknas", "Tjänster", ROW + 3, "Prismodell"),
    Case("profil utan summa", _month_zeros,
         "månadsfaktorerna (januari–december) måste ha en positiv summa", "Profil", None,
         "Faktor"),
    Case("direkt nyckel utan mottagare", _direct_without_receivers,
         "fördelas direkt men saknar mottagare", "Overhead", ROW, "Mottagare (tjänster)"),
    Case("enhetspool utan tjänster", _set("tblOverhead", "Enhet", 12, "Okänd enhet"),
         "enheten 'Okänd enhet' har inga tjänster", "Overhead", ROW + 12, "Enhet"),
    Case("styckpris utan volym", _price_per_contact_without_volume,
         "har ett styckpris men prognosvolymen är 0", "Tjänster", ROW + 3, "Prismodell"),
    Case("kundvolym för okänd tjänst", _set("tblKundvolymer", "Tjänst-id", 0, "XX9"),
         "Tjänsten 'XX9' finns inte under Tjänster", "Kundvolymer", ROW, "Tjänst-id"),
    Case("andel som procenttal", _set("tblKanaler", "Servicenivå", 0, 80),
         "värdet 80 är större än 100 %; menar du 80 %", "Kanaler", ROW, "Servicenivå"),
    Case("okänt val", _set("tblKanaler", "Typ", 1, "direkt"),
         "värdet 'direkt' finns inte i listan; välj 'realtid', 'uppskjuten'", "Kanaler",
         ROW + 1, "Typ"),
    Case("felvärde", _set("tblKostnader", "Belopp (kr)", 0, "#DIV/0!"),
         "#DIV/0! är ett felvärde", "Kostnader", ROW, "Belopp (kr)"),
    Case("parameter text", lambda wb: setattr(named(wb, "Sjukfranvaro"), "value", "sex"),
         "värdet 'sex' för Sjukfrånvaro är inte en andel", "Parametrar",
         *_param_cell("Sjukfranvaro")),
    Case("parameter utanför gräns", lambda wb: setattr(named(wb, "MaxBelaggning"), "value", 0),
         "maximal beläggning måste vara större än 0", "Parametrar",
         *_param_cell("MaxBelaggning")),
    Case("negativ parameter", lambda wb: setattr(named(wb, "PlatserPerAa"), "value", -1),
         "Parametern Platser per årsarbetare får inte vara negativ", "Parametrar",
         *_param_cell("PlatserPerAa")),
    Case("SLA-nivå utanför gräns", _set("tblSLA", "Svarstid (s)", 1, -30),
         "SLA-nivå: svarstiden får inte vara negativ", "Parametrar", ROW + 1, "Svarstid (s)"),
    Case("timprofil i fel ordning", _set("tblTimprofil", "Timme", 2, 15),
         "timmen 15 står på fel rad", "Profil", ROW + 2, "Timme"),
    # Numbers outside their documented range (xlkc/bounds.py): located, nothing computed.
    Case("volym 10^12", _set("tblKontakter", "Volym per år", 1, 1e12),
         "värdet 1\u00a0000\u00a0000\u00a0000\u00a0000 ligger utanför det tillåtna intervallet "
         "0–100\u00a0000\u00a0000 kontakter per år", "Kontakter", ROW + 1, "Volym per år"),
    Case("volym 10^300", _set("tblKontakter", "Volym per år", 2, 1e300),
         "värdet 1·10^300 ligger utanför", "Kontakter", ROW + 2, "Volym per år"),
    Case("volym i hanteringstidskolumnen", _set("tblKontakter", "Hanteringstid (min)", 5, 38000),
         "värdet 38\u00a0000 ligger utanför det tillåtna intervallet 0–480 min", "Kontakter",
         ROW + 5, "Hanteringstid (min)"),
    Case("målvärde volym 10^20", _set("tblKontakter", "Målvärde volym", 6, 1e20),
         "värdet 1·10^20 ligger utanför", "Kontakter", ROW + 6, "Målvärde volym"),
    Case("tålamod 1 ms", _set("tblKanaler", "Tålamod (s)", 3, 0.001),
         "värdet 0,001 ligger utanför det tillåtna intervallet 1–86\u00a0400 s", "Kanaler",
         ROW + 3, "Tålamod (s)"),
    Case("samtidighet 1000", _set("tblKanaler", "Samtidighet", 2, 1000),
         "värdet 1000 ligger utanför det tillåtna intervallet 0,1–20", "Kanaler", ROW + 2,
         "Samtidighet"),
    Case("beläggning 5 %", _set("tblSvarsgrupper", "Max beläggning", 0, "5 %"),
         "värdet 5 ligger utanför det tillåtna intervallet 10–100 %", "Kanaler", ROW,
         "Max beläggning"),
    Case("månadslön 10^300", _set("tblPersonal", "Månadslön (kr)", 0, 1e300),
         "värdet 1·10^300 ligger utanför det tillåtna intervallet 0–1\u00a0000\u00a0000 kr per "
         "månad", "Personal", ROW, "Månadslön (kr)"),
    Case("overheadbelopp 10^15", _set("tblOverhead", "Belopp (kr)", 1, 1e15),
         "värdet 1·10^15 ligger utanför", "Overhead", ROW + 1, "Belopp (kr)"),
    Case("invånare 10^12", _set("tblKunder", "Invånare", 1, 1e12),
         "ligger utanför det tillåtna intervallet 0–1\u00a0000\u00a0000\u00a0000", "Kunder",
         ROW + 1, "Invånare"),
    Case("avrundningssteg 10^-9", lambda wb: setattr(named(wb, "AvrundningSteg"), "value", 1e-9),
         "värdet 1·10^-9 ligger utanför det tillåtna intervallet 0,01–100\u00a0000 kr",
         "Parametrar", *_param_cell("AvrundningSteg")),
    Case("överskott på 1000 år", lambda wb: setattr(named(wb, "OverskottAr"), "value", 1000),
         "värdet 1000 ligger utanför det tillåtna intervallet 1–50 år", "Parametrar",
         *_param_cell("OverskottAr")),
    Case("SLA-svarstid 10^9 s", _set("tblSLA", "Svarstid (s)", 2, 1e9),
         "ligger utanför det tillåtna intervallet 0–86\u00a0400 s", "Parametrar", ROW + 2,
         "Svarstid (s)"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_error_class_has_its_located_message(tmp_path, case):
    path = edited_copy(tmp_path, "fel.xlsm", case.edit)
    err = _read_failing(path)
    p = _find(err.problems, case.text)
    assert (p.sheet, p.row, p.column) == (case.sheet, case.row, case.column), str(p)
    if case.column is not None and p.row is not None:
        table = f"tabell {p.table_label}, " if p.table_label else ""
        assert str(p).startswith(f"{case.sheet}, {table}rad {case.row}, kolumn {case.column}: ")
    assert str(p) in str(err)  # the exception's text lists it


def test_the_issue_example_reads_verbatim(tmp_path):
    path = edited_copy(tmp_path, "fel.xlsm", CASES[0].edit)
    err = _read_failing(path)
    assert [str(p) for p in err.problems] == [
        "Kontakter, rad 14, kolumn Hanteringstid (min): värdet 'ca 5' är inte ett tal"]
    assert err.problems[0].table == "tblKontakter"


def test_all_problems_of_a_workbook_are_reported_at_once(tmp_path):
    def edit(wb):
        for case in CASES:
            if case.name not in ("dubblett tjänst", "styckpris utan volym"):
                case.edit(wb)

    path = edited_copy(tmp_path, "många_fel.xlsm", edit)
    err = _read_failing(path)
    for case in CASES:
        if case.name in ("dubblett tjänst", "styckpris utan volym"):
            continue
        p = _find(err.problems, case.text)
        assert (p.sheet, p.row, p.column) == (case.sheet, case.row, case.column), str(p)
    assert str(err).startswith(f"{len(err.problems)} fel i indata:")
    # In workbook order: sheet by sheet, top to bottom.
    order = {s.name: i for i, s in enumerate(L.SHEETS)}
    keys = [(order[p.sheet], p.row or 0) for p in err.problems]
    assert keys == sorted(keys)


def test_a_bad_cell_gives_one_message_not_a_cascade(tmp_path):
    """The core's checks of a row with an unreadable cell are left out."""
    def edit(wb):
        set_cell(wb, "tblKontakter", "Volym per år", 0, "många")
        set_cell(wb, "tblKanaler", "Samtidighet", 1, "hög")

    err = _read_failing(edited_copy(tmp_path, "ett_fel.xlsm", edit))
    assert [(p.sheet, p.row, p.column) for p in err.problems] == [
        ("Kontakter", ROW, "Volym per år"), ("Kanaler", ROW + 1, "Samtidighet")]


# --- files that are not readable workbooks -----------------------------------------------------

def test_a_text_file_named_xlsm(tmp_path):
    path = tmp_path / "anteckningar.xlsm"
    path.write_text("Det här är ingen arbetsbok.\n", encoding="utf-8")
    err = _read_failing(path, InputError)
    assert "'anteckningar.xlsm' är inte en Excel-fil" in str(err)


def test_an_empty_file(tmp_path):
    path = tmp_path / "tom.xlsm"
    path.write_bytes(b"")
    assert "är tom" in str(_read_failing(path, InputError))


def test_a_missing_file(tmp_path):
    with pytest.raises(InputError, match="finns inte"):
        read_inputs(tmp_path / "saknas.xlsm")


def test_a_truncated_file(tmp_path):
    data = WORKBOOK.read_bytes()
    path = tmp_path / "avbruten.xlsm"
    path.write_bytes(data[: len(data) // 2])
    err = _read_failing(path, InputError)
    assert "är skadad eller ofullständig" in str(err)


def test_a_damaged_sheet_inside_an_intact_zip(tmp_path):
    path = tmp_path / "skadad.xlsm"
    with zipfile.ZipFile(WORKBOOK) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet4.xml":
                data = data[: len(data) // 3]
            dst.writestr(info, data)
    err = _read_failing(path, InputError)
    assert "'skadad.xlsm' är skadad" in str(err)


def test_a_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "arkiv.xlsm"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hej")
    assert "är inte en Excel-arbetsbok" in str(_read_failing(path, InputError))


def test_a_password_protected_workbook(tmp_path):
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    path = tmp_path / "lösenord.xlsm"
    with open(WORKBOOK, "rb") as f, open(path, "wb") as out:
        ooxml.OOXMLFile(f).encrypt("hemligt", out)
    assert path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    err = _read_failing(path, InputError)
    assert "'lösenord.xlsm' är lösenordsskyddad" in str(err)
    assert not isinstance(err, ValidationError)


def test_a_missing_sheet(tmp_path):
    path = edited_copy(tmp_path, "utan_blad.xlsm", lambda wb: wb.remove(wb["Kontakter"]))
    err = _read_failing(path)
    assert [str(p) for p in err.problems] == ["Kontakter: Bladet 'Kontakter' saknas i arbetsboken"]


def test_a_missing_table(tmp_path):
    def edit(wb):
        ws, c0, r0, c1, r1 = table_box(wb, "tblKunder")
        del ws.tables["tblKunder"]
        ws.delete_rows(r0, r1 - r0 + 1)

    err = _read_failing(edited_copy(tmp_path, "utan_tabell.xlsm", edit))
    (p,) = err.problems
    assert p.message == "Tabellen tblKunder (Kunder) saknas på bladet 'Kunder'"


def test_a_renamed_header(tmp_path):
    def edit(wb):
        ws, c0, r0, c1, r1 = table_box(wb, "tblKontakter")
        ws.cell(r0, c0 + 4).value = "Hanteringstid"
        ws.tables["tblKontakter"].tableColumns[4].name = "Hanteringstid"

    err = _read_failing(edited_copy(tmp_path, "rubrik.xlsm", edit))
    (p,) = err.problems
    assert (p.sheet, p.table, p.row) == ("Kontakter", "tblKontakter", L.HEADER_ROW)
    assert p.message.startswith("kolumnen 'Hanteringstid (min)' saknas i tabellen tblKontakter "
                                "(hittade: 'Tjänst-id', 'Kanal', 'Volym per år', 'Källa volym', "
                                "'Hanteringstid', ")


def test_the_bundled_workbook_is_not_touched_by_a_failing_read(tmp_path):
    """The corpus copies; the original and a read-only copy stay byte-identical."""
    copy = tmp_path / "skrivskyddad.xlsm"
    shutil.copyfile(WORKBOOK, copy)
    copy.chmod(0o444)
    before = sha256(copy)
    read_inputs(copy)
    assert sha256(copy) == before
    assert io.BytesIO(copy.read_bytes()).getvalue() == WORKBOOK.read_bytes()
