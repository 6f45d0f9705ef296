"""The workbook's VBA project: which modules go in, and compiling them with pyopenvba.

Modules come from three places, gathered by :func:`vba_modules`, the single hook of the build:

1. the repo's own sources, every ``workbook/vba/*.bas`` and ``*.cls`` (``Prismodell.bas`` holds the
   buttons' macros);
2. the xlwings VBA module and its Dictionary class, read from the installed xlwings package, which
   must be the pinned version (the module names its DLL after the version);
3. generated modules: add a ``(name, source)`` pair in :func:`generated_modules` (e.g. the
   ``xlwings_udfs`` wrappers generated from the UDF module).

A source that starts with ``VERSION 1.0 CLASS`` becomes a class module, anything else a standard
module. Line endings are normalised to CRLF, as the VBA editor stores them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from xlkc.errors import XlkcError

#: The xlwings version whose VBA module the workbook embeds (pinned in pyproject.toml).
XLWINGS_VERSION = "0.37.8"
#: The repo's own VBA sources.
VBA_DIR = Path(__file__).resolve().parents[2] / "workbook" / "vba"


def to_crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def is_class(source: str) -> bool:
    return source.lstrip().upper().startswith("VERSION 1.0 CLASS")


def xlwings_modules() -> list[tuple[str, str]]:
    """The xlwings module and its Dictionary class, from the installed, pinned xlwings."""
    import xlwings

    if xlwings.__version__ != XLWINGS_VERSION:
        raise XlkcError(
            f"Fel version av xlwings: {xlwings.__version__} är installerad men arbetsboken "
            f"ska byggas med {XLWINGS_VERSION}. Kör `pip install xlwings=={XLWINGS_VERSION}`."
        )
    root = Path(xlwings.__file__).resolve().parent
    out = []
    for name, path in (("xlwings", root / "xlwings.bas"),
                       ("Dictionary", root / "addin" / "Dictionary.cls")):
        if not path.is_file():
            raise XlkcError(f"Hittar inte {path} i xlwings-paketet.")
        out.append((name, path.read_bytes().decode("utf-8")))
    return out


def repo_modules(vba_dir: Path = VBA_DIR) -> list[tuple[str, str]]:
    """The repo's own sources, sorted by file name; the module name is the file's stem."""
    files = sorted([*vba_dir.glob("*.bas"), *vba_dir.glob("*.cls")], key=lambda p: p.name)
    if not files:
        raise XlkcError(f"Inga VBA-källor i {vba_dir}.")
    return [(p.stem, p.read_bytes().decode("utf-8")) for p in files]


def generated_modules() -> list[tuple[str, str]]:
    """Modules generated at build time. Append ``(name, source)`` pairs here.

    - ``xlwings_udfs``: the wrappers of the worksheet functions in ``xlkc_udfs`` (``udf_vba``).
    """
    from xlkc.workbook import udf_vba

    return [(udf_vba.VBA_MODULE, udf_vba.xlwings_udfs_module())]


def vba_modules() -> list[tuple[str, str]]:
    """Every module of the project, in order, with CRLF line endings."""
    mods = [*repo_modules(), *xlwings_modules(), *generated_modules()]
    names = [n for n, _ in mods]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise XlkcError(f"VBA-moduler med samma namn: {', '.join(dupes)}.")
    return [(n, to_crlf(src)) for n, src in mods]


def compile_project(skeleton: Path, modules: list[tuple[str, str]]) -> bytes:
    """A vbaProject.bin for a workbook: pyopenvba adds a project to ``skeleton`` (an .xlsm with the
    final workbook's sheets and code names), the modules into it, and returns the project bytes."""
    import pyopenvba

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "pass1.xlsm"
        work.write_bytes(skeleton.read_bytes())
        book = pyopenvba.ExcelFile(work)
        project = book.add_vba_project()
        for name, source in modules:
            kind = pyopenvba.VBAModuleKind.other if is_class(source) else \
                pyopenvba.VBAModuleKind.standard
            project.add_module(name, source, kind=kind)
        book.save()
        data = pyopenvba.ExcelFile(work).vba_project_bytes()
    return data
