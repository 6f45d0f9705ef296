"""The command line: Swedish help and messages, exit codes 0 / 2 / 1, never overwriting its input."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import openpyxl
import pytest

import xlkc
from tests.roundtrip_support import BUNDLED
from xlkc import cli
from xlkc import layout as L  # noqa: N812
from xlkc.cli import DEFAULT_OUTPUT, main
from xlkc.excel.safe_write import backups

ENGLISH = ("usage:", "options:", "positional arguments", "show this help", "error:")


def _help(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("args", [["--help"], ["berakna", "-h"], ["validera", "--help"],
                                  ["exempel", "-h"], ["bygg", "-h"]])
def test_help_is_swedish(args, capsys):
    out = _help(args, capsys)
    assert out.startswith("användning: xlkc")
    assert "flaggor:" in out and "visa den här hjälpen och avsluta" in out
    assert not [w for w in ENGLISH if w in out]


def test_top_help_lists_the_commands_and_exit_codes(capsys):
    out = _help(["--help"], capsys)
    for cmd in ("berakna", "validera", "exempel", "bygg"):
        assert cmd in out
    assert "Slutkoder" in out


def test_version(capsys):
    out = _help(["--version"], capsys)
    assert out.strip() == f"xlkc {xlkc.__version__}"


def test_usage_errors_are_swedish(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["berakna", "--okand-flagga"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "användning:" in err and "fel: okända argument" in err
    assert not [w for w in ENGLISH if w in err]
    with pytest.raises(SystemExit):
        main(["berakna", "-o", "a.xlsm", "--skriv-over"])
    assert "får inte användas med" in capsys.readouterr().err


@pytest.fixture
def invalid_workbook(tmp_path):
    """A copy of the bundled workbook with text typed into a handle-time cell."""
    path = tmp_path / "Felaktig.xlsm"
    shutil.copyfile(BUNDLED, path)
    wb = openpyxl.load_workbook(path, keep_vba=True)
    s = L.sheet_of(L.T_CONTACTS.name)
    row, col = s.table_origin(L.T_CONTACTS.name)
    wb[s.name].cell(row + 2, col + L.T_CONTACTS.column_index("aht_s")).value = "ca 5"
    wb.save(path)
    return path, row + 2


@pytest.mark.parametrize("command", ["berakna", "validera"])
def test_invalid_workbook_exit_2_with_the_problem_table(command, invalid_workbook, tmp_path,
                                                        capsys, monkeypatch):
    path, excel_row = invalid_workbook
    monkeypatch.chdir(tmp_path)
    before = path.read_bytes()
    assert main([command, str(path)]) == 2
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].endswith("fel i indata:")
    header = lines[1].split()
    assert header == ["Blad", "Tabell", "Rad", "Kolumn", "Fel"]
    hit = [ln for ln in lines[3:] if ln.startswith(L.sheet_of(L.T_CONTACTS.name).name)]
    assert hit and str(excel_row) in hit[0] and "Hanteringstid" in hit[0] and "ca 5" in hit[0]
    assert path.read_bytes() == before
    assert not (tmp_path / DEFAULT_OUTPUT).exists()  # nothing written
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_missing_file_exit_1_one_line(tmp_path, capsys):
    assert main(["berakna", str(tmp_path / "finns-inte.xlsm"), "-o",
                 str(tmp_path / "ut.xlsm")]) == 1
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert err == [f"xlkc: fel: arbetsboken finns inte: {tmp_path / 'finns-inte.xlsm'}"]
    assert "Traceback" not in captured.err and not (tmp_path / "ut.xlsm").exists()


def test_unexpected_error_one_line_and_traceback_only_with_debug(monkeypatch, tmp_path, capsys):
    def broken(*a, **k):
        raise RuntimeError("trasig")

    monkeypatch.setattr("xlkc.excel.run.calculate_workbook", broken)
    args = ["berakna", str(BUNDLED), "-o", str(tmp_path / "ut.xlsm")]
    assert main(args) == 1
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert last.startswith("xlkc: fel: oväntat fel") and "trasig" in last
    assert "Traceback" not in err
    assert main([*args, "--debug"]) == 1
    assert "Traceback" in capsys.readouterr().err
    assert main(["--debug", *args]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_validera_the_bundled_workbook(capsys):
    assert main(["validera"]) == 0
    assert "giltiga" in capsys.readouterr().out


def test_default_workbook_is_the_bundled_one():
    assert cli.default_workbook() == BUNDLED


def test_never_overwrites_its_input_without_the_flag(tmp_path, capsys):
    src = tmp_path / "Prismodell.xlsm"
    shutil.copyfile(BUNDLED, src)
    before = src.read_bytes()
    assert main(["berakna", str(src), "-o", str(src)]) == 1
    assert "--skriv-over" in capsys.readouterr().err
    assert src.read_bytes() == before
    assert main(["berakna", str(src), "--skriv-over"]) == 0
    out = capsys.readouterr().out
    (backup,) = backups(src)
    assert backup.read_bytes() == before
    assert src.read_bytes() != before and f"sparad som {backup.name}" in out


def test_default_output_in_the_current_directory_and_repeatable(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["berakna"]) == 0
    out = capsys.readouterr().out
    target = tmp_path / DEFAULT_OUTPUT
    assert target.exists() and str(target) in out
    first = target.read_bytes()
    assert main(["berakna"]) == 0  # a second run replaces it and keeps the first as a backup
    assert backups(target)[0].read_bytes() == first
    # the summary: price list, checks, totals
    out = capsys.readouterr().out
    assert "Prislista 2027" in out and "Avstämning" in out and "Total kostnad:" in out
    assert "Tjänst" in out and "Prismodell" in out and "Förändring" in out


def test_exempel_prints_the_summary(capsys):
    assert main(["exempel"]) == 0
    out = capsys.readouterr().out
    assert "Prislista" in out
    checks = xlkc.calculate(xlkc.example_inputs()).checks
    assert out.count("OK ") == int(checks["difference_kr"].notna().sum()) and "FEL" not in out


def test_console_script_as_a_process(tmp_path):
    """`xlkc` as installed: stdout has the summary, stderr the progress, exit code 0."""
    proc = subprocess.run([sys.executable, "-m", "xlkc.cli", "validera", str(BUNDLED)],
                          capture_output=True, text=True, cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Läser Prismodell.xlsm" in proc.stderr and "giltiga" in proc.stdout


@pytest.mark.parametrize("entry", ["xlkc.cli", "xlkc.excel"])
@pytest.mark.parametrize("preset", [None, "3"])
def test_entry_points_ask_for_one_blas_thread_unless_told(entry, preset):
    """The command line and the buttons' module set OPENBLAS_NUM_THREADS=1 before numpy is
    imported (issue 15: OpenBLAS's threads cost CPU at import and save none), but keep a value
    the user set."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if preset is not None:
        env["OPENBLAS_NUM_THREADS"] = preset
    code = (f"import sys, os, {entry}; "
            "print('numpy' in sys.modules, os.environ.get('OPENBLAS_NUM_THREADS'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True).stdout.split()
    assert out == ["False", preset or "1"]


def test_imports_are_frozen_once_per_process():
    """settled_imports imports with the collector paused and freezes what was imported, once
    (issue 15): a second use (a later click in the UDF server) freezes nothing more, so later
    objects stay collectable, and the collector is back as it was each time."""
    code = ("import gc, xlkc; assert gc.get_freeze_count() == 0\n"
            "with xlkc.settled_imports():\n"
            "    paused = not gc.isenabled()\n"
            "    import pandas\n"
            "n = gc.get_freeze_count(); junk = [[] for _ in range(1000)]\n"
            "with xlkc.settled_imports():\n"
            "    pass\n"
            "gc.disable()\n"
            "with xlkc.settled_imports():\n"
            "    pass\n"
            "print(paused, n > 10000, gc.get_freeze_count() == n, gc.isenabled())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True", "True", "True", "False"]


def test_berakna_settles_its_imports(monkeypatch, tmp_path, capsys):
    import contextlib

    calls = []

    @contextlib.contextmanager
    def recorded():
        calls.append(1)
        yield

    monkeypatch.setattr(xlkc, "settled_imports", recorded)
    assert main(["berakna", str(BUNDLED), "-o", str(tmp_path / "ut.xlsm")]) == 0
    assert calls == [1]
