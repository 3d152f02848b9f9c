"""The Protected data list: an item model adapting ``ProtectedIndex`` rows, and how a row is painted.

The model owns nothing: ``reload`` re-reads the index. When the same rows are still there (progress of
a running protect) only ``dataChanged`` is emitted, so the view keeps its selection and scroll position;
a different set of rows resets the model and the page restores the selection by the row's identities.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop_app.ui.pages.protected_rows import DisplayState, ProtectedIndex, Row
from desktop_app.ui.theme import colors

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


class ProtectedModel(QAbstractListModel):
    def __init__(self, index: ProtectedIndex, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index_data = index
        self._rows: list[Row] = []

    def reload(self) -> None:
        rows = self.index_data.rows()
        if [r.key for r in rows] == [r.key for r in self._rows]:
            self._rows = rows
            if rows:
                self.dataChanged.emit(self.index(0), self.index(len(rows) - 1))
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def row_at(self, index: _Index) -> Row | None:
        return self._rows[index.row()] if index.isValid() and index.row() < len(self._rows) else None

    def find(self, identities: frozenset[str]) -> QModelIndex:
        for number, row in enumerate(self._rows):
            if row.identities & identities:
                return self.index(number)
        return QModelIndex()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

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
        return None


class ProtectedDelegate(QStyledItemDelegate):
    """Two lines per item: the name, and its state in the state's colour."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        height = option.fontMetrics.height()
        return QSize(option.fontMetrics.averageCharWidth() * 30, round(height * 3.2))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        row = index.data(ROW_ROLE)
        if not isinstance(row, Row):
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
        name_font = QFont(option.font)
        name_font.setBold(True)
        painter.setFont(name_font)
        painter.setPen(text_color)
        name = painter.fontMetrics().elidedText(row.name, Qt.TextElideMode.ElideMiddle, rect.width())
        painter.drawText(rect.adjusted(0, 0, 0, -rect.height() + line), Qt.AlignmentFlag.AlignLeft, name)
        painter.setFont(option.font)
        tone = colors(palette).get(state_tone(row.state), text_color.name())
        painter.setPen(text_color if selected else QColor(tone))
        second = rect.adjusted(0, round(line * 1.25), 0, 0)
        painter.drawText(
            second, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, state_text(row.state)
        )
        painter.restore()
