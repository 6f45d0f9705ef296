"""The cyclic garbage collector paused around work that builds many long-lived objects.

Reading the cells, planning the outputs and importing numpy and pandas each make hundreds of
thousands of small objects kept to the end and no reference cycles; every collection meanwhile
would scan them all again and again (issue 15).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector afterwards as it was before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
