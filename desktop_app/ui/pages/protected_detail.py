"""The detail pane of one protected data item, drawn per state (after Cryptomator's vault detail panes).

Every state shows the facts known so far (name, schema, size, address, checksum, created, source). On
top of them: a running protect shows its step checklist with Cancel (until the chain transaction is on
its way); a failed or unfinished one shows why and a Retry that resumes from the last finished step; a
protected one offers to copy its address.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.flows import protect as protect_flow
from desktop_app.ui import format as fmt
from desktop_app.ui.checklist import StepChecklist
from desktop_app.ui.elided import ElidedLabel
from desktop_app.ui.operations import Operation
from desktop_app.ui.pages.protected_model import state_text, state_tone
from desktop_app.ui.pages.protected_rows import UNCANCELLABLE_STEPS, DisplayState, Row
from desktop_app.ui.theme import heading, set_tone


class ProtectedDetail(QWidget):
    retry_clicked = Signal(str)  # job id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.row: Row | None = None
        self.title = heading("", 1.35)
        self.state = QLabel()
        self.state.setAccessibleName(self.tr("State"))
        self.checklist = StepChecklist()
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel this protect"))
        self.cancel_button.clicked.connect(self._cancel)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setAccessibleName(self.tr("What went wrong"))
        set_tone(self.error, "danger")
        self.retry_button = QPushButton(self.tr("Retry"))
        self.retry_button.setProperty("primary", True)
        self.retry_button.setAccessibleName(self.tr("Retry: resume from the last finished step"))
        self.retry_button.clicked.connect(self._retry)
        self.copy_button = QPushButton(self.tr("Copy address"))
        self.copy_button.setAccessibleName(self.tr("Copy the protected data's address"))
        self.copy_button.clicked.connect(self._copy)
        self.remote_note = QLabel(
            self.tr(
                "Protected from another computer or an earlier installation: only what the network "
                "records is shown."
            )
        )
        self.remote_note.setWordWrap(True)
        set_tone(self.remote_note, "muted")
        self.fields: dict[str, ElidedLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, label in (
            ("schema", self.tr("Schema")),
            ("size", self.tr("Size")),
            ("address", self.tr("Address")),
            ("checksum", self.tr("Checksum")),
            ("created", self.tr("Created")),
            ("source", self.tr("Source")),
            ("grants", self.tr("Grants")),
            ("runs", self.tr("Runs")),
        ):
            value = ElidedLabel()
            value.setAccessibleName(label)
            self.fields[key] = value
            form.addRow(label + ":", value)
        actions = QHBoxLayout()
        for button in (self.cancel_button, self.retry_button, self.copy_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        pad = self.fontMetrics().height()
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.addWidget(self.title)
        layout.addWidget(self.state)
        layout.addWidget(self.checklist)
        layout.addWidget(self.error)
        layout.addLayout(actions)
        layout.addLayout(form)
        layout.addWidget(self.remote_note)
        layout.addStretch(1)
        self.show_row(None, None)

    def show_row(self, row: Row | None, operation: Operation | None) -> None:
        self.row = row
        self.checklist.follow(operation if row is not None and row.state.busy else None)
        if row is None:
            self.title.setText(self.tr("Nothing selected"))
            self.state.setText(self.tr("Select an item to see its details."))
            set_tone(self.state, "muted")
            for widget in (
                self.checklist,
                self.cancel_button,
                self.error,
                self.retry_button,
                self.copy_button,
            ):
                widget.hide()
            for value in self.fields.values():
                value.set_full_text("—")
            return
        self.title.setText(row.name)
        self.state.setText(state_text(row.state))
        set_tone(self.state, state_tone(row.state))
        busy = row.state.busy and operation is not None
        self.checklist.setVisible(busy)
        self._show_cancel(operation if busy else None)
        self.error.setVisible(bool(row.error) and not busy)
        self.error.setText(row.error)
        self.copy_button.setText(self.tr("Copy address"))
        retryable = row.state in (DisplayState.FAILED, DisplayState.DRAFT) and row.job is not None
        self.retry_button.setVisible(retryable)
        self.copy_button.setVisible(bool(row.address))
        self.remote_note.setVisible(row.job is None and not row.live_token)
        self._show_fields(row)

    def _show_cancel(self, operation: Operation | None) -> None:
        self.cancel_button.setVisible(operation is not None)
        if operation is None:
            return
        current = operation.tracker.current
        on_chain = current is not None and current.name in UNCANCELLABLE_STEPS
        self.cancel_button.setEnabled(not on_chain and not operation.cancel_requested)
        self.cancel_button.setText(
            self.tr("Cancelling…") if operation.cancel_requested else self.tr("Cancel")
        )
        self.cancel_button.setToolTip(
            self.tr("The data is being registered on chain; this step cannot be stopped.") if on_chain else ""
        )

    def _show_fields(self, row: Row) -> None:
        job = row.job
        values = {
            "schema": row.schema or (job.schema if job else ""),
            "size": fmt.size(job.size) if job else "",
            "address": row.address,
            "checksum": job.checksum if job else "",
            "created": fmt.timestamp(job.created) if job else "",
            "source": "" if row.source == protect_flow.RECORD_SOURCE else row.source,
        }
        for key, value in values.items():
            self.fields[key].set_full_text(value or "—")

    def show_usage(self, grants: str, runs: str) -> None:
        """Who may use this data, and how often it was used from here (read by the page, not the row)."""
        self.fields["grants"].set_full_text(grants or "—")
        self.fields["runs"].set_full_text(runs or "—")

    def _cancel(self) -> None:
        operation = self.checklist.operation
        if operation is not None:
            operation.cancel()
            self._show_cancel(operation)

    def _retry(self) -> None:
        if self.row is not None and self.row.job is not None:
            self.retry_clicked.emit(self.row.job.id)

    def _copy(self) -> None:
        if self.row is not None and self.row.address:
            QGuiApplication.clipboard().setText(self.row.address)
            self.copy_button.setText(self.tr("Copied"))
