"""The list of runs: an item model over ``RunsIndex`` entries (drawn by ``ui.item_list``).

``reload`` re-reads the index (see ``ui.item_list.RowsModel``: progress keeps the selection put).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QWidget

from desktop_app.ui import format as fmt
from desktop_app.ui.item_list import LINES_ROLE, RowsModel, TwoLines
from desktop_app.ui.pages.runs_rows import RunEntry, RunsIndex, RunState

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex
_TONES = {RunState.VERIFIED: "success", RunState.FAILED: "danger", RunState.COMPLETED: "success"}


def state_tone(state: RunState) -> str:
    return _TONES.get(state, "accent")


class RunsModel(RowsModel[RunEntry]):
    def __init__(self, index: RunsIndex, parent: QWidget | None = None) -> None:
        super().__init__(lambda entry: entry.task_id, parent)
        self.runs = index

    def reload(self) -> None:
        self.show_rows(self.runs.rows())

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        entry = self.row_at(index)
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
