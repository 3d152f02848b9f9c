"""Unlocking before signing: wrong password, the keyring's visible fallback, and "remember"."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from desktop_app.core.errors import UserCancelled
from desktop_app.core.wallet import PasswordMemory, Wallet, WalletSession
from desktop_app.ui.unlock import UnlockDialog, ensure_unlocked
from tests.gui.conftest import (
    FAST_SCRYPT,
    PASSWORD,
    MemoryKeyring,
    accessible_name_missing,
    no_keyring,
    run_until,
)

KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"


@pytest.fixture
def session(tmp_path: Path) -> WalletSession:
    wallet = Wallet(tmp_path / "wallet", scrypt_n=FAST_SCRYPT)
    return WalletSession(wallet, wallet.import_private_key(KEY, PASSWORD, "Savings").address)


@pytest.fixture
def window(qtbot: object, qloop: asyncio.AbstractEventLoop) -> Iterator[QWidget]:
    widget = QWidget()
    widget.show()
    yield widget
    widget.close()
    widget.deleteLater()


def start(
    session: WalletSession, memory: PasswordMemory, window: QWidget, loop: asyncio.AbstractEventLoop
) -> tuple[asyncio.Task[WalletSession], UnlockDialog]:
    task = loop.create_task(ensure_unlocked(session, memory, window, "to sign."))
    run_until(loop, lambda: [d for d in window.findChildren(UnlockDialog) if d.isVisible()])
    return task, window.findChildren(UnlockDialog)[-1]


def test_a_wrong_password_is_said_and_cleared_as_soon_as_the_user_types_again(
    session: WalletSession, window: QWidget, qloop: asyncio.AbstractEventLoop
) -> None:
    task, dialog = start(session, no_keyring(), window, qloop)
    assert any("Savings" in label.text() for label in dialog.findChildren(type(dialog.error)))
    dialog.password.setText("nope")
    dialog.unlock_button.click()
    run_until(qloop, lambda: dialog.error.isVisible())
    assert "Wrong password" in dialog.error.text() and not session.is_unlocked
    assert dialog.isVisible() and dialog.unlock_button.isEnabled()
    dialog.password.textEdited.emit("x")
    assert not dialog.error.isVisible()
    dialog.password.setText(PASSWORD)
    dialog.unlock_button.click()
    run_until(qloop, task.done)
    assert task.result() is session and session.is_unlocked


def test_without_a_keyring_remember_is_disabled_and_says_why(
    session: WalletSession, window: QWidget, qloop: asyncio.AbstractEventLoop
) -> None:
    task, dialog = start(session, no_keyring(), window, qloop)
    run_until(qloop, lambda: "Not available" in dialog.keyring_note.text())
    assert not dialog.remember.isEnabled()
    assert "asked for the password each time" in dialog.keyring_note.text()
    assert accessible_name_missing(dialog) == []
    dialog.reject()
    run_until(qloop, task.done)
    assert isinstance(task.exception(), UserCancelled) and not session.is_unlocked


def test_a_remembered_password_unlocks_next_time_without_asking(
    session: WalletSession, window: QWidget, qloop: asyncio.AbstractEventLoop
) -> None:
    keyring = MemoryKeyring()
    memory = PasswordMemory(keyring)
    task, dialog = start(session, memory, window, qloop)
    run_until(qloop, dialog.remember.isEnabled)
    dialog.remember.setChecked(True)
    dialog.password.setText(PASSWORD)
    dialog.unlock_button.click()
    run_until(qloop, task.done)
    assert list(keyring.secrets.values()) == [PASSWORD]

    session.lock()
    again = qloop.create_task(ensure_unlocked(session, memory, window, "to sign."))
    run_until(qloop, again.done)
    assert session.is_unlocked
    assert not [d for d in window.findChildren(UnlockDialog) if d.isVisible()]
