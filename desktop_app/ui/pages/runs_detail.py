"""The detail pane of one run: its live timeline, its decrypted result, and its verification report.

The timeline is always one tab away and says, for a failure, why and what to do. "Fetch the result"
appears when a completed run has no result in this session yet (an unlock was declined, or the app was
restarted), "Verify again" once a result is there: it re-checks the files on disk, so a changed byte shows.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui import format as fmt
from desktop_app.ui.elided import ElidedLabel
from desktop_app.ui.pages.runs_model import state_tone
from desktop_app.ui.pages.runs_rows import STAGE_LABELS, RunEntry, Stage, StageState, StageStatus
from desktop_app.ui.result_viewer import ResultViewer
from desktop_app.ui.theme import heading, set_tone
from desktop_app.ui.verification_report import VerificationReportView

_GLYPHS = {
    StageStatus.PENDING: ("○", "muted"),
    StageStatus.ACTIVE: ("●", "accent"),
    StageStatus.DONE: ("✓", "success"),
    StageStatus.FAILED: ("✗", "danger"),
}


def clock_time(seconds: float) -> str:
    """ "14:02:11" today, the date and minute otherwise."""
    if time.strftime("%Y%m%d", time.localtime(seconds)) == time.strftime("%Y%m%d"):
        return time.strftime("%H:%M:%S", time.localtime(seconds))
    return fmt.timestamp(seconds)


class _StageRow:
    def __init__(self, grid: QGridLayout, row: int, stage: Stage, parent: QWidget) -> None:
        self.stage = stage
        self.glyph = QLabel(parent)
        self.label = QLabel(parent)
        self.when = QLabel(parent)
        set_tone(self.when, "muted")
        self.detail = QLabel(parent)
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint = QLabel(parent)
        self.hint.setWordWrap(True)
        grid.addWidget(self.glyph, 3 * row, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.label, 3 * row, 1)
        grid.addWidget(self.when, 3 * row, 2, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.detail, 3 * row + 1, 1, 1, 2)
        grid.addWidget(self.hint, 3 * row + 2, 1, 1, 2)

    def show(self, state: StageState) -> None:
        glyph, tone = _GLYPHS[state.status]
        label = QCoreApplication.translate("Timeline", STAGE_LABELS[self.stage])
        self.glyph.setText(glyph)
        set_tone(self.glyph, tone)
        self.glyph.setAccessibleName(f"{label}: {state.status.value}")
        self.label.setText(label + ("…" if state.status == StageStatus.ACTIVE else ""))
        set_tone(self.label, "muted" if state.status == StageStatus.PENDING else "")
        self.when.setText(clock_time(state.at) if state.at is not None else "")
        self.detail.setText(state.detail)
        self.detail.setVisible(bool(state.detail))
        set_tone(self.detail, "danger" if state.status == StageStatus.FAILED else "muted")
        self.hint.setText(state.hint)
        self.hint.setVisible(bool(state.hint))


class TimelineView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Timeline"))
        grid = QGridLayout(self)
        unit = self.fontMetrics().height()
        grid.setContentsMargins(unit, unit, unit, unit)
        grid.setHorizontalSpacing(unit)
        grid.setColumnStretch(1, 1)
        self.rows = [_StageRow(grid, number, stage, self) for number, stage in enumerate(Stage)]
        grid.setRowStretch(3 * len(self.rows), 1)

    def show_entry(self, entry: RunEntry) -> None:
        for row in self.rows:
            row.show(entry.timeline[row.stage])


class RunDetail(QWidget):
    fetch_clicked = Signal(str)
    verify_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry: RunEntry | None = None
        self.title = heading("", 1.35)
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.task = ElidedLabel()
        self.task.setAccessibleName(self.tr("Task"))
        set_tone(self.task, "muted")
        self.fetch_button = QPushButton(self.tr("Fetch the result"))
        self.fetch_button.setProperty("primary", True)
        self.fetch_button.setAccessibleName(self.tr("Fetch, decrypt and verify the result"))
        self.fetch_button.clicked.connect(lambda: self._emit(self.fetch_clicked))
        self.verify_button = QPushButton(self.tr("Verify again"))
        self.verify_button.setAccessibleName(self.tr("Verify the result again"))
        self.verify_button.setToolTip(self.tr("Check the proof again against the result files on disk"))
        self.verify_button.clicked.connect(lambda: self._emit(self.verify_clicked))

        self.timeline = TimelineView()
        timeline_scroll = QScrollArea()
        timeline_scroll.setWidget(self.timeline)
        timeline_scroll.setWidgetResizable(True)
        timeline_scroll.setFrameShape(QFrame.Shape.NoFrame)
        timeline_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.result = ResultViewer()
        self.report = VerificationReportView()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("Run details"))
        self.tabs.tabBar().setAccessibleName(self.tr("Run details"))
        self.tabs.addTab(timeline_scroll, self.tr("Timeline"))
        self.tabs.addTab(self._padded(self.result), self.tr("Result"))
        self.tabs.addTab(self._padded(self.report), self.tr("Verification"))

        heads = QVBoxLayout()
        heads.addWidget(self.title)
        heads.addWidget(self.state)
        heads.addWidget(self.task)
        top = QHBoxLayout()
        top.addLayout(heads, 1)
        top.addWidget(self.verify_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.fetch_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

    def _padded(self, widget: QWidget) -> QWidget:
        holder = QWidget()
        layout = QVBoxLayout(holder)
        unit = self.fontMetrics().height()
        layout.setContentsMargins(unit // 2, unit // 2, unit // 2, unit // 2)
        layout.addWidget(widget)
        return holder

    def _emit(self, signal: SignalInstance) -> None:
        if self.entry is not None:
            signal.emit(self.entry.task_id)

    def show_entry(self, entry: RunEntry | None, *, busy: bool, simulated: bool) -> None:
        """Draw ``entry``; ``busy`` while an operation works on it (its buttons then wait)."""
        previous, self.entry = self.entry, entry
        if entry is None:
            return
        self.title.setText(entry.title)
        self.state.setText(entry.state_text)
        set_tone(self.state, state_tone(entry.state))
        self.task.set_full_text(self.tr("Task %1").replace("%1", entry.task_id))
        self.timeline.show_entry(entry)
        timeline = entry.timeline
        self.fetch_button.setVisible(timeline.completed and entry.files is None and not busy)
        self.verify_button.setVisible(entry.files is not None and not busy)
        if previous is not entry or self.result.files is not entry.files:
            waiting = (
                ""
                if timeline.completed or not timeline.task_final
                else self.tr("This run ended without a result.")
            )
            self.result.show_files(entry.files, waiting)
        status = ""
        if timeline[Stage.VERIFIED].status == StageStatus.ACTIVE:
            status = self.tr("Checking the proof…")
        elif (failure := timeline.failure) is not None and failure[0] == Stage.VERIFIED:
            status = failure[1].detail
        if previous is not entry or self.report.report is not entry.report or entry.report is None:
            self.report.show_report(entry.report, simulated=simulated, status=status)
