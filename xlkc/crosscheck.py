"""Cross-checks that protect the customer's bill, and the warnings beside them.

Errors (the run stops):

- parameters the engine cannot use: a price year outside 1583–9999, a rounding step of 0 or
  less, fewer than 1 year to spread a surplus over; an empty model (no services);
- **customer quantities = the forecast**: for every service priced per unit (per contact, per
  channel, per minute, per hour, the variable part of a subscription) the customers' forecast
  quantities in Kundvolymer sum to the forecast quantity in Kontakter, in the service's price
  unit (contacts; handled minutes; handled hours), per channel for a price per channel. Otherwise
  the customers would be charged more or less than the price list's revenue;
- **every customer with a forecast quantity gets a share of a fee**: a customer of a fee service
  (annual fee, subscription) with a forecast quantity must have a positive key value. A blank or
  zero Invånare (key *invånare*) or Anställda (key *anställda*) is an error naming the key and
  the cell to fill in.

  *Rule for a customer new this year* (SPEC §5, Fast årsavgift: "their share of contacts last
  year"): a customer with a forecast quantity for the service but no contacts last year has no
  share of last year's contacts. Its key value is then its forecast quantity for the price year,
  as if it had had last year the contacts it is expected to have this year; every other
  customer keeps last year's contacts. The fee is shared over the sum of these key values, so the
  new customer pays its expected share and the others' shares fall accordingly. The run lists a
  warning for each such customer (``xlkc.charges.fee_rows`` applies the rule).

Warnings (the run goes on; each listed with its location):

- an answer group row (Svarsgrupper) that no service uses (after matching ids
  case-insensitively: "SO-Jour" is "SO-jour" if that is the only such group), a price group with
  one service, a customer with no rows in Kundvolymer, a staff category no service uses;
- an hourly or weekday profile that does not sum to 100 % (it is rescaled);
- implausible values, against :data:`LIMITS`: a handle time over 120 minutes, a yearly volume over
  10 million contacts on one row;
- after the calculation (:func:`result_warnings`): a price change over ±25 % against last year, a
  price per contact over 10 000 kr, a rounding residual over 1 % of a service's full cost.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np
import pandas as pd

from xlkc.errors import Problem, warning
from xlkc.inputs import ROUNDING_FIELDS, FeeKey, Inputs, PriceModel
from xlkc.results import records

#: Documented limits of the warnings (code units: seconds, contacts, kronor, shares).
LIMITS = {
    "aht_s": 120 * 60,  # a handle time over 2 hours per contact
    "volume": 10_000_000,  # contacts per year on one row of Kontakter
    "price_change": 0.25,  # ±25 % against last year's price
    "unit_price_kr": 10_000.0,  # per contact (per unit) after rounding
    "residual_share": 0.01,  # rounding residual against the service's full cost
    "profile_sum": 0.005,  # a profile summing to 100 % ± 0,5 % is taken as it is
}
#: Years the calendar handles (Gregorian, four digits).
YEAR_RANGE = (1583, 9999)
#: Quantities are equal when they differ by at most this much (in the price unit).
QUANTITY_TOLERANCE = 0.5

_QUANTITY = {PriceModel.PER_CONTACT: "contacts", PriceModel.PER_CHANNEL: "contacts",
             PriceModel.SUBSCRIPTION: "contacts", PriceModel.PER_MINUTE: "minutes",
             PriceModel.PER_HOUR: "hours"}
_UNIT_WORD = {"contacts": "kontakter", "minutes": "minuter", "hours": "timmar"}
_WITH_FEE = {PriceModel.ANNUAL_FEE, PriceModel.SUBSCRIPTION}
_CUSTOMER_KEY = {FeeKey.INHABITANTS: ("inhabitants", "Invånare"),
                 FeeKey.EMPLOYEES: ("employees", "Anställda")}


def _num(x: float, decimals: int = 0) -> str:
    """A number as a Swedish reader writes it: 48 000; 0,5; −3."""
    text = f"{x:,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")
    return text.replace("-", "\u2212")


def _pct(x: float) -> str:
    return _num(100 * x, 1) + " %"


# --- errors -----------------------------------------------------------------------------------

def parameter_problems(inputs: Inputs) -> list[Problem]:
    p = inputs.parameters
    out = []
    lo, hi = YEAR_RANGE
    if isinstance(p.year, bool) or not (isinstance(p.year, int) and lo <= p.year <= hi):
        out.append(Problem(f"prisåret {p.year} ligger inte mellan {lo} och {hi}",
                           record="parameters", field="year"))
    for unit, (field, _) in ROUNDING_FIELDS.items():
        step = getattr(p, field)
        if not (isinstance(step, int | float) and math.isfinite(step) and step > 0):
            out.append(Problem(f"avrundningssteget måste vara större än 0 kr ({unit}: fick "
                               f"{_num(float(step), 2)} kr); skriv t.ex. 1 eller 0,10",
                               record="parameters", field=field))
    if not p.surplus_years >= 1:
        out.append(Problem(f"antal år att fördela över-/underskott på måste vara minst 1 (fick "
                           f"{p.surplus_years})", record="parameters", field="surplus_years"))
    if not inputs.services:
        out.append(Problem("modellen har inga tjänster: fyll i minst en rad i Tjänster",
                           record="services"))
    return out


def _forecast(inputs: Inputs) -> pd.DataFrame:
    rows = [(c.service_id, c.channel_id, c.used_volume, c.used_volume * c.used_aht_s / 60.0,
             c.used_volume * c.used_aht_s / 3600.0) for c in inputs.contacts]
    return pd.DataFrame(rows, columns=["service_id", "channel_id", "contacts", "minutes",
                                       "hours"])


def expected_quantities(inputs: Inputs) -> dict[tuple[str, str | None], float]:
    """What the customers' forecast quantities must sum to: per service (and channel, for a price
    per channel) the Kontakter forecast in the service's price unit; annual fees are absent."""
    fc = _forecast(inputs)
    out: dict[tuple[str, str | None], float] = {}
    for s in inputs.services:
        column = _QUANTITY.get(s.price_model)
        if column is None:
            continue
        mine = fc[fc["service_id"] == s.service_id]
        if s.price_model is PriceModel.PER_CHANNEL:
            for ch, v in mine.groupby("channel_id", sort=False)[column].sum().items():
                out[(s.service_id, ch)] = float(v)
        else:
            out[(s.service_id, None)] = float(mine[column].sum())
    return out


def quantity_problems(inputs: Inputs) -> list[Problem]:
    """Customer quantities per service (and channel) = the forecast in Kontakter."""
    out: list[Problem] = []
    services = {s.service_id: (i, s) for i, s in enumerate(inputs.services)}
    fc = _forecast(inputs)
    first_row: dict[tuple[str, str | None], int] = {}
    given: dict[tuple[str, str | None], float] = defaultdict(float)
    for i, v in enumerate(inputs.customer_volumes):
        s = services.get(v.service_id)
        if s is None:
            continue
        per_channel = s[1].price_model is PriceModel.PER_CHANNEL
        key = (v.service_id, v.channel_id if per_channel else None)
        first_row.setdefault(key, i)
        first_row.setdefault((v.service_id, "*"), i)
        given[key] += v.forecast_quantity
    # Each service's forecast rows and given channels, indexed once (not filtered per service).
    rows_of: dict[str, list[int]] = defaultdict(list)
    for i, sid in enumerate(fc["service_id"]):
        rows_of[sid].append(i)
    given_channels: dict[str, list[str]] = defaultdict(list)
    for x, c in given:
        if c is not None:
            given_channels[x].append(c)
    columns = {c: fc[c].to_numpy(dtype=np.float64) for c in _UNIT_WORD}
    fc_channel = fc["channel_id"].tolist()
    for sid, (si, s) in services.items():
        column = _QUANTITY.get(s.price_model)
        if column is None:  # annual fee: quantities do not enter the bill
            continue
        mine = rows_of.get(sid, [])
        values = columns[column]
        unit = _UNIT_WORD[column]
        if s.price_model is PriceModel.PER_CHANNEL:
            by_channel: dict[str, list[int]] = {}
            for i in mine:
                by_channel.setdefault(fc_channel[i], []).append(i)
            expected = {ch: float(values[idx].sum()) for ch, idx in by_channel.items()}
            # Kontakter's channels in their order, then channels only the customers name (a
            # list, not a set: the messages come in the same order in every run).
            channels = list(dict.fromkeys([*expected, *given_channels.get(sid, ())]))
            for ch in channels:
                if (sid, ch) not in given and (sid, None) in given:
                    continue  # reported below as a row without a channel
                _compare(out, s, si, expected.get(ch, 0.0), given.get((sid, ch), 0.0), unit,
                         first_row.get((sid, ch)), ch, bool(inputs.customer_volumes))
            if (sid, None) in given:
                out.append(Problem(
                    f"Tjänsten '{sid}' har pris per kanal, men kundvolymen saknar kanal; ange "
                    "kanalen på varje rad för tjänsten", record="customer_volumes",
                    index=first_row[(sid, None)], field="channel_id"))
        else:
            _compare(out, s, si, float(values[mine].sum()), given.get((sid, None), 0.0), unit,
                     first_row.get((sid, "*")), None, bool(inputs.customer_volumes))
    return out


def _compare(out: list[Problem], s, si: int, expected: float, got: float, unit: str,
             row: int | None, channel: str | None, has_customers: bool = True) -> None:
    """A mismatch is an error; a model with no customer volumes at all (no billing) warns."""
    if abs(expected - got) <= QUANTITY_TOLERANCE + 1e-9 * abs(expected):
        return
    what = f"'{s.service_id}'" + (f" i kanalen '{channel}'" if channel else "")
    if row is None:
        make = Problem if has_customers else warning
        out.append(make(
            f"Tjänsten {what} har en prognos på {_num(expected)} {unit} i Kontakter men inga "
            "kunder under Kundvolymer; ingen skulle debiteras. Lägg till kundernas volymer",
            record="services", index=si, field="service_id"))
        return
    out.append(Problem(
        f"Kundernas prognos för {what} är {_num(got)} {unit}, men Kontakter ger "
        f"{_num(expected)} {unit} (skillnad {_num(got - expected)}); kundvolymerna måste "
        "summera till prognosen, annars stämmer debiteringen inte med prislistan",
        record="customer_volumes", index=row, field="forecast_quantity"))


def fee_problems(inputs: Inputs) -> list[Problem]:
    """Every customer with a forecast quantity of a fee service gets a positive key value."""
    out: list[Problem] = []
    model = {s.service_id: s for s in inputs.services}
    customers = {c.customer_id: (i, c) for i, c in enumerate(inputs.customers)}
    seen: set[tuple[str, str, str]] = set()
    for v in inputs.customer_volumes:
        s = model.get(v.service_id)
        if s is None or s.price_model not in _WITH_FEE or s.fee_key is None:
            continue
        if not v.forecast_quantity > 0:
            continue
        if s.fee_key in _CUSTOMER_KEY and v.customer_id in customers:
            field, header = _CUSTOMER_KEY[s.fee_key]
            ci, c = customers[v.customer_id]
            value = getattr(c, field)
            if not (value is not None and value > 0) and (v.customer_id, field, "") not in seen:
                seen.add((v.customer_id, field, ""))
                out.append(Problem(
                    f"Kunden '{v.customer_id}' tar tjänsten '{v.service_id}' (prognos "
                    f"{_num(v.forecast_quantity)}) men {header} är "
                    f"{'tom' if value is None else _num(value)}; avgiften fördelas efter "
                    f"nyckeln '{s.fee_key.value}', så kunden skulle betala 0 kr. Fyll i "
                    f"{header} för kunden", record="customers", index=ci, field=field))
    return out


def new_customer_warnings(inputs: Inputs) -> list[Problem]:
    """The rule for a customer new this year, said where it applies."""
    out = []
    model = {s.service_id: s for s in inputs.services}
    for i, v in enumerate(inputs.customer_volumes):
        s = model.get(v.service_id)
        if (s is not None and s.price_model in _WITH_FEE
                and s.fee_key is FeeKey.LAST_YEAR_CONTACTS and v.last_year_contacts == 0
                and v.forecast_quantity > 0):
            out.append(warning(
                f"Kunden '{v.customer_id}' hade inga kontakter föregående år för "
                f"'{v.service_id}': som ny kund får den sin andel av avgiften efter årets "
                f"prognos ({_num(v.forecast_quantity)})", record="customer_volumes", index=i,
                field="last_year_contacts"))
    return out


# --- warnings about the inputs ----------------------------------------------------------------

def usage_warnings(inputs: Inputs) -> list[Problem]:
    out: list[Problem] = []
    by_id = {s.service_id: s.answer_group for s in inputs.services}
    used_pools = {(by_id[c.service_id], c.channel_id) for c in inputs.contacts
                  if c.service_id in by_id}
    groups = {s.answer_group for s in inputs.services}
    for i, g in enumerate(inputs.answer_groups):
        if (g.group_id, g.channel_id) in used_pools:
            continue
        hint = ""
        if g.group_id not in groups:
            near = [x for x in groups if x.casefold() == g.group_id.casefold()]
            hint = (f" (menar du '{near[0]}'?)" if near
                    else "; ingen tjänst har den svarsgruppen")
        else:
            hint = f"; ingen av gruppens tjänster har kanalen '{g.channel_id}'"
        out.append(warning(f"Svarsgruppen '{g.group_id}', kanal '{g.channel_id}' används inte av "
                           f"någon tjänst och påverkar inget{hint}", record="answer_groups",
                           index=i, field="group_id"))
    folded = {x.casefold() for x in groups}
    warned: set[str] = set()
    for i, v in enumerate(inputs.group_profiles):
        key = v.group_id.casefold()
        if key not in folded and key not in warned:
            warned.add(key)
            out.append(warning(f"Profilen för svarsgruppen '{v.group_id}' används inte: ingen "
                               "tjänst har den svarsgruppen", record="group_profiles", index=i,
                               field="group_id"))
    sizes = Counter(s.price_group for s in inputs.services if s.price_group)
    first = {}
    for i, s in enumerate(inputs.services):
        if s.price_group:
            first.setdefault(s.price_group, i)
    for g, n in sizes.items():
        if n == 1:
            out.append(warning(f"Prisgruppen '{g}' har bara en tjänst och gör ingen skillnad",
                               record="services", index=first[g], field="price_group"))
    with_volume = {v.customer_id for v in inputs.customer_volumes}
    for i, c in enumerate(inputs.customers):
        if c.customer_id not in with_volume:
            out.append(warning(f"Kunden '{c.customer_id}' har inga rader under Kundvolymer och "
                               "debiteras inget", record="customers", index=i,
                               field="customer_id"))
    used_staff = {s.staff_category for s in inputs.services}
    for i, c in enumerate(inputs.staff):
        if c.role.value == "produktion" and c.category_id not in used_staff:
            out.append(warning(f"Personalkategorin '{c.category_id}' används inte av någon "
                               "tjänst", record="staff", index=i, field="category_id"))
    return out


def profile_warnings(inputs: Inputs) -> list[Problem]:
    out = []
    prof = inputs.profile
    for field, values, what in (("hourly_shares", prof.hourly_shares, "Timprofilen"),
                                ("weekday_shares", prof.weekday_shares, "Veckodagsprofilen")):
        if not values:
            continue
        total = float(sum(values))
        if total > 0 and abs(total - 1.0) > LIMITS["profile_sum"]:
            out.append(warning(f"{what} summerar till {_pct(total)}, inte 100 %; andelarna "
                               "skalas om så att de summerar till 100 %", record="profile",
                               field=field))
    return out


def plausibility_warnings(inputs: Inputs) -> list[Problem]:
    out = []
    for i, c in enumerate(inputs.contacts):
        if c.aht_s > LIMITS["aht_s"]:
            out.append(warning(
                f"hanteringstiden {_num(c.aht_s / 60, 1)} min för '{c.service_id}' "
                f"({c.channel_id}) är orimligt lång (över {_num(LIMITS['aht_s'] / 60)} min per "
                "kontakt); kontrollera att volymen inte hamnat i fel kolumn",
                record="contacts", index=i, field="aht_s"))
        if c.volume > LIMITS["volume"]:
            out.append(warning(
                f"volymen {_num(c.volume)} för '{c.service_id}' ({c.channel_id}) är orimligt "
                f"stor (över {_num(LIMITS['volume'])} kontakter per år)", record="contacts",
                index=i, field="volume"))
    return out


def input_problems(inputs: Inputs) -> list[Problem]:
    """The cross-checks (errors) and input warnings of this module."""
    return (parameter_problems(inputs) + quantity_problems(inputs) + fee_problems(inputs)
            + new_customer_warnings(inputs) + usage_warnings(inputs) + profile_warnings(inputs)
            + plausibility_warnings(inputs))


# --- warnings about the results ---------------------------------------------------------------

def result_warnings(inputs: Inputs, results) -> list[Problem]:
    out = []
    index = {s.service_id: i for i, s in enumerate(inputs.services)}
    prices = results.price.prices
    for r in records(prices):
        where = {"record": "services", "index": index.get(r.service_id), "field": "price_model"}
        what = f"'{r.service_id}'" + (f" ({r.channel_id})" if isinstance(r.channel_id, str)
                                      and r.channel_id else "")
        change = r.change_pct
        if isinstance(change, float) and math.isfinite(change) \
                and abs(change) > LIMITS["price_change"]:
            out.append(warning(f"priset för {what} ändras {_pct(change)} mot föregående år "
                               f"(mer än ±{_pct(LIMITS['price_change'])}); kontrollera indata",
                               **where))
        price = r.price_kr
        if (r.price_model != PriceModel.ANNUAL_FEE.value and isinstance(price, float)
                and math.isfinite(price) and price > LIMITS["unit_price_kr"]):
            out.append(warning(f"priset för {what} är {_num(price)} kr per enhet, orimligt högt "
                               f"(över {_num(LIMITS['unit_price_kr'])} kr)", **where))
    cost = results.cost.services.set_index("service_id")["full_cost_kr"]
    residual = prices.groupby("service_id")["residual_kr"].sum()
    for sid, res in residual.items():
        full = float(cost.get(sid, np.nan))
        if math.isfinite(full) and full > 0 and abs(res) > LIMITS["residual_share"] * full:
            out.append(warning(
                f"avrundningsdifferensen för '{sid}' är {_num(res)} kr, {_pct(abs(res) / full)} "
                f"av självkostnaden (mer än {_pct(LIMITS['residual_share'])}); välj ett mindre "
                "avrundningssteg", record="services", index=index.get(sid),
                field="price_model"))
    return out


def failing_services(inputs: Inputs, results) -> list[str]:
    """Services whose customer charges differ from their revenue at forecast quantities."""
    from xlkc.pipeline import TOLERANCE_KR, revenue_per_line

    prices = results.price.prices
    revenue = revenue_per_line(prices).groupby(prices["service_id"]).sum()
    charged = results.price.charges.groupby("service_id")["charge_kr"].sum()
    diff = charged.reindex(revenue.index, fill_value=0.0) - revenue
    return [f"{sid} (debitering − intäkt {_num(float(d), 2)} kr)" for sid, d in diff.items()
            if abs(d) > TOLERANCE_KR]


def failed_checks(results) -> list[str]:
    """The reconciliation checks that are FEL, each with its difference, in Swedish."""
    c = results.checks
    bad = c[~c["ok"].astype(bool)]
    return [f"{r.check}: differens {_num(float(r.difference_kr), 2)}"
            for r in bad.itertuples(index=False)]
