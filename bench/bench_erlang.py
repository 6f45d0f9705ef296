"""Benchmark: xlkc agents_needed vs pyworkforce ErlangC over a year of hourly intervals.

Run by hand (not collected by pytest):

    python bench/bench_erlang.py [--pools 1000] [--repeats 5] [--sample 2000]

Generates ``pools × 2 259`` hourly intervals (251 days × 9 opening hours) of plausible loads,
solves them all with ``xlkc.staffing.erlang.agents_needed``, solves a random sample with
pyworkforce's ``ErlangC.required_positions`` and asserts the same answers, and prints the
figures as a Markdown block for BENCHMARKS.md. Developer tool: output is in English.
"""

from __future__ import annotations

import os

# One core, no hidden BLAS/OpenMP threads (must be set before numpy is imported).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402

from xlkc.staffing.erlang import agents_needed  # noqa: E402

DAYS, HOURS = 251, 9  # working days per year, opening hours 08-17
SL, OCC = 0.80, 0.85


def make_loads(pools: int, seed: int) -> dict[str, np.ndarray]:
    """Plausible hourly loads: pool size × month × weekday × hour-of-day profile × noise."""
    rng = np.random.default_rng(seed)
    day = np.arange(DAYS)
    month = np.minimum(day // 21, 11)  # ~21 working days a month
    weekday = day % 5
    month_f = np.array([1.15, 1.1, 1.05, 1.0, 0.95, 0.9, 0.6, 0.9, 1.1, 1.05, 1.0, 0.85])
    weekday_f = np.array([1.25, 1.05, 0.95, 0.95, 0.8])
    hour_f = np.array([0.9, 1.3, 1.35, 1.1, 0.8, 1.05, 1.1, 0.9, 0.5])
    shape = (month_f[month] * weekday_f[weekday])[:, None] * hour_f[None, :]  # (days, hours)
    shape = shape.reshape(-1) / shape.max()
    aht_s = rng.uniform(180.0, 600.0, size=(pools, 1))
    answer_s = rng.choice([20.0, 30.0, 45.0, 60.0], size=(pools, 1))
    peak = np.exp(rng.uniform(np.log(1.0), np.log(60.0), size=(pools, 1)))
    noise = rng.lognormal(0.0, 0.08, size=(pools, shape.size))
    a_raw = np.clip(peak * shape[None, :] * noise, 0.5, 60.0)
    # Express the load as calls per hour and rebuild it with pyworkforce's own arithmetic
    # (intensity = transactions / interval * aht, minutes), so both solve the same a.
    aht_min = aht_s / 60.0
    calls = a_raw * 60.0 / aht_min
    a = (calls / 60.0) * aht_min
    return {"a": a, "calls": calls, "aht_s": aht_s, "answer_s": answer_s}


def pyworkforce_solve(erlang_c_cls, calls, aht_s, answer_s) -> list[int]:
    out = []
    for c, h, t in zip(calls, aht_s, answer_s, strict=True):
        erl = erlang_c_cls(transactions=c, aht=h / 60.0, asa=t / 60.0, interval=60)
        out.append(erl.required_positions(service_level=SL, max_occupancy=OCC)["raw_positions"])
    return out


def median_time(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pools", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--sample", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args(argv)

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from pyworkforce.queuing import ErlangC

    load = os.getloadavg()[0]
    loads = make_loads(args.pools, args.seed)
    a, aht_s, answer_s = loads["a"], loads["aht_s"], loads["answer_s"]
    total = a.size

    def solve_all():
        return agents_needed(a, aht_s, SL, answer_s, max_occupancy=OCC)

    solve_all()  # warm-up
    rng = np.random.default_rng(args.seed + 1)
    pick = rng.choice(total, size=args.sample, replace=False)
    p_idx, i_idx = np.unravel_index(pick, a.shape)
    s_calls = loads["calls"][p_idx, i_idx].tolist()
    s_aht = aht_s[p_idx, 0].tolist()
    s_ans = answer_s[p_idx, 0].tolist()
    s_a = a[p_idx, i_idx]

    def solve_sample():
        return agents_needed(s_a, np.array(s_aht), SL, np.array(s_ans), max_occupancy=OCC)

    def solve_pwf():
        return pyworkforce_solve(ErlangC, s_calls, s_aht, s_ans)

    solve_sample()  # warm-up
    # Interleaved repeats, so that both sides see the same machine load; the speed-up is the
    # median of the per-repeat ratios.
    t_all, t_pwf, t_xs = [], [], []
    for _ in range(args.repeats):
        for times, fn in ((t_all, solve_all), (t_pwf, solve_pwf), (t_xs, solve_sample)):
            t0 = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t0)
            if fn is solve_all:
                n_xlkc = result
            elif fn is solve_pwf:
                n_pwf = result
            else:
                n_xs = result
    t_xlkc, t_pwf_med, t_xs_med = (statistics.median(x) for x in (t_all, t_pwf, t_xs))
    ratio = statistics.median((p / args.sample) / (x / total) for p, x in zip(t_pwf, t_all,
                                                                              strict=True))
    ratio_s = statistics.median(p / x for p, x in zip(t_pwf, t_xs, strict=True))

    tracemalloc.start()
    solve_all()
    peak_traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    mismatches = int(np.sum(np.asarray(n_pwf) != n_xlkc[p_idx, i_idx]))
    assert mismatches == 0, f"{mismatches} of {args.sample} sample intervals differ"
    assert n_xs.tolist() == n_pwf

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per_xlkc = t_xlkc / total
    per_pwf = t_pwf_med / args.sample
    per_xs = t_xs_med / args.sample
    cmd = "python bench/bench_erlang.py " + " ".join(sys.argv[1:] if argv is None else argv)
    print(f"""## Erlang C: agents_needed

Smallest agents per interval meeting SL {SL:.0%} within the pool's answer time (20/30/45/60 s)
and occupancy <= {OCC}, for {args.pools} pools × {DAYS * HOURS} hourly intervals
({DAYS} days × {HOURS} h) = {total:,} intervals; loads {a.min():.2f}–{a.max():.2f} Erlang
(pool size × month × weekday × hour profile × noise), AHT 180–600 s per pool.
Median of {args.repeats} interleaved repeats, one core (affinity pinned, BLAS/OpenMP threads = 1).

- Command: `{cmd.strip()}`
- Date: {dt.date.today().isoformat()}; machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}),
  Python {platform.python_version()}, numpy {np.__version__}; load average at start
  {load:.2f} (shared machine: the absolute times are noisy, the ratio less so)
- xlkc, all {total:,} intervals: **{t_xlkc:.3f} s** ({per_xlkc * 1e9:.0f} ns per interval)
- xlkc, the {args.sample:,}-interval sample alone: {t_xs_med * 1e3:.2f} ms
  ({per_xs * 1e6:.2f} µs per interval)
- pyworkforce 0.5.1 `ErlangC.required_positions`, same sample: {t_pwf_med:.3f} s
  ({per_pwf * 1e6:.1f} µs per interval)
- Speed-up per interval (median of per-repeat ratios): **{ratio:,.0f}×** (full batch) /
  {ratio_s:,.0f}× (the sample alone, one vectorised call of {args.sample:,})
- Answers on the sample: {args.sample - mismatches} of {args.sample} equal to pyworkforce
- Memory: tracemalloc peak during one full solve {peak_traced / 2**20:.0f} MiB;
  process max RSS {rss_mb:.0f} MiB (includes inputs, pyworkforce, interpreter)
- Targets: ≥ 50× per interval {'met' if ratio >= 50 else 'MISSED'};
  < 2 s total {'met' if t_xlkc < 2 else 'MISSED'}; < 500 MB {'met' if rss_mb < 500 else 'MISSED'}
""")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
