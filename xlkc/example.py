"""The synthetic example of SPEC §7: every figure is invented but plausible."""

from __future__ import annotations

from xlkc.inputs import (
    AllocationKey,
    AnswerGroup,
    Channel,
    ChannelKind,
    ContactVolume,
    Cost,
    CostKind,
    Customer,
    CustomerVolume,
    FeeKey,
    FundBalance,
    Inputs,
    Outcome,
    OverheadPool,
    Parameters,
    PoolLevel,
    PreviousPrice,
    PriceModel,
    Profile,
    QueueRow,
    Service,
    ServiceType,
    Source,
    StaffCategory,
    StaffRole,
    Unit,
)

SB, SO, SK, WK = (
    "Samhällsbyggnadsenheten",
    "Sociala enheten",
    "Skolenheten",
    "Webb och kommunikation",
)

UNITS = (
    Unit(SB, "Bygglov, trafik, avfall och miljö"),
    Unit(SO, "Äldre, socialtjänst och färdtjänst"),
    Unit(SK, "Förskola, skola och skolskjuts"),
    Unit(WK, "Webbredaktion, sociala medier och synpunkter"),
)

CHANNELS = (
    Channel("telefon", ChannelKind.REAL_TIME, service_level=0.80, answer_time_s=60),
    Channel("chatt", ChannelKind.REAL_TIME, service_level=0.80, answer_time_s=60,
            concurrency_factor=1.7),
    Channel("e-post", ChannelKind.DEFERRED),
    Channel("e-tjänst", ChannelKind.DEFERRED),
    Channel("brev", ChannelKind.DEFERRED),
    Channel("uppdrag", ChannelKind.DEFERRED),
    Channel("inlägg", ChannelKind.DEFERRED),
)

ANSWER_GROUPS = (
    AnswerGroup("SB-prio", "telefon", service_level=0.80, answer_time_s=30),
)

P, T = ServiceType.BASE, ServiceType.ADD_ON
FEE = PriceModel.ANNUAL_FEE
LAST = FeeKey.LAST_YEAR_CONTACTS

SERVICES = (
    Service("SB1", "Bygglov och plan", SB, P, "SB", "handläggare", FEE, LAST),
    Service("SB2", "Trafik och gata, felanmälan", SB, P, "SB", "handläggare", FEE, LAST),
    Service("SB3", "Avfall och miljö", SB, P, "SB", "handläggare", FEE, LAST),
    Service("SB-T1", "Tillstånd, prioriterad", SB, T, "SB-prio", "specialist",
            PriceModel.PER_CONTACT, description="Prioriterad linje, 80 % inom 30 s"),
    Service("SO1", "Äldre direkt", SO, P, "SO", "handläggare", FEE, FeeKey.INHABITANTS),
    Service("SO2", "Socialtjänst första linjen", SO, P, "SO", "specialist",
            PriceModel.PER_MINUTE),
    Service("SO-T1", "Färdtjänst och parkeringstillstånd", SO, T, "SO", "handläggare",
            PriceModel.PER_CONTACT, price_group="Ärendehandläggning"),
    Service("SK1", "Förskola och skola", SK, P, "SK", "handläggare", FEE, LAST),
    Service("SK2", "Skolplattformen support", SK, P, "SK", "handläggare",
            PriceModel.PER_CHANNEL),
    Service("SK-T1", "Skolskjuts", SK, T, "SK", "handläggare", PriceModel.PER_CONTACT,
            price_group="Ärendehandläggning"),
    Service("W1", "Webbredaktion", WK, P, "WK", "webbredaktör", PriceModel.PER_HOUR),
    Service("W2", "Sociala medier", WK, T, "WK", "webbredaktör", PriceModel.SUBSCRIPTION,
            FeeKey.EQUAL, fixed_share=0.30),
    Service("W3", "Synpunkter och klagomål", WK, P, "WK", "handläggare", FEE,
            FeeKey.EMPLOYEES),
)

# (service, channel, volume per year, handle time in minutes)
_CONTACTS = (
    ("SB1", "telefon", 38_000, 6.5), ("SB1", "e-post", 9_000, 9), ("SB1", "e-tjänst", 4_000, 12),
    ("SB2", "telefon", 52_000, 4.5), ("SB2", "chatt", 8_000, 7), ("SB2", "e-tjänst", 20_000, 3),
    ("SB3", "telefon", 18_000, 5), ("SB3", "e-post", 4_000, 8),
    ("SB-T1", "telefon", 6_000, 8),
    ("SO1", "telefon", 45_000, 7.5), ("SO1", "e-post", 3_000, 10),
    ("SO2", "telefon", 30_000, 8),
    ("SO-T1", "brev", 5_000, 15),
    ("SK1", "telefon", 60_000, 5.5), ("SK1", "e-post", 15_000, 7), ("SK1", "chatt", 10_000, 8),
    ("SK2", "telefon", 25_000, 6), ("SK2", "e-post", 6_000, 9),
    ("SK-T1", "e-tjänst", 3_000, 15),
    ("W1", "uppdrag", 2_400, 30),
    ("W2", "inlägg", 12_000, 4),
    ("W3", "e-tjänst", 9_000, 10),
)
# Inputs that rest on a specialist's valuation rather than statistics, and one target value.
_VALUED = {("W1", "uppdrag"), ("W2", "inlägg"), ("SO-T1", "brev")}
_TARGET_AHT_MIN = {("SK1", "telefon"): 5.0}  # the unit's target: 5 minutes instead of 5.5


def _contacts() -> tuple[ContactVolume, ...]:
    rows = []
    for sid, ch, vol, aht_min in _CONTACTS:
        src = Source.VALUATION if (sid, ch) in _VALUED else Source.MEASURED
        target = _TARGET_AHT_MIN.get((sid, ch))
        rows.append(ContactVolume(
            sid, ch, float(vol), aht_min * 60.0, volume_source=src, aht_source=src,
            target_aht_s=None if target is None else target * 60.0,
        ))
    return tuple(rows)


PROFILE = Profile(
    month_factors=(1.05, 1.0, 1.0, 0.95, 1.0, 1.1, 0.8, 1.2, 1.1, 1.0, 0.95, 0.85),
    hourly_shares=(0.09, 0.14, 0.14, 0.12, 0.10, 0.12, 0.11, 0.10, 0.08),
)

STAFF = (
    StaffCategory("handläggare", 34_000, StaffRole.AGENT),
    StaffCategory("specialist", 38_500, StaffRole.AGENT),
    StaffCategory("webbredaktör", 44_000, StaffRole.AGENT),
    StaffCategory("teamledare", 43_000, StaffRole.OVERHEAD, pool_id="TL", span=13),
    StaffCategory("WFM-analytiker", 46_000, StaffRole.OVERHEAD, pool_id="WFM", headcount=2),
    StaffCategory("enhetschef SB", 58_000, StaffRole.OVERHEAD, pool_id="EC-SB", headcount=1),
    StaffCategory("enhetschef SO", 58_000, StaffRole.OVERHEAD, pool_id="EC-SO", headcount=1),
    StaffCategory("enhetschef SK", 58_000, StaffRole.OVERHEAD, pool_id="EC-SK", headcount=1),
    StaffCategory("enhetschef WK", 58_000, StaffRole.OVERHEAD, pool_id="EC-WK", headcount=1),
    StaffCategory("avdelningschef", 72_000, StaffRole.OVERHEAD, pool_id="AVD", headcount=1),
)

COSTS = (
    Cost("LIC", "Licenser per plats (telefoni och ärendesystem)", CostKind.PER_SEAT, 14_000),
    Cost("TEL", "Telefoni per samtalsminut", CostKind.PER_MINUTE, 0.12, channel_id="telefon"),
    Cost("SKJ", "Skolskjutssystem, licens", CostKind.DIRECT, 85_000, service_id="SK-T1"),
    Cost("PUB", "Publiceringsverktyg", CostKind.DIRECT, 120_000, service_id="W1"),
)

A, D, U = PoolLevel.ADMINISTRATION, PoolLevel.DEPARTMENT, PoolLevel.UNIT
POOLS = (
    # administration overhead assigned to KC (about 3 MSEK), support pools first (step-down)
    OverheadPool("LOK", "Lokaler", A, 700_000, AllocationKey.AREA, order=1),
    OverheadPool("IT", "IT", A, 650_000, AllocationKey.SEATS, order=2),
    OverheadPool("HR", "HR", A, 400_000, AllocationKey.FTE, order=3),
    OverheadPool("LS", "Ledning och stab", A, 900_000, AllocationKey.FTE, order=4),
    OverheadPool("EKO", "Ekonomi", A, 350_000, AllocationKey.INVOICED, order=5),
    # department
    OverheadPool("AVD", "Avdelningsledning", D, 0, AllocationKey.FTE, order=6),
    OverheadPool("SYS", "Ärendehanteringssystem", D, 1_200_000, AllocationKey.CONTACTS,
                 order=7),
    OverheadPool("WFM", "Planering (WFM)", D, 0, AllocationKey.WORKLOAD, order=8),
    OverheadPool("TL", "Teamledare", D, 0, AllocationKey.FTE, order=9),
    # units
    OverheadPool("EC-SB", "Enhetsledning Samhällsbyggnad", U, 0, AllocationKey.FTE, unit=SB,
                 order=10),
    OverheadPool("EC-SO", "Enhetsledning Sociala", U, 0, AllocationKey.FTE, unit=SO, order=11),
    OverheadPool("EC-SK", "Enhetsledning Skola", U, 0, AllocationKey.FTE, unit=SK, order=12),
    OverheadPool("EC-WK", "Enhetsledning Webb och kommunikation", U, 40_000,
                 AllocationKey.FTE, unit=WK, order=13),
)

CUSTOMERS = (
    Customer("SBN", "Stadsbyggnadsnämnden", employees=310, own_monthly_salary_kr=36_500,
             own_total_shrinkage=0.22, own_overhead_rate=0.30),
    Customer("TN", "Trafiknämnden", employees=240),
    Customer("MHN", "Miljö- och hälsoskyddsnämnden", employees=120),
    Customer("SN", "Socialnämnden", inhabitants=0, employees=1_450),
    Customer("ÄN", "Äldrenämnden", inhabitants=21_500, employees=2_900,
             own_monthly_salary_kr=35_000, own_overhead_rate=0.25),
    Customer("UN", "Utbildningsnämnden", employees=6_200, own_monthly_salary_kr=35_500,
             own_total_shrinkage=0.20, own_overhead_rate=0.28),
    Customer("SDN-N", "Stadsdelsnämnden Norr", inhabitants=48_000, employees=900),
    Customer("SDN-S", "Stadsdelsnämnden Söder", inhabitants=56_000, employees=1_050),
    Customer("BOST", "Bostadsbolaget AB", employees=180),
    Customer("KS", "Kommunstyrelsen", employees=420),
)

# Who takes what: share of each service's forecast quantity, and last year's share of contacts.
_CUSTOMER_SHARES: dict[str, tuple[tuple[str, float, float], ...]] = {
    "SB1": (("SBN", 0.80, 0.78), ("MHN", 0.20, 0.22)),
    "SB2": (("TN", 0.90, 0.91), ("BOST", 0.10, 0.09)),
    "SB3": (("MHN", 0.70, 0.72), ("TN", 0.30, 0.28)),
    "SB-T1": (("SBN", 0.60, 0.60), ("MHN", 0.40, 0.40)),
    "SO1": (("ÄN", 0.70, 0.70), ("SDN-N", 0.15, 0.14), ("SDN-S", 0.15, 0.16)),
    "SO2": (("SN", 0.60, 0.62), ("SDN-N", 0.20, 0.19), ("SDN-S", 0.20, 0.19)),
    "SO-T1": (("TN", 1.00, 1.00),),
    "SK1": (("UN", 0.80, 0.81), ("SDN-N", 0.10, 0.09), ("SDN-S", 0.10, 0.10)),
    "SK2": (("UN", 1.00, 1.00),),
    "SK-T1": (("UN", 1.00, 1.00),),
    "W1": (("KS", 0.50, 0.55), ("SBN", 0.20, 0.15), ("UN", 0.30, 0.30)),
    "W2": (("KS", 0.40, 0.40), ("ÄN", 0.20, 0.20), ("UN", 0.20, 0.20), ("TN", 0.20, 0.20)),
    "W3": (("KS", 0.25, 0.25), ("SBN", 0.25, 0.25), ("SN", 0.25, 0.25), ("UN", 0.25, 0.25)),
}


def _forecast_by_channel(service: Service, contacts: tuple[ContactVolume, ...]) -> dict:
    """The service's forecast quantity in its price unit, per channel (None: all channels)."""
    rows = [c for c in contacts if c.service_id == service.service_id]
    if service.price_model is PriceModel.PER_CHANNEL:
        return {c.channel_id: c.used_volume for c in rows}
    if service.price_model is PriceModel.PER_MINUTE:
        return {None: sum(c.used_volume * c.used_aht_s / 60.0 for c in rows)}
    if service.price_model is PriceModel.PER_HOUR:
        return {None: sum(c.used_volume * c.used_aht_s / 3600.0 for c in rows)}
    return {None: sum(c.used_volume for c in rows)}


def _customer_volumes(contacts: tuple[ContactVolume, ...]) -> tuple[CustomerVolume, ...]:
    out = []
    last_year_total = {c.service_id: 0.0 for c in contacts}
    for c in contacts:
        last_year_total[c.service_id] += c.volume
    for service in SERVICES:
        shares = _CUSTOMER_SHARES[service.service_id]
        for channel, quantity in _forecast_by_channel(service, contacts).items():
            for cust, share, last_share in shares:
                last = round(0.96 * last_year_total[service.service_id] * last_share)
                out.append(CustomerVolume(cust, service.service_id, round(quantity * share, 2),
                                          last_year_contacts=float(last), channel_id=channel))
    return tuple(out)


# Last year's price list (synthetic): per price unit, annual fees as whole fees; last year's
# price model (the same as this year's) and exact price (per-unit prices were rounded to 1 kr).
_PREVIOUS = (  # service, price, channel, subscription fee, exact price
    ("SB1", 5_350_000, None, None, None),
    ("SB2", 6_340_000, None, None, None),
    ("SB3", 1_800_000, None, None, None),
    ("SB-T1", 455, None, None, 454.71),
    ("SO1", 5_890_000, None, None, None),
    ("SO2", 18, None, None, 18.23),
    ("SO-T1", 182, None, None, 181.64),
    ("SK1", 9_000_000, None, None, None),
    ("SK2", 94, "telefon", None, 93.82),
    ("SK2", 141, "e-post", None, 140.77),
    ("SK-T1", 182, None, None, 181.64),
    ("W1", 1_180, None, None, 1_179.55),
    ("W2", 53, None, 270_000, 52.88),
    ("W3", 1_450_000, None, None, None),
)
_MODEL = {s.service_id: s.price_model for s in SERVICES}
_GROUP = {s.service_id: s.price_group for s in SERVICES}
PREVIOUS_PRICES = tuple(
    PreviousPrice(sid, price, channel_id=channel, annual_fee_kr=fee, price_model=_MODEL[sid],
                  exact_price_kr=exact, price_group=_GROUP[sid])
    for sid, price, channel, fee, exact in _PREVIOUS
)

# Last year's outcome per service: contacts, workload hours, FTE, personnel cost, overhead and
# full cost; what was invoiced makes a 3 % deficit.
_LAST_YEAR = {  # volume, workload_h, fte, personnel_cost_kr, overhead_kr, cost_kr
    "SB1": (50_300, 6_458, 6.27, 3_738_000, 1_611_000, 5_460_000),
    "SB2": (76_560, 5_826, 6.91, 4_113_000, 1_990_000, 6_230_000),
    "SB3": (22_040, 2_085, 2.02, 1_206_000, 552_000, 1_800_000),
    "SB-T1": (5_720, 779, 2.93, 1_978_000, 673_000, 2_700_000),
    "SO1": (48_940, 6_493, 6.80, 4_054_000, 2_006_000, 6_180_000),
    "SO2": (28_480, 3_828, 4.11, 2_775_000, 1_251_000, 4_110_000),
    "SO-T1": (4_670, 1_197, 0.88, 525_000, 298_000, 840_000),
    "SK1": (83_860, 8_180, 10.11, 6_022_000, 2_773_000, 8_960_000),
    "SK2": (28_860, 3_196, 3.35, 1_996_000, 1_000_000, 3_060_000),
    "SK-T1": (2_890, 723, 0.54, 324_000, 161_000, 580_000),
    "W1": (2_290, 1_195, 0.88, 680_000, 613_000, 1_420_000),
    "W2": (11_850, 819, 0.59, 455_000, 431_000, 890_000),
    "W3": (8_780, 1_527, 1.12, 666_000, 765_000, 1_450_000),
}
OUTCOMES = tuple(
    Outcome(sid, revenue_kr=round(cost * 0.97, 0), cost_kr=float(cost), volume=float(volume),
            workload_h=float(workload), fte=fte, personnel_cost_kr=float(personnel),
            overhead_kr=float(overhead))
    for sid, (volume, workload, fte, personnel, overhead, cost) in _LAST_YEAR.items()
)


#: The phone platform's queues (Köer): one per service and real-time channel, except the social
#: unit's shared line, whose demand is split between SO1 and SO2 by their volumes.
QUEUES = (
    QueueRow("Bygglov", "SB1", "telefon"),
    QueueRow("Trafik", "SB2", "telefon"),
    QueueRow("Trafik-chatt", "SB2", "chatt"),
    QueueRow("Avfall", "SB3", "telefon"),
    QueueRow("Tillstand-prio", "SB-T1", "telefon"),
    QueueRow("Socialt", "SO1", "telefon", 0.6),
    QueueRow("Socialt", "SO2", "telefon", 0.4),
    QueueRow("Skola", "SK1", "telefon"),
    QueueRow("Skola-chatt", "SK1", "chatt"),
    QueueRow("Skolplattformen", "SK2", "telefon"),
)
#: The example model's overhead rate, (overhead + city charge) / personnel cost over all
#: services (``CostResult.overhead_rate``), to 0.1 %: Ny tjänst's default overhead rate.
#: A test keeps it equal to the model's.
EXAMPLE_OVERHEAD_RATE = 0.505
# The result fund (synthetic): what is left of earlier years' results. A 2025 surplus of SK1
# spread over two years (half returned in 2026), and the deficit of an add-on that ended in 2026
# (SO-T2), which its unit's services now carry.
FUND = (
    FundBalance("SK1", 2025, 240_000, 120_000, 1, SK),
    FundBalance("SO-T2", 2025, -60_000, -30_000, 1, SO),
)


def example_inputs() -> Inputs:
    """The synthetic example of SPEC §7, complete with customers, last year and its deficit."""
    contacts = _contacts()
    return Inputs(
        parameters=Parameters(previous_prices_year=2026, outcome_year=2026),
        channels=CHANNELS,
        answer_groups=ANSWER_GROUPS,
        services=SERVICES,
        contacts=contacts,
        profile=PROFILE,
        staff=STAFF,
        costs=COSTS,
        pools=POOLS,
        customers=CUSTOMERS,
        customer_volumes=_customer_volumes(contacts),
        previous_prices=PREVIOUS_PRICES,
        outcomes=OUTCOMES,
        units=UNITS,
        queues=QUEUES,
        fund=FUND,
    )
