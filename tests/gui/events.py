"""Input events as a person's actions produce them, built the same way on every supported PySide6."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent


def drag_enter(pos: QPointF, mime: QMimeData) -> QDragEnterEvent:
    """A drag entering at ``pos``: PySide6 6.12 takes a QPointF (and deprecates QPoint), 6.11 a QPoint.

    The event only points at ``mime``: the caller keeps it alive until the drop is sent.
    """
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    try:
        return QDragEnterEvent(pos, *args)
    except TypeError:
        return QDragEnterEvent(pos.toPoint(), *args)
