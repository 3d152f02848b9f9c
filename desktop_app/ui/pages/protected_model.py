"""The Protected data list: an item model over ``ProtectedIndex`` rows (drawn by ``ui.item_list``).

The model owns nothing: ``reload`` re-reads the index (``ui.item_list.RowsModel`` keeps the selection
while a protect progresses); when the rows change, the page restores the selection by their identities.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QWidget

from desktop_app.ui.item_list import LINES_ROLE, RowsModel, TwoLines
from desktop_app.ui.pages.protected_rows import DisplayState, ProtectedIndex, Row

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_ROLE = Qt.ItemDataRole.UserRole + 2
_STATE_TONES = {
    DisplayState.PROTECTED: "success",
    DisplayState.FAILED: "danger",
    DisplayState.DRAFT: "muted",
}
# Marked for the translators here, translated in ``state_text``.
_STATE_TEXT: dict[DisplayState, str] = {
    DisplayState.DRAFT: str(QT_TRANSLATE_NOOP("ProtectedModel", "Not finished: resume it")),
    DisplayState.WAITING: str(QT_TRANSLATE_NOOP("ProtectedModel", "Waiting to start…")),
    DisplayState.ENCRYPTING: str(QT_TRANSLATE_NOOP("ProtectedModel", "Encrypting…")),
    DisplayState.UPLOADING: str(QT_TRANSLATE_NOOP("ProtectedModel", "Uploading…")),
    DisplayState.REGISTERING: str(QT_TRANSLATE_NOOP("ProtectedModel", "Registering on chain…")),
    DisplayState.SECURING_KEY: str(QT_TRANSLATE_NOOP("ProtectedModel", "Securing the key…")),
    DisplayState.PROTECTED: str(QT_TRANSLATE_NOOP("ProtectedModel", "Protected")),
    DisplayState.FAILED: str(QT_TRANSLATE_NOOP("ProtectedModel", "Failed: retry it")),
}

_Index = QModelIndex | QPersistentModelIndex


def state_text(state: DisplayState) -> str:
    return QCoreApplication.translate("ProtectedModel", _STATE_TEXT[state])


def state_tone(state: DisplayState) -> str:
    return _STATE_TONES.get(state, "accent")


class ProtectedModel(RowsModel[Row]):
    def __init__(self, index: ProtectedIndex, parent: QWidget | None = None) -> None:
        super().__init__(lambda row: row.key, parent)
        self.index_data = index

    def reload(self) -> None:
        self.show_rows(self.index_data.rows())

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row = self.row_at(index)
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return row.name
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.name}, {state_text(row.state)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.error or row.address or state_text(row.state)
        if role == ROW_ROLE:
            return row
        if role == STATE_ROLE:
            return row.state.value
        if role == LINES_ROLE:
            return TwoLines(row.name, state_text(row.state), state_tone(row.state))
        return None
