"""The package writer's building blocks: the zip package that copies kept entries as stored, the
worksheet XML edits (prefixed namespaces, rows and cells without ``r``, ``<sheetData/>``) and the
stylesheet's number formats."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree

from hypothesis import given, settings
from hypothesis import strategies as st

from xlkc.excel.ooxml_zip import Package
from xlkc.excel.output_cells import Formula
from xlkc.excel.sheet_xml import (
    cell_xml,
    col_letter,
    edit_sheet,
    read_cells,
    row_styles,
    rows_xml,
    rows_xml_chunks,
)
from xlkc.excel.styles_xml import Styles

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _zip(entries: list[tuple[str, bytes, int]], stream: bool = False) -> bytes:
    """A zip written by :mod:`zipfile`; ``stream`` writes to an unseekable file, so every
    entry gets a data descriptor (flag bit 3)."""
    buf = io.BytesIO()

    class Unseekable(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, b) -> int:  # noqa: ANN001
            return buf.write(b)

    target = Unseekable() if stream else buf
    with zipfile.ZipFile(target, "w") as z:
        for name, data, method in entries:
            z.writestr(zipfile.ZipInfo(name, (2024, 5, 17, 13, 45, 10)), data,
                       compress_type=method)
    return buf.getvalue()


def _raw(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(name)
    head = data[info.header_offset:info.header_offset + 30]
    start = info.header_offset + 30 + int.from_bytes(head[26:28], "little") + int.from_bytes(
        head[28:30], "little")
    return data[start:start + info.compress_size]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a.xml", "xl/b.xml", "ö/ü.bin", "[Content_Types].xml",
                                            "c/d/e.rels"]),
                          st.binary(max_size=3000),
                          st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])),
                min_size=1, max_size=5, unique_by=lambda e: e[0]),
       st.booleans(), st.data())
def test_kept_entries_are_copied_as_stored(entries, stream, data):
    src = _zip(entries, stream)
    pkg = Package(src)
    replaced = data.draw(st.sampled_from([None] + [e[0] for e in entries]))
    if replaced is not None:
        pkg.set(replaced, b"<neu/>" * 50)
    pkg.set("new/part.xml", "ny del ✓".encode())
    out = pkg.to_bytes()
    with zipfile.ZipFile(io.BytesIO(out)) as z:
        assert z.testzip() is None
        assert z.namelist() == [e[0] for e in entries] + ["new/part.xml"]
        for name, content, method in entries:
            if name == replaced:
                assert z.read(name) == b"<neu/>" * 50
                continue
            assert z.read(name) == content
            info = z.getinfo(name)
            assert info.compress_type == method and info.date_time == (2024, 5, 17, 13, 45, 10)
            assert _raw(out, name) == _raw(src, name)  # not recompressed
        assert z.read("new/part.xml") == "ny del ✓".encode()


def test_removed_and_unchanged_parts():
    src = _zip([("a.xml", b"<a/>", zipfile.ZIP_DEFLATED), ("b.xml", b"<b/>", 8)])
    pkg = Package(src)
    pkg.set("a.xml", b"<a/>")  # the same bytes: kept as stored
    assert pkg.changed() == set()
    pkg.remove("b.xml")
    assert "b.xml" not in pkg and pkg.names == ["a.xml"]
    with zipfile.ZipFile(io.BytesIO(pkg.to_bytes())) as z:
        assert z.namelist() == ["a.xml"]


# --- worksheet XML -------------------------------------------------------------------------------

PREFIXED = (
    b'<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/'
    b'2006/main" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
    b'<x:dimension ref="A1:C3"/><x:sheetFormatPr defaultRowHeight="15"/><x:cols>'
    b'<x:col min="2" max="3" width="9" outlineLevel="2"/></x:cols><x:sheetData>'
    b'<x:row r="1" spans="1:2" x14ac:dyDescent="0.25"><x:c r="A1" t="inlineStr"><x:is><x:t>Titel'
    b"</x:t></x:is></x:c></x:row>"
    b'<x:row><x:c s="3"><x:v>1</x:v></x:c><x:c><x:v>2</x:v></x:c></x:row>'
    b'<x:row r="3" outlineLevel="1"><x:c r="C3" s="4"><x:v>3</x:v></x:c></x:row>'
    b"</x:sheetData><x:pageMargins left=\"1\" right=\"1\" top=\"1\" bottom=\"1\" header=\"0\" "
    b'footer="0"/></x:worksheet>')


def _cells(xml: bytes) -> dict[str, str | None]:
    root = ElementTree.fromstring(xml)
    out = {}
    for c in root.iter(f"{{{MAIN}}}c"):
        v = c.find(f"{{{MAIN}}}v")
        t = c.find(f".//{{{MAIN}}}t")
        out[c.get("r")] = v.text if v is not None else (t.text if t is not None else None)
    return out


def test_edits_of_a_prefixed_sheet_with_implicit_references():
    assert row_styles(PREFIXED, 2) == {1: 3, 2: 0}
    assert read_cells(PREFIXED, 1, 3, 1, 3) == {(1, 1): "Titel", (2, 1): 1.0, (2, 2): 2.0,
                                                (3, 3): 3.0}
    new, last_row, last_col = rows_xml([(4, 1, [(5.5, "x")], [7, 0])], "x:")
    xml = edit_sheet(PREFIXED, {1: {2: cell_xml("B1", 0, "Ny", "x:")}}, cut_from=3,
                     new_rows=new, last=(last_row, last_col))
    root = ElementTree.fromstring(xml)  # well-formed, the same prefix throughout
    assert root.tag == f"{{{MAIN}}}worksheet"
    cells = _cells(xml)
    assert cells == {"A1": "Titel", "B1": "Ny", None: "2", "A4": "5.5", "B4": "x"}
    dim = root.find(f"{{{MAIN}}}dimension").get("ref")
    assert dim == "A1:C4"
    fmt = root.find(f"{{{MAIN}}}sheetFormatPr")
    # the grouped columns' level, no row level left (row 3 was cut)
    assert fmt.get("outlineLevelCol") == "2" and fmt.get("outlineLevelRow") is None
    assert b'spans="1:2"' in xml and b'x14ac:dyDescent="0.25"' in xml


def test_an_empty_sheet_data_gets_rows():
    xml = (f'<worksheet xmlns="{MAIN}"><dimension ref="A1"/><sheetData/></worksheet>').encode()
    new, r, c = rows_xml([(2, 2, [(1.0,), (2.0,)], [0])])
    out = edit_sheet(xml, {1: {1: cell_xml("A1", 0, "Rubrik")}}, cut_from=2, new_rows=new,
                     last=(r, c))
    assert _cells(out) == {"A1": "Rubrik", "B2": "1", "B3": "2"}
    assert b'<dimension ref="A1:B3"/>' in out


def test_patching_keeps_other_cells_and_widens_spans():
    xml = (f'<worksheet xmlns="{MAIN}"><sheetData><row r="2" spans="1:2" ht="30" customHeight="1">'
           '<c r="A2"><v>1</v></c><c r="B2" s="5"><v>2</v></c></row></sheetData></worksheet>'
           ).encode()
    out = edit_sheet(xml, {2: {4: cell_xml("D2", 5, 9.0)}, 7: {1: cell_xml("A7", 0, "sju")}})
    assert _cells(out) == {"A2": "1", "B2": "2", "D2": "9", "A7": "sju"}
    assert b'<row r="2" spans="1:4" ht="30" customHeight="1">' in out


def test_clearing_columns_keeps_the_neighbours():
    xml = (f'<worksheet xmlns="{MAIN}"><sheetData><row r="6"><c r="A6"><v>1</v></c>'
           '<c r="C6"><v>3</v></c></row><row r="7"><c r="A7"><v>4</v></c></row></sheetData>'
           "</worksheet>").encode()
    out = edit_sheet(xml, {6: {1: cell_xml("A6", 0, 10.0)}}, clear=[(1, 2)], clear_from=6)
    assert _cells(out) == {"A6": "10", "C6": "3"}
    assert b'<row r="7"' not in out


# --- styles --------------------------------------------------------------------------------------

STYLES = (f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font/></fonts><cellXfs count="2">'
          '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="3" fontId="0" fillId="2" borderId="1" xfId="0" applyNumberFormat="1">'
          '<alignment horizontal="left"/></xf></cellXfs></styleSheet>').encode()


def test_number_formats_are_added_once_and_found_again():
    s = Styles(STYLES)
    assert s.with_format(1, "#,##0") == 1 and not s.changed  # built-in id 3
    red = s.with_format(1, "[Red]@")
    assert red == 2 and s.changed
    again = Styles(s.to_bytes())
    assert again.with_format(1, "[Red]@") == 2 and not again.changed
    assert again.number_format(2) == "[Red]@"
    assert again.with_format(2, "#,##0") == 1  # back to the original cell format
    root = ElementTree.fromstring(again.to_bytes())
    xfs = root.find(f"{{{MAIN}}}cellXfs")
    assert xfs.get("count") == "3" and len(xfs) == 3
    assert root.find(f"{{{MAIN}}}numFmts").get("count") == "1"
    assert xfs[2].find(f"{{{MAIN}}}alignment").get("horizontal") == "left"


def test_archives_beyond_zip32_are_written_by_zipfile(monkeypatch):
    """Past 4 GiB (here: a lowered limit) the package is written by zipfile with ZIP64; the
    contents are the same."""
    import xlkc.excel.ooxml_zip as oz

    src = _zip([("a.xml", b"<a/>" * 100, zipfile.ZIP_DEFLATED), ("b.bin", b"\x00\x01", 0)])
    monkeypatch.setattr(oz, "_LIMIT", 10)
    pkg = Package(src)
    pkg.set("b.bin", b"neu")
    with zipfile.ZipFile(io.BytesIO(pkg.to_bytes())) as z:
        assert z.testzip() is None
        assert {n: z.read(n) for n in z.namelist()} == {"a.xml": b"<a/>" * 100, "b.bin": b"neu"}


def test_reading_cells_as_excel_saves_them():
    """Shared strings, rich text, booleans, errors, formulas with values and attributes with
    prefixes declared on the root only."""
    xml = (f'<worksheet xmlns="{MAIN}" xmlns:x14ac="urn:x"><sheetData><row r="6">'
           '<c r="A6" t="s" x14ac:any="1"><v>1</v></c>'
           '<c r="B6" t="inlineStr"><is><r><t>ri</t></r><r><rPr><b/></rPr><t>ch</t></r>'
           '<rPh sb="0" eb="1"><t>x</t></rPh></is></c>'
           '<c r="C6" t="b"><v>1</v></c><c r="D6" t="e"><v>#DIV/0!</v></c>'
           '<c r="E6"><f>1+1</f><v>2</v></c><c r="F6" t="str"><f>"a"</f><v>a</v></c>'
           '<c r="G6" s="3"/></row></sheetData></worksheet>').encode()
    got = read_cells(xml, 6, 6, 1, 7, shared=lambda i: ["noll", "ett"][i])
    assert got == {(6, 1): "ett", (6, 2): "rich", (6, 3): True, (6, 4): "#DIV/0!",
                   (6, 5): 2.0, (6, 6): "a"}


def _rows_reference(blocks, p=""):
    """The rows of ``blocks`` built cell by cell with cell_xml (what rows_xml must equal)."""
    by_row: dict[int, list[str]] = {}
    last_col = 0
    for first_row, first_col, rows, styles in sorted(blocks, key=lambda b: b[1]):
        last_col = max(last_col, first_col + len(styles) - 1)
        for i, row in enumerate(rows):
            if styles:
                by_row.setdefault(first_row + i, []).extend(
                    cell_xml(f"{col_letter(first_col + j)}{first_row + i}", s, row[j], p)
                    for j, s in enumerate(styles))
    order = sorted(by_row)
    xml = "".join(f'<{p}row r="{r}">{"".join(by_row[r])}</{p}row>' for r in order)
    return xml, (order[-1] if order else 0), last_col


_VALUES = st.one_of(
    # (integers from 1e15 on: a column of numbers writes them as int, cell_xml as a float)
    st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**15 + 1, 10**15 - 1),
    st.booleans(), st.sampled_from(["", " a ", "x_x0041_y", "a&b<c>", "\x01ctl", "ok", "ä\r\n"]),
    st.dates(), st.builds(lambda t, v: Formula("=" + t, v),
                          st.sampled_from(["A1+B1", "\"<\"&C2", "SUM(D1:D9)"]),
                          st.one_of(st.none(), st.floats(), st.booleans(), st.just("t "))))


@st.composite
def _blocks(draw):
    out = []
    for _ in range(draw(st.integers(1, 3))):
        n_cols = draw(st.integers(0, 3))
        kind = draw(st.sampled_from(["mixed", "floats", "texts"]))
        cell = {"mixed": _VALUES, "floats": st.one_of(st.none(), st.floats()),
                "texts": st.one_of(st.none(), st.sampled_from(["a", " b", "c&d", ""]))}[kind]
        rows = draw(st.lists(st.tuples(*[cell] * n_cols), max_size=6))
        styles = draw(st.lists(st.integers(0, 3), min_size=n_cols, max_size=n_cols))
        out.append((draw(st.integers(2, 8)), draw(st.integers(1, 12)), rows, styles))
    return out


@settings(max_examples=300, deadline=None)
@given(_blocks(), st.sampled_from(["", "x:"]), st.integers(1, 4))
def test_rows_xml_in_pieces_equals_the_rows_built_cell_by_cell(blocks, p, chunk_rows):
    """Column fast paths, transposing per piece and tables side by side over different rows
    write exactly the cells cell_xml writes one at a time (issue 15)."""
    want = _rows_reference(blocks, p)
    assert rows_xml(blocks, p) == want
    pieces, last_row, last_col = rows_xml_chunks(blocks, p, chunk_rows)
    assert ("".join(pieces), last_row, last_col) == want


def test_a_part_set_in_pieces_is_written_as_the_part_set_whole():
    """set_pieces deflates a large part piece by piece: the archive is the same bytes as with
    set (small and large parts, a part equal to the stored one kept as stored)."""
    import random

    from xlkc.excel.ooxml_zip import FAST_ABOVE

    rng = random.Random(15)
    stored = b"".join(b"<row r=\"%d\"><c><v>%d</v></c></row>" % (i, rng.randrange(10**6))
                      for i in range(120_000))
    assert len(stored) > FAST_ABOVE
    src = _zip([("xl/worksheets/sheet1.xml", stored, zipfile.ZIP_DEFLATED),
                ("xl/small.xml", b"<a/>", zipfile.ZIP_DEFLATED)])
    for data in (stored, stored[:-1] + b"!", stored[:FAST_ABOVE // 2], b"<b/>",
                 stored + stored[:1000]):
        for name in ("xl/worksheets/sheet1.xml", "xl/small.xml", "xl/new.xml"):
            whole, pieces = Package(src), Package(src)
            whole.set(name, data)
            cuts = sorted(rng.sample(range(len(data) + 1), min(12, len(data) + 1)))
            pieces.set_pieces(name, [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)],
                                                               strict=True)])
            assert pieces.to_bytes() == whole.to_bytes()
            assert pieces.read(name) == data
