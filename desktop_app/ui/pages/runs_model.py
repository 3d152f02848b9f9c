"""The list of runs: an item model over ``RunsIndex`` entries (drawn by ``ui.two_line_delegate``).

As on the Protected data page, ``reload`` re-reads the index: progress of a run already listed only
emits ``dataChanged`` (the selection stays put); a different set of runs resets the model.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QWidget

from desktop_app.ui import format as fmt
from desktop_app.ui.pages.runs_rows import RunEntry, RunsIndex, RunState
from desktop_app.ui.two_line_delegate import LINES_ROLE, TwoLines

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex
_TONES = {RunState.VERIFIED: "success", RunState.FAILED: "danger", RunState.COMPLETED: "success"}


def state_tone(state: RunState) -> str:
    return _TONES.get(state, "accent")


class RunsModel(QAbstractListModel):
    def __init__(self, index: RunsIndex, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runs = index
        self._rows: list[RunEntry] = []

    def reload(self) -> None:
        rows = self.runs.rows()
        if [r.task_id for r in rows] == [r.task_id for r in self._rows]:
            self._rows = rows
            if rows:
                self.dataChanged.emit(self.index(0), self.index(len(rows) - 1))
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def entry_at(self, index: _Index) -> RunEntry | None:
        return self._rows[index.row()] if index.isValid() and index.row() < len(self._rows) else None

    def find(self, task_id: str) -> QModelIndex:
        for number, entry in enumerate(self._rows):
            if entry.task_id.lower() == task_id.lower():
                return self.index(number)
        return QModelIndex()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        entry = self.entry_at(index)
        if entry is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.title
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{entry.title}, {entry.state_text}, {fmt.timestamp(entry.record.created)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry.task_id
        if role == ENTRY_ROLE:
            return entry
        if role == LINES_ROLE:
            note = fmt.timestamp(entry.record.created)
            return TwoLines(entry.title, entry.state_text, state_tone(entry.state), note)
        return None
