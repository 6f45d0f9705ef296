"""Guards against work that grows faster than the inputs (issue 15): never seconds.

Each quadratic case found is measured by what it touches at 5× and 50× the example
(``tests/scaling_support``): comparisons and hashes of id strings (a ``str`` subclass that counts
them: a list scan or a per-customer filter compares every row again), calls of the validators,
jobs handed to the staffing solver. Ten times the rows may cost at most ``LINEAR`` times the work.
The SLA prices, now computed by restaffing only the real-time pools, are compared with the old
method (the whole chain rerun per level, kept here as the reference) on the example and on random
inputs.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from functools import cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.scaling_support import scaled_example, scaled_workbook_data
from tests.strategies import inputs_strategy
from xlkc import crosscheck, pipeline
from xlkc.costing import compute_costs
from xlkc.errors import errors_of
from xlkc.excel import parse
from xlkc.excel.run import calculate_workbook
from xlkc.followup import inhouse_comparison
from xlkc.inputs import (
    AnswerGroup,
    ChannelKind,
    PriceModel,
    Profile,
    SlaLevel,
    StaffingMethod,
)
from xlkc.pricing import price_list
from xlkc.results import SLA_COLUMNS
from xlkc.staffing import model as staffing_model
from xlkc.staffing import staff
from xlkc.staffing import standalone as staffing_standalone

SMALL, BIG = 5, 50
#: 10× the rows may cost at most this many times the work (linear, with the fixed part's slack).
LINEAR = 11.0


class CountingStr(str):
    """A str whose comparisons and hashes are counted (class-wide)."""

    ops = 0

    def __eq__(self, other):
        CountingStr.ops += 1
        return str.__eq__(self, other)

    def __ne__(self, other):
        CountingStr.ops += 1
        return str.__ne__(self, other)

    def __hash__(self):
        CountingStr.ops += 1
        return str.__hash__(self)


def _counting(value):
    if type(value) is str:
        return CountingStr(value)
    if isinstance(value, tuple):
        return tuple(_counting(v) for v in value)
    return value


def _ops(fn, *args) -> int:
    CountingStr.ops = 0
    fn(*args)
    return CountingStr.ops


def _assert_linear(small: float, big: float, what: str) -> None:
    assert small > 0, what
    assert big <= LINEAR * small, f"{what}: {small} at {SMALL}×, {big} at {BIG}× " \
        f"({big / small:.1f} times the work for {BIG // SMALL} times the rows)"


# --------------------------------------------------------------------------- the meter itself


def test_the_meter_sees_a_list_scan_and_a_per_row_filter():
    """A quadratic lookup counts quadratically: the guards below could fail."""
    def work(k):
        ids = [CountingStr(f"S{i}") for i in range(10 * k)]
        refs = [CountingStr(f"S{i}") for i in range(10 * k)]
        return lambda: [r in ids for r in refs]

    assert _ops(work(BIG)) > 50 * _ops(work(SMALL))
    frames = {k: pd.DataFrame({"id": np.array([CountingStr(f"K{i}") for i in range(10 * k)],
                                              dtype=object)}) for k in (SMALL, BIG)}

    def per_customer(frame):
        for cid in frame["id"]:
            _ = frame[frame["id"] == cid]

    assert _ops(per_customer, frames[BIG]) > 50 * _ops(per_customer, frames[SMALL])


# --------------------------------------------------------------------------- parse


@cache
def _parser_tables(k: int):
    """The tables ``check_workbook`` hands to ``_resolve_ids`` at k×."""
    seen = {}
    original = parse._resolve_ids

    def capture(tables):
        seen["tables"] = {name: [dict(r) for r in rows] for name, rows in tables.items()}
        return original(tables)

    parse._resolve_ids = capture
    try:
        inputs, problems = parse.check_workbook(scaled_workbook_data(k))
    finally:
        parse._resolve_ids = original
    assert inputs == scaled_example(k) and not problems
    return seen["tables"]


def _counting_tables(k: int):
    return {name: [{f: _counting(v) for f, v in r.items()} for r in rows]
            for name, rows in _parser_tables(k).items()}


@pytest.mark.parametrize("resolve", [parse._resolve_ids, parse._resolve_answer_groups],
                         ids=["ids", "answer groups"])
def test_resolving_ids_touches_each_reference_a_bounded_number_of_times(resolve):
    small, big = (_ops(resolve, _counting_tables(k)) for k in (SMALL, BIG))
    _assert_linear(small, big, resolve.__name__)


def test_the_quantity_check_touches_each_row_a_bounded_number_of_times():
    def ids(inputs):
        return dataclasses.replace(
            inputs,
            services=tuple(dataclasses.replace(s, service_id=_counting(s.service_id))
                           for s in inputs.services),
            contacts=tuple(dataclasses.replace(c, service_id=_counting(c.service_id),
                                               channel_id=_counting(c.channel_id))
                           for c in inputs.contacts),
            customer_volumes=tuple(dataclasses.replace(
                v, service_id=_counting(v.service_id), customer_id=_counting(v.customer_id))
                for v in inputs.customer_volumes))

    small, big = (_ops(crosscheck.quantity_problems, ids(scaled_example(k)))
                  for k in (SMALL, BIG))
    _assert_linear(small, big, "quantity_problems")


# --------------------------------------------------------------------------- validation


def _count_calls(monkeypatch, targets):
    """Wrap ``(module, name)`` pairs; returns the Counter of calls by name."""
    calls: Counter[str] = Counter()
    for module, name in targets:
        original = getattr(module, name)

        def counted(*args, _original=original, _name=f"{module.__name__}.{name}", **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    return calls


def test_a_workbook_run_validates_once_whatever_its_size(monkeypatch):
    """validate() once, the staffing checks once per SLA level (in validate) and once per
    distinct stand-alone setting: never per staffing call, contact row or customer."""
    from xlkc import costing, pricing

    # the staffing modules that call staffing_problems themselves (each binds its own name)
    staffing_callers = ("xlkc.staffing.model.staffing_problems",
                        "xlkc.staffing.standalone.staffing_problems")
    calls = _count_calls(monkeypatch, [
        (pipeline, "validate"), (pipeline, "staffing_problems"),
        (staffing_model, "staffing_problems"), (staffing_standalone, "staffing_problems"),
        (costing, "validate_costs"),
        (pipeline, "validate_costs"), (pricing, "validate_prices"),
        (pipeline, "validate_prices"), (crosscheck, "input_problems")])
    counts = {}
    for k in (SMALL, BIG):
        calls.clear()
        plan, results, problems = calculate_workbook(scaled_workbook_data(k))
        assert results is not None and not problems
        counts[k] = dict(calls)
    assert counts[SMALL] == counts[BIG]
    levels = len(scaled_example(1).parameters.sla_levels)
    assert {k: n for k, n in counts[BIG].items() if k not in staffing_callers} == {
        "xlkc.pipeline.validate": 1, "xlkc.crosscheck.input_problems": 1,
        "xlkc.pipeline.staffing_problems": 1 + levels, "xlkc.pipeline.validate_costs": 1,
        "xlkc.pipeline.validate_prices": 1}
    # the customer comparison checks each distinct stand-alone setting once (a constant number)
    assert sum(counts[BIG].get(k, 0) for k in staffing_callers) >= 1


def test_sla_prices_solve_only_the_real_time_pools(monkeypatch):
    """No stand-alone volume is staffed for the SLA prices: the jobs do not grow with k."""
    sizes = {}
    original = staffing_model._solve
    for k in (SMALL, BIG):
        inputs = scaled_example(k)
        base = staff(inputs)
        jobs: list[int] = []

        def solve(js, prod_h, _jobs=jobs):
            _jobs.append(len(js))
            return original(js, prod_h)

        # every module that calls _solve binds its own name: patch each of them
        for module in (staffing_model, staffing_standalone):
            monkeypatch.setattr(module, "_solve", solve)
        pipeline.sla_prices(inputs, base)
        for module in (staffing_model, staffing_standalone):
            monkeypatch.setattr(module, "_solve", original)
        sizes[k] = sum(jobs)
    inputs = scaled_example(1)
    channels = {c.channel_id: c for c in inputs.channels}
    real_time_pools = {(s.answer_group, c.channel_id) for c in inputs.contacts
                       for s in inputs.services if s.service_id == c.service_id
                       and channels[c.channel_id].kind is ChannelKind.REAL_TIME}
    assert sizes[SMALL] == sizes[BIG] <= len(real_time_pools) * len(inputs.parameters.sla_levels)


def test_the_customer_comparison_touches_each_row_a_bounded_number_of_times():
    def prepared(k):
        inputs = scaled_example(k)
        results = pipeline.calculate(inputs)
        counted = dataclasses.replace(
            inputs,
            customers=tuple(dataclasses.replace(c, customer_id=_counting(c.customer_id))
                            for c in inputs.customers),
            customer_volumes=tuple(dataclasses.replace(
                v, service_id=_counting(v.service_id), customer_id=_counting(v.customer_id))
                for v in inputs.customer_volumes))
        charges = results.price.charges.assign(
            customer_id=[_counting(x) for x in results.price.charges["customer_id"]])
        return counted, results.staffing, charges

    small, big = (_ops(inhouse_comparison, *prepared(k)) for k in (SMALL, BIG))
    _assert_linear(small, big, "inhouse_comparison")


# --------------------------------------------------------------------------- costs, fund, statements


def _with_counting_strings(inputs, **fields):
    """``inputs`` with the named string fields of each record set's rows counting."""
    return dataclasses.replace(inputs, **{
        record: tuple(dataclasses.replace(r, **{f: _counting(getattr(r, f)) for f in names})
                      for r in getattr(inputs, record))
        for record, names in fields.items()})


@cache
def _results(k: int):
    return pipeline.calculate(scaled_example(k))


def test_the_fund_looks_each_row_s_receivers_up_instead_of_scanning_the_services():
    """Each fund row (one per service without a price group, at scale) finds the services it
    goes to by id, price group or unit; it used to scan every service per row."""
    from xlkc.fund import compute_fund

    def prepared(k):
        inputs = _with_counting_strings(
            scaled_example(k), services=("service_id", "price_group", "unit"),
            outcomes=("service_id",), fund=("key", "unit"))
        return inputs, {s.service_id: 1.0 for s in inputs.services}

    small, big = (_ops(compute_fund, *prepared(k)) for k in (SMALL, BIG))
    _assert_linear(small, big, "compute_fund")


def test_the_customer_statement_touches_each_row_a_bounded_number_of_times():
    """Kundspecifikation: one pass over the charges and a set of (customer, service) with last
    year's contacts; it used to scan every customer-volume row for each statement line."""
    from xlkc.statements import customer_statement

    def prepared(k):
        inputs = _with_counting_strings(
            scaled_example(k), services=("service_id",), customers=("customer_id",),
            customer_volumes=("customer_id", "service_id"))
        return inputs, _results(k)

    small, big = (_ops(customer_statement, *prepared(k)) for k in (SMALL, BIG))
    _assert_linear(small, big, "customer_statement")


def test_a_per_minute_cost_named_to_a_service_touches_that_service_only(monkeypatch):
    """A per-minute cost per service: each one adds to its own service; it used to mask a copy
    of every service's minutes per cost (``Series.where``: costs × services)."""
    from xlkc.inputs import Cost, CostKind

    touched = [0]
    original = pd.Series.where

    def where(self, *args, **kwargs):
        touched[0] += len(self)
        return original(self, *args, **kwargs)

    def inputs_at(k):
        inputs = scaled_example(k)
        named = tuple(Cost(f"M-{s.service_id}", "Licens per minut", CostKind.PER_MINUTE, 0.5,
                           service_id=s.service_id) for s in inputs.services)
        return dataclasses.replace(inputs, costs=inputs.costs + named)

    work = {}
    for k in (SMALL, BIG):
        inputs = inputs_at(k)
        staffing = staff(inputs)
        touched[0] = 0
        monkeypatch.setattr(pd.Series, "where", where)
        cost = compute_costs(inputs, staffing, validated=True)
        monkeypatch.setattr(pd.Series, "where", original)
        work[k] = touched[0] + len(inputs.services)  # the services' own rows at least
        assert (cost.services["minute_cost_kr"] > 0).all()
    _assert_linear(work[SMALL], work[BIG], "per-minute costs")


# --------------------------------------------------------------------------- SLA prices


def _sla_prices_reference(inputs) -> pd.DataFrame:
    """The slow method: for each level and each answer group with real-time channels, give the
    group's real-time pools the level (an answer-group row), then staff, cost and price the
    whole model again; the group's services' rows come from that run."""
    real_time = {c.channel_id for c in inputs.channels if c.kind is ChannelKind.REAL_TIME}
    with_real_time = {c.service_id for c in inputs.contacts if c.channel_id in real_time}
    services = [s for s in inputs.services if s.service_id in with_real_time]
    group_of = {s.service_id: s.answer_group for s in inputs.services}
    groups: dict[str, list[str]] = {}
    for c in inputs.contacts:
        if c.channel_id in real_time and c.service_id in group_of:
            chans = groups.setdefault(group_of[c.service_id], [])
            if c.channel_id not in chans:
                chans.append(c.channel_id)
    frames = []
    for li, level in enumerate(inputs.parameters.sla_levels):
        for group, chans in groups.items():
            ids = [s.service_id for s in services if s.answer_group == group]
            if not ids:
                continue
            rows = {(g.group_id, g.channel_id): g for g in inputs.answer_groups}
            for ch in chans:
                row = rows.get((group, ch)) or AnswerGroup(group, ch)
                rows[(group, ch)] = dataclasses.replace(
                    row, service_level=level.service_level, answer_time_s=level.answer_time_s)
            changed = dataclasses.replace(inputs, answer_groups=tuple(rows.values()))
            cost_result = compute_costs(changed, staff(changed), validated=True)
            prices = price_list(changed, cost_result)
            prices = prices.assign(_rt=prices["channel_id"].isin(real_time))
            prices = prices.sort_values("_rt", ascending=False, kind="stable")
            line = prices.drop_duplicates("service_id").set_index("service_id")
            cost = cost_result.services.set_index("service_id")
            fee_only = line.loc[ids, "price_model"] == PriceModel.ANNUAL_FEE.value
            names = {s.service_id: s for s in services}
            frames.append(pd.DataFrame({
                "service_id": ids, "name": [names[i].name for i in ids],
                "service_level": level.service_level, "answer_time_s": level.answer_time_s,
                "fte": cost.loc[ids, "fte"].to_numpy(),
                "full_cost_kr": cost.loc[ids, "full_cost_kr"].to_numpy(),
                "price_kr": np.where(fee_only, line.loc[ids, "annual_fee_kr"],
                                     line.loc[ids, "price_kr"]),
                "price_unit": [names[i].price_unit for i in ids],
                "_level": li, "_order": [services.index(names[i]) for i in ids],
            }))
    if not frames:
        return pd.DataFrame(columns=list(SLA_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    # the same level listed twice prices at its first position
    first = {}
    for i, lv in enumerate(inputs.parameters.sla_levels):
        first.setdefault((lv.service_level, lv.answer_time_s), i)
    out["_level"] = [first[(a, b)] for a, b in zip(out["service_level"], out["answer_time_s"],
                                                   strict=True)]
    return (out.sort_values(["_level", "_order"], kind="stable")[list(SLA_COLUMNS)]
            .reset_index(drop=True))


def _assert_same_sla(inputs) -> None:
    new = pipeline.sla_prices(inputs, staff(inputs))
    pd.testing.assert_frame_equal(new, _sla_prices_reference(inputs), check_exact=True)
    pd.testing.assert_frame_equal(pipeline.sla_prices(inputs), new, check_exact=True)


def test_sla_prices_equal_the_whole_rerun_on_the_example():
    inputs = scaled_example(1)
    assert len(inputs.parameters.sla_levels) >= 2
    _assert_same_sla(inputs)
    assert pipeline.calculate(inputs).sla.equals(_sla_prices_reference(inputs))


def test_sla_prices_equal_the_whole_rerun_at_scale():
    _assert_same_sla(scaled_example(SMALL))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs=inputs_strategy(),
       method=st.sampled_from([None, StaffingMethod.ERLANG_C, StaffingMethod.WORKLOAD]),
       levels=st.lists(st.tuples(st.sampled_from([0.6, 0.8, 0.9]),
                                 st.sampled_from([10.0, 30.0, 60.0, 120.0])),
                       min_size=1, max_size=2, unique=True))
def test_sla_prices_equal_the_whole_rerun_on_random_inputs(inputs, method, levels):
    """With every phone group set to a method, at any levels (Erlang A: the test below)."""
    groups = tuple(AnswerGroup(unit, "telefon", method=method)
                   for unit in dict.fromkeys(s.answer_group for s in inputs.services))
    params = dataclasses.replace(inputs.parameters,
                                 sla_levels=tuple(SlaLevel(sl, t) for sl, t in levels))
    inputs = dataclasses.replace(inputs, answer_groups=groups, parameters=params)
    if errors_of(pipeline.validate(inputs)):
        return
    _assert_same_sla(inputs)


def test_sla_prices_equal_the_whole_rerun_with_erlang_a_and_workload_pools():
    """Erlang A on the phone, workload on the chat (a flat profile: Erlang A solves each distinct
    load on its own, slowly)."""
    inputs = scaled_example(1)
    p = inputs.parameters
    hours = p.closing_hour - p.opening_hour
    groups = tuple(AnswerGroup(g, ch, method=m, patience_s=120.0 if ch == "telefon" else None)
                   for g in dict.fromkeys(s.answer_group for s in inputs.services)
                   for ch, m in (("telefon", StaffingMethod.ERLANG_A),
                                 ("chatt", StaffingMethod.WORKLOAD)))
    inputs = dataclasses.replace(inputs, answer_groups=groups, profile=Profile(
        month_factors=(1.0,) * 12, hourly_shares=(1.0 / hours,) * hours))
    assert not errors_of(pipeline.validate(inputs))
    _assert_same_sla(inputs)


# --------------------------------------------------------------------------- imports


_HEAVY = ("pandas", "numpy", "openpyxl", "xlsxwriter", "xlwings")


@pytest.mark.parametrize(("argv", "allowed"), [
    (["--help"], ()),
    (["exempel"], ("pandas", "numpy")),
], ids=["help", "exempel"])
def test_a_command_imports_only_what_it_needs(argv, allowed):
    """``xlkc --help`` imports none of the heavy libraries; ``exempel`` no workbook library."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys\nfrom xlkc.cli import main\ntry:\n    main(sys.argv[1:])\n"
            "except SystemExit:\n    pass\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({_HEAVY!r})),"
            " file=sys.stderr)")
    res = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1], timeout=120)
    imported = eval(res.stderr.strip().splitlines()[-1])  # noqa: S307 - our own print
    assert set(imported) == set(allowed), res.stderr


# --------------------------------------------------------------------------- the reader


def test_the_reader_opens_each_needed_sheet_part_once(monkeypatch):
    """Reading a workbook opens each worksheet part once for the limits and once more only if
    it holds inputs, the versions or named cells (values and formulas without a cached value in
    one pass; before issue 15 openpyxl parsed a sheet once per table on it, plus once more)."""
    import zipfile

    from xlkc import layout as L  # noqa: N812
    from xlkc.excel import file_reader, reader_xml
    from xlkc.workbook.build import DEFAULT_PATH

    opened: Counter[str] = Counter()
    real_open = zipfile.ZipFile.open

    def counting_open(self, name, *args, **kwargs):
        opened[getattr(name, "filename", name)] += 1
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
    data = file_reader.read_workbook(DEFAULT_PATH)
    monkeypatch.undo()
    with zipfile.ZipFile(DEFAULT_PATH) as z:
        parts = reader_xml._sheet_parts(z)
    needed = ({s.name for s in L.SHEETS if s.role == "input"}
              | {L.sheet_of(t.name).name for t in L.carried_tables()}
              | {s for s, _, _ in data.name_cells.values()})
    assert needed < set(parts)
    assert {s: opened[p] for s, p in parts.items()} == {
        s: 1 + (s in needed) for s in parts}
    assert opened["xl/sharedStrings.xml"] == 2  # the limits, then the strings


# --------------------------------------------------------------------------- the output plan


def test_the_plan_looks_link_rows_up_by_key_instead_of_scanning_the_table(monkeypatch):
    """The link rules (Bemanning's FTE per pool, Självkostnad's FTE per service, Prislista's
    price basis per service) find their rows by a casefolded key; they used to casefold every
    row of the other table for each row linked."""
    import datetime as dt

    from xlkc.excel import output
    from xlkc.excel.run import RunInfo

    keys = Counter()
    real = output._key

    def counted(value):
        keys["n"] += 1
        return real(value)

    monkeypatch.setattr(output, "_key", counted)
    run = RunInfo.make("berakna", "0" * 64, "test", dt.datetime(2026, 1, 1))

    def work(k):
        keys["n"] = 0
        plan = output.plan_outputs(scaled_example(k), _results(k), run)
        assert plan.meta["formula_cells"] > 0
        return keys["n"]

    small, big = work(SMALL), work(BIG)
    _assert_linear(small, big, "plan_outputs' link lookups")
