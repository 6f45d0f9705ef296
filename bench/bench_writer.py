"""Benchmark the package-level file writer and its share of the round trip (run by hand).

For k copies of the example (``tests/scaling_support.py`` ``scaled_example(k)``: every service,
contact, customer and customer-volume row k times), a workbook is built with ``build_workbook``;
then, in process, each phase of ``xlkc berakna`` is timed: reading (``read_workbook``), parsing
and validating, calculating, planning the outputs and writing (``render``: the new package in
memory; ``write_plan``: render + temporary file, fsync, replace). The writer is timed on the
built workbook (first run) and on its own output (second run: old rows replaced, Körlogg read),
median of ``--repeats`` with wall and CPU time side by side.

    python bench/bench_writer.py --scales 1 30 100 --repeats 5
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from scaling_support import scaled_example  # noqa: E402

from xlkc.workbook.build import build_workbook  # noqa: E402


def timed(fn, repeats: int) -> tuple[float, float, object]:  # noqa: ANN001
    """(median wall s, median CPU s, last result) of ``fn()``."""
    walls, cpus, out = [], [], None
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), out


def bench_scale(k: int, tmp: Path, repeats: int) -> dict:
    import xlkc
    from xlkc.excel.file_reader import read_workbook
    from xlkc.excel.file_writer import render, write_plan
    from xlkc.excel.output import plan_outputs
    from xlkc.excel.parse import parse_workbook
    from xlkc.excel.run import RunInfo, input_hash

    book = tmp / f"Prismodell_{k}x.xlsm"
    build_workbook(book, inputs=scaled_example(k))
    r: dict = {"k": k, "size_kb": book.stat().st_size // 1024}
    r["read"] = timed(lambda: read_workbook(book), 1)
    data = r["read"][2]
    r["parse"] = timed(lambda: parse_workbook(data), 1)
    inputs = r["parse"][2]
    r["calculate"] = timed(lambda: xlkc.calculate(inputs), 1)
    results = r["calculate"][2]
    run = RunInfo.make("berakna", input_hash(inputs), user="bench")
    r["plan"] = timed(lambda: plan_outputs(inputs, results, run), 1)
    plan = r["plan"][2]
    r["rows"] = sum(max(len(b.rows), 1) for b in plan.tables)
    r["cells"] = sum(max(len(b.rows), 1) * len(b.header) for b in plan.tables)
    r["render"] = timed(lambda: render(book, plan), repeats)
    out = tmp / f"ut_{k}x.xlsm"
    r["write"] = timed(lambda: write_plan(book, plan, out, backup=False), repeats)
    again = tmp / f"igen_{k}x.xlsm"
    r["render2"] = timed(lambda: render(out, plan), repeats)
    r["write2"] = timed(lambda: write_plan(out, plan, again, backup=False), repeats)
    r["out_kb"] = out.stat().st_size // 1024
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 30, 100])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, load average {os.getloadavg()[0]:.2f}")
    print(f"command: python bench/bench_writer.py --scales {' '.join(map(str, args.scales))} "
          f"--repeats {args.repeats}")
    head = (f"{'k':>4} {'rows':>7} {'cells':>8} {'read':>6} {'parse':>6} {'calc':>6} "
            f"{'plan':>6} | {'render':>13} {'write_plan':>13} | {'render 2nd':>13} "
            f"{'write 2nd':>13} | {'share':>11} {'µs/cell':>7} {'in kB':>6} {'out kB':>6}")
    print(head)
    with tempfile.TemporaryDirectory() as d:
        for k in args.scales:
            r = bench_scale(k, Path(d), args.repeats)
            phases = ("read", "parse", "calculate", "plan", "write")
            share = r["write"][0] / sum(r[p][0] for p in phases)
            share_cpu = r["write"][1] / sum(r[p][1] for p in phases)

            def wc(key: str, r=r) -> str:
                return f"{r[key][0]:5.3f}/{r[key][1]:5.3f}"

            print(f"{k:>4} {r['rows']:>7} {r['cells']:>8} {r['read'][0]:6.2f} "
                  f"{r['parse'][0]:6.2f} {r['calculate'][0]:6.2f} {r['plan'][0]:6.2f} | "
                  f"{wc('render'):>13} {wc('write'):>13} | {wc('render2'):>13} "
                  f"{wc('write2'):>13} | {share:5.1%}/{share_cpu:5.1%} "
                  f"{1e6 * r['write'][1] / r['cells']:7.2f} "
                  f"{r['size_kb']:>6} {r['out_kb']:>6}", flush=True)
    print("read ... plan: wall seconds of one run; render, write_plan: median wall/CPU seconds; "
          "share: write_plan's of read + parse + calculate + plan + write_plan, wall/CPU; "
          f"µs/cell: write_plan CPU per cell written; load average at end "
          f"{os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
