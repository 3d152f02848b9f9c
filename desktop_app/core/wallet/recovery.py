"""Turning what a person types or pastes (a private key, a BIP-39 phrase) into a raw key, with clear errors.

Mnemonics are English BIP-39 and derive ``m/44'/60'/0'/0/<index>`` like MetaMask and eth_account. We use
eth_account's HD-wallet primitives directly instead of ``Account.from_mnemonic`` because that one guesses
the phrase's language first and rejects a valid English phrase whose words all also exist in the French
list ("valid in multiple languages"); generating and importing through the same two functions also
guarantees that a phrase shown at creation re-imports to the very same address.

Errors never quote the input back (it is a secret) and are raised ``from None`` so the library's message,
which may contain the words, does not ride along in a traceback or a crash report.
"""

from __future__ import annotations

import string
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

from desktop_app.core.errors import UserFacingError

if TYPE_CHECKING:
    from eth_account.hdaccount.mnemonic import Mnemonic

WORD_COUNTS = (12, 15, 18, 21, 24)
_HARDENED = 2**31


@cache
def _english() -> Mnemonic:
    """The English word list. eth_account is imported on first use: startup budget, see ui/app.py."""
    from eth_account.hdaccount.mnemonic import Mnemonic
    from eth_account.types import Language

    return Mnemonic(Language.ENGLISH)


def derivation_path(index: int) -> str:
    """The BIP-44 Ethereum path of account ``index``, the one every mainstream wallet uses."""
    return f"m/44'/60'/0'/0/{index}"


def new_mnemonic(words: int = 12) -> str:
    """A fresh English BIP-39 phrase from the OS random generator."""
    if words not in WORD_COUNTS:
        raise ValueError(f"a BIP-39 phrase has one of {WORD_COUNTS} words, not {words}")
    return _english().generate(words)


def normalize_mnemonic(phrase: str) -> str:
    """Forgive what copy-paste does to a phrase: case, extra spaces, line breaks, Unicode forms."""
    return " ".join(unicodedata.normalize("NFKD", phrase).lower().split())


def key_from_mnemonic(phrase: str, index: int = 0) -> bytes:
    """The raw private key of account ``index`` of ``phrase``; a ``UserFacingError`` says what is wrong."""
    if not 0 <= index < _HARDENED:
        raise UserFacingError(f"Account number {index} is out of range.", "use a number from 0 to 2147483647")
    words = normalize_mnemonic(phrase).split()
    if len(words) not in WORD_COUNTS:
        raise UserFacingError(
            f"A recovery phrase has 12, 15, 18, 21 or 24 words; this one has {len(words)}.",
            "check that you copied the whole phrase",
        )
    unknown = [position for position, word in enumerate(words, 1) if word not in _english().wordlist]
    if unknown:
        which = ", ".join(str(position) for position in unknown)
        raise UserFacingError(
            f"Word{'s' if len(unknown) > 1 else ''} {which} of the recovery phrase "
            f"{'are not BIP-39 English words' if len(unknown) > 1 else 'is not a BIP-39 English word'}.",
            "check the spelling",
        )
    checked = " ".join(words)
    if not _english().is_mnemonic_valid(checked):
        raise UserFacingError(
            "The recovery phrase's checksum does not match: a word is wrong or out of order.",
            "compare each word with your written copy",
        )
    from eth_account.hdaccount import key_from_seed

    return key_from_seed(_english().to_seed(checked), derivation_path(index))


def parse_private_key(text: str) -> bytes:
    """A raw 32-byte key from 64 hex digits, with or without ``0x`` and surrounding spaces."""
    digits = text.strip().removeprefix("0x").removeprefix("0X")
    if len(digits) != 64 or any(char not in string.hexdigits for char in digits):
        raise UserFacingError(
            "This is not a private key: expected 64 hexadecimal characters.",
            "paste the key exactly as your wallet exported it",
        )
    key = bytes.fromhex(digits)
    from eth_account import Account

    try:
        Account.from_key(key)
    except ValueError:
        raise UserFacingError(
            "This private key is outside the valid range.", "check that you pasted the right key"
        ) from None
    return key
