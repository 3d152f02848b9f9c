"""GUI tests: pytest-qt offscreen, with a qasync loop per test (desktop-engineering.md §2.2, Pattern A).

Tests are synchronous. They click and type as a person does, then let the app's coroutines run with
``run_until(loop, condition)``, which spins the qasync loop until the condition holds or a timeout
fails the test. Never call qtbot's blocking waits inside a coroutine: that hangs forever.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import qasync
from keyring.backend import KeyringBackend
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from shiboken6 import Shiboken

from desktop_app.core.iexec.network import load_profile
from desktop_app.core.localnet.endpoints import SandboxEndpoints
from desktop_app.core.store.database import Database
from desktop_app.core.store.protect_jobs import ProtectJobs
from desktop_app.core.wallet import PasswordMemory, Wallet
from desktop_app.flows.progress import Reporter
from desktop_app.ui.context import AppContext
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.network import Connection, Connector
from desktop_app.ui.settings_store import file_settings
from desktop_app.ui.theme import apply_theme

T = TypeVar("T")
PASSWORD = "correct horse battery"
FAST_SCRYPT = 2**4


def run_until(loop: asyncio.AbstractEventLoop, condition: Callable[[], object], timeout: float = 20) -> None:
    """Spin the qasync loop (Qt events included) until ``condition()`` is true; fail after ``timeout``."""

    async def wait() -> None:
        while not condition():  # noqa: ASYNC110 - polls what a person would look at, not an event
            await asyncio.sleep(0.02)

    loop.run_until_complete(asyncio.wait_for(wait(), timeout))


def settle(loop: asyncio.AbstractEventLoop, awaitable: Awaitable[T], timeout: float = 60) -> T:
    """The result of ``awaitable`` run on the test's loop, or a failure after ``timeout`` (never a hang)."""
    return loop.run_until_complete(asyncio.wait_for(awaitable, timeout))


def spin(loop: asyncio.AbstractEventLoop, seconds: float) -> None:
    loop.run_until_complete(asyncio.sleep(seconds))


def top_dialogs(kind: type[QDialog] = QDialog) -> list[QDialog]:
    """The visible dialogs of that kind, newest last, wherever they are parented."""
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


class MemoryKeyring(KeyringBackend):
    """An OS keyring stand-in: remembers passwords in a dict (tests never touch a real keyring)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


def no_keyring() -> PasswordMemory:
    """What a machine without a usable OS keyring gives: "remember" unavailable, with a reason."""
    return PasswordMemory(environ={"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"})


def sandbox_connector(endpoints: SandboxEndpoints) -> Connector:
    async def connect(_name: str, _report: Reporter) -> Connection:
        return Connection(load_profile("local", sandbox=endpoints), endpoints)

    return connect


async def never_connects(_name: str, _report: Reporter) -> Connection:
    """For tests that need no network: the connection stays pending until the test ends."""
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


class SpinningLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync's loop, still "running" between spins.

    ``run_until_complete`` processes Qt events once more after the loop stopped, and pytest-qt processes
    events at teardown; an asyncio callback run there sees no running loop, and anyio (inside httpx)
    fails with NoEventLoopError. The app itself never stops its loop while working, so tests mark the
    loop as running for their whole duration instead.
    """

    def run_forever(self) -> None:
        try:
            super().run_forever()
        finally:
            asyncio.events._set_running_loop(self)


@pytest.fixture(scope="session", autouse=True)
def themed_app(qapp: QApplication) -> QApplication:
    apply_theme(qapp)
    return qapp


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    loop = SpinningLoop(qapp)
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(loop)
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.wait(pending, timeout=10))
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            widget.close()
    asyncio.events._set_running_loop(None)
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def make_context(tmp_path: Path) -> Callable[..., AppContext]:
    def make(connect: Connector = never_connects, **overrides: object) -> AppContext:
        values: dict[str, object] = {
            "wallet": Wallet(tmp_path / "wallet", scrypt_n=FAST_SCRYPT),
            "jobs": ProtectJobs(Database(tmp_path / "app.sqlite3")),
            "memory": no_keyring(),
            "work_dir": tmp_path / "work",
            "settings": file_settings(tmp_path / "settings.ini"),
            "connect": connect,
            "review_arm_delay_ms": 300,
        }
        values.update(overrides)
        return AppContext(**values)  # type: ignore[arg-type]

    return make


@pytest.fixture
def open_window(
    qtbot: object, qloop: asyncio.AbstractEventLoop
) -> Iterator[Callable[[AppContext], MainWindow]]:
    windows: list[MainWindow] = []

    def make(context: AppContext) -> MainWindow:
        window = MainWindow(context)
        windows.append(window)
        window.show()
        window.start()
        return window

    yield make
    # Let running work end by itself before anything is cancelled: a task cancelled inside a web3
    # request can leave web3's process-wide session lock held, and every later test would hang.
    for window in windows:
        window.runner.shutdown(cancel_tasks=False)
    with contextlib.suppress(TimeoutError):  # whatever still runs after that is cancelled below
        run_until(qloop, lambda: not any(w.runner.operations for w in windows if Shiboken.isValid(w)), 30)
    for window in windows:
        if Shiboken.isValid(window):
            window.runner.shutdown()
    pending = [t for t in asyncio.all_tasks(qloop) if not t.done()]
    if pending:
        qloop.run_until_complete(asyncio.wait(pending, timeout=10))
    for window in windows:
        if Shiboken.isValid(window):
            window._quitting = True
            window.close()
            window.deleteLater()


def import_dev_account(context: AppContext, endpoints: SandboxEndpoints, index: int) -> str:
    """A funded sandbox account (indexes 0..2 are the GUI tests'), encrypted with ``PASSWORD``."""
    key = endpoints.devAccounts[index].privateKey
    return context.wallet.import_private_key(key, PASSWORD, f"Dev {index}").address


def accessible_name_missing(root: QWidget) -> list[str]:
    """Buttons, item views and line edits under ``root`` that a screen reader could not name."""
    from PySide6.QtGui import QAccessible
    from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QLineEdit

    missing = []
    for kind in (QAbstractButton, QAbstractItemView, QLineEdit):
        for widget in root.findChildren(kind):
            interface = QAccessible.queryAccessibleInterface(widget)
            name = interface.text(QAccessible.Text.Name) if interface is not None else ""
            if not name.strip():
                text = widget.text() if hasattr(widget, "text") else ""
                missing.append(f"{type(widget).__name__} {widget.objectName()!r} text={text!r}")
    return missing


def sign_review(window: QWidget, loop: asyncio.AbstractEventLoop, starts: str, timeout: float = 60) -> str:
    """Sign the next review dialog as a person does: wait for it, check what it says, wait for Sign to
    arm, click it. Returns the sentence shown."""
    from desktop_app.ui.review import ReviewDialog

    def shown() -> list[ReviewDialog]:
        return [d for d in window.findChildren(ReviewDialog) if d.isVisible()]

    run_until(loop, shown, timeout)
    review = shown()[-1]
    text = review.sentence.text()
    assert text.startswith(starts), text
    run_until(loop, lambda: review.armed, 10)
    review.sign_button.click()
    return text


def protect_and_wait(window: MainWindow, loop: asyncio.AbstractEventLoop, path: Path) -> None:
    """Protect ``path`` from the Protected data page of an unlocked window, signing its registration."""
    from desktop_app.ui.pages.protected_rows import DisplayState

    page = window.protected_page
    page.protect_paths([path])
    sign_review(window, loop, f"Register {path.name} as your protected data")
    run_until(loop, lambda: (r := page.selected_row) is not None and r.state == DisplayState.PROTECTED, 60)


@pytest.fixture
def account_window(
    make_context: Callable[..., AppContext],
    open_window: Callable[[AppContext], MainWindow],
    sandbox: SandboxEndpoints,
    qloop: asyncio.AbstractEventLoop,
) -> Callable[[int], MainWindow]:
    """Open a window on the session's sandbox with dev account ``index`` (locked), once its pages load."""

    def make(index: int) -> MainWindow:
        context = make_context(sandbox_connector(sandbox))
        import_dev_account(context, sandbox, index)
        window = open_window(context)
        run_until(qloop, lambda: window.protected_page.index.loaded, 30)
        return window

    return make
