"""Each account's RSA-4096 result-encryption key pair (spec §4.3, §4.9).

The public key is pushed to the SMS; the enclave encrypts each result's AES key to it with RSA PKCS#1
v1.5, and only this app can decrypt it.

The private key is stored only encrypted, in ``0x<address>.result-key.json`` beside the keystore: PKCS#8
DER under AES-256-GCM, with a key derived by HKDF-SHA256 from the account's secp256k1 private key. So the
RSA key is exactly as protected as the keystore (its password and scrypt), an unlocked session is enough
to decrypt results (no second password prompt, no second second-long KDF), and changing the keystore
password never needs to touch it. The GCM tag also authenticates the address and the public key, so a
swapped public key is detected the next time the pair is opened. The public key is kept in clear beside
it, so the fingerprint and PEM can be read while the account is locked.

Generating a 4096-bit key takes about a second: call ``ensure`` from an executor.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from desktop_app.core.errors import UserFacingError
from desktop_app.core.wallet.accounts import checksum
from desktop_app.core.wallet.errors import damaged_file
from desktop_app.core.wallet.sealing import SealBroken, Sealed, seal, unseal
from desktop_app.core.wallet.session import WalletSession
from desktop_app.core.wallet.storage import write_private_json

if TYPE_CHECKING:  # eth_typing costs startup time for a name used only in annotations, see ui/app.py
    from eth_typing import ChecksumAddress

log = logging.getLogger(__name__)

KEY_BITS = 4096
PUBLIC_EXPONENT = 65537
RESULT_KEY_SUFFIX = ".result-key.json"
_FORMAT_VERSION = 1
_WRAP_INFO = b"dataprotector-desktop/result-key-wrap/v1/"


@dataclass(frozen=True)
class ResultPublicKey:
    """The shareable half: what is pushed to the SMS, and how to recognise it later."""

    address: ChecksumAddress
    spki_der: bytes

    def pem(self) -> str:
        """SPKI PEM with 64-character lines and no trailing newline, byte for byte what the DataProtector
        SDK pushes (its base64 is the SMS secret value)."""
        body = base64.b64encode(self.spki_der).decode()
        lines = [body[start : start + 64] for start in range(0, len(body), 64)]
        return "\n".join(["-----BEGIN PUBLIC KEY-----", *lines, "-----END PUBLIC KEY-----"])

    @property
    def fingerprint(self) -> str:
        """Hex sha256 of the SPKI DER: the identity of the key, independent of PEM formatting."""
        return hashlib.sha256(self.spki_der).hexdigest()


class ResultKeyPair:
    """An account's result key pair, used through an unlocked session; it keeps no private key itself.

    Each ``decrypt_aes_key`` unwraps the RSA key from disk (milliseconds) and lets it go, so the key is
    unusable as soon as the session locks.
    """

    def __init__(self, path: Path, session: WalletSession, public: ResultPublicKey) -> None:
        self._path = path
        self._session = session
        self.public = public

    def __repr__(self) -> str:
        return f"ResultKeyPair({self.public.address}, fingerprint={self.fingerprint[:16]}…)"

    def public_pem(self) -> str:
        return self.public.pem()

    @property
    def fingerprint(self) -> str:
        return self.public.fingerprint

    def decrypt_aes_key(self, ciphertext: bytes) -> bytes:
        """Decrypt a result's ``aes-key.rsa``: RSA PKCS#1 v1.5, not OAEP (spec §4.9); needs it unlocked.

        A ciphertext made for another key does not always raise: OpenSSL answers with pseudo-random bytes
        (implicit rejection, against padding oracles), and the AES step that follows is what fails.
        """
        private_key = _unwrap(self._path, self._session, _read(self._path))
        try:
            return private_key.decrypt(ciphertext, padding.PKCS1v15())
        except ValueError:
            raise UserFacingError(
                "This result's key cannot be decrypted with your result key.",
                "the result was encrypted for another key or is damaged",
            ) from None


class ResultKeys:
    """The result keys of the accounts of one wallet folder."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def __repr__(self) -> str:
        return f"ResultKeys({str(self.directory)!r})"

    def path(self, address: str) -> Path:
        return self.directory / f"{checksum(address).lower()}{RESULT_KEY_SUFFIX}"

    def public_key(self, address: str) -> ResultPublicKey | None:
        """The account's public result key without unlocking it, or None if none was generated yet."""
        path = self.path(address)
        if not path.exists():
            return None
        return _public_of(path, _read(path))

    def ensure(self, session: WalletSession) -> ResultKeyPair:
        """The account's key pair, generated on first use. Slow the first time (RSA-4096): use an executor.

        An existing pair is opened and checked (tag, public key), so what the flows push is known good.
        """
        path = self.path(session.address)
        if path.exists():
            document = _read(path)
            _unwrap(path, session, document)
            return ResultKeyPair(path, session, _public_of(path, document))
        private_key = rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=KEY_BITS)
        public = ResultPublicKey(
            session.address,
            private_key.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
        )
        try:
            write_private_json(path, _wrap(session, private_key, public), replace=False)
        except FileExistsError:
            return self.ensure(session)  # another thread generated one meanwhile: use that one
        log.info("Generated the result key of %s (fingerprint %s)", session.address, public.fingerprint)
        return ResultKeyPair(path, session, public)


def _associated_data(public: ResultPublicKey) -> bytes:
    return public.address.lower().encode() + public.spki_der


def _wrap(session: WalletSession, private_key: rsa.RSAPrivateKey, public: ResultPublicKey) -> dict[str, Any]:
    pkcs8 = private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    sealed = seal(session, _WRAP_INFO, pkcs8, _associated_data(public))
    return {
        "version": _FORMAT_VERSION,
        "address": public.address,
        "public_key": public.pem(),
        "private_key": {
            "format": "pkcs8-der",
            "cipher": "aes-256-gcm",
            "kdf": "hkdf-sha256(account private key)",
            "salt": sealed.salt.hex(),
            "nonce": sealed.nonce.hex(),
            "ciphertext": base64.b64encode(sealed.ciphertext).decode(),
        },
    }


def _unwrap(path: Path, session: WalletSession, document: dict[str, Any]) -> rsa.RSAPrivateKey:
    public = _public_of(path, document)
    try:
        sealed = document["private_key"]
        salt, nonce = bytes.fromhex(sealed["salt"]), bytes.fromhex(sealed["nonce"])
        ciphertext = base64.b64decode(sealed["ciphertext"], validate=True)
    except (KeyError, TypeError, ValueError):
        raise damaged_file(path, "its private key section is incomplete") from None
    try:
        pkcs8 = unseal(session, _WRAP_INFO, Sealed(salt, nonce, ciphertext), _associated_data(public))
    except SealBroken:
        raise damaged_file(path, "it was altered or belongs to another account") from None
    private_key = serialization.load_der_private_key(pkcs8, password=None)
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise damaged_file(path, "it does not hold an RSA key")
    return private_key


def _public_of(path: Path, document: dict[str, Any]) -> ResultPublicKey:
    try:
        loaded = serialization.load_pem_public_key(str(document["public_key"]).encode())
        address = checksum(str(document["address"]))
    except (KeyError, ValueError, UserFacingError):
        raise damaged_file(path, "its public key or address is unreadable") from None
    if not isinstance(loaded, rsa.RSAPublicKey) or loaded.key_size != KEY_BITS:
        raise damaged_file(path, f"it does not hold an RSA-{KEY_BITS} public key")
    if not path.name.startswith(address.lower()):
        raise damaged_file(path, "its address does not match its file name")
    der = loaded.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return ResultPublicKey(address, der)


def _read(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_bytes())
    except OSError as exc:
        raise damaged_file(path, exc.strerror or str(exc)) from exc
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise damaged_file(path, "it is not JSON") from None
    if not isinstance(document, dict) or document.get("version") != _FORMAT_VERSION:
        raise damaged_file(path, "it is not a version 1 result key file")
    return document
