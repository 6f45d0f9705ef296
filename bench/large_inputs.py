"""A large synthetic model: many services, five channels each, many customers (for benchmarks)."""

from __future__ import annotations

import numpy as np

from xlkc.example import CHANNELS, PROFILE, STAFF, example_inputs
from xlkc.inputs import (
    AllocationKey,
    ContactVolume,
    Customer,
    CustomerVolume,
    FeeKey,
    Inputs,
    Outcome,
    OverheadPool,
    PoolLevel,
    PreviousPrice,
    PriceModel,
    Service,
    ServiceType,
)

_CHANNELS = ("telefon", "chatt", "e-post", "e-tjänst", "brev")
_MODELS = (PriceModel.ANNUAL_FEE, PriceModel.PER_CONTACT, PriceModel.PER_CHANNEL,
           PriceModel.PER_MINUTE, PriceModel.SUBSCRIPTION)


def large_inputs(n_services: int = 500, n_customers: int = 300, seed: int = 1) -> Inputs:
    rng = np.random.default_rng(seed)
    base = example_inputs()
    units = [f"Enhet {u:02d}" for u in range(10)]
    services, contacts, volumes, previous, outcomes = [], [], [], [], []
    customers = [Customer(f"K{k:03d}", f"Kund {k:03d}", inhabitants=float(rng.integers(1e3, 9e4)),
                          employees=float(rng.integers(10, 5_000)))
                 for k in range(n_customers)]
    for i in range(n_services):
        sid = f"T{i:03d}"
        unit = units[i % len(units)]
        model = _MODELS[i % len(_MODELS)]
        services.append(Service(
            sid, f"Tjänst {i:03d}", unit, ServiceType.BASE if i % 3 else ServiceType.ADD_ON,
            f"G{i % 40:02d}", "handläggare", model, fee_key=FeeKey.LAST_YEAR_CONTACTS,
            fixed_share=0.3 if model is PriceModel.SUBSCRIPTION else None))
        for ch in _CHANNELS:
            contacts.append(ContactVolume(sid, ch, float(rng.integers(200, 20_000)),
                                          float(rng.integers(120, 900))))
        takers = rng.choice(n_customers, size=int(rng.integers(1, 6)), replace=False)
        shares = rng.dirichlet(np.ones(len(takers)))
        mine = contacts[-len(_CHANNELS):]
        if model is PriceModel.PER_CHANNEL:
            quantities = {c.channel_id: c.volume for c in mine}
        elif model is PriceModel.PER_MINUTE:
            quantities = {None: sum(c.volume * c.aht_s / 60 for c in mine)}
        else:
            quantities = {None: sum(c.volume for c in mine)}
        for ch, q in quantities.items():
            parts = q * shares
            parts[-1] = q - parts[:-1].sum()
            for k, part in zip(takers, parts, strict=True):
                volumes.append(CustomerVolume(customers[k].customer_id, sid, float(part),
                                              last_year_contacts=float(rng.integers(10, 9_000)),
                                              channel_id=ch))
        previous.append(PreviousPrice(sid, float(rng.integers(50, 500))))
        cost = float(rng.integers(200_000, 5_000_000))
        outcomes.append(Outcome(sid, revenue_kr=cost * 0.97, cost_kr=cost))
    pools = [*(p for p in base.pools if p.level is not PoolLevel.UNIT),
             *(OverheadPool(f"EC-{u[-2:]}", f"Enhetsledning {u}", PoolLevel.UNIT, 900_000,
                            AllocationKey.FTE, unit=u, order=20 + j)
               for j, u in enumerate(units))]
    staff = tuple(s for s in STAFF if not s.category_id.startswith("enhetschef"))
    return Inputs(parameters=base.parameters, channels=CHANNELS, answer_groups=(),
                  services=tuple(services), contacts=tuple(contacts), profile=PROFILE,
                  staff=staff, costs=tuple(c for c in base.costs if c.service_id is None), pools=tuple(pools), customers=tuple(customers),
                  customer_volumes=tuple(volumes), previous_prices=tuple(previous),
                  outcomes=tuple(outcomes))
