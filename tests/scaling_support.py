"""The example copied k times (every service, contact, customer and customer-volume row), for
the scaling guards and ``bench/bench_scaling.py``."""

from __future__ import annotations

import dataclasses

from xlkc.example import example_inputs
from xlkc.inputs import Inputs


def scaled_example(k: int) -> Inputs:
    """k copies of the example: copy j > 0 suffixes every service and customer id with ``-kj``.

    Answer groups, channels, staff and overhead pools stay as they are (the pools grow k-fold in
    volume); each service's direct costs, last year's price and outcome and each direct pool's
    receivers are copied with it, so every copy is priced as the original.
    """
    base = example_inputs()
    if k <= 1:
        return base

    def sid(s: str, j: int) -> str:
        return s if j == 0 else f"{s}-k{j}"

    def copies(rows, **fields):
        return tuple(dataclasses.replace(r, **{f: (fn(getattr(r, f), j))
                                               for f, fn in fields.items()})
                     for j in range(k) for r in rows)

    opt = lambda fn: (lambda v, j: v if v is None else fn(v, j))  # noqa: E731
    return dataclasses.replace(
        base,
        services=copies(base.services, service_id=sid),
        contacts=copies(base.contacts, service_id=sid),
        customers=copies(base.customers, customer_id=sid),
        customer_volumes=copies(base.customer_volumes, customer_id=sid, service_id=sid),
        previous_prices=copies(base.previous_prices, service_id=sid),
        outcomes=copies(base.outcomes, service_id=sid),
        costs=(*(c for c in base.costs if c.service_id is None),
               *copies([c for c in base.costs if c.service_id is not None],
                       cost_id=sid, service_id=opt(sid))),
        pools=tuple(dataclasses.replace(p, receivers=tuple(sid(r, j) for j in range(k)
                                                           for r in p.receivers))
                    for p in base.pools),
    )


_BASE_DATA = None


def scaled_workbook_data(k: int):
    """The bundled workbook's raw inputs (``WorkbookData``) with every input table holding the
    rows of :func:`scaled_example` (k), as the builder writes them; read without a file."""
    global _BASE_DATA
    from xlkc import layout as L  # noqa: N812
    from xlkc.excel.file_reader import read_workbook
    from xlkc.workbook.build import DEFAULT_PATH, table_rows

    if _BASE_DATA is None:
        _BASE_DATA = read_workbook(DEFAULT_PATH)
    inputs = scaled_example(k)
    tables = dict(_BASE_DATA.tables)
    for t in L.input_tables():
        if t.name in tables:
            rows = tuple(tuple(r) for r in table_rows(t, inputs))
            tables[t.name] = dataclasses.replace(tables[t.name], rows=rows, stray_rows=())
    return dataclasses.replace(_BASE_DATA, tables=tables)
