"""A banner across the window for work that concerns the whole app: starting the sandbox, connecting.

It appears only once the operation is slow (about 0.6 s), shows its steps, a busy bar and the time
spent, and disappears when the work is done. If the work fails it stays, in red, with the reason and a
Retry button, so the state is never left ambiguous (Cryptomator #4035: "unlock spins forever").
"""

from __future__ import annotations

import html
import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from desktop_app.core.errors import UserFacingError
from desktop_app.ui.checklist import StepChecklist
from desktop_app.ui.errors import sentence
from desktop_app.ui.operations import Operation, OperationState
from desktop_app.ui.theme import set_tone


class OperationBanner(QWidget):
    retry_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.operation: Operation | None = None
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.elapsed = QLabel()
        set_tone(self.elapsed, "muted")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName(self.tr("Working"))
        self.busy.setMaximumWidth(self.fontMetrics().averageCharWidth() * 24)
        self.checklist = StepChecklist()
        self.retry_button = QPushButton(self.tr("Retry"))
        self.retry_button.setAccessibleName(self.tr("Retry"))
        self.retry_button.clicked.connect(self.retry_clicked)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.elapsed)
        top.addWidget(self.busy)
        top.addWidget(self.retry_button)
        layout = QVBoxLayout(self)
        unit = self.fontMetrics().height()
        layout.setContentsMargins(unit * 2, unit // 2, unit * 2, unit // 2)
        layout.addLayout(top)
        layout.addWidget(self.checklist)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._tick)
        self.hide()

    def follow(self, operation: Operation) -> None:
        self.operation = operation
        self.checklist.follow(operation)
        operation.slow.connect(self._show_running)
        operation.finished.connect(self._finished)

    def _show_running(self) -> None:
        if self.operation is None or not self.operation.running:
            return
        set_tone(self, "")
        self.title.setText(f"<b>{html.escape(self.operation.title)}…</b>")
        self.busy.show()
        self.checklist.show()
        self.retry_button.hide()
        self._tick()
        self._clock.start()
        self.show()

    def _tick(self) -> None:
        if self.operation is not None:
            self.elapsed.setText(f"{time.monotonic() - self.operation.started_at:.0f} s")

    def _finished(self) -> None:
        self._clock.stop()
        operation = self.operation
        if operation is None or operation.state != OperationState.FAILED:
            self.hide()
            return
        error = operation.error
        if isinstance(error, UserFacingError):
            message = f"{error.what} {sentence(error.hint)}"
        else:
            message = self.tr("It stopped on an unexpected error.")
        set_tone(self, "danger")
        self.title.setText(f"<b>{html.escape(operation.title)}: failed.</b> {html.escape(message)}")
        self.elapsed.setText("")
        self.busy.hide()
        self.checklist.hide()
        self.retry_button.show()
        self.show()
