"""The tray icon: the app's state at a glance (locked, unlocked, working), a small menu, and a
notification when a run ends (Electrum's ``notify``, ux-anchors §4.9).

Only offered where the desktop has a tray (``QSystemTrayIcon.isSystemTrayAvailable``); elsewhere the
window is all there is and ``available`` is False, but the state and the messages are still kept, so the
behaviour is the same and testable. A notification names the app, the data and the outcome, never a
key, a password or a result's content.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop_app.core.paths import APP_NAME
from desktop_app.core.store.protect_jobs import JobState
from desktop_app.core.store.runs import RunRecord, Runs
from desktop_app.ui.context import AppState
from desktop_app.ui.format import short_address
from desktop_app.ui.icons import icon
from desktop_app.ui.operations import Operation, OperationRunner

NOTIFICATION_MS = 8000
_OUTCOMES = {"COMPLETED": "completed", "FAILED": "failed", "TIMEOUT": "timed out"}


class Tray(QObject):
    """``notified(title, text)`` fires for every notification, shown or not (no tray on this desktop)."""

    show_requested = Signal()
    quit_requested = Signal()
    notified = Signal(str, str)

    def __init__(self, state: AppState, runner: OperationRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state, self.runner = state, runner
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        self.icon = QSystemTrayIcon(self)
        self.menu = QMenu()
        self.show_action = QAction(self.tr("Show DataProtector"), self)
        self.show_action.triggered.connect(self.show_requested)
        self.lock_action = QAction(self.tr("Lock"), self)
        self.lock_action.triggered.connect(state.lock)
        self.quit_action = QAction(self.tr("Quit"), self)
        self.quit_action.triggered.connect(self.quit_requested)
        for action in (self.show_action, self.lock_action, self.quit_action):
            self.menu.addAction(action)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.state_name = ""
        state.lock_changed.connect(self.refresh)
        state.account_changed.connect(self.refresh)
        runner.started.connect(self._follow)
        self.refresh()
        if self.available:
            self.icon.show()

    def _follow(self, operation: Operation) -> None:
        self.refresh()
        operation.finished.connect(self.refresh)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.show_requested.emit()

    @property
    def busy(self) -> bool:
        return any(operation.running for operation in self.runner.operations)

    def refresh(self) -> None:
        """Busy beats unlocked beats locked: the icon says what matters most right now."""
        session = self.state.session
        unlocked = session is not None and session.is_unlocked
        if self.busy:
            self.state_name, name, tip = "busy", "refresh", self.tr("Working…")
        elif unlocked:
            self.state_name, name, tip = "unlocked", "unlock", self.tr("Unlocked")
        else:
            self.state_name, name, tip = "locked", "lock", self.tr("Locked")
        self.icon.setIcon(icon(name))
        self.icon.setToolTip(f"{APP_NAME}: {tip}")
        self.lock_action.setEnabled(unlocked)

    def run_finished(self, task_id: str, status: str) -> None:
        """Tell the user a run ended: which app on which data, and how; nothing from its result."""
        record = Runs(self.state.context.jobs.db).get(task_id)
        outcome = self.tr(_OUTCOMES.get(status.upper(), status.lower()))
        if record is None:
            text = self.tr("Task %1 %2.").replace("%1", short_address(task_id)).replace("%2", outcome)
        else:
            text = (
                self.tr("The run of %1 on %2 %3.")
                .replace("%1", short_address(record.app))
                .replace("%2", self._dataset_name(record))
                .replace("%3", outcome)
            )
        self.notify(self.tr("Run finished"), text, ok=status.upper() == "COMPLETED")

    def notify(self, title: str, text: str, *, ok: bool = True) -> None:
        kind = QSystemTrayIcon.MessageIcon.Information if ok else QSystemTrayIcon.MessageIcon.Warning
        if self.available:
            self.icon.showMessage(title, text, kind, NOTIFICATION_MS)
        self.notified.emit(title, text)

    def _dataset_name(self, record: RunRecord) -> str:
        """The name the owner gave the data when protecting it here, else its short address."""
        for job in self.state.context.jobs.of_owner(record.network, record.requester):
            if job.dataset.lower() == record.dataset.lower() and job.state == JobState.PROTECTED:
                return job.name
        return short_address(record.dataset)

    def hide(self) -> None:
        self.icon.hide()
