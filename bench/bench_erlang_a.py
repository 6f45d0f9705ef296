"""Benchmark: Erlang A (closed form, vectorised) against Erlang C, and the bundled workbook with
a patience on every real-time channel.

Run by hand (not collected by pytest):

    python bench/bench_erlang_a.py [--pools 100] [--repeats 5] [--patience 120]

1. ``agents_needed`` (Erlang C) and ``agents_needed_erlang_a`` on the same ``pools × 540``
   interval loads (a year's distinct interval types per pool), with the same targets;
2. ``xlkc.calculate`` and ``staff`` on the bundled workbook as it is (Erlang C) and with the
   patience on every real-time channel (Erlang A);
3. the accuracy of ``erlang_a`` against an exact high-precision sum (mpmath) on a sample.

Prints the figures as a Markdown block for BENCHMARKS.md. Developer tool: output in English.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import datetime as dt  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xlkc.staffing.erlang import agents_needed  # noqa: E402
from xlkc.staffing.erlang_a import agents_needed_erlang_a, erlang_a  # noqa: E402

SL, T, OCC = 0.80, 60.0, 0.85


def timed(fn, repeats: int) -> tuple[float, float, float, float]:
    """(median wall, median CPU, min wall, max wall) over ``repeats`` runs after one warm-up."""
    fn()
    walls, cpus = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), min(walls), max(walls)


def loads(pools: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Arrival rates (per s) and AHTs for pools × 540 interval types of plausible size."""
    rng = np.random.default_rng(seed)
    size = rng.lognormal(np.log(30_000), 1.0, pools)  # contacts a year
    aht = rng.uniform(180, 600, pools)
    shape = rng.gamma(4.0, 0.25, (pools, 540))
    shape /= shape.sum(axis=1, keepdims=True)
    per_hour = size[:, None] * shape * 540 / 2277  # one hour of each type
    return (per_hour / 3600.0).ravel(), np.repeat(aht, 540)


def workbook_inputs(patience: float):
    from xlkc.excel.file_reader import read_inputs

    inputs = read_inputs(ROOT / "workbook" / "Prismodell.xlsm")
    channels = tuple(dataclasses.replace(c, patience_s=patience) if c.kind.value == "realtid"
                     else c for c in inputs.channels)
    return inputs, dataclasses.replace(inputs, channels=channels)


def exact(n, lam, aht, patience, t, dps=30):
    """Erlang A by summing the chain and the waiting-time distribution in mpmath."""
    import mpmath

    with mpmath.workdps(dps):
        lam, mu, th = mpmath.mpf(lam), 1 / mpmath.mpf(aht), 1 / mpmath.mpf(patience)
        terms, k = [mpmath.mpf(1)], 0
        while True:
            k += 1
            rate = min(k, n) * mu + max(k - n, 0) * th
            terms.append(terms[-1] * lam / rate)
            if k > n and lam < rate and terms[-1] < mpmath.mpf(10) ** (-dps) * max(terms):
                break
        z = mpmath.fsum(terms)
        pi = [x / z for x in terms]
        s, p = n * mu / th, 1 - mpmath.exp(-th * t)
        sl = mpmath.fsum(pi[:n]) + mpmath.fsum(
            q * s / (s + j + 1) * mpmath.betainc(j + 1, s + 1, 0, p, regularized=True)
            for j, q in enumerate(pi[n:]))
        return float(mpmath.fsum(pi[n:])), float(sl)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pools", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--patience", type=float, default=120.0)
    ap.add_argument("--sample", type=int, default=20)
    args = ap.parse_args()
    warnings.simplefilter("error")
    import scipy

    import xlkc

    lam, aht = loads(args.pools)
    a = lam * aht
    c = timed(lambda: agents_needed(a, aht, SL, T, OCC), args.repeats)
    ea = timed(lambda: agents_needed_erlang_a(lam, aht, args.patience, SL, T, OCC),
               args.repeats)
    n_c = agents_needed(a, aht, SL, T, OCC)
    n_a = agents_needed_erlang_a(lam, aht, args.patience, SL, T, OCC)

    plain, patient = workbook_inputs(args.patience)
    from xlkc.staffing import staff

    rows = [("Erlang C (bundled)", "calculate", timed(lambda: xlkc.calculate(plain), args.repeats)),
            (f"Erlang A, patience {args.patience:g} s", "calculate",
             timed(lambda: xlkc.calculate(patient), args.repeats)),
            ("Erlang C (bundled)", "staff", timed(lambda: staff(plain), args.repeats)),
            (f"Erlang A, patience {args.patience:g} s", "staff",
             timed(lambda: staff(patient), args.repeats))]

    rng = np.random.default_rng(3)
    worst = 0.0
    for _ in range(args.sample):
        n = int(rng.integers(1, 120))
        ah = float(rng.uniform(60, 600))
        la = float(rng.uniform(0.3, 1.1)) * n / ah
        pat = float(rng.uniform(10, 900))
        t = float(rng.uniform(0, 120))
        r = erlang_a(n, la, ah, pat, t)
        pw, sl = exact(n, la, ah, pat, t)
        worst = max(worst, abs(r.p_wait - pw) / pw, abs(r.service_level - sl) / sl)

    print(f"- Command: `python bench/bench_erlang_a.py --pools {args.pools} --repeats "
          f"{args.repeats} --patience {args.patience:g}`")
    print(f"- Date: {dt.date.today()}; machine: {os.cpu_count()} cores ({platform.machine()}), "
          f"load average {os.getloadavg()[0]:.2f} at the end, Python {platform.python_version()}, "
          f"numpy {np.__version__}, scipy {scipy.__version__}")
    print()
    print("| case | wall (median, min–max) | CPU (median) |")
    print("|---|---|---|")
    size = lam.size
    print(f"| Erlang C `agents_needed`, {size:,} intervals | {c[0]:.3f} s ({c[2]:.3f}–{c[3]:.3f})"
          f" | {c[1]:.3f} s |")
    print(f"| Erlang A `agents_needed_erlang_a`, {size:,} intervals | {ea[0]:.3f} s "
          f"({ea[2]:.3f}–{ea[3]:.3f}) | {ea[1]:.3f} s |")
    for name, what, f in rows:
        print(f"| bundled workbook, {name}: `{what}` | {f[0]:.3f} s ({f[2]:.3f}–{f[3]:.3f}) | "
              f"{f[1]:.3f} s |")
    print()
    print(f"- Agents, summed over the intervals: Erlang C {int(n_c.sum()):,}, Erlang A "
          f"{int(n_a.sum()):,} ({100 * (n_a.sum() / n_c.sum() - 1):+.1f} %).")
    print(f"- Accuracy against the exact mpmath sum, {args.sample} random cases: max relative "
          f"error of P(wait) and the service level {worst:.1e}.")


if __name__ == "__main__":
    main()
