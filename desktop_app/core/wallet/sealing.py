"""Secrets the app must keep on disk for a while, sealed under a key only an unlocked account yields.

The result key's private half and a dataset key waiting to reach the SMS (a protect interrupted before
its last step) must survive a restart, yet never sit on disk in the clear. Both are sealed with
AES-256-GCM under a key derived by HKDF-SHA256 from the account's private key, so opening them needs the
wallet unlocked and no second password, and ``purpose`` keeps one kind of secret from opening as another.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from desktop_app.core.wallet.session import WalletSession


class SealBroken(Exception):
    """The sealed data was altered, or belongs to another account or purpose."""


@dataclass(frozen=True)
class Sealed:
    salt: bytes
    nonce: bytes
    ciphertext: bytes

    def to_bytes(self) -> bytes:
        return self.salt + self.nonce + self.ciphertext

    @classmethod
    def from_bytes(cls, blob: bytes) -> Sealed:
        if len(blob) < 16 + 12 + 16:
            raise SealBroken("sealed data is truncated")
        return cls(blob[:16], blob[16:28], blob[28:])


def _key(session: WalletSession, purpose: bytes, salt: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=purpose + session.address.encode())
    return hkdf.derive(bytes(session.account().key))


def seal(session: WalletSession, purpose: bytes, data: bytes, associated: bytes = b"") -> Sealed:
    salt, nonce = os.urandom(16), os.urandom(12)
    return Sealed(
        salt, nonce, AESGCM(_key(session, purpose, salt)).encrypt(nonce, data, purpose + associated)
    )


def unseal(session: WalletSession, purpose: bytes, sealed: Sealed, associated: bytes = b"") -> bytes:
    try:
        key = _key(session, purpose, sealed.salt)
        return AESGCM(key).decrypt(sealed.nonce, sealed.ciphertext, purpose + associated)
    except (InvalidTag, ValueError):
        raise SealBroken("the sealed data was altered or belongs to another account") from None
