"""Dataset encryption both ways with the iexec SDK: it decrypts what we protect, we decrypt what it encrypts,
and both compute the same checksum.

The SDK has no dataset decryption of its own (the TEE pre-compute does it); its ``decryptResult`` reads
the very same ``IV ‖ AES-256-CBC`` format, so our protected file is handed to it wrapped as a result.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop_app.core.protect import encrypt, pipeline
from desktop_app.core.protect.record import FileContent, Value
from tests.compat.sdk import read_all, run

DATE = datetime(2026, 1, 15, 8, 30, 0, tzinfo=UTC)


def records(folder: Path) -> dict[str, dict[str, Value]]:
    # Past the SDK's 10,000,000-byte chunk and several of our 1 MiB chunks.
    big = folder / "big.bin"
    big.write_bytes(os.urandom(10_000_123))
    return {"small": {"email": "ada@example.com"}, "large": {"file": FileContent(big), "n": 1.0}}


@pytest.mark.parametrize("name", ["small", "large"])
def test_the_sdk_decrypts_what_we_protect(tmp_path: Path, pems: tuple[Path, Path], name: str) -> None:
    record = records(tmp_path)[name]
    result = pipeline.protect(record, tmp_path / "protected.enc", date=DATE)
    assert run("crypto.mjs", {"op": "checksum", "input": str(result.path)})["checksum"] == result.checksum

    private, public = pems
    wrapped, clear = tmp_path / "as-result.zip", tmp_path / "clear.zip"
    request = {
        "public_pem": str(public),
        "output": str(wrapped),
        "encrypted": str(result.path),
        "key": result.key,
    }
    run("crypto.mjs", {"op": "make-result", **request})
    run(
        "crypto.mjs",
        {"op": "decrypt-result", "input": str(wrapped), "private_pem": str(private), "output": str(clear)},
    )
    expected, _ = pipeline.serialize(record, date=DATE)
    assert clear.read_bytes() == read_all(expected)


@pytest.mark.parametrize("size", [0, 15, 16, 1 << 20, 10_000_000, 10_000_001])
def test_we_decrypt_what_the_sdk_encrypts(tmp_path: Path, size: int) -> None:
    plain, sealed, back = tmp_path / "plain", tmp_path / "sealed", tmp_path / "back"
    plain.write_bytes(os.urandom(size))
    key = encrypt.generate_key()
    reply = run("crypto.mjs", {"op": "encrypt", "input": str(plain), "output": str(sealed), "key": key})
    blob = sealed.read_bytes()
    assert reply["checksum"] == "0x" + hashlib.sha256(blob).hexdigest()
    assert len(blob) == encrypt.encrypted_size(size)
    with sealed.open("rb") as source, back.open("wb") as out:
        assert encrypt.decrypt(source, out, key) == size
    assert back.read_bytes() == plain.read_bytes()


def test_keys_are_interchangeable(tmp_path: Path) -> None:
    sdk_key = run("crypto.mjs", {"op": "generate-key"})["key"]
    assert len(encrypt.key_bytes(sdk_key)) == 32
    (tmp_path / "p").write_bytes(b"x")
    # The SDK validates the key it is given (base64 of 32 bytes) before encrypting with it.
    ours = encrypt.generate_key()
    run(
        "crypto.mjs",
        {"op": "encrypt", "input": str(tmp_path / "p"), "output": str(tmp_path / "s"), "key": ours},
    )
