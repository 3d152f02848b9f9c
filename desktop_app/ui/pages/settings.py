"""The Settings page: network, auto-lock, remembering the password, theme, and attestation collateral.

Each control reads and writes one declared setting (``core.settings``) and applies it at once: the
auto-lock delay to the open session, the theme to the whole app, the keyring choice by forgetting what is
stored when it is turned off. Switching networks reconnects the window, so it asks first. The keyring
may answer over D-Bus: it is asked off the GUI thread, and when there is none the page says so, in
words, instead of offering a switch that does nothing (Cryptomator #2920).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserFacingError
from desktop_app.core.iexec.network import available_profiles, load_profile
from desktop_app.core.settings import AUTO_LOCK_SECONDS, PCS_URL, REMEMBER_PASSWORD, THEME
from desktop_app.core.store.collateral_cache import CollateralCache
from desktop_app.ui import a11y
from desktop_app.ui.context import AppState
from desktop_app.ui.dialogs import confirm
from desktop_app.ui.errors import sentence
from desktop_app.ui.operations import Operation, OperationRunner
from desktop_app.ui.theme import ThemeMode, apply_theme, heading, set_tone

AUTO_LOCK_MINUTES = (1, 2, 5, 10, 15, 30, 60)


def network_label(name: str) -> str:
    """A profile's label ("Arbitrum Sepolia"); the local one is only loadable while its sandbox runs."""
    try:
        return load_profile(name).label
    except UserFacingError:
        return "Local sandbox" if name == "local" else name


def _section(title: str) -> tuple[QFrame, QFormLayout]:
    card = QFrame()
    card.setObjectName("card")
    unit = card.fontMetrics().height()
    outer = QVBoxLayout(card)
    outer.setContentsMargins(unit, unit, unit, unit)
    outer.addWidget(heading(title, 1.2))
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    outer.addLayout(form)
    return card, form


def _note(tone: str = "muted") -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    set_tone(label, tone)
    return label


class SettingsPage(QWidget):
    def __init__(
        self,
        state: AppState,
        runner: OperationRunner,
        switch_network: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.state, self.runner, self.switch_network = state, runner, switch_network
        self.settings = state.context.settings
        self.cache = CollateralCache(state.context.jobs.db)
        unit = self.fontMetrics().height()
        column = QVBoxLayout()
        column.setSpacing(unit)
        column.addWidget(heading(self.tr("Settings"), 1.6))
        for build in (self._network_section, self._security_section, self._theme_section):
            column.addWidget(build())
        column.addWidget(self._attestation_section())
        column.addStretch(1)
        content = QWidget()
        content.setLayout(column)
        content.setMaximumWidth(self.fontMetrics().averageCharWidth() * 110)
        centred = QWidget()
        row = QHBoxLayout(centred)
        row.setContentsMargins(unit * 2, unit, unit * 2, unit * 2)
        row.addWidget(content, 1)
        scroll = QScrollArea()
        scroll.setWidget(centred)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        state.connection_changed.connect(self._show_network)
        self._keyring_task: asyncio.Task[None] | None = None

    # -- sections -----------------------------------------------------------------------------

    def _network_section(self) -> QFrame:
        card, form = _section(self.tr("Network"))
        self.network = QComboBox()
        for name in available_profiles():
            self.network.addItem(network_label(name), name)
        a11y.name(self.network, self.tr("Network"))
        self.network.currentIndexChanged.connect(self._network_chosen)
        self.switch_button = QPushButton(self.tr("Switch…"))
        self.switch_button.setAccessibleName(self.tr("Switch to the chosen network"))
        self.switch_button.clicked.connect(self.ask_switch)
        line = QHBoxLayout()
        line.addWidget(self.network, 1)
        line.addWidget(self.switch_button)
        form.addRow(self.tr("Network"), line)
        self.network_note = _note()
        form.addRow(self.network_note)
        self._show_network()
        return card

    def _security_section(self) -> QFrame:
        card, form = _section(self.tr("Security"))
        self.auto_lock = QComboBox()
        for minutes in AUTO_LOCK_MINUTES:
            text = (
                self.tr("After 1 minute without activity")
                if minutes == 1
                else self.tr("After %1 minutes without activity").replace("%1", str(minutes))
            )
            self.auto_lock.addItem(text, minutes * 60.0)
        current = self.settings.get(AUTO_LOCK_SECONDS)
        if self.auto_lock.findData(current) < 0:  # a value set elsewhere (a test, an older version)
            self.auto_lock.addItem(self.tr("After %1 seconds").replace("%1", f"{current:g}"), current)
        self.auto_lock.setCurrentIndex(self.auto_lock.findData(current))
        a11y.name(self.auto_lock, self.tr("Lock the account automatically"))
        self.auto_lock.currentIndexChanged.connect(self._auto_lock_chosen)
        form.addRow(self.tr("Auto-lock"), self.auto_lock)
        self.remember = QCheckBox(self.tr("Offer to remember the password in the system keyring"))
        self.remember.setAccessibleName(self.remember.text())
        self.remember.setChecked(self.settings.get(REMEMBER_PASSWORD))
        self.remember.toggled.connect(self._remember_toggled)
        form.addRow(self.remember)
        self.keyring_note = _note()
        self.keyring_note.setAccessibleName(self.tr("System keyring"))
        self.keyring_note.setText(self.tr("Checking the system keyring…"))
        form.addRow(self.keyring_note)
        return card

    def _theme_section(self) -> QFrame:
        card, form = _section(self.tr("Appearance"))
        self.themes = QButtonGroup(self)
        line = QHBoxLayout()
        names = {
            ThemeMode.SYSTEM: self.tr("Follow the system"),
            ThemeMode.LIGHT: self.tr("Light"),
            ThemeMode.DARK: self.tr("Dark"),
        }
        self.theme_buttons: dict[ThemeMode, QRadioButton] = {}
        current = ThemeMode(self.settings.get(THEME))
        for mode, text in names.items():
            button = QRadioButton(text)
            button.setAccessibleName(self.tr("Theme: %1").replace("%1", text))
            button.setChecked(mode == current)
            button.toggled.connect(lambda on, mode=mode: self._theme_toggled(mode, on))
            self.themes.addButton(button)
            self.theme_buttons[mode] = button
            line.addWidget(button)
        line.addStretch(1)
        form.addRow(self.tr("Theme"), line)
        return card

    def _attestation_section(self) -> QFrame:
        card, form = _section(self.tr("Attestation"))
        self.cache_note = _note("")
        self.cache_note.setAccessibleName(self.tr("Collateral cache"))
        self.clear_button = QPushButton(self.tr("Clear"))
        self.clear_button.setAccessibleName(self.tr("Clear the collateral cache"))
        self.clear_button.clicked.connect(self.clear_cache)
        line = QHBoxLayout()
        line.addWidget(self.cache_note, 1)
        line.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignTop)
        form.addRow(self.tr("Collateral cache"), line)
        self.pcs_error = _note("danger")
        self.pcs_error.setAccessibleName(self.tr("PCS address problem"))
        self.pcs_error.hide()
        self.pcs_url = QLineEdit(self.settings.get(PCS_URL))
        a11y.name(self.pcs_url, self.tr("PCS or PCCS address"))
        self.pcs_url.returnPressed.connect(self.save_pcs_url)
        self.pcs_url.textEdited.connect(lambda _text: self.pcs_error.hide())
        self.save_pcs_button = QPushButton(self.tr("Save"))
        self.save_pcs_button.setAccessibleName(self.tr("Save the PCS address"))
        self.save_pcs_button.clicked.connect(self.save_pcs_url)
        url_line = QHBoxLayout()
        url_line.addWidget(self.pcs_url, 1)
        url_line.addWidget(self.save_pcs_button)
        form.addRow(self.tr("PCS address"), url_line)
        form.addRow(self.pcs_error)
        pcs_note = _note()
        pcs_note.setText(
            self.tr(
                "Expired collateral is fetched again from Intel's PCS, or from your own PCCS. What it "
                "serves is not trusted: every signature is checked against Intel's root."
            )
        )
        form.addRow(pcs_note)
        self._show_cache()
        return card

    # -- showing ------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._show_cache()
        if self._keyring_task is None or self._keyring_task.done():
            self._keyring_task = asyncio.get_event_loop().create_task(self._show_keyring())

    def _show_network(self) -> None:
        current = self.state.context.network
        self.network.blockSignals(True)
        self.network.setCurrentIndex(max(self.network.findData(current), 0))
        self.network.blockSignals(False)
        self._network_chosen()

    def _network_chosen(self) -> None:
        chosen = str(self.network.currentData())
        current = self.state.context.network
        self.switch_button.setEnabled(chosen != current)
        self.network_note.setText(
            self.tr("The window works on %1.").replace("%1", network_label(current))
            if chosen == current
            else self.tr("Switching reconnects the window to %1.").replace("%1", network_label(chosen))
        )

    async def _show_keyring(self) -> None:
        status = await asyncio.to_thread(lambda: self.state.context.memory.status)
        if status.available:
            self.remember.setEnabled(True)
            self.keyring_note.setText(
                self.tr("Stored only in your system keyring, never in a file.")
                if self.remember.isChecked()
                else self.tr("The password is asked at every unlock.")
            )
            set_tone(self.keyring_note, "muted")
        else:
            self.remember.setEnabled(False)
            self.remember.blockSignals(True)  # shown off, as it is; the choice itself is kept for later
            self.remember.setChecked(False)
            self.remember.blockSignals(False)
            self.keyring_note.setText(
                self.tr(
                    "Not available: no system keyring answered, so the password is asked at every "
                    "unlock. Install or unlock your desktop's keyring (GNOME Keyring, KWallet) to use it."
                )
            )
            set_tone(self.keyring_note, "warning")
        self.keyring_note.setToolTip(status.message)  # the technical reason, for whoever wants it

    def _show_cache(self) -> None:
        bundles = self.cache.all()
        self.clear_button.setEnabled(bool(bundles))
        if not bundles:
            self.cache_note.setText(
                self.tr("Empty. Verifying a result stores the collateral it brings, for offline use.")
            )
            return
        now = datetime.now(UTC)
        oldest = min(bundles, key=lambda bundle: bundle.fetched_at)
        count = (
            self.tr("1 platform cached")
            if len(bundles) == 1
            else self.tr("%1 platforms cached").replace("%1", str(len(bundles)))
        )
        self.cache_note.setText(
            self.tr("%1; the oldest was %2.").replace("%1", count).replace("%2", oldest.describe(now))
        )

    # -- changing -----------------------------------------------------------------------------

    def ask_switch(self) -> None:
        chosen = str(self.network.currentData())
        if chosen == self.state.context.network:
            return
        window, switch = self.window(), self.switch_network
        question = self.tr("Switch to %1?").replace("%1", network_label(chosen))
        consequences = self.tr(
            "The window reconnects, and its pages show your data, grants and runs on %1. Your accounts "
            "stay the same. A local sandbox this app started is stopped."
        ).replace("%1", network_label(chosen))

        async def work(_operation: Operation) -> None:
            await confirm(
                window,
                self.tr("Switch network"),
                question,
                consequences,
                self.tr("Switch"),
                (self.tr("Stay"), self.tr("Stay on this network")),
            )
            switch(chosen)

        operation = self.runner.run(self.tr("Switch network"), work, progress="inline")
        operation.finished.connect(self._show_network)

    def _auto_lock_chosen(self) -> None:
        self.state.set_idle_timeout(float(self.auto_lock.currentData()))

    def _remember_toggled(self, on: bool) -> None:
        self.settings.set(REMEMBER_PASSWORD, on)
        if on:
            self.keyring_note.setText(self.tr("Stored only in your system keyring, never in a file."))
            return
        context = self.state.context

        def forget_all() -> None:
            for account in context.wallet.accounts():
                context.memory.forget(account.address)

        async def work(_operation: Operation) -> None:
            await asyncio.to_thread(forget_all)

        def forgotten(_none: None) -> None:
            self.keyring_note.setText(self.tr("No password is remembered; it is asked at every unlock."))

        self.runner.run(self.tr("Forget remembered passwords"), work, progress="inline", on_success=forgotten)

    def _theme_toggled(self, mode: ThemeMode, on: bool) -> None:
        if on:
            self.set_theme(mode)

    def set_theme(self, mode: ThemeMode) -> None:
        self.settings.set(THEME, mode.value)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, mode)

    def clear_cache(self) -> None:
        self.cache.clear()
        self._show_cache()

    def save_pcs_url(self) -> None:
        try:
            self.settings.set(PCS_URL, self.pcs_url.text().strip())
        except UserFacingError as e:
            self.pcs_error.setText(sentence(e.what) + " " + sentence(e.hint))
            self.pcs_error.show()
            return
        self.pcs_error.hide()
        self.pcs_url.setText(self.settings.get(PCS_URL))
