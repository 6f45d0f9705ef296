"""Building the workbook Prismodell.xlsm from code (xlsxwriter + pyopenvba)."""

from xlkc.workbook.build import build_atomic, build_workbook

__all__ = ["build_atomic", "build_workbook"]
