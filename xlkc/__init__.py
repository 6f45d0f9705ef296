"""xlkc: self-cost price model for a municipal contact centre (Prismodell Kontaktcenter).

Importing the package is cheap (``xlkc --help`` needs nothing more): the version, the example and
the calculation (pandas, numpy) are imported when first used.
"""

import contextlib
import gc

from xlkc import collector
from xlkc.errors import InputError, ValidationError, XlkcError


def __getattr__(name: str):
    """``xlkc.__version__`` and ``xlkc.example_inputs``, imported on first use."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("xlkc")
        except PackageNotFoundError:  # running from a source tree that is not installed
            value = "0.0.0"
    elif name == "example_inputs":
        from xlkc.example import example_inputs as value
    else:
        raise AttributeError(f"module 'xlkc' has no attribute {name!r}")
    globals()[name] = value
    return value


def one_blas_thread() -> None:
    """Ask OpenBLAS for one thread, unless the environment already says how many.

    A run's linear algebra is a few vector products and solves of a handful of overhead pools;
    OpenBLAS starting a thread per core when numpy is imported costs more CPU than the threads
    ever save (about 0.1-0.2 s of a 0.8 s ``xlkc berakna``, issue 15). Called by the entry points
    (the command line, the workbook's buttons) before numpy is imported; no effect after.
    """
    import os

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


_settled = False


@contextlib.contextmanager
def settled_imports():
    """Import an entry point's modules with the cyclic garbage collector paused, then hide what
    was imported from it (``gc.freeze``, once per process) and restore it as it was.

    numpy, pandas and xlkc leave a few hundred thousand objects behind at import; collections
    during the import and every full collection during the run would scan them again and again,
    though they live as long as the process (about 0.04 s of the imports and 0.05 s of a bundled
    ``xlkc berakna``, issue 15). The freeze happens once: in a process that stays open between
    clicks (the UDF server) the later clicks' objects stay collectable.
    """
    global _settled
    with collector.paused():
        try:
            yield
        finally:
            if not _settled:
                gc.freeze()
                _settled = True


def calculate(inputs):
    """Run the whole pipeline (see :func:`xlkc.pipeline.calculate`)."""
    from xlkc.pipeline import calculate as _calculate

    return _calculate(inputs)


__all__ = ["InputError", "ValidationError", "XlkcError", "__version__", "calculate",
           "example_inputs", "one_blas_thread", "settled_imports"]
