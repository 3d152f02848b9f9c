"""Look and feel: the Fusion style, the system's light or dark palette (or a forced one), one style sheet.

The style sheet (``resources/styles/app.qss``) names colours by role (``{accent}``, ``{danger}``, ...);
they are filled in from the palette in use, so the same sheet reads well in light and dark themes and
follows the system when it switches. Sizes in the sheet are in ``em``, never pixels (high-DPI screens).
Widgets pick a semantic colour with ``set_tone`` instead of hard-coding one.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QStyleFactory,
    QWidget,
)

from desktop_app.core.errors import UserFacingError
from desktop_app.core.resources import resource_path

log = logging.getLogger(__name__)


class ThemeMode(StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def _mix(a: QColor, b: QColor, weight: float) -> str:
    """``a`` blended towards ``b`` by ``weight`` (0..1), as ``#rrggbb``."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * weight),
        round(a.green() + (b.green() - a.green()) * weight),
        round(a.blue() + (b.blue() - a.blue()) * weight),
    ).name()


def colors(palette: QPalette) -> dict[str, str]:
    """The style sheet's colour roles for ``palette``."""
    dark = is_dark(palette)
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    accent = palette.color(QPalette.ColorRole.Highlight)
    return {
        "accent": accent.name(),
        "accent_text": palette.color(QPalette.ColorRole.HighlightedText).name(),
        "accent_soft": _mix(window, accent, 0.28 if dark else 0.16),
        "text": text.name(),
        "muted": _mix(text, window, 0.42),
        "border": _mix(window, text, 0.22),
        "sidebar": _mix(window, text, 0.05 if dark else 0.035),
        # In dark themes a card is a lighter surface, so inputs (Base) stay visible on it.
        "card": _mix(window, text, 0.025) if dark else palette.color(QPalette.ColorRole.Base).name(),
        "danger": "#ff8a80" if dark else "#c62828",
        "danger_soft": _mix(window, QColor("#e53935"), 0.18),
        "success": "#81c784" if dark else "#2e7d32",
        "warning": "#ffd54f" if dark else "#9a6700",
    }


def dark_palette() -> QPalette:
    """A calm dark palette for "dark" where the platform offers none (Fusion draws it faithfully)."""
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#202124",
        QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#2e3034",  # inputs stand out from the window and from cards
        QPalette.ColorRole.AlternateBase: "#34363a",
        QPalette.ColorRole.Text: "#e8eaed",
        QPalette.ColorRole.Button: "#35373c",
        QPalette.ColorRole.ButtonText: "#e8eaed",
        QPalette.ColorRole.Highlight: "#5b8def",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#2b2d31",
        QPalette.ColorRole.ToolTipText: "#e8eaed",
        QPalette.ColorRole.PlaceholderText: "#9aa0a6",
        QPalette.ColorRole.Link: "#8ab4f8",
        QPalette.ColorRole.Mid: "#3c4043",
        QPalette.ColorRole.Dark: "#111214",
        QPalette.ColorRole.Light: "#3c4043",
    }
    for role, value in roles.items():
        palette.setColor(role, QColor(value))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7f8388"))
    return palette


def apply_theme(app: QApplication, mode: ThemeMode = ThemeMode.SYSTEM) -> None:
    """Style the whole application; call again when the mode or the system scheme changes."""
    style = QStyleFactory.create("Fusion")
    app.setStyle(style)
    if mode == ThemeMode.DARK:
        app.setPalette(dark_palette())
    elif mode == ThemeMode.LIGHT:
        app.setPalette(style.standardPalette())
    else:
        hints = QGuiApplication.styleHints()
        system_dark = hints.colorScheme() == Qt.ColorScheme.Dark
        palette = QGuiApplication.palette()
        app.setPalette(dark_palette() if system_dark and not is_dark(palette) else palette)
    app.setStyleSheet(style_sheet(app.palette()))


def style_sheet(palette: QPalette) -> str:
    """The application's sheet with colours for ``palette``; empty (plain Fusion) if the file is missing."""
    try:
        template = resource_path("styles", "app.qss").read_text(encoding="utf-8")
    except UserFacingError as e:
        log.warning("No style sheet: %s", e)
        return ""
    for role, value in colors(palette).items():
        template = template.replace("{" + role + "}", value)
    return template


def set_tone(widget: QWidget, tone: str) -> None:
    """Give ``widget`` a semantic colour from the sheet: "muted", "accent", "success", "danger",
    "warning", or "" for the normal text colour."""
    if widget.property("tone") == tone:
        return
    widget.setProperty("tone", tone)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def scaled_font(widget: QWidget, factor: float, *, bold: bool = False) -> QFont:
    """``widget``'s font scaled by ``factor`` (point sizes follow the screen's DPI)."""
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    return font


def heading(text: str, factor: float = 1.5, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setFont(scaled_font(label, factor, bold=True))
    label.setWordWrap(True)
    return label
