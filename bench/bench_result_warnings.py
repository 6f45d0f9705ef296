"""The result warnings against the size: CPU of ``crosscheck.result_warnings`` (run by hand).

    PYTHONPATH=$PWD:$PWD/udfs:$PWD/tests python bench/bench_result_warnings.py 100 1000

For each k: the example copied k times (``tests/scaling_support.scaled_example``), calculated
once in process, then the warnings checked five times; prints k, the number of warnings and the
median CPU seconds.
"""

from __future__ import annotations

import statistics
import sys
import time

import xlkc
from tests.scaling_support import scaled_example
from xlkc import crosscheck


def main(sizes: list[int]) -> None:
    for k in sizes:
        inputs = scaled_example(k)
        results = xlkc.calculate(inputs)
        times = []
        for _ in range(5):
            c = time.process_time()
            warnings = crosscheck.result_warnings(inputs, results)
            times.append(time.process_time() - c)
        print(k, len(warnings), f"{statistics.median(times):.4f}", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 1000])
