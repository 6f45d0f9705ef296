"""``xlkc installera`` and the release: the interpreter found, the xlwings version read from the
workbook's VBA project (checked against oletools), the sheet xlwings.conf written and nothing else
changed, and a wheel built from a copy of the repository that installs into a fresh venv and
prices its bundled workbook."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import openpyxl
import pytest

from xlkc import cli
from xlkc import install as I  # noqa: N812
from xlkc import layout as L  # noqa: N812
from xlkc.excel.safe_write import backups

ROOT = Path(__file__).resolve().parents[1]
WORKBOOK = ROOT / "workbook" / "Prismodell.xlsm"


# --- the interpreter -----------------------------------------------------------------------------

def test_windows_prefers_pythonw_beside_python(tmp_path):
    exe = tmp_path / "python.exe"
    exe.write_bytes(b"")
    assert I.interpreter_for("win32", str(exe)) == str(exe)  # no pythonw.exe: python.exe
    (tmp_path / "pythonw.exe").write_bytes(b"")
    assert I.interpreter_for("win32", str(exe)) == str(tmp_path / "pythonw.exe")
    assert I.interpreter_for("linux", str(exe)) == str(exe)
    assert I.interpreter_for("darwin", "/usr/local/bin/python3") == "/usr/local/bin/python3"
    assert (I.conf_key("win32"), I.conf_key("darwin"), I.conf_key("linux")) == \
        ("INTERPRETER_WIN", "INTERPRETER_MAC", "INTERPRETER_MAC")


def test_pythonpath_is_empty_when_the_interpreter_finds_xlkc_itself(monkeypatch):
    """Here xlkc comes from this worktree through PYTHONPATH (or from an editable install): the
    interpreter run without PYTHONPATH finds another copy or none, so the folders are named;
    with the folders on sys.path already, nothing is needed."""
    here = I._origins()
    got = I.python_path()
    without = subprocess.run([sys.executable, "-I", "-c",
                              "import importlib.util as u; s=u.find_spec('xlkc');"
                              "print(s.origin if s else '')"], capture_output=True, text=True,
                             env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
                             cwd=Path.home()).stdout.strip()
    same = without and Path(without).resolve().parent.parent == here["xlkc"]
    assert (str(here["xlkc"]) in got.split(";")) == (not same)


# --- the VBA project -----------------------------------------------------------------------------

def test_vba_sources_equal_oletools():
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(WORKBOOK))
    try:
        ref = {Path(v).stem: code for _, _, v, code in parser.extract_macros()}
    finally:
        parser.close()
    ours = I.vba_sources(WORKBOOK)
    assert set(ours) == set(ref)
    for name, code in ours.items():
        assert code == ref[name], name
    assert "Public Sub BeraknaPriser()" in ours["Prismodell"]


def test_workbook_xlwings_version_is_the_pinned_one():
    import xlwings

    assert I.workbook_xlwings_version(WORKBOOK) == xlwings.__version__ == "0.37.8"
    assert I.installed_xlwings_version() == xlwings.__version__


def test_decompress_raw_and_copy_tokens():
    # MS-OVBA 3.2.1: "#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa" compressed
    data = bytes.fromhex(
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 30 6D"
        " 6E 6F 70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C")
    assert I.decompress(data) == b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
    # an uncompressed chunk: 4096 raw bytes after a header with the flag bit clear
    raw = bytes(range(256)) * 16
    assert I.decompress(b"\x01" + (0x3FFF & 0x0FFF | 0x3000).to_bytes(2, "little") + raw) == raw
    with pytest.raises(ValueError):
        I.decompress(b"\x02\x00")


# --- the sheet xlwings.conf ----------------------------------------------------------------------

def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _cells(data: bytes) -> dict[str, dict[str, object]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: {c.coordinate: (c.value, c.style_id) for row in ws.iter_rows() for c in row
                       if c.value is not None or c.has_style} for ws in wb.worksheets}


def _conf_part(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return I._sheet_part(z, L.CONFIG_SHEET)


def test_install_writes_the_conf_sheet_and_nothing_else(tmp_path):
    out = tmp_path / "ut" / "Prismodell.xlsm"
    done = I.install(WORKBOOK, out, platform="linux", executable="/opt/py/bin/python3",
                     pythonpath="")
    assert done.target == out and done.backup is None
    before, after = WORKBOOK.read_bytes(), out.read_bytes()
    conf = I.read_conf(after)
    assert conf["INTERPRETER_MAC"] == "/opt/py/bin/python3"
    assert conf["UDF MODULES"] == "xlkc_udfs" and conf["PYTHONPATH"] == ""
    old = I.read_conf(before)
    assert conf["INTERPRETER_WIN"] == old["INTERPRETER_WIN"]  # the other platform's key kept
    assert list(conf) == [k for k, _, _ in L.XLWINGS_CONFIG]  # order and keys unchanged
    # every other part byte for byte
    p0, p1 = _parts(before), _parts(after)
    part = _conf_part(before)
    assert set(p0) == set(p1)
    assert [n for n in p0 if p0[n] != p1[n]] == [part]
    # on the sheet, only the interpreter's value changed (openpyxl's independent reading)
    c0, c1 = _cells(before), _cells(after)
    assert {s: c for s, c in c0.items() if s != L.CONFIG_SHEET} == \
        {s: c for s, c in c1.items() if s != L.CONFIG_SHEET}
    diff = {k for k in c0[L.CONFIG_SHEET].keys() | c1[L.CONFIG_SHEET].keys()
            if c0[L.CONFIG_SHEET].get(k) != c1[L.CONFIG_SHEET].get(k)}
    row = [k for k, _, _ in L.XLWINGS_CONFIG].index("INTERPRETER_MAC") + 1
    assert diff == {f"B{row}"}
    assert c1[L.CONFIG_SHEET][f"B{row}"] == ("/opt/py/bin/python3",
                                             c0[L.CONFIG_SHEET][f"B{row}"][1])  # style kept


def test_windows_install_writes_interpreter_win_and_pythonpath(tmp_path):
    exe = tmp_path / "Python311" / "python.exe"
    exe.parent.mkdir()
    exe.write_bytes(b"")
    (exe.parent / "pythonw.exe").write_bytes(b"")
    out = tmp_path / "a.xlsm"
    I.install(WORKBOOK, out, platform="win32", executable=str(exe),
              pythonpath=r"C:\kc\xlkc;C:\kc\xlkc\udfs")
    conf = I.read_conf(out.read_bytes())
    assert conf["INTERPRETER_WIN"] == str(exe.parent / "pythonw.exe")
    assert conf["PYTHONPATH"] == r"C:\kc\xlkc;C:\kc\xlkc\udfs"
    assert conf["INTERPRETER_MAC"] == I.read_conf(WORKBOOK.read_bytes())["INTERPRETER_MAC"]


def test_text_needing_escapes_round_trips(tmp_path):
    data = I.patch_conf_sheet(WORKBOOK.read_bytes(), {"PYTHONPATH": "C:\\a & b\\<c>;\"d\" ",
                                                      "CONDA ENV": "kc"})
    conf = I.read_conf(data)
    assert conf["PYTHONPATH"] == "C:\\a & b\\<c>;\"d\" "
    assert list(conf)[-1] == "CONDA ENV" and conf["CONDA ENV"] == "kc"  # added below the keys
    ws = openpyxl.load_workbook(io.BytesIO(data))[L.CONFIG_SHEET]
    assert ws.cell(len(L.XLWINGS_CONFIG) + 1, 1).value == "CONDA ENV"


def test_wrong_xlwings_version_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(I, "installed_xlwings_version", lambda: "0.30.0")
    out = tmp_path / "ut.xlsm"
    assert cli.main(["installera", str(WORKBOOK), "-o", str(out)]) == cli.EXIT_FAILURE
    err = capsys.readouterr().err
    assert "gjord för xlwings 0.37.8, men xlwings 0.30.0 är installerat" in err
    assert "pip install xlwings==0.37.8" in err
    assert not out.exists() and not list(tmp_path.iterdir())


def test_cli_installera_copy_then_in_place_with_backup(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["installera"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    copy = tmp_path / I.DEFAULT_OUTPUT
    assert copy.exists() and f"Arbetsboken är förberedd: {copy}" in out
    for needle in ("Aktivera innehåll", "betrodda platser", "Testa kopplingen",
                   "xlwings 0.37.8 är installerat", "UDF MODULES = xlkc_udfs"):
        assert needle in out, needle
    conf = I.read_conf(copy.read_bytes())
    assert conf[I.conf_key()] == I.interpreter_for()
    assert WORKBOOK.read_bytes() != copy.read_bytes()
    # the same file without --skriv-over is refused
    assert cli.main(["installera", str(copy), "-o", str(copy)]) == cli.EXIT_FAILURE
    assert "--skriv-over" in capsys.readouterr().err
    first = copy.read_bytes()
    assert cli.main(["installera", str(copy), "--skriv-over"]) == cli.EXIT_OK
    (backup,) = backups(copy)
    assert f"Den förra versionen är sparad som {backup.name}" in capsys.readouterr().out
    assert backup.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([backup.name, "Prismodell.xlsm"])


def test_installera_help_is_swedish(capsys):
    with pytest.raises(SystemExit):
        cli.main(["installera", "-h"])
    out = capsys.readouterr().out
    assert out.startswith("användning: xlkc installera") and "--skriv-over" in out


def test_bundled_workbook_is_the_checkouts_here():
    from xlkc.bundled import bundled_workbook

    assert bundled_workbook() == WORKBOOK == cli.default_workbook()


# --- the release ---------------------------------------------------------------------------------

#: Imported only by ``xlkc bygg`` (the build extra), never by an installed user's commands.
BUILD_ONLY = {"xlsxwriter", "pyopenvba"}
#: Imported only by ``xlkc_udfs.register_formulas``, the tests' bridge to ``formulas``.
TEST_ONLY = {"formulas", "schedula"}
#: Import name -> distribution name, where they differ.
DISTRIBUTION = {}


def _imported_top_level(folder: Path) -> set[str]:
    import ast

    names: set[str] = set()
    for f in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names


def test_runtime_dependencies_cover_every_third_party_import():
    """A fresh venv gets only the declared dependencies: every module xlkc and the UDF package
    import (at the top or inside a function) is the standard library, xlkc itself, a build-only
    tool, or a declared dependency."""
    import tomllib

    from packaging.requirements import Requirement

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {Requirement(r).name.lower() for r in meta["dependencies"]}
    used = _imported_top_level(ROOT / "xlkc") | _imported_top_level(ROOT / "udfs")
    third_party = used - set(sys.stdlib_module_names) - {"xlkc", "xlkc_udfs", "__future__"}
    missing = {DISTRIBUTION.get(m, m).lower() for m in third_party - BUILD_ONLY - TEST_ONLY} - declared
    assert not missing, missing
    assert "olefile" in third_party and "build" not in declared

def _git_files() -> list[str]:
    """Tracked files and new ones not ignored (a test run before the commit sees them too)."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, capture_output=True, check=True)
    return [f for f in out.stdout.decode().split("\0") if f]


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """``python -m build`` on a copy of the repository's tracked files: (sdist, wheel)."""
    pytest.importorskip("build")
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("ingen git-utcheckning")
    tmp = tmp_path_factory.mktemp("release")
    src = tmp / "src"
    for f in _git_files():
        if (ROOT / f).is_file():
            (src / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, src / f)
    dist = tmp / "dist"
    run = subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(src)],
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (sdist,) = dist.glob("xlkc-*.tar.gz")
    (wheel,) = dist.glob("xlkc-*.whl")
    return sdist, wheel


@pytest.mark.slow
def test_wheel_and_sdist_carry_the_workbook_and_the_udfs(release):
    import tarfile

    sdist, wheel = release
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        assert z.read("xlkc/data/Prismodell.xlsm") == WORKBOOK.read_bytes()
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        entry = z.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert {"xlkc_udfs/__init__.py", "xlkc/cli.py", "xlkc/install.py"} <= names
    assert "Requires-Dist: xlwings==0.37.8" in meta
    assert "Requires-Dist: build" not in meta.split("Provides-Extra")[0]  # not a runtime need
    assert "xlkc = xlkc.cli:main" in entry
    with tarfile.open(sdist) as t:
        members = {m.split("/", 1)[1] for m in t.getnames() if "/" in m}
    assert {"workbook/Prismodell.xlsm", "workbook/vba/Prismodell.bas", "setup.py",
            "udfs/xlkc_udfs/__init__.py"} <= members


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_prices_its_bundled_workbook(release, tmp_path):
    """A fresh venv (the base interpreter's site-packages visible for numpy, pandas, openpyxl
    and xlwings, so nothing is downloaded), the wheel installed into it with pip, then
    ``xlkc berakna`` and ``xlkc installera`` without arguments, run from an empty folder."""
    _, wheel = release
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=True).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    py = bindir / ("python.exe" if os.name == "nt" else "python")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    pip = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                          "--ignore-installed", str(wheel)], capture_output=True, text=True,
                         env=env, timeout=600)
    assert pip.returncode == 0, pip.stderr
    work = tmp_path / "arbete"
    work.mkdir()
    where = subprocess.run([str(py), "-c", "import xlkc, xlkc_udfs, xlkc.bundled as i;"
                            "print(xlkc.__file__); print(xlkc_udfs.__file__);"
                            "print(i.bundled_workbook())"],
                           capture_output=True, text=True, env=env, cwd=work, check=True)
    xlkc_file, udfs_file, bundled = where.stdout.split("\n")[:3]
    for f in (xlkc_file, udfs_file, bundled):
        assert Path(f).resolve().is_relative_to(env_dir.resolve()), f
    assert Path(bundled).read_bytes() == WORKBOOK.read_bytes()
    exe = str(bindir / "xlkc")
    calc = subprocess.run([exe, "berakna"], capture_output=True, text=True, env=env, cwd=work,
                          timeout=600)
    assert calc.returncode == 0, calc.stdout[-2000:] + calc.stderr[-2000:]
    assert (work / "Prismodell_beraknad.xlsm").exists()
    assert "Prislista" in calc.stdout and "Total kostnad" in calc.stdout
    inst = subprocess.run([exe, "installera"], capture_output=True, text=True, env=env,
                          cwd=work, timeout=300)
    assert inst.returncode == 0, inst.stdout[-2000:] + inst.stderr[-2000:]
    conf = I.read_conf((work / "Prismodell.xlsm").read_bytes())
    assert conf[I.conf_key()] == str(py) or Path(conf[I.conf_key()]).resolve() == py.resolve()
    assert conf["PYTHONPATH"] == ""  # the installed wheel is found without help
    assert conf["UDF MODULES"] == "xlkc_udfs"


# --- the button "Testa kopplingen", through xlwings' Server engine ------------------------------

@pytest.fixture
def caller_book(monkeypatch):
    """The committed workbook as xlwings' VBA client would send it, as the caller of RunPython
    (the noncommercial Server engine key is set for the test only, as in test_xlwings_adapter)."""
    xw = pytest.importorskip("xlwings")
    from tests.xlwings_payload import payload_from_xlsx

    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    added = None
    if "remote" not in xw.engines.engines_by_name:
        from xlwings.main import Engine
        from xlwings.pro import _xlremote

        added = Engine(impl=_xlremote.engine)
        xw.engines.add(added)

    def make(payload=None):
        book = xw.Book(json=payload or payload_from_xlsx(WORKBOOK))
        book.set_mock_caller()
        return book

    yield make
    if "_mock_caller" in vars(xw.Book):
        del xw.Book._mock_caller
    if added is not None:
        xw.engines.engines.remove(added)
        del xw.engines.engines_by_name[added.name]


def _alert_texts(book) -> list[tuple[str, str]]:
    return [(a["args"][0], a["args"][3]) for a in book.json()["actions"] if a["func"] == "alert"]


def test_testa_kopplingen_reports_matching_versions(caller_book):
    import platform

    import xlkc
    import xlkc.excel

    book = caller_book()
    run = xlkc.excel.testa_kopplingen("0.37.8")
    assert run.ok
    ((text, mode),) = _alert_texts(book)
    assert text == run.message and mode == "info"
    assert text.startswith("Kopplingen till Python fungerar.")
    assert f"Python {platform.python_version()}: {sys.executable}" in text
    assert f"xlkc {xlkc.__version__}: " in text
    assert "xlwings 0.37.8: samma som arbetsbokens VBA-modul." in text
    assert f"Arbetsbokens blad stämmer med xlkc {xlkc.__version__}." in text
    assert text.endswith("Allt stämmer: klicka Validera indata och sedan Beräkna priser.")


def test_testa_kopplingen_names_a_version_mismatch_and_a_missing_sheet(caller_book):
    import copy

    import xlkc.excel
    from tests.xlwings_payload import payload_from_xlsx

    caller_book()
    run = xlkc.excel.testa_kopplingen("0.36.0")
    assert not run.ok
    assert ("xlwings 0.37.8, men arbetsbokens VBA-modul är gjord för 0.36.0: kör pip install "
            "xlwings==0.36.0.") in run.message
    assert run.message.endswith("Rätta det som står ovan och klicka Testa kopplingen igen.")
    payload = copy.deepcopy(payload_from_xlsx(WORKBOOK))
    payload["sheets"] = [s for s in payload["sheets"] if s["name"] != "Prislista"]
    payload["names"] = []
    book = caller_book(payload)
    run = xlkc.excel.testa_kopplingen("0.37.8")
    assert not run.ok and "Arbetsboken saknar bladen Prislista" in run.message
    ((_, mode),) = _alert_texts(book)
    assert mode == "critical"


def test_testa_kopplingen_without_a_version_reads_it_from_the_file(caller_book, monkeypatch):
    import xlkc.excel

    book = caller_book()
    monkeypatch.setattr(type(book), "fullname", property(lambda self: str(WORKBOOK)))
    run = xlkc.excel.testa_kopplingen()
    assert run.ok and "xlwings 0.37.8: samma som arbetsbokens VBA-modul." in run.message
