"""The yearly cycle: this price year's computed inputs and results -> next year's inputs.

:func:`next_year_inputs` is what Nytt prisår writes (pure; the workbook side is
:mod:`xlkc.excel.roll`):

- Prisår + 1;
- Föregående prislista = this year's price list (per service, or service and channel; an annual
  fee as the whole fee; a subscription's fee beside its unit price), stamped with this year;
- Utfall = this year's plan per service, stamped with this year and marked ``plan`` for the
  controller to overwrite with the books: revenue at forecast volumes, full cost, contacts,
  workload hours, FTE, personnel cost, overhead (overhead pools and the city charge) and the
  carry-forward the prices held (so next year's fund takes only revenue − cost − carry-forward,
  and nothing is returned twice);
- Resultatfond = this year's closing balances (:meth:`xlkc.fund.FundResult.closing_balances`);
- Kundvolymer: each customer's Kontakter föregående år = its forecast this year, in contacts (a
  forecast in minutes or hours is turned into contacts by the service's planned contacts per
  minute or hour), so that next year's fees are keyed by this year's plan until the controller
  types the books' figures.

Everything else is kept as it is (volumes, costs, customers: the controller updates them).
"""

from __future__ import annotations

import dataclasses
import math

from xlkc.inputs import (
    CustomerVolume,
    Inputs,
    Outcome,
    OutcomeSource,
    PreviousPrice,
    PriceModel,
)
from xlkc.results import Results


def _num(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def previous_prices_of(results: Results) -> tuple[PreviousPrice, ...]:
    """This year's price list as next year's Föregående prislista."""
    out = []
    for r in results.price.prices.itertuples(index=False):
        channel = r.channel_id if isinstance(r.channel_id, str) and r.channel_id else None
        fee = _num(r.annual_fee_kr)
        if r.price_model == PriceModel.ANNUAL_FEE.value:
            out.append(PreviousPrice(r.service_id, float(fee or 0.0), channel))
        else:
            out.append(PreviousPrice(
                r.service_id, float(r.price_kr), channel,
                fee if r.price_model == PriceModel.SUBSCRIPTION.value else None))
    return tuple(out)


def plan_outcomes(inputs: Inputs, results: Results) -> tuple[Outcome, ...]:
    """This year's plan per service as next year's Utfall (marked plan)."""
    from xlkc.pipeline import revenue_per_line

    prices = results.price.prices
    revenue = revenue_per_line(prices).groupby(prices["service_id"]).sum()
    cost = results.cost.services.set_index("service_id")
    work = results.staffing.services.groupby("service_id")[["volume", "workload_h"]].sum()
    out = []
    for s in inputs.services:
        sid = s.service_id
        c = cost.loc[sid]
        out.append(Outcome(
            sid, revenue_kr=round(float(revenue.get(sid, 0.0)), 2),
            cost_kr=round(float(c["full_cost_kr"]), 2),
            volume=float(work["volume"].get(sid, 0.0)),
            workload_h=round(float(work["workload_h"].get(sid, 0.0)), 2),
            fte=round(float(c["fte"]), 4),
            personnel_cost_kr=round(float(c["personnel_cost_kr"]), 2),
            overhead_kr=round(float(c["overhead_kr"] + c["city_charge_kr"]), 2),
            carry_forward_kr=round(float(c["carry_forward_kr"]), 2),
            source=OutcomeSource.PLAN))
    return tuple(out)


def rolled_customer_volumes(inputs: Inputs, results: Results) -> tuple[CustomerVolume, ...]:
    """Kundvolymer for next year: last year's contacts = this year's forecast in contacts."""
    prices = results.price.prices
    quantity = prices.groupby("service_id")["quantity"].sum()
    contacts = results.staffing.services.groupby("service_id")["volume"].sum()
    models = {s.service_id: s.price_model for s in inputs.services}
    out = []
    for v in inputs.customer_volumes:
        ratio = 1.0
        if models.get(v.service_id) in (PriceModel.PER_MINUTE, PriceModel.PER_HOUR):
            q = float(quantity.get(v.service_id, 0.0))
            ratio = float(contacts.get(v.service_id, 0.0)) / q if q > 0 else 0.0
        out.append(dataclasses.replace(
            v, last_year_contacts=round(float(v.forecast_quantity) * ratio, 2)))
    return tuple(out)


def next_year_inputs(inputs: Inputs, results: Results) -> Inputs:
    """Next price year's inputs from this year's (see the module doc)."""
    year = int(inputs.parameters.year)
    params = dataclasses.replace(inputs.parameters, year=year + 1, previous_prices_year=year,
                                 outcome_year=year)
    return dataclasses.replace(
        inputs, parameters=params, previous_prices=previous_prices_of(results),
        outcomes=plan_outcomes(inputs, results),
        fund=results.cost.fund_result.closing_balances(),
        customer_volumes=rolled_customer_volumes(inputs, results))
