"""Protect a record, as a person does: open the form, make mistakes, fix them, protect an email address."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop_app.flows.record_form import FieldKind
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages.protected_rows import DisplayState
from desktop_app.ui.record_dialog import RecordDialog
from tests.gui.conftest import (
    accessible_name_missing,
    run_until,
    sign_review,
)
from tests.gui.test_protected_page import unlock_when_asked

pytestmark = pytest.mark.slow
ACCOUNT = 2


@pytest.fixture
def window(account_window: Callable[[int], MainWindow]) -> MainWindow:
    return account_window(ACCOUNT)


def open_form(window: MainWindow, qtbot: object) -> RecordDialog:
    window.activateWindow()
    keys = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window, Qt.Key.Key_N, keys)  # type: ignore[attr-defined]
    dialog = window.protected_page.record_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_mistakes_are_shown_by_their_field_and_protect_waits_for_a_valid_record(
    window: MainWindow, qtbot: object
) -> None:
    dialog = open_form(window, qtbot)
    assert not accessible_name_missing(dialog)
    assert dialog.rows[0].key.text() == "email"
    assert dialog.protect_button.isEnabled()  # an empty email is still a valid string
    dialog.add_row()
    assert "has no name" in dialog.error.text() and not dialog.protect_button.isEnabled()
    assert dialog.rows[1].key.property("tone") == "danger"
    dialog.rows[1].key.setText("age")
    dialog.rows[1].kind.setCurrentIndex(dialog.rows[1].kind.findData(FieldKind.NUMBER.value))
    dialog.rows[1].text.setText("forty")
    assert "forty is not a number" in dialog.error.text() and not dialog.protect_button.isEnabled()
    assert dialog.rows[1].text.property("tone") == "danger"
    dialog.rows[1].text.setText("40")
    assert dialog.protect_button.isEnabled() and dialog.error.isHidden()
    dialog.rows[1].remove.click()
    assert len(dialog.rows) == 1 and dialog.protect_button.isEnabled()
    dialog.reject()
    assert not window.protected_page.operations  # cancelling the form starts nothing


def test_an_email_record_is_protected_with_its_schema(
    window: MainWindow, qloop: asyncio.AbstractEventLoop, qtbot: object
) -> None:
    page = window.protected_page
    dialog = open_form(window, qtbot)
    dialog.name.setText("Work email")
    dialog.rows[0].text.setText("alice@example.com")
    dialog.add_row("newsletter", FieldKind.YES_NO)
    dialog.rows[1].yes.setChecked(True)
    dialog.protect_button.click()
    assert not dialog.isVisible()

    unlock_when_asked(qloop)
    sign_review(window, qloop, "Register Work email as your protected data")
    run_until(qloop, lambda: (r := page.selected_row) is not None and r.state == DisplayState.PROTECTED, 60)
    row = page.selected_row
    assert row is not None and row.name == "Work email"
    assert page.detail.fields["schema"].full_text() == '{"email":"string","newsletter":"bool"}'
    assert page.detail.fields["address"].full_text().startswith("0x")
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, RecordDialog) and w.isVisible()]
