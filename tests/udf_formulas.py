"""Registration of the worksheet functions with the ``formulas`` package, for tests.

The canonical implementation lives in the UDF package itself (``xlkc_udfs.register_formulas``);
call it before ``formulas.ExcelModel().loads(...)``.
"""

from xlkc_udfs import UDF_NAMES, register_formulas

__all__ = ["UDF_NAMES", "register_formulas"]
