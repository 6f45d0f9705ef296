"""Issue 9: no wrong number without a message. Each case of the issue, generated from the bundled
workbook: an error (nothing computed), a warning (listed with its location), or a failed
reconciliation (exit 3); validera and berakna agree on every one."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.table import TableColumn  # noqa: F401 - openpyxl tables are loaded

from tests.excel_edit import column_values, edited_copy, named, set_cell, table_box
from xlkc import layout as L  # noqa: N812
from xlkc.cli import EXIT_CHECKS, EXIT_INVALID, EXIT_OK, main
from xlkc.excel.file_reader import read_workbook
from xlkc.excel.run import calculate_workbook, validate_workbook

ROW = L.FIRST_DATA_ROW


def append_row(wb, table: str, values: dict) -> int:
    """A new last row of an Excel Table (its range grows); returns its Excel row."""
    ws, c0, r0, c1, r1 = table_box(wb, table)
    headers = [ws.cell(r0, c).value for c in range(c0, c1 + 1)]
    row = r1 + 1
    for h, v in values.items():
        ws.cell(row, c0 + headers.index(h)).value = v
    t = ws.tables[table]
    t.ref = f"{t.ref.split(':')[0]}:{t.ref.split(':')[1].rstrip('0123456789')}{row}"
    if t.autoFilter is not None:
        t.autoFilter.ref = t.ref
    return row


def both(path: Path):
    """(errors, warnings, plan meta) of validera and of berakna: they must agree."""
    data = read_workbook(path)
    vplan, verrors = validate_workbook(data)
    cplan, results, cerrors = calculate_workbook(data)
    assert [str(p) for p in verrors] == [str(p) for p in cerrors]
    assert [str(w) for w in vplan.meta["warnings"]] == [str(w) for w in cplan.meta["warnings"]]
    assert vplan.meta.get("failed_checks") == cplan.meta.get("failed_checks")
    return cerrors, cplan.meta["warnings"], cplan, results


def find(problems, text):
    hits = [p for p in problems if text in p.message]
    assert hits, f"nothing mentions {text!r}:\n" + "\n".join(map(str, problems))
    return hits[0]


def _customer_row(wb, customer: str, service: str) -> int:
    ids = column_values(wb, "tblKundvolymer", "Kund-id")
    svc = column_values(wb, "tblKundvolymer", "Tjänst-id")
    return next(i for i, (c, s) in enumerate(zip(ids, svc, strict=True))
                if c == customer and s == service)


# --- bills ------------------------------------------------------------------------------------

def test_a_new_customer_pays_its_share_by_this_years_forecast(tmp_path):
    def edit(wb):
        append_row(wb, "tblKunder", {"Kund-id": "SDN-V", "Kund": "Stadsdelsnämnd Väst"})
        append_row(wb, "tblKundvolymer", {"Kund-id": "SDN-V", "Tjänst-id": "SK1",
                                          "Prognos (prisenhet)": 7000,
                                          "Kontakter föregående år": 0})

    errors, warnings, _, results = both(edited_copy(tmp_path, "ny_kund.xlsm", edit))
    assert errors == []
    w = find(warnings, "som ny kund får den sin andel av avgiften efter årets prognos")
    assert (w.sheet, w.column) == ("Kundvolymer", "Kontakter föregående år")
    ch = results.price.charges
    mine = ch[(ch.customer_id == "SDN-V") & (ch.service_id == "SK1")]
    fee = results.price.prices.set_index("service_id").loc["SK1", "annual_fee_kr"]
    sk1 = ch[ch.service_id == "SK1"]
    # its share is its forecast over the sum of every customer's key value
    others = sk1[sk1.customer_id != "SDN-V"]
    assert mine.charge_kr.iloc[0] > 0
    assert mine.fee_share.iloc[0] == pytest.approx(7000 / (7000 + others.fee_share.sum() * 0
                                                           + _key_sum(results, "SK1")), rel=1e-9)
    assert sk1.charge_kr.sum() == pytest.approx(fee, abs=0.01)
    assert results.all_checks_ok


def _key_sum(results, sid):
    # last year's contacts of the customers that had some (bundled workbook: 81 600)
    return 66096.0 + 7344.0 + 8160.0


def test_a_blank_key_value_is_an_error_naming_the_key(tmp_path):
    # SO1 is shared by inhabitants; ÄN has 21 500.
    def edit(wb):
        ids = column_values(wb, "tblKunder", "Kund-id")
        set_cell(wb, "tblKunder", "Invånare", ids.index("ÄN"), None)

    errors, _, plan, results = both(edited_copy(tmp_path, "invanare.xlsm", edit))
    p = find(errors, "Invånare är tom")
    assert (p.sheet, p.column) == ("Kunder", "Invånare")
    assert "'ÄN'" in p.message and "invånare" in p.message and "0 kr" in p.message
    assert results is None and plan.tables == ()


def test_customer_volumes_must_sum_to_the_forecast(tmp_path):
    # SO2 (Minutpris): 240 000 minutes; raise one customer's by 6 000 minutes
    def edit(wb):
        i = _customer_row(wb, "SN", "SO2")
        set_cell(wb, "tblKundvolymer", "Prognos (prisenhet)", i, 150000)

    errors, *_ = both(edited_copy(tmp_path, "summa.xlsm", edit))
    p = find(errors, "Kundernas prognos för 'SO2' är 246\u00a0000 minuter, men Kontakter ger "
                     "240\u00a0000 minuter")
    assert (p.sheet, p.column) == ("Kundvolymer", "Prognos (prisenhet)")


def test_a_new_channel_without_customer_volumes_is_named(tmp_path):
    # SK2 is priced per channel: a new e-tjänst row with no customers must be reported
    def edit(wb):
        append_row(wb, "tblKontakter", {"Tjänst-id": "SK2", "Kanal": "e-tjänst",
                                        "Volym per år": 3000, "Källa volym": "statistik",
                                        "Hanteringstid (min)": 5, "Källa hanteringstid":
                                        "statistik"})

    errors, *_ = both(edited_copy(tmp_path, "kanal.xlsm", edit))
    p = find(errors, "'SK2' i kanalen 'e-tjänst'")
    assert "3\u00a0000" in p.message


# --- ids ---------------------------------------------------------------------------------------

def test_answer_group_ids_match_case_insensitively(tmp_path):
    def edit(wb):
        set_cell(wb, "tblSvarsgrupper", "Svarsgrupp", 0, "SB-PRIO")

    errors, warnings, _, results = both(edited_copy(tmp_path, "skiftlage.xlsm", edit))
    assert errors == [] and not [w for w in warnings if "Svarsgrupp" in w.message]
    _, _, _, original = both(Path(L.__file__).resolve().parents[2] / "workbook"
                             / "Prismodell.xlsm")
    assert results.staffing.pools["fte"].sum() == pytest.approx(
        original.staffing.pools["fte"].sum())


def test_an_unused_answer_group_is_a_warning(tmp_path):
    def edit(wb):
        append_row(wb, "tblSvarsgrupper", {"Svarsgrupp": "SO-Jour", "Kanal": "telefon"})

    errors, warnings, *_ = both(edited_copy(tmp_path, "oanvand.xlsm", edit))
    assert errors == []
    w = find(warnings, "Svarsgruppen 'SO-Jour', kanal 'telefon' används inte")
    assert (w.sheet, w.column) == ("Kanaler", "Svarsgrupp")
    assert w.table_label  # Kanaler holds two tables side by side: the table is named
    assert str(w).startswith(f"Kanaler, tabell {w.table_label}, rad ")


# --- one validation everywhere ------------------------------------------------------------------

def _param(name, value):
    return lambda wb: setattr(named(wb, name), "value", value)


def _empty_table(table):
    def edit(wb):
        ws, c0, r0, c1, r1 = table_box(wb, table)
        for r in range(r0 + 1, r1 + 1):
            for c in range(c0, c1 + 1):
                ws.cell(r, c).value = None
    return edit


CASES = [
    ("avrundningssteg 0", _param("AvrundningSteg", 0), "avrundningssteget måste vara större",
     "Parametrar"),
    ("avrundningssteg negativt", _param("AvrundningSteg", -1),
     "avrundningssteget måste vara större", "Parametrar"),
    ("år utanför intervallet", _param("Prisar", 1000), "prisåret 1000 ligger inte", "Parametrar"),
    ("överskott på 0 år", _param("OverskottAr", 0), "måste vara minst 1 (fick 0)", "Parametrar"),
    ("överskott på −3 år", _param("OverskottAr", -3), "måste vara minst 1 (fick -3)",
     "Parametrar"),
    ("tomt utfall (första året)", _empty_table("tblUtfall"), "Overheadpoolen 'EKO'", "Overhead"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_validera_rejects_what_berakna_rejects_with_a_location(tmp_path, case):
    _, edit, text, sheet = case
    errors, *_ = both(edited_copy(tmp_path, "fel.xlsm", edit))
    p = find(errors, text)
    assert p.sheet == sheet and p.row is not None and p.column is not None, str(p)


def test_a_parameter_is_located_where_its_name_points(tmp_path):
    """A controller moved the cell: the message names the cell the defined name points at."""
    def edit(wb):
        wb["Parametrar"]["B60"] = 0
        wb.defined_names["AvrundningSteg"].attr_text = "'Parametrar'!$B$60"

    errors, *_ = both(edited_copy(tmp_path, "flyttad.xlsm", edit))
    p = find(errors, "avrundningssteget")
    assert (p.sheet, p.row, p.column) == ("Parametrar", 60, "B")
    assert str(p).startswith("Parametrar, rad 60, kolumn B: ")


def test_the_cli_prints_long_messages_whole_and_exits_2_for_both(tmp_path, capsys):
    path = edited_copy(tmp_path, "lang.xlsm", CASES[-1][1])
    for cmd in ("validera", "berakna"):
        assert main([cmd, str(path)] + (["-o", str(tmp_path / "ut.xlsm")]
                                         if cmd == "berakna" else [])) == EXIT_INVALID
        out = capsys.readouterr().out
        assert "kommer senare i ordningen." in out and "…" not in out
    assert not (tmp_path / "ut.xlsm").exists()


# --- warnings -----------------------------------------------------------------------------------

def test_a_profile_not_summing_to_100_percent_is_a_warning(tmp_path):
    def edit(wb):
        values = column_values(wb, "tblTimprofil", "Andel")
        set_cell(wb, "tblTimprofil", "Andel", 0, values[0] - 0.01)

    errors, warnings, *_ = both(edited_copy(tmp_path, "profil.xlsm", edit))
    assert errors == []
    w = find(warnings, "Timprofilen summerar till 99,0 %")
    assert w.sheet == "Profil" and w.table_label


def test_an_implausible_handle_time_warns_twice(tmp_path):
    # 5 hours per call: possible in principle, so a warning (over 120 min), not an error
    errors, warnings, *_ = both(edited_copy(
        tmp_path, "aht.xlsm", lambda wb: set_cell(wb, "tblKontakter", "Hanteringstid (min)", 0,
                                                  300)))
    assert errors == []
    w = find(warnings, "är orimligt lång")
    assert (w.sheet, w.row, w.column) == ("Kontakter", ROW, "Hanteringstid (min)")
    find(warnings, "ändras")  # the price change over ±25 %


def test_a_volume_in_the_handle_time_column_is_an_error(tmp_path):
    """The issue's case (38 000 min per contact gave 367 828 kr per contact): out of range."""
    errors, warnings, plan, results = both(edited_copy(
        tmp_path, "aht.xlsm", lambda wb: set_cell(wb, "tblKontakter", "Hanteringstid (min)", 0,
                                                  38000)))
    p = find(errors, "värdet 38\u00a0000 ligger utanför det tillåtna intervallet 0–480 min")
    assert (p.sheet, p.row, p.column) == ("Kontakter", ROW, "Hanteringstid (min)")
    assert results is None and plan.tables == ()
    assert not [w for w in warnings if w.row == ROW and w.sheet == "Kontakter"]


def test_a_row_below_the_table_after_a_blank_row_is_reported(tmp_path):
    def edit(wb):
        ws, c0, r0, c1, r1 = table_box(wb, "tblKontakter")
        ws.cell(r1 + 2, c0).value = "W3"
        ws.cell(r1 + 2, c0 + 1).value = "e-tjänst"
        edit.row = r1 + 2

    path = edited_copy(tmp_path, "under.xlsm", edit)
    errors, warnings, *_ = both(path)
    w = find(warnings, "efter en tom rad och läses inte")
    assert (w.sheet, w.row) == ("Kontakter", edit.row)


def test_a_formula_without_a_cached_value_is_an_error(tmp_path):
    def edit(wb):
        set_cell(wb, "tblKontakter", "Volym per år", 1, "=1000*9")  # openpyxl caches nothing

    errors, *_ = both(edited_copy(tmp_path, "formel.xlsm", edit))
    p = find(errors, "har formeln =1000*9 men inget sparat värde")
    assert (p.sheet, p.row, p.column) == ("Kontakter", ROW + 1, "Volym per år")


# --- structure -------------------------------------------------------------------------------

def test_a_total_row_is_not_data(tmp_path):
    def edit(wb):
        ws, c0, r0, c1, r1 = table_box(wb, "tblKanaler")
        t = ws.tables["tblKanaler"]
        ws.cell(r1 + 1, c0).value = "Summa"
        min_col, min_row, max_col, max_row = range_boundaries(t.ref)
        t.ref = t.ref.rstrip("0123456789") + str(r1 + 1)
        t.totalsRowCount = 1
        if t.autoFilter is not None:
            t.autoFilter.ref = t.ref.rstrip("0123456789") + str(r1)

    errors, *_ = both(edited_copy(tmp_path, "summarad.xlsm", edit))
    assert errors == []


@pytest.mark.parametrize("sheet", ["Start", "Körlogg"])
def test_a_missing_start_or_log_sheet_is_named_before_computing(tmp_path, capsys, sheet):
    path = edited_copy(tmp_path, "utan.xlsm", lambda wb: wb.remove(wb[sheet]))
    for cmd in ("validera", "berakna"):
        extra = ["-o", str(tmp_path / "ut.xlsm")] if cmd == "berakna" else []
        assert main([cmd, str(path), *extra]) == EXIT_INVALID
        assert f"Bladet '{sheet}' saknas" in capsys.readouterr().out
    assert not (tmp_path / "ut.xlsm").exists()


def test_an_empty_model_says_so(tmp_path):
    errors, *_ = both(edited_copy(tmp_path, "tom.xlsm", _empty_table("tblTjanster")))
    find(errors, "modellen har inga tjänster")


# --- a failed reconciliation fails the run ------------------------------------------------------

def test_a_failed_check_exits_3_and_marks_every_output_sheet(tmp_path, capsys, monkeypatch):
    import openpyxl

    import xlkc.pipeline as P  # noqa: N812

    real = P.reconcile

    def broken(*args):
        out = real(*args)
        out.loc[5, ["value_kr", "difference_kr", "ok"]] = [out.loc[5, "value_kr"] - 432000.0,
                                                          -432000.0, False]
        return out

    monkeypatch.setattr(P, "reconcile", broken)
    out = tmp_path / "ut.xlsm"
    assert main(["berakna", "-o", str(out)]) == EXIT_CHECKS
    err = capsys.readouterr().err
    assert "FEL: avstämningen avviker" in err and "Kunddebitering = intäkt" in err
    wb = openpyxl.load_workbook(out, read_only=True)
    start = L.sheet("Start")
    row, col = start.named_cell_position("StatusResultat")
    assert str(wb["Start"].cell(row, col).value).startswith("FEL")
    for s in L.SHEETS:  # every sheet of results (not the Körlogg, not the import's sheet)
        if s.role == "output" and any(t.result for t in s.tables):
            assert str(wb[s.name].cell(2, 1).value).startswith("FEL"), s.name
    assert main(["validera"]) == EXIT_CHECKS


def test_the_bundled_workbook_exits_0_without_warnings(tmp_path, capsys):
    # SO2's minute price at a 1 kr step left a 1.5 % residual (a warning) until kr/minut got
    # its own rounding step (0.10 kr).
    assert main(["berakna", "-o", str(tmp_path / "ut.xlsm")]) == EXIT_OK
    err = capsys.readouterr().err
    assert "varning" not in err.lower() and "avrundningsdifferensen" not in err


# --- bounded work: every number has a range ------------------------------------------------------

EXTREMES = [
    ("volym 10^12", "tblKontakter", "Volym per år", 0, 1e12, "Kontakter"),
    ("volym 10^20", "tblKontakter", "Volym per år", 0, 1e20, "Kontakter"),
    ("volym 10^300", "tblKontakter", "Volym per år", 0, 1e300, "Kontakter"),
    ("tålamod 1 ms", "tblKanaler", "Tålamod (s)", 0, 0.001, "Kanaler"),
    ("lön 10^300", "tblPersonal", "Månadslön (kr)", 0, 1e300, "Personal"),
    ("kundvolym 10^300", "tblKundvolymer", "Prognos (prisenhet)", 0, 1e300, "Kundvolymer"),
    ("utfall 10^300", "tblUtfall", "Intäkt (kr)", 0, 1e300, "Utfall"),
]


@pytest.mark.filterwarnings("error")  # a numpy RuntimeWarning (overflow ...) fails the test
@pytest.mark.parametrize("case", EXTREMES, ids=[c[0] for c in EXTREMES])
def test_an_absurd_number_is_a_located_error_before_anything_is_computed(tmp_path, case):
    _, table, header, index, value, sheet = case
    path = edited_copy(tmp_path, "stor.xlsm", lambda wb: set_cell(wb, table, header, index,
                                                                  value))
    errors, _, plan, results = both(path)
    p = find(errors, "ligger utanför det tillåtna intervallet")
    assert (p.sheet, p.row, p.column) == (sheet, ROW + index, header), str(p)
    assert results is None and plan.tables == ()
    # one mistake, one message at that cell
    assert len([e for e in errors if (e.sheet, e.row, e.column) == (p.sheet, p.row, p.column)]) \
        == 1


@pytest.mark.filterwarnings("error")
def test_a_realistic_patience_on_every_real_time_channel_staffs_by_erlang_a(tmp_path):
    def edit(wb):
        kinds = column_values(wb, "tblKanaler", "Typ")
        for i, kind in enumerate(kinds):
            if kind == "realtid":
                set_cell(wb, "tblKanaler", "Tålamod (s)", i, 120)

    errors, _, _, results = both(edited_copy(tmp_path, "talamod.xlsm", edit))
    assert errors == []
    pools = results.staffing.pools
    realtime = pools[pools["method"] != "Arbetsbelastning"]
    assert set(realtime["method"]) == {"Erlang A"}
    _, _, _, original = both(edited_copy(tmp_path, "orig.xlsm", lambda wb: None))
    before = original.staffing.pools.set_index("pool_id")["fte"]
    after = realtime.set_index("pool_id")["fte"]
    # abandonment shortens the queue: fewer agents than Erlang C on every real-time pool
    assert (after < before.reindex(after.index)).all()
    assert results.all_checks_ok


def test_every_number_of_the_workbook_has_a_documented_range():
    from xlkc.bounds import BOUNDS

    numeric = ("number", "money", "integer", "share")
    missing = []
    for t in L.input_tables():
        record = t.inputs_field.split(".")[0] if t.inputs_field.startswith("profile") \
            else t.inputs_field
        for c in t.input_columns:
            field = t.inputs_field.split(".", 1)[1] if record == "profile" else c.field
            if c.kind in numeric and c.field != "label" and (record, field) not in BOUNDS:
                missing.append((t.name, c.header))
    for s, nc in L.named_cells():
        if s.role == "input" and nc.kind in numeric and ("parameters", nc.field) not in BOUNDS:
            missing.append((s.name, nc.label))
    assert missing == []


def test_the_readme_lists_the_ranges_of_the_code():
    from xlkc.bounds import markdown_rows

    readme = (Path(L.__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for line in markdown_rows():
        assert line in readme, line


def test_an_allocation_key_with_only_zeros_is_located(tmp_path):
    # LOK is shared by floor area: 0 m² per seat leaves it with no receiver
    errors, *_ = both(edited_copy(tmp_path, "kvm.xlsm", _param("KvmPerPlats", 0)))
    p = find(errors, "Overheadpoolen 'LOK'")
    assert (p.sheet, p.column) == ("Overhead", "Fördelningsnyckel") and p.row is not None


def _pools_serving_only_each_other(method):
    """WFM and EC-WK moved to a new unit whose one service (W3) needs no agents (handle time
    0): the two pools have nothing to share their cost over but each other."""
    def edit(wb):
        append_row(wb, "tblEnheter", {"Enhet": "Nyenheten"})
        set_cell(wb, "tblTjanster", "Enhet", 12, "Nyenheten")  # W3
        set_cell(wb, "tblKontakter", "Hanteringstid (min)", 21, 0)  # W3 e-tjänst
        set_cell(wb, "tblOverhead", "Enhet", 12, "Nyenheten")  # EC-WK
        set_cell(wb, "tblOverhead", "Nivå", 7, "enhet")  # WFM
        set_cell(wb, "tblOverhead", "Enhet", 7, "Nyenheten")
        named(wb, "Fordelningsmetod").value = method
    return edit


@pytest.mark.parametrize("method", ["reciprok", "stegvis"])
def test_two_pools_that_only_serve_each_other_are_a_located_error(tmp_path, method):
    errors, _, plan, results = both(edited_copy(tmp_path, "krets.xlsm",
                                                _pools_serving_only_each_other(method)))
    p = find(errors, "Overheadpoolen 'WFM' har ingen mottagare med positiv fördelningsnyckel")
    assert (p.sheet, p.row, p.column) == ("Overhead", ROW + 7, "Fördelningsnyckel")
    assert results is None and plan.tables == ()


def test_an_empty_outcome_table_names_the_pool_keyed_by_last_years_invoicing(tmp_path):
    """A first year: no Utfall, so nothing was invoiced last year and EKO (key: fakturerat
    belopp) has no receiver; the message names the pool's key cell."""
    errors, _, _, results = both(edited_copy(tmp_path, "forsta.xlsm", _empty_table("tblUtfall")))
    p = find(errors, "Overheadpoolen 'EKO'")
    assert (p.sheet, p.row, p.column) == ("Overhead", ROW + 4, "Fördelningsnyckel")
    assert results is None


# --- property: any number out of range is named at its place, silently and before computing ------

def _with_value(inputs, record, index, field, value):
    import dataclasses as dc

    if record == "parameters":
        return dc.replace(inputs, parameters=dc.replace(inputs.parameters, **{field: value}))
    if record == "parameters.sla_levels":
        levels = list(inputs.parameters.sla_levels)
        levels[index] = dc.replace(levels[index], **{field: value})
        return dc.replace(inputs, parameters=dc.replace(inputs.parameters,
                                                        sla_levels=tuple(levels)))
    if record == "profile":
        values = list(getattr(inputs.profile, field))
        values[index] = value
        return dc.replace(inputs, profile=dc.replace(inputs.profile, **{field: tuple(values)}))
    rows = list(getattr(inputs, record))
    rows[index] = dc.replace(rows[index], **{field: value})
    return dc.replace(inputs, **{record: tuple(rows)})


def _property_cases():
    from hypothesis import strategies as st

    from tests.strategies import inputs_strategy
    from xlkc.bounds import BOUNDS, _values

    @st.composite
    def case(draw):
        inputs = draw(inputs_strategy(max_services=3))
        places = [(r, i, f) for r, i, f, v in _values(inputs)
                  if isinstance(v, int | float) and not isinstance(v, bool)]
        record, index, field = draw(st.sampled_from(places))
        b = BOUNDS[(record, field)]
        value = draw(st.sampled_from([b.high * 10 + 1, 1e300, float("inf")]
                                     + [b.low / 2 if b.low > 0 else b.low - 1.0]))
        if isinstance(getattr(inputs.parameters, field, 0.5), int) and record == "parameters" \
                and math.isfinite(value):
            value = int(value)
        return _with_value(inputs, record, index, field, value), (record, index, field)

    return case()


@pytest.mark.filterwarnings("error")
def test_any_number_out_of_range_is_an_error_at_its_place():
    from hypothesis import HealthCheck, given, settings

    from xlkc.errors import errors_of
    from xlkc.pipeline import evaluate

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_property_cases())
    def check(drawn):
        inputs, place = drawn
        results, problems = evaluate(inputs)
        errors = errors_of(problems)
        assert results is None
        assert place in {(p.record, p.index, p.field) for p in errors}, \
            (place, [str(p) for p in errors])

    check()


def test_per_channel_quantity_messages_come_in_kontakters_channel_order_in_every_run():
    """Two channels of a per-channel service off: the messages follow the channels' order in
    Kontakter (telefon, then e-post) whatever the hash seed (they once followed a set)."""
    code = (
        "import dataclasses, xlkc\n"
        "from xlkc.crosscheck import quantity_problems\n"
        "i = xlkc.example_inputs()\n"
        "cv = tuple(dataclasses.replace(v, forecast_quantity=v.forecast_quantity + 100)\n"
        "           if v.service_id == 'SK2' else v for v in i.customer_volumes)\n"
        "ps = quantity_problems(dataclasses.replace(i, customer_volumes=cv))\n"
        "print('|'.join(p.message for p in ps if \"'SK2'\" in p.message))\n")
    outs = set()
    for seed in ("0", "1", "2", "3", "4", "5"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        outs.add(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                env=env, check=True).stdout.strip())
    assert len(outs) == 1
    messages = outs.pop().split("|")
    assert len(messages) == 2
    assert "kanalen 'telefon'" in messages[0] and "kanalen 'e-post'" in messages[1]
