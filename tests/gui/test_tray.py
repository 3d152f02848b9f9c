"""The tray: its icon follows the lock and the work in progress, its menu acts, and a finished run is
announced with names and outcome only."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core.store.protect_jobs import JobState
from desktop_app.core.store.runs import Runs
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.operations import Operation
from tests.gui.conftest import PASSWORD, run_until

pytestmark = pytest.mark.slow
ACCOUNT = 1
TASK = "0x" + "ab" * 32
DEAL = "0x" + "cd" * 32
DATASET = "0x" + "12" * 20
APP = "0x" + "34" * 20


@pytest.fixture
def window(account_window: Callable[[int], MainWindow]) -> MainWindow:
    return account_window(ACCOUNT)


def test_the_icon_follows_the_lock_and_the_work(window: MainWindow, qloop: asyncio.AbstractEventLoop) -> None:
    tray = window.tray
    run_until(qloop, lambda: not window.runner.operations)
    assert tray.state_name == "locked" and not tray.lock_action.isEnabled()
    assert tray.icon.toolTip() == "DataProtector Desktop: Locked"
    window.state.session.unlock(PASSWORD)  # type: ignore[union-attr]
    window.state.poll_lock()
    assert tray.state_name == "unlocked" and tray.lock_action.isEnabled()

    gate = asyncio.Event()

    async def work(_operation: Operation) -> None:
        await gate.wait()

    window.runner.run("Something slow", work, progress="inline")
    assert tray.state_name == "busy"
    gate.set()
    run_until(qloop, lambda: tray.state_name == "unlocked")

    tray.lock_action.trigger()  # the menu's Lock
    assert not window.state.session.is_unlocked  # type: ignore[union-attr]
    assert tray.state_name == "locked" and window.header.lock_button.text() == "Locked"
    assert [a.text() for a in tray.menu.actions()] == ["Show DataProtector", "Lock", "Quit"]


def test_show_brings_the_window_back(window: MainWindow, qtbot: QtBot) -> None:
    window.showMinimized()
    window.tray.show_action.trigger()
    qtbot.waitUntil(lambda: not window.isMinimized())


def test_a_finished_run_is_announced_with_names_and_outcome_only(window: MainWindow) -> None:
    context = window.context
    me = window.state.session.address  # type: ignore[union-attr]
    job = context.jobs.create("local", me, "bank.csv", "/home/me/bank.csv")
    context.jobs.update(job.id, state=JobState.PROTECTED, dataset=DATASET)
    Runs(context.jobs.db).add(TASK, DEAL, "local", me, DATASET, APP)
    heard: list[tuple[str, str]] = []
    window.tray.notified.connect(lambda title, text: heard.append((title, text)))

    window.runs_page.run_finished.emit(TASK, "COMPLETED")
    window.runs_page.run_finished.emit(TASK, "FAILED")
    window.runs_page.run_finished.emit("0x" + "ee" * 32, "TIMEOUT")  # a task this app does not know
    assert heard == [
        ("Run finished", "The run of 0x3434…3434 on bank.csv completed."),
        ("Run finished", "The run of 0x3434…3434 on bank.csv failed."),
        ("Run finished", "Task 0xeeee…eeee timed out."),
    ]
    assert not any(PASSWORD in text or "/home/me" in text for _title, text in heard)
