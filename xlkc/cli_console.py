"""The console of the command line: output that never fails on a character a legacy console
cannot show (ASCII stand-ins), a closed or broken console silenced, and every failure told as
one Swedish line (:class:`CliError`, :func:`_describe`).
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import sys

# --- a console that never fails on a character ---------------------------------------------------

#: ASCII stand-ins for the signs the output uses that a legacy console (cp1252, cp850, ASCII)
#: may lack. Anything else it cannot show becomes its letter without accents, or "?".
ASCII_SAFE = {"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00a0": " ",
              "\u202f": " ", "\u2009": " ", "\u2022": "*", "\u2018": "'", "\u2019": "'",
              "\u201c": '"', "\u201d": '"', "\u00d7": "x", "\u2264": "<=", "\u2265": ">=",
              "\u00b1": "+/-", "\u2248": "~", "\u2192": "->", "\u00e5": "a", "\u00e4": "a",
              "\u00f6": "o", "\u00c5": "A", "\u00c4": "A", "\u00d6": "O"}
_ERRORS = "xlkc-ascii-safe"


def _ascii_safe(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start:exc.end]:
        sub = ASCII_SAFE.get(ch)
        if sub is None:
            import unicodedata

            sub = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode() or "?"
        try:  # the stand-in itself must be encodable (cp1252 has no "–" but has "-")
            sub.encode(exc.encoding)
        except (UnicodeError, LookupError):
            sub = "?"
        out.append(sub)
    return "".join(out), exc.end


codecs.register_error(_ERRORS, _ascii_safe)


def _safe_console():  # noqa: ANN202 - returns the function that restores the streams
    """Let stdout and stderr replace what their encoding cannot show (see :data:`ASCII_SAFE`)
    instead of failing; returns a function that restores them."""
    undo = []
    for stream in (sys.stdout, sys.stderr):
        errors = getattr(stream, "errors", None)
        try:
            stream.reconfigure(errors=_ERRORS)
        except (AttributeError, ValueError, OSError):
            continue
        undo.append((stream, errors))

    def restore() -> None:
        for stream, errors in undo:
            with contextlib.suppress(AttributeError, ValueError, OSError):
                stream.reconfigure(errors=errors or "strict")

    return restore


def _quiet_console() -> None:
    """Point stdout and stderr at the null device, so that flushing them at exit cannot fail
    (Python would exit with 120 on a broken pipe)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError, AttributeError):
                os.dup2(null, stream.fileno())
        os.close(null)


# --- failures as one Swedish line ----------------------------------------------------------------

class CliError(Exception):
    """A failure with a one-line Swedish message (exit code 1)."""



def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


_OS_REASONS = {
    errno.ENOENT: "filen eller mappen finns inte",
    errno.EACCES: "åtkomst nekad (kontrollera behörigheten, eller stäng filen i Excel)",
    errno.EPERM: "åtgärden är inte tillåten (kontrollera behörigheten)",
    errno.EROFS: "enheten är skrivskyddad",
    errno.ENOSPC: "disken är full",
    errno.EEXIST: "filen finns redan",
    errno.EISDIR: "det är en mapp",
    errno.ENOTDIR: "en del av sökvägen är inte en mapp",
    errno.EIO: "läsfel på enheten (kontrollera disken eller nätverket)",
    errno.ENAMETOOLONG: "sökvägen är för lång",
}


def _os_reason(exc: OSError) -> str:
    reason = _OS_REASONS.get(exc.errno or 0)
    if reason is None and isinstance(exc, PermissionError):
        reason = _OS_REASONS[errno.EACCES]
    return reason or f"operativsystemet svarade med felet {errno.errorcode.get(exc.errno or 0, type(exc).__name__)}"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, CliError):
        return _one_line(exc)
    from xlkc.excel.safe_write import SaveError

    if isinstance(exc, SaveError):
        return _one_line(exc)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{_os_reason(exc)}"
    return f"oväntat fel ({type(exc).__name__}: {_one_line(exc)}); kör med --debug för detaljer"
