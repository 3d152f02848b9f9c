"""The verification report of a run: each link of the task's proof as a check, passed, failed or not checked.

After Cryptomator's health check: one row per check with a state icon, its details one click away, a
summary line first ("Verified on this machine: 7/7 checks passed"), the enclave's measurements, and
"Export report…" (the self-contained HTML page of ``core.attestation.report_html``, or the JSON). On the
local sandbox a banner says the enclave is simulated: there, green means "the protocol checks pass",
not "Intel hardware vouched for it".
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.attestation.report import Check
from desktop_app.core.attestation.report_html import render
from desktop_app.core.attestation.task_proof import TaskProofReport
from desktop_app.ui.elided import ElidedLabel
from desktop_app.ui.theme import heading, set_tone

# What each link of the proof means, in a sentence; the report's own name shows for any other check.
CHECK_TITLES = {
    "1. result digest": "The result you hold is the one recorded on chain",
    "2. result hash and seal": "PoCo's result hash and seal match it",
    "3. enclave signature": "The task's enclave signed it",
    "4. worker authorization": "The workerpool authorized that enclave",
    "5. task completed as granted": "It ran the app you allowed, on your data, under your grant",
    "6. enclave quote": "A genuine enclave quote binds the result and measures the app",
    "7. trust anchor": "The quote chains to a trusted root",
}
PASSED, FAILED, NOT_CHECKED = "passed", "failed", "not checked"
_GLYPHS = {PASSED: ("✓", "success"), FAILED: ("✗", "danger"), NOT_CHECKED: ("○", "muted")}


def check_title(name: str) -> str:
    return CHECK_TITLES.get(name, name)


class CheckRow(QWidget):
    """State icon, title, and an expandable paragraph saying why."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.glyph = QLabel()
        self.glyph.setFont(_bold(self.glyph))
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.toggle = QToolButton()
        self.toggle.setCheckable(True)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setAutoRaise(True)
        self.toggle.toggled.connect(self._expand)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_tone(self.detail, "muted")
        self.detail.hide()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setColumnStretch(1, 1)
        grid.addWidget(self.glyph, 0, 0)
        grid.addWidget(self.title, 0, 1)
        grid.addWidget(self.toggle, 0, 2, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.detail, 1, 1, 1, 2)
        self.state = NOT_CHECKED

    def show_check(self, name: str, state: str, detail: str) -> None:
        self.state = state
        glyph, tone = _GLYPHS[state]
        self.glyph.setText(glyph)
        set_tone(self.glyph, tone)
        self.glyph.setAccessibleName(state)
        self.title.setText(check_title(name))
        self.title.setToolTip(name)
        self.detail.setText(detail or self.tr("Not checked yet."))
        self.toggle.setAccessibleName(self.tr("Details of: %1").replace("%1", check_title(name)))
        self.setAccessibleName(f"{check_title(name)}: {state}")
        if state == FAILED and not self.toggle.isChecked():  # a failure shows why without a click
            self.toggle.setChecked(True)

    def _expand(self, shown: bool) -> None:
        self.detail.setVisible(shown)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)


def _bold(widget: QWidget) -> QFont:
    font = QFont(widget.font())
    font.setBold(True)
    return font


class VerificationReportView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: TaskProofReport | None = None
        self._export_dialog: QFileDialog | None = None
        self.summary = heading("", 1.1)
        self.summary.setAccessibleName(self.tr("Verification summary"))
        banner_text = QLabel(
            self.tr(
                "<b>Simulated enclave.</b> This run used the local sandbox's simulated TEE: a pass here "
                "means the protocol checks hold, not that Intel hardware vouched for the enclave."
            )
        )
        banner_text.setWordWrap(True)
        # The frame draws the border and the label wraps inside it: a styled, padded label loses its
        # height-for-width and cuts its last line.
        self.simulated_banner = QFrame()
        self.simulated_banner.setObjectName("simulatedBanner")
        self.simulated_banner.setAccessibleName(self.tr("Simulated enclave"))
        banner_layout = QVBoxLayout(self.simulated_banner)
        banner_layout.addWidget(banner_text)
        self.simulated_banner_text = banner_text
        self.export_button = QPushButton(self.tr("Export report…"))
        self.export_button.setAccessibleName(self.tr("Export the verification report"))
        self.export_button.setToolTip(self.tr("Save the report as an HTML page or JSON (Ctrl+E)"))
        self.export_button.clicked.connect(self.export)
        self.export_note = QLabel()
        self.export_note.setWordWrap(True)
        self.export_note.hide()
        self.rows = [CheckRow() for _ in CHECK_TITLES]
        self.measurements_title = QLabel(f"<b>{self.tr('Enclave measurements')}</b>")
        self.measurements = QFormLayout()
        self.measurements.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        checks = QFrame()
        checks.setObjectName("card")
        unit = self.fontMetrics().height()
        self._checks_layout = QVBoxLayout(checks)
        self._checks_layout.setContentsMargins(unit, unit // 2, unit, unit // 2)
        for row in self.rows:
            self._checks_layout.addWidget(row)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, unit // 2, 0)
        body_layout.addWidget(self.simulated_banner)
        body_layout.addWidget(checks)
        body_layout.addWidget(self.measurements_title)
        body_layout.addLayout(self.measurements)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.export_note)
        layout.addWidget(scroll, 1)
        self.show_report(None, simulated=False)

    @property
    def check_states(self) -> list[str]:
        """The state of each check shown: "passed", "failed" or "not checked"."""
        return [row.state for row in self.rows if not row.isHidden()]

    def show_report(self, report: TaskProofReport | None, *, simulated: bool, status: str = "") -> None:
        """Draw ``report``; without one, every check is "not checked" and ``status`` says why."""
        self.report = report
        self.export_note.hide()
        self.simulated_banner.setVisible(simulated)
        self.export_button.setEnabled(report is not None)
        checks: list[Check] = list(report.checks) if report is not None else []
        while len(self.rows) < len(checks):
            self.rows.append(CheckRow())
            self._checks_layout.addWidget(self.rows[-1])
        names = [c.name for c in checks] or list(CHECK_TITLES)
        for row, name in zip(self.rows, names, strict=False):
            check = next((c for c in checks if c.name == name), None)
            if check is None:
                row.show_check(name, NOT_CHECKED, "")
            else:
                row.show_check(name, PASSED if check.ok else FAILED, check.detail)
        for number, row in enumerate(self.rows):
            row.setVisible(number < len(names))
        if report is None:
            self.summary.setText(status or self.tr("Not checked yet"))
            set_tone(self.summary, "muted")
        else:
            passed = sum(check.ok for check in checks)
            text = (
                self.tr("Verified on this machine: %1/%2 checks passed")
                if report.valid
                else self.tr("Verification failed: %1/%2 checks passed")
            )
            self.summary.setText(text.replace("%1", str(passed)).replace("%2", str(len(checks))))
            set_tone(self.summary, "success" if report.valid else "danger")
        self._show_measurements(report)

    def _show_measurements(self, report: TaskProofReport | None) -> None:
        while self.measurements.rowCount():
            self.measurements.removeRow(0)
        quote = report.quote if report is not None else None
        self.measurements_title.setVisible(quote is not None)
        if quote is None:
            return
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        values: list[tuple[str, str]] = [
            (self.tr("TEE"), quote.tee.value.upper()),
            (self.tr("TCB status"), quote.status.value if quote.status else self.tr("unknown")),
            (self.tr("Root of trust"), quote.root_label),
        ]
        values += [(key, str(value)) for key, value in quote.measurements.to_json().items()]
        for name, value in values:
            field = ElidedLabel(value)  # long hex values elide in the middle; its menu copies all of it
            field.setAccessibleName(name)
            if len(value) > 16 and all(c in "0123456789abcdef" for c in value):
                field.setFont(fixed)
                field.set_full_text(value)
            self.measurements.addRow(name + ":", field)

    def export(self) -> None:
        """Export… (Ctrl+E): the HTML page, or the JSON when that filter (or a .json name) is chosen."""
        report = self.report
        if report is None:
            return
        dialog = QFileDialog(self.window(), self.tr("Export the verification report"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setNameFilters([self.tr("Web page (*.html)"), self.tr("JSON (*.json)")])
        dialog.setDefaultSuffix("html")
        dialog.selectFile(f"proof-{report.task_id[:10]}.html")
        dialog.fileSelected.connect(lambda target: self.write(Path(target)))
        self._export_dialog = dialog
        dialog.open()

    def write(self, target: Path) -> None:
        report = self.report
        if report is None:
            return
        text = json.dumps(report.to_json(), indent=1) if target.suffix.lower() == ".json" else render(report)
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as e:
            self.export_note.setText(self.tr("Not exported: %1").replace("%1", e.strerror or str(e)))
            set_tone(self.export_note, "danger")
        else:
            self.export_note.setText(self.tr("Report exported to %1").replace("%1", str(target)))
            set_tone(self.export_note, "success")
        self.export_note.show()
