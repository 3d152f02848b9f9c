"""Opening a task's encrypted result: the zip the TEE post-compute uploads, back to the app's own zip.

Format (iexec SDK ``result-utils.js`` ``decryptResult``; tee-worker-post-compute ``encryption.rs``): a zip
holding ``aes-key.rsa``, a fresh 32-byte AES key encrypted with the beneficiary's RSA public key
(PKCS#1 v1.5, not OAEP), and ``iexec_out.zip.aes``, ``IV ‖ AES-256-CBC`` of the zip of ``/iexec_out``.

The RSA step is a callable, so whatever holds the private key (the wallet, a test key) plugs in without
this module seeing the key; ``pkcs1v15_decryptor`` adapts a ``cryptography`` key. The payload is
decrypted as a stream into a temporary file renamed to ``output`` when complete, so a large result never
sits in memory. The SDK's legacy formats (a base64-wrapped key, AES-128-ECB) predate TDX and are refused.
"""

from __future__ import annotations

import base64
import contextlib
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, cast

from cryptography.hazmat.primitives.asymmetric import padding, rsa

from desktop_app.core.errors import UserFacingError
from desktop_app.core.protect import encrypt

KEY_ENTRY = "aes-key.rsa"
PAYLOAD_ENTRY = "iexec_out.zip.aes"
_KEY_ENTRY_MAX = 1000  # bytes, as the SDK: an RSA-4096 ciphertext is 512

KeyDecryptor = Callable[[bytes], bytes]
"""Decrypts ``aes-key.rsa`` (RSA PKCS#1 v1.5); raises ValueError when the key does not fit."""


def pkcs1v15_decryptor(private_key: rsa.RSAPrivateKey) -> KeyDecryptor:
    """The ``KeyDecryptor`` of an RSA private key held in memory."""
    return lambda wrapped: private_key.decrypt(wrapped, padding.PKCS1v15())


def decrypt_result(archive: Path | BinaryIO, decrypt_key: KeyDecryptor, output: Path) -> Path:
    """Decrypt the encrypted result ``archive`` into ``output`` (the result's zip); returns ``output``."""
    try:
        with zipfile.ZipFile(archive) as outer:
            aes_key = _unwrap_key(outer, decrypt_key)
            handle, name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".partial")
            temporary = Path(name)
            try:
                with outer.open(PAYLOAD_ENTRY) as payload, os.fdopen(handle, "wb") as out:
                    # ZipFile.open is typed IO[bytes]; it returns a ZipExtFile, which has readinto.
                    encrypt.decrypt(cast(zipfile.ZipExtFile, payload), out, aes_key)
                if not zipfile.is_zipfile(temporary):
                    raise ValueError("the decrypted result is not a zip")
                temporary.replace(output)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    temporary.unlink()
    except (zipfile.BadZipFile, KeyError):
        raise UserFacingError(
            "This file is not an encrypted iExec result, or it is damaged.",
            "download the task's result again",
        ) from None
    except ValueError:
        raise UserFacingError(
            "The result could not be decrypted: it is damaged or was encrypted for another key.",
            "open it with the wallet that requested the task",
        ) from None
    except OSError as exc:
        raise UserFacingError(f"The result could not be decrypted: {exc.strerror or exc}.") from exc
    return output


def _unwrap_key(outer: zipfile.ZipFile, decrypt_key: KeyDecryptor) -> str:
    outer.getinfo(PAYLOAD_ENTRY)  # KeyError before any RSA work if the payload is missing
    if outer.getinfo(KEY_ENTRY).file_size > _KEY_ENTRY_MAX:
        raise ValueError(f"{KEY_ENTRY} is too large")
    aes_key = decrypt_key(outer.read(KEY_ENTRY))
    # With implicit rejection (OpenSSL 3.2+), a wrong RSA key yields random bytes, not an error.
    if len(aes_key) != encrypt.KEY_SIZE:
        raise ValueError("the result key is not an AES-256 key")
    return base64.b64encode(aes_key).decode("ascii")
