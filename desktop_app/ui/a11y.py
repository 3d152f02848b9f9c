"""Accessible names that reach a composite control's inner parts too.

A combo box has a popup list, a spin box an inner line edit, a table its headers and corner button, a
line edit its clear button; screen readers land on those parts, so they carry a name as well (the
accessibility test checks every button, list and line edit).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QTableView,
    QToolButton,
    QWidget,
)


def name(widget: QWidget, text: str) -> None:
    widget.setAccessibleName(text)
    if isinstance(widget, QTableView):
        widget.horizontalHeader().setAccessibleName(f"{text}: columns")
        widget.verticalHeader().setAccessibleName(f"{text}: rows")
        for corner in widget.findChildren(QAbstractButton):
            corner.setAccessibleName(f"{text}: select all")
    if isinstance(widget, QComboBox):
        widget.view().setAccessibleName(text)
    if isinstance(widget, QLineEdit):
        for clear in widget.findChildren(QToolButton):
            clear.setAccessibleName(f"Clear {text}")
    if isinstance(widget, QAbstractSpinBox):
        for inner in widget.findChildren(QLineEdit):
            inner.setAccessibleName(text)
