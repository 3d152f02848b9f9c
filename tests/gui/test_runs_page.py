"""Runs as a person makes them: "Run on my data…" on the iApps page, the review, the live timeline up to a
verified result, the result viewer and the verification report (export, and a tampered result turning
its check red); a run on data without a grant is refused before anything is signed, and a declined
review leaves no run."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog

from desktop_app.core.store.runs import Runs
from desktop_app.flows.result import ResultFiles
from desktop_app.ui.grant_dialog import GrantDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.pages.runs_rows import Stage, StageStatus
from desktop_app.ui.result_viewer import MAX_TABLE_ROWS, ResultViewer
from desktop_app.ui.review import ReviewDialog
from desktop_app.ui.run_dialog import RunDialog
from tests.gui.conftest import (
    PASSWORD,
    accessible_name_missing,
    protect_and_wait,
    run_until,
    top_dialogs,
)

pytestmark = pytest.mark.slow
ACCOUNT = 2
CSV_APP = "CSV column aggregates"
RUN_TIMEOUT_S = 180


def visible(window: MainWindow, kind: type) -> list:  # type: ignore[type-arg]
    return [d for d in window.findChildren(kind) if d.isVisible()]


@pytest.fixture
def window(
    account_window: Callable[[int], MainWindow], qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> MainWindow:
    """A window whose account owns a freshly protected ``scores.csv``, unlocked."""
    window = account_window(ACCOUNT)
    window.state.session.unlock(PASSWORD)  # type: ignore[union-attr]
    data = tmp_path / "scores.csv"
    data.write_text("name,score\nada,3\ngrace,4\n")
    protect_and_wait(window, qloop, data)
    return window


def dataset_of(window: MainWindow) -> str:
    row = window.protected_page.selected_row
    assert row is not None
    return row.address


def open_run_dialog(window: MainWindow, loop: asyncio.AbstractEventLoop) -> RunDialog:
    apps = window.apps_page
    window.go_to(1)
    run_until(loop, lambda: apps.loaded, 30)
    apps.search.setText("csv")
    run_until(loop, lambda: apps.selected_app is not None and apps.selected_app.name == CSV_APP)
    apps.run_button.click()
    run_until(loop, lambda: visible(window, RunDialog), 30)
    dialog: RunDialog = visible(window, RunDialog)[-1]
    assert dialog.app.currentText().startswith(CSV_APP)
    return dialog


def review_run(window: MainWindow, loop: asyncio.AbstractEventLoop) -> ReviewDialog:
    run_until(loop, lambda: visible(window, ReviewDialog), 60)
    review: ReviewDialog = visible(window, ReviewDialog)[-1]
    text = review.sentence.text()
    assert f"Run {CSV_APP} on scores.csv inside a TEE on" in text and "free" in text
    rows = dict(review.request.rows)  # the transaction as it will be sent: its gas and fee are known
    assert rows["fee"].startswith("at most ") and rows["gas"].startswith("up to ")
    run_until(loop, lambda: review.armed, 5)
    return review


def save_through_dialog(loop: asyncio.AbstractEventLoop, target: Path) -> None:
    """Answer the file dialog that was just opened (with ``open()``) as a person would: name, Save."""
    run_until(loop, lambda: top_dialogs(QFileDialog), 10)
    dialog = top_dialogs(QFileDialog)[-1]
    assert dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
    dialog.fileSelected.emit(str(target))  # what Save does (the dialog's own file list loads later)
    dialog.close()
    run_until(loop, lambda: not top_dialogs(QFileDialog), 10)


def test_a_refused_run_offers_a_grant_and_a_declined_review_leaves_no_run(
    window: MainWindow, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    dataset = dataset_of(window)
    runs = Runs(window.state.context.jobs.db)

    dialog = open_run_dialog(window, qloop)
    dialog.dataset.setCurrentIndex(dialog.dataset.findData(dataset))
    assert dialog.refusal.isVisible()
    assert "no grant of this data for this iApp" in dialog.refusal.text()
    assert "scores.csv" in dialog.refusal.text() and "would be refused" in dialog.refusal.text()
    assert not dialog.ok_button.isVisible() and dialog.grant_button.isVisible()
    assert accessible_name_missing(dialog) == []
    dialog.grant_button.click()  # instead of a run the market would refuse
    run_until(qloop, lambda: visible(window, GrantDialog), 30)
    grant: GrantDialog = visible(window, GrantDialog)[-1]
    assert grant.dataset.currentData() == dataset  # the data of the refused run, chosen already
    assert window.pages.currentWidget() is window.apps_page
    grant.ok_button.click()
    run_until(qloop, lambda: visible(window, ReviewDialog), 30)
    review: ReviewDialog = visible(window, ReviewDialog)[-1]
    run_until(qloop, lambda: review.armed, 5)
    review.sign_button.click()
    run_until(qloop, lambda: "Access granted" in window.statusBar().currentMessage(), 30)
    assert runs.of("local", window.state.session.address) == []  # type: ignore[union-attr]

    dialog = open_run_dialog(window, qloop)
    assert dialog.dataset.currentData() == dataset  # granted data comes first
    assert "allowed" in dialog.dataset.currentText()
    assert dialog.ok_button.isEnabled() and not dialog.refusal.isVisible()
    dialog.args.setText("score")
    dialog.ok_button.click()
    review = review_run(window, qloop)
    review.decline_button.click()
    run_until(qloop, lambda: not window.runner.operations, 30)
    assert runs.of("local", window.state.session.address) == []  # type: ignore[union-attr]
    assert window.runs_page.model.rowCount() == 0
    assert not visible(window, ReviewDialog)


def test_a_run_is_followed_to_a_verified_result_and_a_tampered_result_fails_its_check(
    window: MainWindow, qloop: asyncio.AbstractEventLoop, qtbot: object, tmp_path: Path
) -> None:
    dataset = dataset_of(window)
    apps = window.apps_page
    window.go_to(1)
    run_until(qloop, lambda: apps.loaded, 30)
    apps.search.setText("csv")
    run_until(qloop, lambda: apps.selected_app is not None and apps.selected_app.name == CSV_APP)
    apps.grant_selected(dataset)
    run_until(qloop, lambda: visible(window, GrantDialog), 30)
    visible(window, GrantDialog)[-1].ok_button.click()
    run_until(qloop, lambda: visible(window, ReviewDialog), 30)
    grant_review: ReviewDialog = visible(window, ReviewDialog)[-1]
    run_until(qloop, lambda: grant_review.armed, 5)
    grant_review.sign_button.click()
    run_until(qloop, lambda: "Access granted" in window.statusBar().currentMessage(), 30)

    page = window.runs_page
    finished: list[tuple[str, str]] = []
    page.run_finished.connect(lambda task, status: finished.append((task, status)))
    dialog = open_run_dialog(window, qloop)
    dialog.args.setText("score")
    dialog.ok_button.click()
    review_run(window, qloop).sign_button.click()

    run_until(qloop, lambda: page.model.rowCount() == 1, 60)
    assert window.pages.currentWidget() is page  # the run opens in the Runs page
    entry = page.selected
    assert entry is not None and entry.title == f"{CSV_APP} on scores.csv"
    timeline = entry.timeline
    assert timeline[Stage.ORDERED].status == timeline[Stage.MATCHED].status == StageStatus.DONE
    run_until(qloop, lambda: timeline[Stage.VERIFIED].status != StageStatus.PENDING, RUN_TIMEOUT_S)
    run_until(qloop, lambda: entry.task_id.lower() not in page.working, 60)
    assert [timeline[s].status for s in Stage] == [StageStatus.DONE] * len(Stage)
    assert all(timeline[s].at is not None for s in Stage)
    assert finished == [(entry.task_id, "COMPLETED")]  # once, with the final status
    assert entry.state_text == "Verified ✓"
    record = Runs(window.state.context.jobs.db).get(entry.task_id)
    assert record is not None and record.status == "COMPLETED" and record.result_path

    report = page.detail.report
    assert report.check_states == ["passed"] * 7
    assert report.summary.text() == "Verified on this machine: 7/7 checks passed"
    page.detail.tabs.setCurrentWidget(page.detail.tabs.widget(2))
    assert report.simulated_banner.isVisible()
    assert "simulated" in report.simulated_banner_text.text().lower()
    assert report.measurements.rowCount() >= 3  # TEE, TCB status, root, then the measurements

    viewer = page.detail.result
    assert viewer.kind == "text" and viewer.current_file is not None
    assert viewer.current_file.name == "result.json"
    assert json.loads(viewer.text.toPlainText())["count"] == 2
    assert '\n  "count": 2' in viewer.text.toPlainText()  # pretty-printed
    assert accessible_name_missing(page) == []

    for keys, target in ((Qt.Key.Key_E, "proof.html"), (Qt.Key.Key_S, "saved.json")):
        with qtbot.waitActive(window):  # type: ignore[attr-defined]
            window.activateWindow()
        page.list.setFocus()  # as after a click on the run
        QTest.keyClick(window, keys, Qt.KeyboardModifier.ControlModifier)  # Export report…, Save as…
        save_through_dialog(qloop, tmp_path / target)
    html = (tmp_path / "proof.html").read_text()
    assert "Every check passed" in html and "simulated" in html and "<script" not in html
    assert (tmp_path / "saved.json").read_bytes() == viewer.current_file.read_bytes()

    output = entry.files.deterministic_output if entry.files else None
    assert output is not None
    data = bytearray(output.read_bytes())
    data[len(data) // 2] ^= 0x01
    output.write_bytes(bytes(data))
    page.detail.verify_button.click()
    run_until(qloop, lambda: timeline[Stage.VERIFIED].status == StageStatus.FAILED, 60)
    run_until(qloop, lambda: entry.task_id.lower() not in page.working, 30)
    states = report.check_states
    assert states[0] == "failed" and states.count("failed") == 1
    assert report.rows[0].detail.isVisibleTo(report)  # a failure shows why without a click
    assert "is not the result the enclave committed" in report.rows[0].detail.text()
    assert report.summary.text() == "Verification failed: 6/7 checks passed"
    assert entry.state_text.startswith("Verification failed")
    assert timeline[Stage.VERIFIED].hint
    assert finished == [(entry.task_id, "COMPLETED")]  # a re-verification is not a second run end


def test_the_result_viewer_shows_csv_as_a_table_json_pretty_and_images(
    qtbot: object, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    out = tmp_path / "iexec_out"
    out.mkdir()
    rows = "".join(f"{n},{n * n}\n" for n in range(MAX_TABLE_ROWS + 5))
    (out / "squares.csv").write_text("n,square\n" + rows)
    (out / "computed.json").write_text('{"deterministic-output-path":"/iexec_out/squares.csv"}')
    image = QImage(40, 20, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkCyan)
    image.save(str(out / "chart.png"))
    (out / "blob.bin").write_bytes(b"\0\1\2")
    viewer = ResultViewer()
    qtbot.addWidget(viewer)  # type: ignore[attr-defined]
    viewer.show()
    viewer.show_files(ResultFiles(tmp_path / "r.zip", out, out / "squares.csv"))

    assert viewer.file_choice.currentText() == "squares.csv (the verified output)"
    assert viewer.kind == "table"
    model = viewer.table.model()
    assert model.rowCount() == MAX_TABLE_ROWS and model.columnCount() == 2
    assert model.headerData(1, Qt.Orientation.Horizontal) == "square"
    assert model.index(3, 1).data() == "9"
    assert f"the first {MAX_TABLE_ROWS} rows are shown" in viewer.note.text()

    viewer.file_choice.setCurrentIndex(viewer.file_choice.findText("computed.json"))
    assert viewer.kind == "text"
    assert viewer.text.toPlainText() == '{\n  "deterministic-output-path": "/iexec_out/squares.csv"\n}'
    viewer.file_choice.setCurrentIndex(viewer.file_choice.findText("chart.png"))
    assert viewer.kind == "image" and "40 × 20 px" in viewer.note.text()
    assert viewer.image.pixmap() is not None and not viewer.image.pixmap().isNull()
    viewer.file_choice.setCurrentIndex(viewer.file_choice.findText("blob.bin"))
    assert viewer.kind == "message" and "Save it" in viewer.message.text()
    assert accessible_name_missing(viewer) == []

    viewer.save_as()
    save_through_dialog(qloop, tmp_path / "copy.bin")
    assert (tmp_path / "copy.bin").read_bytes() == b"\0\1\2"
    assert "Saved as" in viewer.note.text()

    viewer.show_files(None)
    assert viewer.kind == "message" and not viewer.save_button.isEnabled()
