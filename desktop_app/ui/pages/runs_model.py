"""The list of runs: an item model over ``RunsIndex`` entries, and how one is painted (title, state, time).

As on the Protected data page, ``reload`` re-reads the index: progress of a run already listed only
emits ``dataChanged`` (the selection stays put); a different set of runs resets the model.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop_app.ui import format as fmt
from desktop_app.ui.pages.runs_rows import RunEntry, RunsIndex, RunState
from desktop_app.ui.theme import colors

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
        return None


class RunDelegate(QStyledItemDelegate):
    """Two lines per run: "app on data" in bold, then its state in the state's colour and when it began."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        height = option.fontMetrics.height()
        return QSize(option.fontMetrics.averageCharWidth() * 30, round(height * 3.2))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        entry = index.data(ENTRY_ROLE)
        if not isinstance(entry, RunEntry):
            super().paint(painter, option, index)
            return
        painter.save()
        style = option.widget.style() if option.widget is not None else None
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = option.palette
        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        metrics = option.fontMetrics
        pad = metrics.averageCharWidth() * 2
        line = metrics.height()
        rect: QRect = option.rect.adjusted(pad, round(line * 0.5), -pad, 0)
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text_color)
        title = painter.fontMetrics().elidedText(entry.title, Qt.TextElideMode.ElideMiddle, rect.width())
        painter.drawText(rect.adjusted(0, 0, 0, -rect.height() + line), Qt.AlignmentFlag.AlignLeft, title)
        painter.setFont(option.font)
        second = rect.adjusted(0, round(line * 1.25), 0, 0)
        tone = colors(palette).get(state_tone(entry.state), text_color.name())
        painter.setPen(text_color if selected else QColor(tone))
        state = metrics.elidedText(entry.state_text, Qt.TextElideMode.ElideRight, second.width())
        painter.drawText(second, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, state)
        room = second.width() - metrics.horizontalAdvance(state) - pad
        when = fmt.timestamp(entry.record.created)
        if metrics.horizontalAdvance(when) <= room:  # the state first; the date where it fits
            painter.setPen(text_color if selected else QColor(colors(palette)["muted"]))
            painter.drawText(second, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, when)
        painter.restore()
