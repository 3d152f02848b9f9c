"""Unlocking the account before anything is signed: a password dialog, optionally remembered.

``ensure_unlocked`` is what every signing action awaits first. It tries a password remembered in the OS
keyring, then asks. The keystore's scrypt takes about a second, so it runs in a worker thread while the
dialog shows "Unlocking…"; a wrong password keeps the dialog open with the reason, cleared as soon as
the user types again (Cryptomator #847). "Remember" is offered only when an OS keyring works; otherwise
the box is disabled and the reason is written under it, never silently ignored (Cryptomator #2920).
With remembering turned off in Settings the keyring is neither read nor offered.
"""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserCancelled
from desktop_app.core.wallet import KeyringStatus, PasswordMemory, WalletSession, WrongPassword
from desktop_app.ui.dialogs import accepted, ask
from desktop_app.ui.format import short_address
from desktop_app.ui.theme import set_tone


class UnlockDialog(QDialog):
    def __init__(
        self,
        session: WalletSession,
        memory: PasswordMemory,
        reason: str,
        parent: QWidget,
        *,
        remember: bool = True,
    ) -> None:
        super().__init__(parent)
        self.session, self.memory = session, memory
        self._task: asyncio.Task[None] | None = None
        self.setWindowTitle(self.tr("Unlock your account"))
        label = self.session.wallet.account(session.address).label
        intro = QLabel(
            self.tr("<b>Unlock %1</b> (%2) %3")
            .replace("%1", label)
            .replace("%2", short_address(session.address))
            .replace("%3", reason)
        )
        intro.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Password"))
        self.password.setAccessibleName(self.tr("Password"))
        self.password.textEdited.connect(self._clear_error)
        self.error = QLabel()
        set_tone(self.error, "danger")
        self.error.setAccessibleName(self.tr("Unlock error"))
        self.error.hide()
        self.remember = QCheckBox(self.tr("Remember the password in the system keyring"))
        self.remember.setAccessibleName(self.tr("Remember the password in the system keyring"))
        self.remember.setEnabled(False)
        self.keyring_note = QLabel(self.tr("Checking the system keyring…"))
        self.keyring_note.setWordWrap(True)
        set_tone(self.keyring_note, "muted")
        buttons = QDialogButtonBox()
        self.unlock_button: QPushButton = buttons.addButton(
            self.tr("Unlock"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.unlock_button.setAccessibleName(self.tr("Unlock"))
        self.unlock_button.setDefault(True)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName(self.tr("Cancel"))
        self.unlock_button.clicked.connect(self._start_unlock)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.password)
        layout.addWidget(self.error)
        layout.addWidget(self.remember)
        layout.addWidget(self.keyring_note)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 56)
        self._keyring_task: asyncio.Task[None] | None = None
        if remember:
            self._keyring_task = asyncio.get_event_loop().create_task(self._check_keyring())
        else:
            self.remember.hide()
            self.keyring_note.setText(self.tr("Remembering the password is turned off in Settings."))

    async def _check_keyring(self) -> None:
        """The keyring may answer over D-Bus: ask it off the GUI thread."""
        status: KeyringStatus = await asyncio.to_thread(lambda: self.memory.status)
        self.remember.setEnabled(status.available)
        self.keyring_note.setText(
            self.tr("Stored only in your system keyring, never in a file.")
            if status.available
            else self.tr(
                "Not available: no system keyring answered. You will be asked for the password each time."
            )
        )
        self.keyring_note.setToolTip(status.message)  # the technical reason, for whoever wants it
        set_tone(self.keyring_note, "muted" if status.available else "warning")
        self.adjustSize()  # a top-level window does not grow by itself for a longer wrapped text

    def _clear_error(self) -> None:
        self.error.hide()

    def _start_unlock(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_event_loop().create_task(self._unlock())

    async def _unlock(self) -> None:
        password = self.password.text()
        self._busy(True)
        try:
            await asyncio.to_thread(self.session.unlock, password)
        except WrongPassword:
            self.error.setText(self.tr("Wrong password. Check it and try again."))
            self.error.show()
            self.adjustSize()
            self.password.selectAll()
            return
        finally:
            self._busy(False)
        if self.remember.isChecked():
            status = await asyncio.to_thread(self.memory.remember, self.session.address, password)
            if not status.available:
                self.keyring_note.setText(status.message)
        self.accept()

    def _busy(self, busy: bool) -> None:
        self.password.setEnabled(not busy)
        self.unlock_button.setEnabled(not busy)
        self.unlock_button.setText(self.tr("Unlocking…") if busy else self.tr("Unlock"))
        if not busy:
            self.password.setFocus()

    def done(self, result: int) -> None:
        for task in (self._task, self._keyring_task):
            if task is not None and not task.done() and task is not asyncio.current_task():
                task.cancel()
        super().done(result)


async def ensure_unlocked(
    session: WalletSession, memory: PasswordMemory, parent: QWidget, reason: str, *, remember: bool = True
) -> WalletSession:
    """``session``, unlocked: by a remembered password (when ``remember``), else by asking. Raises
    ``UserCancelled`` on Cancel."""
    if session.is_unlocked:
        return session
    if remember and await asyncio.to_thread(session.unlock_remembered, memory):
        return session
    dialog = UnlockDialog(session, memory, reason, parent, remember=remember)
    try:
        if not accepted(await ask(dialog)):
            raise UserCancelled
    finally:
        dialog.deleteLater()
    return session
