"""Snapshot every result of the core on fixed inputs, to prove a speed change alters nothing.

    python bench/fastcalc_snapshot.py OUT.pickle        # write a snapshot
    python bench/fastcalc_snapshot.py A.pickle B.pickle  # compare two, bit for bit

Cases: the example at 1x and 3x through the workbook path (parse + validate + calculate +
result warnings + input hash), and variations through ``evaluate``: Erlang A patience,
reciprocal allocation, a price-model change, an invalid input.
"""

from __future__ import annotations

import dataclasses
import pickle
import sys

import pandas as pd


def _frames(obj, prefix=""):
    """Every DataFrame (and scalar) of a results tree, by path."""
    out = {}
    if isinstance(obj, pd.DataFrame):
        out[prefix] = obj
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            out.update(_frames(getattr(obj, f.name), f"{prefix}.{f.name}"))
    else:
        out[prefix] = repr(obj)
    return out


def _variants():
    from tests.scaling_support import scaled_example
    from xlkc.inputs import AllocationMethod, FeeKey, PriceModel, SlaLevel, StaffingMethod

    base = scaled_example(1)
    p = base.parameters
    yield "reciprocal", dataclasses.replace(
        base, parameters=dataclasses.replace(p, allocation_method=AllocationMethod.RECIPROCAL))
    yield "reciprocal3", dataclasses.replace(
        scaled_example(3), parameters=dataclasses.replace(
            p, allocation_method=AllocationMethod.RECIPROCAL))
    chans = tuple(dataclasses.replace(c, patience_s=90.0) if c.channel_id == "telefon" else c
                  for c in base.channels)
    yield "erlang_a", dataclasses.replace(base, channels=chans)
    groups = tuple(dataclasses.replace(g, patience_s=120.0) for g in base.answer_groups)
    yield "erlang_a_groups", dataclasses.replace(base, answer_groups=groups)
    def svc(changes):
        return dataclasses.replace(base, services=tuple(
            dataclasses.replace(s, **changes[s.service_id]) if s.service_id in changes else s
            for s in base.services))
    yield "model_fee", svc({"SB-T1": dict(price_model=PriceModel.ANNUAL_FEE,
                                          fee_key=FeeKey.LAST_YEAR_CONTACTS)})
    yield "model_keys", svc({"SB1": dict(fee_key=FeeKey.EQUAL),
                             "W3": dict(fee_key=FeeKey.LAST_YEAR_CONTACTS),
                             "W2": dict(fixed_share=0.55)})
    yield "model_sub", svc({"SK1": dict(price_model=PriceModel.SUBSCRIPTION,
                                        fee_key=FeeKey.EQUAL, fixed_share=0.4)})
    yield "round_up", dataclasses.replace(base, parameters=dataclasses.replace(
        p, rounding_step_kr=5.0, rounding_step_minute_kr=0.5))
    c0 = base.contacts[0]
    bad = (dataclasses.replace(c0, **{f.name: -5.0 for f in dataclasses.fields(c0)
                                      if f.name in ("volume", "contacts", "aht_s",
                                                    "handle_time_s")}),
           *base.contacts[1:])
    yield "invalid", dataclasses.replace(base, contacts=bad)
    yield "bad_levels", dataclasses.replace(base, parameters=dataclasses.replace(
        p, sla_levels=(SlaLevel(1.5, 30.0), SlaLevel(0.8, -5.0), SlaLevel(0.8, 60.0))))
    groups = tuple(dataclasses.replace(g, method=StaffingMethod.ERLANG_A)
                   for g in base.answer_groups)
    chans = tuple(dataclasses.replace(c, service_level=None) if c.channel_id == "telefon"
                  else c for c in base.channels)
    yield "no_patience_no_level", dataclasses.replace(base, answer_groups=groups,
                                                      channels=chans)


def snapshot() -> dict:
    import datetime as dt

    from tests.scaling_support import scaled_workbook_data
    from xlkc.excel import run
    from xlkc.pipeline import evaluate, validate

    snap = {}
    for k in (1, 3):
        data = scaled_workbook_data(k)
        inputs, results, problems = run._check(data)
        snap[f"wb{k}.problems"] = repr(problems)
        snap[f"wb{k}.hash"] = run.input_hash(inputs)
        snap.update({f"wb{k}{p}": v for p, v in _frames(results).items()})
        plan, _, errs = run.calculate_workbook(data, user="u", now=dt.datetime(2026, 1, 1))
        snap[f"wb{k}.plan"] = pickle.dumps(plan)
    for name, inputs in _variants():
        problems = validate(inputs)
        results, problems2 = evaluate(inputs, problems)
        snap[f"{name}.problems"] = repr(problems2)
        snap[f"{name}.hash"] = run.input_hash(inputs)
        snap.update({f"{name}{p}": v for p, v in _frames(results).items()})
    return snap


def _same_frame(a: pd.DataFrame, b: pd.DataFrame) -> str | None:
    try:
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    except AssertionError as exc:
        return str(exc)[:500]
    for c in a.columns:
        x, y = a[c].to_numpy(), b[c].to_numpy()
        if x.dtype.kind in "fiub":
            if x.tobytes() != y.tobytes():
                return f"column {c}: bits differ"
        elif [repr(v) for v in x] != [repr(v) for v in y]:
            return f"column {c}: values differ"
    if list(a.index) != list(b.index):
        return "index differs"
    return None


def compare(a: dict, b: dict) -> list[str]:
    bad = []
    if a.keys() != b.keys():
        bad.append(f"keys differ: {sorted(set(a) ^ set(b))}")
    for k in a.keys() & b.keys():
        x, y = a[k], b[k]
        if isinstance(x, pd.DataFrame) and isinstance(y, pd.DataFrame):
            why = _same_frame(x, y)
            if why:
                bad.append(f"{k}: {why}")
        elif k.endswith(".plan"):  # equal plans may pickle differently (shared objects)
            px, py = pickle.loads(x), pickle.loads(y)
            if not (px == py and repr(px) == repr(py)):
                bad.append(f"{k}: differs")
        elif x != y:
            bad.append(f"{k}: differs")
    return bad


if __name__ == "__main__":
    if len(sys.argv) == 2:
        with open(sys.argv[1], "wb") as f:
            pickle.dump(snapshot(), f)
        print("written", sys.argv[1])
    else:
        a, b = (pickle.load(open(p, "rb")) for p in sys.argv[1:3])  # noqa: SIM115
        bad = compare(a, b)
        print("\n".join(bad) if bad else f"identical ({len(a)} items)")
        sys.exit(1 if bad else 0)
