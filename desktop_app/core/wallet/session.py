"""An unlocked account: the only place a decrypted private key lives, and only for as long as it is used.

``unlock`` decrypts the keystore (about a second of scrypt: run it in an executor). Every use counts as
activity; after ``idle_timeout`` seconds without any, the session locks itself. Expiry is checked on each
access, so nothing can sign with an expired session; the UI should also read ``is_unlocked`` from a
timer, which drops the key on time even when nobody touches the wallet and refreshes its lock icon.

Locking drops the only reference the session holds to the key object. Python cannot overwrite immutable
bytes in place, so the memory is freed, not zeroed; the point is that no code path can reach the key
after a lock. Signing while locked raises ``WalletLocked`` (a ``UserFacingError``), which the UI catches
to open the unlock dialog and retry.

The session is safe to use from the GUI thread and an executor thread at the same time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from desktop_app.core.wallet import signing
from desktop_app.core.wallet.accounts import Wallet, checksum
from desktop_app.core.wallet.errors import WalletLocked, WrongPassword
from desktop_app.core.wallet.keyring_policy import PasswordMemory
from desktop_app.core.wallet.signing import FeeData, SignedTx, TxRequest

if TYPE_CHECKING:  # eth_account loads with the first unlock: startup budget, see ui/app.py
    from eth_account.datastructures import SignedMessage
    from eth_account.signers.local import LocalAccount
    from eth_typing import ChecksumAddress

DEFAULT_IDLE_TIMEOUT = 5 * 60.0


class WalletSession:
    """One account of a wallet, locked or unlocked. ``repr`` and ``str`` never show key material."""

    def __init__(
        self,
        wallet: Wallet,
        address: str,
        *,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if idle_timeout <= 0:
            raise ValueError("idle_timeout must be positive")
        self.wallet = wallet
        self.address: ChecksumAddress = checksum(address)
        self.idle_timeout = idle_timeout
        self._clock = clock
        self._guard = threading.Lock()
        self._account: LocalAccount | None = None
        self._last_activity = 0.0

    def __repr__(self) -> str:
        state = "unlocked" if self.is_unlocked else "locked"
        return f"WalletSession({self.address}, {state})"

    @property
    def is_unlocked(self) -> bool:
        """False once the idle time has passed; reading it is what performs the auto-lock."""
        with self._guard:
            return self._live_account() is not None

    def unlock(self, password: str) -> None:
        """Decrypt the keystore into memory; ``WrongPassword`` leaves the session locked. Slow (scrypt)."""
        account = self.wallet.decrypt(self.address, password)
        with self._guard:
            self._account = account
            self._last_activity = self._clock()

    def unlock_remembered(self, memory: PasswordMemory) -> bool:
        """Unlock with a password remembered in the OS keyring. Slow (scrypt).

        False when nothing is remembered or the keyring is unavailable; a remembered password that no
        longer works is forgotten, and False tells the UI to ask for it instead.
        """
        password = memory.recall(self.address)
        if password is None:
            return False
        try:
            self.unlock(password)
        except WrongPassword:
            memory.forget(self.address)
            return False
        return True

    def lock(self) -> None:
        with self._guard:
            self._account = None

    def touch(self) -> None:
        """Record user activity, postponing the auto-lock. Does nothing to a locked (or expired) session."""
        with self._guard:
            if self._live_account() is not None:
                self._last_activity = self._clock()

    def seconds_until_lock(self) -> float | None:
        """For a countdown in the UI; None when locked."""
        with self._guard:
            if self._live_account() is None:
                return None
            return max(0.0, self._last_activity + self.idle_timeout - self._clock())

    def account(self) -> LocalAccount:
        """The unlocked eth_account account, for core helpers that take one (orders, SMS and market auth).

        Use it for one operation and drop it: holding on to it would outlive the auto-lock.
        """
        with self._guard:
            account = self._live_account()
            if account is None:
                raise WalletLocked(self.address)
            self._last_activity = self._clock()
            return account

    def sign_message(self, message: str | bytes) -> SignedMessage:
        """EIP-191 personal_sign of text or raw bytes (see ``signing.sign_message``)."""
        return signing.sign_message(self.account(), message)

    def sign_typed_data(self, typed_data: Mapping[str, Any]) -> SignedMessage:
        """EIP-712 over a full typed-data document."""
        return signing.sign_typed_data(self.account(), typed_data)

    def sign_transaction(self, tx: TxRequest, fees: FeeData) -> SignedTx:
        """A raw EIP-1559 or legacy transaction, by ``fees`` (see ``signing.sign_transaction``)."""
        return signing.sign_transaction(self.account(), tx, fees)

    def _live_account(self) -> LocalAccount | None:
        """The key if unlocked and not idle for too long; expiry locks here. Call with the guard held."""
        if self._account is not None and self._clock() - self._last_activity >= self.idle_timeout:
            self._account = None
        return self._account
