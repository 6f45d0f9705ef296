"""Typed inputs of the price model.

Everything the engine needs, as frozen dataclasses. Closed lists are ``StrEnum``s whose values are
the Swedish words a controller sees in the workbook's drop-down lists; code uses the English names.
Units are in the field names: ``_s`` seconds, ``_h`` hours, ``_kr`` kronor, shares are fractions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class ChannelKind(StrEnum):
    REAL_TIME = "realtid"
    DEFERRED = "uppskjuten"


class StaffingMethod(StrEnum):
    ERLANG_C = "Erlang C"
    ERLANG_A = "Erlang A"
    WORKLOAD = "Arbetsbelastning"


class Source(StrEnum):
    MEASURED = "statistik"
    VALUATION = "värdering"
    TARGET = "målvärde"


class ServiceType(StrEnum):
    BASE = "bas"
    ADD_ON = "tillägg"


class PriceModel(StrEnum):
    PER_CONTACT = "Styckpris per kontakt"
    PER_CHANNEL = "Styckpris per kanal"
    PER_MINUTE = "Minutpris"
    PER_HOUR = "Timpris"
    ANNUAL_FEE = "Fast årsavgift"
    SUBSCRIPTION = "Abonnemang + rörligt"


#: The unit each price model's price is quoted in.
PRICE_UNITS: dict[PriceModel, str] = {
    PriceModel.PER_CONTACT: "kr/kontakt",
    PriceModel.PER_CHANNEL: "kr/kontakt",
    PriceModel.PER_MINUTE: "kr/minut",
    PriceModel.PER_HOUR: "kr/timme",
    PriceModel.ANNUAL_FEE: "kr/år",
    PriceModel.SUBSCRIPTION: "kr/kontakt + kr/år",
}


class FeeKey(StrEnum):
    """How a fixed annual fee is shared among customers."""

    LAST_YEAR_CONTACTS = "kontakter föregående år"
    INHABITANTS = "invånare"
    EMPLOYEES = "anställda"
    EQUAL = "lika delar"


class AllocationKey(StrEnum):
    """The driver by which an overhead pool is shared."""

    FTE = "årsarbetare"
    CONTACTS = "antal kontakter"
    WORKLOAD = "hanteringstid"
    SEATS = "platser"
    AREA = "kvm"
    DIRECT = "direkt"
    INVOICED = "fakturerat belopp"
    EQUAL = "lika delar"


class PoolLevel(StrEnum):
    UNIT = "enhet"
    DEPARTMENT = "avdelning"
    ADMINISTRATION = "förvaltning"


class AllocationMethod(StrEnum):
    DIRECT = "direkt"
    STEP_DOWN = "stegvis"
    RECIPROCAL = "reciprok"


class CostKind(StrEnum):
    DIRECT = "direkt"  # an amount named to one service
    PER_SEAT = "per plats"  # kr per seat and year; seats = FTE x seat ratio
    PER_MINUTE = "per minut"  # kr per handled minute (of one channel, or all)


class ProfilePart(StrEnum):
    """Which part of an answer group's own profile a value belongs to."""

    MONTH = "månad"
    WEEKDAY = "veckodag"
    INTERVAL = "intervall"


class PriceListStatus(StrEnum):
    """Where the price list is in its way to the service board (Prislista för beslut)."""

    PROPOSAL = "Förslag"
    DECIDED = "Beslutad"


class RoundingDirection(StrEnum):
    NEAREST = "närmaste"
    UP = "uppåt"


class StaffRole(StrEnum):
    AGENT = "produktion"  # answers contacts: its cost follows the services' FTE
    OVERHEAD = "overhead"  # leads or supports: its cost goes into an overhead pool


#: Price unit -> the Parameters fields of its rounding step and direction.
ROUNDING_FIELDS: dict[str, tuple[str, str]] = {
    "kr/kontakt": ("rounding_step_kr", "rounding_direction"),
    "kr/minut": ("rounding_step_minute_kr", "rounding_direction_minute"),
    "kr/timme": ("rounding_step_hour_kr", "rounding_direction_hour"),
    "kr/år": ("rounding_step_fee_kr", "rounding_direction_fee"),
}
#: The unit whose rounding a price model's per-unit price follows (a fee follows kr/år).
ROUNDING_UNIT: dict[PriceModel, str] = {
    PriceModel.PER_CONTACT: "kr/kontakt",
    PriceModel.PER_CHANNEL: "kr/kontakt",
    PriceModel.PER_MINUTE: "kr/minut",
    PriceModel.PER_HOUR: "kr/timme",
    PriceModel.ANNUAL_FEE: "kr/år",
    PriceModel.SUBSCRIPTION: "kr/kontakt",
}


@dataclass(frozen=True)
class SlaLevel:
    """A service level to price a real-time service at (SLA-pris, Ny tjänst)."""

    service_level: float  # share answered within the answer time, e.g. 0.8
    answer_time_s: float


@dataclass(frozen=True)
class Parameters:
    year: int = 2027
    # productive hours per FTE
    working_days: float = 251
    hours_per_day: float = 8.0
    vacation_days: float = 28
    sick_leave: float = 0.065
    training: float = 0.06
    other_absence: float = 0.03
    total_shrinkage: float | None = None  # replaces the three parts when given
    # staffing defaults (a channel or answer group may override them)
    max_occupancy: float = 0.85
    max_utilisation: float = 0.90  # deferred channels
    opening_hour: int = 8
    closing_hour: int = 17
    # cost
    payroll_overhead_rate: float = 0.46  # PO-pålägg
    salary_revision: float = 0.03  # from the salaries' base year to the price year
    seat_ratio: float = 1.0  # seats per FTE
    area_per_seat_m2: float = 9.0
    city_charge_rate: float = 0.012  # on total cost
    allocation_method: AllocationMethod = AllocationMethod.STEP_DOWN
    # price: rounding per price unit (kr/kontakt, kr/minut, kr/timme, kr/år)
    rounding_step_kr: float = 1.0  # kr/kontakt (and a subscription's price per contact)
    rounding_direction: RoundingDirection = RoundingDirection.NEAREST
    rounding_step_minute_kr: float = 0.10  # kr/minut
    rounding_direction_minute: RoundingDirection = RoundingDirection.NEAREST
    rounding_step_hour_kr: float = 1.0  # kr/timme
    rounding_direction_hour: RoundingDirection = RoundingDirection.NEAREST
    rounding_step_fee_kr: float = 1.0  # kr/år: annual fees and a subscription's fee
    rounding_direction_fee: RoundingDirection = RoundingDirection.NEAREST
    surplus_years: int = 1  # spread last year's surplus/deficit over this many years
    # the price list's way to the board (shown on Prislista för beslut and its PDF)
    price_list_status: PriceListStatus = PriceListStatus.PROPOSAL
    decision_date: dt.datetime | None = None
    case_number: str | None = None  # ärendenummer
    # year stamps (the yearly cycle): the year Föregående prislista and Utfall belong to;
    # None: not stamped (taken as the year before the price year)
    previous_prices_year: int | None = None
    outcome_year: int | None = None
    sla_levels: tuple[SlaLevel, ...] = (
        SlaLevel(0.80, 30.0),
        SlaLevel(0.80, 60.0),
        SlaLevel(0.80, 180.0),
    )

    def rounding(self, unit: str) -> tuple[float, str]:
        """(step, direction) prices in ``unit`` (kr/kontakt, kr/minut, kr/timme, kr/år) are
        rounded by."""
        step_field, direction_field = ROUNDING_FIELDS[unit]
        return getattr(self, step_field), str(getattr(self, direction_field).value)


@dataclass(frozen=True)
class Channel:
    """A contact channel (Kanaler). Real-time channels are staffed per interval."""

    channel_id: str  # telefon, chatt, e-post, e-tjänst, brev, uppdrag, inlägg
    kind: ChannelKind
    service_level: float | None = None  # real-time: e.g. 0.8
    answer_time_s: float | None = None  # real-time: e.g. 60
    max_occupancy: float | None = None  # None: Parameters.max_occupancy
    concurrency_factor: float = 1.0  # chat: effective AHT = AHT / f
    patience_s: float | None = None  # given: Erlang A
    asa_target_s: float | None = None
    max_utilisation: float | None = None  # deferred; None: Parameters.max_utilisation


@dataclass(frozen=True)
class AnswerGroup:
    """An answer group's staffing of one channel (Svarsgrupper): a pool of agents.

    Services name their answer group; the pool is (answer group, channel). A row here overrides the
    channel's defaults for that pool; pools without a row use the channel's defaults.
    """

    group_id: str
    channel_id: str
    method: StaffingMethod | None = None  # None: Erlang A if a patience is known, else Erlang C
    service_level: float | None = None
    answer_time_s: float | None = None
    max_occupancy: float | None = None
    patience_s: float | None = None
    asa_target_s: float | None = None


@dataclass(frozen=True)
class Unit:
    """An organisational unit of the contact centre (Enheter); services belong to one."""

    unit_id: str  # the unit's name, e.g. "Samhällsbyggnadsenheten"
    description: str = ""


@dataclass(frozen=True)
class Service:
    """A service of the catalogue (Tjänster)."""

    service_id: str
    name: str
    unit: str  # enhet
    service_type: ServiceType
    answer_group: str
    staff_category: str  # the StaffCategory whose salary its FTE cost
    price_model: PriceModel
    fee_key: FeeKey | None = None  # annual fee / subscription
    price_group: str | None = None  # services of one group share one price
    fixed_share: float | None = None  # subscription: share of the cost in the fixed fee
    description: str = ""

    @property
    def price_unit(self) -> str:
        return PRICE_UNITS[self.price_model]


@dataclass(frozen=True)
class ContactVolume:
    """Contacts of one service in one channel (Kontakter), with the source of each figure.

    A target value (målvärde) overrides the measured one in the calculation; both stay visible.
    """

    service_id: str
    channel_id: str
    volume: float  # contacts per year
    aht_s: float  # handle time per contact
    volume_source: Source = Source.MEASURED
    aht_source: Source = Source.MEASURED
    target_volume: float | None = None
    target_aht_s: float | None = None
    # The values a statistics import replaced (shown beside the new ones; not calculated with).
    replaced_volume: float | None = None
    replaced_aht_s: float | None = None

    @property
    def used_volume(self) -> float:
        return self.volume if self.target_volume is None else self.target_volume

    @property
    def used_aht_s(self) -> float:
        return self.aht_s if self.target_aht_s is None else self.target_aht_s

    @property
    def used_volume_source(self) -> Source:
        return self.volume_source if self.target_volume is None else Source.TARGET

    @property
    def used_aht_source(self) -> Source:
        return self.aht_source if self.target_aht_s is None else Source.TARGET


@dataclass(frozen=True)
class Profile:
    """How a yearly volume spreads over the opening hours (Profil)."""

    month_factors: tuple[float, ...]  # 12, relative daily intensity Jan..Dec
    # one per interval of the opening hours (per hour when interval_minutes = 60), share of a
    # day's contacts
    hourly_shares: tuple[float, ...]
    weekday_shares: tuple[float, ...] | None = None  # Mon..Fri, relative; None: equal
    interval_minutes: int = 60  # 15, 30 or 60: the length of the intervals staffed


@dataclass(frozen=True)
class GroupProfileValue:
    """One value of an answer group's own profile (Profil per svarsgrupp).

    A group with values of a part (months, weekdays, intervals) is staffed by them; the parts it
    has no values for come from the shared profile. ``period`` is a month name (januari …), a
    weekday name (måndag … fredag) or an interval's start time "HH:MM"; the interval values of
    a group set its interval length (15, 30 or 60 minutes) by their spacing.
    """

    group_id: str
    part: ProfilePart
    period: str
    value: float
    source: Source = Source.MEASURED


@dataclass(frozen=True)
class StaffCategory:
    """A staff category (Personal): agents whose cost follows FTE, or overhead staff."""

    category_id: str
    monthly_salary_kr: float  # base year
    role: StaffRole
    pool_id: str | None = None  # overhead: the pool its cost goes into
    headcount: float | None = None  # overhead: fixed number of FTE
    span: float | None = None  # overhead: one per this many agent FTE (team leaders)
    unit: str | None = None  # span counts the agents of this unit only; None: all


@dataclass(frozen=True)
class Cost:
    """A cost that is not salary (Kostnader)."""

    cost_id: str
    description: str
    kind: CostKind
    amount_kr: float  # direct: kr/year; per seat: kr per seat and year; per minute: kr/minute
    service_id: str | None = None  # direct: required; per seat/minute: None means all services
    channel_id: str | None = None  # per minute: the channel whose minutes count; None: all


@dataclass(frozen=True)
class OverheadPool:
    """An overhead pool (Overhead): an amount plus the cost of staff assigned to it."""

    pool_id: str
    name: str
    level: PoolLevel
    amount_kr: float  # besides the salaries of StaffCategory rows pointing here
    key: AllocationKey
    unit: str | None = None  # unit level: shared among this unit's services only
    receivers: tuple[str, ...] = ()  # key DIRECT: the services that receive it
    order: int = 0  # step-down order (lower first)


@dataclass(frozen=True)
class Customer:
    customer_id: str
    name: str
    inhabitants: float | None = None
    employees: float | None = None
    # Doing the work itself (kundjämförelse): its own salary, absence and overhead; given a
    # salary, the customer's volume is staffed alone at these and compared with its charge.
    own_monthly_salary_kr: float | None = None
    own_total_shrinkage: float | None = None  # None: the model's shrinkage parts
    own_overhead_rate: float | None = None  # on the personnel cost; None: 0


@dataclass(frozen=True)
class CustomerVolume:
    """What one customer takes of one service (Kundvolymer)."""

    customer_id: str
    service_id: str
    forecast_quantity: float  # in the service's price unit (contacts, minutes, hours)
    last_year_contacts: float = 0.0  # key for annual fees
    channel_id: str | None = None  # price per channel: the channel; else None


@dataclass(frozen=True)
class PreviousPrice:
    """Last year's decided price (Föregående prislista)."""

    service_id: str
    price_kr: float  # per price unit; annual fee: the whole fee
    channel_id: str | None = None
    annual_fee_kr: float | None = None  # subscription: last year's fixed fee
    # Price bridge (Prisbrygga): last year's price model (None: the same as this year's) and
    # last year's exact (unrounded) price, as last year's Prislista showed it (None: unknown,
    # taken to equal the price, i.e. no rounding last year).
    price_model: PriceModel | None = None
    exact_price_kr: float | None = None
    price_group: str | None = None  # last year's price group (None: in no group)


@dataclass(frozen=True)
class Outcome:
    """Last year's outcome per service (Utfall).

    Revenue and cost give last year's surplus or deficit. The rest, where given, lets the price
    bridge explain this year's change of full cost (volume, handle time, staffing, salary/PO,
    overhead, other).
    """

    service_id: str
    revenue_kr: float
    cost_kr: float  # full cost, overhead included
    volume: float = 0.0  # contacts
    workload_h: float | None = None  # handled workload (volume x handle time)
    fte: float | None = None
    personnel_cost_kr: float | None = None
    overhead_kr: float | None = None  # overhead and city charge included in cost_kr
    # The carry-forward that year's prices already held (+ charged for an earlier deficit,
    # − returned of an earlier surplus): the fund takes revenue − cost − this as the year's
    # new result, so what was returned is not counted again. None: 0.
    carry_forward_kr: float | None = None
    source: OutcomeSource | None = None  # plan: pre-filled from the plan (Nytt prisår)

    @property
    def surplus_kr(self) -> float:
        return self.revenue_kr - self.cost_kr


class OutcomeSource(StrEnum):
    """Where an Utfall row comes from: the books, or the plan (pre-filled by Nytt prisår)."""

    BOOKS = "bokslut"
    PLAN = "plan"


@dataclass(frozen=True)
class FundBalance:
    """One row of the result fund (Resultatfond): what remains of one year's result.

    ``key`` is a service id, or a price group when the year's result was pooled by price group.
    ``balance_kr`` is still to be returned (+ owed to the customers, − owed by them) over
    ``years_left`` price years, this one included (see :mod:`xlkc.fund`).
    """

    key: str
    origin_year: int
    result_kr: float  # the year's result as it entered the fund
    balance_kr: float  # opening balance: what remains to return
    years_left: int  # price years left to return it over, this one included
    unit: str | None = None  # where the balance goes once its service has ended


@dataclass(frozen=True)
class QueueRow:
    """A queue of the phone or case system mapped to a service and channel (Köer).

    A queue may feed several services by share; a queue's shares sum to 1.
    """

    queue: str
    service_id: str
    channel_id: str
    share: float = 1.0


@dataclass(frozen=True)
class Inputs:
    parameters: Parameters
    channels: tuple[Channel, ...]
    answer_groups: tuple[AnswerGroup, ...]
    services: tuple[Service, ...]
    contacts: tuple[ContactVolume, ...]
    profile: Profile
    staff: tuple[StaffCategory, ...] = ()
    costs: tuple[Cost, ...] = ()
    pools: tuple[OverheadPool, ...] = ()
    customers: tuple[Customer, ...] = ()
    customer_volumes: tuple[CustomerVolume, ...] = ()
    previous_prices: tuple[PreviousPrice, ...] = ()
    outcomes: tuple[Outcome, ...] = field(default=())
    units: tuple[Unit, ...] = ()  # empty: units are not checked against a list
    group_profiles: tuple[GroupProfileValue, ...] = ()  # answer groups' own profiles
    queues: tuple[QueueRow, ...] = ()  # statistics queues mapped to services (Köer)
    fund: tuple[FundBalance, ...] = ()  # Resultatfond: the opening balances
