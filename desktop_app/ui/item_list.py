"""The app's item lists (Protected data, Runs): one model behaviour, one look, one view.

- ``RowsModel``: rows a page re-reads from its index. When the same rows (by key) are still there,
  only ``dataChanged`` is emitted, so the view keeps its selection and scroll position while a protect
  or a run progresses; a different set of rows resets the model.
- ``TwoLineDelegate``: an item's name in bold, then its state in the state's colour, so a person reads
  both lists the same way. Each model only says what its lines are (``TwoLines``); text is elided to
  the width (the name in the middle, the state at its end), an optional muted note is right-aligned on
  the second line where it fits, and sizes follow the font (high-DPI clean).
- ``item_list_view``: the list view both pages show, wired to the two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from desktop_app.ui.theme import colors

Index = QModelIndex | QPersistentModelIndex
LINES_ROLE = Qt.ItemDataRole.UserRole + 100
R = TypeVar("R")


class RowsModel(QAbstractListModel, Generic[R]):
    """A list model over ``rows`` a page shows; ``key`` tells which row is which between two reads."""

    def __init__(self, key: Callable[[R], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._key = key
        self._rows: list[R] = []

    def show_rows(self, rows: list[R]) -> None:
        if [self._key(r) for r in rows] == [self._key(r) for r in self._rows]:
            self._rows = rows
            if rows:
                self.dataChanged.emit(self.index(0), self.index(len(rows) - 1))
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def row_at(self, index: Index) -> R | None:
        return self._rows[index.row()] if index.isValid() and index.row() < len(self._rows) else None

    def find(self, matches: Callable[[R], bool]) -> QModelIndex:
        return next((self.index(n) for n, row in enumerate(self._rows) if matches(row)), QModelIndex())

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)


def item_list_view(model: QAbstractListModel, name: str, min_chars: int) -> QListView:
    """The list of a page: its model drawn by ``TwoLineDelegate``, at least ``min_chars`` wide."""
    view = QListView()
    view.setObjectName("itemList")
    view.setAccessibleName(name)
    view.setModel(model)
    view.setItemDelegate(TwoLineDelegate(view))
    view.setUniformItemSizes(True)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setMinimumWidth(view.fontMetrics().averageCharWidth() * min_chars)
    return view


@dataclass(frozen=True)
class TwoLines:
    """What a model gives for ``LINES_ROLE``: the bold first line, the second, its tone, a side note."""

    title: str
    state: str
    tone: str  # a tone of ``ui.theme.colors`` ("success", "danger", …)
    note: str = ""


class TwoLineDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        height = option.fontMetrics.height()
        return QSize(option.fontMetrics.averageCharWidth() * 30, round(height * 3.2))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        lines = index.data(LINES_ROLE)
        if not isinstance(lines, TwoLines):
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
        title = painter.fontMetrics().elidedText(lines.title, Qt.TextElideMode.ElideMiddle, rect.width())
        painter.drawText(rect.adjusted(0, 0, 0, -rect.height() + line), Qt.AlignmentFlag.AlignLeft, title)
        painter.setFont(option.font)
        second = rect.adjusted(0, round(line * 1.25), 0, 0)
        tone = colors(palette).get(lines.tone, text_color.name())
        painter.setPen(text_color if selected else QColor(tone))
        state = metrics.elidedText(lines.state, Qt.TextElideMode.ElideRight, second.width())
        painter.drawText(second, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, state)
        room = second.width() - metrics.horizontalAdvance(state) - pad
        if (
            lines.note and metrics.horizontalAdvance(lines.note) <= room
        ):  # the state first; the note if it fits
            painter.setPen(text_color if selected else QColor(colors(palette)["muted"]))
            painter.drawText(second, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, lines.note)
        painter.restore()
