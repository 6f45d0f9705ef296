"""What a click of Beräkna priser costs as a new process, installed as a controller installs it.

In Excel every click starts ``python`` anew (RunPython without the UDF server), so the whole
process is what the controller waits for. This measures it the way a controller runs it: xlkc
installed from the wheel into a virtual environment of its own (``pip install .``: bytecode
compiled at install, no editable-install finder on ``sys.path``), then ``xlkc berakna`` on the
bundled workbook as whole processes, interleaved round by round with its peers in the same
environment:

- ``python -c pass`` (the interpreter's start),
- ``import numpy``, ``import pandas`` (what the core's tables cost before any work),
- the imports of a click (the CLI, reader, runner and writer) without running anything,
- ``xlkc berakna`` (read, validate, calculate, plan, write, print).

CPU is user + system time of the child (``getrusage(RUSAGE_CHILDREN)``), beside wall time;
medians over ``--repeats`` rounds. ``--venv DIR`` reuses (or creates) the environment there;
``--reinstall`` installs this checkout into it again first.

    python bench/bench_click.py --venv /tmp/xlkc-click --reinstall --repeats 11
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from bench_scaling import process_cpu  # noqa: E402

CLICK_IMPORTS = ("import xlkc.cli, xlkc.excel.file_reader, xlkc.excel.run, "
                 "xlkc.excel.file_writer")


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def prepare(venv: Path, reinstall: bool) -> None:
    """A virtual environment with this checkout installed as a wheel would install it."""
    if not _bin(venv, "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        reinstall = True
    if reinstall:
        subprocess.run([str(_bin(venv, "python")), "-m", "pip", "install", "-q",
                        "--force-reinstall", "--no-deps", str(REPO)], check=True)
        subprocess.run([str(_bin(venv, "python")), "-m", "pip", "install", "-q", str(REPO)],
                       check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--venv", type=Path, default=Path(tempfile.gettempdir()) / "xlkc-click")
    ap.add_argument("--reinstall", action="store_true")
    ap.add_argument("--repeats", type=int, default=11)
    args = ap.parse_args()
    prepare(args.venv, args.reinstall)
    python = str(_bin(args.venv, "python"))
    # The machine's own settings stay out of it: no bytecode switch-off, no BLAS thread choice.
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "OPENBLAS_NUM_THREADS",
                        "PYTHONPYCACHEPREFIX")}
    cases = {
        "python -c pass": [python, "-c", "pass"],
        "import numpy": [python, "-c", "import numpy"],
        "import pandas": [python, "-c", "import pandas"],
        "imports of a click": [python, "-c", CLICK_IMPORTS],
        "xlkc berakna (bundled)": [str(_bin(args.venv, "xlkc")), "berakna", "-o", "ut.xlsm"],
    }
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        for cmd in cases.values():  # warm the file cache once
            process_cpu(cmd, cwd, env)
        cpu: dict[str, list[float]] = {k: [] for k in cases}
        wall: dict[str, list[float]] = {k: [] for k in cases}
        for _ in range(args.repeats):
            for name, cmd in cases.items():
                c, w = process_cpu(cmd, cwd, env)
                cpu[name].append(c)
                wall[name].append(w)
    version = subprocess.run([python, "-c", "import xlkc, numpy, pandas; print(xlkc.__version__, "
                              "numpy.__version__, pandas.__version__)"],
                             capture_output=True, text=True, check=True).stdout.split()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}; xlkc {version[0]}, "
          f"numpy {version[1]}, pandas {version[2]}; load average {os.getloadavg()[0]:.2f}; "
          f"median of {args.repeats} interleaved rounds")
    print(f"{'process':<26}{'CPU s':>8}{'wall s':>8}{'min CPU':>9}")
    for name in cases:
        print(f"{name:<26}{statistics.median(cpu[name]):8.3f}{statistics.median(wall[name]):8.3f}"
              f"{min(cpu[name]):9.3f}")
    run = statistics.median(c - i for c, i in zip(cpu["xlkc berakna (bundled)"],
                                                   cpu["imports of a click"], strict=True))
    print(f"berakna beyond its imports (median of the round differences): {run:.3f} s CPU")


if __name__ == "__main__":
    main()
