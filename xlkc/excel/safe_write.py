"""Writing a workbook file safely: atomically, with backups, one writer at a time.

:func:`save` puts ``data`` at ``target`` so that at every moment - a crash, a kill, a full disk,
a second run writing the same file - the target is either its previous complete version or the
new complete one, and nothing the user had is lost:

1. The target path is checked first: its extension must be ``.xlsm`` (the file carries a VBA
   project; Excel refuses a macro workbook named ``.xlsx``), it must not be the input (compared
   after resolving symbolic links, and by inode for hard links), and an existing target must be
   a regular file. A symbolic link as target is written through (the link stays).
2. A lock file ``.<name>.xlkc-lock`` beside the target is created exclusively (``O_EXCL``); it
   holds the writer's pid, host, start time of the process and the time. A second writer waits
   up to :data:`LOCK_WAIT_S` seconds for it and then stops with a Swedish message naming the
   holder. A lock whose writer is gone is *stale* and is broken: same host and the pid is not
   running (or runs a different process, by its start time, where the OS tells), or another host
   and older than :data:`STALE_AFTER_S`.
3. Under the lock: temporary files ``.ut-<pid>-<host>-<random>.xlsm`` of dead runs in the folder
   are removed (only those whose writer is gone, by the same rule), then the data is written to
   a fresh temporary file in the target's folder (same file system), flushed and fsynced, given
   the target's permissions.
4. An existing target is kept as a backup ``<stem>.bak-YYYYMMDD-HHMMSS[-n].xlsm`` (local time of
   the run; ``-n`` when a second run falls in the same second): a hard link to the current file
   (instant, and it cannot be torn), or where the file system has no hard links a copy written
   like the target (temporary file, fsync, rename). A backup name is always new, so it can never
   be the input or an earlier backup.
5. The temporary file is renamed over the target (:func:`os.replace`, atomic on one file
   system) and the folder is fsynced.
6. Backups beyond the newest :data:`KEEP_BACKUPS` of this target are removed (never the input).

Every OS error becomes a :class:`SaveError` with a Swedish sentence that names the user's file
(never the temporary one), says whether it was changed, and what to do.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import stat
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["KEEP_BACKUPS", "LOCK_WAIT_S", "STALE_AFTER_S", "SaveError", "Saved", "backup_path",
           "backups", "check_target", "remove_dead_temp_files", "resolve_output", "save",
           "write_lock"]

#: Backups kept per target (the newest; older ones are removed after a successful write).
KEEP_BACKUPS = 3
#: Seconds a second writer waits for the lock before it stops.
LOCK_WAIT_S = 15.0
#: A lock or temporary file from another host is stale after this many seconds (a write takes
#: seconds; on this host a dead writer is recognised at once by its pid).
STALE_AFTER_S = 600.0
#: The only extension a written workbook may have.
EXTENSION = ".xlsm"

_TEMP_PREFIX = ".ut-"
_TEMP_RE = re.compile(r"^\.ut-(\d+)-([0-9a-f]{8})-[0-9a-z]+\.xlsm$")
_LOCK_SUFFIX = ".xlkc-lock"


class SaveError(Exception):
    """A write that could not be done, with a Swedish message for the user."""


@dataclass(frozen=True)
class Saved:
    """What :func:`save` did: the file written and the backup of its previous version."""

    path: Path
    backup: Path | None


# --- who is writing -------------------------------------------------------------------------------

def _host_id(host: str | None = None) -> str:
    return hashlib.sha1((host or socket.gethostname()).encode("utf-8")).hexdigest()[:8]


def _proc_start(pid: int) -> str | None:
    """The start time of a process (Linux: field 22 of /proc/<pid>/stat), to tell a reused
    pid from the writer; None where the OS does not say."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            text = fh.read().decode("ascii", "replace")
        return text[text.rindex(")") + 2:].split()[19]
    except (OSError, ValueError, IndexError):
        return None


def _pid_alive(pid: int) -> bool:
    """Whether a process with this pid runs on this host (never signals it)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # ERROR_ACCESS_DENIED: it exists
        try:
            code = ctypes.c_ulong()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    # a zombie has exited: it writes nothing
    state = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open(f"/proc/{pid}/stat", "rb") as fh:
            text = fh.read().decode("ascii", "replace")
        state = text[text.rindex(")") + 2:].split()[0]
    return state != "Z"


def _writer_gone(pid: int, host: str, started: str | None, since: float) -> bool:
    """Whether the writer (pid on host, process start ``started``) of something created at
    ``since`` (epoch seconds) is certainly gone."""
    if host != _host_id():
        return time.time() - since > STALE_AFTER_S
    if not _pid_alive(pid):
        return True
    if started is not None:
        now_started = _proc_start(pid)
        if now_started is not None and now_started != started:
            return True  # the pid belongs to another process now
    return False


# --- paths ----------------------------------------------------------------------------------------

def resolve_output(path: str | os.PathLike[str], default_name: str) -> Path:
    """The file an output argument names: a folder (existing, or written with a trailing
    separator) means ``default_name`` inside it."""
    text = os.fspath(path)
    p = Path(text)
    if text.endswith(("/", os.sep)) or p.is_dir():
        return p / default_name
    return p


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two paths name the same file (symbolic links resolved, hard links by inode)."""
    a, b = Path(a), Path(b)
    if _real(a) == _real(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_target(target: str | os.PathLike[str], source: str | os.PathLike[str] | None = None,
                 *, overwrite_source: bool = False) -> Path:
    """The real path to write, after the checks of step 1 (raises :class:`SaveError`)."""
    t = Path(target)
    if t.suffix.lower() != EXTENSION:
        raise SaveError(
            f"Utfilen {t.name} måste sluta på .xlsm: arbetsboken har makron (knapparna), och "
            f"Excel öppnar inte en makroarbetsbok med namnet {t.suffix or 'utan filändelse'}. "
            f"Välj t.ex. {t.with_suffix(EXTENSION).name}.")
    if source is not None and not overwrite_source and same_file(source, t):
        raise SaveError(
            f"Utfilen {t} är samma fil som arbetsboken som läses. Ange en annan utfil med -o, "
            "eller --skriv-over för att skriva i arbetsboken (den förra versionen sparas).")
    real = _real(t)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return real
    except OSError as exc:
        raise describe_os_error(exc, t) from exc
    if stat.S_ISDIR(st.st_mode):
        raise SaveError(f"{t} är en mapp. Ange en fil som slutar på .xlsm.")
    if not stat.S_ISREG(st.st_mode):
        raise SaveError(f"{t} är ingen vanlig fil (t.ex. en pipe eller en enhet) och kan inte "
                        "skrivas över. Ange en annan utfil.")
    return real


# --- OS errors in Swedish -------------------------------------------------------------------------

def describe_os_error(exc: OSError, user_file: Path, *, changed: bool = False) -> SaveError:
    """A :class:`SaveError` naming ``user_file`` (not a temporary file) and what to do."""
    name = str(user_file)
    folder = str(user_file.parent) if str(user_file.parent) not in ("", ".") else "mappen"
    state = "" if changed else f" {user_file.name} är oförändrad."
    code = exc.errno
    if code == errno.EROFS:
        text = (f"Kan inte skriva {name}: {folder} ligger på en skrivskyddad enhet.{state} "
                "Välj en annan mapp med -o.")
    elif code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        text = (f"Kan inte skriva {name}: disken är full.{state} Frigör utrymme eller välj en "
                "annan plats med -o, och kör igen.")
    elif code in (errno.EACCES, errno.EPERM) or isinstance(exc, PermissionError):
        text = (f"Kan inte skriva {name}: åtkomst nekad.{state} Stäng filen om den är öppen i "
                "Excel, kontrollera att du får skriva i mappen, eller välj en annan plats "
                "med -o.")
    elif code == errno.EEXIST:
        text = (f"Kan inte skriva {name}: en fil med samma namn finns redan och kunde inte "
                f"ersättas.{state} Ta bort eller byt namn på den och kör igen.")
    elif code == errno.ENOENT:
        text = (f"Kan inte skriva {name}: mappen {folder} finns inte.{state} Skapa den eller "
                "välj en annan plats med -o.")
    elif code == errno.ENOTDIR:
        text = (f"Kan inte skriva {name}: en del av sökvägen är en fil, inte en mapp.{state} "
                "Rätta sökvägen.")
    elif code == errno.EISDIR:
        text = f"Kan inte skriva {name}: det är en mapp.{state} Ange en fil som slutar på .xlsm."
    elif code == errno.ENAMETOOLONG:
        text = f"Kan inte skriva {name}: sökvägen är för lång.{state} Välj en kortare sökväg."
    else:
        what = errno.errorcode.get(code or 0, type(exc).__name__)
        text = (f"Kan inte skriva {name}: operativsystemet svarade med felet {what}.{state} "
                "Kontrollera disken och behörigheterna, eller välj en annan plats med -o.")
    return SaveError(text)


# --- the lock -------------------------------------------------------------------------------------

def lock_path(target: Path) -> Path:
    return target.with_name(f".{target.name}{_LOCK_SUFFIX}")


def _lock_record() -> bytes:
    record = {"pid": os.getpid(), "host": _host_id(), "hostname": socket.gethostname(),
              "started": _proc_start(os.getpid()), "time": time.time(),
              "nonce": secrets.token_hex(8)}
    return json.dumps(record).encode("utf-8")


def _lock_is_stale(lock: Path, content: bytes) -> bool:
    try:
        rec = json.loads(content.decode("utf-8"))
        return _writer_gone(int(rec["pid"]), str(rec["host"]), rec.get("started"),
                            float(rec["time"]))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        # unreadable: a writer killed between creating and filling it, or garbage
        try:
            age = time.time() - lock.stat().st_mtime
        except OSError:
            return False
        return age > 5.0


def _holder(content: bytes) -> str:
    try:
        rec = json.loads(content.decode("utf-8"))
        when = dt.datetime.fromtimestamp(float(rec["time"])).strftime("%H:%M:%S")
        return f"process {int(rec['pid'])} på {rec.get('hostname') or 'en annan dator'}, " \
               f"sedan {when}"
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, OverflowError, OSError):
        return "en annan körning"


def _break(lock: Path, seen: bytes) -> None:
    """Remove a stale lock, unless another writer replaced it meanwhile (then it is put back)."""
    aside = lock.with_name(f"{lock.name}.{os.getpid()}-{secrets.token_hex(4)}")
    try:
        os.rename(lock, aside)
    except OSError:
        return  # someone else broke it
    try:
        if aside.read_bytes() == seen:
            return
        with contextlib.suppress(OSError):  # a fresh lock taken meanwhile: give it back
            os.link(aside, lock)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(aside)


@contextlib.contextmanager
def write_lock(target: Path, wait: float | None = None):
    """Hold the lock of ``target`` (see the module's step 2); raises :class:`SaveError`."""
    wait = LOCK_WAIT_S if wait is None else wait
    lock = lock_path(target)
    deadline = time.monotonic() + wait
    record = _lock_record()
    pause = 0.05
    while True:
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            try:
                content = lock.read_bytes()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise describe_os_error(exc, target) from exc
            if _lock_is_stale(lock, content):
                _break(lock, content)
                continue
            if time.monotonic() >= deadline:
                raise SaveError(
                    f"{target} skrivs just nu av {_holder(content)}. {target.name} är "
                    "oförändrad. Vänta tills den körningen är klar och kör igen (låsfilen "
                    f"{lock.name} tas bort när den är klar).") from None
            time.sleep(pause)
            pause = min(pause * 1.5, 0.5)
            continue
        except OSError as exc:
            raise describe_os_error(exc, target) from exc
        break
    try:
        try:
            os.write(fd, record)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        raise describe_os_error(exc, target) from exc
    try:
        yield lock
    finally:
        with contextlib.suppress(OSError):
            if lock.read_bytes() == record:  # ours still (not broken by someone's mistake)
                os.unlink(lock)


# --- temporary files ------------------------------------------------------------------------------

def _temp_name(folder: Path) -> Path:
    return folder / f"{_TEMP_PREFIX}{os.getpid()}-{_host_id()}-{secrets.token_hex(5)}.xlsm"


def remove_dead_temp_files(folder: Path, target: Path | None = None) -> list[Path]:
    """Remove the temporary files in ``folder`` whose writer is gone; returns them.

    With ``target``, also the temporary files of earlier versions of xlkc for it
    (``.<stem>-<8 random>.xlsm``, which name no writer) once they are older than
    :data:`STALE_AFTER_S`."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    legacy = (re.compile(re.escape(f".{target.stem}-") + r"[a-z0-9_]{8}\.xlsm$")
              if target is not None else None)
    for e in entries:
        m = _TEMP_RE.match(e.name)
        old_style = legacy is not None and legacy.match(e.name)
        if not m and not old_style:
            continue
        try:
            since = e.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        # the temp's own process start is unknown: a pid that runs keeps its files
        if (time.time() - since > STALE_AFTER_S if not m
                else _writer_gone(int(m.group(1)), m.group(2), None, since)):
            with contextlib.suppress(OSError):
                os.unlink(e.path)
                removed.append(Path(e.path))
    return removed


def _write_new(path: Path, data: bytes | Callable[[object], None], mode: int) -> None:
    """Create ``path`` exclusively, write ``data`` (bytes, or a function writing to a binary
    file), fsync it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as fh:
        if callable(data):
            data(fh)
        else:
            fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    with contextlib.suppress(OSError):
        os.chmod(path, mode)


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be opened)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


# --- backups --------------------------------------------------------------------------------------

def backup_path(path: str | os.PathLike[str], when: dt.datetime | None = None, n: int = 1
                ) -> Path:
    """The name of a backup of ``path`` made at ``when`` (now), the ``n``-th in that second."""
    p = Path(path)
    stamp = (when or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    tail = "" if n <= 1 else f"-{n}"
    return p.with_name(f"{p.stem}.bak-{stamp}{tail}{EXTENSION}")


def _backup_re(path: Path) -> re.Pattern[str]:
    return re.compile(re.escape(path.stem) + r"\.bak-(\d{8}-\d{6})(?:-(\d+))?"
                      + re.escape(EXTENSION) + "$", re.IGNORECASE)


def backups(path: str | os.PathLike[str]) -> list[Path]:
    """The backups of ``path`` beside it, newest first."""
    p = Path(path)
    pattern = _backup_re(p)
    found = []
    try:
        names = os.listdir(p.parent if str(p.parent) else ".")
    except OSError:
        return []
    for name in names:
        m = pattern.match(name)
        if m:
            found.append(((m.group(1), int(m.group(2) or 1)), p.with_name(name)))
    return [f for _, f in sorted(found, reverse=True)]


def _make_backup(target: Path, user_file: Path) -> Path:
    now = dt.datetime.now()
    stamp = now.strftime("%Y%m%d-%H%M%S")
    # after the newest of this second (a pruned lower number must not come back as "older")
    pattern = _backup_re(target)
    taken = [int(m.group(2) or 1) for b in backups(target)
             if (m := pattern.match(b.name)) and m.group(1) == stamp]
    n = max(taken, default=0) + 1
    while os.path.lexists(dest := backup_path(target, now, n)):
        n += 1
    try:
        os.link(target, dest)  # the current file itself: complete, instant
        return dest
    except FileExistsError:
        return _make_backup(target, user_file)
    except OSError:
        pass  # no hard links here (FAT, some network shares): a copy, written like the target
    tmp = _temp_name(target.parent)
    try:
        mode = target.stat().st_mode & 0o777

        def copy(fh: object) -> None:
            with open(target, "rb") as src:
                shutil.copyfileobj(src, fh, 1 << 20)

        _write_new(tmp, copy, mode)
        with contextlib.suppress(OSError):
            shutil.copystat(target, tmp)
        os.replace(tmp, dest)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise describe_os_error(exc, user_file) from exc
    return dest


def _prune(target: Path, keep: int, protect: list[Path]) -> None:
    for old in backups(target)[keep:]:
        if any(same_file(old, p) for p in protect):
            continue
        with contextlib.suppress(OSError):
            os.unlink(old)


# --- the whole write ------------------------------------------------------------------------------

def save(target: str | os.PathLike[str], data: bytes | Callable[[], bytes], *,
         source: str | os.PathLike[str] | None = None, overwrite_source: bool = False,
         backup: bool = True, keep: int | None = None, lock_wait: float | None = None) -> Saved:
    """Write ``data`` (or what the function ``data`` returns, called before anything is
    written) to ``target`` as the module describes; ``source`` is the input, never overwritten
    unless ``overwrite_source`` and never removed as an old backup."""
    user_file = Path(target)
    real = check_target(user_file, source, overwrite_source=overwrite_source)
    keep = KEEP_BACKUPS if keep is None else keep
    if callable(data):
        data = data()
    folder = real.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:  # a file where a folder of the path should be
        exc.errno = errno.ENOTDIR
        raise describe_os_error(exc, user_file) from exc
    except OSError as exc:
        raise describe_os_error(exc, user_file) from exc
    with write_lock(real, lock_wait):
        remove_dead_temp_files(folder, real)
        tmp = _temp_name(folder)
        made_backup = None
        try:
            try:
                mode = os.stat(real).st_mode & 0o777
                exists = True
            except FileNotFoundError:
                mode, exists = _default_mode(), False
            _write_new(tmp, data, mode)
            if exists and backup:
                made_backup = _make_backup(real, user_file)
                _fsync_dir(folder)
            os.replace(tmp, real)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            if isinstance(exc, OSError):
                raise describe_os_error(exc, user_file) from exc
            raise
        _fsync_dir(folder)
        if made_backup is not None:
            # the new backup is kept even if the clock went back (the names would say older)
            protect = [p for p in (source, real, made_backup) if p is not None]
            _prune(real, keep, [Path(p) for p in protect])
    return Saved(user_file, made_backup)
