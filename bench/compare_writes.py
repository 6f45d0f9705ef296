"""Does this tree write the same workbook as another tree (a starting commit)? Run by hand.

Each case is written twice, once by each tree, in a child process per tree (``PYTHONPATH`` set
to that tree), at the same fixed run time and user (the only time-dependent content of a
written workbook: the Start sheet's run time, the Körlogg row and row 3 of the output sheets),
and the two files are compared byte for byte, then part by part where they differ.

Cases: the example built at each ``--sizes`` k (``tests/scaling_support.scaled_example``), a
second run over the first run's output (a Körlogg with earlier rows, output sheets already
full), a run with ``--versionsnamn`` (Versioner and Jämförelse), and hand-edited workbooks
(openpyxl-saved, so other XML forms): rows and cells a user added below and beside an output
table, a user formula over an output sheet (``fullCalcOnLoad`` added), the same without
``fullCalcOnLoad`` (as Excel may save it), and the decorated
workbook of the preservation tests.

    git archive 46a38ff | tar -x -C /tmp/fw_before
    python bench/compare_writes.py /tmp/fw_before --sizes 1 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2026, 3, 14, 15, 9, 26)


def child(workbook: str, out: str, version: str) -> None:
    from xlkc.excel.file_reader import read_workbook
    from xlkc.excel.file_writer import write_plan
    from xlkc.excel.run import calculate_workbook

    plan, _, problems = calculate_workbook(read_workbook(Path(workbook)), user="jämförelse",
                                           now=NOW, version_name=version or None)
    if problems:
        raise SystemExit(f"invalid inputs: {problems[:3]}")
    write_plan(workbook, plan, out, backup=False)


def write(tree: Path, workbook: Path, out: Path, version: str = "") -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree), str(tree / "udfs")])}
    subprocess.run([sys.executable, __file__, "--child", str(workbook), str(out), version],
                   env=env, check=True, cwd=tempfile.gettempdir())


def differences(a: Path, b: Path) -> list[str]:
    if a.read_bytes() == b.read_bytes():
        return []
    za, zb = zipfile.ZipFile(a), zipfile.ZipFile(b)
    out = []
    if za.namelist() != zb.namelist():
        out.append(f"parts: {za.namelist()} != {zb.namelist()}")
    for name in za.namelist():
        if name in zb.namelist() and za.read(name) != zb.read(name):
            out.append(f"part {name} differs")
    return out or ["the archives differ (headers), every part is equal"]


def cases(tmp: Path, sizes: list[int]) -> list[tuple[str, Path, str]]:
    sys.path[:0] = [str(REPO), str(REPO / "udfs"), str(REPO / "tests"), str(REPO / "bench")]
    import openpyxl
    from bench_scaling import build
    from decorated_workbook import decorate

    out = []
    for k in sizes:
        out.append((f"{k}x", build(k, tmp), ""))
    bundled = REPO / "workbook" / "Prismodell.xlsm"
    out.append(("bundled, version", bundled, "Jämförelseversion"))
    out.append(("decorated", decorate(bundled, tmp / "dekorerad.xlsm", tmp), ""))

    wb = openpyxl.load_workbook(bundled, keep_vba=True)
    ws = wb["Prislista"]
    last = ws.max_row
    ws.cell(last + 3, 1, "Användarens anteckning under tabellen")
    ws.cell(last + 4, 2, 12345.678)
    ws.cell(6, ws.max_column + 2, "Bredvid tabellen")
    wb["Start"].cell(40, 5, "=SUM(Prislista!J6:J40)")
    wb["Självkostnad"].cell(wb["Självkostnad"].max_row + 2, 3, "=1+1")
    edited = tmp / "handredigerad.xlsm"
    wb.save(edited)
    out.append(("hand-edited (openpyxl)", edited, ""))
    # As Excel may save it: no fullCalcOnLoad, so the writer looks for formulas that name its
    # sheets (a user formula over an output sheet above) to decide whether to set it.
    out.append(("hand-edited, no fullCalcOnLoad", _without_full_calc(edited, tmp), ""))
    return out


def _without_full_calc(src: Path, tmp: Path) -> Path:
    """A copy of ``src`` whose ``<calcPr>`` has no ``fullCalcOnLoad`` attribute."""
    import re
    import zipfile

    dst = tmp / ("utan_fullcalc_" + src.name)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = re.sub(rb'\s+fullCalcOnLoad="[^"]*"', b"", data)
            zout.writestr(item, data)
    return dst


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", type=Path, nargs="?", help="the other tree (an exported starting commit)")
    ap.add_argument("--sizes", type=int, nargs="*", default=[1, 3])
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return 0
    failed = 0
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for label, workbook, version in cases(tmp, args.sizes):
            runs = []
            for tag, tree in (("before", args.before), ("after", REPO)):
                first = tmp / f"{tag}.xlsm"
                second = tmp / f"{tag}2.xlsm"
                write(tree, workbook, first, version)
                write(tree, first, second, version)  # over its own output: Körlogg kept etc.
                runs.append((first, second))
            diff = differences(runs[0][0], runs[1][0]) + [
                f"second run: {x}" for x in differences(runs[0][1], runs[1][1])]
            print(f"{label}: {'identical' if not diff else 'DIFFERENT'}", flush=True)
            for line in diff:
                print("   ", line)
            failed += bool(diff)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
