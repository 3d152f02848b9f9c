from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.wallet import Wallet, WalletSession
from desktop_app.core.wallet.sealing import SealBroken, Sealed, seal, unseal


def unlocked(directory: Path, label: str) -> WalletSession:
    wallet = Wallet(directory, scrypt_n=2**4)
    account = wallet.create_account("pw", label).account
    session = WalletSession(wallet, account.address)
    session.unlock("pw")
    return session


def test_sealed_data_opens_only_for_its_account_purpose_and_context(tmp_path: Path) -> None:
    alice = unlocked(tmp_path / "a", "alice")
    bob = unlocked(tmp_path / "b", "bob")
    sealed = Sealed.from_bytes(seal(alice, b"dataset-key/", b"secret", b"job-1").to_bytes())
    assert unseal(alice, b"dataset-key/", sealed, b"job-1") == b"secret"
    assert b"secret" not in sealed.to_bytes()
    for session, purpose, context in [
        (bob, b"dataset-key/", b"job-1"),
        (alice, b"result-key/", b"job-1"),
        (alice, b"dataset-key/", b"job-2"),
    ]:
        with pytest.raises(SealBroken):
            unseal(session, purpose, sealed, context)


def test_truncated_or_altered_seals_are_refused(tmp_path: Path) -> None:
    alice = unlocked(tmp_path, "alice")
    blob = bytearray(seal(alice, b"p/", b"secret").to_bytes())
    with pytest.raises(SealBroken):
        Sealed.from_bytes(bytes(blob[:20]))
    blob[-1] ^= 1
    with pytest.raises(SealBroken):
        unseal(alice, b"p/", Sealed.from_bytes(bytes(blob)))
