"""Runs the real app (``desktop_app.ui.app.main``) on an X display and walks it as a new user would.

Started by ``test_e2e_xvfb.py`` in a subprocess with ``DISPLAY`` on a private Xvfb, ``HOME`` in a temporary
folder (so the wallet, journal and settings are the app's defaults, just empty) and
``DATAPROTECTOR_SANDBOX_DIR`` on the test session's running sandbox. Usage::

    python -m tests.gui.e2e_driver OUT_DIR THEME FILE_TO_DROP

It creates an account in the first-run wizard, drops a file on the window, unlocks, waits for the
protect to finish, grants the CSV iApp access through the review dialog, runs it ("Run on my data…", the
review, the live timeline until the result is verified; the result and the report), revokes the grant
from the Access page, sees a new run refused, and saves a screenshot of each screen (the window with
``QWidget.grab()``, the whole screen with ImageMagick's ``import`` when it is installed, which also shows
dialogs). Then it closes the window, so ``main`` returns normally. Any failure exits non-zero.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop_app.core.settings import THEME
from desktop_app.ui.app import create_application, main
from desktop_app.ui.grant_dialog import GrantDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages.access_model import ACTION_COLUMN
from desktop_app.ui.pages.protected_rows import DisplayState
from desktop_app.ui.pages.runs_rows import Stage, StageStatus
from desktop_app.ui.review import ReviewDialog
from desktop_app.ui.run_dialog import RunDialog
from desktop_app.ui.settings_store import user_settings
from desktop_app.ui.unlock import UnlockDialog
from tests.gui.events import drag_enter

T = TypeVar("T", bound=QWidget)
PASSWORD = "a quiet harbour at dawn"
STEP_TIMEOUT_S = 90.0
WALK_TIMEOUT_S = 420.0
COLUMN = "amount"  # the column of the dropped CSV the iApp aggregates


class Walk:
    def __init__(self, window: MainWindow, out: Path, theme: str, file: Path) -> None:
        self.window, self.out, self.theme, self.file = window, out, theme, file
        self.shots: list[str] = []

    async def until(self, condition: Callable[[], object], what: str) -> None:
        async def poll() -> None:
            while not condition():  # noqa: ASYNC110 - polls what a person would look at
                await asyncio.sleep(0.05)

        try:
            await asyncio.wait_for(poll(), STEP_TIMEOUT_S)
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}") from None

    async def shot(self, name: str, widget: QWidget | None = None) -> None:
        """Let the screen settle, then save the window (or ``widget``) and, if possible, the screen."""
        await asyncio.sleep(0.4)
        stem = f"{self.theme}-{len(self.shots) + 1:02d}-{name}"
        (widget or self.window).grab().save(str(self.out / f"{stem}.png"))
        if shutil.which("import"):
            grab = await asyncio.create_subprocess_exec(
                "import", "-window", "root", str(self.out / f"{stem}-screen.png")
            )
            assert await asyncio.wait_for(grab.wait(), 30) == 0
        self.shots.append(stem)

    async def run(self) -> None:
        window = self.window
        wizard = window.first_run
        await self.until(window.isVisible, "the window")
        await self.shot("welcome")
        wizard.next_button.click()
        await self.shot("choose")
        wizard.create_button.click()
        wizard.password.setText(PASSWORD)
        wizard.confirmation.setText(PASSWORD)
        await self.shot("password")
        wizard.next_button.click()
        await self.until(lambda: wizard.words_grid.count() == 12, "the recovery phrase")
        await self.shot("recovery-phrase")
        wizard.written.setChecked(True)
        wizard.next_button.click()
        page = window.protected_page
        await self.until(lambda: page.stack.currentWidget() is page.empty, "the empty Protected data page")
        await self.until(lambda: not window.runner.operations, "the faucet")
        await self.shot("protected-empty")

        self.drop(self.file)
        await self.until(lambda: self.unlock_dialog() is not None, "the unlock dialog")
        dialog = self.unlock_dialog()
        assert dialog is not None
        await self.until(lambda: "keyring" in dialog.keyring_note.text().lower(), "the keyring check")
        dialog.password.setText(PASSWORD)
        await self.shot("unlock", dialog)
        dialog.unlock_button.click()
        await self.until(
            lambda: (r := page.selected_row) is not None and r.state.busy, "the protect to start"
        )
        await self.shot("protecting")
        await self.sign("review-protect")
        await self.until(
            lambda: (r := page.selected_row) is not None and r.state == DisplayState.PROTECTED, "protected"
        )
        await self.until(lambda: page.detail.fields["checksum"].full_text().startswith("0x"), "the details")
        await self.shot("protected")
        dataset = page.detail.fields["address"].full_text()
        await self.grant_the_csv_app(dataset)
        await self.run_the_csv_app(dataset)
        await self.revoke_it()
        await self.see_a_new_run_refused(dataset)

    async def grant_the_csv_app(self, dataset: str) -> None:
        window, apps = self.window, self.window.apps_page
        window.go_to(1)
        await self.until(lambda: apps.loaded and not apps.refresher.busy, "the iApps")
        apps.search.setText("csv")
        await self.until(lambda: apps.selected_app is not None, "the CSV app")
        await self.shot("iapps")
        apps.grant_button.click()
        await self.until(lambda: self.visible(GrantDialog), "the grant dialog")
        dialog = self.visible(GrantDialog)[-1]
        dialog.dataset.setCurrentIndex(dialog.dataset.findData(dataset))
        dialog.volume.setValue(2)  # one run for step 4, one left to revoke in step 6
        await self.shot("grant", dialog)
        dialog.ok_button.click()
        await self.sign("review-grant")
        await self.until(lambda: "Access granted" in window.statusBar().currentMessage(), "the grant")
        await self.until(lambda: not apps.refresher.busy, "the iApps to refresh")
        await self.shot("granted")

    async def open_run_dialog(self, dataset: str) -> RunDialog:
        window, apps = self.window, self.window.apps_page
        window.go_to(1)
        await self.until(lambda: apps.selected_app is not None, "the CSV app")
        apps.run_button.click()
        await self.until(lambda: self.visible(RunDialog), "the run dialog")
        dialog = self.visible(RunDialog)[-1]
        dialog.dataset.setCurrentIndex(dialog.dataset.findData(dataset))
        return dialog

    async def run_the_csv_app(self, dataset: str) -> None:
        dialog = await self.open_run_dialog(dataset)
        assert dialog.allowed, "the granted data is not offered for the run"
        dialog.args.setText(COLUMN)
        await self.shot("run-dialog", dialog)
        dialog.ok_button.click()
        await self.sign("run-review")
        runs = self.window.runs_page
        await self.until(lambda: runs.selected is not None, "the run in the Runs page")
        entry = runs.selected
        assert entry is not None
        timeline = entry.timeline
        await self.until(lambda: timeline[Stage.RUNNING].status != StageStatus.PENDING, "the run to start")
        await self.shot("run-running")
        await self.until(
            lambda: (
                timeline[Stage.VERIFIED].status in (StageStatus.DONE, StageStatus.FAILED)
                and entry.task_id.lower() not in runs.working
            ),
            "the verified result",
        )
        assert entry.report is not None and entry.report.valid, entry.state_text
        await self.shot("run-timeline")
        runs.detail.tabs.setCurrentIndex(1)
        await self.shot("result")
        runs.detail.tabs.setCurrentIndex(2)
        await self.shot("report")

    async def see_a_new_run_refused(self, dataset: str) -> None:
        dialog = await self.open_run_dialog(dataset)
        await self.until(dialog.refusal.isVisible, "the refusal")
        assert "would be refused" in dialog.refusal.text() and dialog.grant_button.isVisible()
        await self.shot("run-refused", dialog)
        dialog.reject()

    async def revoke_it(self) -> None:
        window, access = self.window, self.window.access_page
        window.go_to(2)
        access.refresh()
        await self.until(lambda: not access.refresher.busy and access.model.rowCount() == 1, "the grants")
        await self.shot("access")
        access.table.indexWidget(access.model.index(0, ACTION_COLUMN)).click()  # type: ignore[union-attr]
        await self.until(lambda: self.visible(QMessageBox), "the revoke confirmation")
        confirm = self.visible(QMessageBox)[-1]
        await self.shot("revoke-confirm", confirm)
        next(b for b in confirm.buttons() if b.text() == "Revoke").click()
        await self.sign("review-revoke")
        await self.until(lambda: access.model.index(0, 5).data() == "Revoked ✓", "the revocation")
        await self.shot("revoked")

    async def sign(self, name: str) -> None:
        await self.until(lambda: self.visible(ReviewDialog), "the review dialog")
        review = self.visible(ReviewDialog)[-1]
        await self.until(lambda: review.armed, "Sign to arm")
        await self.shot(name, review)
        review.sign_button.click()

    def visible(self, kind: type[T]) -> list[T]:
        return [d for d in self.window.findChildren(kind) if d.isVisible()]  # type: ignore[misc]

    def drop(self, path: Path) -> None:
        """Files dragged from a file manager and dropped in the middle of the window."""
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(path))])
        center = QPointF(self.window.rect().center())
        args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(self.window, drag_enter(center, mime))
        QApplication.sendEvent(self.window, QDropEvent(center, *args))

    def unlock_dialog(self) -> UnlockDialog | None:
        found = [d for d in self.window.findChildren(UnlockDialog) if d.isVisible()]
        return found[-1] if found else None


def drive(out: Path, theme: str, file: Path) -> int:
    app = create_application([sys.argv[0]])
    user_settings().set(THEME, theme)
    failures: list[str] = []
    tasks: list[asyncio.Future[None]] = []  # keeps the walk referenced while it runs

    def start() -> None:
        """Runs once the main window exists (``main`` shows a splash first, processing events)."""
        window = next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)), None)
        if window is None:
            QTimer.singleShot(50, app, start)
            return
        walk = Walk(window, out, theme, file)

        async def walk_then_close() -> None:
            try:
                await walk.run()
            except Exception:
                failures.append(traceback.format_exc())
            finally:
                window._quitting = True
                window.close()

        tasks.append(asyncio.ensure_future(walk_then_close()))

    def give_up() -> None:
        failures.append(f"the walk did not finish within {WALK_TIMEOUT_S:.0f} s")
        for window in (w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)):
            window._quitting = True
            window.close()

    QTimer.singleShot(0, app, start)
    QTimer.singleShot(round(WALK_TIMEOUT_S * 1000), app, give_up)
    code = main([sys.argv[0]])
    if failures:
        print(failures[0], file=sys.stderr)
        return 1
    print(f"platform {QApplication.platformName()}")
    return code


if __name__ == "__main__":
    os.environ.setdefault("QT_API", "pyside6")
    raise SystemExit(drive(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])))
