"""The one pipeline: typed inputs -> staffing -> costing -> pricing -> reconciliation."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd

from xlkc import bounds, crosscheck
from xlkc.cost_model import CostModel
from xlkc.costing import compute_costs, validate_costs
from xlkc.errors import InputError, Problem, ValidationError, errors_of
from xlkc.followup import TOTAL, data_quality, inhouse_comparison, price_bridge
from xlkc.fund import validate_fund
from xlkc.inputs import AnswerGroup, ChannelKind, Inputs, PriceModel
from xlkc.price_bridge import ALL_EFFECTS, price_bridge_per_unit
from xlkc.pricing import Repricer, compute_prices, validate_customers, validate_prices
from xlkc.results import CHECK_COLUMNS, SLA_COLUMNS, PriceResult, Results, StaffingResult
from xlkc.staffing import staff, staffing_problems
from xlkc.staffing.model import restaffed_fte

TOLERANCE_KR = 0.01


def validate(inputs: Inputs) -> list[Problem]:
    """Every problem in the inputs, all in one pass, each naming its item in Swedish.

    Errors and warnings (``Problem.severity``) together; :func:`calculate` refuses the errors.
    First every number against its documented range (:mod:`xlkc.bounds`); the other checks then
    run with the values too large clamped; a cell another check already names as an error gets
    that one message, and no warning is given for a cell out of range.
    """
    out_of_range = bounds.bound_problems(inputs)
    cells = {(p.record, p.index, p.field) for p in out_of_range}
    problems = [p for p in _validate(bounds.clamped(inputs, out_of_range))
                if not (p.is_warning and (p.record, p.index, p.field) in cells)]
    named = {(p.record, p.index, p.field) for p in problems if not p.is_warning}
    return problems + [p for p in out_of_range if (p.record, p.index, p.field) not in named]


def _validate(inputs: Inputs) -> list[Problem]:
    if not inputs.services:  # nothing else can be checked meaningfully
        return crosscheck.parameter_problems(inputs)
    problems = staffing_problems(inputs)
    for level in inputs.parameters.sla_levels:
        problems += staffing_problems(inputs, sla_override=level)
    problems = list(dict.fromkeys(problems))  # the same problem found twice counts once
    problems += validate_costs(inputs) + validate_prices(inputs) + validate_customers(inputs)
    problems += validate_fund(inputs)
    found = set(problems)
    return problems + [p for p in crosscheck.input_problems(inputs) if p not in found]


def calculate(inputs: Inputs, *, validated: bool = False) -> Results:
    """Compute everything; raises the package's InputError before anything is half-computed.

    ``validated``: :func:`validate` already found no errors (the workbook runner validates once).
    """
    if not validated:
        problems = errors_of(validate(inputs))
        if problems:
            raise ValidationError(problems)
    staffing = staff(inputs, validated=True)  # validate() ran staffing_problems
    # What the costs and prices need besides the FTE and the price basis, found once for the
    # model and its SLA reruns (issue 15).
    model, repricer = CostModel(inputs, staffing), Repricer(inputs)
    cost = compute_costs(inputs, staffing, validated=True, model=model)
    price = compute_prices(inputs, cost, staffing, validated=True, repricer=repricer)
    quality = data_quality(staffing, cost)
    bridge = price_bridge(inputs, staffing, cost)
    per_unit = price_bridge_per_unit(inputs, staffing, cost, price.prices)
    results = Results(staffing=staffing, cost=cost, price=price,
                      checks=reconcile(inputs, staffing, cost, price, quality, bridge, per_unit),
                      sla=sla_prices(inputs, staffing, (cost.services, price.prices),
                                     model=model, repricer=repricer),
                      quality=quality,
                      bridge=bridge, inhouse=inhouse_comparison(inputs, staffing, price.charges),
                      price_bridge=per_unit)
    return with_statements(inputs, results)


def with_statements(inputs: Inputs, results: Results) -> Results:
    """The board's price list and the customers' statements, views of the results."""
    from xlkc.statements import board_price_list, customer_statement

    return dataclasses.replace(results, board=board_price_list(inputs, results),
                               statement=customer_statement(inputs, results))


def evaluate(inputs: Inputs, problems: list[Problem] | None = None
             ) -> tuple[Results | None, list[Problem]]:
    """The one validation: the input checks, then the calculation itself, then its warnings.

    ``problems``: the input checks already made (the workbook parser runs :func:`validate`);
    without them :func:`validate` runs here. Returns ``(results, problems)``: results is None
    when there is an error among the problems (an InputError raised while calculating becomes
    one, located where its message names an overhead pool or a parameter).
    """
    problems = list(validate(inputs) if problems is None else problems)
    if errors_of(problems):
        return None, problems
    try:
        results = calculate(inputs, validated=True)
    except ValidationError as exc:
        return None, problems + exc.problems
    except InputError as exc:
        return None, problems + [_locate(str(exc), inputs)]
    return results, problems + crosscheck.result_warnings(inputs, results)


_POOL_NAMED = re.compile(r"Overheadpool(?:en|erna) '([^']+)'")


def _locate(message: str, inputs: Inputs) -> Problem:
    """A problem found while calculating, placed at the item its message names."""
    text = " ".join(message.split())
    m = _POOL_NAMED.search(text)
    if m:
        ids = [p.pool_id for p in inputs.pools]
        if m[1] in ids:
            return Problem(text, record="pools", index=ids.index(m[1]), field="key")
    if text.startswith("Året"):
        return Problem(text, record="parameters", field="year")
    if text.startswith("Avrundningssteget"):
        return Problem(text, record="parameters", field="rounding_step_kr")
    return Problem(text)


def revenue_per_line(prices: pd.DataFrame) -> pd.Series:
    """Revenue at forecast quantities of each price-list line."""
    fee = prices["annual_fee_kr"].fillna(0.0)
    per_unit = prices["price_kr"] * prices["quantity"]
    is_fee_only = prices["price_model"] == PriceModel.ANNUAL_FEE.value
    return pd.Series(np.where(is_fee_only, fee, per_unit + fee), index=prices.index)


def reconcile(inputs: Inputs, staffing, cost, price: PriceResult, quality: pd.DataFrame,
              bridge: pd.DataFrame, per_unit: pd.DataFrame | None = None) -> pd.DataFrame:
    """Avstämning: every krona accounted for, each check with its difference."""
    s = cost.services
    surplus = sum(o.surplus_kr for o in inputs.outcomes)
    fund = cost.fund_result
    revenue = float(revenue_per_line(price.prices).sum())
    residual = float(price.prices["residual_kr"].sum())
    basis = float(s["price_basis_kr"].sum())
    rows = [
        ("Självkostnad alla tjänster = alla kostnader", s["full_cost_kr"].sum(),
         cost.total_cost_kr),
        ("Overhead fördelad = overheadpoolernas summa", cost.allocation["amount_kr"].sum(),
         cost.pools["total_kr"].sum()),
        ("Resultatöverföring i priserna = återfört ur resultatfonden",
         s["carry_forward_kr"].sum(), -fund.returned_kr),
        ("Intäkt vid prognosvolym = prisunderlag + avrundningsdifferens", revenue,
         basis + residual),
        ("Prisgruppernas omfördelning netto = 0", price.prices["group_transfer_kr"].sum(), 0.0),
        ("Kunddebitering = intäkt vid prognosvolym", price.charges["charge_kr"].sum(), revenue),
        ("Årsarbetare (åa): tjänsterna = svarsgrupperna",
         staffing.services["fte"].sum(),
         staffing.pools["fte"].sum()),
        ("Datakvalitet: kostnad per källa = självkostnad",
         quality.loc[quality["source"] != TOTAL, "cost_kr"].sum(), s["full_cost_kr"].sum()),
        ("Prisbrygga: fjolårets kostnad + effekterna = självkostnad", _bridged(bridge),
         bridge.loc[bridge[_EFFECTS].notna().all(axis=1), "full_cost_kr"].sum()),
        ("Resultatfond: ingående + årets resultat − återfört = utgående",
         fund.opening_kr + fund.new_kr - fund.returned_kr, fund.closing_kr),
    ]
    if per_unit is not None:
        explained = per_unit[per_unit[list(ALL_EFFECTS)].notna().all(axis=1)]
        rows.append(("Prisbrygga per pris: föregående pris + effekterna = årets pris",
                     float(explained["previous_price_kr"].sum()
                           + explained[list(ALL_EFFECTS)].to_numpy().sum()),
                     float(explained["price_kr"].sum())))
    out = pd.DataFrame(rows, columns=["check", "value_kr", "reference_kr"])
    out["difference_kr"] = out["value_kr"] - out["reference_kr"]
    out["ok"] = out["difference_kr"].abs() <= TOLERANCE_KR
    # Figures reported beside the checks (not checks themselves).
    info = pd.DataFrame([
        ("Avrundningsdifferens totalt", residual, np.nan, np.nan, True),
        ("Föregående års resultat (överskott + / underskott −)", surplus, np.nan, np.nan, True),
    ], columns=list(CHECK_COLUMNS))
    return pd.concat([out[list(CHECK_COLUMNS)], info], ignore_index=True)


_EFFECTS = ["volume_effect_kr", "handle_time_effect_kr", "staffing_effect_kr",
            "salary_effect_kr", "overhead_effect_kr", "other_effect_kr"]


def _bridged(bridge: pd.DataFrame) -> float:
    """Last year's cost plus every effect, over the services the bridge explains."""
    explained = bridge[bridge[_EFFECTS].notna().all(axis=1)]
    return float(explained["previous_cost_kr"].sum() + explained[_EFFECTS].to_numpy().sum())


def sla_prices(inputs: Inputs, staffing: StaffingResult | None = None,
               baseline: tuple[pd.DataFrame, pd.DataFrame] | None = None, *,
               model: CostModel | None = None, repricer: Repricer | None = None
               ) -> pd.DataFrame:
    """SLA-pris: each real-time service's FTE, full cost and price at the parameter SLA levels.

    For one answer group at a time, the group's real-time pools are restaffed at the level (an
    answer-group row overriding the channel's level) and the whole cost and price chain rerun,
    so overhead follows the changed FTE as it would in a real decision; every other answer
    group stays at its own level. At a service's own level the inputs are therefore the model's
    own, and its SLA price equals the price list.

    ``staffing``: the inputs' own ``staff(inputs)`` (valid inputs); then only the real-time
    pools are solved again, every level and group in one solve
    (:func:`xlkc.staffing.model.restaffed_fte`), every other FTE is reused and no stand-alone
    volume is staffed. Without it the inputs are validated and staffed here. ``baseline``:
    (cost per service, price list) of ``inputs`` itself, reused where a group already runs at
    the level. ``model``: ``CostModel(inputs, staffing)``, ``repricer``: ``Repricer(inputs)``,
    when the caller has them.
    """
    if staffing is None:
        problems = staffing_problems(inputs)
        for level in inputs.parameters.sla_levels:
            problems += staffing_problems(inputs, sla_override=level)
        if problems:
            raise ValidationError(list(dict.fromkeys(problems)))
        staffing = staff(inputs, validated=True)
    levels = tuple(inputs.parameters.sla_levels)
    real_time = {c.channel_id for c in inputs.channels if c.kind is ChannelKind.REAL_TIME}
    with_real_time = {c.service_id for c in inputs.contacts if c.channel_id in real_time}
    services = [s for s in inputs.services if s.service_id in with_real_time]
    group_of = {s.service_id: s.answer_group for s in inputs.services}
    # The real-time channels each answer group answers.
    group_channels: dict[str, list[str]] = {}
    for c in inputs.contacts:
        if c.channel_id in real_time and c.service_id in group_of:
            chans = group_channels.setdefault(group_of[c.service_id], [])
            if c.channel_id not in chans:
                chans.append(c.channel_id)
    restaffed = restaffed_fte(inputs, levels, staffing, by_group=True)
    base_fte = staffing.services["fte"].to_numpy(dtype=np.float64)
    # The price lines do not change with the level, only the costs: they are found once and
    # repriced per level and group (issue 15); so is everything of the costs but the FTE
    # (CostModel, built when first needed).
    if repricer is None:
        repricer = Repricer(inputs)
    line_of = _sla_lines(repricer.lines, real_time)
    rows = _SlaRows(inputs, line_of, repricer.is_fee)
    for li, level in enumerate(levels):
        for group, chans in group_channels.items():
            ids = [s.service_id for s in services if s.answer_group == group]
            if not ids:
                continue
            if baseline is not None and _at_level(inputs, group, chans, level) is None:
                cost_services, prices = baseline
                rows.add(ids, level, prices["price_kr"].to_numpy(dtype=float),
                         prices["annual_fee_kr"].to_numpy(dtype=float),
                         cost_services["service_id"].tolist(),
                         cost_services["fte"].to_numpy(), cost_services["full_cost_kr"].to_numpy())
                continue
            if model is None:
                model = CostModel(inputs, staffing)
            # The FTE as a column of their own, as ``staffing.services.assign(fte=...)``.
            costs = model.at(restaffed.get((li, group), base_fte), fte_apart=True)
            price, annual = repricer.prices(model.ids, costs.full + costs.carry)
            rows.add(ids, level, price, annual, model.ids, costs.fte, costs.full)
    return rows.frame(services, inputs.parameters.sla_levels)


def _at_level(inputs: Inputs, group: str, channels: list[str], level) -> Inputs | None:
    """``inputs`` with ``group``'s real-time pools at ``level``; None where they already are."""
    rows = {(g.group_id, g.channel_id): g for g in inputs.answer_groups}
    by_channel = {c.channel_id: c for c in inputs.channels}
    same = True
    for ch in channels:
        row = rows.get((group, ch))
        sl = row.service_level if row and row.service_level is not None \
            else by_channel[ch].service_level
        t = row.answer_time_s if row and row.answer_time_s is not None \
            else by_channel[ch].answer_time_s
        if (sl, t) != (level.service_level, level.answer_time_s):
            same = False
        rows[(group, ch)] = (dataclasses.replace(row, service_level=level.service_level,
                                                 answer_time_s=level.answer_time_s)
                             if row is not None else
                             AnswerGroup(group, ch, service_level=level.service_level,
                                         answer_time_s=level.answer_time_s))
    if same:
        return None
    return dataclasses.replace(inputs, answer_groups=tuple(rows.values()))


def _sla_lines(lines: pd.DataFrame, real_time: set) -> dict[str, int]:
    """Each service's line in the price list: its first real-time line, else its first."""
    first: dict[str, int] = {}
    first_real_time: dict[str, int] = {}
    for j, (sid, ch) in enumerate(zip(lines["service_id"], lines["channel_id"], strict=True)):
        first.setdefault(sid, j)
        if ch in real_time:
            first_real_time.setdefault(sid, j)
    return {sid: first_real_time.get(sid, j) for sid, j in first.items()}


class _SlaRows:
    """SLA-pris's rows, gathered per level and answer group and made one table at the end.

    One line per service: a per-channel service is quoted at its first real-time channel; an
    annual fee at its fee.
    """

    def __init__(self, inputs: Inputs, line_of: dict[str, int], is_fee: np.ndarray) -> None:
        self.services = {s.service_id: s for s in inputs.services}
        self.line_of = line_of
        self.is_fee = is_fee
        self.chunks: list[tuple] = []

    def add(self, ids: list[str], level, price: np.ndarray, annual: np.ndarray,
            cost_ids: list[str], fte: np.ndarray, full: np.ndarray) -> None:
        """The rows of ``ids`` at ``level``: ``price``, ``annual``: the price list's price_kr
        and annual_fee_kr per line; ``fte``, ``full``: FTE and full cost per ``cost_ids``."""
        at = np.array([self.line_of[i] for i in ids], dtype=np.intp)
        row = {sid: j for j, sid in enumerate(cost_ids)}
        rows = np.array([row[i] for i in ids], dtype=np.intp)
        self.chunks.append((ids, level, fte[rows], full[rows],
                            np.where(self.is_fee[at], annual[at], price[at])))

    def frame(self, services: list, sla_levels) -> pd.DataFrame:
        """SLA_COLUMNS, by level (the parameters' order; the first of equal levels) then
        service (``services``' order), stable."""
        if not self.chunks:
            return pd.DataFrame(columns=list(SLA_COLUMNS))
        order = {s.service_id: i for i, s in enumerate(services)}
        first = {(lv.service_level, lv.answer_time_s): i
                 for i, lv in reversed(list(enumerate(sla_levels)))}
        ids = [i for chunk in self.chunks for i in chunk[0]]
        by_level = np.concatenate([
            np.full(len(c[0]), first[(c[1].service_level, c[1].answer_time_s)], dtype=np.intp)
            for c in self.chunks])
        sort = np.lexsort((np.array([order[i] for i in ids], dtype=np.intp), by_level))
        ids = [ids[i] for i in sort]
        levels = [lv for c in self.chunks for lv in [c[1]] * len(c[0])]
        levels = [levels[i] for i in sort]
        services_of = [self.services[i] for i in ids]
        return pd.DataFrame({
            "service_id": ids, "name": [s.name for s in services_of],
            "service_level": [lv.service_level for lv in levels],
            "answer_time_s": [lv.answer_time_s for lv in levels],
            "fte": np.concatenate([c[2] for c in self.chunks])[sort],
            "full_cost_kr": np.concatenate([c[3] for c in self.chunks])[sort],
            "price_kr": np.concatenate([c[4] for c in self.chunks])[sort],
            "price_unit": [s.price_unit for s in services_of],
        }, columns=list(SLA_COLUMNS))
