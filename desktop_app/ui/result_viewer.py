"""The decrypted result of a run, shown for what it is: text, JSON (pretty), CSV (a table), or an image.

The result is a folder (the enclave's ``iexec_out``); the file the chain's digest covers is shown first,
the others are one choice away. Big files are never read whole into a widget: text shows its first
``MAX_TEXT_BYTES``, a table its first ``MAX_TABLE_ROWS`` rows, with a note saying so. "Save as…" copies
the shown file (a file dialog opened with ``open()``), "Open folder" hands the folder to the desktop.
"""

from __future__ import annotations

import contextlib
import csv
import json
import shutil
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QUrl,
)
from PySide6.QtGui import QDesktopServices, QFontDatabase, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.flows.result import ResultFiles
from desktop_app.ui import a11y
from desktop_app.ui import format as fmt
from desktop_app.ui.theme import set_tone

MAX_TEXT_BYTES = 1 << 20
MAX_TABLE_ROWS = 1000
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".svg"})
TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t"}
_Index = QModelIndex | QPersistentModelIndex


class CsvModel(QAbstractTableModel):
    """Rows of a CSV file, its first row as the header."""

    def __init__(self, header: list[str], rows: list[list[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header, self.rows = header, rows

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.header)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.header[section] if section < len(self.header) else ""
        return str(section + 1)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.rows[index.row()]
        return row[index.column()] if index.column() < len(row) else ""


def read_table(path: Path, delimiter: str) -> tuple[list[str], list[list[str]], bool]:
    """The header, the first ``MAX_TABLE_ROWS`` rows, and whether there were more."""
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as f:
        reader = csv.reader(f, delimiter=delimiter)
        header = next(reader, [])
        rows: list[list[str]] = []
        for row in reader:
            if len(rows) == MAX_TABLE_ROWS:
                return header, rows, True
            rows.append(row)
    width = max([len(header), *(len(r) for r in rows)])
    return header + [""] * (width - len(header)), rows, False


def read_text(path: Path) -> tuple[str, bool] | None:
    """The text of ``path`` (JSON re-indented), whether it was cut, or None for a binary file."""
    with path.open("rb") as f:
        data = f.read(MAX_TEXT_BYTES + 1)
    cut = len(data) > MAX_TEXT_BYTES
    data = data[:MAX_TEXT_BYTES]
    if b"\0" in data:
        return None
    text = data.decode("utf-8", errors="replace")
    if path.suffix.lower() == ".json" and not cut:
        with contextlib.suppress(ValueError):  # otherwise shown as it is: what the enclave wrote
            text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    return text, cut


class ImageView(QLabel):
    """An image scaled to fit (never up), sharp on high-DPI screens."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._image = QPixmap()

    def set_image(self, pixmap: QPixmap) -> None:
        self._image = pixmap
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def minimumSizeHint(self) -> QSize:
        side = self.fontMetrics().height() * 4
        return QSize(side, side)

    def _fit(self) -> None:
        if self._image.isNull():
            self.clear()
            return
        ratio = self.devicePixelRatioF()
        room = self.size() * ratio
        image = self._image
        if image.width() > room.width() or image.height() > room.height():
            image = image.scaled(
                room, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        image.setDevicePixelRatio(ratio)
        self.setPixmap(image)


class ResultViewer(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.files: ResultFiles | None = None
        self._save_dialog: QFileDialog | None = None
        self.file_choice = QComboBox()
        a11y.name(self.file_choice, self.tr("Result file"))
        self.file_choice.currentIndexChanged.connect(self._show_chosen)
        self.save_button = QPushButton(self.tr("Save as…"))
        self.save_button.setAccessibleName(self.tr("Save the result file as"))
        self.save_button.setToolTip(self.tr("Save a copy of this file (Ctrl+S)"))
        self.save_button.clicked.connect(self.save_as)
        self.folder_button = QPushButton(self.tr("Open folder"))
        self.folder_button.setAccessibleName(self.tr("Open the result folder"))
        self.folder_button.clicked.connect(self.open_folder)
        self.note = QLabel()
        self.note.setWordWrap(True)
        set_tone(self.note, "muted")

        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setAccessibleName(self.tr("Result text"))
        self.table = QTableView()
        a11y.name(self.table, self.tr("Result table"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.image = ImageView()
        self.image.setAccessibleName(self.tr("Result image"))
        image_scroll = QScrollArea()
        image_scroll.setWidget(self.image)
        image_scroll.setWidgetResizable(True)
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        set_tone(self.message, "muted")
        self.stack = QStackedWidget()
        for widget in (self.message, self.text, self.table, image_scroll):
            self.stack.addWidget(widget)

        top = QHBoxLayout()
        top.addWidget(self.file_choice, 1)
        top.addWidget(self.folder_button)
        top.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.stack, 1)
        self.show_files(None)

    @property
    def current_file(self) -> Path | None:
        value = self.file_choice.currentData()
        return Path(value) if isinstance(value, str) else None

    @property
    def kind(self) -> str:
        """What is shown: "message", "text", "table" or "image" (tests and the page read it)."""
        return ("message", "text", "table", "image")[self.stack.currentIndex()]

    def show_files(self, files: ResultFiles | None, waiting: str = "") -> None:
        """Show ``files``'s output (the file the chain's digest covers first); else ``waiting``."""
        self.files = files
        self.file_choice.blockSignals(True)
        self.file_choice.clear()
        if files is not None and files.output_dir.is_dir():
            paths = sorted(p for p in files.output_dir.rglob("*") if p.is_file())
            first = files.deterministic_output
            if first is not None and first in paths:
                paths.remove(first)
                paths.insert(0, first)
            for path in paths:
                label = path.relative_to(files.output_dir).as_posix()
                if path == first:
                    label = self.tr("%1 (the verified output)").replace("%1", label)
                self.file_choice.addItem(label, str(path))
        self.file_choice.blockSignals(False)
        has_file = self.file_choice.count() > 0
        for widget in (self.file_choice, self.save_button, self.folder_button):
            widget.setEnabled(has_file)
        if has_file:
            self._show_chosen()
        else:
            self.note.hide()
            self.message.setText(waiting or self.tr("The result appears here once the run has completed."))
            self.stack.setCurrentWidget(self.message)

    def _show_chosen(self) -> None:
        path = self.current_file
        if path is None:
            return
        size = path.stat().st_size if path.exists() else 0
        notes = [fmt.size(size)]
        suffix = path.suffix.lower()
        if suffix in TABLE_SUFFIXES:
            header, rows, more = read_table(path, TABLE_SUFFIXES[suffix])
            self.table.setModel(CsvModel(header, rows, self.table))
            self.table.resizeColumnsToContents()
            if more:
                notes.append(self.tr("the first %1 rows are shown").replace("%1", str(MAX_TABLE_ROWS)))
            self.stack.setCurrentWidget(self.table)
        elif suffix in IMAGE_SUFFIXES and not (pixmap := QPixmap(str(path))).isNull():
            notes.append(f"{pixmap.width()} × {pixmap.height()} px")
            self.image.set_image(pixmap)
            self.stack.setCurrentIndex(3)
        elif (read := read_text(path)) is not None:
            text, cut = read
            self.text.setPlainText(text)
            if cut:
                notes.append(self.tr("the beginning is shown: save the file to see all of it"))
            self.stack.setCurrentWidget(self.text)
        else:
            self.message.setText(
                self.tr("This file is not text or an image this app can show. Save it, or open its folder.")
            )
            self.stack.setCurrentWidget(self.message)
        self.note.setText(" · ".join(notes))
        set_tone(self.note, "muted")
        self.note.show()

    def save_as(self) -> None:
        """Save a copy of the shown file where the user chooses (Ctrl+S)."""
        source = self.current_file
        if source is None:
            return
        dialog = QFileDialog(self.window(), self.tr("Save the result as"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.selectFile(source.name)
        dialog.fileSelected.connect(lambda target: self._save(source, Path(target)))
        self._save_dialog = dialog
        dialog.open()

    def _save(self, source: Path, target: Path) -> None:
        try:
            shutil.copyfile(source, target)
        except OSError as e:
            self.note.setText(self.tr("Not saved: %1").replace("%1", e.strerror or str(e)))
            set_tone(self.note, "danger")
            return
        self.note.setText(self.tr("Saved as %1").replace("%1", str(target)))
        set_tone(self.note, "success")

    def open_folder(self) -> None:
        if self.files is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.files.output_dir)))
