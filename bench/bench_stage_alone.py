"""Single stages against the size, each timed on its own (run by hand).

    PYTHONPATH=$PWD:$PWD/udfs python bench/bench_stage_alone.py 100 1000

For each k: the example copied k times (``tests/scaling_support.scaled_example``), built into a
workbook, read and calculated once in process; then, five times each, ``check_workbook`` (parse +
validate), ``board_price_list`` and ``customer_statement`` (the statements). Prints k, the stage
and the median CPU seconds. For stages whose slope in one run of ``bench_scaling.py`` at 1000×
looks steeper than the rest of the run.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import xlkc
from tests.scaling_support import scaled_example
from xlkc.excel.file_reader import read_workbook
from xlkc.excel.parse import check_workbook
from xlkc.statements import board_price_list, customer_statement
from xlkc.workbook.build import build_workbook


def _median_cpu(f, *args) -> float:
    times = []
    for _ in range(5):
        c = time.process_time()
        f(*args)
        times.append(time.process_time() - c)
    return statistics.median(times)


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for k in sizes:
            inputs = scaled_example(k)
            path = Path(tmp) / f"skala{k}.xlsm"
            build_workbook(path, inputs)
            data = read_workbook(path)
            results = xlkc.calculate(inputs)
            print(k, "check_workbook", f"{_median_cpu(check_workbook, data):.4f}", flush=True)
            for f in (board_price_list, customer_statement):
                print(k, f.__name__, f"{_median_cpu(f, inputs, results):.4f}", flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main([int(a) for a in sys.argv[1:]] or [100, 1000])
