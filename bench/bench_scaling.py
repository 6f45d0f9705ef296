"""How every stage of ``xlkc berakna`` grows with the size of the inputs (run by hand).

The bundled example copied k times (``tests/scaling_support.scaled_example``: every service,
contact, customer and customer-volume row) is built into a workbook per size; each repeat of each
size then runs in a fresh child process that times every stage in process (CPU from
``time.process_time``, wall from ``perf_counter``) and reports its peak RSS
(``getrusage``): read, parse + validate, calculate split into staffing / cost / price / SLA /
follow-up (quality, price bridges, customer comparison) / reconciliation / board and customer
statements / result checks, input hash, plan, write. A stage called inside another
(``staff`` inside ``sla_prices``) counts to the outer one. Medians over the repeats; the
exponent of each stage is the least-squares slope of log CPU against log k over the sizes ≥ 10
(at 1× fixed costs dominate), beside the local slope between the two largest sizes.

``--warm N`` clicks Beräkna priser N times in one process through xlwings' Server engine (the
path ``USE UDF SERVER`` gives Excel on Windows), first click beside the later ones.
``--roundtrip`` adds the bundled workbook as whole ``xlkc berakna`` processes (CPU of the child
from ``getrusage(RUSAGE_CHILDREN)``, beside wall), the import of the CLI alone, and a cold
LibreOffice load + recalculation + save of each size's written output in the same run.

    python bench/bench_scaling.py --sizes 1 10 100 1000 --repeats 3 --roundtrip --warm 5
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "bench"), str(REPO)]

STAGES = ("read", "parse+validate", "staffing", "cost", "price", "sla", "follow-up",
          "reconcile", "statements", "result checks", "input hash", "plan", "other", "write")
#: Sum of these is what ``calculate`` costs.
CALCULATE = ("staffing", "cost", "price", "sla", "follow-up", "reconcile", "statements")


# --------------------------------------------------------------------------- child


class _Clock:
    """Attributes CPU and wall to the outermost timed stage."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        self.wall: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        self.depth = 0

    def wrap(self, module, name: str, stage: str) -> None:
        original = getattr(module, name)

        def timed(*args, **kwargs):
            if self.depth:
                return original(*args, **kwargs)
            self.depth += 1
            c, w = time.process_time(), time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.cpu[stage] += time.process_time() - c
                self.wall[stage] += time.perf_counter() - w
                self.depth -= 1

        setattr(module, name, timed)


def child(workbook: Path, out: Path) -> dict:
    """One run of every stage on ``workbook``; the figures as a dict."""
    from xlkc import crosscheck, pipeline
    from xlkc.excel import parse, run
    from xlkc.excel.file_reader import read_workbook
    from xlkc.excel.file_writer import write_plan

    clock = _Clock()
    for name, stage in (("staff", "staffing"), ("compute_costs", "cost"),
                        ("compute_prices", "price"), ("sla_prices", "sla"),
                        ("data_quality", "follow-up"), ("price_bridge", "follow-up"),
                        ("inhouse_comparison", "follow-up"), ("price_bridge_per_unit", "follow-up"),
                        ("reconcile", "reconcile"), ("with_statements", "statements"),
                        # set up once in calculate for the costs and prices and their SLA reruns
                        ("CostModel", "cost"), ("Repricer", "price")):
        clock.wrap(pipeline, name, stage)
    clock.wrap(crosscheck, "result_warnings", "result checks")
    clock.wrap(parse, "check_workbook", "parse+validate")
    clock.wrap(run, "input_hash", "input hash")
    clock.wrap(run, "plan_outputs", "plan")

    c, w = time.process_time(), time.perf_counter()
    data = read_workbook(workbook)
    clock.cpu["read"], clock.wall["read"] = time.process_time() - c, time.perf_counter() - w
    c, w = time.process_time(), time.perf_counter()
    plan, results, problems = run.calculate_workbook(data)
    cpu, wall = time.process_time() - c, time.perf_counter() - w
    if problems or results is None:
        raise SystemExit(f"invalid inputs: {problems[:3]}")
    clock.cpu["other"] = cpu - sum(clock.cpu[s] for s in STAGES if s not in ("read", "other"))
    clock.wall["other"] = wall - sum(clock.wall[s] for s in STAGES if s not in ("read", "other"))
    c, w = time.process_time(), time.perf_counter()
    write_plan(workbook, plan, out, backup=False)
    clock.cpu["write"], clock.wall["write"] = time.process_time() - c, time.perf_counter() - w
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"cpu": clock.cpu, "wall": clock.wall, "rss_mib": rss_mib}


# --------------------------------------------------------------------------- parent


def build(k: int, folder: Path) -> Path:
    from tests.scaling_support import scaled_example
    from xlkc.workbook.build import build_workbook

    path = folder / f"skala{k}.xlsm"
    build_workbook(path, inputs=scaled_example(k))
    return path


def run_child(workbook: Path, out: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO), str(REPO / "tests"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, __file__, "--child", str(workbook), str(out)],
                          capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"child failed on {workbook}:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def process_cpu(cmd: list[str], cwd: Path, env: dict[str, str] | None = None
                ) -> tuple[float, float]:
    """(CPU user + sys, wall) of one whole child process (``env``: its environment, else
    this process's)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0,):
        raise SystemExit(f"{cmd} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def soffice_cold(written: Path, tmp: Path, repeats: int) -> tuple[float, float] | None:
    """Median (CPU, wall) of a cold headless LibreOffice load + recalculate + save."""
    soffice = shutil.which("soffice")
    if soffice is None or repeats <= 0:
        return None
    tmp.mkdir(parents=True, exist_ok=True)
    cpus, walls = [], []
    for i in range(repeats):
        cmd = [soffice, "--headless", "--norestore",
               f"-env:UserInstallation=file://{tmp / f'lo-profile{i}'}", "--convert-to", "xlsx",
               "--outdir", str(tmp / f"lo{i}"), str(written)]
        cpu, wall = process_cpu(cmd, tmp)
        cpus.append(cpu)
        walls.append(wall)
    return statistics.median(cpus), statistics.median(walls)


def slope(ks: list[int], ts: list[float]) -> float:
    """Least-squares slope of log t against log k."""
    pts = [(math.log(k), math.log(t)) for k, t in zip(ks, ts, strict=True) if t > 0]
    if len(pts) < 2:
        return float("nan")
    mx = statistics.fmean(x for x, _ in pts)
    my = statistics.fmean(y for _, y in pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sxx if sxx else float("nan")


def roundtrip(repeats: int, tmp: Path) -> None:
    cli = [sys.executable, "-c", "import sys; from xlkc.cli import main; sys.exit(main())"]
    bundled = REPO / "workbook" / "Prismodell.xlsm"
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "xlkc --help": [*cli, "--help"],
        "import CLI, reader, run, writer": [sys.executable, "-c", (
            "import xlkc.cli, xlkc.excel.file_reader, xlkc.excel.run, "
            "xlkc.excel.file_writer, xlkc.pipeline")],
        "xlkc exempel": [*cli, "exempel"],
        "xlkc validera (bundled)": [*cli, "validera", str(bundled)],
        "xlkc berakna (bundled)": [*cli, "berakna", str(bundled), "-o", str(tmp / "rt.xlsm")],
    }
    process_cpu(cases["xlkc berakna (bundled)"], tmp)  # warm the page cache and .pyc files
    print("\nwhole processes, bundled workbook (median of "
          f"{repeats}; CPU = user + sys of the child):")
    for label, cmd in cases.items():
        runs = [process_cpu(cmd, tmp) for _ in range(repeats)]
        print(f"  {label:34s} CPU {statistics.median(c for c, _ in runs):5.2f} s   "
              f"wall {statistics.median(w for _, w in runs):5.2f} s")


def warm_child(clicks: int) -> dict:
    """Click Beräkna priser ``clicks`` times in this process through xlwings' Server engine
    (the warm path of ``USE UDF SERVER``); CPU and wall of each click."""
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    import xlwings as xw

    from tests.xlwings_payload import payload_from_xlsx

    payload = payload_from_xlsx(REPO / "workbook" / "Prismodell.xlsm")
    out = []
    for _ in range(clicks):
        book = xw.Book(json=copy.deepcopy(payload))
        book.set_mock_caller()
        c, w = time.process_time(), time.perf_counter()
        import xlkc.excel

        run = xlkc.excel.berakna_priser()
        out.append((time.process_time() - c, time.perf_counter() - w))
        if not run.ok:
            raise SystemExit(run.message)
    return {"clicks": out}


def warm(clicks: int, repeats: int) -> None:
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial", "PYTHONPATH": os.pathsep.join(
        [str(REPO), os.environ.get("PYTHONPATH", "")])}
    firsts, laters = [], []
    for _ in range(repeats):
        proc = subprocess.run([sys.executable, __file__, "--warm-child", str(clicks)],
                              capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"warm child failed:\n{proc.stderr[-3000:]}")
        got = json.loads(proc.stdout.strip().splitlines()[-1])["clicks"]
        firsts.append(got[0])
        laters += got[1:]
    print(f"\nwarm path, bundled workbook through xlwings' Server engine ({repeats} processes "
          f"x {clicks} clicks; the xlwings import and the payload are not counted):")
    print(f"  first click in a process   CPU {statistics.median(c for c, _ in firsts):5.2f} s   "
          f"wall {statistics.median(w for _, w in firsts):5.2f} s  (imports xlkc, pandas, ...)")
    print(f"  every later click          CPU {statistics.median(c for c, _ in laters):5.2f} s   "
          f"wall {statistics.median(w for _, w in laters):5.2f} s")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--warm-child":
        print(json.dumps(warm_child(int(sys.argv[2]))))
        return
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(Path(sys.argv[2]), Path(sys.argv[3]))))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--lo-repeats", type=int, default=1,
                    help="cold LibreOffice runs per size (0: none)")
    ap.add_argument("--big", type=int, default=300, help="sizes from here on run ...")
    ap.add_argument("--big-repeats", type=int, default=1, help="... this many times")
    ap.add_argument("--roundtrip", action="store_true")
    ap.add_argument("--warm", type=int, default=0, metavar="CLICKS",
                    help="also click the Server-engine entry point CLICKS times per process")
    args = ap.parse_args()

    print(f"date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; machine "
          f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"load average at start {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if args.roundtrip:
            roundtrip(args.repeats, tmp)
        if args.warm:
            warm(args.warm, args.repeats)
        table: dict[int, dict] = {}
        for k in args.sizes:
            t0 = time.perf_counter()
            wb = build(k, tmp)
            built = time.perf_counter() - t0
            repeats = args.repeats if k < args.big else args.big_repeats
            runs = [run_child(wb, tmp / f"ut{k}.xlsm") for _ in range(repeats)]
            med = {kind: {s: statistics.median(r[kind][s] for r in runs) for s in STAGES}
                   for kind in ("cpu", "wall")}
            med["rss_mib"] = max(r["rss_mib"] for r in runs)
            cli = [sys.executable, "-c", "import sys; from xlkc.cli import main; sys.exit(main())",
                   "berakna", str(wb), "-o", str(tmp / f"cli{k}.xlsm")]
            whole = [process_cpu(cli, tmp) for _ in range(repeats)]
            med["process"] = (statistics.median(c for c, _ in whole),
                              statistics.median(w for _, w in whole))
            lo = soffice_cold(tmp / f"ut{k}.xlsm", tmp / f"lo{k}", args.lo_repeats)
            med["lo"] = lo
            table[k] = med
            cpu, wall = sum(med["cpu"].values()), sum(med["wall"].values())
            calc = sum(med["cpu"][s] for s in CALCULATE)
            line = (f"{k:>5}×  total CPU {cpu:7.2f} s  wall {wall:7.2f} s  "
                    f"(calculate {calc:6.2f} s CPU)  peak RSS {med['rss_mib']:6.0f} MiB  "
                    f"[built in {built:.1f} s]")
            pc, pw = med["process"]
            line += f"\n        whole xlkc berakna process: CPU {pc:.2f} s, wall {pw:.2f} s"
            if lo:
                line += (f"; LibreOffice cold load + recalculate + save of the output: CPU "
                         f"{lo[0]:.2f} s, wall {lo[1]:.2f} s; xlkc/LibreOffice CPU "
                         f"{pc / lo[0]:.2f}, wall {pw / lo[1]:.2f}")
            print(line + f"  n={repeats}", flush=True)
            print("        CPU per stage: " + ", ".join(
                f"{st} {med['cpu'][st]:.3f}" for st in STAGES), flush=True)
        ks = list(table)
        print("\nCPU seconds per stage (median), wall in brackets; exponent = slope of "
              "log CPU on log k over k ≥ 10, and between the two largest sizes")
        print(f"{'stage':15s}" + "".join(f"{f'{k}×':>20s}" for k in ks) + "   exp(≥10)  exp(last)")
        for s in (*STAGES, "TOTAL"):
            def cpu_of(k, s=s):
                return (sum(table[k]["cpu"].values()) if s == "TOTAL" else table[k]["cpu"][s])

            def wall_of(k, s=s):
                return (sum(table[k]["wall"].values()) if s == "TOTAL" else table[k]["wall"][s])

            big = [k for k in ks if k >= 10]
            e_all = slope(big, [cpu_of(k) for k in big])
            e_last = slope(ks[-2:], [cpu_of(k) for k in ks[-2:]]) if len(ks) > 1 else math.nan
            cells = "".join(f"{cpu_of(k):10.3f} ({wall_of(k):6.2f})" for k in ks)
            print(f"{s:15s}{cells}   {e_all:8.2f}  {e_last:8.2f}")
    print(f"load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
