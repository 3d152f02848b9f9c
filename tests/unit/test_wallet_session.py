"""WalletSession: lock/unlock, auto-lock after idling (on a fake clock), and secrets kept out of repr/str."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from desktop_app.core.errors import UserFacingError
from desktop_app.core.wallet import (
    FeeData,
    PasswordMemory,
    ResultKeys,
    TxRequest,
    Wallet,
    WalletLocked,
    WalletSession,
    WrongPassword,
)

KEY = "0x" + "11" * 32
PASSWORD = "open sesame"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def wallet(tmp_path: Path) -> Wallet:
    return Wallet(tmp_path / "wallet", scrypt_n=2**4)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def session(wallet: Wallet, clock: FakeClock) -> WalletSession:
    address = wallet.import_private_key(KEY, PASSWORD).address
    return WalletSession(wallet, address, idle_timeout=60, clock=clock)


def test_a_new_session_is_locked_and_refuses_to_sign(session: WalletSession) -> None:
    assert not session.is_unlocked
    assert session.seconds_until_lock() is None
    with pytest.raises(WalletLocked) as caught:
        session.sign_message("hello")
    assert isinstance(caught.value, UserFacingError)
    assert caught.value.address == session.address
    assert "locked" in str(caught.value)


def test_wrong_password_keeps_it_locked(session: WalletSession) -> None:
    with pytest.raises(WrongPassword):
        session.unlock("open sesame!")
    assert not session.is_unlocked


def test_auto_lock_after_the_idle_time_and_touch_postpones_it(
    session: WalletSession, clock: FakeClock
) -> None:
    session.unlock(PASSWORD)
    clock.now += 59
    assert session.seconds_until_lock() == pytest.approx(1)  # still unlocked, one second to go
    session.touch()
    clock.now += 59
    assert session.sign_message("still here").signature  # signing is activity too
    clock.now += 59
    assert session.seconds_until_lock() == pytest.approx(1)
    clock.now += 1
    assert not session.is_unlocked
    with pytest.raises(WalletLocked):
        session.sign_typed_data({})
    session.touch()  # touching a locked session does not revive it
    assert not session.is_unlocked


def test_expiry_is_enforced_even_if_nobody_polled(session: WalletSession, clock: FakeClock) -> None:
    session.unlock(PASSWORD)
    clock.now += 3600
    with pytest.raises(WalletLocked):
        session.account()


def test_lock_drops_the_key(session: WalletSession) -> None:
    session.unlock(PASSWORD)
    borrowed = session.account()
    assert isinstance(borrowed, LocalAccount)
    session.lock()
    assert vars(session)["_account"] is None
    with pytest.raises(WalletLocked):
        session.sign_transaction(TxRequest(1, 0, 21000, session.address), FeeData(None, 0, 1))


def test_unlock_after_lock(session: WalletSession, clock: FakeClock) -> None:
    session.unlock(PASSWORD)
    clock.now += 120
    assert not session.is_unlocked
    session.unlock(PASSWORD)
    assert session.is_unlocked


def test_idle_timeout_must_be_positive(wallet: Wallet) -> None:
    with pytest.raises(ValueError, match="positive"):
        WalletSession(wallet, "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A", idle_timeout=0)


def test_no_repr_or_str_shows_a_secret(wallet: Wallet, clock: FakeClock) -> None:
    new = wallet.create_account(PASSWORD, "Main")
    session = WalletSession(wallet, new.account.address, clock=clock)
    session.unlock(PASSWORD)
    key = session.account().key
    pair = ResultKeys(wallet.directory).ensure(session)
    secrets = [
        key.hex(),
        key.hex().upper(),
        PASSWORD,
        new.mnemonic,
        *new.mnemonic.split()[:3],  # not even part of the phrase
    ]
    objects: list[object] = [
        new,
        new.account,
        wallet,
        session,
        pair,
        pair.public,
        PasswordMemory(environ={"PYTHON_KEYRING_BACKEND": "nope"}),
        ResultKeys(wallet.directory),
    ]
    for shown in [text for obj in objects for text in (repr(obj), str(obj))]:
        for secret in secrets:
            assert secret not in shown, shown
    assert "unlocked" in repr(session)
