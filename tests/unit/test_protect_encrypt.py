"""Streaming AES-256-CBC: round trips at every boundary, the checksum, keys, and failures mid-stream."""

from __future__ import annotations

import base64
import hashlib
import io
import os

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from desktop_app.core.protect import encrypt
from desktop_app.core.protect.encrypt import BLOCK, CHUNK, IV_SIZE

KEY = encrypt.generate_key()


def reference_decrypt(blob: bytes, key: str) -> bytes:
    """One-shot decryption with ``cryptography`` directly, independent of the streaming code."""
    decryptor = Cipher(algorithms.AES(base64.b64decode(key)), modes.CBC(blob[:IV_SIZE])).decryptor()
    padded = decryptor.update(blob[IV_SIZE:]) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


@pytest.mark.parametrize(
    "size", [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5]
)
def test_round_trip_and_checksum_at_block_and_chunk_boundaries(size: int) -> None:
    plain = os.urandom(size)
    out = io.BytesIO()
    checksum = encrypt.encrypt(io.BytesIO(plain), out, KEY)
    blob = out.getvalue()
    assert len(blob) == encrypt.encrypted_size(size)
    assert checksum == "0x" + hashlib.sha256(blob).hexdigest()
    assert reference_decrypt(blob, KEY) == plain
    back = io.BytesIO()
    assert encrypt.decrypt(io.BytesIO(blob), back, KEY) == size
    assert back.getvalue() == plain


def test_every_encryption_has_a_fresh_iv() -> None:
    first, second = io.BytesIO(), io.BytesIO()
    encrypt.encrypt(io.BytesIO(b"same"), first, KEY)
    encrypt.encrypt(io.BytesIO(b"same"), second, KEY)
    assert first.getvalue()[:IV_SIZE] != second.getvalue()[:IV_SIZE]


def test_keys_are_32_random_bytes_in_base64() -> None:
    key = encrypt.generate_key()
    assert len(encrypt.key_bytes(key)) == 32
    assert key != encrypt.generate_key()
    with pytest.raises(ValueError, match="32 bytes"):
        encrypt.key_bytes(base64.b64encode(b"short").decode())
    with pytest.raises(ValueError, match="base64"):
        encrypt.key_bytes("not base64!")


def test_decrypting_with_the_wrong_key_or_damaged_data_fails() -> None:
    out = io.BytesIO()
    encrypt.encrypt(io.BytesIO(b"x" * 100), out, KEY)
    blob = out.getvalue()
    with pytest.raises(ValueError):
        encrypt.decrypt(io.BytesIO(blob), io.BytesIO(), base64.b64encode(bytes(32)).decode())
    with pytest.raises(ValueError):
        encrypt.decrypt(io.BytesIO(blob[:-1]), io.BytesIO(), KEY)
    with pytest.raises(ValueError, match="shorter than its IV"):
        encrypt.decrypt(io.BytesIO(blob[:10]), io.BytesIO(), KEY)


def test_progress_sees_every_plaintext_byte_and_can_stop_the_stream() -> None:
    seen: list[int] = []
    encrypt.encrypt(io.BytesIO(bytes(2 * CHUNK + 3)), io.BytesIO(), KEY, on_chunk=seen.append)
    assert seen == [CHUNK, CHUNK, 3]

    class Stop(Exception):
        pass

    def stop(n: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        encrypt.encrypt(io.BytesIO(bytes(5 * CHUNK)), io.BytesIO(), KEY, on_chunk=stop)


class FailingWriter(io.RawIOBase):
    def __init__(self, after: int) -> None:
        self.left = after

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        if self.left <= 0:
            raise OSError(28, "No space left on device")
        self.left -= 1
        return len(memoryview(data))  # type: ignore[arg-type]


def test_a_write_failure_reaches_the_caller_without_hanging() -> None:
    with pytest.raises(OSError, match="No space"):
        encrypt.encrypt(io.BytesIO(bytes(20 * CHUNK)), FailingWriter(after=2), KEY)  # type: ignore[arg-type]


def test_partial_writes_are_completed() -> None:
    class Trickle(io.BytesIO):
        def write(self, data: object) -> int:
            return super().write(memoryview(data)[:1000])  # type: ignore[arg-type]

    out = Trickle()
    encrypt.encrypt(io.BytesIO(b"y" * 5000), out, KEY)
    assert reference_decrypt(out.getvalue(), KEY) == b"y" * 5000
