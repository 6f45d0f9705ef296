"""Benchmark: importing a year of 15-minute statistics for 50 queues, xlkc vs pandas.

Run by hand (not collected by pytest):

    python bench/bench_import.py [--queues 50] [--repeats 5] [--dir /tmp/xlkc_bench_import]

Writes one canonical CSV per queue (all 96 quarter-hours of all 365 days: 35 040 rows a queue,
1 752 000 in all, `;` with decimal comma, Swedish header), then times
``read_files`` + ``queue_stats`` + ``service_volumes`` + ``group_profiles`` (the import) and,
apart, ``quality_report``; the peer is pandas ``read_csv`` (C engine, ``decimal=","``) +
``groupby("kö").sum()`` on the same files. Each repeat runs in a fresh child process, so peak RSS
(``ru_maxrss``) is that case's own. Developer tool: output is in English.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HEADER = ("datum;intervall;kö;erbjudna;besvarade;avbrutna;korta_avbrutna;överflöde_ut;"
          "samtalstid_s;efterarbete_s;besvarade_inom_sl;väntetid_s\n")


def make_files(folder: Path, queues: int, year: int = 2026) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    days = np.arange(np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01"))
    rng = np.random.default_rng(1)
    paths = []
    times = [f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 1440, 15)]
    for q in range(queues):
        path = folder / f"ko_{q:02d}.csv"
        paths.append(path)
        if path.exists():
            continue
        n = days.size * 96
        offered = rng.poisson(8, n)
        answered = np.minimum(offered, rng.poisson(7, n))
        talk = answered * rng.uniform(100, 400, n)
        lines = [HEADER]
        ds = np.repeat(days.astype(str), 96)
        for j in range(n):
            lines.append(f"{ds[j]};{times[j % 96]};Kö {q};{offered[j]};{answered[j]};"
                         f"{offered[j] - answered[j]};0;0;{talk[j]:.1f};{answered[j] * 30};"
                         f"{answered[j]};{answered[j] * 12}\n".replace(".", ","))
        path.write_text("".join(lines), encoding="utf-8")
    return paths


def run_xlkc(paths, quality):
    from xlkc.statistics import (
        QueueMapping,
        group_profiles,
        quality_report,
        queue_stats,
        read_files,
        service_volumes,
    )
    data = read_files(paths)
    mapping = [QueueMapping(q, f"S{k % 10}", "telefon", 1.0) for k, q in enumerate(data.queues)]
    queue_stats(data)
    service_volumes(data, mapping, 2027)
    group_profiles(data, mapping, {f"S{k}": f"G{k % 3}" for k in range(10)}, 0, 24)
    if quality:
        quality_report(data, 0, 24)
    return len(data)


def run_pandas(paths):
    import pandas as pd
    frames = [pd.read_csv(p, sep=";", decimal=",", encoding="utf-8") for p in paths]
    df = pd.concat(frames, ignore_index=True)
    df.groupby("kö").sum(numeric_only=True)
    return len(df)


def child(case, paths, conn):
    w0, c0 = time.perf_counter(), time.process_time()
    if case == "pandas":
        rows = run_pandas(paths)
    else:
        rows = run_xlkc(paths, quality=case == "xlkc+quality")
    conn.send({"wall": time.perf_counter() - w0, "cpu": time.process_time() - c0, "rows": rows,
               "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def measure(case, paths):
    parent, kid = mp.Pipe()
    p = mp.get_context("fork").Process(target=child, args=(case, paths, kid))
    p.start()
    out = parent.recv()
    p.join()
    return out


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--queues", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--dir", default="/tmp/xlkc_bench_import")
    a = ap.parse_args(argv)
    paths = make_files(Path(a.dir), a.queues)
    size = sum(p.stat().st_size for p in paths) / 2**20
    cases = ("xlkc", "xlkc+quality", "pandas")
    res = {c: [] for c in cases}
    ratios = []
    for _ in range(a.repeats):  # interleaved
        for c in cases:
            res[c].append(measure(c, paths))
        ratios.append(res["xlkc"][-1]["wall"] / res["pandas"][-1]["wall"])
    print(f"- Command: `python bench/bench_import.py --queues {a.queues} --repeats {a.repeats}`")
    print(f"- Date: {time.strftime('%Y-%m-%d')}; {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, numpy {np.__version__}; load average at start "
          f"{os.getloadavg()[0]:.2f}")
    print(f"- Files: {len(paths)} × {res['xlkc'][0]['rows'] // len(paths):,} rows = "
          f"{res['xlkc'][0]['rows']:,} rows, {size:.0f} MiB")
    print("\n| case | wall (median, min–max) | CPU (median) | peak RSS (max) |\n|---|---|---|---|")
    for c in cases:
        w = [r["wall"] for r in res[c]]
        print(f"| {c} | {statistics.median(w):.2f} s ({min(w):.2f}–{max(w):.2f}) | "
              f"{statistics.median(r['cpu'] for r in res[c]):.2f} s | "
              f"{max(r['rss_mib'] for r in res[c]):.0f} MiB |")
    print(f"\n- xlkc / pandas wall, median of per-repeat ratios: {statistics.median(ratios):.2f}")
    json.dump(res, sys.stderr)


if __name__ == "__main__":
    main()
