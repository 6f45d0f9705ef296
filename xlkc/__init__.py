"""xlkc: self-cost price model for a municipal contact centre (Prismodell Kontaktcenter).

Importing the package is cheap (``xlkc --help`` needs nothing more): the version, the example and
the calculation (pandas, numpy) are imported when first used.
"""

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


def calculate(inputs):
    """Run the whole pipeline (see :func:`xlkc.pipeline.calculate`)."""
    from xlkc.pipeline import calculate as _calculate

    return _calculate(inputs)


__all__ = ["InputError", "ValidationError", "XlkcError", "__version__", "calculate",
           "example_inputs"]
