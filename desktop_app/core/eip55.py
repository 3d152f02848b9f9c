"""Ethereum addresses: the EIP-55 mixed-case form, and what counts as an address.

eth_utils has the same functions, but importing eth_utils costs about 0.12 s (it loads pydantic), and the
window checks addresses before its first paint: the wallet's accounts and the network profiles the
header and Settings name (see ``ui/app.py``). So the app applies EIP-55's case rule itself, over the
keccak of eth_hash, the library eth_utils hashes with, and uses these two functions everywhere.
``tests/unit/test_eip55.py`` checks them against eth_utils.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, cast

from eth_hash.auto import keccak  # light: its backend (pycryptodome) loads on the first hash

if TYPE_CHECKING:
    from eth_typing import ChecksumAddress

_HEX_ADDRESS = re.compile(r"(0x)?[0-9a-f]{40}", re.IGNORECASE | re.ASCII)


def is_address(value: object) -> bool:
    """Whether ``value`` is 20 bytes of hex, with or without ``0x``: all lower or all upper case, or mixed
    case that is the EIP-55 checksum. Stricter than eth_utils 6, which takes any case: one mistyped
    letter of a checksummed address is refused, which is what EIP-55 is for."""
    if not isinstance(value, str) or _HEX_ADDRESS.fullmatch(value) is None:
        return False
    digits = value[-40:]
    if digits in (digits.lower(), digits.upper()):
        return True
    return _checksummed(digits.lower()) == digits


def _checksummed(lower: str) -> str:
    """EIP-55: a letter is upper case where the keccak of the lower-case address has a nibble over 7."""
    digest = keccak(lower.encode("ascii")).hex()
    return "".join(c.upper() if int(d, 16) > 7 else c for c, d in zip(lower, digest, strict=False))


def to_checksum_address(value: str) -> ChecksumAddress:
    """``value`` in EIP-55 form, whatever its case (as eth_utils); ``ValueError`` when it is not hex."""
    if not isinstance(value, str) or _HEX_ADDRESS.fullmatch(value) is None:
        raise ValueError(f"{value!r} is not an Ethereum address")
    return cast("ChecksumAddress", "0x" + _checksummed(value[-40:].lower()))
