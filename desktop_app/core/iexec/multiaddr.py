"""The on-chain form of a dataset's location: a binary multiaddr ``/p2p/<cid>``, or a plain URL.

DataProtector stores ``a503 ‖ varint(len) ‖ multihash`` (protocol code 421, the same bytes as
``/ipfs/<cid>``); workers decode it as a multiaddr and fall back to UTF-8 for URLs such as Arweave's.
Only this one protocol is ever written, so two dozen lines replace the ``multiaddr`` package, which would
pull ~28 dependencies (trio, dnspython, ...) into a desktop bundle.
"""

from __future__ import annotations

import base58

P2P_CODE = 421  # multicodec "p2p" (alias "ipfs")


def _uvarint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_uvarint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(data):
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return value, pos
        shift += 7
    raise ValueError("truncated varint")


def encode_ipfs(cid: str) -> bytes:
    """``/p2p/<cid>`` as binary multiaddr, for a CIDv0 (``Qm…``) as the DataProtector SDK writes it."""
    multihash: bytes = base58.b58decode(cid)
    if len(multihash) != 34 or multihash[:2] != b"\x12\x20":
        raise ValueError(f"not a CIDv0 (sha2-256 multihash): {cid!r}")
    return _uvarint(P2P_CODE) + _uvarint(len(multihash)) + multihash


def decode(data: bytes) -> str:
    """``/p2p/<cid>`` for a binary multiaddr, else the bytes read as a UTF-8 URL (as workers do)."""
    try:
        code, pos = _read_uvarint(data, 0)
        length, pos = _read_uvarint(data, pos)
        if code == P2P_CODE and pos + length == len(data):
            return "/p2p/" + base58.b58encode(data[pos:]).decode()
    except ValueError:
        pass
    return data.decode("utf-8")
