"""Hypothesis strategies: random but valid inputs for conservation properties."""

from __future__ import annotations

import pandas as pd
from hypothesis import strategies as st

from xlkc.example import CHANNELS, PROFILE
from xlkc.inputs import (
    AllocationKey,
    AllocationMethod,
    ContactVolume,
    Cost,
    CostKind,
    Customer,
    CustomerVolume,
    FeeKey,
    Inputs,
    Outcome,
    OverheadPool,
    Parameters,
    PoolLevel,
    PriceModel,
    RoundingDirection,
    Service,
    ServiceType,
    StaffCategory,
    StaffRole,
)
from xlkc.results import STAFFING_COLUMNS, StaffingResult

CHANNEL_IDS = ("telefon", "e-post", "brev")


@st.composite
def inputs_strategy(draw, max_services: int = 6) -> Inputs:
    n_units = draw(st.integers(1, 3))
    units = [f"Enhet {i}" for i in range(n_units)]
    n_services = draw(st.integers(1, max_services))
    agents = [StaffCategory("handläggare", draw(st.floats(25_000, 50_000)), StaffRole.AGENT),
              StaffCategory("specialist", draw(st.floats(25_000, 60_000)), StaffRole.AGENT)]
    services, contacts = [], []
    for i in range(n_services):
        model = draw(st.sampled_from(list(PriceModel)))
        unit = draw(st.sampled_from(units))
        services.append(Service(
            f"S{i}", f"Tjänst {i}", unit, draw(st.sampled_from(list(ServiceType))),
            unit, draw(st.sampled_from(["handläggare", "specialist"])), model,
            fee_key=draw(st.sampled_from(list(FeeKey))),
            price_group=draw(st.sampled_from([None, None, f"G-{model.name}"])),
            fixed_share=draw(st.floats(0.0, 1.0)) if model is PriceModel.SUBSCRIPTION else None,
        ))
        channels = draw(st.lists(st.sampled_from(CHANNEL_IDS), min_size=1, max_size=3,
                                 unique=True))
        for ch in channels:
            contacts.append(ContactVolume(f"S{i}", ch, float(draw(st.integers(50, 60_000))),
                                          float(draw(st.integers(60, 1_200)))))
    pools = []
    for j in range(draw(st.integers(0, 5))):
        key = draw(st.sampled_from(list(AllocationKey)))
        level = draw(st.sampled_from(list(PoolLevel)))
        receivers = ()
        if key is AllocationKey.DIRECT:
            receivers = tuple(draw(st.lists(st.sampled_from([s.service_id for s in services]),
                                            min_size=1, max_size=3, unique=True)))
        used_units = sorted({s.unit for s in services})
        unit = draw(st.sampled_from(used_units)) if level is PoolLevel.UNIT else None
        if level is PoolLevel.UNIT and key is AllocationKey.DIRECT:
            level, unit = PoolLevel.DEPARTMENT, None
        pools.append(OverheadPool(f"P{j}", f"Pool {j}", level,
                                  float(draw(st.integers(0, 2_000_000))), key, unit=unit,
                                  receivers=receivers, order=draw(st.integers(0, 9))))
    staff = list(agents)
    if pools:
        staff.append(StaffCategory("teamledare", 43_000, StaffRole.OVERHEAD,
                                   pool_id=pools[0].pool_id, span=draw(st.floats(5, 20))))
        staff.append(StaffCategory("chef", 60_000, StaffRole.OVERHEAD, pool_id=pools[-1].pool_id,
                                   headcount=float(draw(st.integers(0, 3)))))
    costs = [Cost("LIC", "Licens", CostKind.PER_SEAT, float(draw(st.integers(0, 20_000)))),
             Cost("TEL", "Telefoni", CostKind.PER_MINUTE, draw(st.floats(0, 0.5)),
                  channel_id="telefon"),
             Cost("D", "Direkt", CostKind.DIRECT, float(draw(st.integers(0, 500_000))),
                  service_id=draw(st.sampled_from([s.service_id for s in services])))]
    customers = [Customer(f"K{k}", f"Kund {k}", inhabitants=float(draw(st.integers(1, 90_000))),
                          employees=float(draw(st.integers(1, 5_000))))
                 for k in range(draw(st.integers(1, 4)))]
    volumes = []
    for s in services:
        mine = [c for c in contacts if c.service_id == s.service_id]
        quantities = _quantities(s, mine)
        takers = draw(st.lists(st.sampled_from(customers), min_size=1, max_size=len(customers),
                               unique_by=lambda c: c.customer_id))
        for channel, quantity in quantities.items():
            weights = [draw(st.integers(1, 10)) for _ in takers]
            parts = _split(quantity, weights)
            for cust, part in zip(takers, parts, strict=True):
                volumes.append(CustomerVolume(cust.customer_id, s.service_id, part,
                                              last_year_contacts=float(draw(st.integers(1, 9999))),
                                              channel_id=channel))
    outcomes = [Outcome(s.service_id, float(draw(st.integers(1, 5_000_000))),
                        float(draw(st.integers(0, 5_000_000)))) for s in services]
    params = Parameters(
        allocation_method=draw(st.sampled_from(list(AllocationMethod))),
        rounding_step_kr=draw(st.sampled_from([0.1, 0.5, 1.0, 10.0])),
        rounding_direction=draw(st.sampled_from(list(RoundingDirection))),
        surplus_years=draw(st.integers(1, 3)),
        city_charge_rate=draw(st.sampled_from([0.0, 0.012, 0.05])),
    )
    return Inputs(parameters=params, channels=CHANNELS, answer_groups=(),
                  services=tuple(services), contacts=tuple(contacts), profile=PROFILE,
                  staff=tuple(staff), costs=tuple(costs), pools=tuple(pools),
                  customers=tuple(customers), customer_volumes=tuple(volumes),
                  outcomes=tuple(outcomes))


def _quantities(s: Service, contacts: list[ContactVolume]) -> dict:
    if s.price_model is PriceModel.PER_CHANNEL:
        return {c.channel_id: c.volume for c in contacts}
    if s.price_model is PriceModel.PER_MINUTE:
        return {None: sum(c.volume * c.aht_s / 60 for c in contacts)}
    if s.price_model is PriceModel.PER_HOUR:
        return {None: sum(c.volume * c.aht_s / 3600 for c in contacts)}
    return {None: sum(c.volume for c in contacts)}


def _split(quantity: float, weights: list[int]) -> list[float]:
    """Split a quantity in parts that add up to it exactly (the last part takes the rest)."""
    total = sum(weights)
    parts = [quantity * w / total for w in weights[:-1]]
    return [*parts, quantity - sum(parts)]


def simple_staffing(inputs: Inputs, productive_h: float = 1_500.0,
                    occupancy: float = 0.8) -> StaffingResult:
    """A stand-in staffing result (workload over productive hours), for costing-only tests."""
    rows = []
    for c in inputs.contacts:
        workload = c.volume * c.aht_s / 3600
        rows.append({"service_id": c.service_id, "channel_id": c.channel_id, "pool_id": "x",
                     "method": "Arbetsbelastning", "volume": c.volume,
                     "volume_source": c.used_volume_source.value, "measured_volume": c.volume,
                     "aht_s": c.aht_s, "aht_source": c.used_aht_source.value,
                     "measured_aht_s": c.aht_s,
                     "workload_h": workload, "fte": workload / (productive_h * occupancy),
                     "standalone_fte": workload / (productive_h * occupancy)})
    return StaffingResult(services=pd.DataFrame(rows, columns=list(STAFFING_COLUMNS)),
                          pools=pd.DataFrame(), productive_hours=productive_h)
