"""The workbook-level parts the package writer reads and, at most, minimally edits: the sheets
and their parts (``xl/workbook.xml`` and relationships), Excel Tables (``xl/tables/*.xml``),
shared strings, charts, the calculation chain and ``calcPr`` (pure, over a
:class:`~xlkc.excel.ooxml_zip.Package`).
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from xml.etree import ElementTree

from xlkc.excel.ooxml_zip import Package
from xlkc.excel.xml_text import quoteattr, unescape

__all__ = ["Book", "TablePart"]

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_NS_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_REL_TABLE = "/relationships/table"
_REL_CALC_CHAIN = "/relationships/calcChain"
_REL_SHARED_STRINGS = "/relationships/sharedStrings"
_REL_STYLES = "/relationships/styles"
_CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CONTENT_TYPES = "[Content_Types].xml"
_ATTR_Q = {"&quot;": '"', "&apos;": "'"}
_SI = re.compile(rb"<(?:\w+:)?si\b(?:[^>]*/>|.*?</(?:\w+:)?si>)", re.S)
_RPH = re.compile(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
_T = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?(?<!/)>(.*?)</(?:\w+:)?t>", re.S)


def rels_part(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels"


def target(part: str, tgt: str) -> str:
    if tgt.startswith("/"):
        return tgt[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), tgt))


@dataclass(frozen=True)
class TablePart:
    part: str  # e.g. xl/tables/table22.xml
    name: str
    ref: str


class Book:
    """Sheets, tables and workbook-level parts of one package."""

    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        self.workbook_part = self._main_part()
        self.rels = self.relationships(self.workbook_part)
        book = ElementTree.fromstring(pkg.read(self.workbook_part))
        by_id = {rid: t for rid, (_, t) in self.rels.items()}
        self.sheets: dict[str, str] = {}  # sheet name -> part
        for sh in book.iter(f"{{{_NS_MAIN}}}sheet"):
            part = by_id.get(sh.get(f"{{{_NS_REL}}}id") or "")
            if part is not None:
                self.sheets[sh.get("name") or ""] = part
        self.defined_names = [(d.get("name") or "", d.text or "")
                              for d in book.iter(f"{{{_NS_MAIN}}}definedName")]
        self._shared: list[bytes] | None = None

    def _main_part(self) -> str:
        for _, (kind, tgt) in self.relationships("").items():
            if kind.endswith("/officeDocument"):
                return tgt
        return "xl/workbook.xml"

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Id -> (type, target part) of a part's internal relationships ("" for the package)."""
        name = "_rels/.rels" if not part else rels_part(part)
        data = self.pkg.get(name)
        if data is None:
            return {}
        out = {}
        for r in ElementTree.fromstring(data).iter(f"{_NS_PKG}Relationship"):
            if r.get("TargetMode") == "External":
                continue
            tgt = r.get("Target") or ""
            out[r.get("Id") or ""] = (r.get("Type") or "",
                                      target(part, tgt) if part else tgt.lstrip("/"))
        return out

    # --- tables -----------------------------------------------------------------------------

    def tables(self, sheet: str) -> list[TablePart]:
        part = self.sheets.get(sheet)
        if part is None:
            return []
        out = []
        for kind, tgt in self.relationships(part).values():
            if kind.endswith(_REL_TABLE) and tgt in self.pkg:
                root = ElementTree.fromstring(self.pkg.read(tgt))
                out.append(TablePart(tgt, root.get("displayName") or root.get("name") or "",
                                     root.get("ref") or ""))
        return out

    def set_table(self, table: TablePart, ref: str, header: tuple[str, ...]) -> None:
        """Resize a table (its ``ref`` and its autoFilter's) and name its columns ``header``
        (columns renamed only when the names differ; a column kept by name keeps its
        attributes). A Total Row a user added is dropped (the rows written are data, and a
        ``totalsRowCount`` would turn the last of them into totals), and so is a sort state
        (it names the old rows)."""
        xml = self.pkg.read(table.part).decode("utf-8")
        m = re.search(r"<(\w+:)?table\b[^>]*>", xml)
        p = m.group(1) or ""
        start = re.sub(r'(\sref=)"[^"]*"', rf'\1"{ref}"', m.group(0), count=1)
        if "totalsRowCount" in start:
            start = re.sub(r'\s+totalsRowCount="\d*"', "", start)
            start = re.sub(r'(\stotalsRowShown=)"[^"]*"', r'\1"0"', start)
            xml = re.sub(r'\s+totalsRow(?:Function|Label|DxfId|CellStyle)="[^"]*"', "", xml)
            xml = re.sub(rf"<{re.escape(p)}totalsRowFormula\b.*?</{re.escape(p)}"
                         rf"totalsRowFormula>", "", xml, flags=re.S)
            m = re.search(r"<(\w+:)?table\b[^>]*>", xml)
        xml = xml[:m.start()] + start + xml[m.end():]
        q = re.escape(p)
        xml = re.sub(rf"<{q}sortState\b[^>]*?/>|<{q}sortState\b.*?</{q}sortState>", "", xml,
                     flags=re.S)
        xml = re.sub(rf'(<{re.escape(p)}autoFilter\b[^>]*?\sref=)"[^"]*"', rf'\1"{ref}"', xml,
                     count=1)
        cm = re.search(rf"<{re.escape(p)}tableColumns\b[^>]*>(.*?)</{re.escape(p)}tableColumns>",
                       xml, re.S)
        if cm is not None:
            cols = re.findall(rf"<{re.escape(p)}tableColumn\b.*?(?:/>|</{re.escape(p)}tableColumn>)",
                              cm.group(1), re.S)
            names = [_name(c) for c in cols]
            if names != list(header):
                by_name = {n: c for n, c in zip(names, cols, strict=True)}
                new = []
                for i, h in enumerate(header, start=1):
                    old = by_name.get(h)
                    if old is not None:
                        new.append(re.sub(r'(\sid=)"\d+"', rf'\1"{i}"', old, count=1))
                    else:
                        new.append(f"<{p}tableColumn id=\"{i}\" name={quoteattr(h)}/>")
                xml = (xml[:cm.start()] + f'<{p}tableColumns count="{len(header)}">'
                       + "".join(new) + f"</{p}tableColumns>" + xml[cm.end():])
        self.pkg.set(table.part, xml.encode("utf-8"))

    # --- shared strings and styles ----------------------------------------------------------

    def _part_of(self, rel: str) -> str | None:
        for kind, tgt in self.rels.values():
            if kind.endswith(rel) and tgt in self.pkg:
                return tgt
        return None

    def shared_string(self, i: int) -> str | None:
        """The text of shared string ``i`` (runs joined, phonetic runs left out); the table is
        split into its items once and an item is read only when asked for."""
        if self._shared is None:
            part = self._part_of(_REL_SHARED_STRINGS)
            data = self.pkg.read(part) if part is not None else b""
            self._shared = _SI.findall(data)
            self._texts: dict[int, str] = {}
        if not 0 <= i < len(self._shared):
            return None
        if i not in self._texts:
            item = _RPH.sub(b"", self._shared[i])
            text = b"".join(_T.findall(item)).decode("utf-8")
            self._texts[i] = html.unescape(text) if "&" in text else text
        return self._texts[i]

    @property
    def styles_part(self) -> str | None:
        return self._part_of(_REL_STYLES)

    # --- charts -----------------------------------------------------------------------------

    def chart_parts(self) -> list[str]:
        ct = ElementTree.fromstring(self.pkg.read(CONTENT_TYPES))
        out = [o.get("PartName", "").lstrip("/") for o in ct.iter(f"{_NS_CT}Override")
               if o.get("ContentType") == _CT_CHART]
        return [p for p in out if p in self.pkg]

    # --- calculation ------------------------------------------------------------------------

    def drop_calc_chain(self) -> bool:
        """Remove ``xl/calcChain.xml``, its relationship and content type: it lists the formula
        cells of the sheets the writer rewrites, and Excel repairs a file whose chain names a
        cell without a formula. Excel rebuilds it on the next save."""
        part = self._part_of(_REL_CALC_CHAIN)
        if part is None:
            return False
        self.pkg.remove(part)
        name = rels_part(self.workbook_part)
        rels = self.pkg.read(name).decode("utf-8")
        rels = re.sub(r"<Relationship\b[^>]*?Type=\"[^\"]*/calcChain\"[^>]*/>", "", rels)
        self.pkg.set(name, rels.encode("utf-8"))
        ct = self.pkg.read(CONTENT_TYPES).decode("utf-8")
        ct = re.sub(rf'<Override\b[^>]*?PartName="/{re.escape(part)}"[^>]*/>', "", ct)
        self.pkg.set(CONTENT_TYPES, ct.encode("utf-8"))
        return True

    def full_calc_on_load(self) -> bool:
        xml = self.pkg.read(self.workbook_part)
        m = re.search(rb"<(?:\w+:)?calcPr\b[^>]*>", xml)
        return bool(m and re.search(rb'\bfullCalcOnLoad="(?:1|true)"', m.group(0)))

    def set_full_calc_on_load(self) -> None:
        """``<calcPr fullCalcOnLoad="1">``, adding the element where it is missing."""
        xml = self.pkg.read(self.workbook_part).decode("utf-8")
        root = re.search(r"<(\w+:)?workbook\b", xml)
        p = (root.group(1) or "") if root else ""
        m = re.search(rf"<{re.escape(p)}calcPr\b[^>]*?(/?)>", xml)
        if m is not None:
            tag = re.sub(r'\s+fullCalcOnLoad="[^"]*"', "", m.group(0))
            end = -2 if m.group(1) else -1
            tag = tag[:end].rstrip() + ' fullCalcOnLoad="1"' + tag[end:]
            xml = xml[:m.start()] + tag + xml[m.end():]
        else:  # CT_Workbook: calcPr follows definedNames and comes before these
            after = re.search(rf"<{re.escape(p)}(?:oleSize|customWorkbookViews|pivotCaches|"
                              rf"smartTagPr|smartTagTypes|webPublishing|fileRecoveryPr|"
                              rf"webPublishObjects|extLst)\b|</{re.escape(p)}workbook>", xml)
            xml = xml[:after.start()] + f'<{p}calcPr fullCalcOnLoad="1"/>' + xml[after.start():]
        self.pkg.set(self.workbook_part, xml.encode("utf-8"))


def _name(column_xml: str) -> str:
    m = re.search(r'\sname="([^"]*)"', column_xml)
    return unescape(m.group(1), _ATTR_Q) if m else ""
