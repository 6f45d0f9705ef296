"""The committed workbook's VBA project, read independently of xlkc.workbook.vba_project and
compound_file.

The compound file is checked by a small MS-CFB validator written here (header, DIFAT, FAT, every
sector's use, chains, mini FAT and mini stream, directory entries, the red-black sibling trees)
and read by olefile; compressed streams are decompressed by oletools (MS-OVBA 2.4.1); the dir
stream is parsed here (MS-OVBA 2.3.4.2); CMG, DPB and GC are decrypted here (MS-OVBA 2.4.3.3).
vba_project's own compressor and compound_file's writer are then checked against the same
independent readers on generated data (hypothesis) and on Office's own project in the xlwings
wheel's standalone workbook.
"""

from __future__ import annotations

import io
import random
import re
import struct
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import olefile
import pytest
import xlwings
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, decompress_stream

from xlkc.workbook import compound_file, udf_vba, vba_project

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "workbook" / "Prismodell.xlsm"
XLWINGS_DIR = Path(xlwings.__file__).resolve().parent
STANDALONE = XLWINGS_DIR / "quickstart_standalone.xlsm"

ENDOFCHAIN, FREESECT, FATSECT, DIFSECT, NOSTREAM = (0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD,
                                                    0xFFFFFFFC, 0xFFFFFFFF)


def _bin(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/vbaProject.bin")


@pytest.fixture(scope="module")
def project_bin() -> bytes:
    return _bin(COMMITTED)


# --- an MS-CFB validator -------------------------------------------------------------------------

@dataclass
class Entry:
    sid: int
    name: str
    kind: int
    colour: int
    left: int
    right: int
    child: int
    clsid: bytes
    created: int
    modified: int
    start: int
    size: int


def _cfb_key(name: str) -> tuple:
    units = [c.upper() if len(c.upper()) == 1 else c for c in name]
    return (len(name.encode("utf-16-le")) // 2, [ord(c) for c in units])


def validate_cfb(data: bytes) -> dict[str, bytes]:
    """Assert the MS-CFB rules a version-3 writer must keep; return path -> stream bytes."""
    assert data[:8] == bytes.fromhex("d0cf11e0a1b11ae1")
    assert data[8:24] == bytes(16)  # header CLSID
    (minor, major, order, shift, mini_shift, reserved, n_dir, n_fat, dir_start, transaction,
     cutoff, minifat_start, n_minifat, difat_start, n_difat) = struct.unpack_from(
        "<HHHHH6sIIIIIIIII", data, 24)
    assert (minor, major, order, shift, mini_shift) == (0x3E, 3, 0xFFFE, 9, 6)
    assert reserved == bytes(6) and n_dir == 0 and transaction == 0 and cutoff == 4096
    assert len(data) % 512 == 0
    n_sectors = len(data) // 512 - 1
    use = [None] * n_sectors  # what each sector holds

    def sector(k: int) -> bytes:
        assert 0 <= k < n_sectors, f"sector {k} out of range"
        return data[512 * (k + 1):512 * (k + 2)]

    def claim(k: int, what: str) -> None:
        assert 0 <= k < n_sectors, f"{what}: sector {k} out of range"
        assert use[k] is None, f"sector {k} used by {use[k]} and {what}"
        use[k] = what

    header_difat = list(struct.unpack_from("<109I", data, 76))
    fat_sectors = [s for s in header_difat if s != FREESECT]
    # every used header slot comes before every unused one
    assert header_difat[:len(fat_sectors)] == fat_sectors
    k = difat_start
    for _ in range(n_difat):
        claim(k, "DIFAT")
        words = struct.unpack("<128I", sector(k))
        fat_sectors += [s for s in words[:127] if s != FREESECT]
        k = words[127]
    assert k == ENDOFCHAIN if n_difat else difat_start == ENDOFCHAIN
    assert len(fat_sectors) == n_fat
    fat: list[int] = []
    for s in fat_sectors:
        claim(s, "FAT")
        fat += struct.unpack("<128I", sector(s))
    assert len(fat) >= n_sectors
    for s in fat_sectors:
        assert fat[s] == FATSECT
    for s, u in enumerate(use):
        if u == "DIFAT":
            assert fat[s] == DIFSECT
    assert all(v == FREESECT for v in fat[n_sectors:]), "FAT entries beyond the file"

    def chain(first: int, what: str) -> list[int]:
        out, k = [], first
        while k != ENDOFCHAIN:
            claim(k, what)  # a cycle claims a sector twice
            out.append(k)
            k = fat[k]
            assert k <= 0xFFFFFFFA or k == ENDOFCHAIN, f"{what}: bad FAT entry {k:#x}"
        return out

    directory = b"".join(sector(k) for k in chain(dir_start, "directory"))
    minifat_chain = chain(minifat_start, "mini FAT") if n_minifat else []
    assert len(minifat_chain) == n_minifat
    if not n_minifat:
        assert minifat_start == ENDOFCHAIN
    mini_fat = list(struct.unpack(f"<{128 * n_minifat}I",
                                  b"".join(sector(k) for k in minifat_chain)))
    entries = []
    for sid in range(len(directory) // 128):
        e = directory[sid * 128:(sid + 1) * 128]
        name_len = struct.unpack_from("<H", e, 64)[0]
        kind, colour, left, right, child, clsid, _state, created, modified, start, size = \
            struct.unpack_from("<BBIII16sIQQIQ", e, 66)
        if kind == 0:  # unused: zeros, links NOSTREAM
            assert e[:64] == bytes(64) and name_len == 0
            assert (left, right, child) == (NOSTREAM,) * 3
            assert e[80:] == bytes(48)
            continue
        assert name_len % 2 == 0 and 2 <= name_len <= 64
        assert e[name_len - 2:name_len] == b"\0\0" and e[name_len:64] == bytes(64 - name_len)
        name = e[:name_len - 2].decode("utf-16-le")
        assert not set(name) & set("/\\:!")
        assert colour in (0, 1) and kind in (1, 2, 5)
        assert size >> 32 == 0  # version 3
        entries.append(Entry(sid, name, kind, colour, left, right, child, clsid, created,
                             modified, start, size))
    by_sid = {e.sid: e for e in entries}
    root = by_sid[0]
    assert root.kind == 5 and root.name == "Root Entry" and root.created == 0
    assert sum(e.kind == 5 for e in entries) == 1
    mini_chain = chain(root.start, "mini stream") if root.size else []
    assert len(mini_chain) == -(-root.size // 512)
    assert root.size % 64 == 0
    mini_stream = b"".join(sector(k) for k in mini_chain)[:root.size]
    mini_use = [None] * (root.size // 64)
    assert len(mini_fat) >= len(mini_use)
    assert all(v == FREESECT for v in mini_fat[len(mini_use):])

    streams: dict[str, bytes] = {}
    reached: set[int] = {0}

    def walk_siblings(top: int, path: str) -> None:
        """The siblings under one parent: a binary search tree in CFB order, red-black."""
        def black_height(sid: int, lo, hi) -> int:  # noqa: ANN001
            if sid == NOSTREAM:
                return 1
            assert sid in by_sid and sid not in reached, f"entry {sid} reached twice"
            reached.add(sid)
            e = by_sid[sid]
            key = _cfb_key(e.name)
            assert (lo is None or lo < key) and (hi is None or key < hi), \
                f"{e.name} out of order under {path or 'root'}"
            for c in (e.left, e.right):
                if e.colour == 0 and c != NOSTREAM:
                    assert by_sid[c].colour == 1, f"red {e.name} has a red child"
            lh = black_height(e.left, lo, key)
            rh = black_height(e.right, key, hi)
            assert lh == rh, f"black heights differ under {e.name}"
            visit(e, f"{path}/{e.name}" if path else e.name)
            return lh + (e.colour == 1)

        if top != NOSTREAM:
            assert by_sid[top].colour == 1, "a sibling tree's root must be black"
        black_height(top, None, None)

    def visit(e: Entry, path: str) -> None:
        if e.kind == 1:
            walk_siblings(e.child, path)
            return
        assert e.child == NOSTREAM and e.clsid == bytes(16)
        assert e.created == 0 and e.modified == 0  # streams carry no times
        if e.size == 0:
            streams[path] = b""
            return
        if e.size < 4096:
            out, k = bytearray(), e.start
            while k != ENDOFCHAIN:
                assert k < len(mini_use) and mini_use[k] is None, f"{path}: mini sector {k}"
                mini_use[k] = path
                out += mini_stream[64 * k:64 * (k + 1)]
                k = mini_fat[k]
            assert len(out) == -(-e.size // 64) * 64, f"{path}: mini chain length"
        else:
            sectors = chain(e.start, path)
            assert len(sectors) == -(-e.size // 512), f"{path}: chain length"
            out = b"".join(sector(k) for k in sectors)
        streams[path] = bytes(out[:e.size])

    assert root.left == root.right == NOSTREAM
    walk_siblings(root.child, "")
    assert reached == set(by_sid), "directory entries not reachable from the root"
    assert None not in mini_use, "mini sectors in no stream"
    for k, u in enumerate(use):
        assert (u is None) == (fat[k] == FREESECT), f"sector {k}: {u} vs FAT {fat[k]:#x}"
    return streams


# --- MS-OVBA, read here ----------------------------------------------------------------------------

def ovba_decompress(data: bytes) -> bytes:
    return bytes(decompress_stream(bytearray(data)))


def dir_records(data: bytes) -> tuple[list[tuple[int, bytes]], int]:
    """(id, payload) of each record up to the Terminator, and the bytes after it."""
    out, pos = [], 0
    while True:
        rid = struct.unpack_from("<H", data, pos)[0]
        if rid == 0x0009:  # PROJECTVERSION: Reserved 4, Major u32, Minor u16
            assert struct.unpack_from("<I", data, pos + 2)[0] == 4
            out.append((rid, data[pos + 6:pos + 12]))
            pos += 12
            continue
        size = struct.unpack_from("<I", data, pos + 2)[0]
        out.append((rid, data[pos + 6:pos + 6 + size]))
        pos += 6 + size
        if rid == 0x0010:
            assert size == 0  # Terminator's Reserved MUST be 0
            return out, len(data) - pos


def modules(records: list[tuple[int, bytes]]) -> list[dict]:
    mods, cur = [], {}
    for rid, body in records:
        if rid == 0x0019:
            cur = {"name": body.decode("cp1252")}
        elif rid == 0x001A:
            cur["stream"] = body.decode("cp1252")
        elif rid == 0x0031:
            cur["offset"] = struct.unpack("<I", body)[0]
        elif rid == 0x002C:
            cur["cookie"] = struct.unpack("<H", body)[0]
        elif rid in (0x0021, 0x0022):
            cur["type"] = rid
        elif rid == 0x002B:
            mods.append(cur)
    return mods


def ovba_decrypt(text: str) -> tuple[int, bytes]:
    """MS-OVBA 2.4.3.3: (ProjKey, Data) of a CMG/DPB/GC value."""
    enc = bytes.fromhex(text)
    seed, version_enc, key_enc = enc[:3]
    assert seed ^ version_enc == 2
    key = seed ^ key_enc
    unencrypted1, encrypted1, encrypted2 = key, key_enc, version_enc
    plain = bytearray()
    for byte_enc in enc[3:]:
        byte = byte_enc ^ ((encrypted2 + unencrypted1) & 0xFF)
        plain.append(byte)
        encrypted2, encrypted1, unencrypted1 = encrypted1, byte_enc, byte
    ignored = (seed & 6) // 2
    length = struct.unpack_from("<I", plain, ignored)[0]
    data = bytes(plain[ignored + 4:])
    assert len(data) == length
    return key, data


def project_fields(text: bytes) -> dict[str, str]:
    return {m.group(1).decode(): m.group(2).decode("cp1252") for m in
            re.finditer(rb'^(ID|CMG|DPB|GC)="([^"]*)"\r$', text, re.M)}


def check_project(streams: dict[str, bytes]) -> list[dict]:
    """The MS-OVBA write rules; returns the modules with their decompressed source."""
    assert streams["VBA/_VBA_PROJECT"] == bytes.fromhex("cc61ffff000100")
    records, trailing = dir_records(ovba_decompress(streams["VBA/dir"]))
    assert trailing == 0, "bytes after the dir stream's terminator"
    cookie = [body for rid, body in records if rid == 0x0013]
    assert cookie == [b"\xff\xff"]  # PROJECTCOOKIE
    mods = modules(records)
    count = [struct.unpack("<H", body)[0] for rid, body in records if rid == 0x000F]
    assert count == [len(mods)]
    for m in mods:
        assert m["cookie"] == 0xFFFF, m["name"]
        assert m["offset"] == 0, m["name"]
        data = streams["VBA/" + m["stream"]]
        m["source"] = ovba_decompress(data).decode("cp1252")
    fields = project_fields(streams["PROJECT"])
    pid = fields["ID"]
    assert re.fullmatch(r"\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", pid)
    key = sum(pid.encode("ascii")) & 0xFF
    for name in ("CMG", "DPB", "GC"):
        got_key, _ = ovba_decrypt(fields[name])
        assert got_key == key, f"{name} not encrypted under the project id"
    return mods


# --- the committed workbook ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def streams(project_bin) -> dict[str, bytes]:
    return validate_cfb(project_bin)


@pytest.fixture(scope="module")
def project(streams) -> dict[str, dict]:
    return {m["name"]: m for m in check_project(streams)}


def test_compound_file_is_valid_and_olefile_reads_the_same_streams(project_bin, streams):
    assert _ole_streams(project_bin) == streams
    assert {"PROJECT", "PROJECTwm", "VBA/dir", "VBA/_VBA_PROJECT"} <= set(streams)


def test_vba_project_stream_and_cookies_follow_ms_ovba(project):
    assert project  # check_project asserted _VBA_PROJECT, cookies, offsets, the terminator
    assert {"Prismodell", "xlwings", "Dictionary", "xlwings_udfs", "ThisWorkbook",
            "shStart"} <= set(project)


def test_project_is_unprotected_visible_and_without_password(streams):
    fields = project_fields(streams["PROJECT"])
    assert ovba_decrypt(fields["CMG"])[1] == bytes(4)  # ProjectProtectionState: none
    assert ovba_decrypt(fields["DPB"])[1] == b"\x00"  # ProjectPassword: none
    assert ovba_decrypt(fields["GC"])[1] == b"\xff"  # ProjectVisibilityState: visible


def _split(source: str) -> tuple[set[str], list[str]]:
    """(Attribute lines, the other lines) of a module's text, without a class's VERSION block."""
    lines = source.replace("\r\n", "\n").split("\n")
    attrs = {ln for ln in lines if ln.startswith("Attribute VB_")}
    head = re.compile(r"^(Attribute VB_|VERSION 1\.0 CLASS$|BEGIN$|\s+MultiUse = |END$)")
    return attrs, [ln for ln in lines if not head.match(ln)]


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def test_modules_decompress_to_their_sources(project):
    own = {p.stem: p.read_bytes().decode("utf-8") for p in
           [*(REPO / "workbook" / "vba").glob("*.bas"), *(REPO / "workbook" / "vba").glob("*.cls")]}
    standard = {**own, "xlwings": (XLWINGS_DIR / "xlwings.bas").read_bytes().decode("utf-8"),
                udf_vba.VBA_MODULE: udf_vba.xlwings_udfs_module()}
    for name, text in standard.items():
        assert project[name]["type"] == 0x0021, name
        assert project[name]["source"] == _crlf(text), name
    cls = (XLWINGS_DIR / "addin" / "Dictionary.cls").read_bytes().decode("utf-8")
    got_attrs, got_body = _split(project["Dictionary"]["source"])
    want_attrs, want_body = _split(_crlf(cls))
    assert project["Dictionary"]["type"] == 0x0022
    assert got_body == want_body and want_attrs <= got_attrs


def test_document_modules_hold_only_their_attributes(project):
    for name, m in project.items():
        if name.startswith("sh") or name == "ThisWorkbook":
            assert m["type"] == 0x0022
            assert all(ln.startswith("Attribute VB_") for ln in
                       m["source"].rstrip("\r\n").split("\r\n")), name


def test_olevba_reads_every_module(project):
    parser = VBA_Parser(str(COMMITTED))
    try:
        got = {Path(v).stem: c for _, _, v, c in parser.extract_macros()}
    finally:
        parser.close()
    assert set(got) == set(project)
    assert got["Prismodell"].replace("\r\n", "\n") in project["Prismodell"]["source"].replace(
        "\r\n", "\n")


# --- vba_project and compound_file against the independent readers ------------------------------

def _ole_streams(data: bytes) -> dict[str, bytes]:
    ole = olefile.OleFileIO(io.BytesIO(data))
    try:
        return {"/".join(p): ole.openstream(p).read() for p in ole.listdir()}
    finally:
        ole.close()


def test_normalize_on_offices_own_project():
    """xlwings' standalone workbook was saved by Excel: module streams with performance caches,
    a seeded CMG/DPB/GC. Normalised, every module keeps its source; the rules hold."""
    original = _bin(STANDALONE)
    streams = _ole_streams(original)
    mods = modules(dir_records(ovba_decompress(streams["VBA/dir"]))[0])
    assert any(m["offset"] for m in mods)  # the input does carry caches
    before = {m["name"]: ovba_decompress(streams["VBA/" + m["stream"]][m["offset"]:])
              for m in mods}
    out = vba_project.normalize(original)
    after = {m["name"]: m["source"].encode("cp1252") for m in check_project(validate_cfb(out))}
    assert after == before
    old = project_fields(streams["PROJECT"])
    new = project_fields(validate_cfb(out)["PROJECT"])
    assert new["ID"] != old["ID"]
    for name in ("CMG", "DPB", "GC"):
        assert ovba_decrypt(new[name])[1] == ovba_decrypt(old[name])[1]
    assert vba_project.normalize(out) == out  # idempotent
    assert vba_project.normalize(original) == out  # deterministic


def test_project_id_follows_the_sources():
    a = vba_project.project_id([("Module1", b"Sub A()\r\nEnd Sub\r\n")])
    assert a == vba_project.project_id([("Module1", b"Sub A()\r\nEnd Sub\r\n")])
    assert a != vba_project.project_id([("Module1", b"Sub B()\r\nEnd Sub\r\n")])
    assert a != vba_project.project_id([("Module2", b"Sub A()\r\nEnd Sub\r\n")])
    assert uuid.UUID(a).version == 5


@settings(max_examples=60, deadline=None)
@given(st.one_of(
    st.binary(max_size=9000),
    st.lists(st.sampled_from([b"Sub ", b"End Sub\r\n", b"    x = 1\r\n", b"\x00", b"a" * 40,
                              b"Attribute VB_Name = \"M\"\r\n"]), max_size=700).map(b"".join)))
def test_compress_decompresses_with_oletools(data):
    try:
        packed = vba_project.compress(data)
    except vba_project.FormatError:
        last = len(data) % 4096
        assert last > 0 and last + -(-last // 8) > 4096  # only a short incompressible tail
        return
    assert ovba_decompress(packed) == data
    assert vba_project.decompress(packed) == data


def test_compress_edges():
    noise = random.Random(1).randbytes(4096)
    for data in (b"", b"a", b"abc" * 1365 + b"a", bytes(4096), bytes(4097), noise, noise * 2,
                 noise + b"\x01\x02", b"ab" * 5000, bytes(range(256)) * 40):
        packed = vba_project.compress(data)
        assert ovba_decompress(packed) == data
    raw = vba_project.compress(noise)  # a full chunk that does not compress: stored raw
    assert raw[1:3] == struct.pack("<H", 0x3FFF) and raw[3:] == noise


def test_decompress_rejects_garbage():
    for bad in (b"", b"\x00\x01", b"\x01\xff\x0f", b"\x01\x02\xb0\x01\xff\xff"):
        with pytest.raises(vba_project.FormatError):
            vba_project.decompress(bad)


_names = st.text(st.characters(codec="utf-16", exclude_characters="/\\:!\0",
                               exclude_categories=("Cs",)), min_size=1, max_size=31).filter(
    lambda n: len(n.encode("utf-16-le")) <= 62)
_sizes = st.one_of(st.integers(0, 200), st.sampled_from([63, 64, 65, 4095, 4096, 4097]),
                   st.integers(0, 20000))


@st.composite
def trees(draw, depth=0):  # noqa: ANN001, ANN201
    names = draw(st.lists(_names, max_size=12 if depth == 0 else 5,
                          unique_by=lambda n: compound_file.name_key(n)))
    kids = []
    for i, name in enumerate(names):
        if depth < 2 and i % 3 == 0 and draw(st.booleans()):
            kids.append(compound_file.Storage(name, draw(trees(depth + 1)).children))
        else:
            size = draw(_sizes)
            kids.append(compound_file.Stream(name, bytes((i * 7 + k) % 251 for k in range(size))))
    return compound_file.Storage("Root Entry", kids)


def _flatten(node, path="") -> dict[str, bytes]:  # noqa: ANN001
    out = {}
    for c in node.children:
        p = f"{path}/{c.name}" if path else c.name
        out.update(_flatten(c, p) if isinstance(c, compound_file.Storage) else {p: c.data})
    return out


@settings(max_examples=40, deadline=None)
@given(trees())
def test_written_compound_files_are_valid(tree):
    data = compound_file.write_cfb(tree)
    assert validate_cfb(data) == _flatten(tree)
    assert _flatten(compound_file.read_cfb(data)) == _flatten(tree)
    assert compound_file.write_cfb(compound_file.read_cfb(data)) == data


def test_many_entries_and_a_difat():
    """Over 109 FAT sectors (a file over 7 MB) needs DIFAT sectors; many entries need several
    directory and mini FAT sectors. olefile reads it all back."""
    kids = [compound_file.Stream(f"s{i}", bytes([i % 256]) * (i * 13 % 3000)) for i in range(300)]
    kids.append(compound_file.Stream("big", bytes(range(256)) * 30000))
    tree = compound_file.Storage("Root Entry", [compound_file.Storage("VBA", kids)])
    data = compound_file.write_cfb(tree)
    assert struct.unpack_from("<I", data, 72)[0] >= 1  # DIFAT sectors
    assert validate_cfb(data) == _flatten(tree)
    ole = olefile.OleFileIO(io.BytesIO(data))
    try:
        assert ole.openstream("VBA/big").read() == bytes(range(256)) * 30000
        assert ole.openstream("VBA/s299").read() == kids[299].data
    finally:
        ole.close()


@pytest.mark.parametrize("n", [*range(0, 40), 63, 64, 65, 127, 128, 255, 1000])
def test_sibling_trees_are_red_black(n):
    ids = list(range(n))
    root, links = compound_file.sibling_tree(ids)

    def black_height(i: int, lo: int, hi: int) -> int:
        if i == compound_file.NOSTREAM:
            return 1
        assert lo < i < hi
        left, right, colour = links[i]
        if colour == compound_file.RED:
            assert all(c == compound_file.NOSTREAM or links[c][2] == compound_file.BLACK
                       for c in (left, right))
        lh, rh = black_height(left, lo, i), black_height(right, i, hi)
        assert lh == rh
        return lh + (colour == compound_file.BLACK)

    assert n == 0 or links[root][2] == compound_file.BLACK
    black_height(root, -1, n)
    assert len(links) == n


def _directory_offset(data: bytes, sid: int) -> int:
    """Byte offset of directory entry ``sid`` (a small file: one FAT sector)."""
    k = struct.unpack_from("<I", data, 48)[0]
    fat = struct.unpack_from("<128I", data, 512 * (struct.unpack_from("<I", data, 76)[0] + 1))
    for _ in range(sid // 4):
        k = fat[k]
    return 512 * (k + 1) + 128 * (sid % 4)


def _mutants(data: bytes) -> dict[str, bytes]:
    """Broken copies of a valid project: each must fail the checks above."""
    out = {}
    b = bytearray(data)
    root = _directory_offset(data, 0)
    top = struct.unpack_from("<I", b, root + 76)[0]  # the root's child: a sibling tree's root
    b[_directory_offset(data, top) + 67] = 0  # red
    out["red tree root"] = bytes(b)
    b = bytearray(data)
    n_fat = struct.unpack_from("<I", b, 44)[0]
    first_fat = struct.unpack_from("<I", b, 76)[0]
    struct.pack_into("<I", b, 512 * (first_fat + 1) + 4 * (n_fat + 1), FREESECT)
    out["used sector marked free"] = bytes(b)
    b = bytearray(data)
    struct.pack_into("<I", b, 512 * (first_fat + 1) + 4 * n_fat, n_fat)  # a chain onto itself
    out["chain cycle"] = bytes(b)
    tree = compound_file.read_cfb(data)
    tree.stream("VBA/_VBA_PROJECT").data = bytes.fromhex("cc61b50000000000")
    out["version 0x00B5"] = compound_file.write_cfb(tree)
    tree = compound_file.read_cfb(data)
    d = tree.stream("VBA/dir")
    d.data = vba_project.compress(vba_project.decompress(d.data) + bytes(4))
    out["bytes after the terminator"] = compound_file.write_cfb(tree)
    tree = compound_file.read_cfb(data)
    d.data = tree.stream("VBA/dir").data
    plain = vba_project.decompress(d.data)
    at = plain.index(struct.pack("<HIH", 0x002C, 2, 0xFFFF))
    tree.stream("VBA/dir").data = vba_project.compress(
        plain[:at] + struct.pack("<HIH", 0x002C, 2, 0x2634) + plain[at + 8:])
    out["module cookie"] = compound_file.write_cfb(tree)
    tree = compound_file.read_cfb(data)
    p = tree.stream("PROJECT")
    p.data = re.sub(rb'ID="\{.', b'ID="{0', p.data, count=1) if not p.data.startswith(
        b'ID="{0') else re.sub(rb'ID="\{.', b'ID="{1', p.data, count=1)
    out["id changed without CMG/DPB/GC"] = compound_file.write_cfb(tree)
    return out


@pytest.mark.parametrize("case", ["red tree root", "used sector marked free", "chain cycle",
                                  "version 0x00B5", "bytes after the terminator",
                                  "module cookie", "id changed without CMG/DPB/GC"])
def test_the_checks_catch_a_broken_project(project_bin, case):
    broken = _mutants(project_bin)[case]
    with pytest.raises(AssertionError):
        check_project(validate_cfb(broken))


def test_a_password_protected_project_keeps_its_id(project_bin):
    """MS-OVBA 2.3.1.2: with a password hash in DPB the id MUST be all zeros; normalize keeps it."""
    zero_id = "{00000000-0000-0000-0000-000000000000}"
    tree = compound_file.read_cfb(project_bin)
    p = tree.stream("PROJECT")
    key = sum(zero_id.encode()) & 0xFF
    dpb = vba_project.encrypt(vba_project.Encrypted(0x55, key, b"\x01\x02", bytes(range(29))))
    assert ovba_decrypt(dpb) == (key, bytes(range(29)))
    p.data = re.sub(rb'ID="[^"]*"', f'ID="{zero_id}"'.encode(), p.data)
    p.data = re.sub(rb'DPB="[^"]*"', f'DPB="{dpb}"'.encode(), p.data)
    out = vba_project.normalize(compound_file.write_cfb(tree))
    fields = project_fields(validate_cfb(out)["PROJECT"])
    assert fields["ID"] == zero_id and fields["DPB"] == dpb


def test_srp_caches_are_dropped(project_bin):
    tree = compound_file.read_cfb(project_bin)
    vba = tree.child("VBA")
    vba.children += [compound_file.Stream("__SRP_0", b"\x01" * 300),
                     compound_file.Stream("__SRP_1", b"\x02" * 5000)]
    out = vba_project.normalize(compound_file.write_cfb(tree))
    streams = validate_cfb(out)
    assert not [n for n in streams if "__SRP_" in n]
    assert streams == validate_cfb(project_bin)  # and nothing else changes


def test_pyopenvba_reads_the_normalised_project_back(project):
    """A third reader: pyopenvba finds nothing to complain about and the same modules."""
    import pyopenvba

    book = pyopenvba.ExcelFile(COMMITTED)
    assert book.validate() == []
    assert set(book.module_names()) == set(project)
    for name in ("Prismodell", "xlwings", "xlwings_udfs"):
        assert _crlf(book.get_module(name)) == project[name]["source"]
