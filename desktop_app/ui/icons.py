"""Line icons from ``resources/icons``, drawn in the palette's text colour so they suit light and dark.

The SVGs stroke with ``currentColor``; it is replaced by the wanted colour and the icon is rendered at
several sizes, so Qt picks a sharp pixmap at any scale factor. A missing file gives an empty icon, not
a crash: an icon is decoration, the text beside it says the same.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from desktop_app.core.errors import UserFacingError
from desktop_app.core.resources import resource_path

_SIZES = (16, 20, 24, 32, 48, 64, 96, 128)


def icon(name: str, color: QColor | str | None = None) -> QIcon:
    """The icon ``name`` (a file stem in resources/icons) in ``color``, default the window text colour."""
    if color is None:
        color = QGuiApplication.palette().color(QPalette.ColorRole.WindowText)
    return QIcon(_icon(name, QColor(color).name()))


@cache
def _icon(name: str, color: str) -> QIcon:
    try:
        svg = resource_path("icons", f"{name}.svg").read_text(encoding="utf-8")
    except UserFacingError:
        return QIcon()
    renderer = QSvgRenderer(QByteArray(svg.replace("currentColor", color).encode()))
    result = QIcon()
    for size in _SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        result.addPixmap(pixmap)
    return result
