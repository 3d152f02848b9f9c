"""Encrypted task results (aes-key.rsa + iexec_out.zip.aes) back to the result's zip, and clear refusals.

The same bytes checked against the SDK's own ``decryptResult`` is tests/compat/test_sdk_results.py.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from desktop_app.core.errors import UserFacingError
from desktop_app.core.iexec.results import decrypt_result, pkcs1v15_decryptor
from desktop_app.core.protect import encrypt

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def inner_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("iexec_out/computed.json", '{"deterministic-output-path":"/iexec_out/result.txt"}')
        archive.writestr("iexec_out/result.txt", "hello " * 100_000)
    return out.getvalue()


def encrypted_result(
    inner: bytes, *, wrapped_key: bytes | None = None, payload: bytes | None = None
) -> bytes:
    """A result as the TEE post-compute uploads it, for ``KEY``'s public half."""
    aes = encrypt.generate_key()
    sealed = io.BytesIO()
    encrypt.encrypt(io.BytesIO(inner), sealed, aes)
    if wrapped_key is None:
        wrapped_key = KEY.public_key().encrypt(encrypt.key_bytes(aes), padding.PKCS1v15())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("aes-key.rsa", wrapped_key)
        archive.writestr("iexec_out.zip.aes", sealed.getvalue() if payload is None else payload)
    return out.getvalue()


def test_a_result_decrypts_to_its_zip(tmp_path: Path) -> None:
    inner = inner_zip()
    archive = tmp_path / "result.zip"
    archive.write_bytes(encrypted_result(inner))
    out = decrypt_result(archive, pkcs1v15_decryptor(KEY), tmp_path / "clear.zip")
    assert out.read_bytes() == inner
    from_memory = decrypt_result(
        io.BytesIO(archive.read_bytes()), pkcs1v15_decryptor(KEY), tmp_path / "m.zip"
    )
    assert from_memory.read_bytes() == inner


def test_the_rsa_step_is_any_callable(tmp_path: Path) -> None:
    seen: list[bytes] = []

    def wallet(wrapped: bytes) -> bytes:
        seen.append(wrapped)
        return KEY.decrypt(wrapped, padding.PKCS1v15())

    archive = tmp_path / "result.zip"
    archive.write_bytes(encrypted_result(inner_zip()))
    decrypt_result(archive, wallet, tmp_path / "clear.zip")
    assert len(seen) == 1 and len(seen[0]) == 256


def bad(case: str) -> bytes:
    inner = inner_zip()
    if case == "not a zip":
        return b"definitely not a zip"
    if case == "missing key":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("iexec_out.zip.aes", b"x")
        return out.getvalue()
    if case == "oversized key":
        return encrypted_result(inner, wrapped_key=os.urandom(2000))
    if case == "damaged payload":
        return encrypted_result(inner, payload=os.urandom(16 * 100))
    if case == "truncated payload":
        return encrypted_result(inner, payload=os.urandom(16 * 100 + 3))
    if case == "not a zip inside":
        return encrypted_result(b"plain text, not a zip")
    raise AssertionError(case)


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("not a zip", "not an encrypted iExec result"),
        ("missing key", "not an encrypted iExec result"),
        ("oversized key", "could not be decrypted"),
        ("damaged payload", "could not be decrypted"),
        ("truncated payload", "could not be decrypted"),
        ("not a zip inside", "could not be decrypted"),
    ],
)
def test_what_cannot_be_decrypted_is_refused_and_leaves_nothing(
    tmp_path: Path, case: str, words: str
) -> None:
    archive = tmp_path / "result.zip"
    archive.write_bytes(bad(case))
    with pytest.raises(UserFacingError, match=words):
        decrypt_result(archive, pkcs1v15_decryptor(KEY), tmp_path / "clear.zip")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.zip"]


def test_a_result_for_another_key_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "result.zip"
    archive.write_bytes(encrypted_result(inner_zip()))
    # OpenSSL's implicit rejection turns a wrong key into random bytes rather than an error:
    # either way the user is told the result is not for this key.
    with pytest.raises(UserFacingError, match="encrypted for another key"):
        decrypt_result(archive, pkcs1v15_decryptor(OTHER), tmp_path / "clear.zip")
