"""The CIDs kubo's ``ipfs add`` gives a file with its default settings, computed while the bytes stream by.

The CID of a protected dataset is written on-chain and fetched by the iExec worker, so the sandbox must
produce byte-for-byte the same DAG a real kubo node would: CIDv0 (base58btc of a sha2-256 multihash), dag-pb
nodes carrying UnixFS ``File`` data, leaves that are dag-pb/UnixFS too (no raw leaves), fixed 262144-byte
chunks and a balanced tree of at most 174 links per node, where a one-chunk file is its own root.

Only the hashes and sizes of the nodes still waiting for a parent are kept (at most 174 per tree level),
plus one partial chunk, so a file of any size costs a fixed amount of memory. The protobuf encoding is
written by hand because dag-pb's canonical form puts ``Links`` (field 2) before ``Data`` (field 1), which
no general-purpose protobuf library emits.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

import base58

CHUNK_SIZE = 262_144
MAX_LINKS_PER_NODE = 174

_SHA2_256 = b"\x12\x20"  # multihash prefix: sha2-256, 32-byte digest
_DAG_PB = 0x70
_UNIXFS_FILE = b"\x08\x02"  # UnixFS Data.Type (field 1) = File (2)
_LENGTH_DELIMITED = 2
_VARINT = 0


def _varint(value: int) -> bytes:
    """Protobuf's unsigned LEB128 varint."""
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _key(field: int, wire_type: int) -> bytes:
    return _varint(field << 3 | wire_type)


def _bytes_field(field: int, payload: bytes) -> bytes:
    return _key(field, _LENGTH_DELIMITED) + _varint(len(payload)) + payload


def _varint_field(field: int, value: int) -> bytes:
    return _key(field, _VARINT) + _varint(value)


@dataclass(frozen=True, slots=True)
class _Node:
    """What a parent needs to know about a finished child node."""

    multihash: bytes
    dag_size: int  # the block plus everything below it: the parent link's Tsize
    file_size: int  # file bytes below this node: the parent's UnixFS blocksize entry


def _leaf(chunk: bytes | bytearray | memoryview) -> _Node:
    """A dag-pb node whose only field is Data = UnixFS{File, Data=chunk, filesize}.

    The block is hashed in pieces so the chunk itself is never copied into a new buffer.
    """
    size = len(chunk)
    unixfs_head = _UNIXFS_FILE + (_key(2, _LENGTH_DELIMITED) + _varint(size) if size else b"")
    unixfs_tail = _varint_field(3, size)
    unixfs_length = len(unixfs_head) + size + len(unixfs_tail)
    block_head = _key(1, _LENGTH_DELIMITED) + _varint(unixfs_length) + unixfs_head
    digest = hashlib.sha256(block_head)
    digest.update(chunk)
    digest.update(unixfs_tail)
    block_size = len(block_head) + size + len(unixfs_tail)
    return _Node(_SHA2_256 + digest.digest(), block_size, size)


def _parent(children: list[_Node]) -> _Node:
    """A dag-pb node linking ``children`` in order, with UnixFS{File, filesize, blocksizes} as Data."""
    links = b"".join(_bytes_field(2, _link(child)) for child in children)
    file_size = sum(child.file_size for child in children)
    blocksizes = b"".join(_varint_field(4, child.file_size) for child in children)
    block = links + _bytes_field(1, _UNIXFS_FILE + _varint_field(3, file_size) + blocksizes)
    multihash = _SHA2_256 + hashlib.sha256(block).digest()
    return _Node(multihash, len(block) + sum(child.dag_size for child in children), file_size)


def _link(child: _Node) -> bytes:
    """A PBLink: Hash, an empty Name that is still written (kubo does), Tsize."""
    return _bytes_field(1, child.multihash) + _bytes_field(2, b"") + _varint_field(3, child.dag_size)


class UnixFSFileBuilder:
    """Feed a file in slices of any size to :meth:`update`, then read :attr:`cid` and :attr:`dag_size`.

    Reading either property ends the file: the root is built then, and further updates are refused.
    ``chunk_size`` and ``max_links`` default to kubo's; other values let tests reach deep trees cheaply.
    """

    def __init__(self, chunk_size: int = CHUNK_SIZE, max_links: int = MAX_LINKS_PER_NODE) -> None:
        self._chunk_size = chunk_size
        self._max_links = max_links
        self._partial = bytearray()
        self._levels: list[list[_Node]] = [[]]  # nodes waiting for a parent, leaves first
        self._root: _Node | None = None

    def update(self, data: bytes | bytearray | memoryview) -> None:
        if self._root is not None:
            raise RuntimeError("the file is already finished: its CID has been read")
        view = memoryview(data)
        chunk_size = self._chunk_size
        if self._partial:
            taken = min(chunk_size - len(self._partial), len(view))
            self._partial += view[:taken]
            view = view[taken:]
            if len(self._partial) == chunk_size:
                self._add_leaf(self._partial)
                self._partial.clear()
        while len(view) >= chunk_size:
            self._add_leaf(view[:chunk_size])
            view = view[chunk_size:]
        self._partial += view

    @property
    def cid(self) -> str:
        return cid_v0(self._finished().multihash)

    @property
    def dag_size(self) -> int:
        """The cumulative size of every block of the DAG: what kubo reports as ``Size`` for an add."""
        return self._finished().dag_size

    def _add_leaf(self, chunk: bytes | bytearray | memoryview) -> None:
        self._push(0, _leaf(chunk))

    def _push(self, level: int, node: _Node) -> None:
        """Queue ``node`` at ``level``; a full row becomes one node of the level above straight away."""
        if level == len(self._levels):
            self._levels.append([])
        row = self._levels[level]
        row.append(node)
        if len(row) == self._max_links:
            self._levels[level] = []
            self._push(level + 1, _parent(row))

    def _finished(self) -> _Node:
        if self._root is None:
            if self._partial or not any(self._levels):  # an empty file is one empty leaf
                self._add_leaf(self._partial)
                self._partial.clear()
            self._root = self._collapse()
        return self._root

    def _collapse(self) -> _Node:
        """Close the partial rows bottom-up, as the balanced layout does once the input ends.

        A row left alone at the top is the root; any other non-empty row, even of one node, gets a parent so
        every leaf sits at the same depth. The single-leaf file is the first case: its leaf is the root.
        """
        level = 0
        while True:
            row = self._levels[level]
            alone_at_top = not any(self._levels[level + 1 :])
            if alone_at_top and len(row) == 1:
                return row[0]
            if row:
                self._levels[level] = []
                self._push(level + 1, _parent(row))
            level += 1


def cid_v0(multihash: bytes) -> str:
    """CIDv0 is the bare multihash in base58btc: no version, codec or multibase prefix."""
    return str(base58.b58encode(multihash).decode("ascii"))


def cid_of_bytes(data: bytes) -> str:
    """The CID kubo's default ``ipfs add`` gives ``data``."""
    builder = UnixFSFileBuilder()
    builder.update(data)
    return builder.cid


def parse_cid(text: str) -> str:
    """The CIDv0 spelling of ``text``, so a content has one name in the store whatever the client wrote.

    Accepts CIDv0 and the base32 CIDv1 of a dag-pb/sha2-256 node (what ``ipfs cid base32`` prints for a
    CIDv0); any other CID can never name a file this service added. Raises ``ValueError`` saying why not.
    """
    if text.startswith("Qm"):
        return _parse_cid_v0(text)
    if text.startswith("b"):
        return cid_v0(_dag_pb_multihash_of_cid_v1(text))
    raise ValueError("not a CIDv0 (Qm…) nor a base32 CIDv1 (b…)")


def _parse_cid_v0(text: str) -> str:
    try:
        multihash = base58.b58decode(text)
    except ValueError as e:
        raise ValueError("not valid base58btc") from e
    if len(multihash) != 34 or not multihash.startswith(_SHA2_256):
        raise ValueError("not a sha2-256 multihash")
    return text


def _dag_pb_multihash_of_cid_v1(text: str) -> bytes:
    body = text[1:].upper()
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except ValueError as e:
        raise ValueError("not valid base32") from e
    if raw[:2] != bytes([1, _DAG_PB]):
        raise ValueError("only CIDv1 of dag-pb nodes can name a file added here")
    multihash = raw[2:]
    if len(multihash) != 34 or not multihash.startswith(_SHA2_256):
        raise ValueError("not a sha2-256 multihash")
    return multihash
