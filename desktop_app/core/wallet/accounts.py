"""The wallet folder: a set of accounts, each one encrypted keystore file with a user label.

Layout (the folder is 0700, every file 0600, every write atomic):

- ``0x<address>.keystore.json``: a standard v3 keystore (scrypt) plus one extra field,
  ``x-dataprotector-desktop``, holding the label and creation time. Keeping the label inside the
  keystore means an account is exactly one file: nothing to keep in sync, and a damaged file affects
  that account alone. The extra field is removed on export, so other wallets see a plain keystore.
- ``0x<address>.result-key.json``: the account's RSA result key (see ``result_key``).

The recovery phrase of a created account is returned once, for the UI to show, and never stored: keeping
it would mean a second secret to encrypt and protect for a rarely used convenience. More accounts from
the same phrase are added by importing it again with another index.

Methods that run scrypt (create, import, unlock) take about a second: call them from an executor.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.core.eip55 import is_address, to_checksum_address
from desktop_app.core.errors import UserFacingError
from desktop_app.core.wallet import recovery
from desktop_app.core.wallet.errors import AccountExists, damaged_file
from desktop_app.core.wallet.keystore import (
    PRODUCTION_SCRYPT_N,
    declared_address,
    decrypt_keystore,
    encrypt_key,
    parse_keystore,
    read_keystore,
)
from desktop_app.core.wallet.storage import default_wallet_dir, write_private_json

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from eth_typing import ChecksumAddress

log = logging.getLogger(__name__)

KEYSTORE_SUFFIX = ".keystore.json"
_META = "x-dataprotector-desktop"
MAX_LABEL_LENGTH = 64


@dataclass(frozen=True)
class AccountInfo:
    """What the UI lists about an account; nothing secret."""

    address: ChecksumAddress
    label: str
    created_at: float
    keystore_path: Path


@dataclass(frozen=True)
class NewAccount:
    """A freshly created account and its recovery phrase, which the UI shows once and then drops."""

    account: AccountInfo
    mnemonic: str = field(repr=False)


class Wallet:
    """The accounts of one wallet folder. Holds no secret itself: keys are decrypted only by ``decrypt``."""

    def __init__(
        self,
        directory: Path | None = None,
        *,
        scrypt_n: int = PRODUCTION_SCRYPT_N,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``scrypt_n`` is the cost of keystores this wallet writes: tests lower it, the app keeps 2**18."""
        self.directory = directory if directory is not None else default_wallet_dir()
        self._scrypt_n = scrypt_n
        self._clock = clock

    def __repr__(self) -> str:
        return f"Wallet({str(self.directory)!r})"

    def keystore_path(self, address: str) -> Path:
        return self.directory / f"{checksum(address).lower()}{KEYSTORE_SUFFIX}"

    def accounts(self) -> list[AccountInfo]:
        """The readable accounts, oldest first; damaged files are skipped (``damaged_files`` lists them)."""
        return self._scan()[0]

    def damaged_files(self) -> list[UserFacingError]:
        """One error per keystore file that cannot be read, each naming its file, for the UI to warn about."""
        return self._scan()[1]

    def account(self, address: str) -> AccountInfo:
        path = self._existing_path(address)
        return self._info(path, read_keystore(path))

    def create_account(self, password: str, label: str = "", *, words: int = 12) -> NewAccount:
        """A new account from a new recovery phrase (index 0). Slow (scrypt)."""
        phrase = recovery.new_mnemonic(words)
        info = self._add(recovery.key_from_mnemonic(phrase, 0), password, label)
        return NewAccount(info, phrase)

    def import_private_key(self, private_key: str, password: str, label: str = "") -> AccountInfo:
        """Add the account of a pasted private key, encrypted under ``password``. Slow (scrypt)."""
        return self._add(recovery.parse_private_key(private_key), password, label)

    def import_mnemonic(self, phrase: str, password: str, label: str = "", *, index: int = 0) -> AccountInfo:
        """Add account ``index`` (m/44'/60'/0'/0/index) of a recovery phrase. Slow (PBKDF2 + scrypt)."""
        return self._add(recovery.key_from_mnemonic(phrase, index), password, label)

    def import_keystore(
        self, keystore: str | bytes, keystore_password: str, label: str = "", *, password: str | None = None
    ) -> AccountInfo:
        """Add the account of a v3 keystore from another wallet. Slow (its KDF, then ours).

        The key is re-encrypted with this app's scrypt cost, under ``password`` if given (else the
        keystore's own password), so a weak PBKDF2 keystore does not stay weak here.
        """
        document = parse_keystore(keystore, "The keystore")
        claimed = declared_address(document)
        if claimed is not None:
            self._refuse_duplicate(claimed)
        key = decrypt_keystore(document, keystore_password, "The keystore", "this keystore")
        return self._add(key, keystore_password if password is None else password, label)

    def export_keystore(self, address: str, destination: Path) -> None:
        """Write the account's keystore (same password, without our label field) to ``destination``."""
        document = read_keystore(self._existing_path(address))
        document.pop(_META, None)
        write_private_json(destination, document, replace=True)
        log.info("Exported the keystore of %s to %s", checksum(address), destination)

    def rename(self, address: str, label: str) -> AccountInfo:
        """Change an account's label; the encrypted key is rewritten byte for byte, atomically."""
        path = self._existing_path(address)
        document = read_keystore(path)
        info = self._info(path, document)
        meta = document.get(_META)
        document[_META] = {
            **(meta if isinstance(meta, dict) else {}),
            "label": _clean_label(label) or info.label,
        }
        write_private_json(path, document, replace=True)
        return self._info(path, document)

    def decrypt(self, address: str, password: str) -> LocalAccount:
        """The account's key, for ``WalletSession.unlock``; raises ``WrongPassword``. Slow (scrypt)."""
        from eth_account import Account  # deferred, like every eth_account use: startup budget, see ui/app.py

        path = self._existing_path(address)
        key = decrypt_keystore(read_keystore(path), password, path, checksum(address))
        account: LocalAccount = Account.from_key(key)
        if account.address != checksum(address):
            raise damaged_file(path, "it holds the key of another address")
        return account

    def _add(self, key: bytes, password: str, label: str) -> AccountInfo:
        if not password:
            raise UserFacingError("The password cannot be empty.", "choose a password to encrypt the account")
        from eth_account import Account

        address = Account.from_key(key).address
        self._refuse_duplicate(address)
        document: dict[str, Any] = encrypt_key(key, password, self._scrypt_n)
        document[_META] = {
            "label": _clean_label(label) or f"Account {len(self.accounts()) + 1}",
            "created_at": self._clock(),
        }
        path = self.keystore_path(address)
        try:
            write_private_json(path, document, replace=False)
        except FileExistsError:
            raise AccountExists(address) from None
        log.info("Added account %s to %s", address, path)
        return self._info(path, document)

    def _existing_path(self, address: str) -> Path:
        path = self.keystore_path(address)
        if not path.exists():
            raise UserFacingError(f"The account {checksum(address)} is not in this wallet.")
        return path

    def _refuse_duplicate(self, address: str) -> None:
        """Checked before the slow KDF so a duplicate is reported at once (the write re-checks atomically)."""
        if self.keystore_path(address).exists():
            raise AccountExists(checksum(address))

    def _scan(self) -> tuple[list[AccountInfo], list[UserFacingError]]:
        accounts: list[AccountInfo] = []
        damaged: list[UserFacingError] = []
        paths = sorted(self.directory.glob(f"0x*{KEYSTORE_SUFFIX}")) if self.directory.is_dir() else []
        for path in paths:
            try:
                accounts.append(self._info(path, read_keystore(path)))
            except UserFacingError as exc:
                log.warning("Skipping a damaged keystore: %s", exc.what)
                damaged.append(exc)
        accounts.sort(key=lambda info: (info.created_at, info.address))
        return accounts, damaged

    def _info(self, path: Path, document: dict[str, Any]) -> AccountInfo:
        name = path.name.removesuffix(KEYSTORE_SUFFIX)
        address = declared_address(document)
        if address is None or address.lower() != name.lower():
            raise damaged_file(path, "its address does not match its file name")
        meta = document.get(_META)
        meta = meta if isinstance(meta, dict) else {}
        label = meta.get("label")
        created_at = meta.get("created_at")
        return AccountInfo(
            address=to_checksum_address(address),
            label=label if isinstance(label, str) and label else f"Account {address[:8]}…",
            created_at=float(created_at) if isinstance(created_at, int | float) else path.stat().st_mtime,
            keystore_path=path,
        )


def checksum(address: str) -> ChecksumAddress:
    """An address as EIP-55, or a ``UserFacingError`` for something that is not an address."""
    if not is_address(address):
        raise UserFacingError(f"{address!r} is not an Ethereum address.")
    return to_checksum_address(address)


def _clean_label(label: str) -> str:
    cleaned = " ".join(label.split())
    if len(cleaned) > MAX_LABEL_LENGTH:
        raise UserFacingError(
            f"A label can be at most {MAX_LABEL_LENGTH} characters long.", "choose a shorter label"
        )
    return cleaned
