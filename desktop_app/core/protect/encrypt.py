"""AES-256-CBC as iExec encrypts datasets, streamed, with the output's SHA-256 taken in the same pass.

Format (iexec SDK ``encryptAes256Cbc``, read back by the TEE pre-compute): ``IV (16 random bytes) ‖
AES-256-CBC(PKCS#7-padded plaintext)``; the key is 32 random bytes handled as a base64 string; the
on-chain checksum is ``"0x" + sha256(encrypted file)``.

Why the shape of this code: encryption is the slow part of protecting a large file, and a CBC
encryption cannot be split. So one thread does nothing but read and encrypt (``update_into`` into
reused buffers: no allocation, no copy), and a second one hashes and writes the ciphertext it is handed;
``cryptography`` and ``hashlib`` release the GIL, so both cores work. Memory is a handful of fixed
buffers whatever the size. Padding is applied to the final chunk alone, which is valid because every
earlier chunk is a whole number of blocks.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import threading
from collections.abc import Callable
from queue import SimpleQueue
from typing import BinaryIO, Protocol

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

KEY_SIZE = 32
IV_SIZE = 16
BLOCK = 16
CHUNK = 1 << 20
_CIPHER_BUFFERS = 4


class Readable(Protocol):
    def readinto(self, buffer: memoryview, /) -> int | None: ...


class Writable(Protocol):
    def write(self, data: memoryview, /) -> int | None: ...


def generate_key() -> str:
    """A fresh dataset key: 32 random bytes, base64 as the SDK and the SMS handle it."""
    return base64.b64encode(os.urandom(KEY_SIZE)).decode("ascii")


def key_bytes(key: str) -> bytes:
    """The 32 key bytes behind a base64 key, or ValueError."""
    try:
        raw = base64.b64decode(key, validate=True)
    except binascii.Error:
        raise ValueError("the key is not base64") from None
    if len(raw) != KEY_SIZE:
        raise ValueError(f"the key must be {KEY_SIZE} bytes, not {len(raw)}")
    return raw


def encrypted_size(plaintext_size: int) -> int:
    """Size of IV ‖ ciphertext: PKCS#7 always adds 1 to 16 bytes."""
    return IV_SIZE + (plaintext_size // BLOCK + 1) * BLOCK


def encrypt(
    source: Readable, out: Writable, key: str, *, on_chunk: Callable[[int], None] | None = None
) -> str:
    """Encrypt everything ``source`` yields into ``out``; returns the checksum ``0x…`` of what was written.

    ``on_chunk(n)`` runs on this thread after each chunk of ``n`` plaintext bytes; an exception it raises
    (a cancellation) stops the encryption. ``out`` is left partly written on failure: callers write to a
    temporary file.
    """
    iv = os.urandom(IV_SIZE)
    encryptor = Cipher(algorithms.AES(key_bytes(key)), modes.CBC(iv)).encryptor()
    writer = _HashingWriter(out, CHUNK + 2 * BLOCK)
    writer.start()
    try:
        first = writer.free_buffer()
        first[:IV_SIZE] = iv
        writer.submit(first, IV_SIZE)
        plain = memoryview(bytearray(CHUNK))
        while True:
            n = read_full(source, plain)
            cipher = writer.free_buffer()
            last = n < CHUNK  # the source is exhausted: pad this chunk, which may be empty
            if last:
                padder = padding.PKCS7(BLOCK * 8).padder()
                tail = b"".join((padder.update(plain[:n]), padder.finalize()))
                writer.submit(cipher, encryptor.update_into(tail, cipher))
                encryptor.finalize()
            else:
                writer.submit(cipher, encryptor.update_into(plain, cipher))
            if on_chunk is not None:
                on_chunk(n)
            if last:
                return writer.finish()
    finally:
        writer.stop()


def decrypt(source: Readable, out: BinaryIO, key: str) -> int:
    """Decrypt IV ‖ AES-256-CBC from ``source`` into ``out``; returns the plaintext size.

    Raises ValueError when the input is truncated or its padding is wrong (a wrong key, usually). The
    last block is held back until the end because only then is it known to carry the padding.
    """
    iv = bytearray(IV_SIZE)
    if read_full(source, memoryview(iv)) != IV_SIZE:
        raise ValueError("the encrypted data is shorter than its IV")
    decryptor = Cipher(algorithms.AES(key_bytes(key)), modes.CBC(bytes(iv))).decryptor()
    cipher = memoryview(bytearray(CHUNK))
    plain = memoryview(bytearray(CHUNK + BLOCK))
    held, total = b"", 0
    while n := read_full(source, cipher):
        k = decryptor.update_into(cipher[:n], plain)
        if k:
            write_all(out, held)
            write_all(out, plain[: k - BLOCK])
            total += len(held) + k - BLOCK
            held = bytes(plain[k - BLOCK : k])
    decryptor.finalize()  # raises if the input was not a whole number of blocks
    unpadder = padding.PKCS7(BLOCK * 8).unpadder()
    last = unpadder.update(held) + unpadder.finalize()
    write_all(out, last)
    return total + len(last)


def read_full(source: Readable, view: memoryview) -> int:
    """Read until ``view`` is full or the source ends (file objects may return short reads)."""
    done = 0
    while done < len(view):
        n = source.readinto(view[done:])
        if not n:
            break
        done += n
    return done


def write_all(out: Writable, data: bytes | memoryview) -> None:
    """Write all of ``data`` (a raw file may accept only part of it per call)."""
    view = memoryview(data)
    while view:
        n = out.write(view) or 0
        view = view[n:]


class _HashingWriter(threading.Thread):
    """Hashes and writes filled buffers in order, handing each buffer back for reuse.

    After a failure it keeps handing buffers back (without writing) so the producer never blocks; the
    error is raised to the producer at its next ``free_buffer`` or at ``finish``.
    """

    def __init__(self, out: Writable, buffer_size: int) -> None:
        super().__init__(name="protect-writer", daemon=True)
        self._out = out
        self._hash = hashlib.sha256()
        self._free: SimpleQueue[bytearray] = SimpleQueue()
        self._full: SimpleQueue[tuple[bytearray, int] | None] = SimpleQueue()
        self._error: BaseException | None = None
        self._stopped = False
        for _ in range(_CIPHER_BUFFERS):
            self._free.put(bytearray(buffer_size))

    def run(self) -> None:
        while (item := self._full.get()) is not None:
            buffer, size = item
            if self._error is None:
                try:
                    view = memoryview(buffer)[:size]
                    self._hash.update(view)
                    write_all(self._out, view)
                except BaseException as exc:  # handed to the producer thread, which raises it
                    self._error = exc
            self._free.put(buffer)

    def free_buffer(self) -> bytearray:
        buffer = self._free.get()
        self._raise_error()
        return buffer

    def submit(self, buffer: bytearray, size: int) -> None:
        self._full.put((buffer, size))

    def finish(self) -> str:
        self.stop()
        self._raise_error()
        return "0x" + self._hash.hexdigest()

    def stop(self) -> None:
        if not self._stopped:
            self._stopped = True
            self._full.put(None)
            self.join()

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error
