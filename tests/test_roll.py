"""The yearly cycle: next year's inputs (xlkc.cycle) and Nytt prisår on a file (xlkc.excel.roll)."""

from __future__ import annotations

import dataclasses
import random
import zipfile
from collections import defaultdict

import openpyxl
import pytest

from xlkc import calculate, example_inputs
from xlkc.cycle import next_year_inputs
from xlkc.errors import errors_of, warnings_of
from xlkc.fund import to_ore
from xlkc.inputs import OutcomeSource
from xlkc.pipeline import revenue_per_line, validate

# --- pure ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def first_year():
    inputs = example_inputs()
    return inputs, calculate(inputs)


def test_next_year_carries_the_price_list_the_plan_and_the_fund(first_year):
    inputs, results = first_year
    nxt = next_year_inputs(inputs, results)
    p = nxt.parameters
    assert (p.year, p.previous_prices_year, p.outcome_year) == (2028, 2027, 2027)
    # the price list as decided: per line, annual fees as whole fees
    prices = results.price.prices
    assert len(nxt.previous_prices) == len(prices)
    for q, (_, line) in zip(nxt.previous_prices, prices.iterrows(), strict=True):
        assert q.service_id == line["service_id"]
        fee_only = line["price_model"] == "Fast årsavgift"
        assert q.price_kr == pytest.approx(line["annual_fee_kr"] if fee_only else line["price_kr"])
    # the plan as outcome, marked plan, revenue and cost as planned
    assert {o.source for o in nxt.outcomes} == {OutcomeSource.PLAN}
    revenue = revenue_per_line(prices).groupby(prices["service_id"]).sum()
    cost = results.cost.services.set_index("service_id")
    for o in nxt.outcomes:
        assert o.revenue_kr == pytest.approx(revenue[o.service_id], abs=0.01)
        assert o.cost_kr == pytest.approx(cost.loc[o.service_id, "full_cost_kr"], abs=0.01)
        assert o.carry_forward_kr == pytest.approx(cost.loc[o.service_id, "carry_forward_kr"],
                                                   abs=0.01)
    # the fund: n = 1, all returned; the newest year stays as the memory of what was carried
    assert {b.origin_year for b in nxt.fund} == {2026}
    assert all(b.balance_kr == 0 and b.years_left == 0 for b in nxt.fund)
    # next year validates (the plan is a warning) and its new result is only the rounding
    problems = validate(nxt)
    assert not errors_of(problems)
    assert any("planens siffror" in w.message for w in warnings_of(problems))
    fund = calculate(nxt).cost.fund_result
    residual = prices["residual_kr"].sum()
    assert fund.new_kr == pytest.approx(residual, abs=0.01 * len(nxt.outcomes))


def _books(inputs, rng: random.Random):
    """Synthetic outcomes: the plan with revenue and cost off by a few per cent."""
    return dataclasses.replace(inputs, outcomes=tuple(
        dataclasses.replace(o, revenue_kr=round(o.revenue_kr * rng.uniform(0.95, 1.05)),
                            cost_kr=round(o.cost_kr * rng.uniform(0.95, 1.05)),
                            source=OutcomeSource.BOOKS)
        for o in inputs.outcomes))


def test_three_years_rolled_return_every_krona_of_every_result_exactly_once():
    rng = random.Random(12)
    inputs = example_inputs()
    inputs = dataclasses.replace(inputs, parameters=dataclasses.replace(
        inputs.parameters, surplus_years=2))
    entered: dict[tuple[str, int], int] = {}
    returned: dict[tuple[str, int], list[int]] = defaultdict(list)
    for b in inputs.fund:  # what earlier years left
        entered[(b.key, b.origin_year)] = to_ore(b.balance_kr)
    for year in (2027, 2028, 2029, 2030):
        assert inputs.parameters.year == year
        assert not errors_of(validate(inputs))
        results = calculate(inputs)
        assert results.all_checks_ok
        fund = results.cost.fund_result
        cost = results.cost.services
        assert cost["carry_forward_kr"].sum() == pytest.approx(-fund.returned_kr, abs=0.01)
        for m in fund.movements:
            if m.new_kr:
                entered[(m.key, m.origin_year)] = to_ore(m.new_kr)
            returned[(m.key, m.origin_year)].append(to_ore(m.returned_kr))
        inputs = _books(next_year_inputs(inputs, results), rng)
    # every result whose two years have passed (origin ≤ 2028) is returned exactly, in two
    # instalments at most; the 2029 result has had its first year only
    for (key, origin), amount in entered.items():
        paid = [x for x in returned[(key, origin)] if x]
        if origin <= 2028:
            assert sum(paid) == amount, (key, origin, paid)
            assert len(paid) <= 2
        else:
            assert len(paid) == 1 and abs(amount - 2 * paid[0]) <= 1
    # and nothing left open in the fund is older than n years
    assert all(b.origin_year >= 2029 or b.balance_kr == 0 for b in inputs.fund)


# --- the file -----------------------------------------------------------------------------------

def _cli(*args: str) -> int:
    from xlkc.cli import main

    return main(list(args))


@pytest.fixture(scope="module")
def computed(tmp_path_factory):
    from tests.excel_edit import WORKBOOK

    folder = tmp_path_factory.mktemp("cykel")
    path = folder / "Prismodell_beraknad.xlsm"
    assert _cli("berakna", str(WORKBOOK), "-o", str(path)) == 0
    return path


@pytest.fixture(scope="module")
def rolled(computed):
    target = computed.with_name("Prismodell_2028.xlsm")
    assert _cli("nytt-prisar", str(computed)) == 0
    assert target.exists()
    return target


def _runlog(path):
    from xlkc.excel.roll import read_runlog

    return read_runlog(path)


def test_nytt_prisar_writes_next_years_workbook(computed, rolled):
    from tests.excel_edit import column_values, named
    from xlkc import layout as L  # noqa: N812
    from xlkc.excel.file_reader import read_workbook
    from xlkc.excel.parse import check_workbook

    inputs, problems = check_workbook(read_workbook(rolled))
    assert not errors_of(problems)
    assert inputs.parameters.year == 2028
    assert inputs.parameters.previous_prices_year == 2027
    assert inputs.parameters.outcome_year == 2027
    assert {o.source for o in inputs.outcomes} == {OutcomeSource.PLAN}
    # what the pure rollover says, through the file
    old, _ = check_workbook(read_workbook(computed))
    expected = next_year_inputs(old, calculate(old))
    assert inputs.previous_prices == expected.previous_prices
    assert inputs.fund == expected.fund
    for a, b in zip(inputs.outcomes, expected.outcomes, strict=True):
        assert a.revenue_kr == pytest.approx(b.revenue_kr)
        assert a.cost_kr == pytest.approx(b.cost_kr)
        assert a.carry_forward_kr == pytest.approx(b.carry_forward_kr)
    # Kundvolymer: last year's contacts = this year's forecast, the rest as it was
    assert inputs.customer_volumes == expected.customer_volumes
    assert [dataclasses.replace(v, last_year_contacts=0.0) for v in inputs.customer_volumes] \
        == [dataclasses.replace(v, last_year_contacts=0.0) for v in old.customer_volumes]
    # the rest of the inputs is unchanged
    for f in ("services", "contacts", "staff", "costs", "pools", "customers"):
        assert getattr(inputs, f) == getattr(old, f), f
    wb = openpyxl.load_workbook(rolled)
    try:
        for t in L.output_tables():
            if t.result is None:
                continue
            values = column_values(wb, t.name, t.columns[0].header)
            assert all(v is None for v in values), t.name
        assert named(wb, "StatusResultat").value.startswith("Ej beräknad")
    finally:
        wb.close()
    # the Körlogg kept, with the roll on top
    _, old_rows = _runlog(computed)
    _, rows = _runlog(rolled)
    assert len(rows) == len(old_rows) + 1
    assert rows[0][2] == "nytt-prisar" and rows[1:] == old_rows
    # the VBA project (the buttons' macros) byte for byte
    with zipfile.ZipFile(computed) as a, zipfile.ZipFile(rolled) as b:
        assert a.read("xl/vbaProject.bin") == b.read("xl/vbaProject.bin")


def test_a_rolled_workbook_is_refused_until_it_is_computed(rolled, capsys):
    # not computed since the roll: its inputs differ from the last berakna's
    assert _cli("nytt-prisar", str(rolled), "-o", str(rolled.with_name("x.xlsm"))) == 2
    assert "Indata har ändrats sedan senaste Beräkna priser" in capsys.readouterr().err
    assert not rolled.with_name("x.xlsm").exists()


def test_changed_inputs_and_a_failed_run_are_refused(computed, tmp_path, capsys):
    import shutil

    from tests.excel_edit import named, set_cell

    def edited(name, edit):
        copy = tmp_path / name
        shutil.copy(computed, copy)
        wb = openpyxl.load_workbook(copy, keep_vba=True)
        edit(wb)
        wb.save(copy)
        return copy

    changed = edited("andrad.xlsm", lambda wb: set_cell(wb, "tblKontakter", "Volym per år", 0,
                                                        39_000))
    assert _cli("nytt-prisar", str(changed)) == 2
    assert "Indata har ändrats" in capsys.readouterr().err

    def fail(wb):
        from tests.excel_edit import cell

        cell(wb, "tblKorlogg", "Kontroller", 0).value = "FEL (1 av 10 avviker)"

    failed = edited("fel.xlsm", fail)
    assert _cli("nytt-prisar", str(failed)) == 2
    assert "Senaste Beräkna priser misslyckades" in capsys.readouterr().err

    invalid = edited("ogiltig.xlsm", lambda wb: setattr(named(wb, "Prisar"), "value", 2029))
    assert _cli("nytt-prisar", str(invalid)) == 2
    assert "fel i indata" in capsys.readouterr().err
    assert not list(tmp_path.glob("*_20*.xlsm"))


# --- the button ----------------------------------------------------------------------------------

def test_the_button_refuses_a_workbook_never_computed(server_engine_book):
    import xlkc.excel

    book = server_engine_book
    out = xlkc.excel.nytt_prisar()
    assert not out.ok
    assert "har inte beräknats" in out.message
    actions = book.json()["actions"]
    (alert,) = [a for a in actions if a["func"] == "alert"]
    assert alert["args"][0].startswith("Nytt prisår kunde inte skapas")
    assert not [a for a in actions if a["func"] == "set_values"]


@pytest.fixture
def server_engine_book(make_book, payload):  # noqa: F811 - the fixtures imported below
    return make_book(payload)


from tests.test_xlwings_adapter import make_book, payload, server_engine  # noqa: E402, F401
