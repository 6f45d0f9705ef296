"""LibreOffice headless harness for the tests: buttons, VBA import, recalculation, rendering.

LibreOffice's Python bridge (``uno``) only works with Debian's own ``/usr/bin/python3``,
so this module (run by the test interpreter) starts one ``soffice`` per test session
and drives it through ``lo_worker.py``, run by ``/usr/bin/python3`` for each batch of
jobs (JSON request/result files). soffice is ended by killing its process group, also
on failure and at interpreter exit.

Use from any test module::

    import lo_harness as lo            # or: from tests import lo_harness as lo

    def test_something(tmp_path):
        lo.require_libreoffice()       # pytest.skip with a reason if it is missing
        assert lo.buttons(path)[0]["macro"] == "Prismodell.BeraknaPriser"

Public API (all paths may be str or Path):

- ``unavailable_reason() -> str | None``; ``require_libreoffice()`` skips the test.
- ``buttons(path) -> list[dict]``: one dict per form control with keys ``sheet``,
  ``caption``, ``macro`` ("Module.Sub"), plus ``name``, ``library``, ``script`` (the
  full ``vnd.sun.star.script:`` URL), ``events``, ``printable``, ``x``, ``y``,
  ``width``, ``height`` (1/100 mm) and ``anchor`` (e.g. ``"$Start.$D$2"``).
- ``vba_modules(path) -> {library: {module: source}}`` (``doc.BasicLibraries``).
- ``recalculate(path, sheets=None, ranges=None) -> {key: 2-D list}``: ``calculateAll()``
  then one ``getDataArray()`` per sheet (A1 through the end of the used area, so
  ``values[r][c]`` is row r+1, column c+1; key = sheet name) and per range
  (``"Blad!A1:C3"``; key = that string). Numbers are floats, text is str, empty
  cells are ``""`` and error cells (``#DIV/0!`` ...) are ``None``. With neither
  argument, every sheet is read.
- ``formulas(path, sheets=None, ranges=None)``: same shape, ``getFormulaArray()``
  (formula text such as ``"=SUM(A1:A3)*2"``, or the constant as text).
- ``render_png(path, sheets, out_dir=None, dpi=80) -> {sheet: [png paths]}``:
  make every form control printable, export each sheet alone to PDF
  (``calc_pdf_Export``, the other sheets hidden) and convert it with ``pdftoppm``.
  Default folder ``artefakter/`` at the repo root, overridable by ``XLKC_ARTEFAKTER``.
- ``run(path, actions)``: several actions on one load (see ``lo_worker.py``).
- ``office()``: the shared session ``LibreOffice`` instance; ``LibreOffice`` itself
  is a context manager for private instances.
- ``png_size(path)``, ``pdf_ink(pdf, dpi=20)``: tiny image checks without Pillow.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

SYSTEM_PYTHON = "/usr/bin/python3"
WORKER = Path(__file__).with_name("lo_worker.py")
REPO_ROOT = Path(__file__).resolve().parent.parent
CONNECT_TIMEOUT = 60.0
JOB_TIMEOUT = 120.0


class LibreOfficeError(RuntimeError):
    """A LibreOffice job failed (message in Swedish)."""


# ---------------------------------------------------------------------------
# Availability
# ---------------------------------------------------------------------------

_reason_cache: list[str | None] = []


def unavailable_reason() -> str | None:
    """Why LibreOffice checks cannot run here, or None when everything is in place."""
    if _reason_cache:
        return _reason_cache[0]
    reason = None
    if shutil.which("soffice") is None:
        reason = "LibreOffice (soffice) saknas"
    elif not os.access(SYSTEM_PYTHON, os.X_OK):
        reason = f"{SYSTEM_PYTHON} saknas (behövs för python3-uno)"
    elif shutil.which("pdftoppm") is None:
        reason = "pdftoppm (poppler-utils) saknas"
    else:
        try:
            probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"],
                                   capture_output=True, timeout=30, check=False)
            if probe.returncode != 0:
                reason = f"python3-uno saknas ({SYSTEM_PYTHON} -c 'import uno' misslyckades)"
        except (OSError, subprocess.TimeoutExpired) as exc:
            reason = f"python3-uno kunde inte provas: {exc}"
    _reason_cache.append(reason)
    return reason


def require_libreoffice() -> None:
    """Skip the calling test when LibreOffice, python3-uno or pdftoppm is missing."""
    reason = unavailable_reason()
    if reason:
        import pytest

        pytest.skip(f"LibreOffice-kontroller hoppas över: {reason}")


def artefakter_dir() -> Path:
    """Output folder for rendered images: $XLKC_ARTEFAKTER or <repo>/artefakter."""
    env = os.environ.get("XLKC_ARTEFAKTER")
    path = Path(env) if env else REPO_ROOT / "artefakter"
    path.mkdir(parents=True, exist_ok=True)
    return path


# ---------------------------------------------------------------------------
# The soffice process
# ---------------------------------------------------------------------------


class LibreOffice:
    """One headless soffice with a private profile, driven through lo_worker.py."""

    def __init__(self, connect_timeout: float = CONNECT_TIMEOUT,
                 job_timeout: float = JOB_TIMEOUT) -> None:
        self.connect_timeout = connect_timeout
        self.job_timeout = job_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._dir: Path | None = None
        self._pipe = ""
        self._lock = threading.Lock()
        self.stats: dict[str, float] = {"start_seconds": 0.0, "calls": 0,
                                        "call_seconds": 0.0, "load_seconds": 0.0}

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        self.stop()
        reason = unavailable_reason()
        if reason:
            raise LibreOfficeError(f"LibreOffice kan inte startas: {reason}")
        self._dir = Path(tempfile.mkdtemp(prefix="xlkc-lo-"))
        self._pipe = f"xlkc_{os.getpid()}_{uuid.uuid4().hex[:12]}"
        profile = (self._dir / "profil").as_uri()
        _write_profile(self._dir / "profil")
        log = (self._dir / "soffice.log").open("wb")
        self._proc = subprocess.Popen(
            ["soffice", "--headless", "--invisible", "--norestore", "--nologo",
             "--nodefault", "--nolockcheck", f"-env:UserInstallation={profile}",
             f"--accept=pipe,name={self._pipe};urp;StarOffice.ComponentContext"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: killpg ends soffice.bin too
        )
        log.close()
        t0 = time.monotonic()
        try:
            # The first (empty) batch waits until soffice accepts connections.
            self._call([], timeout=self.connect_timeout + 10)
        except BaseException:
            self.stop()
            raise
        self.stats["start_seconds"] = time.monotonic() - t0

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            _kill_group(proc)
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> LibreOffice:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def log_tail(self, chars: int = 2000) -> str:
        if self._dir is None:
            return ""
        try:
            return (self._dir / "soffice.log").read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    # -- jobs ----------------------------------------------------------------

    def _call(self, jobs: list[dict[str, Any]], timeout: float | None = None) -> dict[str, Any]:
        assert self._proc is not None and self._dir is not None
        if self._proc.poll() is not None:
            raise LibreOfficeError(
                f"soffice har avslutats (kod {self._proc.returncode}): {self.log_tail()}")
        name = uuid.uuid4().hex[:8]
        request = self._dir / f"jobb_{name}.json"
        result = self._dir / f"resultat_{name}.json"
        request.write_text(json.dumps({"connect_timeout": self.connect_timeout, "jobs": jobs},
                                      ensure_ascii=False), encoding="utf-8")
        limit = timeout if timeout is not None else self.job_timeout * max(1, len(jobs))
        t0 = time.monotonic()
        worker = subprocess.Popen(
            [SYSTEM_PYTHON, str(WORKER), self._pipe, str(request), str(result)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True,
            # Debian's python must not pick up the test interpreter's environment.
            env={k: v for k, v in os.environ.items()
                 if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")},
        )
        try:
            out, err = worker.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            _kill_group(worker)
            # A hung job usually means a hung soffice: restart it on the next call.
            self.stop()
            raise LibreOfficeError(
                f"LibreOffice-jobbet tog längre än {limit:.0f} s och avbröts") from None
        finally:
            request.unlink(missing_ok=True)
        elapsed = time.monotonic() - t0
        self.stats["calls"] += 1
        self.stats["call_seconds"] += elapsed
        if worker.returncode != 0 or not result.exists():
            raise LibreOfficeError(
                f"LibreOffice-arbetaren misslyckades (kod {worker.returncode}): "
                f"{err.decode(errors='replace')[-3000:]}")
        data = json.loads(result.read_text(encoding="utf-8"))
        result.unlink(missing_ok=True)
        for job in data["jobs"]:
            self.stats["load_seconds"] += job.get("load_seconds", 0.0)
        return data

    def run_many(self, jobs: Sequence[tuple[str | os.PathLike[str], list[dict[str, Any]]]]
                 ) -> list[list[Any]]:
        """Run several (path, actions) jobs in one worker call; one result list per job."""
        payload = [{"path": str(Path(p).resolve()), "actions": list(a)} for p, a in jobs]
        with self._lock:
            self.start()
            data = self._call(payload)
        out = []
        for (path, _), job in zip(jobs, data["jobs"], strict=True):
            if not job["ok"]:
                raise LibreOfficeError(
                    f"LibreOffice-jobbet för {Path(path).name} misslyckades: {job['error']}\n"
                    f"{job.get('traceback', '')}")
            out.append(job["results"])
        return out

    def run(self, path: str | os.PathLike[str], actions: list[dict[str, Any]]) -> list[Any]:
        """Load ``path`` once and run ``actions`` on it; one result per action."""
        return self.run_many([(path, actions)])[0]

    def buttons(self, path: str | os.PathLike[str]) -> list[dict[str, Any]]:
        return self.run(path, [{"kind": "buttons"}])[0]

    def vba_modules(self, path: str | os.PathLike[str]) -> dict[str, dict[str, str]]:
        return self.run(path, [{"kind": "vba_modules"}])[0]

    def recalculate(self, path: str | os.PathLike[str], sheets: Iterable[str] | None = None,
                    ranges: Iterable[str] | None = None) -> dict[str, list[list[Any]]]:
        return self.run(path, [_read_action("recalculate", sheets, ranges)])[0]

    def formulas(self, path: str | os.PathLike[str], sheets: Iterable[str] | None = None,
                 ranges: Iterable[str] | None = None) -> dict[str, list[list[Any]]]:
        return self.run(path, [_read_action("formulas", sheets, ranges)])[0]

    def render_pdf(self, path: str | os.PathLike[str], sheets: Iterable[str] | None,
                   out_dir: str | os.PathLike[str] | None = None) -> dict[str, Path]:
        out = Path(out_dir) if out_dir is not None else artefakter_dir()
        action = {"kind": "render_pdf", "sheets": list(sheets) if sheets else None,
                  "out_dir": str(out.resolve()), "stem": Path(path).stem}
        pdfs = self.run(path, [action])[0]
        return {sheet: Path(p) for sheet, p in pdfs.items()}

    def render_png(self, path: str | os.PathLike[str], sheets: Iterable[str] | None,
                   out_dir: str | os.PathLike[str] | None = None,
                   dpi: int = 80) -> dict[str, list[Path]]:
        pdfs = self.render_pdf(path, sheets, out_dir)
        return {sheet: pdf_to_png(pdf, dpi=dpi) for sheet, pdf in pdfs.items()}


# Swedish locale, so rendered numbers and dates look as in a Swedish Excel
# (decimal comma, space as thousands separator).
_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">
<value>sv-SE</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse">
<value>sv-SE</value></prop></item>
</oor:items>
"""


def _write_profile(profile: Path) -> None:
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_REGISTRY, encoding="utf-8")


def _read_action(kind: str, sheets: Iterable[str] | None,
                 ranges: Iterable[str] | None) -> dict[str, Any]:
    return {"kind": kind, "sheets": list(sheets) if sheets is not None else None,
            "ranges": list(ranges) if ranges is not None else []}


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """End ``proc`` and its process group (it was started with start_new_session)."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    # Children of the group (soffice.bin) may outlive the leader by a moment.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


# ---------------------------------------------------------------------------
# Shared session instance and module-level shortcuts
# ---------------------------------------------------------------------------

_shared: list[LibreOffice] = []


def office() -> LibreOffice:
    """The process-wide LibreOffice (started on first use, stopped at exit)."""
    if not _shared:
        _shared.append(LibreOffice())
        atexit.register(shutdown)
    return _shared[0]


def shutdown() -> None:
    """Stop the shared LibreOffice, if any."""
    if _shared:
        _shared[0].stop()


def run(path: str | os.PathLike[str], actions: list[dict[str, Any]]) -> list[Any]:
    return office().run(path, actions)


def buttons(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    return office().buttons(path)


def vba_modules(path: str | os.PathLike[str]) -> dict[str, dict[str, str]]:
    return office().vba_modules(path)


def recalculate(path: str | os.PathLike[str], sheets: Iterable[str] | None = None,
                ranges: Iterable[str] | None = None) -> dict[str, list[list[Any]]]:
    return office().recalculate(path, sheets, ranges)


def formulas(path: str | os.PathLike[str], sheets: Iterable[str] | None = None,
             ranges: Iterable[str] | None = None) -> dict[str, list[list[Any]]]:
    return office().formulas(path, sheets, ranges)


def render_png(path: str | os.PathLike[str], sheets: Iterable[str] | None,
               out_dir: str | os.PathLike[str] | None = None,
               dpi: int = 80) -> dict[str, list[Path]]:
    return office().render_png(path, sheets, out_dir, dpi)


# ---------------------------------------------------------------------------
# Images (no Pillow)
# ---------------------------------------------------------------------------


def pdf_to_png(pdf: Path, dpi: int = 80) -> list[Path]:
    """``pdftoppm -png -r dpi``; returns one PNG per page (``<pdf stem>-<n>.png``)."""
    prefix = pdf.with_suffix("")
    for old in pdf.parent.glob(f"{prefix.name}-*.png"):
        old.unlink()
    try:
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(prefix)],
                       check=True, capture_output=True, timeout=JOB_TIMEOUT)
    except subprocess.CalledProcessError as exc:
        raise LibreOfficeError(
            f"pdftoppm misslyckades för {pdf.name}: {exc.stderr.decode(errors='replace')}"
        ) from exc
    pages = list(pdf.parent.glob(f"{prefix.name}-*.png"))
    return sorted(pages, key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG after checking its chunks and inflating its pixel data."""
    data = Path(path).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} är ingen PNG-fil")
    pos, idat, width, height, channels, depth = 8, [], 0, 0, 0, 8
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if zlib.crc32(kind + body) != int.from_bytes(data[pos + 8 + length:pos + 12 + length],
                                                     "big"):
            raise ValueError(f"{path}: trasig PNG-del {kind!r}")
        if kind == b"IHDR":
            width, height = int.from_bytes(body[:4], "big"), int.from_bytes(body[4:8], "big")
            depth = body[8]
            channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[body[9]]
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    raw = zlib.decompress(b"".join(idat))
    expected = height * (1 + (width * channels * depth + 7) // 8)
    if len(raw) != expected:
        raise ValueError(f"{path}: {len(raw)} byte bilddata, väntade {expected}")
    return width, height


def pdf_ink(pdf: Path, dpi: int = 20, page: int = 1) -> float:
    """Share of non-white pixels on ``page`` of ``pdf`` (rendered to a grey PGM)."""
    with tempfile.TemporaryDirectory(prefix="xlkc-pgm-") as tmp:
        prefix = Path(tmp) / "sida"
        subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page),
                        "-singlefile", str(pdf), str(prefix)],
                       check=True, capture_output=True, timeout=JOB_TIMEOUT)
        raw = prefix.with_suffix(".pgm").read_bytes()
    # P5 header: magic, width, height, maxval, each followed by whitespace.
    fields, pos = [], 0
    while len(fields) < 4:
        while raw[pos:pos + 1].isspace():
            pos += 1
        start = pos
        while not raw[pos:pos + 1].isspace():
            pos += 1
        fields.append(raw[start:pos])
    pixels = raw[pos + 1:]
    width, height = int(fields[1]), int(fields[2])
    if fields[0] != b"P5" or len(pixels) != width * height:
        raise ValueError(f"oväntad PGM från {pdf}")
    dark = sum(pixels.count(bytes([v])) for v in range(0, 250))
    return dark / (width * height)
