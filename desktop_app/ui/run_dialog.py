"""Choosing a run before the signing review: which iApp, on which of my protected data, with what arguments.

Data this iApp may process for me comes first. A run on data without such a grant would be refused by the
market (it holds no grant of that data for that app), so instead of letting the run fail late, the dialog
says so and its main button becomes "Grant access…". The dialog only collects the choice;
``flows.run.run`` builds the request and the review dialog shows it before anything is signed.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.flows.access import GrantView
from desktop_app.flows.apps import AppView
from desktop_app.flows.listing import ProtectedItem
from desktop_app.ui import a11y
from desktop_app.ui.format import short_address
from desktop_app.ui.pages.runs_rows import grant_usable
from desktop_app.ui.theme import heading, set_tone

GRANT_REQUESTED = 2  # the dialog's result code when the user chose "Grant access…" instead


@dataclass(frozen=True)
class RunChoices:
    """What a run can be made of: the network's apps, my protected data, and each one's grants."""

    apps: list[AppView]
    datasets: list[ProtectedItem]
    grants: dict[str, list[GrantView]]  # dataset address (lowercase) -> its grants
    me: str

    def allowed(self, app: str, dataset: str) -> bool:
        return any(grant_usable(g, app, self.me) for g in self.grants.get(dataset.lower(), []))


@dataclass(frozen=True)
class RunChoice:
    app: str
    app_name: str
    dataset: str
    dataset_name: str
    args: str


class RunDialog(QDialog):
    def __init__(self, choices: RunChoices, app: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.choices = choices
        self.setWindowTitle(self.tr("Run an iApp"))
        self.app = QComboBox()
        a11y.name(self.app, self.tr("iApp"))
        for view in choices.apps:
            self.app.addItem(f"{view.name or view.address} ({short_address(view.address)})", view.address)
        self.app.setCurrentIndex(max(self.app.findData(app), 0))
        self.dataset = QComboBox()
        a11y.name(self.dataset, self.tr("Protected data"))
        self.args = QLineEdit()
        self.args.setPlaceholderText(self.tr("Optional; for example, the column to aggregate"))
        a11y.name(self.args, self.tr("Arguments"))
        self.refusal = QLabel()
        self.refusal.setWordWrap(True)
        self.refusal.setAccessibleName(self.tr("Why this run cannot start"))
        set_tone(self.refusal, "danger")
        note = QLabel(
            self.tr(
                "The iApp runs inside an enclave; the result is encrypted for you alone, and this app checks "
                "its proof on this computer."
            )
        )
        note.setWordWrap(True)
        set_tone(note, "muted")
        form = QFormLayout()
        form.addRow(self.tr("iApp:"), self.app)
        form.addRow(self.tr("Protected data:"), self.dataset)
        form.addRow(self.tr("Arguments:"), self.args)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(self.tr("Review and run…"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setProperty("primary", True)
        self.ok_button.setAccessibleName(self.tr("Review and run"))
        self.grant_button = buttons.addButton(
            self.tr("Grant access…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.grant_button.setProperty("primary", True)
        self.grant_button.setAccessibleName(self.tr("Grant this iApp access to this data first"))
        self.grant_button.clicked.connect(lambda: self.done(GRANT_REQUESTED))
        cancel = buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setAccessibleName(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Run an iApp on your data"), 1.3))
        layout.addLayout(form)
        layout.addWidget(self.refusal)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)
        self.app.currentIndexChanged.connect(self._fill_datasets)
        self.dataset.currentIndexChanged.connect(self._update)
        self._fill_datasets()

    def _fill_datasets(self) -> None:
        """My protected data, those this app may process for me first."""
        app = str(self.app.currentData() or "")
        current = self.dataset.currentData()
        ordered = sorted(self.choices.datasets, key=lambda d: not self.choices.allowed(app, d.address))
        self.dataset.blockSignals(True)
        self.dataset.clear()
        for item in ordered:
            allowed = self.choices.allowed(app, item.address)
            status = self.tr("allowed") if allowed else self.tr("no access granted")
            self.dataset.addItem(f"{item.name} ({short_address(item.address)}) · {status}", item.address)
        self.dataset.setCurrentIndex(max(self.dataset.findData(current), 0))
        self.dataset.blockSignals(False)
        self._update()

    @property
    def allowed(self) -> bool:
        return self.choices.allowed(str(self.app.currentData() or ""), str(self.dataset.currentData() or ""))

    def _update(self) -> None:
        chosen = self.app.currentIndex() >= 0 and self.dataset.currentIndex() >= 0
        allowed = chosen and self.allowed
        self.ok_button.setVisible(allowed or not chosen)
        self.ok_button.setEnabled(allowed)
        self.ok_button.setDefault(allowed)
        self.grant_button.setVisible(chosen and not allowed)
        self.grant_button.setDefault(chosen and not allowed)
        self.refusal.setVisible(chosen and not allowed)
        if chosen and not allowed:
            choice = self.choice()
            self.refusal.setText(
                self.tr(
                    "%1 has no access to %2: the market holds no grant of this data for this iApp, so the "
                    "run would be refused. Grant access first."
                )
                .replace("%1", choice.app_name)
                .replace("%2", choice.dataset_name)
            )
        self.adjustSize()

    def choice(self) -> RunChoice:
        app = str(self.app.currentData() or "")
        dataset = str(self.dataset.currentData() or "")
        app_view = next((a for a in self.choices.apps if a.address == app), None)
        item = next((d for d in self.choices.datasets if d.address == dataset), None)
        return RunChoice(
            app,
            (app_view.name if app_view else "") or app,
            dataset,
            (item.name if item else "") or dataset,
            self.args.text().strip(),
        )
