"""Ethereum v3 keystores: the only form in which an account's private key is ever written to disk.

The key is encrypted with a password through scrypt (eth_account ``Account.encrypt``). The KDF is slow on
purpose (n = 2**18 takes about a second here), so every function that derives a key is a plain blocking
call that callers run off the GUI thread, e.g. ``await loop.run_in_executor(None, ...)``.

Keystores also come from outside (import). Their KDF parameters are checked before use so that a crafted
file cannot make the app allocate gigabytes or spin for minutes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from desktop_app.core.eip55 import to_checksum_address
from desktop_app.core.errors import UserFacingError
from desktop_app.core.wallet.errors import WrongPassword, damaged_file

PRODUCTION_SCRYPT_N = 2**18
"""scrypt cost for keystores this app writes: the geth/MetaMask "standard" level (~1.3 s to encrypt here)."""

# Imported keystores: the most memory (128·n·r bytes) and PBKDF2 rounds we agree to spend on one.
_MAX_SCRYPT_MEMORY = 2**30
_MAX_SCRYPT_P = 16
_MAX_PBKDF2_ROUNDS = 10_000_000

Origin = Path | str
"""Where a keystore came from: a file of the wallet folder (reported as damaged) or an outside source."""


class _Invalid(ValueError):
    """Internal: what is wrong with a keystore document, before we know how to word it for its origin."""


def encrypt_key(private_key: bytes, password: str, scrypt_n: int) -> dict[str, Any]:
    """Encrypt a raw 32-byte key into a v3 keystore document (scrypt, r=8, p=1). Slow: run in an executor."""
    from eth_account import Account  # deferred (eth_account): startup budget, see ui/app.py

    return dict(Account.encrypt(private_key, password, kdf="scrypt", iterations=scrypt_n))


def parse_keystore(text: str | bytes, origin: Origin) -> dict[str, Any]:
    """Check that ``text`` is a v3 keystore we can safely try a password on."""
    try:
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _error(origin, "it is not JSON") from None
    try:
        _check_document(document)
    except _Invalid as exc:
        raise _error(origin, str(exc)) from None
    return dict(document)


def read_keystore(path: Path) -> dict[str, Any]:
    """Read and check a keystore file of the wallet folder; a damaged file is named in the error."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise damaged_file(path, exc.strerror or str(exc)) from exc
    return parse_keystore(text, path)


def decrypt_keystore(document: Mapping[str, Any], password: str, origin: Origin, who: str) -> bytes:
    """The raw private key, or ``WrongPassword`` naming ``who``. Slow (one KDF run): use an executor."""
    from eth_account import Account
    from eth_keyfile.exceptions import EthKeyfileValueError

    try:
        key = bytes(Account.decrypt(dict(document), password))
    except EthKeyfileValueError as exc:
        if "MAC mismatch" in str(exc):
            raise WrongPassword(f"Wrong password for {who}.") from None
        raise _error(origin, "its encrypted key cannot be read") from None
    except (KeyError, TypeError, ValueError):
        raise _error(origin, "its encrypted key cannot be read") from None
    if len(key) != 32:
        raise _error(origin, "its encrypted key has the wrong length")
    return key


def declared_address(document: Mapping[str, Any]) -> str | None:
    """The checksummed address a keystore claims (the field is optional in v3), or None."""
    value = document.get("address")
    if not isinstance(value, str):
        return None
    try:
        return to_checksum_address(value if value.startswith("0x") else "0x" + value)
    except ValueError:
        return None


def _check_document(document: object) -> None:
    if not isinstance(document, dict):
        raise _Invalid("it is not a JSON object")
    if document.get("version") != 3:
        raise _Invalid(f"version {document.get('version')!r} is not 3")
    crypto = document.get("crypto", document.get("Crypto"))
    if not isinstance(crypto, dict):
        raise _Invalid("it has no crypto section")
    for field in ("ciphertext", "mac", "cipherparams", "kdfparams"):
        if field not in crypto:
            raise _Invalid(f"crypto.{field} is missing")
    if crypto.get("cipher") != "aes-128-ctr":
        raise _Invalid(f"cipher {crypto.get('cipher')!r} is not supported")
    try:
        _check_kdf(crypto.get("kdf"), crypto["kdfparams"])
    except _Invalid:
        raise
    except (KeyError, TypeError, ValueError):
        raise _Invalid("crypto.kdfparams is incomplete") from None


def _check_kdf(kdf: object, params: Mapping[str, Any]) -> None:
    if kdf == "scrypt":
        n, r, p = (int(params[name]) for name in ("n", "r", "p"))
        if n < 2 or n & (n - 1) or r < 1 or not 1 <= p <= _MAX_SCRYPT_P or 128 * n * r > _MAX_SCRYPT_MEMORY:
            raise _Invalid(f"its scrypt parameters n={n}, r={r}, p={p} are out of range")
    elif kdf == "pbkdf2":
        if params["prf"] != "hmac-sha256" or not 1 <= int(params["c"]) <= _MAX_PBKDF2_ROUNDS:
            raise _Invalid("its PBKDF2 parameters are out of range")
    else:
        raise _Invalid(f"key derivation {kdf!r} is not supported")


def _error(origin: Origin, detail: str) -> UserFacingError:
    if isinstance(origin, Path):
        return damaged_file(origin, detail)
    return UserFacingError(
        f"{origin} is not a usable Ethereum keystore: {detail}.",
        "choose a v3 keystore JSON file exported by a wallet",
    )
