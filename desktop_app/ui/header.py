"""The header: which network (name in its profile's colour), which account (short address, Copy), and
whether it is locked. It only draws ``AppState``; the lock button asks the window to lock or unlock."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from desktop_app.ui.context import AppState
from desktop_app.ui.format import short_address
from desktop_app.ui.icons import icon
from desktop_app.ui.theme import set_tone

_COPIED_MS = 1500


def readable_on(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (WCAG relative luminance)."""
    color = QColor(background)

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = (
        0.2126 * channel(color.red()) + 0.7152 * channel(color.green()) + 0.0722 * channel(color.blue())
    )
    return "#000000" if luminance > 0.179 else "#ffffff"


class HeaderBar(QWidget):
    lock_clicked = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("header")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.network = QLabel()
        self.network.setObjectName("networkChip")
        self.network.setAccessibleName(self.tr("Network"))
        self.account = QLabel()
        self.account.setObjectName("accountLabel")
        self.account.setAccessibleName(self.tr("Account"))
        self.account.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QToolButton()
        self.copy_button.setAccessibleName(self.tr("Copy the account address"))
        self.copy_button.setToolTip(self.tr("Copy the full address"))
        self.copy_button.setAutoRaise(True)
        self.copy_button.clicked.connect(self.copy_address)
        self.lock_button = QToolButton()
        self.lock_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.lock_button.setAutoRaise(True)
        self.lock_button.setAccessibleName(self.tr("Lock state"))
        self.lock_button.clicked.connect(self.lock_clicked)
        layout = QHBoxLayout(self)
        margin = self.fontMetrics().height() // 2
        layout.setContentsMargins(margin * 2, margin, margin * 2, margin)
        layout.addWidget(self.network)
        layout.addStretch(1)
        layout.addWidget(self.account)
        layout.addWidget(self.copy_button)
        layout.addWidget(self.lock_button)
        icon_size = self.fontMetrics().height()
        for button in (self.copy_button, self.lock_button):
            button.setIconSize(QSize(icon_size, icon_size))
        state.connection_changed.connect(self.refresh)
        state.account_changed.connect(self.refresh)
        state.lock_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self._show_network()
        session = self.state.session
        has_account = session is not None
        for widget in (self.account, self.copy_button, self.lock_button):
            widget.setVisible(has_account)
        self.copy_button.setIcon(icon("copy"))
        if session is None:
            return
        label = self.state.context.wallet.account(session.address).label
        self.account.setText(f"{label} · {short_address(session.address)}")
        self.account.setToolTip(session.address)
        unlocked = session.is_unlocked
        self.lock_button.setIcon(icon("unlock" if unlocked else "lock"))
        self.lock_button.setText(self.tr("Unlocked") if unlocked else self.tr("Locked"))
        self.lock_button.setAccessibleName(
            self.tr("Unlocked: click to lock") if unlocked else self.tr("Locked: click to unlock")
        )
        self.lock_button.setToolTip(self.lock_button.accessibleName())

    def _show_network(self) -> None:
        profile = self.state.profile
        if profile is None:
            name = self.state.context.network
            self.network.setText(
                self.tr("Starting the local sandbox…") if name == "local" else self.tr("Connecting…")
            )
            self.network.setStyleSheet("")
            set_tone(self.network, "muted")
            return
        set_tone(self.network, "")
        self.network.setText(f"● {profile.label}")
        self.network.setToolTip(self.tr("Chain %1").replace("%1", str(profile.chain_id)))
        # A widget's own sheet replaces the application's rules for it: repeat the chip's shape here.
        self.network.setStyleSheet(
            f"background: {profile.color}; color: {readable_on(profile.color)}; border-radius: 0.6em;"
            " padding: 0.2em 0.8em; font-weight: bold;"
        )

    def copy_address(self) -> None:
        if self.state.session is None:
            return
        QGuiApplication.clipboard().setText(self.state.session.address)
        self.copy_button.setIcon(icon("check"))
        self.copy_button.setToolTip(self.tr("Copied"))
        QTimer.singleShot(_COPIED_MS, self, self.refresh)
