"""The compound file (MS-CFB) a VBA project lives in, as a tree of storages and streams.

:func:`read_cfb` reads versions 3 and 4 and refuses, with :class:`FormatError`, what does not
parse (a bad header, a sector or entry out of range, a chain or a sibling tree with a cycle).
:func:`write_cfb` writes a tree anew, deterministically: version 3, 512-byte sectors, streams
under 4 096 bytes in the mini stream, directory siblings in MS-CFB's name order as a red-black
tree (:func:`sibling_tree`). :mod:`xlkc.workbook.vba_project` rewrites the project inside it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field


class FormatError(ValueError):
    """A compound file, a compressed container or a dir stream that does not parse."""


# --- MS-CFB: the compound file -------------------------------------------------------------------

SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")
FREESECT, ENDOFCHAIN, FATSECT, DIFSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC
NOSTREAM = 0xFFFFFFFF
MAXREGSECT = 0xFFFFFFFA
SECTOR = 512  # version 3
MINI_SECTOR = 64
MINI_CUTOFF = 4096
HEADER_DIFAT = 109
RED, BLACK = 0, 1
STORAGE, STREAM, ROOT = 1, 2, 5


@dataclass
class Stream:
    name: str
    data: bytes


@dataclass
class Storage:
    """A storage (or the root, named ``Root Entry``) and its children, any order."""

    name: str
    children: list[Storage | Stream] = field(default_factory=list)
    clsid: bytes = bytes(16)
    state_bits: int = 0
    created: int = 0  # FILETIME
    modified: int = 0

    def child(self, name: str) -> Storage | Stream:
        key = name_key(name)
        for c in self.children:
            if name_key(c.name) == key:
                return c
        raise KeyError(name)

    def stream(self, path: str) -> Stream:
        node: Storage | Stream = self
        for part in path.split("/"):
            if not isinstance(node, Storage):
                raise KeyError(path)
            node = node.child(part)
        if not isinstance(node, Stream):
            raise KeyError(path)
        return node


def _upper(ch: str) -> str:
    up = ch.upper()
    return up if len(up) == 1 else ch


def name_key(name: str) -> tuple[int, tuple[int, ...]]:
    """MS-CFB 2.6.4 order of sibling names: shorter first (in UTF-16 code units), then code unit
    by code unit after upper-casing."""
    units = name.encode("utf-16-le")
    upper = "".join(_upper(c) for c in name).encode("utf-16-le")
    return (len(units) // 2, struct.unpack(f"<{len(upper) // 2}H", upper))


def _check_name(name: str) -> None:
    if not name or len(name.encode("utf-16-le")) // 2 > 31 or any(c in name for c in "/\\:!\0"):
        raise FormatError(f"invalid compound file entry name {name!r}")


def _sectors(n: int, size: int = SECTOR) -> int:
    return -(-n // size)


def _balanced(ids: list[int], depth: int, out: dict[int, tuple[int, int, int]]) -> int:
    """Root of a balanced tree of ``ids`` (sorted); ``out[id] = (left, right, depth)``."""
    if not ids:
        return NOSTREAM
    mid = len(ids) // 2
    left = _balanced(ids[:mid], depth + 1, out)
    right = _balanced(ids[mid + 1:], depth + 1, out)
    out[ids[mid]] = (left, right, depth)
    return ids[mid]


def sibling_tree(ids: list[int]) -> tuple[int, dict[int, tuple[int, int, int]]]:
    """A red-black tree over sibling entries ``ids`` (already in name order).

    Median split gives a tree whose empty links all lie at depth h or h+1 (h = floor(log2(n+1)));
    the nodes of the deepest level are red when that level is not the root's, every other node
    black: no red node has a red child, every path from the root to an empty link passes the same
    number of black nodes, the root is black. Returns the root and id -> (left, right, colour).
    """
    shape: dict[int, tuple[int, int, int]] = {}
    root = _balanced(ids, 0, shape)
    deepest = max((d for _, _, d in shape.values()), default=0)
    return root, {i: (lft, rgt, RED if d == deepest and d > 0 else BLACK)
                  for i, (lft, rgt, d) in shape.items()}


def write_cfb(root: Storage) -> bytes:
    """A version-3 compound file holding ``root``'s tree. Deterministic: same tree, same bytes.

    Sector order: FAT, DIFAT, directory, mini FAT, mini stream, then each large stream.
    Stream times are zero (MS-CFB 2.6.3); storages keep theirs, the root's creation time is 0.
    """
    entries: list[Storage | Stream] = []
    children: dict[int, list[int]] = {}

    def visit(node: Storage | Stream) -> int:
        _check_name(node.name)
        i = len(entries)
        entries.append(node)
        if isinstance(node, Storage):
            kids = sorted(node.children, key=lambda c: name_key(c.name))
            keys = [name_key(c.name) for c in kids]
            if len(set(keys)) != len(keys):
                raise FormatError(f"two entries of {node.name!r} have the same name")
            children[i] = [visit(c) for c in kids]
        return i

    visit(root)
    # the mini stream and the large streams
    mini = bytearray()
    mini_fat: list[int] = []
    large: list[tuple[int, bytes]] = []
    start: dict[int, int] = {}
    for i, e in enumerate(entries):
        if not isinstance(e, Stream):
            continue
        if not e.data:
            start[i] = ENDOFCHAIN
        elif len(e.data) < MINI_CUTOFF:
            first = len(mini_fat)
            count = _sectors(len(e.data), MINI_SECTOR)
            mini_fat += [first + k + 1 for k in range(count - 1)] + [ENDOFCHAIN]
            mini += e.data + bytes(count * MINI_SECTOR - len(e.data))
            start[i] = first
        else:
            large.append((i, e.data))
    n_dir = _sectors(len(entries) * 128)
    n_minifat = _sectors(len(mini_fat) * 4)
    n_mini = _sectors(len(mini))
    n_large = sum(_sectors(len(d)) for _, d in large)
    content = n_dir + n_minifat + n_mini + n_large
    n_fat = 1
    while True:
        n_difat = _sectors(max(0, n_fat - HEADER_DIFAT), 127)
        if content + n_fat + n_difat <= n_fat * (SECTOR // 4):
            break
        n_fat += 1
    total = n_fat + n_difat + content
    if total > MAXREGSECT:
        raise FormatError("compound file too large")
    fat = [FREESECT] * (n_fat * (SECTOR // 4))
    for k in range(n_fat):
        fat[k] = FATSECT
    for k in range(n_fat, n_fat + n_difat):
        fat[k] = DIFSECT
    next_free = n_fat + n_difat

    def chain(count: int) -> int:
        nonlocal next_free
        if count == 0:
            return ENDOFCHAIN
        first = next_free
        for k in range(first, first + count - 1):
            fat[k] = k + 1
        fat[first + count - 1] = ENDOFCHAIN
        next_free += count
        return first

    dir_start = chain(n_dir)
    minifat_start = chain(n_minifat)
    mini_start = chain(n_mini)
    for i, data in large:
        start[i] = chain(_sectors(len(data)))
    assert next_free == total
    # the directory
    links: dict[int, tuple[int, int, int]] = {}
    child_root: dict[int, int] = {}
    for parent, kids in children.items():
        child_root[parent], tree = sibling_tree(kids)
        links.update(tree)
    links[0] = (NOSTREAM, NOSTREAM, BLACK)
    directory = bytearray()
    for i, e in enumerate(entries):
        name = e.name.encode("utf-16-le") + b"\0\0"
        left, right, colour = links[i]
        if isinstance(e, Storage):
            kind = ROOT if i == 0 else STORAGE
            clsid, state = e.clsid, e.state_bits
            created = 0 if i == 0 else e.created
            modified = e.modified
            first = mini_start if i == 0 else 0
            size = len(mini) if i == 0 else 0
            if i == 0 and not mini:
                first = ENDOFCHAIN
            child = child_root.get(i, NOSTREAM)
        else:
            kind, clsid, state, created, modified = STREAM, bytes(16), 0, 0, 0
            first, size, child = start[i], len(e.data), NOSTREAM
        directory += name.ljust(64, b"\0") + struct.pack(
            "<HBBIII16sIQQIQ", len(name), kind, colour, left, right, child, clsid, state,
            created, modified, first, size)
    unused = bytes(64) + struct.pack("<HBBIII16sIQQIQ", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM,
                                     bytes(16), 0, 0, 0, 0, 0)
    while len(directory) < n_dir * SECTOR:
        directory += unused
    # the DIFAT: the first 109 FAT sectors in the header, the rest in DIFAT sectors
    fat_sectors = list(range(n_fat))
    header_difat = fat_sectors[:HEADER_DIFAT] + [FREESECT] * (HEADER_DIFAT - min(n_fat,
                                                                                HEADER_DIFAT))
    difat = bytearray()
    rest = fat_sectors[HEADER_DIFAT:]
    for k in range(n_difat):
        part = rest[k * 127:(k + 1) * 127]
        part += [FREESECT] * (127 - len(part))
        nxt = n_fat + k + 1 if k + 1 < n_difat else ENDOFCHAIN
        difat += struct.pack("<128I", *part, nxt)
    header = SIGNATURE + bytes(16) + struct.pack(
        "<HHHHH6sIIIIIIIII", 0x003E, 0x0003, 0xFFFE, 9, 6, bytes(6), 0, n_fat, dir_start, 0,
        MINI_CUTOFF, minifat_start, n_minifat, n_fat if n_difat else ENDOFCHAIN, n_difat)
    header += struct.pack(f"<{HEADER_DIFAT}I", *header_difat)
    assert len(header) == SECTOR

    def padded(data: bytes | bytearray) -> bytes:
        return bytes(data) + bytes(_sectors(len(data)) * SECTOR - len(data))

    body = bytearray(header)
    body += struct.pack(f"<{len(fat)}I", *fat)
    body += difat
    body += directory
    mini_fat += [FREESECT] * (n_minifat * (SECTOR // 4) - len(mini_fat))
    body += struct.pack(f"<{len(mini_fat)}I", *mini_fat)
    body += padded(mini)
    for _, data in large:
        body += padded(data)
    assert len(body) == SECTOR * (1 + total)
    return bytes(body)


def read_cfb(data: bytes) -> Storage:
    """The tree of a compound file (version 3 or 4). Raises FormatError on what does not parse:
    a bad header, a sector or entry out of range, a chain or a sibling tree with a cycle."""
    if len(data) < 512 or data[:8] != SIGNATURE:
        raise FormatError("not a compound file")
    (_minor, major, order, shift, mini_shift, _r, _ndir, n_fat, dir_start, _t, cutoff,
     minifat_start, n_minifat, difat_start, n_difat) = struct.unpack_from(
        "<HHHHH6sIIIIIIIII", data, 24)
    if order != 0xFFFE or (major, shift) not in ((3, 9), (4, 12)) or mini_shift != 6:
        raise FormatError("unsupported compound file header")
    size = 1 << shift
    n_sectors = (len(data) - size) // size

    def sector(k: int) -> bytes:
        if k >= n_sectors:
            raise FormatError(f"sector {k} beyond the end of the file")
        return data[size * (k + 1): size * (k + 2)]

    fat_sectors = [s for s in struct.unpack_from(f"<{HEADER_DIFAT}I", data, 76)
                   if s != FREESECT]
    k, seen = difat_start, 0
    while k not in (ENDOFCHAIN, FREESECT) and seen < n_difat:
        words = struct.unpack(f"<{size // 4}I", sector(k))
        fat_sectors += [s for s in words[:-1] if s != FREESECT]
        k, seen = words[-1], seen + 1
    fat_sectors = fat_sectors[:n_fat]
    fat: list[int] = []
    for s in fat_sectors:
        fat += struct.unpack(f"<{size // 4}I", sector(s))

    def read_chain(first: int, table: list[int], get, limit: int) -> bytes:  # noqa: ANN001
        out, k, steps = bytearray(), first, 0
        while k != ENDOFCHAIN:
            if k >= len(table) or steps > limit:
                raise FormatError("broken sector chain")
            out += get(k)
            k, steps = table[k], steps + 1
        return bytes(out)

    directory = read_chain(dir_start, fat, sector, len(fat))
    minifat_bytes = read_chain(minifat_start, fat, sector, len(fat)) if n_minifat else b""
    mini_fat = list(struct.unpack(f"<{len(minifat_bytes) // 4}I", minifat_bytes))
    raw = [directory[o:o + 128] for o in range(0, len(directory), 128)]

    def entry(i: int):  # noqa: ANN202
        if i >= len(raw):
            raise FormatError(f"directory entry {i} out of range")
        e = raw[i]
        name_len = struct.unpack_from("<H", e, 64)[0]
        name = e[:max(name_len - 2, 0)].decode("utf-16-le")
        fields = struct.unpack_from("<BBIII16sIQQIQ", e, 66)
        return name, *fields

    root_fields = entry(0)
    if root_fields[1] != ROOT:
        raise FormatError("the first directory entry is not the root")
    mini_stream = read_chain(root_fields[10], fat, sector, len(fat)) if root_fields[11] else b""

    def stream_bytes(first: int, length: int) -> bytes:
        if length == 0:
            return b""
        if length < cutoff:
            body = read_chain(first, mini_fat,
                              lambda k: mini_stream[k * 64:(k + 1) * 64], len(mini_fat))
        else:
            body = read_chain(first, fat, sector, len(fat))
        if len(body) < length:
            raise FormatError("stream shorter than its size")
        return body[:length]

    visited: set[int] = set()

    def build(i: int) -> Storage | Stream:
        name, kind, _c, _l, _r, child, clsid, state, created, modified, first, length = entry(i)
        if kind == STREAM:
            if major == 3:
                length &= 0xFFFFFFFF
            return Stream(name, stream_bytes(first, length))
        node = Storage(name, [], clsid, state, created, modified)
        stack = [child]
        while stack:
            k = stack.pop()
            if k == NOSTREAM:
                continue
            if k in visited:
                raise FormatError("directory tree with a cycle")
            visited.add(k)
            _n, _k, _c, left, right, *_ = entry(k)
            node.children.append(build(k))
            stack += [right, left]
        return node

    visited.add(0)
    return build(0)
