"""The signing review: armed only after a delay, raw data one click away, and a decline that is silent."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_app.core.errors import UserCancelled
from desktop_app.core.iexec.network import NetworkProfile, load_profile
from desktop_app.core.localnet.endpoints import SandboxEndpoints
from desktop_app.core.store.database import Database
from desktop_app.core.store.protect_jobs import ProtectJobs
from desktop_app.core.wallet import Wallet, WalletSession
from desktop_app.flows import access, apps
from desktop_app.flows import protect as protect_flow
from desktop_app.flows.progress import Cancellation, ignore
from desktop_app.flows.signing import SigningRequest
from desktop_app.ui.errors import CrashDialog, ErrorPresenter
from desktop_app.ui.operations import Operation, OperationRunner, OperationState
from desktop_app.ui.review import DialogReview, ReviewDialog
from tests.gui.conftest import FAST_SCRYPT, accessible_name_missing, run_until, settle, spin

ACCOUNT = 2
REQUEST = SigningRequest(
    "typed-data",
    "allow File statistics to process your data for anyone, 1 time, free, inside a TEE, on Local sandbox",
    (("network", "Local sandbox"), ("requester", "anyone")),
    '{"types": {}, "message": {"volume": "1"}}',
    ("ANYONE can run this app on your data",),
)


@pytest.fixture
def window(qtbot: object, qloop: asyncio.AbstractEventLoop) -> Iterator[QWidget]:
    widget = QWidget()
    widget.show()
    yield widget
    widget.close()
    widget.deleteLater()


def open_review(
    window: QWidget, qloop: asyncio.AbstractEventLoop, arm_ms: int
) -> tuple[asyncio.Task[None], ReviewDialog]:
    task = qloop.create_task(DialogReview(window, arm_delay_ms=arm_ms)(REQUEST))
    run_until(qloop, lambda: [d for d in window.findChildren(ReviewDialog) if d.isVisible()])
    return task, window.findChildren(ReviewDialog)[-1]


def test_sign_is_armed_only_after_the_delay(
    window: QWidget, qloop: asyncio.AbstractEventLoop, qtbot: object
) -> None:
    task, dialog = open_review(window, qloop, 600)
    assert not dialog.armed
    dialog.sign_button.click()  # too early: nothing happens
    dialog.accept()  # Enter before the delay: nothing either
    spin(qloop, 0.1)
    assert dialog.isVisible() and not task.done()
    run_until(qloop, lambda: dialog.armed, 3)
    dialog.sign_button.click()
    run_until(qloop, task.done)
    assert task.exception() is None


def test_the_sentence_risks_rows_and_raw_data_are_shown(
    window: QWidget, qloop: asyncio.AbstractEventLoop
) -> None:
    task, dialog = open_review(window, qloop, 100)
    assert dialog.sentence.text().startswith("Allow File statistics")
    assert dialog.sentence.text().endswith(".")
    assert [r.objectName() for r in dialog.risks] == ["riskRow"]
    assert "ANYONE" in dialog.risks[0].text()
    assert not dialog.raw.isVisible()
    dialog.details_button.click()
    assert dialog.raw.isVisible() and dialog.raw.toPlainText() == REQUEST.raw
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == REQUEST.raw
    assert accessible_name_missing(dialog) == []
    dialog.reject()
    run_until(qloop, task.done)
    assert isinstance(task.exception(), UserCancelled)


def test_escape_declines(window: QWidget, qloop: asyncio.AbstractEventLoop, qtbot: object) -> None:
    task, dialog = open_review(window, qloop, 100)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # type: ignore[attr-defined]
    run_until(qloop, task.done)
    assert isinstance(task.exception(), UserCancelled)


@pytest.fixture
def owner(
    tmp_path: Path, sandbox: SandboxEndpoints, qloop: asyncio.AbstractEventLoop
) -> tuple[NetworkProfile, WalletSession, str]:
    """A funded account owning one protected dataset (protected through the flow, not the GUI)."""
    wallet = Wallet(tmp_path / "wallet", scrypt_n=FAST_SCRYPT)
    account = wallet.import_private_key(sandbox.devAccounts[ACCOUNT].privateKey, "pw")
    session = WalletSession(wallet, account.address)
    session.unlock("pw")
    profile = load_profile("local", sandbox=sandbox)
    data = tmp_path / "bank.csv"
    data.write_text("date,amount\n2024-01-01,1\n")
    services = protect_flow.ProtectServices(
        profile, session, ProtectJobs(Database(tmp_path / "db.sqlite3")), tmp_path / "work"
    )
    outcome = settle(qloop, protect_flow.protect(services, data, "bank.csv", ignore, Cancellation()), 120)
    return profile, session, outcome.dataset


@pytest.mark.slow
def test_a_declined_grant_changes_nothing_and_a_signed_one_is_published(
    owner: tuple[NetworkProfile, WalletSession, str], window: QWidget, qloop: asyncio.AbstractEventLoop
) -> None:
    profile, session, dataset = owner
    app = settle(qloop, apps.list_apps(profile))[0]
    runner = OperationRunner(window, ErrorPresenter(window), progress_delay_ms=5000)
    review = DialogReview(window, arm_delay_ms=200)

    async def grant(_op: Operation) -> access.GrantOutcome:
        return await access.grant(
            profile, session, dataset, app.address, requester=session.address, review=review
        )

    declined = runner.run("Grant", grant)
    run_until(qloop, lambda: [d for d in window.findChildren(ReviewDialog) if d.isVisible()], 30)
    dialog = window.findChildren(ReviewDialog)[-1]
    assert app.name in dialog.sentence.text() and "for you" in dialog.sentence.text()
    dialog.decline_button.click()
    run_until(qloop, lambda: not declined.running)
    spin(qloop, 0.1)
    assert declined.state == OperationState.CANCELLED
    assert not [d for d in window.findChildren(QMessageBox) if d.isVisible()]
    assert not [d for d in window.findChildren(CrashDialog) if d.isVisible()]
    assert settle(qloop, access.grants(profile, dataset)) == []

    signed = runner.run("Grant", grant)
    run_until(qloop, lambda: [d for d in window.findChildren(ReviewDialog) if d.isVisible()], 30)
    dialog = [d for d in window.findChildren(ReviewDialog) if d.isVisible()][-1]
    run_until(qloop, lambda: dialog.armed)
    dialog.sign_button.click()
    run_until(qloop, lambda: not signed.running, 30)
    assert signed.state == OperationState.SUCCEEDED
    grants = settle(qloop, access.grants(profile, dataset))
    assert [(g.app.lower(), g.remaining) for g in grants] == [(app.address.lower(), 1)]
