"""Where the workbook that comes with xlkc is: the checkout's, or the installed wheel's copy.

Its own module so that the command line finds it without importing :mod:`xlkc.install`.
"""

from __future__ import annotations

from pathlib import Path

#: The workbook inside an installed wheel (copied there by setup.py's build_py).
PACKAGED_WORKBOOK = Path(__file__).resolve().parent / "data" / "Prismodell.xlsm"
#: The workbook of a checkout (an editable install, the repository itself).
CHECKOUT_WORKBOOK = Path(__file__).resolve().parents[1] / "workbook" / "Prismodell.xlsm"


def bundled_workbook() -> Path:
    """The workbook that comes with xlkc: the checkout's when there is one, else the wheel's."""
    return CHECKOUT_WORKBOOK if CHECKOUT_WORKBOOK.is_file() else PACKAGED_WORKBOOK
