"""Build hook: the wheel carries the workbook as package data (``xlkc/data/Prismodell.xlsm``).

Metadata lives in pyproject.toml. The workbook stays at ``workbook/Prismodell.xlsm`` in the
repository (built by ``xlkc bygg``, committed); ``build_py`` copies it into the package it builds,
so ``xlkc berakna`` installed from a wheel finds it (``xlkc.install.bundled_workbook``). An
editable install reads it from the checkout instead.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

WORKBOOK = Path("workbook") / "Prismodell.xlsm"


class BuildPyWithWorkbook(build_py):
    """``build_py`` plus a copy of the workbook into ``xlkc/data/``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # the checkout's own workbook is used
        if not WORKBOOK.is_file():
            raise SystemExit(f"{WORKBOOK} saknas: kör 'xlkc bygg' först")
        target = Path(self.build_lib) / "xlkc" / "data" / WORKBOOK.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(WORKBOOK, target)


setup(cmdclass={"build_py": BuildPyWithWorkbook})
