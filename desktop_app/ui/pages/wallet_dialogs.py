"""The Wallet page's two dialogs: adding an account (the first-run wizard, from its second step) and
exporting one as a keystore file.

Export asks for the account's password although the file stays encrypted with it: whoever sits at an
unlocked computer should not walk away with the keystore of an account they cannot open, and the check
proves the exported file will open with the password the user has in mind. The check (scrypt) runs in a
worker thread; the file is written 0600 by the core.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserFacingError
from desktop_app.core.wallet import AccountInfo, Wallet, WrongPassword
from desktop_app.flows.wallet_setup import Step
from desktop_app.ui import a11y
from desktop_app.ui.context import AppState
from desktop_app.ui.errors import sentence
from desktop_app.ui.first_run import FirstRunView
from desktop_app.ui.format import short_address
from desktop_app.ui.operations import OperationRunner
from desktop_app.ui.theme import set_tone


class AddAccountDialog(QDialog):
    """Create or import one more account; ``address`` is set once it exists (then the dialog accepts)."""

    def __init__(self, state: AppState, runner: OperationRunner, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add an account"))
        self.address = ""
        self.wizard = FirstRunView(state, runner, self, start=Step.CHOOSE)
        self.wizard.completed.connect(self._completed)
        cancel = QPushButton(self.tr("Cancel"))
        cancel.setAccessibleName(self.tr("Cancel adding an account"))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.wizard, 1)
        layout.addLayout(buttons)
        unit = self.fontMetrics().height()
        self.resize(self.fontMetrics().averageCharWidth() * 90, unit * 30)

    def _completed(self, address: str) -> None:
        self.address = address
        self.accept()


class ExportDialog(QDialog):
    def __init__(self, wallet: Wallet, account: AccountInfo, parent: QWidget) -> None:
        super().__init__(parent)
        self.wallet, self.account = wallet, account
        self._task: asyncio.Task[None] | None = None
        self.exported: Path | None = None  # where the file went, once written
        self.setWindowTitle(self.tr("Export a keystore"))
        intro = QLabel(
            self.tr(
                "<b>Export %1</b> (%2) as a keystore file. It stays encrypted with the account's "
                "password, and any Ethereum wallet can import it."
            )
            .replace("%1", account.label)
            .replace("%2", short_address(account.address))
        )
        intro.setWordWrap(True)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName(self.tr("Export problem"))
        set_tone(self.error, "danger")
        self.error.hide()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("The account's password"))
        a11y.name(self.password, self.tr("Password"))
        self.password.textEdited.connect(lambda _text: self.error.hide())
        self.destination = QLineEdit(str(Path.home() / f"{account.address.lower()}.keystore.json"))
        a11y.name(self.destination, self.tr("Save as"))
        choose = QPushButton(self.tr("Choose…"))
        choose.setAccessibleName(self.tr("Choose where to save the keystore"))
        choose.clicked.connect(self._choose)
        where = QHBoxLayout()
        where.addWidget(self.destination, 1)
        where.addWidget(choose)
        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton(self.tr("Export"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setAccessibleName(self.tr("Export"))
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self._start)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName(self.tr("Cancel"))
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.password)
        layout.addLayout(where)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)

    def _choose(self) -> None:
        """A file dialog opened with ``open()``: never a nested loop."""
        chooser = QFileDialog(self, self.tr("Save the keystore as"), self.destination.text())
        chooser.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        chooser.setNameFilter(self.tr("Keystore (*.json)"))
        chooser.fileSelected.connect(self.destination.setText)
        chooser.finished.connect(chooser.deleteLater)
        chooser.open()

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_event_loop().create_task(self._export())

    async def _export(self) -> None:
        destination = Path(self.destination.text().strip()).expanduser()  # noqa: ASYNC240 - no I/O
        self.export_button.setEnabled(False)
        self.export_button.setText(self.tr("Checking…"))
        try:
            await asyncio.to_thread(self.wallet.decrypt, self.account.address, self.password.text())
            await asyncio.to_thread(self.wallet.export_keystore, self.account.address, destination)
        except WrongPassword:
            self._fail(self.tr("Wrong password. The keystore was not written."))
            return
        except (UserFacingError, OSError) as e:
            what = sentence(e.what) + " " + sentence(e.hint) if isinstance(e, UserFacingError) else str(e)
            self._fail(what)
            return
        finally:
            self.export_button.setEnabled(True)
            self.export_button.setText(self.tr("Export"))
        self.exported = destination
        self.accept()

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.password.selectAll()
        self.password.setFocus()
        self.adjustSize()

    def done(self, result: int) -> None:
        if self._task is not None and not self._task.done() and self._task is not asyncio.current_task():
            self._task.cancel()
        super().done(result)
