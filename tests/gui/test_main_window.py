"""The main window as a person meets it: launch, header, lock and auto-lock, shortcuts, names for screen
readers, and the first run from welcome to the empty Protected data page."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from desktop_app.core.errors import UserFacingError
from desktop_app.core.iexec.chain import PocoClient
from desktop_app.core.localnet.endpoints import SandboxEndpoints
from desktop_app.core.settings import AUTO_LOCK_SECONDS
from desktop_app.flows.progress import Reporter
from desktop_app.ui.context import AppContext
from desktop_app.ui.main_window import PAGES, MainWindow
from desktop_app.ui.network import Connection
from desktop_app.ui.unlock import UnlockDialog
from tests.gui.conftest import (
    PASSWORD,
    accessible_name_missing,
    import_dev_account,
    run_until,
    sandbox_connector,
    settle,
)

pytestmark = pytest.mark.slow
ACCOUNT = 1
Window = Callable[[AppContext], MainWindow]


def visible_unlock_dialogs(window: MainWindow) -> list[UnlockDialog]:
    return [d for d in window.findChildren(UnlockDialog) if d.isVisible()]


def test_the_header_shows_network_account_and_lock_state(
    make_context: Callable[..., AppContext],
    open_window: Window,
    sandbox: SandboxEndpoints,
    qloop: asyncio.AbstractEventLoop,
) -> None:
    context = make_context(sandbox_connector(sandbox))
    address = import_dev_account(context, sandbox, ACCOUNT)
    window = open_window(context)
    header = window.header
    run_until(qloop, lambda: window.state.profile is not None)
    assert header.network.text() == "● Local sandbox"
    assert "#7d7d7d" in header.network.styleSheet()
    assert header.account.text() == f"Dev {ACCOUNT} · {address[:6]}…{address[-4:]}"
    header.copy_button.click()
    assert QGuiApplication.clipboard().text() == address
    assert header.lock_button.text() == "Locked"

    header.lock_button.click()  # locked: the button unlocks
    run_until(qloop, lambda: visible_unlock_dialogs(window))
    dialog = visible_unlock_dialogs(window)[-1]
    dialog.password.setText(PASSWORD)
    dialog.unlock_button.click()
    run_until(qloop, lambda: header.lock_button.text() == "Unlocked")
    window.lock_action.trigger()  # Ctrl+L
    assert header.lock_button.text() == "Locked" and not window.state.session.is_unlocked  # type: ignore[union-attr]


def test_an_idle_session_locks_itself_the_header_follows_and_the_next_signature_asks_again(
    make_context: Callable[..., AppContext],
    open_window: Window,
    sandbox: SandboxEndpoints,
    qloop: asyncio.AbstractEventLoop,
    tmp_path: Path,
) -> None:
    context = make_context(sandbox_connector(sandbox))
    context.settings.set(AUTO_LOCK_SECONDS, 0.6)
    import_dev_account(context, sandbox, ACCOUNT)
    window = open_window(context)
    window.state.session.unlock(PASSWORD)  # type: ignore[union-attr]
    window.state.poll_lock()
    assert window.header.lock_button.text() == "Unlocked"
    run_until(qloop, lambda: window.header.lock_button.text() == "Locked", 5)
    assert not window.state.session.is_unlocked  # type: ignore[union-attr]
    data = tmp_path / "notes.txt"
    data.write_text("hello")
    window.protected_page.protect_paths([data])  # a protect signs: the password is asked again
    run_until(qloop, lambda: visible_unlock_dialogs(window))
    visible_unlock_dialogs(window)[-1].reject()
    run_until(qloop, lambda: not window.runner.operations)
    assert not window.state.session.is_unlocked  # type: ignore[union-attr]


def test_shortcuts_switch_pages(
    make_context: Callable[..., AppContext], open_window: Window, sandbox: SandboxEndpoints, qtbot: object
) -> None:
    context = make_context(sandbox_connector(sandbox))
    import_dev_account(context, sandbox, ACCOUNT)
    window = open_window(context)
    with qtbot.waitActive(window):  # type: ignore[attr-defined]
        window.activateWindow()
    for number, (key, title, _icon) in enumerate(PAGES):
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{number + 1}"), Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
        assert window.sidebar.currentItem().text() == title
        assert window.pages.currentWidget() is getattr(window, f"{key}_page")
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    assert window.pages.currentWidget() is window.apps_page
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    assert window.pages.currentWidget() is window.protected_page


def test_every_control_has_a_name_for_screen_readers(
    make_context: Callable[..., AppContext],
    open_window: Window,
    sandbox: SandboxEndpoints,
    qloop: asyncio.AbstractEventLoop,
) -> None:
    fresh = open_window(make_context(sandbox_connector(sandbox)))
    assert accessible_name_missing(fresh) == []
    context = make_context(sandbox_connector(sandbox))
    import_dev_account(context, sandbox, ACCOUNT)
    window = open_window(context)
    run_until(qloop, lambda: window.protected_page.index.loaded)
    assert accessible_name_missing(window) == []


def test_a_slow_start_shows_its_progress_and_a_failed_one_offers_retry(
    make_context: Callable[..., AppContext],
    open_window: Window,
    sandbox: SandboxEndpoints,
    qloop: asyncio.AbstractEventLoop,
) -> None:
    attempts: list[int] = []
    good = sandbox_connector(sandbox)

    async def flaky(name: str, report: Reporter) -> Connection:
        attempts.append(1)
        await asyncio.sleep(0.9)
        if len(attempts) == 1:
            raise UserFacingError("The sandbox stopped while starting.", "see its log")
        return await good(name, report)

    window = open_window(make_context(flaky, progress_delay_ms=300))
    banner = window.banner
    assert not banner.isVisible()
    run_until(qloop, banner.isVisible, 3)
    assert "Starting the local sandbox" in banner.title.text()
    assert window.header.network.text() == "Starting the local sandbox…"
    run_until(qloop, banner.retry_button.isVisible, 5)
    assert "stopped while starting" in banner.title.text() and "See its log." in banner.title.text()
    banner.retry_button.click()
    run_until(qloop, lambda: window.state.profile is not None, 10)
    assert not banner.isVisible()


def test_the_first_run_creates_a_funded_account_and_lands_on_protected_data(
    make_context: Callable[..., AppContext],
    open_window: Window,
    sandbox: SandboxEndpoints,
    qloop: asyncio.AbstractEventLoop,
) -> None:
    context = make_context(sandbox_connector(sandbox))
    window = open_window(context)
    wizard = window.first_run
    assert window.root.currentWidget() is wizard
    wizard.next_button.click()  # Get started
    wizard.create_button.click()
    wizard.password.setText("a calm walk in the park")
    wizard.confirmation.setText("a calm walk in the par")
    assert not wizard.next_button.isEnabled() and wizard.match.text() == "The passwords differ."
    wizard.confirmation.setText("a calm walk in the park")
    assert wizard.next_button.isEnabled()
    wizard.next_button.click()
    run_until(qloop, lambda: wizard.words_grid.count() == 12)
    words = [wizard.words_grid.itemAt(i).widget().text() for i in range(12)]  # type: ignore[union-attr]
    assert all(w.split(". ")[1].isalpha() for w in words)
    assert not wizard.next_button.isEnabled()  # not before "I have written it down"
    wizard.written.setChecked(True)
    wizard.next_button.click()

    assert window.root.currentWidget() is window.main_view
    page = window.protected_page
    run_until(qloop, lambda: page.stack.currentWidget() is page.empty)
    assert page.empty_button.isVisible() and page.empty_button.text() == "Choose a file…"
    assert wizard.words_grid.count() == 0  # the phrase left the widget tree
    address = context.wallet.accounts()[0].address
    assert window.state.session is not None and window.state.session.address == address
    profile = window.state.profile
    assert profile is not None

    async def balance() -> int:
        async with PocoClient(profile) as chain:
            return await chain.balance(address)

    run_until(qloop, lambda: not window.runner.operations, 30)
    assert settle(qloop, balance()) > 0


def test_the_window_remembers_its_geometry(
    make_context: Callable[..., AppContext], open_window: Window, sandbox: SandboxEndpoints
) -> None:
    context = make_context(sandbox_connector(sandbox))
    first = open_window(context)
    first.resize(700, 520)
    size = first.size()
    first.close()
    second = open_window(context)
    assert second.size() == size


def test_the_first_run_imports_an_existing_key(
    make_context: Callable[..., AppContext],
    open_window: Window,
    sandbox: SandboxEndpoints,
    qloop: asyncio.AbstractEventLoop,
) -> None:
    context = make_context(sandbox_connector(sandbox))
    window = open_window(context)
    wizard = window.first_run
    wizard.next_button.click()
    wizard.import_button.click()
    wizard.secret.setPlainText("not a key")
    assert not wizard.next_button.isEnabled() and "paste a private key" in wizard.problem.text().lower()
    account = sandbox.devAccounts[ACCOUNT]
    wizard.secret.setPlainText(account.privateKey)
    assert wizard.secret_kind.text() == "This looks like a private key."
    wizard.next_button.click()
    wizard.password.setText("a calm walk in the park")
    wizard.confirmation.setText("a calm walk in the park")
    assert wizard.next_button.text() == "Import account"
    wizard.next_button.click()
    run_until(qloop, lambda: window.root.currentWidget() is window.main_view)
    assert window.state.session is not None and window.state.session.address == account.address
    assert wizard.secret.toPlainText() == wizard.password.text() == ""  # no secret left in the widgets


def test_the_pages_off_screen_are_built_after_the_first_paint_and_catch_up(
    make_context: Callable[..., AppContext],
    open_window: Window,
    sandbox: SandboxEndpoints,
    qloop: asyncio.AbstractEventLoop,
) -> None:
    context = make_context(sandbox_connector(sandbox))
    import_dev_account(context, sandbox, 0)
    window = MainWindow(context)
    assert set(window._built) == {"protected", "apps", "access"}  # only what the first frame may show
    window.start()
    run_until(qloop, lambda: window.state.connection is not None)  # connected before they exist
    window.show()
    run_until(qloop, lambda: len(window._built) == len(PAGES))  # built once painted, nobody asking
    for number, (key, _title, _icon) in enumerate(PAGES):
        assert window.pages.widget(number) is window._built[key]
    window.go_to(3)
    assert window.pages.currentWidget() is window.runs_page
    run_until(qloop, lambda: window.runs_page.stack.currentWidget() is window.runs_page.empty, 30)
    window._quitting = True
    window.close()
