"""Protected data, as a person uses it: drop files on the window, unlock, watch the steps, see the result."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from desktop_app.core.localnet.endpoints import SandboxEndpoints
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.network import Connection
from desktop_app.ui.pages.protected_rows import DisplayState
from desktop_app.ui.review import ReviewDialog
from desktop_app.ui.unlock import UnlockDialog
from tests.gui.conftest import (
    PASSWORD,
    run_until,
    sign_review,
    top_dialogs,
)
from tests.gui.events import drag_enter

pytestmark = pytest.mark.slow
ACCOUNT = 0


def drag_files(window: MainWindow, paths: list[Path]) -> tuple[QDragEnterEvent, QDropEvent, QMimeData]:
    """A drag of ``paths`` entering the window, then the drop (desktop-engineering.md §2.1).

    The events only point at the mime data: the caller keeps it alive until the drop is sent.
    """
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    center = QPointF(window.rect().center())
    enter = drag_enter(center, mime)
    QApplication.sendEvent(window, enter)
    drop = QDropEvent(
        center, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    return enter, drop, mime


def unlock_when_asked(loop: asyncio.AbstractEventLoop, password: str = PASSWORD) -> UnlockDialog:
    run_until(loop, lambda: top_dialogs(UnlockDialog) or _window_dialogs(UnlockDialog))
    dialog = (top_dialogs(UnlockDialog) or _window_dialogs(UnlockDialog))[-1]
    dialog.password.setText(password)
    dialog.unlock_button.click()
    return dialog


def _window_dialogs(kind: type) -> list:  # type: ignore[type-arg]
    return [w for top in QApplication.topLevelWidgets() for w in top.findChildren(kind) if w.isVisible()]


@pytest.fixture
def window(account_window: Callable[[int], MainWindow]) -> MainWindow:
    return account_window(ACCOUNT)


def test_a_dropped_file_is_protected_after_unlocking(
    window: MainWindow, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    csv = tmp_path / "bank.csv"
    csv.write_text("date,amount\n2024-01-01,12.5\n")
    page = window.protected_page

    enter, drop, _mime = drag_files(window, [csv])
    assert enter.isAccepted()
    assert page.empty.property("active") is True or page.stack.currentWidget() is page.content
    QApplication.sendEvent(window, drop)
    assert drop.isAccepted()

    unlock_when_asked(qloop)
    sign_review(window, qloop, "Register bank.csv as your protected data on Local sandbox")
    run_until(qloop, lambda: (r := page.selected_row) is not None and r.state == DisplayState.PROTECTED, 60)
    row = page.selected_row
    assert row is not None and row.name == "bank.csv"
    assert row.address.startswith("0x") and len(row.address) == 42
    detail = page.detail
    assert detail.state.text() == "Protected"
    assert detail.fields["address"].full_text() == row.address
    assert detail.fields["checksum"].full_text().startswith("0x")
    assert detail.fields["source"].full_text() == str(csv.resolve())
    run_until(qloop, lambda: detail.fields["grants"].full_text() == "none: no iApp may use it", 30)
    assert detail.fields["runs"].full_text() == "none yet"
    assert not detail.retry_button.isVisible()
    assert window.header.lock_button.text() == "Unlocked"
    assert not top_dialogs(QMessageBox)


def test_the_checklist_follows_the_steps_while_protecting(
    window: MainWindow, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    big = tmp_path / "photos"
    big.mkdir()
    (big / "a.bin").write_bytes(b"\x01" * (24 << 20))
    page = window.protected_page
    window.state.session.unlock(PASSWORD)  # type: ignore[union-attr]
    page.protect_paths([big])
    seen: set[str] = set()

    def watch(until: DisplayState) -> Callable[[], bool]:
        def seen_until() -> bool:
            row = page.selected_row
            if row is not None:
                seen.add(row.state.value)
            return row is not None and row.state == until

        return seen_until

    run_until(qloop, watch(DisplayState.REGISTERING), 90)
    sign_review(window, qloop, "Register photos as your protected data")
    run_until(qloop, watch(DisplayState.PROTECTED), 90)
    assert "protected" in seen
    assert seen & {"encrypting", "uploading"}  # one at a time, or both at once: the upload streams
    steps = page.detail.checklist
    assert not steps.isVisible()  # done: the checklist gives way to the facts


def test_a_text_drag_is_refused(window: MainWindow) -> None:
    mime = QMimeData()
    mime.setText("not a file")
    enter = drag_enter(QPointF(window.rect().center()), mime)
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()


def test_ctrl_o_opens_a_file_dialog_that_starts_a_protect(
    window: MainWindow, qloop: asyncio.AbstractEventLoop, qtbot: object, tmp_path: Path
) -> None:
    note = tmp_path / "note.txt"
    note.write_text("hello")
    with qtbot.waitActive(window):  # type: ignore[attr-defined]
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    dialog = window.protected_page._file_dialog
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    dialog.filesSelected.emit([str(note)])
    dialog.close()
    unlock_when_asked(qloop)
    sign_review(window, qloop, "Register note.txt")
    page = window.protected_page
    run_until(qloop, lambda: any(r.name == "note.txt" for r in page.index.rows()))


def test_cancelling_the_unlock_leaves_nothing_behind(
    window: MainWindow, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    doc = tmp_path / "cancelled.txt"
    doc.write_text("x")
    page = window.protected_page
    page.protect_paths([doc])
    run_until(qloop, lambda: _window_dialogs(UnlockDialog))
    _window_dialogs(UnlockDialog)[-1].reject()
    run_until(qloop, lambda: not page.operations)
    assert all(r.name != "cancelled.txt" for r in page.index.rows())
    assert not top_dialogs(QMessageBox) and not _window_dialogs(QMessageBox)


def test_a_dead_service_fails_with_retry_and_retry_finishes_it(
    window: MainWindow, qloop: asyncio.AbstractEventLoop, sandbox: SandboxEndpoints, tmp_path: Path
) -> None:
    good = window.state.connection
    assert good is not None
    dead = dataclasses.replace(good.profile, sms="http://127.0.0.1:9")
    window.state.set_connection(Connection(dead, good.endpoints))
    window.state.session.unlock(PASSWORD)  # type: ignore[union-attr]
    doc = tmp_path / "retry-me.txt"
    doc.write_text("resume me")
    page = window.protected_page
    page.protect_paths([doc])
    sign_review(window, qloop, "Register retry-me.txt")  # the dead SMS is only met after registering

    run_until(qloop, lambda: _window_dialogs(QMessageBox), 60)
    box = _window_dialogs(QMessageBox)[-1]
    assert "unavailable" in box.text().lower()
    assert "nothing was lost" in box.informativeText().lower()
    box.accept()
    run_until(qloop, lambda: (r := page.selected_row) is not None and r.state == DisplayState.FAILED, 30)
    assert page.detail.retry_button.isVisible()

    window.state.set_connection(good)
    page.detail.retry_button.click()  # resumes at the key push: registered already, nothing to sign
    run_until(qloop, lambda: (r := page.selected_row) is not None and r.state == DisplayState.PROTECTED, 60)
    assert sum(r.name == "retry-me.txt" for r in page.index.rows()) == 1


def test_cancel_during_encryption_stops_quietly_and_leaves_no_row(
    window: MainWindow, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    big = tmp_path / "video.bin"
    big.write_bytes(b"\x02" * (400 << 20))
    page = window.protected_page
    window.state.session.unlock(PASSWORD)  # type: ignore[union-attr]
    page.protect_paths([big])
    run_until(qloop, lambda: (r := page.selected_row) is not None and r.state == DisplayState.ENCRYPTING, 30)
    run_until(qloop, page.detail.cancel_button.isVisible)
    page.detail.cancel_button.click()
    assert page.detail.cancel_button.text() == "Cancelling…"
    run_until(qloop, lambda: not page.operations, 60)
    run_until(qloop, lambda: not page.refresher.busy, 30)
    assert all(r.name != "video.bin" for r in page.index.rows())
    assert not _window_dialogs(QMessageBox)
    assert not list((tmp_path / "work").glob("*.enc"))  # the partial ciphertext is gone too


def test_declining_the_registration_leaves_nothing_behind(
    window: MainWindow, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    doc = tmp_path / "declined.csv"
    doc.write_text("a,b\n1,2\n")
    page = window.protected_page
    window.state.session.unlock(PASSWORD)  # type: ignore[union-attr]
    page.protect_paths([doc])
    run_until(qloop, lambda: _window_dialogs(ReviewDialog), 60)
    review = _window_dialogs(ReviewDialog)[-1]
    rows = dict(review.request.rows)
    assert rows["name"] == "declined.csv" and rows["fee"].startswith("at most ")
    assert rows["storage"].startswith("ipfs://Qm") and "DataProtector" in rows["contract"]
    review.decline_button.click()  # a decline, not an error
    run_until(qloop, lambda: not page.operations, 30)
    run_until(qloop, lambda: not page.refresher.busy, 30)
    assert all(r.name != "declined.csv" for r in page.index.rows())
    assert not _window_dialogs(QMessageBox) and not top_dialogs(QMessageBox)
    assert not list((tmp_path / "work").glob("*.enc"))
    assert doc.read_text() == "a,b\n1,2\n"  # the original is untouched
