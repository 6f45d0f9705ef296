"""Prislista för beslut, Kundspecifikation and their PDFs (issue 11, items 4 and 5).

The statement must add up to the same öre as Kunddebitering and Kundsummor; the PDFs are printed
by LibreOffice and read back with pdftotext against the engine's figures.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings

from tests import lo_harness as lo
from tests.strategies import inputs_strategy
from xlkc import calculate, example_inputs
from xlkc.excel.documents import board_pdf_name, statement_pdf_name, sv_kr, sv_pct
from xlkc.inputs import PriceListStatus, PriceModel
from xlkc.statements import NOTE_NEW, ROW_LINE, ROW_TOTAL, board_heading

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "workbook" / "Prismodell.xlsm"


def _totals_agree(inputs, results) -> None:
    st = results.statement
    totals = st[st["row_kind"] == ROW_TOTAL].set_index("customer_id")
    lines = st[st["row_kind"] == ROW_LINE]
    kundsummor = results.price.customer_totals.set_index("customer_id")
    for cid, row in totals.iterrows():
        mine = lines[lines["customer_id"] == cid]
        assert row["charge_kr"] == pytest.approx(mine["charge_kr"].sum(), abs=0.005)
        assert row["charge_kr"] == pytest.approx(kundsummor.loc[cid, "charge_kr"], abs=0.005)
    # every customer that is charged has its statement, and nothing else has one
    charged = set(kundsummor.index[kundsummor["charge_kr"].abs() > 0.005])
    assert charged <= set(totals.index)


def test_statement_totals_equal_kundsummor_to_the_ore():
    inputs = example_inputs()
    _totals_agree(inputs, calculate(inputs))


@settings(max_examples=20, deadline=None)
@given(inputs_strategy(max_services=4))
def test_statement_totals_equal_kundsummor_on_random_inputs(inputs):
    _totals_agree(inputs, calculate(inputs))


def test_statement_lines_name_the_key_and_its_quantity():
    inputs = example_inputs()
    results = calculate(inputs)
    st = results.statement
    line = st[(st["customer_id"] == "TN") & (st["service_id"] == "SB2")].iloc[0]
    volume = next(v for v in inputs.customer_volumes
                  if v.customer_id == "TN" and v.service_id == "SB2")
    assert line["key"] == "kontakter föregående år"
    assert line["key_quantity"] == volume.last_year_contacts
    all_keys = sum(v.last_year_contacts for v in inputs.customer_volumes
                   if v.service_id == "SB2")
    assert line["share"] == pytest.approx(volume.last_year_contacts / all_keys, rel=1e-12)
    # a per-contact line has no key, a quantity and a price
    unit = st[(st["customer_id"] == "TN") & (st["service_id"] == "SO-T1")].iloc[0]
    assert unit["key"] is None or unit["key"] != unit["key"]
    assert unit["charge_kr"] == pytest.approx(unit["quantity"] * unit["price_kr"])
    # no line charges nothing now and nothing last year
    lines = st[st["row_kind"] == ROW_LINE]
    assert not ((lines["charge_kr"] == 0) & (lines["previous_charge_kr"].fillna(0) == 0)).any()


def test_board_price_list_keeps_unit_prices_and_fees_apart():
    inputs = example_inputs()
    board = calculate(inputs).board.set_index(["service_id", "channel_id"], drop=False)
    models = {s.service_id: s.price_model for s in inputs.services}
    for r in board.itertuples(index=False):
        model = models[r.service_id]
        if model is PriceModel.ANNUAL_FEE:
            assert np.isnan(r.unit_price_kr) and r.annual_fee_kr > 0
        elif model is PriceModel.SUBSCRIPTION:
            assert r.unit_price_kr > 0 and r.annual_fee_kr > 0
        else:
            assert r.unit_price_kr > 0 and np.isnan(r.annual_fee_kr)


def test_a_new_service_gets_a_note_not_a_percentage():
    inputs = example_inputs()
    inputs = dataclasses.replace(inputs, previous_prices=tuple(
        p for p in inputs.previous_prices if p.service_id != "SB-T1"))
    results = calculate(inputs)
    row = results.board[results.board["service_id"] == "SB-T1"].iloc[0]
    assert row["note"] == NOTE_NEW and np.isnan(row["change_pct"])
    st = results.statement
    lines = st[(st["service_id"] == "SB-T1")]
    assert lines["change_pct"].isna().all()
    # the customers' totals then carry no percentage either
    totals = st[(st["row_kind"] == ROW_TOTAL)
                & st["customer_id"].isin(lines["customer_id"])]
    assert totals["change_pct"].isna().all()


def test_board_heading_says_year_status_date_and_case():
    import datetime as dt

    inputs = example_inputs()
    assert board_heading(inputs) == f"Prislista {inputs.parameters.year} – Förslag"
    decided = dataclasses.replace(inputs, parameters=dataclasses.replace(
        inputs.parameters, price_list_status=PriceListStatus.DECIDED,
        decision_date=dt.datetime(2026, 11, 20), case_number="SN 2026/141"))
    assert board_heading(decided) == ("Prislista 2027 – Beslutad 2026-11-20, ärendenummer "
                                      "SN 2026/141")


# --- the PDFs --------------------------------------------------------------------------------------

def _pdftext(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         check=True, timeout=60)
    return out.stdout.decode("utf-8")


def _pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, timeout=60)
    line = next(x for x in out.stdout.decode().splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    lo.require_libreoffice()
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) saknas")
    tmp = tmp_path_factory.mktemp("dok")
    proc = subprocess.run([sys.executable, "-c", "import sys; from xlkc.cli import main; "
                           "sys.exit(main())", "dokument", str(BUNDLED), "-o", str(tmp / "ut")],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    inputs = example_inputs()
    return tmp / "ut", inputs, calculate(inputs)


def test_dokument_writes_one_page_per_document(documents):
    out, inputs, results = documents
    pdfs = sorted(out.glob("*.pdf"))
    customers = results.statement["customer_id"].unique()
    assert len(pdfs) == 1 + len(customers)
    assert (out / board_pdf_name(inputs)).exists()
    for pdf in pdfs:
        assert _pages(pdf) == 1, pdf.name


def test_the_board_pdf_reads_back_the_engine_prices(documents):
    out, inputs, results = documents
    text = _pdftext(out / board_pdf_name(inputs))
    assert board_heading(inputs) in text
    for r in results.board.itertuples(index=False):
        if r.unit_price_kr == r.unit_price_kr:  # not NaN
            assert sv_kr(r.unit_price_kr, 2) in text, r.service_id
        if r.annual_fee_kr == r.annual_fee_kr:
            assert sv_kr(r.annual_fee_kr) in text, r.service_id
        if r.change_pct == r.change_pct:
            assert sv_pct(r.change_pct) in text, r.service_id


def test_each_statement_pdf_reads_back_its_customers_charges(documents):
    out, inputs, results = documents
    st = results.statement
    for cid, lines in st.groupby("customer_id", sort=False):
        name = lines["customer_name"].iloc[0]
        text = _pdftext(out / statement_pdf_name(inputs, cid, name))
        assert name in text
        for charge in lines["charge_kr"]:
            assert sv_kr(charge) in text, (cid, charge)
        total = lines[lines["row_kind"] == ROW_TOTAL].iloc[0]
        assert f"Summa {name}" in text and sv_kr(total["charge_kr"]) in text


def test_dokument_without_libreoffice_says_so_in_swedish(tmp_path, monkeypatch):
    from xlkc import cli

    monkeypatch.setattr("xlkc.excel.documents.find_soffice", lambda: None)
    code = cli.main(["dokument", str(BUNDLED), "-o", str(tmp_path / "ut")])
    assert code == 1
    assert not (tmp_path / "ut").exists() or not list((tmp_path / "ut").iterdir())
