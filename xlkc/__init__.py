"""xlkc: self-cost price model for a municipal contact centre (Prismodell Kontaktcenter)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("xlkc")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

from xlkc.errors import InputError, ValidationError, XlkcError  # noqa: E402
from xlkc.example import example_inputs  # noqa: E402


def calculate(inputs):
    """Run the whole pipeline (see :func:`xlkc.pipeline.calculate`)."""
    from xlkc.pipeline import calculate as _calculate

    return _calculate(inputs)


__all__ = ["InputError", "ValidationError", "XlkcError", "__version__", "calculate",
           "example_inputs"]
