"""The look of an item in the app's lists: its name in bold, then its state in the state's colour.

Protected data and runs are drawn alike, so a person reads both lists the same way; each list says only
what its lines are (``TwoLines``), and this one delegate draws them: elided to the width (the name in the
middle, the state at its end), an optional muted note right-aligned on the second line where it fits,
and the selection's colours when selected. Sizes follow the font (high-DPI clean).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop_app.ui.theme import colors

Index = QModelIndex | QPersistentModelIndex
LINES_ROLE = Qt.ItemDataRole.UserRole + 100


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
