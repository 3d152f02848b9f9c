"""The Wallet page as a person uses it: accounts with their balances, copy, switch, add through the
wizard, export a keystore (password checked, file private), lock now."""

from __future__ import annotations

import asyncio
import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication

from desktop_app.core.localnet.endpoints import SandboxEndpoints
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages.wallet import BALANCE_COLUMN
from desktop_app.ui.pages.wallet_dialogs import AddAccountDialog, ExportDialog
from tests.gui.conftest import (
    PASSWORD,
    accessible_name_missing,
    run_until,
)

pytestmark = pytest.mark.slow
ACCOUNT = 1


def visible(window: MainWindow, kind: type) -> list:  # type: ignore[type-arg]
    return [d for d in window.findChildren(kind) if d.isVisible()]


@pytest.fixture
def window(account_window: Callable[[int], MainWindow]) -> MainWindow:
    window = account_window(ACCOUNT)
    window.go_to(5)
    assert window.pages.currentWidget() is window.wallet_page
    return window


def test_accounts_show_their_balance_copy_and_lock(
    window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    page = window.wallet_page
    session = window.state.session
    assert session is not None
    run_until(qloop, lambda: page.table.item(0, BALANCE_COLUMN).text().endswith(" RLC"), 30)
    assert page.table.rowCount() == 1
    assert page.table.item(0, 0).text() == f"Dev {ACCOUNT}"
    assert page.table.item(0, 1).text() == session.address
    assert page.table.item(0, 3).text() == "In use"
    assert float(page.table.item(0, BALANCE_COLUMN).text().split()[0]) > 0  # the sandbox funds dev accounts
    assert "Local sandbox" in page.subtitle.text()
    assert not page.use_button.isEnabled()  # already in use
    page.copy_button.click()
    assert QGuiApplication.clipboard().text() == session.address

    assert not page.lock_button.isEnabled()
    session.unlock(PASSWORD)
    window.state.poll_lock()
    assert page.lock_button.isEnabled()
    page.lock_button.click()
    assert not session.is_unlocked and window.header.lock_button.text() == "Locked"
    assert accessible_name_missing(page) == []


def test_export_checks_the_password_and_writes_a_private_keystore(
    window: MainWindow, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    page = window.wallet_page
    address = window.state.session.address  # type: ignore[union-attr]
    page.export_button.click()
    run_until(qloop, lambda: visible(window, ExportDialog))
    dialog: ExportDialog = visible(window, ExportDialog)[-1]
    assert accessible_name_missing(dialog) == []
    target = tmp_path / "out" / "backup.json"
    target.parent.mkdir()
    dialog.destination.setText(str(target))
    dialog.password.setText("not the password")
    dialog.export_button.click()
    run_until(qloop, lambda: dialog.error.isVisible())
    assert "Wrong password" in dialog.error.text() and not target.exists()

    dialog.password.setText(PASSWORD)
    dialog.export_button.click()
    run_until(qloop, lambda: not visible(window, ExportDialog))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    document = json.loads(target.read_text())
    assert document["address"].lower() == address.lower().removeprefix("0x")
    assert "x-dataprotector-desktop" not in document and document["crypto"]["kdf"] == "scrypt"
    run_until(qloop, lambda: str(target) in window.statusBar().currentMessage())


def test_add_an_account_through_the_wizard_then_switch_to_it(
    window: MainWindow, qloop: asyncio.AbstractEventLoop, sandbox: SandboxEndpoints
) -> None:
    page = window.wallet_page
    first = window.state.session.address  # type: ignore[union-attr]
    page.add_button.click()
    run_until(qloop, lambda: visible(window, AddAccountDialog))
    dialog: AddAccountDialog = visible(window, AddAccountDialog)[-1]
    wizard = dialog.wizard
    assert not wizard.back_button.isVisible()  # it starts at the choice: no welcome to go back to
    wizard.import_button.click()
    wizard.secret.setPlainText(sandbox.devAccounts[2].privateKey)
    wizard.next_button.click()
    wizard.password.setText(PASSWORD + " two")
    wizard.confirmation.setText(PASSWORD + " two")
    wizard.next_button.click()
    run_until(qloop, lambda: not visible(window, AddAccountDialog), 30)
    assert page.table.rowCount() == 2
    added = page.selected_account
    assert added is not None and added.address.lower() == sandbox.devAccounts[2].address.lower()
    assert window.state.session is not None and window.state.session.address == first  # not switched yet

    page.use_button.click()
    assert window.state.session.address == added.address
    assert window.header.account.text().startswith(added.label)
    assert page.table.item(1, 3).text() == "In use" and page.table.item(0, 3).text() == ""
    run_until(qloop, lambda: page.table.item(1, BALANCE_COLUMN).text().endswith(" RLC"), 30)


def test_cancelling_the_wizard_adds_nothing(window: MainWindow, qloop: asyncio.AbstractEventLoop) -> None:
    page = window.wallet_page
    page.add_button.click()
    run_until(qloop, lambda: visible(window, AddAccountDialog))
    visible(window, AddAccountDialog)[-1].reject()
    run_until(qloop, lambda: not visible(window, AddAccountDialog))
    assert page.table.rowCount() == 1 and len(window.context.wallet.accounts()) == 1
