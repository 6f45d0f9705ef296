"""Reading a worksheet part for the package writer: the positions of its rows and cells, the
styles of a row's cells and the values of the cells in a rectangle (pure, over bytes).

Rows and cells are found by their ``r`` attribute (a missing one counts on from the previous, as
Excel reads it); a row is looked for from the top and not beyond a row numbered past it. A cell's
value is read as an XML parser reads it; a plain ``<v>`` or inline text without markup,
references or characters XML would change is read without one (the writer reads the header and
status cells it is about to write, to leave equal ones as they are).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["SheetPart", "col_index", "read_cells", "row_styles"]

_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_ROW_NUM = re.compile(rb'\br="(\d+)"')
_S_ATTR = re.compile(rb'\bs="(\d+)"')
_T_ATTR = re.compile(rb'(?<![:\w])t="(\w+)"')


def col_index(letters: str | bytes) -> int:
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


class SheetPart:
    """Positions in one worksheet part: the namespace prefix and the sheetData region."""

    def __init__(self, xml: bytes) -> None:
        m = re.search(rb"<(\w+:)?worksheet\b", xml)
        if m is None:
            raise ValueError("not a worksheet part")
        self.prefix = (m.group(1) or b"").decode("ascii")
        p = re.escape(m.group(1) or b"")
        sd = re.search(rb"<" + p + rb"sheetData\b[^>]*?(/?)>", xml)
        if sd is None:
            raise ValueError("worksheet without sheetData")
        if sd.group(1):  # <sheetData/>
            tag = xml[sd.start():sd.end() - 2].rstrip() + b">"
            xml = (xml[:sd.start()] + tag + b"</" + (m.group(1) or b"") + b"sheetData>"
                   + xml[sd.end():])
            sd = re.search(rb"<" + p + rb"sheetData\b[^>]*>", xml)
        self.xml = xml
        self.start = sd.end()
        self.end = xml.index(b"</" + (m.group(1) or b"") + b"sheetData>", self.start)
        self.row_re = re.compile(rb"<" + p + rb"row\b([^>]*?)(?:/>|>(.*?)</" + p + rb"row>)",
                                 re.S)
        self.cell_re = re.compile(rb"<" + p + rb"c\b([^>]*?)(?:/>|>(.*?)</" + p + rb"c>)", re.S)
        self._row_cells: dict[int, list[list[tuple[int, re.Match[bytes]]]]] = {}
        self._top: list[tuple[int, re.Match[bytes]]] = []  # rows() as far as row_cells read
        self._scan: Iterator[tuple[int, re.Match[bytes]]] | None = None

    def rows(self) -> Iterator[tuple[int, re.Match[bytes]]]:
        """(row number, match) of each row, in order."""
        num = 0
        for m in self.row_re.finditer(self.xml, self.start, self.end):
            r = _ROW_NUM.search(m.group(1))
            num = int(r.group(1)) if r else num + 1
            yield num, m

    def cells(self, body: bytes | None) -> Iterator[tuple[int, re.Match[bytes]]]:
        col = 0
        if not body:
            return
        for m in self.cell_re.finditer(body):
            r = _REF.search(m.group(1))
            col = col_index(r.group(1)) if r else col + 1
            yield col, m

    def row_cells(self, row: int) -> list[list[tuple[int, re.Match[bytes]]]]:
        """The cells (:meth:`cells`) of each row numbered ``row`` that a scan from the top
        meets before a row numbered beyond it; found once per row (the writer asks for a row's
        styles and then for its values)."""
        found = self._row_cells.get(row)
        if found is None:
            found = []
            for num, m in self._top_rows():
                if num > row:
                    break
                if num == row:
                    found.append(list(self.cells(m.group(2))))
            self._row_cells[row] = found
        return found

    def _top_rows(self) -> Iterator[tuple[int, re.Match[bytes]]]:
        """:meth:`rows`, each row found once and remembered (only as far as they are taken:
        the writer reads rows near the top)."""
        i = 0
        while True:
            if i == len(self._top):
                if self._scan is None:
                    self._scan = self.rows()
                row = next(self._scan, None)
                if row is None:
                    return
                self._top.append(row)
            yield self._top[i]
            i += 1


@functools.lru_cache(maxsize=4)
def _parsed(xml: bytes) -> SheetPart:
    """The positions of a sheet part read repeatedly (bytes hash once and compare by identity
    first)."""
    return SheetPart(xml)


def _part(xml: bytes | SheetPart) -> SheetPart:
    return xml if isinstance(xml, SheetPart) else _parsed(xml)


def row_styles(xml: bytes | SheetPart, row: int) -> dict[int, int]:
    """Column -> style index of the cells in ``row`` (0 where a cell has no style); ``xml``
    the part or its :class:`SheetPart` (which remembers the rows it has found)."""
    found = _part(xml).row_cells(row)
    out = {}
    for col, c in found[0] if found else ():
        s = _S_ATTR.search(c.group(1))
        out[col] = int(s.group(1)) if s else 0
    return out


def read_cells(xml: bytes | SheetPart, first_row: int, last_row: int, first_col: int,
               last_col: int, shared: Any = None) -> dict[tuple[int, int], Any]:
    """(row, column) -> value of the cells in a rectangle: numbers as float (their ``<v>``
    text kept exact), texts as str, booleans as bool, errors as their text, a formula as its
    cached value. ``shared`` is called with a shared-string index to get its text. ``xml``:
    as for :func:`row_styles`."""
    sh = _part(xml)
    if first_row == last_row:
        rows: Iterable[tuple[int, list[tuple[int, re.Match[bytes]]]]] = (
            (first_row, cells) for cells in sh.row_cells(first_row))
    else:
        rows = ((num, list(sh.cells(m.group(2)))) for num, m in _rows_between(sh, first_row,
                                                                                last_row))
    out: dict[tuple[int, int], Any] = {}
    for num, cells in rows:
        for col, c in cells:
            if not first_col <= col <= last_col or not c.group(2):
                continue
            body = _unprefixed(c.group(2), sh.prefix) if sh.prefix else c.group(2)
            t = _T_ATTR.search(c.group(1))
            out[(num, col)] = _cell_value(t.group(1) if t else b"n", body, shared)
    return out


def _rows_between(sh: SheetPart, first_row: int, last_row: int
                  ) -> Iterator[tuple[int, re.Match[bytes]]]:
    """The rows numbered from ``first_row`` to ``last_row`` that a scan from the top meets
    before a row numbered beyond them."""
    for num, m in sh.rows():
        if num > last_row:
            break
        if num >= first_row:
            yield num, m


#: A cell's content that is one ``<v>`` or one plain inline text whose characters XML keeps as
#: they are (no markup, no reference, no carriage return, no control character).
_PLAIN = rb"([^<>&\r\x00-\x08\x0b\x0c\x0e-\x1f]*)"
_SIMPLE_V = re.compile(rb"<v>" + _PLAIN + rb"</v>")
_SIMPLE_IS = re.compile(rb'<is><t(?: xml:space="preserve")?>' + _PLAIN + rb"</t></is>")


def _cell_value(t: bytes, body: bytes, shared: Any) -> Any:
    """The value of a cell of type ``t`` with content ``body`` (without prefixes), as
    :func:`_value` reads it; the commonest contents without an XML parser."""
    from xml.etree import ElementTree

    m = _SIMPLE_V.fullmatch(body) or _SIMPLE_IS.fullmatch(body)
    if m is not None:
        try:
            text = m.group(1).decode("utf-8")
        except UnicodeDecodeError:
            text = None  # the parser says what is wrong
        if text is not None and "\ufffe" not in text and "\uffff" not in text:
            if m.re is _SIMPLE_V:
                return _typed(t.decode("ascii"), text, "", shared)
            return _typed(t.decode("ascii"), None, text, shared)
    # only the type matters: other attributes may use prefixes declared on the root
    el = ElementTree.fromstring(b'<c t="' + t + b'">' + body + b"</c>")
    return _value(el, shared)


def _unprefixed(cell: bytes, prefix: str) -> bytes:
    return re.sub(rb"(</?)" + re.escape(prefix.encode()), rb"\1", cell)


def _value(el: Any, shared: Any) -> Any:
    t = el.get("t", "n")
    v = None
    for child in el:
        if child.tag.endswith("v"):
            v = child.text or ""
    text = ""
    if t == "inlineStr":
        text = "".join(x.text or "" for x in el.iter() if x.tag.endswith("t")
                       and not _under_rph(el, x))
    return _typed(t, v, text, shared)


def _typed(t: str, v: str | None, inline: str, shared: Any) -> Any:
    """A cell's value from its type, the text of its ``<v>`` (None without one) and its inline
    text."""
    if t == "inlineStr":
        return _unescape_x(inline)
    if v is None:
        return None
    if t == "s":
        return shared(int(v)) if shared else None
    if t in ("str", "e"):
        return _unescape_x(v)
    if t == "b":
        return v.strip() in ("1", "true")
    try:
        return float(v)
    except ValueError:
        return v


def _under_rph(root: Any, target: Any) -> bool:
    for rph in root.iter():
        if rph.tag.endswith("rPh") and any(x is target for x in rph.iter()):
            return True
    return False


def _unescape_x(text: str) -> str:
    if "_x" not in text:
        return text
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)
