"""Crash safety of the writer: a failure while writing leaves the target as it was, byte for byte,
and no temporary file or lock behind; replacing a file keeps a backup identical to the original.

The file I/O is :mod:`xlkc.excel.safe_write`; faults are injected where it writes (the temporary
file, the backup, the rename). Killed processes, full disks and concurrent writers are in
``tests/test_faults.py``.
"""

from __future__ import annotations

import os
import shutil

import openpyxl
import pytest

from tests.roundtrip_support import BUNDLED, example_plan
from xlkc import layout as L  # noqa: N812
from xlkc.excel import file_writer, safe_write
from xlkc.excel.file_writer import write_plan
from xlkc.excel.safe_write import backups


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


def _failing_save(self):
    """The package dies while it is being serialised."""
    raise Boom("mitt i sparandet")


def _half_write(path, data, mode):
    """Writing the temporary file stops half-way (disk full, killed process ...)."""
    with open(path, "wb") as fh:
        fh.write(data[: len(data) // 2])
    raise Boom("mitt i skrivningen")


@pytest.mark.parametrize("where", ["save", "write", "backup", "replace", "apply"])
def test_failure_while_writing_leaves_the_target_untouched(monkeypatch, target, plan, where):
    before = target.read_bytes()
    if where == "save":
        from xlkc.excel.ooxml_zip import Package

        monkeypatch.setattr(Package, "to_bytes", _failing_save)
    elif where == "write":
        monkeypatch.setattr(safe_write, "_write_new", _half_write)
    elif where == "backup":
        def failing_backup(real, user_file):
            raise Boom("backup")
        monkeypatch.setattr(safe_write, "_make_backup", failing_backup)
    elif where == "replace":
        def failing_replace(src, dst):
            raise Boom("replace")
        monkeypatch.setattr(safe_write.os, "replace", failing_replace)
    else:  # fails while applying the plan, before anything is saved
        def failing_log(wb, entry):
            raise Boom("log")
        monkeypatch.setattr(file_writer, "_write_log", failing_log)
    with pytest.raises(Boom):
        write_plan(target, plan, target)
    assert target.read_bytes() == before
    # nothing left behind but the workbook (a backup at most, identical to it): no temporary
    # file, no lock
    left = sorted(p.name for p in target.parent.iterdir())
    assert set(left) <= {target.name} | {b.name for b in backups(target)}, left
    for b in backups(target):
        assert b.read_bytes() == before


def test_failure_writing_a_new_file_leaves_nothing(monkeypatch, tmp_path, plan):
    monkeypatch.setattr(safe_write, "_write_new", _half_write)
    out = tmp_path / "ut" / "Prismodell_beraknad.xlsm"
    with pytest.raises(Boom):
        write_plan(BUNDLED, plan, out)
    assert not out.exists()
    assert list(out.parent.iterdir()) == []


def test_overwrite_keeps_a_backup_identical_to_the_original(target, plan):
    before = target.read_bytes()
    write_plan(target, plan, target)
    (backup,) = backups(target)
    assert backup.read_bytes() == before
    assert target.read_bytes() != before
    assert sorted(p.name for p in target.parent.iterdir()) == sorted([target.name, backup.name])
    # the written file is a complete workbook with the outputs in it
    wb = openpyxl.load_workbook(target, keep_vba=True)
    ws = wb[L.sheet_of(L.T_PRICES.name).name]
    block = next(b for b in plan.tables if b.table == L.T_PRICES.name)
    assert ws.tables[L.T_PRICES.name].ref.endswith(str(L.HEADER_ROW + len(block.rows)))


def test_backup_is_a_copy_where_hard_links_fail(monkeypatch, target, plan):
    """FAT or a network share: the backup is copied (temp file, fsync, rename) instead."""
    def no_link(a, b):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(safe_write.os, "link", no_link)
    before = target.read_bytes()
    write_plan(target, plan, target)
    (backup,) = backups(target)
    assert backup.read_bytes() == before and os.stat(backup).st_nlink == 1
    assert sorted(p.name for p in target.parent.iterdir()) == sorted([target.name, backup.name])


def test_no_backup_when_asked(target, plan):
    write_plan(target, plan, target, backup=False)
    assert backups(target) == []


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
    assert backups(src) == []
