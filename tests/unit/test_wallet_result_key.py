"""RSA-4096 result keys (spec §4.3, §4.9) and the per-network record of what was pushed to the SMS."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from desktop_app.core.errors import UserFacingError
from desktop_app.core.wallet import (
    PushedKeys,
    ResultKeyPair,
    ResultKeys,
    Wallet,
    WalletLocked,
    WalletSession,
)

PASSWORD = "pw"


class Setup:
    def __init__(self, directory: Path) -> None:
        self.wallet = Wallet(directory, scrypt_n=2**4)
        self.keys = ResultKeys(directory)
        self.session = WalletSession(
            self.wallet, self.wallet.import_private_key("0x" + "11" * 32, PASSWORD).address
        )
        self.session.unlock(PASSWORD)
        self.pair = self.keys.ensure(self.session)  # one RSA-4096 generation for the whole module


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    yield Setup(tmp_path_factory.mktemp("result-key"))


@pytest.fixture
def pair(setup: Setup) -> ResultKeyPair:
    setup.session.unlock(PASSWORD)
    return setup.pair


def test_the_key_is_rsa_4096_with_e_65537(pair: ResultKeyPair) -> None:
    public = serialization.load_pem_public_key(pair.public_pem().encode())
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size == 4096
    assert public.public_numbers().e == 65537


def test_the_pem_is_formatted_exactly_like_the_sdk(pair: ResultKeyPair) -> None:
    lines = pair.public_pem().split("\n")
    assert lines[0] == "-----BEGIN PUBLIC KEY-----" and lines[-1] == "-----END PUBLIC KEY-----"
    body = lines[1:-1]
    assert all(len(line) == 64 for line in body[:-1]) and 0 < len(body[-1]) <= 64
    assert not pair.public_pem().endswith("\n")
    assert base64.b64decode("".join(body)) == pair.public.spki_der


def test_fingerprint_is_sha256_of_the_spki_der(pair: ResultKeyPair) -> None:
    public = serialization.load_pem_public_key(pair.public_pem().encode())
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert pair.fingerprint == hashlib.sha256(der).hexdigest()


def test_decrypts_a_pkcs1_v15_wrapped_aes_key(pair: ResultKeyPair) -> None:
    aes_key = os.urandom(32)
    public = serialization.load_pem_public_key(pair.public_pem().encode())
    assert isinstance(public, rsa.RSAPublicKey)
    assert pair.decrypt_aes_key(public.encrypt(aes_key, padding.PKCS1v15())) == aes_key
    # OAEP is what the SDK's WebCrypto label says, but not what the enclave does: it must not "work".
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    with contextlib.suppress(UserFacingError):  # refusing is fine; recovering the key would mean OAEP
        assert pair.decrypt_aes_key(public.encrypt(aes_key, oaep)) != aes_key


def test_a_ciphertext_of_the_wrong_size_is_a_clear_error(pair: ResultKeyPair) -> None:
    with pytest.raises(UserFacingError, match="cannot be decrypted"):
        pair.decrypt_aes_key(b"short")


def test_the_private_key_is_stored_encrypted_and_private(setup: Setup, pair: ResultKeyPair) -> None:
    path = setup.keys.path(setup.session.address)
    assert path.parent == setup.wallet.directory
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "PRIVATE KEY" not in text
    assert json.loads(text)["private_key"]["cipher"] == "aes-256-gcm"


def test_ensure_reuses_the_existing_pair(setup: Setup, pair: ResultKeyPair) -> None:
    assert setup.keys.ensure(setup.session).fingerprint == pair.fingerprint


def test_public_key_is_readable_while_locked(setup: Setup, pair: ResultKeyPair) -> None:
    setup.session.lock()
    public = setup.keys.public_key(setup.session.address)
    assert public is not None and public.fingerprint == pair.fingerprint
    assert setup.keys.public_key("0x" + "22" * 20) is None


def test_decrypting_needs_an_unlocked_session(setup: Setup, pair: ResultKeyPair) -> None:
    setup.session.lock()
    with pytest.raises(WalletLocked):
        pair.decrypt_aes_key(b"\x00" * 512)
    with pytest.raises(WalletLocked):
        setup.keys.ensure(setup.session)


def test_a_swapped_public_key_is_detected(setup: Setup, pair: ResultKeyPair) -> None:
    path = setup.keys.path(setup.session.address)
    original = path.read_bytes()
    document = json.loads(original)
    other = rsa.generate_private_key(public_exponent=65537, key_size=4096).public_key()
    document["public_key"] = other.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    path.write_text(json.dumps(document))
    try:
        with pytest.raises(UserFacingError, match="altered") as caught:
            setup.keys.ensure(setup.session)
        assert str(path) in caught.value.what
    finally:
        path.write_bytes(original)


@pytest.mark.parametrize("content", ["", "{}", '{"version": 1}', '{"version": 1, "address": "0x12"}'])
def test_damaged_result_key_files_are_named(setup: Setup, content: str) -> None:
    path = setup.keys.path(setup.session.address)
    original = path.read_bytes()
    path.write_text(content)
    try:
        with pytest.raises(UserFacingError, match="damaged") as caught:
            setup.keys.public_key(setup.session.address)
        assert str(path) in caught.value.what
    finally:
        path.write_bytes(original)


def test_pushed_keys_once_per_network_and_again_when_it_changes(tmp_path: Path) -> None:
    owner = "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A"
    record = PushedKeys(tmp_path)
    assert record.needs_push("local", owner, "aa")
    record.record_push("local", owner, "aa")
    assert not record.needs_push("local", owner.lower(), "aa")
    assert record.needs_push("arbitrum-sepolia", owner, "aa")
    assert record.needs_push("local", owner, "bb")
    assert not PushedKeys(tmp_path).needs_push("local", owner, "aa")  # it survives a restart
    assert stat.S_IMODE(record.path.stat().st_mode) == 0o600


@pytest.mark.parametrize("content", ["not json", "[]", '{"pushed": 3}'])
def test_a_damaged_push_record_means_pushing_again(tmp_path: Path, content: str) -> None:
    record = PushedKeys(tmp_path)
    record.path.write_text(content)
    assert record.needs_push("local", "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A", "aa")
    record.record_push("local", "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A", "aa")
    assert not record.needs_push("local", "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A", "aa")
