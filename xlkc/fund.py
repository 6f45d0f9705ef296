"""The result fund (Resultatfond): every year's surplus or deficit returned exactly once.

Self-cost holds over time (SPEC §1, §4): what a year's prices over- or under-charged is handed
back, or charged, through later prices. The fund remembers it per service (or price group) and
year of origin:

- **A new result.** The outcome of year Y (Utfall, stamped Y = Prisår − 1) enters the fund as
  ``result = revenue − cost − carry-forward`` per service: the carry-forward that year's prices
  already held was drawn from the fund then, so it is not counted again. Services of a price
  group pool their results in one row keyed by the group (their prices were pooled too). The new
  row starts with ``years_left = n`` (Parametrar: År att fördela över-/underskott på).
- **The instalment.** In every price year each row returns ``balance / years_left``, rounded to
  the öre (half away from zero); with one year left, the whole balance. So a result is returned
  over exactly n price years, the first the year it enters, and the instalments add up to the
  result to the öre (the rounding only moves öre between the years). SPEC §4: adjusted cost =
  full cost − surplus / n.
- **Where it goes.** A row keyed by a service goes to that service; by a price group, to the
  group's services in proportion to their full cost. A service that has **ended** (no longer in
  Tjänster): its instalments go to the remaining services of its unit (the row's Enhet) by full
  cost, or, when the unit has none left, to all services by full cost. A **new** service has no
  row and gets nothing from other services' results, except through such a unit share.
- **Carry-forward** of a service = − its instalments (a surplus returned lowers the price basis,
  a deficit charged raises it): price basis = full cost + carry-forward.
- **Closing balance** = opening + new result − instalment per row; ``years_left`` falls by one.
  The reconciliation checks Σ opening + Σ new − Σ returned = Σ closing, and that the services'
  carry-forward equals − Σ returned.

Amounts are kept in whole öre internally (integers), so "exactly once" is exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from xlkc.errors import Problem, warning
from xlkc.inputs import FundBalance, Inputs, OutcomeSource, Service

#: Where an instalment goes (Swedish, shown in Fondavräkning).
TO_SERVICE = "tjänsten"
TO_GROUP = "prisgruppens tjänster efter självkostnad"
TO_UNIT = "enhetens tjänster efter självkostnad (tjänsten har upphört)"
TO_ALL = "alla tjänster efter självkostnad (tjänsten och enheten har upphört)"


def to_ore(kr: float) -> int:
    """Kronor to whole öre, half away from zero (as Excel's AVRUNDA)."""
    x = round(float(kr) * 100.0, 6)  # drop binary noise such as 28.499999999
    n = int(abs(x) + 0.5)
    return n if x >= 0 else -n


def instalment_ore(balance_ore: int, years_left: int) -> int:
    """This price year's share of a balance: balance / years left, to the öre (half away from
    zero); the whole balance in the last year, nothing once no year is left."""
    if years_left <= 0:
        return 0
    if years_left == 1:
        return balance_ore
    q, r = divmod(abs(balance_ore), years_left)
    if 2 * r >= years_left:
        q += 1
    return q if balance_ore >= 0 else -q


@dataclass(frozen=True)
class FundMovement:
    """One fund row in this price year."""

    key: str
    unit: str | None
    origin_year: int
    result_kr: float
    opening_kr: float  # 0 for a result entering this year
    new_kr: float  # the result entering this year, else 0
    returned_kr: float  # this year's instalment
    closing_kr: float
    years_left: int  # after this year
    returned_to: str


@dataclass(frozen=True)
class FundResult:
    movements: tuple[FundMovement, ...]
    carry_forward_kr: dict[str, float]  # per service: − its instalments

    @property
    def opening_kr(self) -> float:
        return sum(m.opening_kr for m in self.movements)

    @property
    def new_kr(self) -> float:
        return sum(m.new_kr for m in self.movements)

    @property
    def returned_kr(self) -> float:
        return sum(m.returned_kr for m in self.movements)

    @property
    def closing_kr(self) -> float:
        return sum(m.closing_kr for m in self.movements)

    def closing_balances(self) -> tuple[FundBalance, ...]:
        """Next year's opening fund: rows with a balance left, and every row of the newest
        year of origin (the memory that its outcome has been carried)."""
        newest = max((m.origin_year for m in self.movements), default=None)
        return tuple(FundBalance(m.key, m.origin_year, m.result_kr, m.closing_kr, m.years_left,
                                 m.unit)
                     for m in self.movements
                     if to_ore(m.closing_kr) != 0 or m.origin_year == newest)


def outcome_year(inputs: Inputs) -> int:
    """The year the Utfall belongs to (its stamp, else the year before the price year)."""
    p = inputs.parameters
    return p.outcome_year if p.outcome_year is not None else p.year - 1


def fund_key(service: Service) -> str:
    """The fund row a service's result goes to: its price group, else itself."""
    return service.price_group or service.service_id


def new_results(inputs: Inputs) -> tuple[FundBalance, ...]:
    """This year's new fund rows from the Utfall: per service or price group, the result
    revenue − cost − carry-forward, to be returned over n years from this price year."""
    services = {s.service_id: s for s in inputs.services}
    year = outcome_year(inputs)
    n = max(int(inputs.parameters.surplus_years), 1)
    totals: dict[str, int] = {}
    units: dict[str, str | None] = {}
    for o in inputs.outcomes:
        s = services.get(o.service_id)
        key = fund_key(s) if s is not None else o.service_id
        result = o.revenue_kr - o.cost_kr - (o.carry_forward_kr or 0.0)
        totals[key] = totals.get(key, 0) + to_ore(result)
        units.setdefault(key, s.unit if s is not None else None)
    return tuple(FundBalance(key, year, ore / 100, ore / 100, n, units[key])
                 for key, ore in totals.items())


def _shares(ids: Sequence[str], full_cost: Mapping[str, float]) -> dict[str, float]:
    """Shares of ``ids`` by full cost (equal shares when none has a positive cost)."""
    costs = {i: max(float(full_cost.get(i, 0.0)), 0.0) for i in ids}
    total = sum(costs.values())
    if total > 0:
        return {i: c / total for i, c in costs.items()}
    return {i: 1.0 / len(ids) for i in ids}


class _Receivers:
    """The services by id, price group and unit, indexed once (a row looks its receivers up
    instead of scanning every service: rows × services at scale, issue 15)."""

    def __init__(self, services: Sequence[Service]) -> None:
        self.ids = [s.service_id for s in services]
        self.id_set = set(self.ids)
        self.by_group: dict[str, list[str]] = {}
        self.by_unit: dict[str, list[str]] = {}
        for s in services:
            if s.price_group is not None:
                self.by_group.setdefault(s.price_group, []).append(s.service_id)
            if s.unit is not None:
                self.by_unit.setdefault(s.unit, []).append(s.service_id)

    def to(self, row: FundBalance) -> tuple[str | tuple[str, ...], str]:
        """Where a row's instalment goes: one service id, or the ids sharing it by full cost
        (none: empty); and the rule (Swedish)."""
        if row.key in self.id_set:
            return row.key, TO_SERVICE
        group = self.by_group.get(row.key)
        if group:
            return tuple(group), TO_GROUP
        unit = self.by_unit.get(row.unit) if row.unit is not None else None
        if unit:
            return tuple(unit), TO_UNIT
        return tuple(self.ids), TO_ALL

    def of(self, row: FundBalance, full_cost: Mapping[str, float]
           ) -> tuple[dict[str, float], str]:
        to, rule = self.to(row)
        if isinstance(to, str):
            return {to: 1.0}, rule
        return (_shares(to, full_cost) if to else {}), rule


def receivers(row: FundBalance, services: Sequence[Service],
              full_cost: Mapping[str, float]) -> tuple[dict[str, float], str]:
    """The services a row's instalment goes to, with their shares, and the rule (Swedish)."""
    return _Receivers(services).of(row, full_cost)


@dataclass(frozen=True)
class FundPlan:
    """A price year's fund movements, which do not depend on the costs, and where each row's
    instalment goes: found once, the carry-forward then per full cost (:func:`carry_forward`;
    the SLA prices rerun the costs per level, issue 15)."""

    movements: tuple[FundMovement, ...]
    service_ids: tuple[str, ...]
    #: Per row: its instalment in öre and its receivers, a service id (the whole instalment)
    #: or the ids sharing it by full cost (empty: nobody).
    instalments: tuple[tuple[int, str | tuple[str, ...]], ...]


def fund_plan(opening: Iterable[FundBalance], new: Iterable[FundBalance],
              services: Sequence[Service]) -> FundPlan:
    """The movements of every fund row and each row's receivers (see :class:`FundPlan`)."""
    movements = []
    instalments: list[tuple[int, str | tuple[str, ...]]] = []
    rows = [(r, False) for r in opening] + [(r, True) for r in new]
    index = _Receivers(services)
    for row, is_new in rows:
        balance = to_ore(row.balance_kr)
        paid = instalment_ore(balance, int(row.years_left))
        to, rule = index.to(row)
        instalments.append((paid, to))
        movements.append(FundMovement(
            key=row.key, unit=row.unit, origin_year=int(row.origin_year),
            result_kr=to_ore(row.result_kr) / 100,
            opening_kr=0.0 if is_new else balance / 100,
            new_kr=balance / 100 if is_new else 0.0,
            returned_kr=paid / 100, closing_kr=(balance - paid) / 100,
            years_left=max(int(row.years_left) - 1, 0), returned_to=rule))
    return FundPlan(tuple(movements), tuple(s.service_id for s in services), tuple(instalments))


def carry_forward(plan: FundPlan, full_cost: Mapping[str, float]) -> dict[str, float]:
    """The carry-forward per service of a :class:`FundPlan` at these full costs."""
    carry = dict.fromkeys(plan.service_ids, 0.0)
    for paid, to in plan.instalments:
        if isinstance(to, str):
            carry[to] -= paid / 100 * 1.0
        elif to:
            for sid, share in _shares(to, full_cost).items():
                carry[sid] -= paid / 100 * share
    return carry


def fund_movements(opening: Iterable[FundBalance], new: Iterable[FundBalance],
                   services: Sequence[Service], full_cost: Mapping[str, float]) -> FundResult:
    """This price year's movements of every fund row and the carry-forward per service."""
    plan = fund_plan(opening, new, services)
    return FundResult(plan.movements, carry_forward(plan, full_cost))


def plan_of(inputs: Inputs) -> FundPlan:
    """The :class:`FundPlan` of a price year: Resultatfond's opening rows plus the Utfall's."""
    return fund_plan(inputs.fund, new_results(inputs), inputs.services)


def compute_fund(inputs: Inputs, full_cost: Mapping[str, float],
                 plan: FundPlan | None = None) -> FundResult:
    """The fund of a price year: the opening rows of Resultatfond plus the Utfall's results.

    ``plan``: ``plan_of(inputs)`` when the caller already has it."""
    if plan is None:
        plan = plan_of(inputs)
    return FundResult(plan.movements, carry_forward(plan, full_cost))


# --- validation ----------------------------------------------------------------------------------

def validate_fund(inputs: Inputs) -> list[Problem]:
    """Year stamps and fund rows; each problem names its item in Swedish."""
    problems: list[Problem] = []
    p = inputs.parameters
    price_year = int(p.year)
    if inputs.previous_prices and p.previous_prices_year is not None \
            and p.previous_prices_year != price_year - 1:
        problems.append(Problem(
            f"Föregående prislista gäller {p.previous_prices_year} men prisåret är {price_year}: "
            f"den ska vara den beslutade prislistan för {price_year - 1}. Klistra in den och "
            "ange dess år", record="parameters", field="previous_prices_year"))
    if inputs.outcomes and p.outcome_year is not None and p.outcome_year != price_year - 1:
        problems.append(Problem(
            f"Utfallet gäller {p.outcome_year} men prisåret {price_year} ska bära resultatet för "
            f"{price_year - 1}: skriv in utfallet för {price_year - 1} och ange dess år (ett "
            "äldre års resultat har redan förts in i en tidigare prislista)",
            record="parameters", field="outcome_year"))
    year = outcome_year(inputs)
    seen: set[tuple[str, int]] = set()
    carried = []
    for i, row in enumerate(inputs.fund):
        def add(msg: str, field: str, i: int = i) -> None:
            problems.append(Problem(msg, record="fund", index=i, field=field))

        what = f"Resultatfondens rad för '{row.key}' med ursprungsår {row.origin_year}"
        if (row.key.casefold(), row.origin_year) in seen:
            add(f"{what} förekommer mer än en gång", "key")
        seen.add((row.key.casefold(), row.origin_year))
        if row.origin_year >= price_year:
            add(f"{what}: ursprungsåret måste vara före prisåret {price_year}", "origin_year")
        if row.years_left < 0:
            add(f"{what}: återstående år får inte vara negativt", "years_left")
        elif row.years_left == 0 and to_ore(row.balance_kr) != 0:
            add(f"{what} har ett saldo kvar men inga år kvar att återföra det på; ange "
                "återstående år (minst 1)", "years_left")
        if inputs.outcomes and row.origin_year >= year:
            carried.append(row)
    if carried:
        first = carried[0]
        problems.append(Problem(
            f"Utfallet för {year} har redan förts in i Resultatfonden (t.ex. '{first.key}' med "
            f"ursprungsår {first.origin_year}) och återförs redan genom tidigare priser; skriv "
            f"in utfallet för {price_year - 1}, inte ett år som redan är fört",
            record="parameters", field="outcome_year"))
    plan = [i for i, o in enumerate(inputs.outcomes) if o.source is OutcomeSource.PLAN]
    if plan:
        n = len(plan)
        problems.append(warning(
            f"Utfallet för {n} {'tjänst' if n == 1 else 'tjänster'} är planens siffror "
            "(Källa = plan): skriv in bokslutets intäkt och kostnad innan priserna beslutas",
            record="outcomes", index=plan[0], field="source"))
    return problems
