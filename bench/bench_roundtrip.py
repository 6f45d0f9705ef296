"""Benchmark the round trip `xlkc berakna` end to end, as whole processes (run by hand).

For the bundled workbook and a generated large one (500 services x 5 channels, 300 customers,
``bench/large_inputs.py``) this times ``xlkc berakna ARBETSBOK -o UT`` as a new process each time
(median of ``--repeats``; Python start-up, imports, reading, calculating and writing included),
measures its peak RSS with ``/usr/bin/time -v``, and compares with LibreOffice recalculating the
same written file headless (a cold ``soffice --convert-to`` process, and a warm load +
calculateAll through ``tests/lo_harness.py``). ``--profile`` adds an in-process cProfile of the
large run, phase by phase.

    python bench/bench_roundtrip.py --repeats 5 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "bench"), str(REPO)]

from large_inputs import large_inputs  # noqa: E402

import xlkc  # noqa: E402
from xlkc.workbook.build import DEFAULT_PATH, build_workbook  # noqa: E402


def xlkc_command() -> list[str]:
    """The installed console script beside this interpreter (no pyenv shim), else -m."""
    script = Path(sys.executable).with_name("xlkc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "xlkc.cli"]


def timed_run(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one process, via /usr/bin/time -v when present."""
    use_time = os.access("/usr/bin/time", os.X_OK)
    full = ["/usr/bin/time", "-v", *cmd] if use_time else cmd
    t0 = time.perf_counter()
    proc = subprocess.run(full, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n"
                         f"{proc.stderr}")
    rss = float("nan")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    if m:
        rss = int(m.group(1)) / 1024
    return wall, rss


def bench_berakna(workbook: Path, out: Path, repeats: int) -> dict:
    walls, rsss = [], []
    for _ in range(repeats):
        out.unlink(missing_ok=True)
        wall, rss = timed_run([*xlkc_command(), "berakna", str(workbook), "-o", str(out)],
                              cwd=out.parent)
        walls.append(wall)
        rsss.append(rss)
    return {"median": statistics.median(walls), "min": min(walls), "max": max(walls),
            "rss": max(rsss), "walls": walls}


def bench_startup(repeats: int, tmp: Path) -> dict:
    res = {}
    for label, code in (("python", "pass"), ("import xlkc.cli + run/writer",
                                             "import xlkc.cli, xlkc.excel.run, "
                                             "xlkc.excel.file_writer, xlkc.excel.file_reader")):
        walls = [timed_run([sys.executable, "-c", code], cwd=tmp)[0] for _ in range(repeats)]
        res[label] = statistics.median(walls)
    return res


def bench_soffice_cold(written: Path, tmp: Path, repeats: int) -> float | None:
    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    walls = []
    for i in range(repeats):
        outdir = tmp / f"lo{i}"
        profile = tmp / f"lo-profile{i}"
        cmd = [soffice, "--headless", "--norestore",
               f"-env:UserInstallation=file://{profile}", "--convert-to", "xlsx",
               "--outdir", str(outdir), str(written)]
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, timeout=300)
        walls.append(time.perf_counter() - t0)
    return statistics.median(walls)


def bench_soffice_warm(written: Path, repeats: int) -> float | None:
    try:
        from tests import lo_harness as lo
    except ImportError:
        return None
    if lo.unavailable_reason():
        return None
    sheets = [s for s in ("Prislista", "Självkostnad", "Kunddebitering")]
    lo.recalculate(written, sheets=sheets)  # starts soffice
    walls = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        lo.recalculate(written, sheets=sheets)
        walls.append(time.perf_counter() - t0)
    lo.shutdown()
    return statistics.median(walls)


def profile_phases(workbook: Path, out: Path, top: int) -> str:
    """Time each phase in-process and profile the calculation."""
    from xlkc.excel.file_reader import read_workbook
    from xlkc.excel.file_writer import write_plan
    from xlkc.excel.output import plan_outputs
    from xlkc.excel.parse import parse_workbook
    from xlkc.excel.run import RunInfo, input_hash

    lines = []
    t = time.perf_counter()
    data = read_workbook(workbook)
    lines.append(f"read_workbook   {time.perf_counter() - t:6.2f} s")
    t = time.perf_counter()
    inputs = parse_workbook(data)
    lines.append(f"parse_workbook  {time.perf_counter() - t:6.2f} s  (includes validate)")
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    results = xlkc.calculate(inputs)
    prof.disable()
    lines.append(f"calculate       {time.perf_counter() - t:6.2f} s")
    t = time.perf_counter()
    plan = plan_outputs(inputs, results, RunInfo.make("berakna", input_hash(inputs)))
    lines.append(f"plan_outputs    {time.perf_counter() - t:6.2f} s  "
                 f"({plan.meta['formula_cells']} formula cells)")
    t = time.perf_counter()
    write_plan(workbook, plan, out)
    lines.append(f"write_plan      {time.perf_counter() - t:6.2f} s")
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(top)
    body = "\n".join(ln for ln in buf.getvalue().splitlines()
                     if ln.strip() and "{built-in" not in ln)
    return "\n".join(lines) + "\n\ncalculate, cumulative:\n" + body


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--lo-repeats", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        large = tmp / "Prismodell_stor.xlsm"
        t = time.perf_counter()
        inputs = large_inputs(500, 300)
        build_workbook(large, inputs=inputs)
        print(f"built large workbook in {time.perf_counter() - t:.1f} s: "
              f"{len(inputs.services)} services, {len(inputs.contacts)} contact rows, "
              f"{len(inputs.customers)} customers, {len(inputs.customer_volumes)} customer "
              f"volumes, {large.stat().st_size // 1024} kB")
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
              f"{platform.python_version()}, load average {os.getloadavg()[0]:.2f}")
        print(f"command: {' '.join(xlkc_command())} berakna ARBETSBOK -o UT")
        for label, v in bench_startup(args.repeats, tmp).items():
            print(f"start-up {label}: {v:.2f} s")
        written = tmp / "stor_beraknad_forra.xlsm"
        for name, wb in (("bundled", DEFAULT_PATH), ("large", large),
                         ("large, again on its written output", written)):
            out = tmp / f"{name.split(',')[0]}_beraknad.xlsm"
            r = bench_berakna(wb, out, args.repeats)
            if name == "large":
                shutil.copyfile(out, written)
            print(f"xlkc berakna {name}: median {r['median']:.2f} s (min {r['min']:.2f}, "
                  f"max {r['max']:.2f}, n={args.repeats}), peak RSS {r['rss']:.0f} MiB, "
                  f"output {out.stat().st_size // 1024} kB")
            if "again" in name:
                continue
            cold = bench_soffice_cold(out, tmp / name, args.lo_repeats)
            warm = bench_soffice_warm(out, args.lo_repeats)
            if cold is not None:
                print(f"  LibreOffice cold soffice --convert-to (load + recalc + save): "
                      f"{cold:.2f} s")
            if warm is not None:
                print(f"  LibreOffice warm load + calculateAll + read 3 sheets: {warm:.2f} s")
        print(f"load average at end {os.getloadavg()[0]:.2f}")
        if args.profile:
            print("\nprofile of the large run, in process:")
            print(profile_phases(large, tmp / "profiled.xlsm", args.top))


if __name__ == "__main__":
    main()
