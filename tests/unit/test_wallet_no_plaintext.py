"""No plaintext secret ever reaches the disk or the logs.

Every wallet operation runs once (create, the three imports, rename, export, unlock, sign, result key,
decrypt, keyring, push record), then every file under the wallet folder and the export folder, and every
captured log record, is searched for each secret in each encoding it could plausibly be written in.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from eth_account import Account

from desktop_app.core.wallet import (
    FeeData,
    PasswordMemory,
    PushedKeys,
    ResultKeys,
    TxRequest,
    Wallet,
    WalletSession,
    result_key,
)
from tests.support.signers import MemoryKeyring

PASSWORD = "pass-Ω-word"
DEV_PHRASE = "test test test test test test test test test test test junk"


def encodings(secret: bytes) -> set[bytes]:
    """The secret raw, as hex either case, and as base64 (standard and URL-safe) at all three alignments."""
    found = {secret, secret.hex().encode(), secret.hex().upper().encode()}
    for start in range(3):
        chunk = secret[start:]
        chunk = chunk[: len(chunk) - len(chunk) % 3]
        found |= {base64.b64encode(chunk), base64.urlsafe_b64encode(chunk)}
    return found


def rsa_secrets(private_key: rsa.RSAPrivateKey) -> set[bytes]:
    pkcs8 = private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pkcs1 = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    pem_lines = {
        line
        for encoding in (serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL)
        for line in private_key.private_bytes(
            serialization.Encoding.PEM, encoding, serialization.NoEncryption()
        ).splitlines()[1:-1]
    }
    numbers = private_key.private_numbers()
    private_exponent = numbers.d.to_bytes((numbers.d.bit_length() + 7) // 8)
    return encodings(pkcs8) | encodings(pkcs1) | encodings(private_exponent) | pem_lines


def test_no_secret_in_any_file_or_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    directory, exports = tmp_path / "wallet", tmp_path / "exports"
    wallet = Wallet(directory, scrypt_n=2**4)
    memory = PasswordMemory(MemoryKeyring())

    created = wallet.create_account(PASSWORD, "Created")
    imported_key = os.urandom(32)
    by_key = wallet.import_private_key("0x" + imported_key.hex(), PASSWORD, "By key")
    by_phrase = wallet.import_mnemonic(DEV_PHRASE, PASSWORD, "By phrase", index=3)
    foreign_key = os.urandom(32)
    foreign = Account.encrypt(foreign_key, PASSWORD, kdf="scrypt", iterations=2**4)
    by_keystore = wallet.import_keystore(json.dumps(foreign), PASSWORD, "By keystore")
    wallet.rename(by_key.address, "Renamed")

    account_keys: list[bytes] = []
    rsa_keys: list[rsa.RSAPrivateKey] = []
    for info in (created.account, by_key, by_phrase, by_keystore):
        wallet.export_keystore(info.address, exports / f"{info.address}.json")
        session = WalletSession(wallet, info.address)
        session.unlock(PASSWORD)
        memory.remember(info.address, PASSWORD)
        session.sign_message(b"\x01" * 32)
        session.sign_transaction(TxRequest(1, 0, 21_000, info.address), FeeData(1, 1, 1))
        account_keys.append(bytes(session.account().key))
        keys = ResultKeys(directory)
        pair = keys.ensure(session)
        public = serialization.load_pem_public_key(pair.public_pem().encode())
        assert isinstance(public, rsa.RSAPublicKey)
        pair.decrypt_aes_key(public.encrypt(b"\x02" * 32, padding.PKCS1v15()))
        path = keys.path(info.address)
        rsa_keys.append(result_key._unwrap(path, session, json.loads(path.read_text())))
        PushedKeys(directory).record_push("local", info.address, pair.fingerprint)
        session.lock()
    assert account_keys[1] == imported_key and account_keys[3] == foreign_key

    secrets = {PASSWORD.encode(), created.mnemonic.encode(), DEV_PHRASE.encode()}
    for key in account_keys:
        secrets |= encodings(key)
    for private_key in rsa_keys:
        secrets |= rsa_secrets(private_key)

    files = [path for root in (directory, exports) for path in root.rglob("*") if path.is_file()]
    assert len(files) == 4 + 4 + 1 + 4  # keystores, result keys, push record, exports
    haystacks = {str(path): path.read_bytes() for path in files}
    haystacks["logs"] = "\n".join(record.getMessage() for record in caplog.records).encode()
    assert caplog.records, "the operations above should have logged something"
    for where, content in haystacks.items():
        leaked = [secret for secret in secrets if secret in content]
        assert not leaked, f"{where} contains a secret"


def test_the_scan_would_see_a_leak() -> None:
    """Guard against a vacuous scan: each encoding it looks for is found when embedded in a larger file."""
    key = os.urandom(32)
    leaks = [
        json.dumps({"key": key.hex()}),
        json.dumps({"key": "0x" + key.hex().upper()}),
        base64.b64encode(b"padding" + key + b"more").decode(),
        base64.urlsafe_b64encode(b"xy" + key).decode(),
    ]
    for leak in leaks:
        assert any(secret in leak.encode() for secret in encodings(key)), leak
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert any(secret in json.dumps({"pem": pem.decode()}).encode() for secret in rsa_secrets(private_key))
