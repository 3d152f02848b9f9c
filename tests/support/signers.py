"""Test doubles that stand in for the app's own objects where a test needs only their protocol role."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from keyring.backend import KeyringBackend
from keyring.compat import properties

from desktop_app.core.wallet.signing import FeeData, SignedTx, TxRequest, sign_transaction


class KeySigner:
    """A bare key as a transaction signer (the wallet's role), to register assets the tests then use."""

    def __init__(self, account: LocalAccount) -> None:
        self.account = account
        self.address = account.address

    def sign_transaction(self, tx: TxRequest, fees: FeeData) -> SignedTx:
        return sign_transaction(self.account, tx, fees)


class MemoryKeyring(KeyringBackend):
    """A keyring in a dict, for one test: never the real OS store, never a file."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test backend, only used when injected")

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.entries[(service, username)]
