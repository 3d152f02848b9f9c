"""The Activity page: an empty state first, then what the flows did, newest first, filtered by kind and
text."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_app.core.store.activity import Kind
from desktop_app.flows import access
from desktop_app.flows.apps import list_apps
from desktop_app.ui.main_window import MainWindow
from tests.gui.conftest import (
    PASSWORD,
    accessible_name_missing,
    protect_and_wait,
    settle,
)

pytestmark = pytest.mark.slow
ACCOUNT = 1


@pytest.fixture
def window(account_window: Callable[[int], MainWindow]) -> MainWindow:
    return account_window(ACCOUNT)


def rows(window: MainWindow) -> list[tuple[str, str, str]]:
    """Kind, subject (whole, from its tooltip: a long address shows shortened) and detail of each row."""
    table = window.activity_page.table
    return [
        (table.item(r, 1).text(), table.item(r, 2).toolTip(), table.item(r, 3).text())
        for r in range(table.rowCount())
    ]


def test_empty_then_newest_first_with_filters(window: MainWindow) -> None:
    page = window.activity_page
    window.go_to(4)
    assert page.body.currentWidget() is page.empty
    assert accessible_name_missing(page) == []
    journal = window.context.activity
    journal.record("local", Kind.PROTECT, "bank.csv", "Protected as 0xabc")
    journal.record("local", Kind.GRANT, "0xabc", "Allow File statistics to process your data for you")
    journal.record("arbitrum-sepolia", Kind.PROTECT, "elsewhere.csv", "Protected as 0xdef")
    window.go_to(0)
    window.go_to(4)  # shown again: read again
    assert page.body.currentWidget() is page.table
    assert rows(window) == [
        ("Grant", "0xabc", "Allow File statistics to process your data for you"),
        ("Protect", "bank.csv", "Protected as 0xabc"),
    ]
    page.kind.setCurrentIndex(page.kind.findData("protect"))
    assert rows(window) == [("Protect", "bank.csv", "Protected as 0xabc")]
    page.kind.setCurrentIndex(0)
    page.search.setText("statistics")
    assert [row[0] for row in rows(window)] == ["Grant"]
    page.search.setText("nothing like this")
    assert page.body.currentWidget() is page.no_match


def test_protect_grant_and_revoke_are_journaled_by_the_flows(
    window: MainWindow, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    window.state.session.unlock(PASSWORD)  # type: ignore[union-attr]
    data = tmp_path / "journal.csv"
    data.write_text("a,b\n1,2\n")
    protect_and_wait(window, qloop, data)
    page = window.protected_page
    dataset = page.selected_row.address  # type: ignore[union-attr]
    profile = window.state.profile
    session = window.state.session
    assert profile is not None and session is not None
    app = settle(qloop, list_apps(profile))[0]
    journal = window.context.activity
    settle(
        qloop,
        access.grant(profile, session, dataset, app.address, requester=session.address, activity=journal),
    )
    settle(qloop, access.revoke(profile, session, dataset, app=app.address, activity=journal))

    window.go_to(4)
    kinds = [row[0] for row in rows(window)]
    assert kinds == ["Revoke", "Grant", "Protect"]
    revoke, grant, protect = rows(window)
    assert protect[1:] == ("journal.csv", f"Protected as {dataset}")
    shown = window.activity_page.table.item(0, 2).text()
    assert shown == f"{dataset[:6]}…{dataset[-4:]}"
    assert grant[1] == dataset and grant[2].startswith(
        f"Allow {app.name} to process your data for you, 1 time"
    )
    assert revoke[1] == dataset and app.address in revoke[2]
    assert PASSWORD not in repr(rows(window))
