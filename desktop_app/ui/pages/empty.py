"""Empty states: what a page is for and the one thing to do next, instead of a blank area.

``EmptyState`` is used by pages with nothing to show yet and by the pages not built yet, which say what
will be there (a placeholder that explains beats a button that does nothing).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.ui.icons import icon
from desktop_app.ui.theme import heading, set_tone


class EmptyState(QWidget):
    def __init__(
        self,
        icon_name: str,
        title: str,
        text: str,
        action: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        side = self.fontMetrics().height() * 4
        self.picture.setPixmap(icon(icon_name).pixmap(QSize(side, side)))
        self.title = heading(title, 1.5)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setMaximumWidth(self.fontMetrics().averageCharWidth() * 64)
        set_tone(self.text, "muted")
        # Centred by stretches, not by an alignment flag: an aligned label loses its height-for-width
        # and a wrapped paragraph gets cut to one line.
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(self.text, 4)
        centred.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.picture)
        layout.addWidget(self.title)
        layout.addLayout(centred)
        self.button: QPushButton | None = None
        if action:
            self.button = QPushButton(action)
            self.button.setProperty("primary", True)
            self.button.setAccessibleName(action.replace("…", ""))
            layout.addSpacing(self.fontMetrics().height())
            layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
