"""The result fund (xlkc.fund) and the year stamps of Föregående prislista and Utfall."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlkc import calculate, example_inputs
from xlkc.errors import ValidationError, errors_of, warnings_of
from xlkc.fund import (
    TO_ALL,
    TO_GROUP,
    TO_SERVICE,
    TO_UNIT,
    fund_movements,
    instalment_ore,
    new_results,
    to_ore,
    validate_fund,
)
from xlkc.inputs import FundBalance, Outcome, OutcomeSource
from xlkc.pipeline import validate


def _services(*specs):
    """Services by (id, unit, price group): only the fields the fund reads matter."""
    base = example_inputs().services[0]
    return tuple(dataclasses.replace(base, service_id=i, unit=u, price_group=g)
                 for i, u, g in specs)


# --- rounding and instalments ----------------------------------------------------------------------

def test_to_ore_rounds_half_away_from_zero():
    assert to_ore(0.285) == 29  # 28.499999... in binary
    assert to_ore(-0.285) == -29
    assert to_ore(12.344) == 1234
    assert to_ore(-1_310_400) == -131_040_000


def test_instalment_is_balance_over_years_left_and_all_in_the_last_year():
    assert instalment_ore(1000, 3) == 333
    assert instalment_ore(-1000, 3) == -333
    assert instalment_ore(1001, 2) == 501  # half away from zero
    assert instalment_ore(-1001, 2) == -501
    assert instalment_ore(667, 1) == 667
    assert instalment_ore(5, 0) == 0


@settings(max_examples=300, deadline=None)
@given(results=st.lists(st.integers(-10**11, 10**11), min_size=1, max_size=6),
       years=st.lists(st.integers(1, 6), min_size=6, max_size=6))
def test_every_ore_of_every_years_result_is_returned_exactly_once(results, years):
    """Roll the fund forward: year k adds result k (over n_k years); after the last year has
    run out every result has been returned exactly, in exactly n_k instalments."""
    services = _services(("A", "U", None))
    opening: tuple[FundBalance, ...] = ()
    returned: dict[int, list[int]] = {}
    horizon = len(results) + max(years) + 1
    for k in range(horizon):
        new = ((FundBalance("A", 2000 + k, results[k] / 100, results[k] / 100, years[k], "U"),)
               if k < len(results) else ())
        fund = fund_movements(opening, new, services, {"A": 1.0})
        # the carry-forward is exactly what the fund returns, and the fund balances
        assert fund.carry_forward_kr["A"] == pytest.approx(-fund.returned_kr, abs=1e-6)
        assert to_ore(fund.opening_kr) + to_ore(fund.new_kr) - to_ore(fund.returned_kr) \
            == to_ore(fund.closing_kr)
        for m in fund.movements:
            if to_ore(m.returned_kr) or m.origin_year - 2000 == k:
                returned.setdefault(m.origin_year - 2000, []).append(to_ore(m.returned_kr))
        opening = tuple(b for b in fund.closing_balances() if b.years_left > 0
                        or to_ore(b.balance_kr))
    for k, result in enumerate(results):
        paid = returned[k]
        assert sum(paid) == result, (k, paid)
        assert len([p for p in paid if p]) <= years[k]
        # the instalments are equal to within an öre
        nonzero = [p for p in paid if p]
        if nonzero:
            assert max(nonzero) - min(nonzero) <= 1


# --- where an instalment goes ----------------------------------------------------------------------

def test_a_row_goes_to_its_service_its_group_its_unit_or_all():
    services = _services(("A", "U1", None), ("B", "U1", "G"), ("C", "U2", "G"), ("D", "U3", None))
    cost = {"A": 100.0, "B": 300.0, "C": 100.0, "D": 600.0}
    rows = (FundBalance("A", 2025, 10, 10, 1, "U1"),
            FundBalance("G", 2025, 40, 40, 1, "U1"),
            FundBalance("X", 2025, 80, 80, 1, "U1"),  # ended: to U1 (A, B) by cost
            FundBalance("Y", 2025, 110, 110, 1, "Gone"))  # ended with its unit: to all
    fund = fund_movements(rows, (), services, cost)
    assert [m.returned_to for m in fund.movements] == [TO_SERVICE, TO_GROUP, TO_UNIT, TO_ALL]
    carry = fund.carry_forward_kr
    # all services by cost: A 1/11, B 3/11, C 1/11, D 6/11 of 110
    assert carry["A"] == pytest.approx(-(10 + 80 * 0.25 + 10))
    assert carry["B"] == pytest.approx(-(40 * 0.75 + 80 * 0.75 + 30))
    assert carry["C"] == pytest.approx(-(40 * 0.25 + 10))
    assert carry["D"] == pytest.approx(-60)
    assert sum(carry.values()) == pytest.approx(-fund.returned_kr)


def test_new_results_net_out_what_the_prices_already_carried_and_pool_price_groups():
    inputs = example_inputs()
    outcomes = (Outcome("SO-T1", 1_000, 900, carry_forward_kr=-50),  # result 150
                Outcome("SK-T1", 500, 700),  # result -200, same price group
                Outcome("SO1", 2_000, 2_000, carry_forward_kr=100))  # result -100
    inputs = dataclasses.replace(inputs, outcomes=outcomes)
    rows = {r.key: r for r in new_results(inputs)}
    group = next(s.price_group for s in inputs.services if s.service_id == "SO-T1")
    assert rows[group].result_kr == -50 and rows[group].years_left == 1
    assert rows["SO1"].result_kr == -100 and rows["SO1"].origin_year == 2026


def test_example_fund_reconciles_and_returns_the_2026_deficit_and_the_balances():
    inputs = example_inputs()
    results = calculate(inputs)
    fund = results.cost.fund_result
    deficit = sum(o.surplus_kr for o in inputs.outcomes)
    assert deficit == -1_310_400
    assert fund.new_kr == deficit
    assert fund.opening_kr == 90_000  # SK1 120 000 − SO-T2 30 000
    assert fund.returned_kr == deficit + 90_000  # n = 1: everything this year
    assert fund.closing_kr == 0
    checks = results.checks.set_index("check")
    fund_checks = [c for c in checks.index if c.startswith(("Resultatfond", "Resultatöverf"))]
    assert len(fund_checks) == 2 and checks.loc[fund_checks, "ok"].all()
    # the ended SO-T2's deficit lands on the Sociala enheten's services only
    table = results.cost.fund.set_index("key")
    assert table.loc["SO-T2", "returned_to"] == TO_UNIT


# --- year stamps -------------------------------------------------------------------------------

def _with(inputs, **params):
    return dataclasses.replace(inputs,
                               parameters=dataclasses.replace(inputs.parameters, **params))


def test_the_measured_bug_last_years_outcome_is_not_charged_twice():
    """Prisår 2028 with 2027's prices pasted in and Utfall left at 2026: rejected, located at the
    Utfall's year, instead of charging the 2026 deficit a second time."""
    inputs = _with(example_inputs(), year=2028, previous_prices_year=2027)
    errors = errors_of(validate(inputs))
    assert [(p.record, p.field) for p in errors] == [("parameters", "outcome_year")]
    assert "Utfallet gäller 2026" in errors[0].message and "2027" in errors[0].message
    with pytest.raises(ValidationError):
        calculate(inputs)


def test_a_previous_price_list_of_another_year_is_rejected():
    errors = errors_of(validate_fund(_with(example_inputs(), previous_prices_year=2025)))
    assert len(errors) == 1 and errors[0].field == "previous_prices_year"
    assert "Föregående prislista gäller 2025" in errors[0].message


def test_an_outcome_already_in_the_fund_is_rejected():
    inputs = example_inputs()
    carried = FundBalance("SB1", 2026, -163_800, 0, 0, "Samhällsbyggnadsenheten")
    inputs = dataclasses.replace(inputs, fund=(*inputs.fund, carried))
    errors = errors_of(validate_fund(inputs))
    assert len(errors) == 1 and errors[0].field == "outcome_year"
    assert "redan förts in i Resultatfonden" in errors[0].message


def test_fund_rows_are_checked():
    inputs = example_inputs()
    bad = (FundBalance("SK1", 2025, 1, 1, 1),  # twice
           FundBalance("W1", 2024, 100, 100, 0),  # a balance with no years left
           FundBalance("W2", 2027, 100, 100, 1))  # not before the price year
    errors = errors_of(validate_fund(dataclasses.replace(inputs, fund=(*inputs.fund, *bad))))
    assert [(e.record, e.index, e.field) for e in errors] == [
        ("fund", 2, "key"), ("fund", 3, "years_left"), ("fund", 4, "origin_year"),
        ("parameters", None, "outcome_year")]  # 2027 >= the outcome year 2026


def test_a_plan_outcome_is_a_warning():
    inputs = example_inputs()
    outcomes = tuple(dataclasses.replace(o, source=OutcomeSource.PLAN) for o in inputs.outcomes)
    problems = validate_fund(dataclasses.replace(inputs, outcomes=outcomes))
    assert not errors_of(problems)
    (w,) = warnings_of(problems)
    assert "planens siffror" in w.message and w.record == "outcomes"


def test_the_workbook_locates_the_year_stamps(tmp_path):
    from tests.excel_edit import edited_copy, named
    from xlkc.excel.file_reader import read_workbook
    from xlkc.excel.parse import check_workbook

    def edit(wb):
        named(wb, "Prisar").value = 2028
        named(wb, "ForegaendeAr").value = 2027

    path = edited_copy(tmp_path, "bugg.xlsm", edit)
    _, problems = check_workbook(read_workbook(path))
    errors = errors_of(problems)
    assert len(errors) == 1
    e = errors[0]
    assert e.sheet == "Utfall" and e.row == 6 and e.column is not None
    assert "Utfallet gäller 2026" in e.message
