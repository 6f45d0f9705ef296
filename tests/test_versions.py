"""Versions of the price list (Versioner) and the comparison with one of them (Jämförelse).

Pure rules first (xlkc.versions), then the file through ``xlkc berakna --versionsnamn`` and
``xlkc versioner``, Nytt prisår, and the button through xlwings' Server engine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import shutil
import zipfile

import openpyxl
import pandas as pd
import pytest

from xlkc import calculate, example_inputs
from xlkc import layout as L  # noqa: N812
from xlkc.excel.run import input_hash
from xlkc.inputs import PriceListStatus, PriceModel
from xlkc.versions import (
    VersionFrozen,
    choose,
    compare,
    default_version,
    save_version,
    version_of,
)

# --- pure ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_runs():
    """The example, and the example with a higher payroll overhead and one more contact volume."""
    a = example_inputs()
    b = dataclasses.replace(
        a, parameters=dataclasses.replace(a.parameters, payroll_overhead_rate=0.48),
        contacts=(dataclasses.replace(a.contacts[0], volume=a.contacts[0].volume * 1.1),
                  *a.contacts[1:]))
    return (a, calculate(a)), (b, calculate(b))


def _version(name, status, run, saved=None):
    inputs, results = run
    return version_of(name, status, inputs, results, input_hash=input_hash(inputs),
                      saved=saved, user="testare")


def test_a_new_name_is_added_and_a_proposal_of_the_same_name_replaced_in_place(two_runs):
    a, b = two_runs
    v1 = _version("Förslag 1", "Förslag", a)
    v2 = _version("Förslag 2", "Förslag", a)
    out = save_version((), v1)
    assert out.versions == (v1,) and out.replaced is None
    out = save_version(out.versions, v2)
    assert [v.name for v in out.versions] == ["Förslag 1", "Förslag 2"]
    again = _version("  förslag   1 ", "Förslag", b)  # case and spaces do not matter
    out = save_version(out.versions, again)
    assert out.replaced is v1
    assert out.versions == (again, v2)


def test_a_decided_version_is_never_replaced(two_runs):
    a, b = two_runs
    decided = _version("Beslutad", PriceListStatus.DECIDED, a)
    versions = (decided,)
    where = {"sheet": "Versioner", "table": "tblVersioner", "row": 6, "column": "Version"}
    for status in ("Förslag", "Beslutad"):
        with pytest.raises(VersionFrozen) as exc:
            save_version(versions, _version("BESLUTAD", status, b), where)
        assert "är beslutad" in str(exc.value) and "nytt namn" in str(exc.value)
        assert exc.value.problem.row == 6 and exc.value.problem.sheet == "Versioner"
    assert versions == (decided,)


def test_the_default_comparison_is_the_latest_decided_else_the_latest(two_runs):
    a, _ = two_runs
    t = dt.datetime(2026, 11, 1, 9, 0)
    p1 = _version("P1", "Förslag", a, t)
    d1 = _version("D1", "Beslutad", a, t + dt.timedelta(hours=1))
    p2 = _version("P2", "Förslag", a, t + dt.timedelta(hours=2))
    assert default_version(()) is None
    assert default_version((p1, p2)) is p2
    assert default_version((p1, d1, p2)) is d1
    assert choose((p1, d1, p2), "p1") == (p1, None)
    base, note = choose((p1, d1, p2), "finns inte")
    assert base is d1 and "finns inte" in note


def _nan_to_none(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _independent_differences(base, now):
    """Price, fee, full cost, FTE and charge differences now − base, from the two runs'
    results directly (not through the version records)."""
    (_, rb), (_, rn) = base, now

    def by_line(r):
        """(unit price, annual fee) per line; a Fast årsavgift line's price is its fee."""
        p = r.price.prices
        return {(s, c if isinstance(c, str) and c else None):
                ((None, x) if m == PriceModel.ANNUAL_FEE.value else (x, _nan_to_none(f)))
                for s, c, m, x, f in zip(p.service_id, p.channel_id, p.price_model, p.price_kr,
                                         p.annual_fee_kr, strict=True)}

    def diff(now, was):
        return None if now is None else now - was

    lb, ln = by_line(rb), by_line(rn)
    prices = {k: (diff(ln[k][0], lb[k][0]), diff(ln[k][1], lb[k][1])) for k in ln}
    cb = rb.cost.services.set_index("service_id")
    cn = rn.cost.services.set_index("service_id")
    services = {s: (cn.loc[s, "full_cost_kr"] - cb.loc[s, "full_cost_kr"],
                    cn.loc[s, "fte"] - cb.loc[s, "fte"]) for s in cn.index}
    tb = rb.price.customer_totals.set_index("customer_id")["charge_kr"]
    tn = rn.price.customer_totals.set_index("customer_id")["charge_kr"]
    customers = {c: tn[c] - tb[c] for c in tn.index}
    return prices, services, customers


def _check_comparison(cmp, expected) -> None:
    prices, services, customers = expected
    assert len(cmp.prices) == len(prices)
    for r in cmp.prices.itertuples(index=False):
        channel = r.channel_id if isinstance(r.channel_id, str) and r.channel_id else None
        dp, df = prices[(r.service_id, channel)]
        if dp is None:  # Fast årsavgift: the fee columns only
            assert _nan_to_none(r.price_change_kr) is None
            assert _nan_to_none(r.base_price_kr) is None and _nan_to_none(r.price_kr) is None
        else:
            assert r.price_change_kr == pytest.approx(dp, abs=0.0101)
        if df is None:
            assert _nan_to_none(r.fee_change_kr) is None
        else:
            assert r.fee_change_kr == pytest.approx(df, abs=0.0101)
    assert len(cmp.services) == len(services)
    for r in cmp.services.itertuples(index=False):
        dc, dfte = services[r.service_id]
        assert r.full_cost_change_kr == pytest.approx(dc, abs=0.0101)  # to the öre
        assert r.fte_change == pytest.approx(dfte, abs=1.01e-4)
    assert len(cmp.customers) == len(customers)
    for r in cmp.customers.itertuples(index=False):
        assert r.charge_change_kr == pytest.approx(customers[r.customer_id], abs=0.0101)


def test_the_comparison_equals_the_difference_of_the_two_runs(two_runs):
    a, b = two_runs
    cmp = compare(_version("nu", "Förslag", b), _version("Beslutad", "Beslutad", a))
    _check_comparison(cmp, _independent_differences(a, b))
    # the change is not trivially zero
    assert cmp.services["full_cost_change_kr"].sum() > 100_000
    assert (cmp.customers["charge_change_kr"].abs() > 1).all()
    # a line only one side has is shown with the other side empty
    a_in, a_res = a
    fewer = dataclasses.replace(_version("gammal", "Förslag", a),
                                prices=_version("x", "Förslag", a).prices[1:])
    cmp = compare(_version("nu", "Förslag", b), fewer)
    first = cmp.prices.iloc[0]
    assert pd.isna(first["base_price_kr"]) and pd.isna(first["price_change_kr"])
    assert compare(_version("nu", "Förslag", b), None).prices.empty


def test_next_years_last_year_contacts_are_this_years_forecast_in_contacts(two_runs):
    from xlkc.cycle import next_year_inputs

    inputs, results = two_runs[0]
    nxt = next_year_inputs(inputs, results)
    models = {s.service_id: s.price_model for s in inputs.services}
    volume = results.staffing.services.groupby("service_id")["volume"].sum()
    quantity = results.price.prices.groupby("service_id")["quantity"].sum()
    assert {models[v.service_id] for v in inputs.customer_volumes} & {PriceModel.PER_HOUR,
                                                                      PriceModel.PER_MINUTE}
    for old, new in zip(inputs.customer_volumes, nxt.customer_volumes, strict=True):
        assert dataclasses.replace(new, last_year_contacts=old.last_year_contacts) == old
        ratio = 1.0
        if models[old.service_id] in (PriceModel.PER_HOUR, PriceModel.PER_MINUTE):
            ratio = volume[old.service_id] / quantity[old.service_id]
        assert new.last_year_contacts == pytest.approx(old.forecast_quantity * ratio, abs=0.01)


# --- the file ------------------------------------------------------------------------------------

def _cli(*args: str) -> int:
    from xlkc.cli import main

    return main(list(args))


def _edited(src, dst, edit):
    shutil.copy(src, dst)
    wb = openpyxl.load_workbook(dst, keep_vba=True)
    edit(wb)
    wb.save(dst)
    return dst


def _set_named(name, value):
    from tests.excel_edit import named

    return lambda wb: setattr(named(wb, name), "value", value)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """a: Förslag 1 on the bundled workbook; b: the same saved as Beslutad; c: a changed input
    (PO-pålägg) saved as Förslag 2; d: c computed again without a version."""
    from tests.excel_edit import WORKBOOK

    d = tmp_path_factory.mktemp("versioner")
    a, b, c, dd = (d / f"{x}.xlsm" for x in "abcd")
    assert _cli("berakna", str(WORKBOOK), "-o", str(a), "--versionsnamn", "Förslag 1") == 0
    assert _cli("berakna", str(a), "-o", str(b), "--versionsnamn", "Beslutad",
                "--status", "Beslutad") == 0
    changed = _edited(b, d / "b_andrad.xlsm", _set_named("PO_palagg", 0.48))
    assert _cli("berakna", str(changed), "-o", str(c), "--versionsnamn", "Förslag 2") == 0
    assert _cli("berakna", str(c), "-o", str(dd)) == 0
    return {"a": a, "b": b, "c": c, "d": dd, "b_changed": changed, "dir": d}


def _table_rows(path, table):
    from tests.excel_edit import table_box

    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        ws, c0, r0, c1, r1 = table_box(wb, table)
        header = [ws.cell(r0, c).value for c in range(c0, c1 + 1)]
        rows = [tuple(ws.cell(r, c).value for c in range(c0, c1 + 1))
                for r in range(r0 + 1, r1 + 1)]
    finally:
        wb.close()
    return header, [r for r in rows if any(v is not None for v in r)]


def _rows_of_version(path, name):
    """Every row of the version ``name`` in the four version tables, values with their types."""
    out = {}
    for t in L.VERSION_TABLES:
        _, rows = _table_rows(path, t.name)
        out[t.name] = [tuple((type(v).__name__, repr(v)) for v in r) for r in rows
                       if r[0] == name]
    return out


def _sheet_part(path, sheet_name):
    from xlkc.excel.book_xml import Book
    from xlkc.excel.ooxml_zip import Package

    book = Book(Package.open(path))
    return book.pkg.read(book.sheets[sheet_name])


def test_versions_are_listed_with_their_key_figures(runs):
    from xlkc.excel.roll import read_runlog

    header, rows = _table_rows(runs["c"], L.T_VERSIONS.name)
    assert header == list(L.T_VERSIONS.headers)
    by = {r[0]: dict(zip(L.T_VERSIONS.fields, r, strict=True)) for r in rows}
    assert list(by) == ["Förslag 1", "Beslutad", "Förslag 2"]
    assert [by[n]["status"] for n in by] == ["Förslag", "Beslutad", "Förslag"]
    # key figures and input hash equal the Körlogg's row of the run that saved the version
    log_header, log_rows = read_runlog(runs["c"])
    col = {h: j for j, h in enumerate(log_header)}
    newest = log_rows[0]
    assert by["Förslag 2"]["input_hash"] == newest[col["Indata-hash"]]
    assert by["Förslag 2"]["total_cost_kr"] == pytest.approx(newest[col["Total kostnad"]],
                                                             abs=0.005)
    assert by["Förslag 2"]["revenue_kr"] == pytest.approx(newest[col["Intäkt"]], abs=0.005)
    assert "Sparad som versionen 'Förslag 2' (Förslag)" in newest[col["Meddelande"]]
    assert by["Förslag 1"]["input_hash"] == by["Beslutad"]["input_hash"] \
        != by["Förslag 2"]["input_hash"]
    # FTE, price list and customer totals of the version equal its run
    from xlkc.excel.file_reader import read_inputs

    inputs = read_inputs(runs["b_changed"])
    results = calculate(inputs)
    assert by["Förslag 2"]["fte"] == pytest.approx(results.cost.services["fte"].sum(), abs=5e-5)
    _, prices = _table_rows(runs["c"], L.T_VERSION_PRICES.name)
    mine = [r for r in prices if r[0] == "Förslag 2"]
    assert len(mine) == len(results.price.prices)
    for r, p in zip(mine, results.price.prices.itertuples(index=False), strict=True):
        assert r[1] == p.service_id and r[6] == pytest.approx(p.price_kr, abs=0.005)
    _, customers = _table_rows(runs["c"], L.T_VERSION_CUSTOMERS.name)
    totals = results.price.customer_totals.set_index("customer_id")["charge_kr"]
    mine = {r[1]: r[3] for r in customers if r[0] == "Förslag 2"}
    assert mine == pytest.approx(totals.to_dict(), abs=0.005)


def test_a_decided_version_never_changes_across_later_runs(runs):
    decided = _rows_of_version(runs["b"], "Beslutad")
    assert all(decided.values())
    for later in ("c", "d"):
        assert _rows_of_version(runs[later], "Beslutad") == decided, later
    # a run without a version name leaves Versioner as it was, byte for byte
    assert _sheet_part(runs["d"], "Versioner") == _sheet_part(runs["c"], "Versioner")
    _, rows_c = _table_rows(runs["c"], L.T_VERSIONS.name)
    _, rows_d = _table_rows(runs["d"], L.T_VERSIONS.name)
    assert rows_c == rows_d


def test_saving_over_a_decided_version_is_refused_and_nothing_is_written(runs, tmp_path, capsys):
    target = tmp_path / "ny.xlsm"
    capsys.readouterr()
    assert _cli("berakna", str(runs["c"]), "-o", str(target), "--versionsnamn",
                " beslutad ") == 2
    out = capsys.readouterr()
    assert "Versionen 'Beslutad' är beslutad" in out.out
    assert "Versioner" in out.out and "Sparade versioner" in out.out and "Version" in out.out
    row = next(line for line in out.out.splitlines() if "är beslutad" in line)
    assert " 7 " in row  # the decided version's row on Versioner (header 5, Förslag 1 on 6)
    assert "Inget har beräknats eller skrivits" in out.err
    assert not target.exists()
    # in place: the file stays as it was, byte for byte, and no backup is made
    copy = tmp_path / "kopia.xlsm"
    shutil.copy(runs["c"], copy)
    before = copy.read_bytes()
    assert _cli("berakna", str(copy), "--skriv-over", "--versionsnamn", "Beslutad",
                "--status", "Förslag") == 2
    assert copy.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kopia.xlsm"]


def test_a_proposal_saved_again_is_replaced_in_its_place(runs, tmp_path, capsys):
    target = tmp_path / "ersatt.xlsm"
    capsys.readouterr()
    assert _cli("berakna", str(runs["c"]), "-o", str(target), "--versionsnamn", "förslag 1") == 0
    out = capsys.readouterr().out
    assert "ersatte förslaget med samma namn" in out
    _, rows = _table_rows(target, L.T_VERSIONS.name)
    assert [r[0] for r in rows] == ["förslag 1", "Beslutad", "Förslag 2"]
    assert _rows_of_version(target, "Beslutad") == _rows_of_version(runs["b"], "Beslutad")
    _, prices = _table_rows(target, L.T_VERSION_PRICES.name)
    assert not [r for r in prices if r[0] == "Förslag 1"]


def _sheet_frame(path, table):
    header, rows = _table_rows(path, table)
    t = L.table(table)
    assert header == list(t.headers)
    return pd.DataFrame(rows, columns=list(t.fields))


def test_the_comparison_in_the_file_equals_the_difference_of_the_two_runs(runs):
    from xlkc.excel.file_reader import read_inputs

    # c (Förslag 2, PO 48 %) is compared with the latest decided version (b, the example)
    base_inputs = read_inputs(runs["a"])
    now_inputs = read_inputs(runs["b_changed"])
    expected = _independent_differences((base_inputs, calculate(base_inputs)),
                                        (now_inputs, calculate(now_inputs)))

    class Cmp:
        prices = _sheet_frame(runs["c"], L.T_CMP_PRICES.name)
        services = _sheet_frame(runs["c"], L.T_CMP_SERVICES.name)
        customers = _sheet_frame(runs["c"], L.T_CMP_CUSTOMERS.name)

    _check_comparison(Cmp, expected)
    wb = openpyxl.load_workbook(runs["c"], read_only=True)
    try:
        note = wb["Jämförelse"]["A3"].value
    finally:
        wb.close()
    assert "jämförd med versionen 'Beslutad' (Beslutad" in note
    # d compares with the same decided version: the same figures
    for t in L.COMPARISON_TABLES:
        assert _table_rows(runs["d"], t.name) == _table_rows(runs["c"], t.name)


def test_the_version_to_compare_with_and_to_save_are_cells_on_versioner(runs, tmp_path):
    from tests.excel_edit import named

    def edit(wb):
        named(wb, "JamforMedVersion").value = "Förslag 2"
        named(wb, "VersionsNamn").value = "Förslag 3"
        named(wb, "VersionsStatus").value = "Förslag"

    src = _edited(runs["c"], tmp_path / "celler.xlsm", edit)
    out = tmp_path / "ut.xlsm"
    assert _cli("berakna", str(src), "-o", str(out)) == 0
    _, rows = _table_rows(out, L.T_VERSIONS.name)
    assert [r[0] for r in rows][-1] == "Förslag 3"
    services = _sheet_frame(out, L.T_CMP_SERVICES.name)
    assert (services["full_cost_change_kr"].abs() < 1e-6).all()  # same inputs as Förslag 2
    wb = openpyxl.load_workbook(out)
    try:
        assert named(wb, "VersionsNamn").value is None  # emptied once saved
        assert named(wb, "VersionsStatus").value is None
        assert named(wb, "JamforMedVersion").value == "Förslag 2"  # a choice stays
        assert "jämförd med versionen 'Förslag 2'" in wb["Jämförelse"]["A3"].value
        # the cells' labels and notes beside the tables are kept
        assert wb["Versioner"]["A6"].value == "Spara nästa beräkning som version"
    finally:
        wb.close()


def test_xlkc_versioner_lists_the_versions(runs, capsys):
    capsys.readouterr()
    assert _cli("versioner", str(runs["c"])) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "3 versioner i c.xlsm (1 beslutad):"
    assert lines[1].split() == ["Version", "Status", "Prisår", "Sparad", "Beslutsdatum",
                                "Ärendenummer", "Total", "kostnad", "Intäkt", "Årsarbetare",
                                "Indata-hash"]
    _, rows = _table_rows(runs["c"], L.T_VERSIONS.name)
    body = lines[3:]
    assert len(body) == 3
    for line, r in zip(body, rows, strict=True):
        assert line.startswith(r[0]) and r[9] in line and " kr" in line
    assert body[1].split()[:3] == ["Beslutad", "Beslutad", "2027"]
    # a workbook without versions says so
    from tests.excel_edit import WORKBOOK

    assert _cli("versioner", str(WORKBOOK)) == 0
    assert "har inga sparade versioner" in capsys.readouterr().out


def test_a_new_price_year_keeps_the_versions_and_empties_the_comparison(runs, tmp_path):
    target = tmp_path / "nasta.xlsm"
    assert _cli("nytt-prisar", str(runs["d"]), "-o", str(target)) == 0
    for t in L.VERSION_TABLES:
        assert _table_rows(target, t.name) == _table_rows(runs["d"], t.name), t.name
    for t in L.COMPARISON_TABLES:
        assert _table_rows(target, t.name)[1] == [], t.name
    # next year, the default comparison is last year's decided price list
    out = tmp_path / "nasta_beraknad.xlsm"
    assert _cli("berakna", str(target), "-o", str(out)) == 0
    wb = openpyxl.load_workbook(out, read_only=True)
    try:
        assert "(prisår 2028) jämförd med versionen 'Beslutad' (Beslutad, prisår 2027" in \
            wb["Jämförelse"]["A3"].value
    finally:
        wb.close()


def test_the_written_versions_read_back_as_saved(runs):
    """Round trip through the file writer and reader: the records read back equal the records
    the runs saved."""
    from xlkc.excel.file_reader import read_inputs, read_workbook
    from xlkc.excel.versions_io import read_versions

    versions, notes = read_versions(read_workbook(runs["c"]))
    assert notes == []
    inputs = read_inputs(runs["b_changed"])
    results = calculate(inputs)
    saved = versions[2]
    expected = version_of("Förslag 2", "Förslag", inputs, results,
                          input_hash=input_hash(inputs), saved=saved.saved, user=saved.user)
    assert saved.prices == expected.prices
    assert saved.services == expected.services
    assert saved.customers == expected.customers
    assert (saved.total_cost_kr, saved.revenue_kr, saved.fte, saved.input_hash) == \
        (expected.total_cost_kr, expected.revenue_kr, expected.fte, expected.input_hash)
    assert saved.year == 2027 and isinstance(saved.saved, dt.datetime)


def test_the_writer_touches_no_input_sheet(runs):
    """Saving a version writes only Versioner, Jämförelse and the other output sheets."""
    with zipfile.ZipFile(runs["b_changed"]) as z1, zipfile.ZipFile(runs["c"]) as z2:
        from xlkc.excel.book_xml import Book
        from xlkc.excel.ooxml_zip import Package

        parts = Book(Package.open(runs["c"])).sheets
        for s in L.SHEETS:
            if s.role == "input":
                assert z1.read(parts[s.name]) == z2.read(parts[s.name]), s.name


# --- the button ------------------------------------------------------------------------------------

def _payload_of(path):
    from tests.xlwings_payload import payload_from_xlsx

    return payload_from_xlsx(path)


def _named_address(name):
    sheet, _ = L.named_cell(name)
    row, col = sheet.named_cell_position(name)
    return sheet.name, f"{L.col_letter(col)}{row}"


def test_the_button_saves_a_version_named_on_versioner(runs, make_book):  # noqa: F811
    import xlkc.excel
    from tests.xlwings_payload import set_cell

    payload = _payload_of(runs["c"])
    set_cell(payload, *_named_address("VersionsNamn"), "Till verksamhetsrådet")
    book = make_book(payload)
    out = xlkc.excel.berakna_priser()
    assert out.ok
    assert "Sparad som versionen 'Till verksamhetsrådet' (Förslag)" in out.message
    actions = book.json()["actions"]
    versions_sheet = [i for i, s in enumerate(payload["sheets"]) if s["name"] == "Versioner"][0]
    writes = [a for a in actions if a["func"] == "setValues"
              and a.get("sheet_position") == versions_sheet]
    row0, col0 = L.sheet_of(L.T_VERSIONS.name).table_origin(L.T_VERSIONS.name)
    (table,) = [a for a in writes if a["start_row"] + 1 == row0 and a["start_column"] + 1 == col0]
    names = [r[0] for r in table["values"][1:]]
    assert names == ["Förslag 1", "Beslutad", "Förslag 2", "Till verksamhetsrådet"]
    # the decided version's row goes back as it was read
    decided = next(r for r in table["values"][1:] if r[0] == "Beslutad")
    _, rows = _table_rows(runs["c"], L.T_VERSIONS.name)
    assert decided[:3] == list(rows[1][:3]) and decided[9] == rows[1][9]
    # the name cell is emptied
    _, address = _named_address("VersionsNamn")
    cleared = [a for a in writes if a["column_count"] == 1
               and f"{L.col_letter(a['start_column'] + 1)}{a['start_row'] + 1}" == address]
    assert cleared and cleared[-1]["values"] == [[""], [""]]  # the name and the status


def test_the_button_refuses_a_decided_name_and_writes_nothing(runs, make_book):  # noqa: F811
    import xlkc.excel
    from tests.xlwings_payload import set_cell

    payload = _payload_of(runs["c"])
    set_cell(payload, *_named_address("VersionsNamn"), "Beslutad")
    book = make_book(payload)
    out = xlkc.excel.berakna_priser()
    assert not out.ok
    assert "Versionen 'Beslutad' är beslutad" in out.message
    assert "Versioner" in out.message and "rad 7" in out.message
    actions = book.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"]


from tests.test_xlwings_adapter import make_book, server_engine  # noqa: E402, F401


def test_the_workbook_has_the_version_cells_as_yellow_drop_downs():
    from tests.excel_edit import WORKBOOK, named
    from xlkc.workbook.build import INPUT_FILL

    wb = openpyxl.load_workbook(WORKBOOK)
    try:
        ws = wb["Versioner"]
        dvs = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
        for name in ("VersionsNamn", "VersionsStatus", "JamforMedVersion"):
            c = named(wb, name)
            assert c.parent.title == "Versioner" and c.value is None
            assert c.fill.fgColor.rgb.endswith(INPUT_FILL[1:]), name
        assert dvs[named(wb, "VersionsStatus").coordinate] == '"Förslag,Beslutad"'
        assert dvs[named(wb, "JamforMedVersion").coordinate] == "lstVersioner"
        assert wb.defined_names["lstVersioner"].attr_text == "'Versioner'!$F$6:$F$505"
    finally:
        wb.close()


# --- the Kontrollsumma: a version edited by hand is seen ------------------------------------------

def test_the_fingerprint_covers_what_a_version_says_and_nothing_else(two_runs):
    from xlkc.versions import fingerprint

    v = _version("Beslutad", "Beslutad", two_runs[0], saved=dt.datetime(2026, 11, 2, 10, 15))
    fp = fingerprint(v)
    assert len(fp) == 16 and int(fp, 16) >= 0
    # not when or by whom it was saved, not the order of its rows
    assert fingerprint(dataclasses.replace(v, saved=None, user="någon annan")) == fp
    assert fingerprint(dataclasses.replace(v, prices=v.prices[::-1],
                                           customers=v.customers[::-1])) == fp
    # every figure, text and row it keeps
    p0, s0, c0 = v.prices[0], v.services[0], v.customers[0]
    changed = [
        dataclasses.replace(v, status=PriceListStatus.PROPOSAL),
        dataclasses.replace(v, year=v.year + 1),
        dataclasses.replace(v, case_number="KS 2026/99"),
        dataclasses.replace(v, total_cost_kr=v.total_cost_kr + 0.01),
        dataclasses.replace(v, revenue_kr=v.revenue_kr - 0.01),
        dataclasses.replace(v, fte=v.fte + 0.0001),
        dataclasses.replace(v, input_hash="0" * 16),
        dataclasses.replace(v, prices=(dataclasses.replace(p0, price_kr=p0.price_kr + 0.01),
                                       *v.prices[1:])),
        dataclasses.replace(v, prices=v.prices[1:]),
        dataclasses.replace(v, services=(dataclasses.replace(s0, fte=s0.fte + 0.0001),
                                         *v.services[1:])),
        dataclasses.replace(v, customers=(dataclasses.replace(c0, charge_kr=c0.charge_kr - 1),
                                          *v.customers[1:])),
        dataclasses.replace(v, customers=(dataclasses.replace(c0, customer_id="X9"),
                                          *v.customers[1:])),
    ]
    digests = {fingerprint(c) for c in changed}
    assert fp not in digests and len(digests) == len(changed)


def _table_first_row(path, table_name):
    """The Excel row of a table's first data row."""
    wb = openpyxl.load_workbook(path)
    try:
        for ws in wb.worksheets:
            if table_name in ws.tables:
                ref = ws.tables[table_name].ref
                return int("".join(ch for ch in ref.split(":")[0] if ch.isdigit())) + 1
    finally:
        wb.close()
    raise AssertionError(table_name)


def _version_table_values(path, table):
    header, rows = _table_rows(path, table.name)
    return [dict(zip(header, r, strict=False)) for r in rows]


def test_every_saved_version_carries_the_fingerprint_its_rows_give(runs):
    from xlkc.excel.file_reader import read_workbook
    from xlkc.excel.versions_io import read_versions
    from xlkc.versions import fingerprint

    versions, notes = read_versions(read_workbook(runs["c"]))
    assert [v.name for v in versions] == ["Förslag 1", "Beslutad", "Förslag 2"]
    assert notes == []
    for v in versions:
        assert v.stored_fingerprint == fingerprint(v) and not v.altered
    stored = [r["Kontrollsumma"] for r in _version_table_values(runs["c"], L.T_VERSIONS)]
    assert stored == [v.stored_fingerprint for v in versions]


def test_a_decided_version_edited_by_hand_is_reported_and_named_on_jamforelse(runs, tmp_path,
                                                                             capsys):
    """A controller overwrites a price of the decided version on Versioner: every run warns,
    locates it, and Jämförelse says the version it compares with was edited."""
    def edit(wb):
        ws = wb["Versioner"]
        table = ws.tables[L.T_VERSION_PRICES.name]
        col = L.T_VERSION_PRICES.fields.index("price_kr")
        for row in ws[table.ref][1:]:
            if row[0].value == "Beslutad":
                row[col].value = (row[col].value or 0) + 10
                break

    edited = _edited(runs["c"], tmp_path / "handandrad.xlsm", edit)
    out = tmp_path / "ut.xlsm"
    capsys.readouterr()
    assert _cli("berakna", str(edited), "-o", str(out)) == 0
    err = capsys.readouterr().err
    assert "Versionen 'Beslutad' (Beslutad) har ändrats för hand" in err
    # located: sheet, table, the version's row and the Kontrollsumma column
    from xlkc.excel.file_reader import read_workbook
    from xlkc.excel.versions_io import read_versions

    _, notes = read_versions(read_workbook(edited))
    (note,) = notes
    header, rows = _table_rows(edited, L.T_VERSIONS.name)
    first_row = _table_first_row(edited, L.T_VERSIONS.name)
    assert (note.sheet, note.table, note.column, note.severity) == (
        "Versioner", L.T_VERSIONS.name, "Kontrollsumma", "varning")
    assert note.row == first_row + [r[0] for r in rows].index("Beslutad")
    wb = openpyxl.load_workbook(out, read_only=True)
    try:
        note = wb["Jämförelse"]["A3"].value
        start = "\n".join(str(c.value) for row in wb["Start"].iter_rows() for c in row
                          if isinstance(c.value, str))
    finally:
        wb.close()
    assert "'Beslutad'" in note and "ÄNDRAD FÖR HAND" in note
    assert "ändrats för hand" in start
    # the unedited workbook gives no such warning
    capsys.readouterr()
    assert _cli("berakna", str(runs["c"]), "-o", str(tmp_path / "ut2.xlsm")) == 0
    assert "ändrats för hand" not in capsys.readouterr().err
