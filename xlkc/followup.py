"""Follow-up (SPEC §6): how much of the workload and the cost rests on which data quality."""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlkc.inputs import Source
from xlkc.results import QUALITY_COLUMNS, CostResult, StaffingResult

#: Less certain last: a contact row rests on the less certain of its volume and handle time.
_ORDER = (Source.MEASURED, Source.VALUATION, Source.TARGET)
TOTAL = "Totalt"


def data_quality(staffing: StaffingResult, cost: CostResult) -> pd.DataFrame:
    """Contacts, workload, FTE and cost per data source (statistik, värdering, målvärde).

    A contact row counts under the less certain source of its volume and handle time; a
    service's full cost is shared over its rows by their FTE (by workload where it has none).
    A last row holds the totals: the cost column adds up to the full cost of all services.
    """
    s = staffing.services
    rank = {src.value: i for i, src in enumerate(_ORDER)}
    row_rank = np.maximum(s["volume_source"].map(rank).to_numpy(),
                          s["aht_source"].map(rank).to_numpy())
    source = np.array([_ORDER[int(r)].value for r in row_rank], dtype=object)
    by_service = s.groupby("service_id")
    fte_total = by_service["fte"].transform("sum").to_numpy()
    workload_total = by_service["workload_h"].transform("sum").to_numpy()
    rows = by_service["fte"].transform("size").to_numpy()
    share = np.where(fte_total > 0, s["fte"] / np.where(fte_total > 0, fte_total, 1.0),
                     np.where(workload_total > 0,
                              s["workload_h"] / np.where(workload_total > 0, workload_total, 1),
                              1.0 / rows))
    full = cost.services.set_index("service_id")["full_cost_kr"]
    frame = pd.DataFrame({
        "source": source, "contacts": s["volume"].to_numpy(),
        "workload_h": s["workload_h"].to_numpy(), "fte": s["fte"].to_numpy(),
        "cost_kr": share * s["service_id"].map(full).to_numpy(),
    })
    out = (frame.groupby("source").agg(contact_rows=("contacts", "size"),
                                       contacts=("contacts", "sum"),
                                       workload_h=("workload_h", "sum"), fte=("fte", "sum"),
                                       cost_kr=("cost_kr", "sum"))
           .reindex([src.value for src in _ORDER], fill_value=0).reset_index())
    total = out.drop(columns="source").sum()
    out.loc[len(out)] = {"source": TOTAL, **total.to_dict()}
    for part, whole in (("workload_share", "workload_h"), ("cost_share", "cost_kr")):
        denominator = float(total[whole])
        out[part] = out[whole] / denominator if denominator > 0 else np.nan
    out["contact_rows"] = out["contact_rows"].astype(int)
    return out[list(QUALITY_COLUMNS)]
