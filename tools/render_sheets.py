"""Render every output sheet of a computed workbook as it prints (A4 landscape), one PNG of the
first page per sheet, with LibreOffice headless (the renderer available without Excel).

    PYTHONPATH=.:udfs python tools/render_sheets.py [ARBETSBOK] [-o MAPP] [--dpi 100]

Without ARBETSBOK the bundled example is computed first (``xlkc berakna`` into a temporary
folder). Writes ``MAPP/<blad>.png`` (default ``artefakter/utskrift``) and prints per sheet the
number of printed pages. Needs LibreOffice, python3-uno and pdftoppm (``.ci/run`` installs them);
drives LibreOffice through ``tests/lo_harness.py``, the same driver the tests use.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests import lo_harness as lo  # noqa: E402
from xlkc import layout as L  # noqa: E402


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_")


def pdf_pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def computed_example(folder: Path) -> Path:
    """The bundled example, computed into ``folder`` (the engine's own writer)."""
    import contextlib
    import io

    from xlkc.cli import main as xlkc_main

    out = folder / "Prismodell_beraknad.xlsm"
    with contextlib.redirect_stdout(io.StringIO()):
        code = xlkc_main(["berakna", str(REPO / "workbook" / "Prismodell.xlsm"), "-o", str(out)])
    if code != 0:
        raise SystemExit(f"xlkc berakna misslyckades (kod {code})")
    return out


def render(workbook: Path, out_dir: Path, dpi: int = 100) -> dict[str, tuple[Path, int]]:
    """sheet -> (PNG of its first printed page, number of printed pages)."""
    sheets = [s.name for s in L.SHEETS if s.role == "output"]
    out_dir.mkdir(parents=True, exist_ok=True)
    done = {}
    with tempfile.TemporaryDirectory(prefix="xlkc-utskrift-") as tmp:
        pdfs = lo.office().render_pdf(workbook, sheets, tmp)
        for sheet, pdf in pdfs.items():
            pages = pdf_pages(pdf)
            subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1",
                            "-singlefile", str(pdf), str(Path(tmp) / "sida")], check=True,
                           capture_output=True)
            png = out_dir / f"{_safe(sheet)}.png"
            shutil.move(str(Path(tmp) / "sida.png"), png)
            done[sheet] = (png, pages)
    return done


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("arbetsbok", nargs="?", type=Path)
    ap.add_argument("-o", "--ut", type=Path, default=REPO / "artefakter" / "utskrift")
    ap.add_argument("--dpi", type=int, default=100)
    args = ap.parse_args(argv)
    reason = lo.unavailable_reason()
    if reason:
        print(f"LibreOffice saknas: {reason}", file=sys.stderr)
        return 1
    try:
        with tempfile.TemporaryDirectory(prefix="xlkc-berakna-") as tmp:
            book = args.arbetsbok or computed_example(Path(tmp))
            for sheet, (png, pages) in render(book, args.ut, args.dpi).items():
                where = png.relative_to(REPO) if png.is_relative_to(REPO) else png
                print(f"{sheet:24} {pages:3} sid  {where}")
    finally:
        lo.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
