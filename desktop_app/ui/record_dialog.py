""" "Protect a record": a few named values that are not a file, such as an email address.

Each row is a name, a kind (text, number, yes/no) and a value. ``flows.record_form`` turns the rows
into the record the DataProtector SDK would get and says what is wrong with which row; the dialog
points at that row and keeps Protect disabled until the record is valid, so nothing starts that would
fail later. It starts with one row named ``email``, the most common record an iApp asks for.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.protect.record import Record
from desktop_app.flows.record_form import Field, FieldError, FieldKind, build_record
from desktop_app.ui import a11y
from desktop_app.ui.theme import heading, set_tone

MAX_FIELDS = 32


@dataclass
class _Row:
    key: QLineEdit
    kind: QComboBox
    value: QStackedWidget  # a line edit for text and numbers, a check box for yes/no
    text: QLineEdit
    yes: QCheckBox
    remove: QPushButton

    def field(self) -> Field:
        kind = FieldKind(self.kind.currentData())
        text = ("yes" if self.yes.isChecked() else "no") if kind == FieldKind.YES_NO else self.text.text()
        return Field(self.key.text(), kind, text)


class RecordDialog(QDialog):
    """Emits ``submitted(name, record)`` once the owner presses Protect on a valid record."""

    submitted = Signal(str, object)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Protect a record"))
        intro = QLabel(
            self.tr(
                "Named values that are not a file, such as your email address. They are encrypted on "
                "this computer; an iApp you allow reads them by name."
            )
        )
        intro.setWordWrap(True)
        set_tone(intro, "muted")
        self.name = QLineEdit(self.tr("My email"))
        a11y.name(self.name, self.tr("Name of this protected data"))
        self.name.textChanged.connect(self._validate)
        self.grid = QGridLayout()
        for column, title in enumerate((self.tr("Name"), self.tr("Kind"), self.tr("Value"))):
            label = QLabel(title)
            set_tone(label, "muted")
            self.grid.addWidget(label, 0, column)
        self.grid.setColumnStretch(0, 2)
        self.grid.setColumnStretch(2, 3)
        self.rows: list[_Row] = []
        self.add_button = QPushButton(self.tr("Add a value"))
        self.add_button.setAccessibleName(self.tr("Add a value"))
        self.add_button.clicked.connect(lambda: self.add_row())
        self.error = QLabel()
        self.error.setWordWrap(True)
        set_tone(self.error, "danger")
        buttons = QDialogButtonBox()
        self.protect_button = buttons.addButton(self.tr("Protect"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.protect_button.setAccessibleName(self.tr("Protect this record"))
        self.protect_button.setProperty("primary", True)
        cancel = buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setAccessibleName(self.tr("Cancel"))
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Protect a record"), 1.3))
        layout.addWidget(intro)
        name_row = QGridLayout()
        name_row.addWidget(QLabel(self.tr("Call it:")), 0, 0)
        name_row.addWidget(self.name, 0, 1)
        layout.addLayout(name_row)
        layout.addLayout(self.grid)
        layout.addWidget(self.add_button)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 72)
        self.add_row("email", FieldKind.TEXT, "")
        self.rows[0].text.setFocus()

    def add_row(self, key: str = "", kind: FieldKind = FieldKind.TEXT, text: str = "") -> None:
        number = len(self.rows) + 1
        key_edit = QLineEdit(key)
        key_edit.setPlaceholderText(self.tr("e.g. email"))
        a11y.name(key_edit, self.tr("Name of value %1").replace("%1", str(number)))
        kinds = QComboBox()
        for choice, label in (
            (FieldKind.TEXT, self.tr("Text")),
            (FieldKind.NUMBER, self.tr("Number")),
            (FieldKind.YES_NO, self.tr("Yes / no")),
        ):
            kinds.addItem(label, choice.value)
        kinds.setCurrentIndex(kinds.findData(kind.value))
        a11y.name(kinds, self.tr("Kind of value %1").replace("%1", str(number)))
        text_edit = QLineEdit(text)
        a11y.name(text_edit, self.tr("Value %1").replace("%1", str(number)))
        yes = QCheckBox(self.tr("Yes"))
        yes.setAccessibleName(self.tr("Value %1 is yes").replace("%1", str(number)))
        value = QStackedWidget()
        value.addWidget(text_edit)
        value.addWidget(yes)
        remove = QPushButton(self.tr("Remove"))
        remove.setAccessibleName(self.tr("Remove value %1").replace("%1", str(number)))
        row = _Row(key_edit, kinds, value, text_edit, yes, remove)
        remove.clicked.connect(lambda: self._remove(row))
        kinds.currentIndexChanged.connect(lambda _i: self._kind_changed(row))
        for edit in (key_edit, text_edit):
            edit.textChanged.connect(self._validate)
        yes.toggled.connect(self._validate)
        line = len(self.rows) + 1
        for column, widget in enumerate((key_edit, kinds, value, remove)):
            self.grid.addWidget(widget, line, column)
        self.rows.append(row)
        self._kind_changed(row)

    def _kind_changed(self, row: _Row) -> None:
        kind = FieldKind(row.kind.currentData())
        row.value.setCurrentWidget(row.yes if kind == FieldKind.YES_NO else row.text)
        row.text.setPlaceholderText(
            self.tr("e.g. 42 or 12.5") if kind == FieldKind.NUMBER else self.tr("e.g. alice@example.com")
        )
        self._validate()

    def _remove(self, row: _Row) -> None:
        self.rows.remove(row)
        for widget in (row.key, row.kind, row.value, row.remove):
            self.grid.removeWidget(widget)
            widget.deleteLater()
        self._validate()

    def record(self) -> Record:
        """The record as typed; raises ``FieldError`` naming the faulty row."""
        return build_record([row.field() for row in self.rows])

    def _validate(self) -> None:
        self.add_button.setEnabled(len(self.rows) < MAX_FIELDS)
        for row in self.rows:
            set_tone(row.key, "")
            set_tone(row.text, "")
        problem = ""
        try:
            self.record()
        except FieldError as e:
            problem = str(e)
            if 0 <= e.row < len(self.rows):
                set_tone(self.rows[e.row].key if e.in_name else self.rows[e.row].text, "danger")
        if not problem and not self.name.text().strip():
            problem = self.tr("Give this protected data a name, so you can find it in the list.")
        self.error.setText(problem)
        self.error.setVisible(bool(problem))
        self.protect_button.setEnabled(not problem)

    def _submit(self) -> None:
        try:
            record = self.record()
        except FieldError:
            return  # Protect is disabled while the record is invalid; nothing to do
        self.submitted.emit(self.name.text().strip(), record)
        self.accept()
