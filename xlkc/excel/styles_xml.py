"""Cell formats of ``xl/styles.xml`` for the package writer: the index of a cell format (``xf``)
that looks like a given one but shows a given number format.

The stylesheet is edited only when no existing format fits: a number format (``numFmt``, id 164
and up, the first free one) and a cell format (a copy of the base ``xf`` with ``numFmtId``
changed and ``applyNumberFormat="1"``) are appended and the counts updated (for a totals row: a
bold copy of the base font and a cell format using it, :meth:`Styles.with_bold`); everything else of
the part stays as it was. A format already in the stylesheet is reused (compared by its
attributes, ``applyNumberFormat`` aside, and its child elements), so repeated runs converge on
the same stylesheet.

A run asks for the same few formats over and over (every column of every table, issue 15): the
cell formats are indexed by their comparison key, the fonts are split once, and each answer of
:meth:`Styles.with_format` and :meth:`Styles.with_bold` is remembered. An answer stays right
as the stylesheet grows, since formats, fonts and cell formats are only appended, and only
when no existing one fits; the remembered number formats are forgotten when a number format is
added (a cell format may name an id the stylesheet does not define yet).
"""

from __future__ import annotations

import re

from xlkc.excel.xml_text import quoteattr, unescape

__all__ = ["BUILTIN_FORMATS", "Styles"]

#: Built-in number formats (ECMA-376 Part 1, 18.8.30) that may be named by their code.
BUILTIN_FORMATS: dict[int, str] = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
    11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm",
    17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss",
    22: "m/d/yy h:mm", 37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss", 46: "[h]:mm:ss",
    47: "mmss.0", 48: "##0.0E+0", 49: "@",
}
_ATTR = re.compile(r'([\w:]+)\s*=\s*("[^"]*"|\'[^\']*\')')


def _attrs(tag: str) -> dict[str, str]:
    return {k: unescape(v[1:-1], _QUOTES) if "&" in v else v[1:-1] for k, v in _ATTR.findall(tag)}


_QUOTES = {"&quot;": '"', "&apos;": "'"}


class Styles:
    """The cell formats of one stylesheet (``xl/styles.xml`` as text)."""

    def __init__(self, xml: bytes) -> None:
        self.xml = xml.decode("utf-8")
        m = re.match(r"(?:<\?xml[^>]*\?>\s*)?<(\w+:)?styleSheet\b", self.xml)
        self.p = (m.group(1) or "") if m else ""
        p = re.escape(self.p)
        self._xfs_re = re.compile(rf"<{p}cellXfs\b[^>]*?(?:/>|>(.*?)</{p}cellXfs>)", re.S)
        self._xf_re = re.compile(rf"<{p}xf\b([^>]*?)(/>|>(.*?)</{p}xf>)", re.S)
        self._fmt_re = re.compile(rf"<{p}numFmt\b([^>]*?)/?>")
        self._numfmts_re = re.compile(rf"<{p}numFmts\b[^>]*?(?:/>|>(.*?)</{p}numFmts>)", re.S)
        self.changed = False
        self._parse()
        #: comparison key (:meth:`_key`) -> index of the first cell format with it
        self._index: dict[tuple, int] = {}
        for i, (a, b) in enumerate(self.xfs):
            self._index.setdefault(self._key(a, b), i)
        #: (element, its content) of each <font>, split when first needed
        self._fonts: list[tuple[str, str]] | None = None
        self._formatted: dict[tuple[int, str], int] = {}
        self._bold: dict[int, int] = {}

    def _parse(self) -> None:
        fm = self._numfmts_re.search(self.xml)
        self.formats: dict[int, str] = dict(BUILTIN_FORMATS)
        if fm and fm.group(1):
            for a in map(_attrs, self._fmt_re.findall(fm.group(1))):
                if "numFmtId" in a and "formatCode" in a:
                    self.formats[int(a["numFmtId"])] = a["formatCode"]
        xm = self._xfs_re.search(self.xml)
        self.xfs: list[tuple[dict[str, str], str]] = []
        if xm and xm.group(1):
            self.xfs = [(_attrs(a), body or "") for a, _, body in self._xf_re.findall(xm.group(1))]

    def number_format(self, xf: int) -> str:
        """The format code of cell format ``xf`` ("General" when unknown)."""
        if not 0 <= xf < len(self.xfs):
            return "General"
        return self.formats.get(int(self.xfs[xf][0].get("numFmtId", "0")), "General")

    @staticmethod
    def _key(attrs: dict[str, str], body: str) -> tuple:
        a = {k: v for k, v in attrs.items() if k != "applyNumberFormat"}
        a.setdefault("numFmtId", "0")
        return tuple(sorted(a.items())), body

    def with_format(self, xf: int, code: str | None) -> int:
        """A cell format like ``xf`` showing number format ``code`` (``xf`` itself when it
        already does, or when ``code`` is None)."""
        if code is None or not self.xfs:
            return xf
        if not 0 <= xf < len(self.xfs):
            xf = 0
        known = self._formatted.get((xf, code))
        if known is None:
            known = self._formatted[(xf, code)] = self._with_format(xf, code)
        return known

    def _with_format(self, xf: int, code: str) -> int:
        if self.number_format(xf).casefold() == code.casefold():
            return xf
        fmt_id = self._format_id(code)
        attrs, body = self.xfs[xf]
        return self._xf_like({**attrs, "numFmtId": str(fmt_id), "applyNumberFormat": "1"}, body)

    def _xf_like(self, attrs: dict[str, str], body: str) -> int:
        """The first cell format equal to (``attrs``, ``body``), appended when there is none."""
        known = self._index.get(self._key(attrs, body))
        if known is not None:
            return known
        self._append_xf(attrs, body)
        return len(self.xfs) - 1

    def with_bold(self, xf: int) -> int:
        """A cell format like ``xf`` in a bold font (``xf`` itself when its font is bold). The
        font is copied with ``<b/>`` first (CT_Font is a choice: any order) and appended to
        ``fonts``; the cell format is reused when one like it exists."""
        if not self.xfs:
            return xf
        if not 0 <= xf < len(self.xfs):
            xf = 0
        known = self._bold.get(xf)
        if known is None:
            known = self._bold[xf] = self._with_bold(xf)
        return known

    def _fonts_match(self) -> re.Match[str] | None:
        p = re.escape(self.p)
        return re.search(rf"<{p}fonts\b[^>]*?(?:/>|>(.*?)</{p}fonts>)", self.xml, re.S)

    def _font_list(self) -> list[tuple[str, str]] | None:
        """(element, content) of each ``<font>`` of ``fonts`` (None without a ``fonts``
        element with content)."""
        if self._fonts is None:
            fm = self._fonts_match()
            if fm is None or fm.group(1) is None:
                return None
            p = re.escape(self.p)
            font_re = re.compile(rf"<{p}font\b[^>]*?(?:/>|>(.*?)</{p}font>)", re.S)
            self._fonts = [(f.group(0), f.group(1) or "") for f in font_re.finditer(fm.group(1))]
        return self._fonts

    def _with_bold(self, xf: int) -> int:
        attrs, body = self.xfs[xf]
        p = re.escape(self.p)
        fonts = self._font_list()
        if fonts is None:
            return xf
        font_id = int(attrs.get("fontId", "0"))
        if not 0 <= font_id < len(fonts):
            return xf
        inner = fonts[font_id][1]
        if re.search(rf"<{p}b(?:\s+val=\"(?:1|true)\")?\s*/>", inner):
            return xf
        inner = re.sub(rf"<{p}b\b[^>]*/>", "", inner)
        bold = f"<{self.p}font><{self.p}b/>{inner}</{self.p}font>"
        new_id = next((i for i, (f, _) in enumerate(fonts) if f == bold), None)
        if new_id is None:
            fm = self._fonts_match()
            end = fm.end(1)
            self.xml = self.xml[:end] + bold + self.xml[end:]
            self._set_count(fm.start(), "fonts", len(fonts) + 1)
            new_id = len(fonts)
            fonts.append((bold, f"<{self.p}b/>{inner}"))
            self.changed = True
        return self._xf_like({**attrs, "fontId": str(new_id), "applyFont": "1"}, body)

    def _format_id(self, code: str) -> int:
        for i, c in self.formats.items():
            if c == code:
                return i
        new_id = max([163, *(i for i in self.formats if i >= 164)]) + 1
        self.formats[new_id] = code
        self._formatted.clear()  # a cell format may name the new id: its answers may change
        el = f"<{self.p}numFmt numFmtId=\"{new_id}\" formatCode={quoteattr(code)}/>"
        m = self._numfmts_re.search(self.xml)
        if m is None:  # numFmts is the first child of styleSheet
            root = re.search(rf"<{re.escape(self.p)}styleSheet\b[^>]*>", self.xml)
            at = root.end()
            self.xml = (self.xml[:at] + f'<{self.p}numFmts count="1">{el}</{self.p}numFmts>'
                        + self.xml[at:])
        elif m.group(1) is None:  # <numFmts/>
            self.xml = (self.xml[:m.start()] + f'<{self.p}numFmts count="1">{el}'
                        f"</{self.p}numFmts>" + self.xml[m.end():])
        else:
            end = m.end(1)
            self.xml = self.xml[:end] + el + self.xml[end:]
            self._set_count(m.start(), "numFmts", len(self._fmt_re.findall(m.group(1))) + 1)
        self.changed = True
        return new_id

    def _set_count(self, at: int, element: str, count: int) -> None:
        tag_end = self.xml.index(">", at)
        tag = self.xml[at:tag_end]
        if re.search(r'\bcount="\d*"', tag):
            tag = re.sub(r'\bcount="\d*"', f'count="{count}"', tag)
        else:
            tag = f"<{self.p}{element} count=\"{count}\"" + tag[len(f"<{self.p}{element}"):]
        self.xml = self.xml[:at] + tag + self.xml[tag_end:]

    def _append_xf(self, attrs: dict[str, str], body: str) -> None:
        text = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
        el = f"<{self.p}xf{text}/>" if not body else f"<{self.p}xf{text}>{body}</{self.p}xf>"
        m = self._xfs_re.search(self.xml)
        end = m.end(1)
        self.xml = self.xml[:end] + el + self.xml[end:]
        self.xfs.append((attrs, body))
        self._index.setdefault(self._key(attrs, body), len(self.xfs) - 1)
        self._set_count(m.start(), "cellXfs", len(self.xfs))
        self.changed = True

    def to_bytes(self) -> bytes:
        return self.xml.encode("utf-8")
