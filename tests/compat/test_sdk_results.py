"""Encrypted task results: the SDK's ``decryptResult`` and ours open the same bytes to the same zip.

The SDK only decrypts results, so the encrypted result is built in the documented post-compute format
with node's own crypto (RSA PKCS#1 v1.5 key wrap, IV ‖ AES-256-CBC payload, JSZip container); the SDK
decrypting it shows the builder is faithful, and then our decryption must give the identical zip.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from desktop_app.core.iexec.results import decrypt_result, pkcs1v15_decryptor
from tests.compat.sdk import run


def result_zip(payload_size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("iexec_out/computed.json", '{"deterministic-output-path":"/iexec_out/out.bin"}')
        archive.writestr("iexec_out/out.bin", os.urandom(payload_size), zipfile.ZIP_STORED)
    return out.getvalue()


@pytest.mark.parametrize("payload_size", [0, 1000, 10_000_000])
def test_sdk_and_we_decrypt_the_same_result(
    tmp_path: Path, pems: tuple[Path, Path], payload_size: int
) -> None:
    private, public = pems
    inner, encrypted = tmp_path / "inner.zip", tmp_path / "result.zip"
    inner.write_bytes(result_zip(payload_size))
    run(
        "crypto.mjs",
        {"op": "make-result", "inner": str(inner), "public_pem": str(public), "output": str(encrypted)},
    )

    by_sdk = tmp_path / "by-sdk.zip"
    request = {"input": str(encrypted), "private_pem": str(private), "output": str(by_sdk)}
    run("crypto.mjs", {"op": "decrypt-result", **request})
    assert by_sdk.read_bytes() == inner.read_bytes()

    key = serialization.load_pem_private_key(private.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    ours = decrypt_result(encrypted, pkcs1v15_decryptor(key), tmp_path / "ours.zip")
    assert ours.read_bytes() == inner.read_bytes()
