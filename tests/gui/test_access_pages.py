"""iApps and Access as a person uses them: grant from the iApps page through the review, then revoke from
the Access page (one row, then "Revoke all"), each on-chain step confirmed and reviewed first."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton

from desktop_app.ui.grant_dialog import GrantDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages.access_model import ACTION_COLUMN
from desktop_app.ui.pages.access_rows import RowStatus
from desktop_app.ui.review import ReviewDialog
from tests.gui.conftest import (
    PASSWORD,
    accessible_name_missing,
    protect_and_wait,
    run_until,
)

pytestmark = pytest.mark.slow
ACCOUNT = 1


def visible(window: MainWindow, kind: type) -> list:  # type: ignore[type-arg]
    return [d for d in window.findChildren(kind) if d.isVisible()]


def sign_when_reviewed(window: MainWindow, loop: asyncio.AbstractEventLoop, expect: str) -> None:
    run_until(loop, lambda: visible(window, ReviewDialog), 30)
    review: ReviewDialog = visible(window, ReviewDialog)[-1]
    assert expect in review.sentence.text()
    if review.request.kind == "transaction":  # a revocation: shown with its real gas and fee
        assert dict(review.request.rows)["fee"].startswith("at most ")
    run_until(loop, lambda: review.armed, 5)
    review.sign_button.click()


@pytest.fixture
def window(
    account_window: Callable[[int], MainWindow], qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> MainWindow:
    """A window whose account owns a freshly protected ``records.csv``, unlocked."""
    window = account_window(ACCOUNT)
    window.state.session.unlock(PASSWORD)  # type: ignore[union-attr]
    data = tmp_path / "records.csv"
    data.write_text("name,score\nada,3\n")
    protect_and_wait(window, qloop, data)
    return window


def grant_from_the_apps_page(
    window: MainWindow, loop: asyncio.AbstractEventLoop, app_name: str, dataset: str
) -> None:
    apps = window.apps_page
    window.go_to(1)
    run_until(loop, lambda: apps.loaded, 30)
    apps.search.setText(app_name.split()[0].lower())
    run_until(loop, lambda: apps.selected_app is not None and apps.selected_app.name == app_name)
    apps.grant_button.click()
    run_until(loop, lambda: visible(window, GrantDialog), 30)
    dialog: GrantDialog = visible(window, GrantDialog)[-1]
    assert dialog.only_me.isChecked() and dialog.volume.value() == 1 and dialog.price.value() == 0
    dialog.anyone.setChecked(True)
    assert dialog.anyone_warning.isVisible()  # "anyone" says what it means, in red
    dialog.only_me.setChecked(True)
    dialog.dataset.setCurrentIndex(dialog.dataset.findData(dataset))
    assert accessible_name_missing(dialog) == []
    dialog.ok_button.click()
    sign_when_reviewed(window, loop, app_name)
    run_until(loop, lambda: "Access granted" in window.statusBar().currentMessage(), 30)


def test_grant_then_click_to_revoke_then_revoke_all(
    window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    row = window.protected_page.selected_row
    assert row is not None
    dataset = row.address
    grant_from_the_apps_page(window, qloop, "File statistics", dataset)
    apps = window.apps_page
    run_until(qloop, lambda: not apps.refresher.busy, 30)
    assert apps.selected_app is not None and apps.selected_app.name == "File statistics"
    assert apps.fields["granted"].full_text().startswith("allowed on")
    detail = window.protected_page.detail  # the Protected data page heard of it too
    run_until(qloop, lambda: detail.fields["grants"].full_text() == "1 active grant", 30)

    access = window.access_page
    window.go_to(2)
    access.refresh()
    run_until(qloop, lambda: not access.refresher.busy, 30)
    access.filter.setCurrentIndex(access.filter.findData(dataset))
    model = access.model
    assert model.rowCount() == 1
    assert [model.index(0, c).data() for c in (0, 2, 3, 4, 5)] == [
        "records.csv",
        "you",
        "1 of 1",
        "free",
        "Active",
    ]
    assert accessible_name_missing(access) == []

    revoke = access.table.indexWidget(model.index(0, ACTION_COLUMN))
    assert isinstance(revoke, QPushButton)
    revoke.click()
    run_until(qloop, lambda: visible(window, QMessageBox))
    confirm: QMessageBox = visible(window, QMessageBox)[-1]
    assert (
        "on-chain transaction" in confirm.informativeText()
        and "cannot be undone" in confirm.informativeText()
    )
    next(b for b in confirm.buttons() if b.text() == "Revoke").click()
    run_until(qloop, lambda: visible(window, ReviewDialog), 30)
    assert model.index(0, 5).data() == "Revoking…"
    review: ReviewDialog = visible(window, ReviewDialog)[-1]
    assert (
        "gas" in review.findChildren(type(review.sentence))[-1].text() or review.request.kind == "transaction"
    )
    run_until(qloop, lambda: review.armed, 5)
    review.sign_button.click()
    run_until(qloop, lambda: model.rowCount() == 1 and model.index(0, 5).data() == "Revoked ✓", 30)
    run_until(qloop, lambda: not window.runner.operations, 30)
    assert model.index(0, 5).data() == "Revoked ✓"  # still shown after the refresh, as confirmed
    assert model.index(0, 3).data() == "0 of 1"

    for name in ("Email domain check", "CSV column aggregates"):
        grant_from_the_apps_page(window, qloop, name, dataset)
    window.go_to(2)
    access.refresh()
    run_until(qloop, lambda: len(access.index.active_rows()) == 2, 30)
    access.revoke_all_button.click()
    run_until(qloop, lambda: visible(window, QMessageBox))
    confirm = visible(window, QMessageBox)[-1]
    assert "Revoke all 2 grants" in confirm.text()
    next(b for b in confirm.buttons() if b.text() == "Revoke").click()
    sign_when_reviewed(window, qloop, "Revoke 2 grants")
    run_until(qloop, lambda: "2 grants revoked" in window.statusBar().currentMessage(), 60)
    assert [access.index.find(r.grant.order_hash).status for r in access.index.rows()] == [
        RowStatus.REVOKED
    ] * 3  # type: ignore[union-attr]
    assert not access.revoke_all_button.isEnabled()
    assert access.table.indexWidget(access.model.index(0, ACTION_COLUMN)) is None  # nothing left to revoke
    apps = window.apps_page.model  # the iApps page read the grants again: none left there either
    run_until(qloop, lambda: not any(apps.catalog.granted.values()), 30)


def test_keeping_access_in_the_confirmation_changes_nothing(
    window: MainWindow, qloop: asyncio.AbstractEventLoop
) -> None:
    row = window.protected_page.selected_row
    assert row is not None
    grant_from_the_apps_page(window, qloop, "File statistics", row.address)
    access = window.access_page
    window.go_to(2)
    access.refresh()
    run_until(qloop, lambda: not access.refresher.busy, 30)
    access.filter.setCurrentIndex(access.filter.findData(row.address))
    access.table.indexWidget(access.model.index(0, ACTION_COLUMN)).click()  # type: ignore[union-attr]
    run_until(qloop, lambda: visible(window, QMessageBox))
    next(b for b in visible(window, QMessageBox)[-1].buttons() if b.text() == "Keep access").click()
    run_until(qloop, lambda: not window.runner.operations, 30)
    assert not visible(window, ReviewDialog) and not visible(window, QMessageBox)
    assert access.model.index(0, 5).data() == "Active"
