"""Awaiting a dialog without a nested event loop.

``QDialog.exec()`` (and the static ``QMessageBox`` helpers) spin a second Qt loop; under qasync that
makes every other task fail with "Cannot enter into task" (qasync#59). Dialogs are therefore opened
with ``open()``, and a coroutine that needs the answer awaits a future resolved by ``finished``.
"""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QDialog


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
