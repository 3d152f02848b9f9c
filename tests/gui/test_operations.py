"""The background-operation runner: progress only when slow, Cancel, and each outcome to its dialog."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from desktop_app.core.errors import ProtocolUnavailable, UserCancelled, UserFacingError
from desktop_app.flows.progress import BytesProgress, StepDone, StepStarted
from desktop_app.ui.dialogs import ask
from desktop_app.ui.errors import CrashDialog, ErrorPresenter
from desktop_app.ui.operations import Operation, OperationRunner, OperationState, ProgressDialog
from tests.gui.conftest import run_until, spin


@pytest.fixture
def window(qtbot: object, qloop: asyncio.AbstractEventLoop) -> Iterator[QWidget]:
    widget = QWidget()
    widget.show()
    yield widget
    widget.close()
    widget.deleteLater()


@pytest.fixture
def runner(window: QWidget) -> OperationRunner:
    return OperationRunner(window, ErrorPresenter(window, lambda: "local"), progress_delay_ms=200)


def dialogs(window: QWidget, kind: type) -> list:  # type: ignore[type-arg]
    return [d for d in window.findChildren(kind) if d.isVisible()]


def test_quick_work_never_shows_progress_and_its_result_arrives(
    runner: OperationRunner, window: QWidget, qloop: asyncio.AbstractEventLoop
) -> None:
    results: list[int] = []

    async def quick(_op: Operation) -> int:
        await asyncio.sleep(0.01)
        return 42

    op = runner.run("Quick", quick, on_success=results.append)
    run_until(qloop, lambda: not op.running)
    spin(qloop, 0.3)
    assert results == [42] and op.state == OperationState.SUCCEEDED
    assert not dialogs(window, ProgressDialog)


def test_slow_work_shows_a_checklist_and_cancel_stops_it_silently(
    runner: OperationRunner, window: QWidget, qloop: asyncio.AbstractEventLoop
) -> None:
    async def slow(op: Operation) -> None:
        op.report(StepStarted("ENCRYPT_FILE"))
        for done in range(0, 100, 5):
            op.cancellation.check()
            op.report(BytesProgress("ENCRYPT_FILE", done, 100))
            await asyncio.sleep(0.05)
        op.report(StepDone("ENCRYPT_FILE"))

    op = runner.run("Protect a file", slow, steps=["ENCRYPT_FILE", "UPLOAD_ENCRYPTED_FILE"], cancellable=True)
    run_until(qloop, lambda: dialogs(window, ProgressDialog))
    dialog = dialogs(window, ProgressDialog)[0]
    assert dialog.checklist._rows[0].label.text() == "Encrypt"
    assert dialog.checklist._rows[1].glyph.text() == "○"
    dialog.cancel_button.click()
    run_until(qloop, lambda: not op.running)
    assert op.state == OperationState.CANCELLED
    spin(qloop, 0.05)
    assert not dialogs(window, ProgressDialog)
    assert not dialogs(window, QMessageBox) and not dialogs(window, CrashDialog)


@pytest.mark.parametrize(
    ("error", "title_part", "detail_part"),
    [
        (UserFacingError("The file is gone.", "check the path"), "The file is gone.", "Check the path."),
        (ProtocolUnavailable("IPFS", "timed out"), "unavailable", "nothing was lost"),
    ],
)
def test_an_error_the_user_can_act_on_shows_its_message_and_hint(
    runner: OperationRunner,
    window: QWidget,
    qloop: asyncio.AbstractEventLoop,
    error: Exception,
    title_part: str,
    detail_part: str,
) -> None:
    async def failing(_op: Operation) -> None:
        raise error

    runner.run("Something", failing)
    run_until(qloop, lambda: dialogs(window, QMessageBox))
    box = dialogs(window, QMessageBox)[0]
    assert title_part.lower() in box.text().lower()
    assert detail_part.lower() in box.informativeText().lower()
    assert not dialogs(window, CrashDialog)


def test_a_declined_signature_shows_nothing(
    runner: OperationRunner, window: QWidget, qloop: asyncio.AbstractEventLoop
) -> None:
    async def declined(_op: Operation) -> None:
        raise UserCancelled

    op = runner.run("Grant", declined)
    run_until(qloop, lambda: not op.running)
    spin(qloop, 0.05)
    assert op.state == OperationState.CANCELLED
    assert not dialogs(window, QMessageBox) and not dialogs(window, CrashDialog)


def test_a_bug_opens_one_copyable_crash_report_without_secrets(
    runner: OperationRunner, window: QWidget, qloop: asyncio.AbstractEventLoop
) -> None:
    secret = "0x" + "11" * 32

    async def buggy(_op: Operation) -> None:
        raise KeyError(f"no such thing {secret}")

    runner.run("Buggy", buggy)
    run_until(qloop, lambda: dialogs(window, CrashDialog))
    runner.run("Buggy again", buggy)  # the same crash again: not a second window
    spin(qloop, 0.2)
    crashes = dialogs(window, CrashDialog)
    assert len(crashes) == 1
    report = crashes[0].report.toPlainText()
    assert "KeyError" in report and "11" * 32 not in report
    crashes[0].copy_button.click()
    assert QGuiApplication.clipboard().text() == report


def test_no_progress_dialog_covers_a_dialog_the_work_waits_on(
    runner: OperationRunner, window: QWidget, qloop: asyncio.AbstractEventLoop
) -> None:
    question = QDialog(window)  # what an unlock or a review dialog is to the runner: window-modal
    answered = asyncio.Event()

    async def asks_then_works(_op: Operation) -> None:
        await ask(question)
        answered.set()
        await asyncio.sleep(1.0)

    op = runner.run("Grant access", asks_then_works)
    run_until(qloop, question.isVisible)
    spin(qloop, 0.6)  # three times the progress delay: the person is reading, the work is not slow
    assert op.is_slow and not dialogs(window, ProgressDialog)
    question.accept()
    run_until(qloop, answered.is_set)
    run_until(qloop, lambda: dialogs(window, ProgressDialog), 5)  # still running once answered
    run_until(qloop, lambda: not op.running, 5)
