"""The Activity page: the journal of what was done from this app on the current network, newest first.

Read from ``core.store.activity`` (the flows write it), filtered by kind and by text. The journal is a
local SQLite table, so it is read again whenever the page shows and whenever an operation ends, rather
than followed live: that is cheap and never misses an entry written by a flow.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.store.activity import Entry, Kind
from desktop_app.ui import a11y
from desktop_app.ui.context import AppState
from desktop_app.ui.format import short_address, timestamp
from desktop_app.ui.operations import Operation, OperationRunner
from desktop_app.ui.pages.empty import EmptyState
from desktop_app.ui.theme import heading, set_tone

COLUMNS = ("When", "What", "About", "Details")


class ActivityPage(QWidget):
    def __init__(self, state: AppState, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.kind_names = {
            Kind.PROTECT: self.tr("Protect"),
            Kind.GRANT: self.tr("Grant"),
            Kind.REVOKE: self.tr("Revoke"),
            Kind.RUN: self.tr("Run"),
            Kind.VERIFY: self.tr("Verification"),
        }
        self.kind = QComboBox()
        self.kind.addItem(self.tr("Everything"), "")
        for kind, name in self.kind_names.items():
            self.kind.addItem(name, kind.value)
        a11y.name(self.kind, self.tr("Show activity of kind"))
        self.kind.currentIndexChanged.connect(self.refresh)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search names, addresses, tasks…"))
        self.search.setClearButtonEnabled(True)
        a11y.name(self.search, self.tr("Search the activity"))
        self.search.textChanged.connect(self.refresh)
        self.search.setMinimumWidth(self.fontMetrics().averageCharWidth() * 30)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(column) for column in COLUMNS])
        a11y.name(self.table, self.tr("Activity"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.empty = EmptyState(
            "activity",
            self.tr("Nothing done yet"),
            self.tr(
                "Everything you do from this app appears here: files protected, access granted or "
                "revoked, runs and their verification."
            ),
        )
        self.no_match = QLabel(self.tr("Nothing matches these filters."))
        self.no_match.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_tone(self.no_match, "muted")
        self.body = QStackedWidget()
        for widget in (self.table, self.empty, self.no_match):
            self.body.addWidget(widget)

        unit = self.fontMetrics().height()
        titles = QVBoxLayout()
        titles.addWidget(heading(self.tr("Activity"), 1.6))
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        set_tone(self.subtitle, "muted")
        titles.addWidget(self.subtitle)
        top = QHBoxLayout()
        top.addLayout(titles, 1)
        top.addWidget(self.kind, 0, Qt.AlignmentFlag.AlignBottom)
        top.addWidget(self.search, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(unit * 2, unit, unit * 2, unit * 2)
        layout.setSpacing(unit)
        layout.addLayout(top)
        layout.addWidget(self.body, 1)
        state.connection_changed.connect(self.refresh)
        runner.started.connect(self._follow)
        self.refresh()

    def _follow(self, operation: Operation) -> None:
        """Whatever an operation did is in the journal once it ends."""
        operation.finished.connect(self.refresh)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        network = self.state.context.network
        label = self.state.profile.label if self.state.profile is not None else network
        self.subtitle.setText(
            self.tr("What was done from this app on %1, newest first.").replace("%1", label)
        )
        chosen = str(self.kind.currentData() or "")
        activity = self.state.context.activity
        entries = activity.entries(network, kinds=[Kind(chosen)] if chosen else (), text=self.search.text())
        self._fill(entries)
        if entries:
            self.body.setCurrentWidget(self.table)
        elif chosen or self.search.text().strip():
            self.body.setCurrentWidget(self.no_match)
        else:
            self.body.setCurrentWidget(self.empty)

    def _fill(self, entries: list[Entry]) -> None:
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            kind = self.kind_names.get(entry.kind, entry.kind)  # type: ignore[call-overload]
            # A task id or an address is recognised by its ends; the whole value is in the tooltip.
            subject = short_address(entry.subject) if entry.subject.startswith("0x") else entry.subject
            cells = ((timestamp(entry.at), ""), (kind, ""), (subject, entry.subject), (entry.detail, ""))
            for column, (text, full) in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(full or text)
                self.table.setItem(row, column, item)
