"""Worksheet XML for the package writer: cells and rows written as text, and the few edits the
writer makes to a sheet part it owns (pure, over bytes).

Cells (ECMA-376 Part 1, 18.3.1.4): a number is ``<c r s><v>…</v></c>`` with the shortest text
that reads back to the same double (``repr``); a text is an inline string
(``t="inlineStr"``, so ``xl/sharedStrings.xml`` is never rewritten), with ``xml:space`` where it
has leading or trailing blanks, control characters dropped, a literal ``_xHHHH_`` escaped as
``_x005F_xHHHH_`` (Excel would read it as a character) and cut at Excel's 32 767 characters; a
formula is ``<c r s><f>…</f><v>cached value</v></c>`` (``t="str"`` for a text result,
``t="b"`` for a boolean), so a reader that does not calculate sees the value.

Sheet edits keep every byte outside the rows they touch: :func:`edit_sheet` replaces given cells
in place (inserting rows and cells in order where missing), drops the rows from a given row on
and appends new ones, sets ``<dimension>`` and keeps ``outlineLevelCol``/``outlineLevelRow`` of
``<sheetFormatPr>`` equal to the deepest outline level of the columns and rows. Rows and cells
are found by their ``r`` attribute (a missing one counts on from the previous, as Excel reads
it).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from xlkc.excel.sheet_read import SheetPart, col_index, read_cells, row_styles
from xlkc.excel.xml_text import escape

__all__ = ["MAX_CHARS", "MAX_COLS", "MAX_ROWS", "cell_xml", "col_index", "col_letter",
           "edit_sheet", "edit_sheet_pieces", "number_text", "read_cells", "row_styles", "rows_xml",
           "rows_xml_chunks"]

#: Excel's limits (Excel specifications and limits): characters in a cell, rows, columns.
MAX_CHARS = 32767
MAX_ROWS = 1_048_576
MAX_COLS = 16_384

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_X_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_EPOCH = dt.datetime(1899, 12, 30)


def col_letter(col: int) -> str:
    s = ""
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


# --- cells ---------------------------------------------------------------------------------------

def _number(v: float) -> str | None:
    if not math.isfinite(v):
        return None
    if v == 0:
        return "0"  # no negative zero
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def _text(v: str) -> str:
    if len(v) > MAX_CHARS:
        v = v[:MAX_CHARS - 1] + "…"
    if "_x" in v:
        v = _X_ESCAPE.sub(r"_x005F_\1", v)
    v = escape(v)
    if "\r" in v:
        v = v.replace("\r", "&#13;")
    return v


def _clean(v: str) -> str:
    return _ILLEGAL.sub("", v) if _ILLEGAL.search(v) else v


def _excel_date(v: dt.date) -> float:
    if not isinstance(v, dt.datetime):
        v = dt.datetime(v.year, v.month, v.day)
    if v.tzinfo is not None:
        v = v.replace(tzinfo=None)
    return (v - _EPOCH).total_seconds() / 86400.0


def cell_xml(ref: str, style: int, v: Any, p: str = "") -> str:
    """One ``<c>`` element (``p`` the main namespace's prefix, with its colon)."""
    s = f' s="{style}"' if style else ""
    if v is None:
        return f'<{p}c r="{ref}"{s}/>'
    if isinstance(v, str) and hasattr(v, "value") and v.startswith("="):  # a Formula
        return _formula_xml(ref, s, v, p)
    if isinstance(v, bool):
        v = "Ja" if v else "Nej"
    elif isinstance(v, dt.date):
        v = _excel_date(v)
    if isinstance(v, str):
        return f'<{p}c r="{ref}"{s}' + _text_tail(str(v), p)
    try:
        text = _number(float(v))
    except (TypeError, ValueError):
        return cell_xml(ref, style, str(v), p)
    if text is None:
        return f'<{p}c r="{ref}"{s}/>'
    return f'<{p}c r="{ref}"{s}><{p}v>{text}</{p}v></{p}c>'


def _formula_xml(ref: str, s: str, formula: Any, p: str) -> str:
    return f'<{p}c r="{ref}"{s}' + _formula_tail(formula, p)


def _formula_tail(formula: Any, p: str) -> str:
    """What follows ``<c r=".." s=".."`` for a formula, to the end of the cell."""
    text = str(formula)[1:]
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    # (saxutils.escape, inlined: a large model writes tens of thousands of formulas)
    f = f"<{p}f>{text.replace('&', '&amp;').replace('>', '&gt;').replace('<', '&lt;')}</{p}f>"
    v = formula.value
    if type(v) is float:  # the commonest value, as _number below writes it
        if v - v != 0:
            return f">{f}</{p}c>"
        return (f">{f}<{p}v>{int(v) if v.is_integer() and -1e15 < v < 1e15 else repr(v)}"
                f"</{p}v></{p}c>")
    if isinstance(v, bool):
        return f' t="b">{f}<{p}v>{int(v)}</{p}v></{p}c>'
    if isinstance(v, str):
        return f' t="str">{f}<{p}v>{_text(_clean(v))}</{p}v></{p}c>'
    text = None
    if v is not None:
        try:
            text = _number(float(v))
        except (TypeError, ValueError):
            text = None
    if text is None:
        return f">{f}</{p}c>"
    return f">{f}<{p}v>{text}</{p}v></{p}c>"


def _text_tail(v: str, p: str) -> str:
    """What follows ``<c r=".." s=".."`` for a text value, to the end of the cell."""
    text = _clean(v)
    if not text:
        return "/>"
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f' t="inlineStr"><{p}is><{p}t{space}>{_text(text)}</{p}t></{p}is></{p}c>'


def number_text(v: float) -> str | None:
    """The shortest text of a finite double that reads back to it (integers without ".0",
    no negative zero); None for NaN and infinities."""
    if v - v != 0:  # NaN or infinite
        return None
    if v.is_integer() and -1e15 < v < 1e15:
        return str(int(v))  # also turns -0.0 into 0
    return repr(v)


def _column_tails(style: int, values: Sequence[Any], after: str, texts: dict[str | None, str],
                  p: str) -> list[str]:
    """Each cell of one column without its head (``<c r="`` and the reference): from the quote
    that closes its ``r`` to the end of the element, followed by ``after`` (the head of the
    next cell, or the end of the row). What follows a cell's reference depends on its value
    and style only, so a row is its number joined between the pieces (:func:`_rows_xml`)."""
    mid = f'" s="{style}"' if style else '"'
    kinds = set(map(type, values))
    if kinds <= _FLOATS:
        # a column of floats is the commonest column (issue 15): number_text inlined, once per
        # distinct value where values repeat (repr is most of a number cell's cost)
        empty, open_v, close_v = mid + "/>" + after, f"{mid}><{p}v>", f"</{p}v></{p}c>{after}"
        distinct = set(values)
        if 2 * len(distinct) > len(values):
            return [empty if v is None or v - v != 0 else
                    f"{open_v}{int(v) if v.is_integer() and -1e15 < v < 1e15 else repr(v)}"
                    f"{close_v}" for v in values]
        text = {v: empty if v is None or v - v != 0 else
                f"{open_v}{int(v) if v.is_integer() and -1e15 < v < 1e15 else repr(v)}{close_v}"
                for v in distinct}
        return list(map(text.__getitem__, values))
    if kinds <= _NUMBERS and bool not in kinds:
        out = []
        for v in values:
            t = None if v is None else (number_text(v) if type(v) is float else str(v))
            out.append(f"{mid}/>{after}" if t is None
                       else f"{mid}><{p}v>{t}</{p}v></{p}c>{after}")
        return out
    if kinds <= _TEXTS:
        distinct = set(values)
        for v in distinct - texts.keys():
            texts[v] = "/>" if v is None else _text_tail(v, p)
        text = {v: f"{mid}{texts[v]}{after}" for v in distinct}
        return list(map(text.__getitem__, values))
    out = []
    cut = len(f'<{p}c r="')
    for v in values:  # formulas among numbers, or anything else
        if type(v) is float and v - v == 0:
            out.append(f"{mid}><{p}v>"
                       f"{int(v) if v.is_integer() and -1e15 < v < 1e15 else repr(v)}"
                       f"</{p}v></{p}c>{after}")
        elif isinstance(v, str) and hasattr(v, "value") and v.startswith("="):  # a Formula
            out.append(f"{mid}{_formula_tail(v, p)}{after}")
        else:
            out.append(cell_xml("", style, v, p)[cut:] + after)
    return out


_FLOATS = frozenset({float, type(None)})
_NUMBERS = frozenset({float, int, type(None)})
_TEXTS = frozenset({str, type(None)})
#: Rows of a sheet built at a time (the cells of a whole large sheet as separate strings would
#: take several times the sheet's XML in memory).
CHUNK_ROWS = 2048


def rows_xml(blocks: Sequence[tuple[int, int, Sequence[Sequence[Any]], Sequence[int]]],
             p: str = "") -> tuple[str, int, int]:
    """``<row>`` elements of tables side by side: each block is (Excel row of its first data
    row, first column, rows, style per column). Returns (xml, last row, last column).

    The same cells as :func:`cell_xml`, built column by column (a column of numbers or of texts
    takes a fast path; a text's XML is built once per distinct text)."""
    chunks, last_row, last_col = rows_xml_chunks(blocks, p)
    return "".join(chunks), last_row, last_col


def _span_tails(part: Sequence[Sequence[Any]], names: Sequence[str], styles: Sequence[int],
                texts: dict[str | None, str], p: str) -> list[list[str]]:
    """The tails (:func:`_column_tails`) of a table's rows in one piece, column by column:
    each followed by the head of the next cell of the row, the last column by nothing."""
    n = len(styles)
    # (a row shorter than the styles: indexed below, and fails as it did)
    values = list(zip(*part, strict=False))
    if len(values) < n:
        values = [[row[j] for row in part] for j in range(n)]
    after = [f'<{p}c r="{x}' for x in names[1:n]] + [""]
    return [_column_tails(styles[j], values[j], after[j], texts, p) for j in range(n)]


def _rows_xml(first: int, spans: Sequence[tuple[Sequence[str], list[list[str]]]], p: str) -> str:
    """Whole ``<row>`` elements from Excel row ``first`` on, over tables side by side: each
    span is (its column letters, its tails from this row on (:func:`_span_tails`), all as
    long), in column order.

    Each row is its number joined between the pieces of its cells (the heads and the tails),
    so a row costs one join whatever its width."""
    columns: list[Iterable[str]] = []
    for i, (_, tails) in enumerate(spans):
        end = f'<{p}c r="{spans[i + 1][0][0]}' if i + 1 < len(spans) else f"</{p}row>"
        columns += tails[:-1]
        columns.append(map(str.__add__, tails[-1], itertools.repeat(end)))
    refs = [str(first + i) for i in range(len(spans[0][1][0]))]
    lead = (itertools.repeat(f'<{p}row r="'), itertools.repeat(f'"><{p}c r="{spans[0][0][0]}'))
    return "".join(map(str.join, refs, zip(*lead, *columns, strict=False)))


def rows_xml_chunks(blocks: Sequence[tuple[int, int, Sequence[Sequence[Any]], Sequence[int]]],
                    p: str = "", chunk_rows: int = CHUNK_ROWS,
                    texts: dict[str | None, str] | None = None
                    ) -> tuple[Iterator[str], int, int]:
    """:func:`rows_xml` as pieces of at most ``chunk_rows`` rows each, made as they are taken
    (an iterator), with the last row and column. ``texts``: the XML of the texts written so
    far with this prefix ``p``, to share between the sheets of a workbook (the same ids and
    names stand on several sheets)."""
    ordered = sorted(blocks, key=lambda b: b[1])
    last_col = 0
    for _, first_col, _, styles in ordered:
        last_col = max(last_col, first_col + len(styles) - 1)
    ordered = [b for b in ordered if len(b[3]) and len(b[2])]
    numbers = sorted({r for first_row, _, rows, _ in ordered
                      for r in range(first_row, first_row + len(rows))})
    last_row = numbers[-1] if numbers else 0

    def pieces(texts: dict[str | None, str]) -> Iterator[str]:
        letters = [[col_letter(c + j) for j in range(len(st))] for _, c, _, st in ordered]
        for at in range(0, len(numbers), chunk_rows):
            lo, hi = numbers[at], numbers[min(at + chunk_rows, len(numbers)) - 1]
            spans = []  # (first row, rows, letters, tails) of each table in this piece
            for (first_row, _, rows, styles), names in zip(ordered, letters, strict=True):
                a, b = max(lo - first_row, 0), min(hi - first_row + 1, len(rows))
                if a < b:  # (what a column holds is judged over the piece, as it always was)
                    tails = _span_tails(rows[a:b], names, styles, texts, p)
                    spans.append((first_row + a, b - a, names, tails))
            yield _piece_xml(spans, p)

    return pieces({} if texts is None else texts), last_row, last_col


def _piece_xml(spans: list[tuple[int, int, Sequence[str], list[list[str]]]], p: str) -> str:
    """The rows of the tables' spans (first row, rows, letters, tails; in column order) in one
    piece, in row order: cut where a table starts or ends, so that between two cuts every row
    has the same tables."""
    cuts = sorted({x for first, n, _, _ in spans for x in (first, first + n)})
    out = []
    for lo, hi in itertools.pairwise(cuts):
        here = []
        for first, n, names, tails in spans:
            if first <= lo < first + n:
                whole = (lo, hi) == (first, first + n)
                here.append((names, tails if whole else [c[lo - first:hi - first] for c in tails]))
        if here:
            out.append(_rows_xml(lo, here, p))
    return "".join(out)


# --- editing a sheet part ------------------------------------------------------------------------

_SPANS = re.compile(rb'\s+spans="[^"]*"')


def _patch_row(sh: SheetPart, match: re.Match[bytes], cells: dict[int, bytes],
               clear: Sequence[tuple[int, int]] = ()) -> bytes | None:
    """A row with ``cells`` (column -> ``<c>`` element) replacing or joining its cells and its
    cells in the ``clear`` column ranges removed; None when nothing is left of a plain row."""
    pieces: list[tuple[int, bytes]] = []
    for col, c in sh.cells(match.group(2)):
        if col not in cells and not any(a <= col <= b for a, b in clear):
            pieces.append((col, c.group(0)))
    pieces += list(cells.items())
    attrs = match.group(1)
    if not pieces and not re.sub(rb'\s+(?:r|spans)="[^"]*"', b"", attrs).strip():
        return None
    pieces.sort(key=lambda x: x[0])
    span = _SPANS.search(attrs)
    if pieces and span:  # widened to the row's cells where they now reach beyond it
        lo_hi = re.fullmatch(rb'\s+spans="(\d+):(\d+)"', span.group(0))
        if lo_hi is None:
            attrs = attrs[:span.start()] + attrs[span.end():]
        else:
            lo = min(int(lo_hi.group(1)), pieces[0][0])
            hi = max(int(lo_hi.group(2)), pieces[-1][0])
            attrs = attrs[:span.start()] + b' spans="%d:%d"' % (lo, hi) + attrs[span.end():]
    p = sh.prefix.encode()
    if not pieces:
        return b"<" + p + b"row" + attrs + b"/>"
    return (b"<" + p + b"row" + attrs + b">" + b"".join(x for _, x in pieces) + b"</" + p
            + b"row>")


def _set_dimension(head: bytes, prefix: bytes, last_row: int, last_col: int,
                   grow_only: bool = False) -> bytes:
    """``<dimension>`` from its first cell to (``last_row``, at least ``last_col``); with
    ``grow_only`` never smaller than it was."""
    p = re.escape(prefix)
    m = re.search(rb"<" + p + rb'dimension\b[^>]*\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"[^>]*/>',
                  head)
    if m is None:
        return head
    first = m.group(1) + m.group(2)
    c2 = max(col_index(m.group(3) or m.group(1)), last_col) if last_col else col_index(
        m.group(3) or m.group(1))
    if grow_only:
        last_row = max(last_row, int(m.group(4) or m.group(2)))
    ref = first + b":" + col_letter(c2).encode() + str(max(last_row, 1)).encode()
    if ref == first + b":" + first:
        ref = first
    return head[:m.start()] + b"<" + prefix + b'dimension ref="' + ref + b'"/>' + head[m.end():]


_OUTLINE = re.compile(rb'\boutlineLevel="(\d+)"')


def _set_outline(head: bytes, kept_rows: bytes, prefix: bytes) -> bytes:
    """``sheetFormatPr`` with outlineLevelCol/outlineLevelRow equal to the deepest levels."""
    p = re.escape(prefix)
    cols = re.search(rb"<" + p + rb"cols\b.*?</" + p + rb"cols>", head, re.S)
    col_level = max((int(x) for x in _OUTLINE.findall(cols.group(0))), default=0) if cols else 0
    row_level = 0
    for m in re.finditer(rb"<" + p + rb"row\b([^>]*)", kept_rows):
        o = _OUTLINE.search(m.group(1))
        if o:
            row_level = max(row_level, int(o.group(1)))
    fm = re.search(rb"<" + p + rb"sheetFormatPr\b([^>]*?)(/?)>", head)
    if fm is None:
        if not (col_level or row_level):
            return head
        at = re.search(rb"<" + p + rb"(?:cols|sheetData)\b", head)
        attrs = b' defaultRowHeight="15"'
    else:
        at = fm
        attrs = fm.group(1)
    for name, level in ((b"outlineLevelRow", row_level), (b"outlineLevelCol", col_level)):
        attrs = re.sub(rb"\s+" + name + rb'="\d*"', b"", attrs)
        if level:
            attrs += b" " + name + b'="' + str(level).encode() + b'"'
    if fm is None:
        return head[:at.start()] + b"<" + prefix + b"sheetFormatPr" + attrs + b"/>" + head[
            at.start():]
    if attrs == fm.group(1):
        return head
    return (head[:fm.start()] + b"<" + prefix + b"sheetFormatPr" + attrs + fm.group(2) + b">"
            + head[fm.end():])


def edit_sheet(xml: bytes, cells: dict[int, dict[int, str]], cut_from: int | None = None,
               new_rows: str | Iterable[str] = "", last: tuple[int, int] = (0, 0),
               clear: Sequence[tuple[int, int]] = (), clear_from: int = 0) -> bytes:
    """:func:`edit_sheet_pieces` joined."""
    return b"".join(edit_sheet_pieces(xml, cells, cut_from, new_rows, last, clear, clear_from))


def edit_sheet_pieces(xml: bytes, cells: dict[int, dict[int, str]], cut_from: int | None = None,
                      new_rows: str | Iterable[str] = "", last: tuple[int, int] = (0, 0),
                      clear: Sequence[tuple[int, int]] = (), clear_from: int = 0
                      ) -> Iterator[bytes]:
    """The sheet with ``cells`` (row -> column -> ``<c>`` element) put in place, every row from
    ``cut_from`` on dropped and ``new_rows`` appended (rows from ``cut_from`` on; a text or
    pieces of text, encoded one at a time), the cells of
    rows from ``clear_from`` on in the column ranges ``clear`` removed, the dimension grown to
    ``last`` (row, column) and the outline levels recomputed; as pieces of bytes, the pieces
    of ``new_rows`` encoded as they are taken (a large sheet is never whole in memory)."""
    sh = SheetPart(xml)
    prefix = sh.prefix.encode()
    kept: list[tuple[int, bytes]] = []
    todo = {r: {c: x.encode("utf-8") for c, x in row.items()} for r, row in cells.items()}
    for num, m in sh.rows():
        if cut_from is not None and num >= cut_from:
            break
        patch = todo.pop(num, None)
        wipe = clear if clear and num >= clear_from else ()
        if patch is None and not wipe:
            kept.append((num, m.group(0)))
            continue
        row = _patch_row(sh, m, patch or {}, wipe)
        if row is not None:
            kept.append((num, row))
    for num, c in todo.items():
        if cut_from is not None and num >= cut_from:
            raise ValueError(f"cell in row {num} below the cut at {cut_from}")
        row = (b"<" + prefix + b'row r="' + str(num).encode() + b'">'
               + b"".join(x for _, x in sorted(c.items())) + b"</" + prefix + b"row>")
        kept.append((num, row))
    kept.sort(key=lambda x: x[0])
    rows = b"".join(r for _, r in kept)
    head = sh.xml[:sh.start]
    tail = sh.xml[sh.end:]
    last_kept = kept[-1][0] if kept else 0
    head = _set_dimension(head, prefix, max(last_kept, last[0]), last[1],
                          grow_only=cut_from is None)
    head = _set_outline(head, rows, prefix)
    if isinstance(new_rows, str):
        new_rows = (new_rows,)
    return itertools.chain((head, rows), (x.encode("utf-8") for x in new_rows), (tail,))
