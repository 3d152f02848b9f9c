"""The step checklist: one row per step of an operation, with a byte bar, speed and ETA where bytes move.

It draws an ``Operation``'s tracker and nothing else. Progress events can arrive hundreds of times a
second (every chunk encrypted or uploaded), so repaints are coalesced to one per ``REFRESH_MS``
(Electrum's rate limiter): the widget never slows the work it reports on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QWidget

from desktop_app.ui.progress import StepState, StepStatus, describe_bytes
from desktop_app.ui.theme import set_tone

REFRESH_MS = 100
_GLYPHS = {StepStatus.PENDING: "○", StepStatus.RUNNING: "●", StepStatus.DONE: "✓"}
_TONES = {StepStatus.PENDING: "muted", StepStatus.RUNNING: "accent", StepStatus.DONE: "success"}
_BAR_RANGE = 1000

if TYPE_CHECKING:  # the runner shows checklists: importing it at run time would be circular
    from desktop_app.ui.operations import Operation


class _StepRow:
    def __init__(self, grid: QGridLayout, row: int, parent: QWidget) -> None:
        self.glyph = QLabel(parent)
        self.label = QLabel(parent)
        self.bar = QProgressBar(parent)
        self.bar.setRange(0, _BAR_RANGE)
        self.bar.setTextVisible(False)
        self.detail = QLabel(parent)
        set_tone(self.detail, "muted")
        grid.addWidget(self.glyph, 3 * row, 0)
        grid.addWidget(self.label, 3 * row, 1)
        grid.addWidget(self.bar, 3 * row + 1, 1)
        grid.addWidget(self.detail, 3 * row + 2, 1)

    def show(self, state: StepState) -> None:
        self.glyph.setText(_GLYPHS[state.status])
        set_tone(self.glyph, _TONES[state.status])
        self.glyph.setAccessibleName(f"{state.label}: {state.status.value}")
        self.label.setText(state.label)
        set_tone(self.label, "" if state.status != StepStatus.PENDING else "muted")
        bytes_visible = state.has_bytes and state.status != StepStatus.PENDING
        self.bar.setVisible(bytes_visible)
        self.detail.setVisible(bytes_visible)
        if bytes_visible:
            self.bar.setValue(round(state.fraction * _BAR_RANGE))
            self.bar.setAccessibleName(f"{state.label} progress")
            self.detail.setText(describe_bytes(state))


class StepChecklist(QWidget):
    """Shows ``operation``'s steps; follow another operation with ``follow``."""

    def __init__(self, operation: Operation | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Steps"))
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setColumnStretch(1, 1)
        self._rows: list[_StepRow] = []
        self._operation: Operation | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        if operation is not None:
            self.follow(operation)

    @property
    def operation(self) -> Operation | None:
        return self._operation

    def follow(self, operation: Operation | None) -> None:
        if self._operation is not None:
            self._operation.changed.disconnect(self._schedule)
        self._operation = operation
        if operation is not None:
            operation.changed.connect(self._schedule)
        self.refresh()

    def _schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def refresh(self) -> None:
        steps = self._operation.tracker.steps if self._operation is not None else []
        while len(self._rows) < len(steps):
            self._rows.append(_StepRow(self._grid, len(self._rows), self))
        for index, row in enumerate(self._rows):
            visible = index < len(steps)
            for widget in (row.glyph, row.label):
                widget.setVisible(visible)
            if visible:
                row.show(steps[index])
            else:
                row.bar.hide()
                row.detail.hide()
