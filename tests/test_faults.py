"""Faults (issue 10, items 4 and 5): kills, full and read-only disks, concurrent writers, every
path case of ``-o``, hostile zip packages, FIFOs, legacy consoles, and a live workbook whose
writing fails part-way.

Real faults where the machine allows them: processes are SIGKILLed, a small tmpfs is mounted
(the tests skip without the privilege), zip bombs are generated here. The file I/O under test
is :mod:`xlkc.excel.safe_write` (through the CLI or directly).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from tests.roundtrip_support import BUNDLED, REPO
from xlkc.cli import DEFAULT_OUTPUT, main
from xlkc.errors import InputError
from xlkc.excel import file_reader, reader_limits, reader_xml, safe_write
from xlkc.excel.file_reader import read_workbook
from xlkc.excel.safe_write import SaveError, backups, lock_path, save

ORIGINAL = BUNDLED.read_bytes()
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "udfs")])}


def _recompressed(level: int) -> bytes:
    """The bundled workbook zipped again at another level: a valid workbook, other bytes."""
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(BUNDLED) as z, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED,
                                                        compresslevel=level) as w:
        for info in z.infolist():
            w.writestr(info.filename, z.read(info.filename))
    return buf.getvalue()


VERSION_A = _recompressed(1)
VERSION_B = _recompressed(9)


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".ut-"))


def _leftovers(folder: Path) -> list[str]:
    """Hidden files the writer may leave: temporary files and locks."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def _is_workbook(data: bytes) -> bool:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return z.testzip() is None and "xl/workbook.xml" in z.namelist()
    except zipfile.BadZipFile:
        return False


def _cli(*args: str, env: dict | None = None, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlkc.cli", *args], env=env or ENV,
                          capture_output=True, timeout=timeout, check=False, **kw)


# --- paths --------------------------------------------------------------------------------------

def test_a_backup_name_never_lands_on_the_input(tmp_path, monkeypatch, capsys):
    """``xlkc berakna X.bak.xlsm -o X.xlsm`` with an existing X.xlsm used to overwrite its
    input with the backup of X.xlsm."""
    src = tmp_path / "X.bak.xlsm"
    shutil.copyfile(BUNDLED, src)
    target = tmp_path / "X.xlsm"
    target.write_bytes(VERSION_A)
    assert main(["berakna", str(src), "-o", str(target)]) == 0
    out = capsys.readouterr().out
    assert src.read_bytes() == ORIGINAL
    (backup,) = backups(target)
    assert backup.read_bytes() == VERSION_A and backup.name in out
    assert _is_workbook(target.read_bytes()) and target.read_bytes() not in (ORIGINAL, VERSION_A)


def test_an_old_backup_as_input_is_never_pruned(tmp_path):
    """The input may itself be one of the target's backups: keeping the newest three must not
    delete it."""
    target = tmp_path / "X.xlsm"
    target.write_bytes(VERSION_A)
    oldest = tmp_path / "X.bak-20200101-000000.xlsm"
    oldest.write_bytes(ORIGINAL)
    for i in range(5):
        save(target, VERSION_B if i % 2 else VERSION_A, source=oldest)
    assert oldest.exists() and oldest.read_bytes() == ORIGINAL
    assert len(backups(target)) == safe_write.KEEP_BACKUPS + 1  # three kept + the input


def test_output_folder_resolves_to_the_default_name_before_the_same_file_check(tmp_path,
                                                                               monkeypatch,
                                                                               capsys):
    """``xlkc berakna Prismodell_beraknad.xlsm -o .`` overwrote its input."""
    monkeypatch.chdir(tmp_path)
    src = tmp_path / DEFAULT_OUTPUT
    shutil.copyfile(BUNDLED, src)
    for out in (".", str(tmp_path), str(tmp_path) + os.sep, "./"):
        assert main(["berakna", str(src), "-o", out]) == 1
        err = capsys.readouterr().err
        assert "samma fil som arbetsboken" in err and "--skriv-over" in err, err
    assert src.read_bytes() == ORIGINAL and backups(src) == []
    assert _leftovers(tmp_path) == []


def test_output_in_a_folder_gets_the_default_name(tmp_path, capsys):
    folder = tmp_path / "ut"
    folder.mkdir()
    assert main(["berakna", str(BUNDLED), "-o", str(folder)]) == 0
    assert _is_workbook((folder / DEFAULT_OUTPUT).read_bytes())
    assert str(folder / DEFAULT_OUTPUT) in capsys.readouterr().out


@pytest.mark.parametrize("name", ["ut.xlsx", "ut", "ut.xls", "ut.zip"])
def test_output_must_be_xlsm(tmp_path, capsys, name):
    assert main(["berakna", str(BUNDLED), "-o", str(tmp_path / name)]) == 1
    err = capsys.readouterr().err
    assert "måste sluta på .xlsm" in err and "makro" in err
    assert list(tmp_path.iterdir()) == []


def test_links_to_the_input_are_the_input(tmp_path, capsys):
    src = tmp_path / "in.xlsm"
    shutil.copyfile(BUNDLED, src)
    (tmp_path / "sym.xlsm").symlink_to(src)
    os.link(src, tmp_path / "hard.xlsm")
    for link in ("sym.xlsm", "hard.xlsm"):
        assert main(["berakna", str(src), "-o", str(tmp_path / link)]) == 1
        assert "samma fil" in capsys.readouterr().err
    assert src.read_bytes() == ORIGINAL


def test_a_symlinked_target_is_written_through(tmp_path):
    real = tmp_path / "real.xlsm"
    real.write_bytes(VERSION_A)
    link = tmp_path / "link.xlsm"
    link.symlink_to(real)
    save(link, VERSION_B)
    assert link.is_symlink() and real.read_bytes() == VERSION_B
    assert backups(real)[0].read_bytes() == VERSION_A


def test_a_file_in_the_middle_of_the_path(tmp_path):
    (tmp_path / "fil").write_bytes(b"x")
    with pytest.raises(SaveError, match="en del av sökvägen är en fil"):
        save(tmp_path / "fil" / "under" / "ut.xlsm", VERSION_A)
    with pytest.raises(SaveError, match="en del av sökvägen är en fil"):
        save(tmp_path / "fil" / "ut.xlsm", VERSION_A)


def test_a_new_folder_is_made(tmp_path, capsys):
    assert main(["berakna", str(BUNDLED), "-o", str(tmp_path / "ny" / "mapp") + os.sep]) == 0
    assert _is_workbook((tmp_path / "ny" / "mapp" / DEFAULT_OUTPUT).read_bytes())


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_special_target_is_refused(tmp_path, kind):
    target = tmp_path / "ut.xlsm"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    with pytest.raises(SaveError, match="ut.xlsm"):
        save(target, VERSION_A)


# --- inputs that are not files, hostile packages -------------------------------------------------

def test_a_fifo_as_input_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "in.xlsm"
    os.mkfifo(fifo)
    for command in ("validera", "berakna"):
        proc = _cli(command, str(fifo), timeout=120, cwd=tmp_path)
        err = proc.stderr.decode("utf-8")
        assert proc.returncode == 1 and "ingen vanlig fil" in err, err
    with pytest.raises(InputError, match="ingen vanlig fil"):
        read_workbook(fifo)


@pytest.mark.parametrize("path", ["/dev/null", "/dev/zero"])
def test_a_device_as_input_is_refused(path, capsys):
    assert main(["validera", path]) == 1
    assert "ingen vanlig fil" in capsys.readouterr().err
    with pytest.raises(InputError, match="ingen vanlig fil"):
        read_workbook(path)


def _deflate_repeated(chunk: bytes, n: int) -> tuple[bytes, int, int]:
    """A raw deflate stream of ``chunk`` n times, cheaply: after a full flush the compressor
    starts afresh, so every copy compresses to the same bytes. (data, crc32, size)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(n):
        crc = zlib.crc32(chunk, crc)
    return first + again * (n - 1) + tail, crc, len(chunk) * n


def _write_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> None:
    """A zip of raw deflate members (name, data, crc, size), written by hand (no zip64)."""
    local, central = bytearray(), bytearray()
    for name, data, crc, size in members:
        offset = len(local)
        n = name.encode()
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size,
                             len(n), 0) + n + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                               len(data), size, len(n), 0, 0, 0, 0, 0, offset) + n
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                      len(local), 0)
    path.write_bytes(bytes(local + central + end))


def _workbook_with(path: Path, name: str, data: bytes, crc: int, size: int) -> Path:
    """The bundled workbook with one member replaced (or added) by a raw deflate stream."""
    members = []
    with zipfile.ZipFile(BUNDLED) as z:
        for info in z.infolist():
            if info.filename == name:
                continue
            raw = z.read(info.filename)
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            members.append((info.filename, c.compress(raw) + c.flush(), zlib.crc32(raw),
                            len(raw)))
    members.append((name, data, crc, size))
    _write_zip(path, members)
    return path


def _sst(strings: list[str]) -> bytes:
    body = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://'
            f'schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" '
            f'uniqueCount="{len(strings)}">{body}</sst>').encode()


def _plain(path: Path, name: str, xml: bytes) -> Path:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return _workbook_with(path, name, c.compress(xml) + c.flush(), zlib.crc32(xml), len(xml))


@pytest.fixture
def no_openpyxl(monkeypatch):
    """Fail if the reader gets as far as reading the parts (the package must be refused
    before)."""
    def refuse(*a, **k):
        raise AssertionError("the reader was asked to expand a hostile package")

    monkeypatch.setattr(file_reader, "_Book", refuse)


def test_a_gigabyte_of_shared_strings_is_refused_before_it_is_expanded(tmp_path, no_openpyxl):
    chunk = b"<si><t>" + b"a" * 1000 + b"</t></si>"
    data, crc, size = _deflate_repeated(chunk * 1000, 1100)  # 1.04 GiB
    path = _workbook_with(tmp_path / "bomb.xlsm", "xl/sharedStrings.xml", data, crc, size)
    assert path.stat().st_size < 3 * 2**20 and size >= 2**30
    with zipfile.ZipFile(path) as z:  # an honest zip: the member really expands to 1 GiB
        with z.open("xl/sharedStrings.xml") as fh:
            assert fh.read(len(chunk)) == chunk
        assert z.getinfo("xl/sharedStrings.xml").file_size == size
    t = time.process_time()
    with pytest.raises(InputError, match=r"packas upp till 10\d\d MB"):
        read_workbook(path)
    assert time.process_time() - t < 5  # refused from the directory: nothing expanded


def test_ten_million_shared_strings_are_refused(tmp_path, no_openpyxl):
    si = b"<si><t>x</t></si>"
    data, crc, size = _deflate_repeated(si * 100_000, 100)  # 10 million strings
    path = _workbook_with(tmp_path / "many.xlsm", "xl/sharedStrings.xml", data, crc, size)
    assert path.stat().st_size < 2**20
    with pytest.raises(InputError, match="packad .* gånger"):
        read_workbook(path)


def test_the_writer_refuses_a_hostile_source_too(tmp_path, no_openpyxl):
    from tests.roundtrip_support import example_plan
    from xlkc.excel.file_writer import write_plan

    si = b"<si><t>x</t></si>"
    data, crc, size = _deflate_repeated(si * 100_000, 100)
    path = _workbook_with(tmp_path / "many.xlsm", "xl/sharedStrings.xml", data, crc, size)
    with pytest.raises(InputError, match="zip-bomb"):
        write_plan(path, example_plan()[0], tmp_path / "ut.xlsm")
    assert not (tmp_path / "ut.xlsm").exists()


def test_too_many_shared_strings_are_counted_while_streaming(tmp_path, monkeypatch, no_openpyxl):
    """Under the ratio limit, the strings themselves are counted (the limit lowered here)."""
    monkeypatch.setattr(reader_limits, "MAX_SHARED_STRINGS", 1000)
    path = _plain(tmp_path / "sst.xlsm", "xl/sharedStrings.xml",
                  _sst([f"text {i}" for i in range(1001)]))
    with pytest.raises(InputError, match="mer än 1 000 olika texter"):
        read_workbook(path)


def test_a_cell_text_over_excels_limit_is_refused(tmp_path, no_openpyxl):
    path = _plain(tmp_path / "lang.xlsm", "xl/sharedStrings.xml",
                  _sst(["kort", "x" * 32_768]))
    with pytest.raises(InputError, match="32767 tecken"):
        read_workbook(path)


def test_a_cell_text_at_excels_limit_is_read(tmp_path):
    with zipfile.ZipFile(BUNDLED) as z:
        xml = z.read("xl/sharedStrings.xml")
    xml = xml.replace(b"</sst>", b"<si><t>" + "å".encode() * 32_767 + b"</t></si></sst>")
    path = _plain(tmp_path / "gräns.xlsm", "xl/sharedStrings.xml", xml)
    assert read_workbook(path).tables  # read as usual


@pytest.mark.parametrize("cell", ['<row r="1048577"><c r="A1048577"><v>1</v></c></row>',
                                  '<row r="5"><c r="XFE5"><v>1</v></c></row>'])
def test_a_sheet_beyond_excels_grid_is_refused(tmp_path, no_openpyxl, cell):
    with zipfile.ZipFile(BUNDLED) as z:
        part = reader_xml._sheet_parts(z)["Kontakter"]
        xml = z.read(part)
    xml = xml.replace(b"</sheetData>", cell.encode() + b"</sheetData>")
    path = _plain(tmp_path / "stor.xlsm", part, xml)
    with pytest.raises(InputError, match="utanför Excels|Excel har 1048576 rader"):
        read_workbook(path)


def test_the_last_cell_of_excels_grid_is_allowed(tmp_path):
    with zipfile.ZipFile(BUNDLED) as z:
        part = reader_xml._sheet_parts(z)["Kontakter"]
        xml = z.read(part)
    cell = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = _plain(tmp_path / "kant.xlsm", part,
                  xml.replace(b"</sheetData>", cell.encode() + b"</sheetData>"))
    with zipfile.ZipFile(path) as z:
        reader_limits._check_package(z, path.name)


def test_too_many_members_are_refused(tmp_path, monkeypatch, no_openpyxl):
    monkeypatch.setattr(reader_limits, "MAX_MEMBERS", 10)
    with pytest.raises(InputError, match="delar"):
        read_workbook(BUNDLED)


def test_the_bundled_workbook_is_within_every_limit():
    with zipfile.ZipFile(BUNDLED) as z:
        reader_limits._check_package(z, BUNDLED.name)


# --- the lock, stale locks, dead temporary files ------------------------------------------------

def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _lock_json(pid: int, host: str | None = None, age: float = 0.0) -> bytes:
    return json.dumps({"pid": pid, "host": host or safe_write._host_id(), "hostname": "värd",
                       "started": None, "time": time.time() - age, "nonce": "x"}).encode()


def test_a_stale_lock_of_a_dead_writer_is_broken(tmp_path):
    target = tmp_path / "ut.xlsm"
    lock_path(target).write_bytes(_lock_json(_dead_pid()))
    save(target, VERSION_A, lock_wait=0)
    assert target.read_bytes() == VERSION_A and _leftovers(tmp_path) == []


@pytest.mark.skipif(safe_write._proc_start(os.getpid()) is None,
                    reason="the OS does not tell a process's start time")
def test_a_lock_whose_pid_now_runs_another_process_is_stale(tmp_path):
    """pid reuse: the pid runs, but a process started at another time than the writer."""
    target = tmp_path / "ut.xlsm"
    record = json.loads(_lock_json(os.getpid()))
    record["started"] = "1"  # this process did not start at tick 1
    lock_path(target).write_bytes(json.dumps(record).encode())
    save(target, VERSION_A, lock_wait=0)
    assert target.read_bytes() == VERSION_A and _leftovers(tmp_path) == []


def test_a_garbled_lock_is_broken_once_it_is_old(tmp_path):
    target = tmp_path / "ut.xlsm"
    lock = lock_path(target)
    lock.write_bytes(b"")  # a writer killed between creating and filling its lock
    with pytest.raises(SaveError, match="skrivs just nu"):
        save(target, VERSION_A, lock_wait=0.2)
    old = time.time() - 60
    os.utime(lock, (old, old))
    save(target, VERSION_A, lock_wait=0)
    assert target.read_bytes() == VERSION_A and _leftovers(tmp_path) == []


def test_a_live_lock_makes_the_second_writer_stop_with_a_swedish_message(tmp_path):
    target = tmp_path / "ut.xlsm"
    target.write_bytes(ORIGINAL)
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock_path(target).write_bytes(_lock_json(holder.pid))
        t = time.monotonic()
        with pytest.raises(SaveError) as info:
            save(target, VERSION_A, lock_wait=0.5)
        assert time.monotonic() - t >= 0.5  # it waited first
        text = str(info.value)
        assert f"process {holder.pid}" in text and "ut.xlsm är oförändrad" in text
        assert "Vänta" in text
    finally:
        holder.kill()
        holder.wait()
    assert target.read_bytes() == ORIGINAL and _temps(tmp_path) == []
    save(target, VERSION_A, lock_wait=0)  # the holder is gone: its lock is stale now
    assert target.read_bytes() == VERSION_A


def test_breaking_a_stale_lock_gives_back_a_fresh_one_taken_meanwhile(tmp_path):
    """Two waiters judge the same lock stale; the first breaks it and takes a fresh one; the
    second must not remove that."""
    lock = lock_path(tmp_path / "ut.xlsm")
    stale = _lock_json(_dead_pid())
    fresh = _lock_json(os.getpid())
    lock.write_bytes(fresh)  # what the first waiter wrote after breaking the stale lock
    safe_write._break(lock, stale)  # the second waiter still thinks it is the stale one
    assert lock.read_bytes() == fresh and _leftovers(tmp_path) == [lock.name]
    safe_write._break(lock, fresh)  # the one it judged: removed
    assert _leftovers(tmp_path) == []


def test_a_lock_of_another_host_is_stale_only_when_old(tmp_path):
    target = tmp_path / "ut.xlsm"
    lock_path(target).write_bytes(_lock_json(1, host="0badcafe"))
    with pytest.raises(SaveError, match="värd"):
        save(target, VERSION_A, lock_wait=0)
    lock_path(target).write_bytes(_lock_json(1, host="0badcafe",
                                             age=safe_write.STALE_AFTER_S + 1))
    save(target, VERSION_A, lock_wait=0)
    assert target.read_bytes() == VERSION_A


def test_only_temporary_files_of_gone_writers_are_removed(tmp_path):
    host = safe_write._host_id()
    dead = tmp_path / f".ut-{_dead_pid()}-{host}-abc12.xlsm"
    alive = tmp_path / f".ut-{os.getpid()}-{host}-def34.xlsm"  # this process: still writing
    other_new = tmp_path / ".ut-123-0badcafe-ghi56.xlsm"  # another host, recent
    other_old = tmp_path / ".ut-123-0badcafe-jkl78.xlsm"
    foreign = tmp_path / ".ut-not-ours.xlsm"  # not our pattern
    for p in (dead, alive, other_new, other_old, foreign):
        p.write_bytes(b"x")
    old = time.time() - safe_write.STALE_AFTER_S - 1
    os.utime(other_old, (old, old))
    save(tmp_path / "ut.xlsm", VERSION_A)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == sorted(
        [alive.name, other_new.name, foreign.name])


def test_old_style_temporary_files_are_removed_once_old(tmp_path):
    """Earlier versions named their temporary files ``.<stem>-<random>.xlsm`` (no writer in
    the name): removed when older than the stale limit."""
    old_tmp = tmp_path / ".ut-t9hj8p3l.xlsm"
    new_tmp = tmp_path / ".ut-ab12cd34.xlsm"
    other = tmp_path / ".annan-t9hj8p3l.xlsm"  # another file's
    for p in (old_tmp, new_tmp, other):
        p.write_bytes(b"x")
    old = time.time() - safe_write.STALE_AFTER_S - 1
    os.utime(old_tmp, (old, old))
    os.utime(other, (old, old))
    save(tmp_path / "ut.xlsm", VERSION_A)
    assert _leftovers(tmp_path) == sorted([new_tmp.name, other.name])


# --- backups ------------------------------------------------------------------------------------

def test_repeated_runs_keep_the_newest_three_backups(tmp_path):
    target = tmp_path / "ut.xlsm"
    target.write_bytes(b"v0")
    written = [b"v0"]
    for i in range(5):
        data = b"v%d" % (i + 1)
        got = save(target, data)
        assert got.backup is not None and got.backup.read_bytes() == written[-1]
        written.append(data)
    kept = backups(target)
    assert [b.read_bytes() for b in kept] == [b"v4", b"v3", b"v2"]
    assert len({b.name for b in kept}) == 3  # same second: numbered, not overwritten


# --- killed, concurrent ---------------------------------------------------------------------------

_WRITER = r"""
import sys, time
from pathlib import Path
from xlkc.excel.safe_write import save
target, *sources = sys.argv[1:]
data = [Path(s).read_bytes() for s in sources]
print("ready", flush=True)
i = 0
while True:
    save(target, data[i % len(data)], lock_wait=60)
    i += 1
"""


def test_sigkill_during_writes_leaves_old_or_new_complete(tmp_path):
    """A writer killed at random moments: the target is always one complete version, every
    backup too; the next run removes the dead run's temporary file and breaks its lock."""
    folder = tmp_path / "ut"
    folder.mkdir()
    target = folder / "Prismodell_beraknad.xlsm"
    target.write_bytes(ORIGINAL)
    a, b = tmp_path / "a.xlsm", tmp_path / "b.xlsm"
    a.write_bytes(VERSION_A)
    b.write_bytes(VERSION_B)
    versions = {ORIGINAL, VERSION_A, VERSION_B}
    rng = random.Random(10)
    mid_write = 0
    for _ in range(12):
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(target), str(a), str(b)],
                                env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert proc.stdout.readline().strip() == b"ready", proc.stderr.read()
            time.sleep(rng.uniform(0.0, 0.5))
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        assert proc.returncode == -signal.SIGKILL
        mid_write += bool(_leftovers(folder))
        assert target.read_bytes() in versions
        for bak in backups(target):
            assert bak.read_bytes() in versions, bak.name
        assert len(backups(target)) <= safe_write.KEEP_BACKUPS + 1  # killed before pruning
    save(target, VERSION_A, lock_wait=5)  # the next run
    assert _leftovers(folder) == []
    assert len(backups(target)) == safe_write.KEEP_BACKUPS
    assert mid_write >= 1  # at least one kill hit a write in progress (temp file or lock)


_ONCE = r"""
import sys, time
from pathlib import Path
from xlkc.excel.safe_write import save
target, source, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
data = Path(source).read_bytes()
time.sleep(max(0.0, start - time.time()))
saved = save(target, data, lock_wait=120)
print(saved.backup.name if saved.backup else "-")
"""


def test_concurrent_writers_lose_nothing(tmp_path):
    """Three runs writing the same file at once: each waits its turn, each keeps the version
    it replaced, and the original and every run's version survive."""
    target = tmp_path / "ut.xlsm"
    target.write_bytes(ORIGINAL)
    sources = []
    for i in range(3):
        p = tmp_path / f"src{i}.bin"
        p.write_bytes(VERSION_A + b"run %d" % i)
        sources.append(p)
    start = time.time() + 3.0
    procs = [subprocess.Popen([sys.executable, "-c", _ONCE, str(target), str(s), str(start)],
                              env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for s in sources]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err.decode()
    reported = [out.decode().strip() for out, _ in outs]
    assert len(set(reported)) == 3 and "-" not in reported  # three distinct backups
    kept = {target.read_bytes()} | {b.read_bytes() for b in backups(target)}
    assert kept == {ORIGINAL} | {s.read_bytes() for s in sources}
    assert _leftovers(tmp_path) == []


# --- full and read-only file systems --------------------------------------------------------------

@pytest.fixture
def tmpfs(tmp_path):
    """A 1 MiB tmpfs (skips without the privilege to mount)."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("mount finns inte")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0777", "tmpfs", str(mnt)],
                          capture_output=True, check=False)
    if proc.returncode != 0:
        pytest.skip(f"kan inte montera tmpfs: {proc.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(folder: Path) -> Path:
    filler = folder / "fyllnad"
    with open(filler, "wb", buffering=0) as fh, contextlib.suppress(OSError):
        while True:
            fh.write(b"\0" * 4096)
    return filler


def test_a_full_disk_leaves_the_target_and_says_so_in_swedish(tmpfs, capsys):
    target = tmpfs / "Prismodell_beraknad.xlsm"
    target.write_bytes(VERSION_A)
    filler = _fill(tmpfs)
    with open(filler, "r+b") as fh:  # room for the lock file, not for the workbook
        fh.truncate(filler.stat().st_size - 8192)
    assert main(["berakna", str(BUNDLED), "-o", str(target)]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "disken är full" in err and str(target) in err and "oförändrad" in err, err
    assert ".ut-" not in err and "No space" not in err
    assert target.read_bytes() == VERSION_A
    assert _leftovers(tmpfs) == [] and backups(target) == []
    filler.unlink()
    save(target, VERSION_B)  # room again: written, the old version kept (a hard link)
    assert target.read_bytes() == VERSION_B and backups(target)[0].read_bytes() == VERSION_A


def test_a_full_disk_while_copying_the_backup(tmpfs, monkeypatch):
    """Without hard links the backup is a copy; a disk that fills during it leaves no torn
    backup and the target as it was."""
    monkeypatch.setattr(safe_write.os, "link", lambda a, b: (_ for _ in ()).throw(
        OSError(1, "Operation not permitted")))
    target = tmpfs / "ut.xlsm"
    target.write_bytes(VERSION_A)
    filler = _fill(tmpfs)
    # room for the lock and the new file, not for the backup copy as well
    with open(filler, "r+b") as fh:
        fh.truncate(filler.stat().st_size - (len(VERSION_B) + 3 * 4096))
    with pytest.raises(SaveError, match="disken är full"):
        save(target, VERSION_B)
    assert target.read_bytes() == VERSION_A
    assert _leftovers(tmpfs) == [] and backups(target) == []


def test_a_read_only_file_system(tmpfs):
    target = tmpfs / "ut.xlsm"
    target.write_bytes(VERSION_A)
    proc = subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], capture_output=True,
                          check=False)
    if proc.returncode != 0:
        pytest.skip("kan inte montera om skrivskyddat")
    with pytest.raises(SaveError) as info:
        save(target, VERSION_B)
    text = str(info.value)
    assert "skrivskyddad" in text and str(target) in text and ".ut-" not in text
    assert target.read_bytes() == VERSION_A


@pytest.mark.parametrize(("exc", "words"), [
    (PermissionError(13, "Permission denied"), "åtkomst nekad"),
    (FileExistsError(17, "File exists"), "finns redan"),
    (OSError(28, "No space left on device"), "disken är full"),
    (OSError(30, "Read-only file system"), "skrivskyddad"),
    (OSError(5, "Input/output error"), "EIO"),
])
def test_every_os_error_is_a_swedish_sentence_naming_the_users_file(tmp_path, monkeypatch, exc,
                                                                     words):
    target = tmp_path / "min fil.xlsm"
    target.write_bytes(VERSION_A)

    def failing(path, data, mode):
        exc.filename = str(path)
        raise exc

    monkeypatch.setattr(safe_write, "_write_new", failing)
    with pytest.raises(SaveError) as info:
        save(target, VERSION_B)
    text = str(info.value)
    assert words in text and str(target) in text and "min fil.xlsm är oförändrad" in text
    assert ".ut-" not in text and exc.strerror not in text
    assert target.read_bytes() == VERSION_A and _leftovers(tmp_path) == []


# --- the console ----------------------------------------------------------------------------------

def _falling_prices(tmp_path: Path) -> Path:
    """A workbook whose price list shows a fall (U+2212 in the change column)."""
    from tests.excel_edit import edited_copy, set_cell
    from xlkc import layout as L  # noqa: N812

    return edited_copy(tmp_path, "in.xlsm",
                       lambda wb: set_cell(wb, L.T_PREVIOUS.name, "Pris (kr)", 0, 1e9))


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_a_legacy_console_gets_ascii_signs_and_the_run_succeeds(tmp_path, encoding):
    src = _falling_prices(tmp_path)
    out = tmp_path / "ut.xlsm"
    env = {**ENV, "PYTHONIOENCODING": encoding}
    with open(tmp_path / "stdout.txt", "wb") as fh:
        proc = subprocess.run([sys.executable, "-m", "xlkc.cli", "berakna", str(src), "-o",
                               str(out)], env=env, stdout=fh, stderr=subprocess.PIPE,
                              timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr.decode(encoding, "replace")
    text = (tmp_path / "stdout.txt").read_bytes().decode(encoding)
    assert "Prislista" in text and "\u2212" not in text
    assert re.search(r" -\d+,\d %", text), text  # the fall, with an ASCII minus
    assert _is_workbook(out.read_bytes())


def test_a_closed_console_does_not_turn_a_written_file_into_a_failure(tmp_path):
    """Nobody reads stdout and stderr: every write to them fails (EPIPE); the file is written
    and the exit code says so."""
    out = tmp_path / "ut.xlsm"
    proc = subprocess.Popen([sys.executable, "-m", "xlkc.cli", "berakna", str(BUNDLED), "-o",
                             str(out)], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()
    proc.stderr.close()
    assert proc.wait(timeout=300) == 0
    assert _is_workbook(out.read_bytes())


# --- live Excel (xlwings Server engine) ---------------------------------------------------------

try:  # the live-Excel tests need xlwings (a dependency); everything above runs without it
    import xlwings  # noqa: F401

    from tests.test_xlwings_adapter import (
        START,
        _actions,
        _example_plan,
        _set_values,
        _sheet_of,
        make_book,  # noqa: F401 - fixture
        payload,  # noqa: F401 - fixture
        server_engine,  # noqa: F401 - fixture
    )
    from xlkc.excel import xlwings_adapter
    from xlkc.excel.xlwings_adapter import WriteInterrupted, apply_plan
except ImportError:  # pragma: no cover
    xlwings_adapter = None
needs_xlwings = pytest.mark.skipif(xlwings_adapter is None, reason="xlwings saknas")


def _status_writes(actions):
    return [a["values"][0][0] for a in _set_values(actions, START.name)]


@needs_xlwings
def test_a_failure_while_writing_names_the_stale_sheets(payload, make_book,  # noqa: F811
                                                        monkeypatch):
    plan, _ = _example_plan()
    real = xlwings_adapter._write_block
    calls = []

    def failing(book, block, planned=None):
        calls.append(block.sheet)
        if len(calls) == 3:
            raise RuntimeError("Excel svarar inte")
        return real(book, block, planned)

    monkeypatch.setattr(xlwings_adapter, "_write_block", failing)
    book = make_book(payload)
    with pytest.raises(WriteInterrupted) as info:
        apply_plan(book, plan)
    sheets = list(dict.fromkeys(b.sheet for b in plan.tables))
    written = {b.sheet for b in plan.tables[:2]} - {plan.tables[2].sheet}
    stale = [s for s in sheets if s not in written]
    assert info.value.stale == stale
    statuses = _status_writes(_actions(book))
    # first: writing is under way, with every sheet it renews; last: the stale ones
    assert "pågår" in statuses[0] and all(s in statuses[0] for s in sheets)
    last = statuses[-1]
    assert "avbröts" in last and "Excel svarar inte" in last
    assert last.split("inaktuella blad: ")[1].split(".")[0] == ", ".join(stale)
    # no table after the failing one was written; after the failure, only that status
    actions = _actions(book)
    for block in plan.tables[2:]:
        assert not [a for a in actions if a["func"] == "setValues" and _sheet_of(a) == block.sheet
                    and (a["start_row"] + 1, a["start_column"] + 1)
                    == (block.header_row, block.first_col)], block.table
    stale_at = max(i for i, a in enumerate(actions) if a["func"] == "setValues"
                   and "avbröts" in str(a["values"]))
    assert all(_sheet_of(a) in (START.name, None) for a in actions[stale_at:])


@needs_xlwings
def test_everything_is_read_before_the_first_write(payload, make_book,  # noqa: F811
                                                   monkeypatch):
    """A failure while planning (reading the Körlogg here) writes nothing at all."""
    plan, _ = _example_plan()

    def failing(book, entry):
        raise RuntimeError("Körloggen går inte att läsa")

    monkeypatch.setattr(xlwings_adapter, "_plan_log", failing)
    book = make_book(payload)
    with pytest.raises(RuntimeError):
        apply_plan(book, plan)
    assert [a for a in _actions(book) if a["func"] not in ("setScreenUpdating",)] == []


@needs_xlwings
def test_the_button_says_which_sheets_are_stale(payload, make_book, monkeypatch):  # noqa: F811
    import xlkc.excel

    real = xlwings_adapter._write_block
    calls = []

    def failing(book, block, planned=None):
        calls.append(block.sheet)
        if len(calls) == 2:
            raise RuntimeError("Excel svarar inte")
        return real(book, block, planned)

    monkeypatch.setattr(xlwings_adapter, "_write_block", failing)
    monkeypatch.delenv("XLKC_DEBUG", raising=False)
    book = make_book(payload)
    out = xlkc.excel.berakna_priser()
    assert not out.ok
    (alert,) = [a for a in _actions(book) if a["func"] == "alert"]
    text = alert["args"][0]
    assert "skrivningen till arbetsboken avbröts" in text and "Inaktuella blad:" in text
    assert "Start" in text


def test_host_id_is_stable():
    assert safe_write._host_id() == safe_write._host_id(socket.gethostname())
