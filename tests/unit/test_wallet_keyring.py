"""The "remember password" policy: allow-listed OS keyrings only, and every failure is a status, not a raise.

The backends here are injected into one ``PasswordMemory``; keyring's global backend is never set. Their
``priority`` raises so that keyring's own chooser (which registers every subclass) can never pick them.
"""

from __future__ import annotations

from pathlib import Path

import keyring
import keyring.core
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked

from desktop_app.core.wallet import ALLOWED_BACKENDS, PasswordMemory, Wallet, WalletSession
from tests.support.signers import MemoryKeyring

ADDRESS = "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A"


class LockedKeyring(MemoryKeyring):
    """Like a Secret Service collection nobody unlocked: every call fails."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.calls += 1
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls += 1
        raise KeyringLocked("Failed to unlock the collection!")


def test_remember_recall_forget_round_trip() -> None:
    backend = MemoryKeyring()
    memory = PasswordMemory(backend)
    assert memory.status.available
    assert memory.recall(ADDRESS) is None
    assert memory.remember(ADDRESS, "hunter2").available
    assert backend.entries == {("DataProtector Desktop", ADDRESS.lower()): "hunter2"}
    assert memory.recall(ADDRESS.upper().replace("0X", "0x")) == "hunter2"
    memory.forget(ADDRESS)
    memory.forget(ADDRESS)  # forgetting twice is fine
    assert memory.recall(ADDRESS) is None
    assert "hunter2" not in repr(memory)


def test_a_locked_keyring_turns_the_feature_off_without_raising() -> None:
    backend = LockedKeyring()
    memory = PasswordMemory(backend)
    status = memory.remember(ADDRESS, "hunter2")
    assert not status.available
    assert status.message.startswith("remember password unavailable: could not store the password")
    assert "KeyringLocked" in status.reason
    assert "hunter2" not in status.message
    # Fail closed: the broken backend is not called again (no D-Bus round-trip or prompt per unlock)...
    assert memory.recall(ADDRESS) is None
    memory.forget(ADDRESS)
    assert backend.calls == 1
    # ...until the user asks to try again.
    assert memory.retry().available
    assert memory.recall(ADDRESS) is None
    assert backend.calls == 2


@pytest.mark.parametrize(
    "forced",
    [
        "keyrings.alt.file.PlaintextKeyring",
        "keyring.backends.chainer.ChainerBackend",
        "keyring.backends.null.Keyring",
    ],
)
def test_backend_forced_outside_the_allow_list_is_rejected(forced: str) -> None:
    memory = PasswordMemory(environ={"PYTHON_KEYRING_BACKEND": forced})
    assert not memory.status.available
    assert f"PYTHON_KEYRING_BACKEND={forced} is not an allowed OS keyring" in memory.status.message
    assert memory.remember(ADDRESS, "hunter2") == memory.status
    assert memory.recall(ADDRESS) is None


def test_an_allowed_backend_that_cannot_work_here_is_a_reason_not_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    memory = PasswordMemory(environ={"PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring"})
    assert not memory.status.available
    assert memory.status.reason.startswith("no secure OS keyring (SecretService:")
    assert memory.recall(ADDRESS) is None


def test_automatic_choice_is_an_allow_listed_backend_or_nothing() -> None:
    status = PasswordMemory(environ={}).status
    assert status.backend in ALLOWED_BACKENDS if status.available else status.reason
    assert "chainer" not in status.backend and "keyrings.alt" not in status.backend


def test_keyring_global_chooser_is_never_used(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden() -> KeyringBackend:
        raise AssertionError("the chainer/default chooser could fall through to a file backend")

    monkeypatch.setattr(keyring.core, "get_keyring", forbidden)
    monkeypatch.setattr(keyring, "get_keyring", forbidden)
    PasswordMemory(MemoryKeyring()).remember(ADDRESS, "x")
    PasswordMemory(environ={}).recall(ADDRESS)


def test_unlock_with_a_remembered_password(tmp_path: Path) -> None:
    wallet = Wallet(tmp_path, scrypt_n=2**4)
    address = wallet.import_private_key("0x" + "11" * 32, "right").address
    memory = PasswordMemory(MemoryKeyring())
    session = WalletSession(wallet, address)
    assert not session.unlock_remembered(memory)  # nothing remembered yet
    memory.remember(address, "right")
    assert session.unlock_remembered(memory)
    assert session.is_unlocked


def test_a_remembered_password_that_stopped_working_is_forgotten(tmp_path: Path) -> None:
    wallet = Wallet(tmp_path, scrypt_n=2**4)
    address = wallet.import_private_key("0x" + "11" * 32, "right").address
    memory = PasswordMemory(MemoryKeyring())
    memory.remember(address, "stale")
    session = WalletSession(wallet, address)
    assert not session.unlock_remembered(memory)
    assert not session.is_unlocked
    assert memory.recall(address) is None


def test_an_unavailable_keyring_means_asking_each_time(tmp_path: Path) -> None:
    wallet = Wallet(tmp_path, scrypt_n=2**4)
    address = wallet.import_private_key("0x" + "11" * 32, "right").address
    session = WalletSession(wallet, address)
    memory = PasswordMemory(LockedKeyring())
    assert not session.unlock_remembered(memory)
    assert not session.is_unlocked
    assert "KeyringLocked" in memory.status.message
