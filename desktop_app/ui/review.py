"""The signing review: every signature and every transaction a flow asks for is shown here first.

``DialogReview`` is the GUI's implementation of the flows' ``Review`` hook. The dialog reads like the
wallets people trust (ux-anchors §2.1): the decoded sentence first, risks in red, then the rows (names
before addresses), whether it costs gas, and the raw payload one click away behind "Details", with Copy.
Sign is armed only after a short delay (Frame's 1.5 s), so a double-click that opened the dialog cannot
also approve it. Declining raises ``UserCancelled``: the flow stops and nothing is shown, since saying
no is not an error.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserCancelled
from desktop_app.flows.signing import SigningRequest
from desktop_app.ui.dialogs import accepted, ask
from desktop_app.ui.errors import sentence
from desktop_app.ui.theme import heading, set_tone


class ReviewDialog(QDialog):
    def __init__(self, request: SigningRequest, parent: QWidget, *, arm_delay_ms: int) -> None:
        super().__init__(parent)
        self.request = request
        transaction = request.kind == "transaction"
        self.setWindowTitle(
            self.tr("Review the transaction") if transaction else self.tr("Review the signature")
        )
        layout = QVBoxLayout(self)
        layout.addWidget(
            heading(self.tr("Sign this transaction?") if transaction else self.tr("Sign this?"), 1.3)
        )
        self.sentence = QLabel(sentence(request.sentence))
        self.sentence.setObjectName("sentence")
        self.sentence.setWordWrap(True)
        self.sentence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sentence.setAccessibleName(self.tr("What you are signing"))
        layout.addWidget(self.sentence)
        self.risks: list[QLabel] = []
        for risk in request.risks:
            label = QLabel("⚠ " + sentence(risk))
            label.setObjectName("riskRow")
            label.setWordWrap(True)
            label.setAccessibleName(self.tr("Risk: %1").replace("%1", risk))
            self.risks.append(label)
            layout.addWidget(label)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, value in request.rows:
            field = QLabel(value)
            field.setWordWrap(True)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            field.setAccessibleName(name)
            form.addRow(QLabel(sentence(name).rstrip(".") + ":"), field)
        layout.addLayout(form)
        cost = QLabel(
            self.tr("An on-chain transaction: it costs gas and cannot be undone.")
            if transaction
            else self.tr("An off-chain signature: it costs no gas.")
        )
        set_tone(cost, "warning" if transaction else "muted")
        cost.setWordWrap(True)
        layout.addWidget(cost)
        layout.addLayout(self._details())
        self.raw = QPlainTextEdit(request.raw)
        self.raw.setReadOnly(True)
        self.raw.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.raw.setAccessibleName(self.tr("Raw data to sign"))
        self.raw.setMinimumHeight(self.fontMetrics().height() * 10)
        self.raw.hide()
        layout.addWidget(self.raw, 1)
        layout.addWidget(self._buttons())
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 72)
        QTimer.singleShot(arm_delay_ms, self, self._arm)

    def _details(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.details_button = QPushButton(self.tr("Details"))
        self.details_button.setCheckable(True)
        self.details_button.setAccessibleName(self.tr("Show the raw data"))
        self.details_button.toggled.connect(self._toggle_details)
        self.copy_button = QPushButton(self.tr("Copy"))
        self.copy_button.setAccessibleName(self.tr("Copy the raw data"))
        self.copy_button.clicked.connect(self._copy)
        self.copy_button.hide()
        row.addWidget(self.details_button)
        row.addWidget(self.copy_button)
        row.addStretch(1)
        return row

    def _buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox()
        self.decline_button = buttons.addButton(self.tr("Decline"), QDialogButtonBox.ButtonRole.RejectRole)
        self.decline_button.setAccessibleName(self.tr("Decline"))
        self.sign_button = buttons.addButton(self.tr("Sign"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_button.setAccessibleName(self.tr("Sign"))
        self.sign_button.setAccessibleDescription(self.tr("Enabled after a moment, so you can read first"))
        self.sign_button.setProperty("primary", True)
        self.sign_button.setEnabled(False)
        self.decline_button.setDefault(True)
        self.decline_button.setFocus()
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        return buttons

    @property
    def armed(self) -> bool:
        return self.sign_button.isEnabled()

    def _arm(self) -> None:
        self.sign_button.setEnabled(True)

    def _toggle_details(self, shown: bool) -> None:
        self.raw.setVisible(shown)
        self.copy_button.setVisible(shown)
        self.details_button.setText(self.tr("Hide details") if shown else self.tr("Details"))
        self.adjustSize()

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.request.raw)
        self.copy_button.setText(self.tr("Copied"))

    def accept(self) -> None:
        """Enter or a click cannot sign before the dialog is armed."""
        if self.armed:
            super().accept()


class DialogReview:
    """The flows' ``Review`` for the GUI: ``await review(request)`` returns once signed, or raises
    ``UserCancelled`` on Decline/Escape."""

    def __init__(self, parent: QWidget, *, arm_delay_ms: int) -> None:
        self._parent = parent
        self._arm_delay_ms = arm_delay_ms

    async def __call__(self, request: SigningRequest) -> None:
        dialog = ReviewDialog(request, self._parent, arm_delay_ms=self._arm_delay_ms)
        try:
            if not accepted(await ask(dialog)):
                raise UserCancelled
        finally:
            dialog.deleteLater()
