"""Choosing what a grant allows, before the signing review: which data, who may run the app, how often.

Sensible defaults (the issue's): 1 run, free, for you only. "Anyone" is possible but says plainly, in
red, what it means. The dialog only collects choices; ``flows.access.grant`` checks them and builds the
order, and the review dialog shows the exact order before anything is signed.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.eip55 import is_address  # not eth_utils': startup budget, see ui/app.py
from desktop_app.flows.apps import AppView
from desktop_app.flows.listing import ProtectedItem
from desktop_app.ui import a11y
from desktop_app.ui.format import short_address
from desktop_app.ui.theme import heading, set_tone

MAX_RUNS = 1_000_000


@dataclass(frozen=True)
class GrantChoice:
    dataset: str
    requester: str | None  # None: anyone
    volume: int
    price: int


class GrantDialog(QDialog):
    def __init__(self, app: AppView, datasets: list[ProtectedItem], me: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.me = me
        self.setWindowTitle(self.tr("Grant access"))
        intro = QLabel(
            self.tr("Allow <b>%1</b> (%2) to process one of your protected data inside an enclave.")
            .replace("%1", app.name)
            .replace("%2", short_address(app.address))
        )
        intro.setWordWrap(True)
        self.dataset = QComboBox()
        a11y.name(self.dataset, self.tr("Protected data"))
        for item in datasets:
            self.dataset.addItem(f"{item.name} ({short_address(item.address)})", item.address)
        self.only_me = QRadioButton(self.tr("Only me"))
        self.anyone = QRadioButton(self.tr("Anyone"))
        self.someone = QRadioButton(self.tr("A specific address"))
        self.only_me.setChecked(True)
        group = QButtonGroup(self)
        for button in (self.only_me, self.anyone, self.someone):
            group.addButton(button)
            button.setAccessibleName(button.text())
            button.toggled.connect(self._update)
        self.requester = QLineEdit()
        self.requester.setPlaceholderText("0x…")
        self.requester.setAccessibleName(self.tr("Requester address"))
        self.requester.textChanged.connect(self._update)
        self.anyone_warning = QLabel(
            self.tr("Anyone could run this app on your data, as often as the runs allow.")
        )
        self.anyone_warning.setWordWrap(True)
        set_tone(self.anyone_warning, "danger")
        self.volume = QSpinBox()
        self.volume.setRange(1, MAX_RUNS)
        a11y.name(self.volume, self.tr("Number of runs"))
        self.price = QSpinBox()
        self.price.setRange(0, 10**9)
        self.price.setSuffix(" nRLC")
        a11y.name(self.price, self.tr("Price per run"))
        form = QFormLayout()
        form.addRow(self.tr("Protected data:"), self.dataset)
        who = QVBoxLayout()
        for widget in (self.only_me, self.anyone, self.anyone_warning, self.someone, self.requester):
            who.addWidget(widget)
        form.addRow(self.tr("Who may run it:"), who)
        form.addRow(self.tr("Runs:"), self.volume)
        form.addRow(self.tr("Price per run:"), self.price)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(
            self.tr("Review and sign…"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.ok_button.setAccessibleName(self.tr("Review and sign"))
        self.ok_button.setProperty("primary", True)
        cancel = buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setAccessibleName(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Grant access"), 1.3))
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
        self._update()

    def _update(self) -> None:
        self.requester.setVisible(self.someone.isChecked())
        self.anyone_warning.setVisible(self.anyone.isChecked())
        valid = not self.someone.isChecked() or is_address(self.requester.text().strip())
        self.ok_button.setEnabled(valid and self.dataset.count() > 0)
        self.adjustSize()

    def choice(self) -> GrantChoice:
        if self.anyone.isChecked():
            requester: str | None = None
        elif self.someone.isChecked():
            requester = self.requester.text().strip()
        else:
            requester = self.me
        return GrantChoice(
            str(self.dataset.currentData()), requester, self.volume.value(), self.price.value()
        )
