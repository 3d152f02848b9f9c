"""The first-run wizard's rules, as a state machine without a window (flows/wallet_setup.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from desktop_app.core.errors import UserFacingError
from desktop_app.core.wallet import Wallet
from desktop_app.flows.wallet_setup import (
    Choice,
    SecretKind,
    Step,
    WalletSetup,
    password_strength,
    secret_kind,
)

HARDHAT_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


@pytest.fixture
def wallet(tmp_path: Path) -> Wallet:
    return Wallet(tmp_path / "wallet", scrypt_n=2**4)


def test_creating_an_account_walks_welcome_choose_password_phrase_done(wallet: Wallet) -> None:
    setup = WalletSetup(wallet)
    assert setup.step == Step.WELCOME and setup.advance() == Step.CHOOSE
    assert not setup.can_advance  # a choice is needed
    assert setup.choose(Choice.CREATE) == Step.PASSWORD
    setup.set_password("short", "short")
    assert "too short" in setup.problem()
    setup.set_password("a long enough passphrase", "a long enough passphrase!")
    assert setup.problem() == "the two passwords differ"
    setup.set_password("a long enough passphrase", "a long enough passphrase")
    assert setup.can_advance
    with pytest.raises(RuntimeError):
        setup.advance()  # leaving the password step creates the account: commit() does it

    account = asyncio.run(setup.commit())

    assert setup.step == Step.RECOVERY_PHRASE and not setup.can_go_back
    words = setup.take_recovery_phrase()
    assert len(words) == 12 and setup.take_recovery_phrase() == []  # shown once
    assert "passphrase" not in repr(setup)
    assert setup.advance() == Step.DONE
    assert [a.address for a in wallet.accounts()] == [account.address]


def test_importing_a_key_skips_the_phrase_and_back_works_before_commit(wallet: Wallet) -> None:
    setup = WalletSetup(wallet)
    setup.advance()
    setup.choose(Choice.IMPORT)
    assert setup.step == Step.IMPORT and not setup.can_advance
    assert setup.set_secret("not a key") is None
    assert setup.set_secret(HARDHAT_KEY) == SecretKind.PRIVATE_KEY
    setup.advance()
    assert setup.back() == Step.IMPORT and setup.advance() == Step.PASSWORD
    setup.set_password("another good passphrase", "another good passphrase")
    account = asyncio.run(setup.commit())
    assert setup.step == Step.DONE
    assert account.address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


def test_an_invalid_phrase_is_refused_by_the_wallet_with_a_clear_message(wallet: Wallet) -> None:
    setup = WalletSetup(wallet)
    setup.advance()
    setup.choose(Choice.IMPORT)
    assert setup.set_secret(" ".join(["zoo"] * 12)) == SecretKind.RECOVERY_PHRASE
    setup.advance()
    setup.set_password("another good passphrase", "another good passphrase")
    with pytest.raises(UserFacingError, match="checksum"):
        asyncio.run(setup.commit())
    assert setup.step == Step.PASSWORD and wallet.accounts() == []


def test_password_strength_grows_with_length_and_variety_and_catches_the_obvious() -> None:
    assert password_strength("abc").score == 0
    assert password_strength("password123").score == 1
    assert password_strength("aaaaaaaaaaaa").score == 1
    assert password_strength("lowercaseonly").score == 2
    assert password_strength("Correct horse battery 9").score == 4
    assert secret_kind("word " * 11 + "word") == SecretKind.RECOVERY_PHRASE
    assert secret_kind("word " * 10) is None
