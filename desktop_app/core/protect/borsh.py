"""Borsh encoding of a record's leaf values, byte for byte as the DataProtector SDK writes them.

Each leaf of a protected record is one zip entry holding the borsh bytes of its value (little-endian):
booleans as one byte, numbers as f64, big integers as i128 two's complement, strings as u32 length +
UTF-8. The type names are the schema's (``bool``, ``f64``, ``i128``, ``string``).
"""

from __future__ import annotations

import struct

I128_MIN, I128_MAX = -(2**127), 2**127 - 1


def encode_bool(value: bool) -> bytes:
    return b"\x01" if value else b"\x00"


def encode_f64(value: float) -> bytes:
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("only finite numbers can be protected")
    return struct.pack("<d", value)


def encode_i128(value: int) -> bytes:
    if not I128_MIN <= value <= I128_MAX:
        raise ValueError(f"{value} does not fit in a 128-bit signed integer")
    return value.to_bytes(16, "little", signed=True)


def encode_string(value: str) -> bytes:
    data = value.encode("utf-8")
    return struct.pack("<I", len(data)) + data
