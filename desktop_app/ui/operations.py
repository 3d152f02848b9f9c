"""The one background-operation runner: every flow the GUI starts goes through ``OperationRunner.run``.

After Anki's ``QueryOp``/``CollectionOp`` (ux-anchors §4.3). A flow coroutine runs as a task on the qasync
loop (its CPU work is already off the GUI thread inside the flow), and the runner:

- gives it an ``Operation``: the flow's ``report`` callback and ``Cancellation`` flag, and a
  ``ProgressTracker`` that any widget can draw (a step checklist inline, or the progress dialog);
- shows progress only for work that lasts longer than ``progress_delay_ms`` (about 0.6 s), so quick
  operations never flash a window;
- routes the outcome: a result to ``on_success``; ``UserCancelled`` to nothing; any other error to
  ``on_failure`` and then to the ``ErrorPresenter`` (message, "service unavailable", or crash report).

Nothing here blocks: dialogs are opened with ``open()``, and coroutines await futures.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum
from typing import Literal, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget
from shiboken6 import Shiboken

from desktop_app.core.errors import UserCancelled
from desktop_app.flows.progress import Cancellation, Event
from desktop_app.ui.checklist import StepChecklist
from desktop_app.ui.errors import ErrorPresenter
from desktop_app.ui.progress import ProgressTracker

T = TypeVar("T")
ProgressMode = Literal["dialog", "inline"]
PROGRESS_DELAY_MS = 600


class OperationState(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Operation(QObject):
    """One running flow, observable: ``changed`` on progress, ``slow`` once it is worth showing,
    ``finished`` at the end whatever the outcome."""

    changed = Signal()
    slow = Signal()
    finished = Signal()

    def __init__(
        self, title: str, steps: Sequence[str], cancellable: bool, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.title = title
        self.tracker = ProgressTracker(steps)
        self.cancellation = Cancellation()
        self.cancellable = cancellable
        self.state = OperationState.RUNNING
        self.error: BaseException | None = None
        self.is_slow = False
        self.started_at = time.monotonic()
        self.task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self.state == OperationState.RUNNING

    @property
    def cancel_requested(self) -> bool:
        return self.cancellation.is_set()

    def report(self, event: Event) -> None:
        """The flow's ``Reporter``: called on the loop's thread (flows hop thread events onto it)."""
        self.tracker.apply(event)
        self.changed.emit()

    def cancel(self) -> None:
        """Ask the flow to stop at its next check; it then ends in ``UserCancelled`` (shown as nothing)."""
        if self.running and self.cancellable:
            self.cancellation.cancel()
            self.changed.emit()

    def _mark_slow(self) -> None:
        if self.running and not self.is_slow:
            self.is_slow = True
            self.slow.emit()

    def _finished(self) -> None:
        """Signals the end, after the outcome's callbacks ran: observers see the final state."""
        self.changed.emit()
        self.finished.emit()


class ProgressDialog(QDialog):
    """The progress of an operation nobody draws inline: title, checklist and Cancel. Not modal: the
    window stays usable, and closing the dialog only hides it (the work goes on)."""

    def __init__(self, operation: Operation, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(operation.title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.operation = operation
        title = QLabel(f"<b>{operation.title}</b>")
        title.setWordWrap(True)
        self.checklist = StepChecklist(operation, self)
        buttons = QDialogButtonBox()
        if operation.cancellable:
            self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
            self.cancel_button.setAccessibleName(self.tr("Cancel %1").replace("%1", operation.title))
            self.cancel_button.clicked.connect(self._cancel)
        hide = buttons.addButton(self.tr("Hide"), QDialogButtonBox.ButtonRole.RejectRole)
        hide.setAccessibleName(self.tr("Hide this window; the work goes on"))
        hide.clicked.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.checklist)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)
        operation.finished.connect(self.close)

    def _cancel(self) -> None:
        self.operation.cancel()
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText(self.tr("Cancelling…"))


class OperationRunner(QObject):
    """Runs flows for one window; see the module docstring."""

    started = Signal(Operation)

    def __init__(
        self, window: QWidget, errors: ErrorPresenter, *, progress_delay_ms: int = PROGRESS_DELAY_MS
    ) -> None:
        super().__init__(window)
        self._window = window
        self.errors = errors
        self.progress_delay_ms = progress_delay_ms
        self.operations: list[Operation] = []
        self._closed = False

    def run(
        self,
        title: str,
        work: Callable[[Operation], Awaitable[T]],
        *,
        steps: Sequence[str] = (),
        cancellable: bool = False,
        progress: ProgressMode = "dialog",
        on_success: Callable[[T], object] | None = None,
        on_failure: Callable[[BaseException], object] | None = None,
        handled: tuple[type[Exception], ...] = (),
    ) -> Operation:
        """Start ``work(operation)`` on the loop and return its ``Operation`` at once.

        ``progress="inline"`` means the caller draws the operation (connect to ``slow``); "dialog"
        opens a ``ProgressDialog`` once the work turns out to be slow. Errors of the ``handled`` types
        go to ``on_failure`` only: the caller shows them its own way (a banner with Retry, say).
        """
        operation = Operation(title, steps, cancellable, self)
        if self._closed:  # shutting down: start nothing new (a refresh asked for by a cancelled job)
            operation.state = OperationState.CANCELLED
            return operation
        if progress == "dialog":
            operation.slow.connect(lambda: self._show_progress(operation))
        QTimer.singleShot(self.progress_delay_ms, operation, operation._mark_slow)
        self.operations.append(operation)
        operation.task = asyncio.get_event_loop().create_task(
            self._drive(operation, work, on_success, on_failure, handled)
        )
        self.started.emit(operation)
        return operation

    @property
    def busy_with_cancellable_work(self) -> bool:
        """True while a long job (a protect) runs: quitting would interrupt it, so the window asks."""
        return any(op.running and op.cancellable for op in self.operations)

    def shutdown(self, *, cancel_tasks: bool = True) -> None:
        """On quit: start nothing new, ask cooperative flows to stop, and stop waiting for the others.

        ``cancel_tasks=False`` lets the running work end by itself (tests drain it that way: cancelling a
        task in the middle of a web3 request can leave web3's process-wide session lock held).
        """
        self._closed = True
        for operation in self.operations:
            operation.cancel()
            if cancel_tasks and operation.task is not None and not operation.task.done():
                operation.task.cancel()

    async def _drive(
        self,
        operation: Operation,
        work: Callable[[Operation], Awaitable[T]],
        on_success: Callable[[T], object] | None,
        on_failure: Callable[[BaseException], object] | None,
        handled: tuple[type[Exception], ...],
    ) -> None:
        try:
            result = await work(operation)
        except (UserCancelled, asyncio.CancelledError):
            operation.state = OperationState.CANCELLED
        except Exception as error:
            operation.state, operation.error = OperationState.FAILED, error
            self._call(on_failure, error)
            if not isinstance(error, handled):
                self.errors.show(error)
        else:
            operation.state = OperationState.SUCCEEDED
            self._call(on_success, result)
        finally:
            self.operations.remove(operation)
            if Shiboken.isValid(operation):  # its window may be gone (closed while the flow ran)
                operation._finished()

    def _show_progress(self, operation: Operation) -> None:
        """Open ``operation``'s progress dialog, unless it waits for the person: while an unlock or a
        review dialog is open the time is theirs, not slow work, and a progress dialog would cover the
        one they are reading. It opens once they have answered, if the work still runs."""
        if not Shiboken.isValid(operation) or not operation.running:
            return
        if QApplication.activeModalWidget() is not None:
            QTimer.singleShot(self.progress_delay_ms, operation, lambda: self._show_progress(operation))
            return
        ProgressDialog(operation, self._window).show()

    def _call(self, callback: Callable[[T], object] | None, value: T) -> None:
        """A failing callback is a bug in the GUI: crash report, and the runner keeps going."""
        if callback is None:
            return
        try:
            callback(value)
        except Exception as error:
            self.errors.crash(error)
