"""Awaiting a dialog without a nested event loop.

``QDialog.exec()`` (and the static ``QMessageBox`` helpers) spin a second Qt loop; under qasync that
makes every other task fail with "Cannot enter into task" (qasync#59). Dialogs are therefore opened
with ``open()``, and a coroutine that needs the answer awaits a future resolved by ``finished``.
"""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from desktop_app.core.errors import UserCancelled


async def ask(dialog: QDialog) -> int:
    """Open ``dialog`` window-modally and wait for its result code (``QDialog.DialogCode``).

    Cancelling the awaiting task closes the dialog, so a cancelled operation never leaves one behind.
    """
    answer: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def done(result: int) -> None:
        if not answer.done():
            answer.set_result(result)

    dialog.finished.connect(done)
    dialog.open()
    try:
        return await answer
    finally:
        dialog.finished.disconnect(done)
        if dialog.isVisible():
            dialog.reject()


def accepted(result: int) -> bool:
    return result == QDialog.DialogCode.Accepted.value


async def confirm(
    parent: QWidget, title: str, question: str, consequences: str, act: str, keep: tuple[str, str]
) -> None:
    """Ask before a consequential step; ``keep`` (its label and accessible name) is the default, so a
    reflexive Enter changes nothing. Returns once ``act`` was chosen; raises ``UserCancelled`` otherwise."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, question, parent=parent)
    box.setInformativeText(consequences)
    yes = box.addButton(act, QMessageBox.ButtonRole.AcceptRole)
    yes.setAccessibleName(act)
    no = box.addButton(keep[0], QMessageBox.ButtonRole.RejectRole)
    no.setAccessibleName(keep[1])
    box.setDefaultButton(no)
    try:
        await ask(box)
        if box.clickedButton() is not yes:
            raise UserCancelled
    finally:
        box.deleteLater()
