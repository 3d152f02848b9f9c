"""Wallet accounts: create, import, export, label, and every bad input ending in a clear UserFacingError."""

from __future__ import annotations

import errno
import json
import os
import stat
import time
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.hdaccount import key_from_seed, seed_from_mnemonic
from eth_account.hdaccount.mnemonic import Mnemonic
from eth_account.types import Language
from eth_utils.exceptions import ValidationError

from desktop_app.core.errors import UserFacingError
from desktop_app.core.wallet import (
    PRODUCTION_SCRYPT_N,
    AccountExists,
    Wallet,
    WrongPassword,
    default_wallet_dir,
    recovery,
)

TEST_N = 2**4
PASSWORD = "correct horse battery staple"
# The anvil/hardhat development phrase: its first two addresses are known to everyone.
DEV_PHRASE = "test test test test test test test test test test test junk"
DEV_ADDRESSES = ["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]
KEY = "0x" + "11" * 32
KEY_BYTES = bytes.fromhex(KEY[2:])
KEY_ADDRESS = "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A"


@pytest.fixture
def wallet(tmp_path: Path) -> Wallet:
    return Wallet(tmp_path / "wallet", scrypt_n=TEST_N)


def assert_nothing_chained(error: BaseException) -> None:
    """A library error about a secret input may quote it: it must not ride along in the traceback."""
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


def files_of(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in directory.iterdir()} if directory.exists() else {}


def test_create_returns_the_phrase_once_and_stores_a_private_scrypt_keystore(wallet: Wallet) -> None:
    new = wallet.create_account(PASSWORD, "Main")
    assert len(new.mnemonic.split()) == 12
    assert wallet.accounts() == [new.account]
    assert new.account.label == "Main"
    path = new.account.keystore_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(wallet.directory.stat().st_mode) == 0o700
    document = json.loads(path.read_text())
    assert document["crypto"]["kdf"] == "scrypt"
    assert document["crypto"]["kdfparams"]["n"] == TEST_N
    assert new.mnemonic not in path.read_text()
    # The phrase shown at creation re-imports to the same address, in any other wallet.
    other = Wallet(wallet.directory.parent / "other", scrypt_n=TEST_N)
    assert other.import_mnemonic(new.mnemonic, PASSWORD).address == new.account.address
    assert wallet.decrypt(new.account.address, PASSWORD).address == new.account.address


def test_several_accounts_get_default_labels_in_creation_order(wallet: Wallet) -> None:
    first = wallet.create_account(PASSWORD).account
    second = wallet.import_private_key(KEY, PASSWORD)
    assert [info.address for info in wallet.accounts()] == [first.address, second.address]
    assert [info.label for info in wallet.accounts()] == ["Account 1", "Account 2"]


@pytest.mark.slow
def test_production_cost_is_scrypt_2_pow_18(tmp_path: Path) -> None:
    assert PRODUCTION_SCRYPT_N == 2**18
    assert default_wallet_dir().name == "wallet"
    info = Wallet(tmp_path).import_private_key(KEY, PASSWORD)
    assert json.loads(info.keystore_path.read_text())["crypto"]["kdfparams"]["n"] == 2**18


@pytest.mark.parametrize("index", [0, 1])
def test_mnemonic_derives_the_standard_ethereum_path(wallet: Wallet, index: int) -> None:
    phrase = "  " + DEV_PHRASE.upper().replace(" ", "\n  ") + " "  # what copy-paste does to a phrase
    assert wallet.import_mnemonic(phrase, PASSWORD, index=index).address == DEV_ADDRESSES[index]


def test_an_english_phrase_that_is_also_french_is_accepted() -> None:
    """eth_account's from_mnemonic rejects these ("valid in multiple languages"); BIP-39 readers do not."""
    english, french = Mnemonic(Language.ENGLISH), Mnemonic(Language.FRENCH)
    shared = sorted(set(english.wordlist) & set(french.wordlist))
    phrase = next(
        candidate for last in shared if english.is_mnemonic_valid(candidate := " ".join([*shared[:11], last]))
    )
    with pytest.raises(ValidationError, match="multiple languages"):
        seed_from_mnemonic(phrase, "")
    expected = Account.from_key(key_from_seed(Mnemonic.to_seed(phrase), "m/44'/60'/0'/0/0")).address
    assert Account.from_key(recovery.key_from_mnemonic(phrase)).address == expected


@pytest.mark.parametrize("text", [KEY, KEY[2:], f"  {KEY.upper().replace('0X', '0x')}\n"])
def test_private_key_import_accepts_the_usual_spellings(wallet: Wallet, text: str) -> None:
    assert wallet.import_private_key(text, PASSWORD, "Imported").address == KEY_ADDRESS


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not a private key"),
        ("   ", "not a private key"),
        ("0x1234", "not a private key"),
        ("zz" * 32, "not a private key"),
        ("00" * 32, "outside the valid range"),
        ("ff" * 32, "outside the valid range"),
    ],
)
def test_bad_private_keys_are_refused_clearly(wallet: Wallet, text: str, message: str) -> None:
    with pytest.raises(UserFacingError, match=message) as caught:
        wallet.import_private_key(text, PASSWORD)
    assert_nothing_chained(caught.value)
    assert files_of(wallet.directory) == {}


def test_a_wrong_checksum_word_is_reported_without_echoing_the_phrase(wallet: Wallet) -> None:
    words = DEV_PHRASE.split()
    words[-1] = "test"  # a real word, but the checksum no longer matches
    with pytest.raises(UserFacingError, match="checksum") as caught:
        wallet.import_mnemonic(" ".join(words), PASSWORD)
    assert "test" not in str(caught.value)
    assert_nothing_chained(caught.value)


@pytest.mark.parametrize(
    ("phrase", "message"),
    [
        ("", "this one has 0"),
        ("test " * 11, "this one has 11"),
        (DEV_PHRASE.replace("junk", "junke"), "Word 12 of the recovery phrase is not"),
        (DEV_PHRASE.replace("test", "tset", 2), "Words 1, 2 of the recovery phrase are not"),
    ],
)
def test_malformed_phrases_say_what_is_wrong(wallet: Wallet, phrase: str, message: str) -> None:
    with pytest.raises(UserFacingError, match=message) as caught:
        wallet.import_mnemonic(phrase, PASSWORD)
    assert "junke" not in str(caught.value) and "tset" not in str(caught.value)


def test_mnemonic_index_out_of_range(wallet: Wallet) -> None:
    with pytest.raises(UserFacingError, match="out of range"):
        wallet.import_mnemonic(DEV_PHRASE, PASSWORD, index=2**31)


def test_keystore_import_reencrypts_under_our_scrypt_cost(wallet: Wallet) -> None:
    foreign = Account.encrypt(KEY_BYTES, "theirs", kdf="pbkdf2", iterations=1000)
    info = wallet.import_keystore(json.dumps(foreign), "theirs", "From MetaMask", password=PASSWORD)
    assert info.address == KEY_ADDRESS
    stored = json.loads(info.keystore_path.read_text())
    assert stored["crypto"]["kdf"] == "scrypt"
    assert wallet.decrypt(KEY_ADDRESS, PASSWORD).address == KEY_ADDRESS
    with pytest.raises(WrongPassword):
        wallet.decrypt(KEY_ADDRESS, "theirs")


def test_keystore_import_keeps_its_password_by_default(wallet: Wallet) -> None:
    foreign = Account.encrypt(KEY_BYTES, "theirs", kdf="scrypt", iterations=TEST_N)
    del foreign["address"]  # optional in v3: the address comes from the decrypted key
    wallet.import_keystore(json.dumps(foreign).encode(), "theirs")
    assert wallet.decrypt(KEY_ADDRESS, "theirs").address == KEY_ADDRESS


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"version": 3}', "no crypto section"),
        ('{"version": 4, "crypto": {}}', "version 4 is not 3"),
    ],
)
def test_things_that_are_not_keystores(wallet: Wallet, text: str | bytes, message: str) -> None:
    with pytest.raises(UserFacingError, match=message):
        wallet.import_keystore(text, "pw")
    assert files_of(wallet.directory) == {}


def test_a_keystore_with_absurd_kdf_cost_is_refused_before_any_work(wallet: Wallet) -> None:
    crafted = Account.encrypt(KEY_BYTES, "pw", kdf="scrypt", iterations=TEST_N)
    crafted["crypto"]["kdfparams"]["n"] = 2**30
    started = time.monotonic()
    with pytest.raises(UserFacingError, match="out of range"):
        wallet.import_keystore(json.dumps(crafted), "pw")
    assert time.monotonic() - started < 1


def test_keystore_with_the_wrong_password(wallet: Wallet) -> None:
    foreign = Account.encrypt(KEY_BYTES, "theirs", kdf="scrypt", iterations=TEST_N)
    with pytest.raises(WrongPassword, match="Wrong password"):
        wallet.import_keystore(json.dumps(foreign), "not theirs")
    assert files_of(wallet.directory) == {}


def test_importing_an_address_twice_says_it_is_already_there(wallet: Wallet) -> None:
    wallet.import_private_key(KEY, PASSWORD, "First")
    before = files_of(wallet.directory)
    with pytest.raises(AccountExists, match="already in your wallet"):
        wallet.import_private_key(KEY, "another password", "Second")
    with pytest.raises(AccountExists, match="already in your wallet"):
        wallet.import_keystore(json.dumps(Account.encrypt(KEY_BYTES, "x", iterations=TEST_N)), "x")
    assert files_of(wallet.directory) == before
    assert [info.label for info in wallet.accounts()] == ["First"]


def test_export_is_a_plain_keystore_that_other_wallets_open(wallet: Wallet, tmp_path: Path) -> None:
    info = wallet.import_private_key(KEY, PASSWORD, "Label")
    destination = tmp_path / "exported.json"
    wallet.export_keystore(info.address, destination)
    exported = json.loads(destination.read_text())
    assert "x-dataprotector-desktop" not in exported
    assert stat.S_IMODE(destination.stat().st_mode) == 0o600
    assert Account.decrypt(exported, PASSWORD).hex() == KEY[2:]


def test_rename_changes_only_the_label(wallet: Wallet) -> None:
    info = wallet.import_private_key(KEY, PASSWORD, "Old")
    crypto_before = json.loads(info.keystore_path.read_text())["crypto"]
    renamed = wallet.rename(info.address.lower(), "  New   name ")
    assert renamed.label == "New name"
    assert wallet.account(info.address).label == "New name"
    assert json.loads(info.keystore_path.read_text())["crypto"] == crypto_before
    with pytest.raises(UserFacingError, match="at most 64"):
        wallet.rename(info.address, "x" * 65)


def test_wrong_password_leaves_everything_as_it_was(wallet: Wallet) -> None:
    info = wallet.import_private_key(KEY, PASSWORD)
    before = files_of(wallet.directory)
    with pytest.raises(WrongPassword, match="Wrong password") as caught:
        wallet.decrypt(info.address, "guess")
    assert isinstance(caught.value, UserFacingError)
    assert files_of(wallet.directory) == before


def test_a_damaged_keystore_is_named_and_the_others_still_work(wallet: Wallet) -> None:
    good = wallet.import_private_key(KEY, PASSWORD)
    broken = wallet.import_mnemonic(DEV_PHRASE, PASSWORD)
    broken.keystore_path.write_text('{"version": 3, "crypto": ')
    assert wallet.accounts() == [good]
    [problem] = wallet.damaged_files()
    assert str(broken.keystore_path) in str(problem)
    with pytest.raises(UserFacingError, match="damaged") as caught:
        wallet.decrypt(broken.address, PASSWORD)
    assert str(broken.keystore_path) in caught.value.what
    assert broken.keystore_path.read_text() == '{"version": 3, "crypto": '


def test_a_keystore_holding_another_address_is_damaged(wallet: Wallet) -> None:
    info = wallet.import_private_key(KEY, PASSWORD)
    other = json.loads(info.keystore_path.read_text())
    other["crypto"] = Account.encrypt(b"\x22" * 32, PASSWORD, kdf="scrypt", iterations=TEST_N)["crypto"]
    info.keystore_path.write_text(json.dumps(other))
    with pytest.raises(UserFacingError, match="key of another address"):
        wallet.decrypt(info.address, PASSWORD)


def test_unknown_accounts_and_non_addresses(wallet: Wallet) -> None:
    with pytest.raises(UserFacingError, match="not in this wallet"):
        wallet.decrypt(KEY_ADDRESS, PASSWORD)
    with pytest.raises(UserFacingError, match="not an Ethereum address"):
        wallet.account("0x1234")


def test_empty_password_is_refused(wallet: Wallet) -> None:
    with pytest.raises(UserFacingError, match="cannot be empty"):
        wallet.import_private_key(KEY, "")
    assert files_of(wallet.directory) == {}


def test_a_wallet_folder_that_cannot_exist(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(UserFacingError, match="Could not write"):
        Wallet(blocker / "wallet", scrypt_n=TEST_N).import_private_key(KEY, PASSWORD)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores directory permissions")
def test_a_read_only_wallet_folder(wallet: Wallet) -> None:
    wallet.directory.mkdir(mode=0o500)
    try:
        with pytest.raises(UserFacingError, match="Could not write"):
            wallet.import_private_key(KEY, PASSWORD)
    finally:
        wallet.directory.chmod(0o700)


def test_a_failed_write_leaves_no_half_written_file(wallet: Wallet, monkeypatch: pytest.MonkeyPatch) -> None:
    wallet.import_mnemonic(DEV_PHRASE, PASSWORD)
    before = files_of(wallet.directory)

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(UserFacingError, match="No space left"):
        wallet.import_private_key(KEY, PASSWORD)
    with pytest.raises(UserFacingError, match="No space left"):
        wallet.rename(DEV_ADDRESSES[0], "never written")
    assert files_of(wallet.directory) == before
