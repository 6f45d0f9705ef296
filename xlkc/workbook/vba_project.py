"""The VBA project as MS-OVBA asks a writer to store it, and the compound file (MS-CFB) it lives in.

pyopenvba compiles the modules into a ``vbaProject.bin`` made from a template that carries what
an Office application leaves behind: ``_VBA_PROJECT`` with version 0x00B5 and a zeroed
performance cache, non-0xFFFF cookies, a module stream with a performance cache in front of its
source, bytes after the dir stream's terminator. :func:`normalize` rewrites the project into the
form MS-OVBA prescribes on write, so every VBA version compiles the source instead of trusting a
cache:

- ``VBA/_VBA_PROJECT`` is exactly ``cc 61 ff ff 00 01 00`` (2.3.4.1: Reserved1 0x61CC, Version
  0xFFFF, Reserved2 0x00, Reserved3 0x0001 as Office writes it; PerformanceCache MUST NOT be
  present on write);
- PROJECTCOOKIE and every MODULECOOKIE are 0xFFFF (2.3.4.2.3.1, 2.3.4.2.3.2.8);
- every MODULEOFFSET is 0, so a module stream is only its CompressedSourceCode (2.3.4.3);
- the decompressed dir stream ends with its Terminator (0x0010) and Reserved (0x00000000), nothing
  after it (2.3.4.2);
- the PROJECT stream's ``ID="{...}"`` (2.3.1.2, the CLSID of the project's type library) is
  derived from the project's content (:func:`project_id`): identical sources give an identical
  id, so two builds stay byte-identical, and a changed project gets a new id as Office gives a
  new project one. A random id per build would break reproducibility; one fixed id would be
  fine too (every copy of a workbook saved under another name shares its id with the original,
  and the id only names the project's type library while it is loaded), but the derived id costs
  nothing and keeps different projects apart. CMG, DPB and GC are encrypted under a key summed
  from the id's text (2.4.3.2), so they are encrypted again under the new id with their seed and
  data unchanged. A project with a password keeps its id (MS-OVBA: all zeros then);
- ``__SRP_n`` streams (compiled code, another cache) are dropped.

Lengths change, so the compound file is written anew
(:func:`~xlkc.workbook.compound_file.write_cfb`, version 3, 512-byte sectors, streams under
4 096 bytes in the mini stream, directory siblings as a red-black tree);
:func:`~xlkc.workbook.compound_file.read_cfb` reads versions 3 and 4 (both in
:mod:`xlkc.workbook.compound_file`). Compression and decompression follow MS-OVBA 2.4.1 (here).
"""

from __future__ import annotations

import hashlib
import re
import struct
import uuid
from dataclasses import dataclass

from xlkc.workbook.compound_file import FormatError, Storage, Stream, read_cfb, write_cfb

# --- MS-OVBA 2.4.1: compression ------------------------------------------------------------------

CHUNK = 4096  # decompressed bytes per chunk
MATCH_TRIES = 64  # earlier positions tried per match, newest first


def _copy_token_bits(position_in_chunk: int) -> int:
    """Bits of a CopyToken's offset for a token at ``position_in_chunk`` (> 0) of its chunk:
    max(ceil(log2(position)), 4) (2.4.1.3.19.1 CopyToken Help)."""
    return max((position_in_chunk - 1).bit_length(), 4)


def decompress(data: bytes) -> bytes:
    """A CompressedContainer (2.4.1.1.1) to its bytes (2.4.1.3.1)."""
    if not data or data[0] != 0x01:
        raise FormatError("compressed container does not start with 0x01")
    out = bytearray()
    pos = 1
    while pos < len(data):
        if pos + 2 > len(data):
            raise FormatError("truncated chunk header")
        header = struct.unpack_from("<H", data, pos)[0]
        size = (header & 0x0FFF) + 3
        if (header >> 12) & 0x7 != 0b011:
            raise FormatError(f"bad chunk signature at {pos}")
        compressed = bool(header & 0x8000)
        end = min(pos + size, len(data))
        pos += 2
        start = len(out)
        if not compressed:
            if end - pos != CHUNK:
                raise FormatError("raw chunk is not 4096 bytes")
            out += data[pos:end]
            pos = end
            continue
        while pos < end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= end:
                    break
                if not flags & (1 << bit):
                    out.append(data[pos])
                    pos += 1
                    continue
                if pos + 2 > end:
                    raise FormatError("truncated copy token")
                token = struct.unpack_from("<H", data, pos)[0]
                pos += 2
                bits = _copy_token_bits(len(out) - start)
                length = (token & (0xFFFF >> bits)) + 3
                offset = (token >> (16 - bits)) + 1
                if offset > len(out) - start:
                    raise FormatError("copy token reaches before its chunk")
                for _ in range(length):  # may overlap its own output
                    out.append(out[-offset])
        if len(out) - start > CHUNK:
            raise FormatError("chunk decompresses to more than 4096 bytes")
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    """The compressed data of one chunk (without header): greedy longest match among the last
    MATCH_TRIES positions with the same next three bytes (the nearest on ties). Any earlier
    position of the chunk is in reach: a CopyToken's offset has ceil(log2(position)) bits."""
    out = bytearray()
    pos = 0
    heads: dict[bytes, list[int]] = {}
    n = len(chunk)
    while pos < n:
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            best_len, best_off = 0, 0
            if pos > 0:
                bits = _copy_token_bits(pos)
                max_len = min((0xFFFF >> bits) + 3, n - pos)
                for cand in reversed(heads.get(chunk[pos:pos + 3], [])[-MATCH_TRIES:]):
                    length = 0
                    while length < max_len and chunk[cand + length] == chunk[pos + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, pos - cand
                        if length == max_len:
                            break
            step = best_len if best_len >= 3 else 1
            if best_len >= 3:
                token = ((best_off - 1) << (16 - bits)) | (best_len - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
            else:
                out.append(chunk[pos])
            for p in range(pos, pos + step):
                if p + 3 <= n:
                    heads.setdefault(chunk[p:p + 3], []).append(p)
            pos += step
        out[flag_at] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """``data`` as a CompressedContainer (2.4.1.3.6). A full chunk that does not compress is
    stored raw; a short last chunk that does not fit a compressed chunk cannot be stored exactly
    (a raw chunk would pad it with zeros) and raises FormatError."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        chunk = data[start:start + CHUNK]
        body = _compress_chunk(chunk)
        if len(body) <= CHUNK:
            out += struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + body
        elif len(chunk) == CHUNK:
            out += struct.pack("<H", 0x3000 | (CHUNK + 2 - 3)) + chunk
        else:
            raise FormatError("last chunk is incompressible and shorter than 4096 bytes")
    return bytes(out)


# --- MS-OVBA: the project ------------------------------------------------------------------------

#: The _VBA_PROJECT stream MS-OVBA 2.3.4.1 prescribes on write (as Office and xlwings' own
#: standalone workbook store it).
VBA_PROJECT_STREAM = bytes.fromhex("cc61ffff000100")
TERMINATOR = 0x0010
PROJECTVERSION = 0x0009
PROJECTCOOKIE = 0x0013
MODULESTREAMNAME = 0x001A
MODULEOFFSET = 0x0031
MODULECOOKIE = 0x002C
MODULETERMINATOR = 0x002B


@dataclass
class Record:
    id: int
    data: bytes  # for PROJECTVERSION: Reserved (u32) + VersionMajor (u32) + VersionMinor (u16)

    def pack(self) -> bytes:
        if self.id == PROJECTVERSION:
            return struct.pack("<H", self.id) + self.data
        return struct.pack("<HI", self.id, len(self.data)) + self.data


def parse_dir(data: bytes) -> tuple[list[Record], bytes]:
    """The records of a decompressed dir stream (2.3.4.2) up to and including its Terminator,
    and whatever follows the Terminator."""
    records, pos = [], 0
    while True:
        if pos + 6 > len(data):
            raise FormatError("dir stream without a terminator")
        rid, size = struct.unpack_from("<HI", data, pos)
        if rid == PROJECTVERSION:  # Reserved is 4 and 6 bytes follow it
            records.append(Record(rid, data[pos + 2:pos + 12]))
            pos += 12
            continue
        if pos + 6 + size > len(data):
            raise FormatError(f"dir record 0x{rid:04X} runs past the stream")
        records.append(Record(rid, data[pos + 6:pos + 6 + size]))
        pos += 6 + size
        if rid == TERMINATOR:
            return records, data[pos:]


@dataclass
class ModuleInfo:
    stream_name: str
    offset: int


def modules_of(records: list[Record], codepage: str = "cp1252") -> list[ModuleInfo]:
    """Each module's stream name (MODULESTREAMNAME, MBCS) and MODULEOFFSET."""
    out, name, offset = [], None, None
    for r in records:
        if r.id == MODULESTREAMNAME:
            name = r.data.decode(codepage)
        elif r.id == MODULEOFFSET:
            offset = struct.unpack("<I", r.data)[0]
        elif r.id == MODULETERMINATOR:
            if name is None or offset is None:
                raise FormatError("module record without a stream name or an offset")
            out.append(ModuleInfo(name, offset))
            name = offset = None
    return out


def _codepage(records: list[Record]) -> str:
    for r in records:
        if r.id == 0x0003:  # PROJECTCODEPAGE
            return f"cp{struct.unpack('<H', r.data)[0]}"
    return "cp1252"


_ID = re.compile(rb'^ID="(\{[0-9A-Fa-f-]{36}\})"\r\n', re.M)
_ENCRYPTED = re.compile(rb'^(CMG|DPB|GC)="([0-9A-Fa-f]*)"\r\n', re.M)
#: Namespace of the derived project ids (a fixed, random UUID of this project).
ID_NAMESPACE = uuid.UUID("6f1c1f0e-9a52-4d6e-8f0b-3d7c2a5e9b41")


def project_id(sources: list[tuple[str, bytes]]) -> str:
    """The project's CLSID, ``{XXXXXXXX-...}``: a name-based UUID (version 5) of the module
    stream names and their decompressed source, in dir order. Same project, same id (builds are
    reproducible); any change to a module gives another id."""
    digest = hashlib.sha256()
    for name, source in sources:
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(source).digest())
    return "{" + str(uuid.uuid5(ID_NAMESPACE, digest.hexdigest())).upper() + "}"


def proj_key(project_id_text: str) -> int:
    """MS-OVBA 2.4.3.2 ProjKey: the sum of the bytes of the ProjectId's GUID text, braces
    included, modulo 256."""
    return sum(project_id_text.encode("ascii")) & 0xFF


@dataclass
class Encrypted:
    """A decrypted Data Encryption structure (MS-OVBA 2.4.3): CMG, DPB and GC of PROJECT."""

    seed: int
    proj_key: int
    ignored: bytes
    data: bytes


def _chain_xor(first: int, second: int, plain_first: int, values: bytes,
               encrypt: bool) -> tuple[bytes, int, int, int]:
    """The byte chain of 2.4.3.2/2.4.3.3: each byte XOR (EncryptedByte2 + UnencryptedByte1)."""
    enc1, enc2, plain1 = first, second, plain_first
    out = bytearray()
    for v in values:
        x = v ^ ((enc2 + plain1) & 0xFF)
        byte_enc, byte_plain = (x, v) if encrypt else (v, x)
        out.append(x)
        enc2, enc1, plain1 = enc1, byte_enc, byte_plain
    return bytes(out), enc1, enc2, plain1


def decrypt(text: str) -> Encrypted:
    """2.4.3.3 Decryption of a hex string."""
    raw = bytes.fromhex(text)
    if len(raw) < 7:
        raise FormatError("encrypted value too short")
    seed, version_enc, key_enc = raw[0], raw[1], raw[2]
    if seed ^ version_enc != 2:
        raise FormatError("encrypted value of an unknown version")
    key = seed ^ key_enc
    n_ignored = (seed & 6) // 2
    ignored, e1, e2, p1 = _chain_xor(key_enc, version_enc, key, raw[3:3 + n_ignored], False)
    length_bytes, e1, e2, p1 = _chain_xor(e1, e2, p1, raw[3 + n_ignored:7 + n_ignored], False)
    length = struct.unpack("<I", length_bytes)[0]
    data_enc = raw[7 + n_ignored:]
    if len(data_enc) != length:
        raise FormatError("encrypted value of the wrong length")
    data, *_ = _chain_xor(e1, e2, p1, data_enc, False)
    return Encrypted(seed, key, ignored, data)


def encrypt(value: Encrypted) -> str:
    """2.4.3.2 Encryption, with the seed and ignored bytes of ``value`` (no randomness: the same
    value and key give the same text)."""
    seed = value.seed
    if len(value.ignored) != (seed & 6) // 2:
        raise FormatError("ignored bytes do not match the seed")
    version_enc, key_enc = seed ^ 2, seed ^ value.proj_key
    ignored, e1, e2, p1 = _chain_xor(key_enc, version_enc, value.proj_key, value.ignored, True)
    length, e1, e2, p1 = _chain_xor(e1, e2, p1, struct.pack("<I", len(value.data)), True)
    data, *_ = _chain_xor(e1, e2, p1, value.data, True)
    return bytes([seed, version_enc, key_enc]).hex().upper() + (ignored + length + data).hex(
    ).upper()


def with_project_id(project_text: bytes, new_id: str) -> bytes:
    """The PROJECT stream with ``ID="new_id"``, and CMG, DPB and GC encrypted again under the new
    id's ProjKey (their seed, ignored bytes and data unchanged)."""
    match = _ID.search(project_text)
    if match is None:
        raise FormatError('PROJECT stream without an ID="{...}" line')
    old_key = proj_key(match.group(1).decode("ascii"))
    new_key = proj_key(new_id)

    def again(m: re.Match[bytes]) -> bytes:
        value = decrypt(m.group(2).decode("ascii"))
        if value.proj_key != old_key:
            raise FormatError(f"{m.group(1).decode()} is not encrypted under the project id")
        value.proj_key = new_key
        return m.group(1) + b'="' + encrypt(value).encode("ascii") + b'"\r\n'

    text = project_text[:match.start()] + f'ID="{new_id}"\r\n'.encode("ascii") + \
        project_text[match.end():]
    return _ENCRYPTED.sub(again, text)


def has_password(project_text: bytes) -> bool:
    """Whether DPB holds a password hash (anything but the single byte 0x00, 2.3.1.16)."""
    for m in _ENCRYPTED.finditer(project_text):
        if m.group(1) == b"DPB":
            return decrypt(m.group(2).decode("ascii")).data != b"\x00"
    return False


def normalize(vba_bin: bytes) -> bytes:
    """``vba_bin`` in the form MS-OVBA prescribes on write (see the module doc)."""
    root = read_cfb(vba_bin)
    vba = root.child("VBA")
    if not isinstance(vba, Storage):
        raise FormatError("VBA is not a storage")
    dir_stream = vba.child("dir")
    if not isinstance(dir_stream, Stream):
        raise FormatError("VBA/dir is not a stream")
    records, _trailing = parse_dir(decompress(dir_stream.data))
    codepage = _codepage(records)
    sources = []
    for m in modules_of(records, codepage):
        s = vba.child(m.stream_name)
        if not isinstance(s, Stream) or m.offset > len(s.data):
            raise FormatError(f"module stream {m.stream_name!r} missing or too short")
        s.data = s.data[m.offset:]
        sources.append((m.stream_name, decompress(s.data)))
    for r in records:
        if r.id in (PROJECTCOOKIE, MODULECOOKIE):
            r.data = b"\xff\xff"
        elif r.id == MODULEOFFSET:
            r.data = struct.pack("<I", 0)
    dir_stream.data = compress(b"".join(r.pack() for r in records))
    project_stream = vba.child("_VBA_PROJECT")
    if not isinstance(project_stream, Stream):
        raise FormatError("VBA/_VBA_PROJECT is not a stream")
    project_stream.data = VBA_PROJECT_STREAM
    project = root.child("PROJECT")
    if not isinstance(project, Stream):
        raise FormatError("PROJECT is not a stream")
    if not has_password(project.data):  # with a password the id MUST stay all zeros (2.3.1.2)
        project.data = with_project_id(project.data, project_id(sources))
    # __SRP_n streams hold compiled code, a performance cache too: ignored on read, dropped
    vba.children = [c for c in vba.children if not c.name.upper().startswith("__SRP_")]
    return write_cfb(root)
