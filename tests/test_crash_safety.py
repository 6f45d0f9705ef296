"""Crash safety of the writer: a failure while writing leaves the target as it was, byte for byte,
and no temporary file behind; replacing a file keeps a backup identical to the original."""

from __future__ import annotations

import os
import shutil

import openpyxl
import pytest

from tests.roundtrip_support import BUNDLED, example_plan
from xlkc import layout as L  # noqa: N812
from xlkc.excel import file_writer
from xlkc.excel.file_writer import backup_path, write_plan


class Boom(RuntimeError):
    pass


@pytest.fixture(scope="module")
def plan():
    return example_plan()[0]


@pytest.fixture
def target(tmp_path):
    """An existing workbook in its own folder, as a controller would have it."""
    path = tmp_path / "Prismodell.xlsm"
    shutil.copyfile(BUNDLED, path)
    return path


def _failing_save(self, filename):
    """openpyxl dies while serialising the workbook."""
    raise Boom("mitt i sparandet")


def _half_write(path, data):
    """Writing the file stops half-way (disk full, killed process ...)."""
    with open(path, "wb") as fh:
        fh.write(data[: len(data) // 2])
    raise Boom("mitt i skrivningen")


@pytest.mark.parametrize("where", ["save", "write", "replace", "apply"])
def test_failure_while_writing_leaves_the_target_untouched(monkeypatch, target, plan, where):
    before = target.read_bytes()
    if where == "save":
        monkeypatch.setattr(openpyxl.Workbook, "save", _failing_save)
    elif where == "write":
        monkeypatch.setattr(file_writer, "_write_file", _half_write)
    elif where == "replace":
        def failing_replace(src, dst):
            raise Boom("replace")
        monkeypatch.setattr(file_writer.os, "replace", failing_replace)
    else:  # fails while applying the plan, before anything is saved
        def failing_log(wb, entry):
            raise Boom("log")
        monkeypatch.setattr(file_writer, "_write_log", failing_log)
    with pytest.raises(Boom):
        write_plan(target, plan, target)
    assert target.read_bytes() == before
    # nothing left behind but the workbook (a backup copy at most, identical to it)
    left = sorted(p.name for p in target.parent.iterdir())
    assert set(left) <= {target.name, backup_path(target).name}, left
    if backup_path(target).exists():
        assert backup_path(target).read_bytes() == before


def test_failure_writing_a_new_file_leaves_nothing(monkeypatch, tmp_path, plan):
    monkeypatch.setattr(file_writer, "_write_file", _half_write)
    out = tmp_path / "ut" / "Prismodell_beraknad.xlsm"
    with pytest.raises(Boom):
        write_plan(BUNDLED, plan, out)
    assert not out.exists()
    assert list(out.parent.iterdir()) == []


def test_overwrite_keeps_a_backup_identical_to_the_original(target, plan):
    before = target.read_bytes()
    write_plan(target, plan, target)
    assert backup_path(target).read_bytes() == before
    assert target.read_bytes() != before
    assert sorted(p.name for p in target.parent.iterdir()) == sorted(
        [target.name, backup_path(target).name])
    # the written file is a complete workbook with the outputs in it
    wb = openpyxl.load_workbook(target, keep_vba=True)
    ws = wb[L.sheet_of(L.T_PRICES.name).name]
    block = next(b for b in plan.tables if b.table == L.T_PRICES.name)
    assert ws.tables[L.T_PRICES.name].ref.endswith(str(L.HEADER_ROW + len(block.rows)))


def test_no_backup_when_asked(target, plan):
    write_plan(target, plan, target, backup=False)
    assert not backup_path(target).exists()


def test_permissions_of_a_replaced_file_are_kept(target, plan):
    os.chmod(target, 0o640)
    write_plan(target, plan, target)
    assert (target.stat().st_mode & 0o777) == 0o640


def test_source_is_never_modified_when_writing_elsewhere(tmp_path, plan):
    src = tmp_path / "in.xlsm"
    shutil.copyfile(BUNDLED, src)
    before = src.read_bytes()
    write_plan(src, plan, tmp_path / "ut.xlsm")
    assert src.read_bytes() == before
    assert not backup_path(src).exists()
