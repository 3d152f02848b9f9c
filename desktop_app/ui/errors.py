"""Where every failure ends up on screen, by the one error taxonomy of ``core.errors``.

- ``UserCancelled``: nothing at all (a declined signature is not an error).
- ``ProtocolUnavailable``: "a service appears to be unavailable; retry later, nothing was lost".
- ``UserFacingError``: its message and what to do about it.
- anything else is a bug: a crash dialog with a copyable report (``crash.py``), once per kind of crash.

Each dialog is opened with ``open()`` and left to the user; nothing here blocks or spins a loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import ProtocolUnavailable, UserCancelled, UserFacingError
from desktop_app.ui import crash


def sentence(text: str) -> str:
    """A hint as a sentence: capitalized, with a final full stop."""
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


class CrashDialog(QDialog):
    """A bug report the user can read before copying it anywhere; nothing is sent by the app."""

    def __init__(self, report: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Something went wrong"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        intro = QLabel(
            self.tr(
                "<b>DataProtector Desktop ran into a bug.</b><br>Your files and your protected data are "
                "safe. Nothing was sent anywhere. If you report the problem, copy the text below into "
                "your report: it contains no key or password."
            )
        )
        intro.setWordWrap(True)
        self.report = QPlainTextEdit(report)
        self.report.setReadOnly(True)
        self.report.setAccessibleName(self.tr("Crash report"))
        self.report.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(self.tr("Copy report"))
        self.copy_button.setAccessibleName(self.tr("Copy the crash report"))
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self._copy)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName(self.tr("Close"))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.report, 1)
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().averageCharWidth() * 90, self.fontMetrics().height() * 24)

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.report.toPlainText())
        self.copy_button.setText(self.tr("Copied"))


class ErrorPresenter(QObject):
    """Shows an outcome that went wrong, as the taxonomy says. ``network`` names the network in reports."""

    def __init__(self, parent: QWidget, network: Callable[[], str] = lambda: "") -> None:
        super().__init__(parent)
        self._window = parent
        self._network = network
        self._crashes_shown: set[str] = set()

    def show(self, error: BaseException) -> QDialog | None:
        """Open the dialog ``error`` calls for and return it (None for a cancel or a repeated crash)."""
        if isinstance(error, UserCancelled | asyncio.CancelledError):
            return None
        if isinstance(error, ProtocolUnavailable):
            return self._message(
                QMessageBox.Icon.Warning,
                self.tr("Service unavailable"),
                error.what,
                self.tr(
                    "A service of the iExec network did not answer; this is not your mistake. Nothing was "
                    "lost: you can retry later."
                ),
            )
        if isinstance(error, UserFacingError):
            return self._message(
                QMessageBox.Icon.Information, self.tr("Could not finish"), error.what, sentence(error.hint)
            )
        return self.crash(error)

    def crash(self, error: BaseException) -> QDialog | None:
        key = crash.fingerprint(error)
        if key in self._crashes_shown:
            return None
        self._crashes_shown.add(key)
        report = crash.crash_report(error, network=self._network(), qt_version=qVersion())
        dialog = CrashDialog(report, self._window)
        dialog.open()
        return dialog

    def _message(self, icon: QMessageBox.Icon, title: str, text: str, detail: str) -> QMessageBox:
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self._window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setInformativeText(detail)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        ok = box.button(QMessageBox.StandardButton.Ok)
        ok.setAccessibleName(self.tr("OK"))
        box.open()
        return box
