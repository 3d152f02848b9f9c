"""The Protected data page: protect files and folders, follow each protect, resume the ones that stopped.

Files arrive by a drop anywhere on the window (the window forwards them to ``protect_paths``), or by
Open… (Ctrl+O); a few named values that are not a file come from the "Protect a record" form
(Ctrl+Shift+N). Each protect is one operation of the runner, drawn inline: its row changes state as
the flow reports steps, and the detail pane shows its checklist. The list itself is re-read from the
network and the journal (``list_protected``) when the page opens, after every protect, and on F5.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.protect.record import Record
from desktop_app.core.store.protect_jobs import ProtectJob
from desktop_app.core.store.runs import Runs
from desktop_app.flows import access as access_flow
from desktop_app.flows import protect as protect_flow
from desktop_app.flows.listing import ProtectedItem, list_protected
from desktop_app.flows.signing import Review
from desktop_app.ui.context import AppState
from desktop_app.ui.item_list import item_list_view
from desktop_app.ui.operations import Operation, OperationRunner, OperationState
from desktop_app.ui.pages.empty import EmptyState
from desktop_app.ui.pages.protected_detail import ProtectedDetail
from desktop_app.ui.pages.protected_model import ProtectedModel
from desktop_app.ui.pages.protected_rows import DisplayState, LiveOutcome, LiveProtect, ProtectedIndex, Row
from desktop_app.ui.pages.refresher import Refresher, Work
from desktop_app.ui.record_dialog import RecordDialog
from desktop_app.ui.theme import heading, set_tone

Listing = tuple[list[ProtectedItem], list[ProtectJob]]


class ProtectedPage(QWidget):
    def __init__(
        self, state: AppState, runner: OperationRunner, review: Review, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.state, self.runner, self.review = state, runner, review
        self.index = ProtectedIndex()
        self.model = ProtectedModel(self.index, self)
        self.operations: dict[str, Operation] = {}
        self.refresher = Refresher(runner, self.tr("Read your protected data"), self._read, self._listed)
        self._file_dialog: QFileDialog | None = None
        self.record_dialog: RecordDialog | None = None
        self._grants: dict[str, str] = {}  # dataset (lower case) -> what the detail says of its grants
        self._reading_grants: set[str] = set()

        self.protect_file_button = QPushButton(self.tr("Protect a file…"))
        self.protect_file_button.setProperty("primary", True)
        self.protect_file_button.setAccessibleName(self.tr("Protect a file"))
        self.protect_file_button.setToolTip(self.tr("Choose files to protect (Ctrl+O)"))
        self.protect_file_button.clicked.connect(self.open_files)
        self.protect_folder_button = QPushButton(self.tr("Protect a folder…"))
        self.protect_folder_button.setAccessibleName(self.tr("Protect a folder"))
        self.protect_folder_button.clicked.connect(self.open_folder)
        self.protect_record_button = QPushButton(self.tr("Protect a record…"))
        self.protect_record_button.setAccessibleName(self.tr("Protect a record"))
        self.protect_record_button.setToolTip(
            self.tr("Protect named values such as an email address (Ctrl+Shift+N)")
        )
        self.protect_record_button.clicked.connect(self.open_record_form)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.setAccessibleName(self.tr("Refresh the list"))
        self.refresh_button.setToolTip(self.tr("Read the list again from the network (F5)"))
        self.refresh_button.clicked.connect(self.refresh)

        self.list = item_list_view(self.model, self.tr("Protected data"), 28)
        self.list.selectionModel().currentChanged.connect(self._current_changed)
        self.detail = ProtectedDetail()
        self.detail.retry_clicked.connect(self.retry)
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._restore_selection)
        self.model.dataChanged.connect(self._show_current)
        self._selected: frozenset[str] = frozenset()

        self.stack = QStackedWidget()
        self.loading = QLabel(self.tr("Waiting for the network…"))
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_tone(self.loading, "muted")
        self.empty = self._empty_state()
        detail_scroll = QScrollArea()  # a long checklist scrolls instead of squeezing its rows
        detail_scroll.setWidget(self.detail)
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(detail_scroll)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        for widget in (self.loading, self.empty, splitter):
            self.stack.addWidget(widget)
        self.content = splitter

        # The title over the whole width, then the ways to protect in reading order and Refresh apart: four
        # buttons beside the title would squeeze it into a column on a default-sized window.
        titles = QVBoxLayout()
        titles.addWidget(heading(self.tr("Protected data"), 1.6))
        subtitle = QLabel(self.tr("Encrypted, stored and registered; only the iApps you allow can read it."))
        subtitle.setWordWrap(True)
        set_tone(subtitle, "muted")
        titles.addWidget(subtitle)
        toolbar = QHBoxLayout()
        for button in (self.protect_file_button, self.protect_folder_button, self.protect_record_button):
            toolbar.addWidget(button)
        toolbar.addStretch(1)
        toolbar.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        pad = self.fontMetrics().height()
        layout.setContentsMargins(pad * 2, pad, pad * 2, pad * 2)
        layout.setSpacing(pad)
        layout.addLayout(titles)
        layout.addLayout(toolbar)
        layout.addWidget(self.stack, 1)

        state.connection_changed.connect(self.refresh)
        state.account_changed.connect(self._account_changed)
        self._update_stack()

    def _empty_state(self) -> QFrame:
        frame = QFrame()
        frame.setObjectName("dropZone")
        frame.setAccessibleName(self.tr("Drop area"))
        frame.setAccessibleDescription(
            self.tr("Drop files or folders anywhere on the window to protect them")
        )
        empty = EmptyState(
            "upload",
            self.tr("Protect your first file"),
            self.tr(
                "Drop a file or a folder anywhere on this window, or choose one. It is encrypted on this "
                "computer before anything leaves it; the original is never modified."
            ),
            self.tr("Choose a file…"),
        )
        assert empty.button is not None
        self.empty_button = empty.button
        self.empty_button.clicked.connect(self.open_files)
        layout = QVBoxLayout(frame)
        layout.addWidget(empty)
        return frame

    def set_drop_active(self, active: bool) -> None:
        """Highlight the drop area while files are dragged over the window."""
        if self.empty.property("active") != active:
            self.empty.setProperty("active", active)
            self.empty.style().unpolish(self.empty)
            self.empty.style().polish(self.empty)

    # -- starting protects --------------------------------------------------------------------

    def open_files(self) -> None:
        """Open… (Ctrl+O): a file dialog opened with ``open()``, never a nested loop."""
        self._open_dialog(QFileDialog.FileMode.ExistingFiles, self.tr("Choose files to protect"))

    def open_folder(self) -> None:
        self._open_dialog(QFileDialog.FileMode.Directory, self.tr("Choose a folder to protect"))

    def _open_dialog(self, mode: QFileDialog.FileMode, title: str) -> None:
        dialog = QFileDialog(self.window(), title)
        dialog.setFileMode(mode)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if mode == QFileDialog.FileMode.Directory:
            dialog.setOption(QFileDialog.Option.ShowDirsOnly)
        dialog.filesSelected.connect(lambda files: self.protect_paths([Path(f) for f in files]))
        self._file_dialog = dialog
        dialog.open()

    def open_record_form(self) -> None:
        dialog = RecordDialog(self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(self.protect_record)
        self.record_dialog = dialog
        dialog.open()

    def protect_paths(self, paths: list[Path]) -> None:
        for path in paths:
            self._start(path.name or str(path), str(path.resolve()), path, None)

    def protect_record(self, name: str, record: Record) -> None:
        self._start(name, protect_flow.RECORD_SOURCE, record, None)

    def retry(self, job_id: str) -> None:
        """Resume a failed or unfinished protect from its last finished step."""
        job = self.index.jobs.get(job_id)
        same_job = {token: live for token, live in self.index.live.items() if live.job_id == job_id}
        if job is None or any(live.outcome == LiveOutcome.RUNNING for live in same_job.values()):
            return
        for token in same_job:  # the failed attempt gives way to the new one
            del self.index.live[token]
        self._start(job.name, job.source, None, job_id)

    def _start(self, name: str, origin: str, source: Path | Record | None, job_id: str | None) -> None:
        """Protect ``source`` (a path or a record), or resume journal entry ``job_id`` (``source`` None)."""
        token = uuid.uuid4().hex
        live = LiveProtect(token, name, origin, time.time(), job_id or "")
        self.index.live[token] = live
        state, window = self.state, self.window()

        async def work(operation: Operation) -> protect_flow.ProtectOutcome:
            connection = await state.connected()
            session = await state.unlocked(window, self.tr("to protect %1.").replace("%1", name))
            context = state.context
            services = protect_flow.ProtectServices(
                connection.profile, session, context.jobs, context.work_dir, review=self.review
            )
            if job_id is not None:
                return await protect_flow.resume(services, job_id, operation.report, operation.cancellation)
            assert source is not None
            cancel = operation.cancellation
            return await protect_flow.protect(services, source, name, operation.report, cancel)

        operation = self.runner.run(
            self.tr("Protect %1").replace("%1", name),
            work,
            steps=protect_flow.STEPS,
            cancellable=True,
            progress="inline",
            on_success=lambda outcome: self._protected(token, outcome),
        )
        self.operations[token] = operation
        operation.changed.connect(lambda: self._live_progress(token))
        operation.finished.connect(lambda: self._live_finished(token))
        self._reload()
        self._select(frozenset({token}))

    def _live_progress(self, token: str) -> None:
        live, operation = self.index.live.get(token), self.operations.get(token)
        if live is None or operation is None:
            return
        current = operation.tracker.current
        step = current.name if current is not None else live.step
        if step != live.step:
            live.step = step
            self._reload()
        elif self.detail.row is not None and token in self.detail.row.identities:
            self.detail.show_row(self.detail.row, operation)

    def _protected(self, token: str, outcome: protect_flow.ProtectOutcome) -> None:
        """The outcome names the journal entry: read it now (a local read) for the detail pane's facts."""
        if (live := self.index.live.get(token)) is not None:
            live.job_id, live.address = outcome.job_id, outcome.dataset
            self.index.jobs[outcome.job_id] = self.state.context.jobs.get(outcome.job_id)

    def _live_finished(self, token: str) -> None:
        live, operation = self.index.live.get(token), self.operations.pop(token, None)
        if live is None or operation is None:
            return
        if operation.state == OperationState.SUCCEEDED:
            live.outcome = LiveOutcome.DONE
        elif operation.state == OperationState.FAILED:
            live.outcome, live.error = LiveOutcome.FAILED, str(operation.error or "")
        else:
            del self.index.live[token]
        self._reload()
        self.refresh()

    # -- the list -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the list from the network and the journal (once at a time; again if asked meanwhile)."""
        self._grants.clear()
        self.refresher.request()

    def _read(self) -> Work[Listing] | None:
        session = self.state.session
        if session is None:
            return None
        state, owner = self.state, session.address

        async def work(_operation: Operation) -> Listing:
            connection = await state.connected()
            jobs = state.context.jobs
            items = await list_protected(connection.profile, owner, jobs)
            return items, await asyncio.to_thread(jobs.of_owner, connection.profile.name, owner)

        return work

    def _listed(self, listing: Listing) -> None:
        if self.state.session is None:
            return
        self.index.set_listing(*listing)
        self._reload()

    def _account_changed(self) -> None:
        self.index = ProtectedIndex()
        self.model.index_data = self.index
        self._reload()
        self.refresh()

    def _reload(self) -> None:
        self.model.reload()
        self._update_stack()
        self._show_current()

    def _update_stack(self) -> None:
        if self.model.rowCount():
            self.stack.setCurrentWidget(self.content)
        elif self.index.loaded:
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentWidget(self.loading)

    # -- selection and detail -----------------------------------------------------------------

    def _remember_selection(self) -> None:
        row = self.model.row_at(self.list.currentIndex())
        self._selected = row.identities if row is not None else frozenset()

    def _restore_selection(self) -> None:
        self._select(self._selected)

    def _select(self, identities: frozenset[str]) -> None:
        found = self.model.find(lambda row: bool(row.identities & identities))
        if not found.isValid() and self.model.rowCount():
            found = self.model.index(0)
        if found.isValid():
            self.list.selectionModel().setCurrentIndex(
                found, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        self._show_current()

    def _current_changed(self, current: QModelIndex | QPersistentModelIndex, _previous: object) -> None:
        self._show_current()

    def _show_current(self) -> None:
        row: Row | None = self.model.row_at(self.list.currentIndex())
        operation = self.operations.get(row.live_token) if row is not None and row.live_token else None
        self.detail.show_row(row, operation)
        if row is not None and row.address and row.state == DisplayState.PROTECTED:
            self._show_usage(row.address)

    def grants_changed(self) -> None:
        """A grant or a revocation went through elsewhere: what the detail says of grants is stale."""
        self._grants.clear()
        self._show_current()

    def _show_usage(self, dataset: str) -> None:
        """The detail's grants (from the market, read once per dataset until the next refresh) and runs
        (this app's own record of them)."""
        session, profile = self.state.session, self.state.profile
        if session is None or profile is None:
            return
        runs = [r for r in Runs(self.state.context.jobs.db).of(profile.name, session.address)
                if r.dataset.lower() == dataset.lower()]  # fmt: skip
        runs_text = (
            self.tr("none yet")
            if not runs
            else self.tr("1 run from this computer")
            if len(runs) == 1
            else self.tr("%n runs from this computer", "", len(runs))
        )
        grants_text = self._grants.get(dataset.lower())
        self.detail.show_usage(grants_text or self.tr("reading…"), runs_text)
        if grants_text is not None or dataset.lower() in self._reading_grants:
            return
        self._reading_grants.add(dataset.lower())

        async def work(_operation: Operation) -> list[access_flow.GrantView]:
            return await access_flow.grants(profile, dataset)

        def done(found: list[access_flow.GrantView]) -> None:
            active = [g for g in found if g.remaining > 0]
            self._grants[dataset.lower()] = (
                self.tr("none: no iApp may use it")
                if not active
                else self.tr("1 active grant")
                if len(active) == 1
                else self.tr("%n active grants", "", len(active))
            )
            if (row := self.selected_row) is not None and row.address.lower() == dataset.lower():
                self._show_current()

        operation = self.runner.run(self.tr("Read the grants of %1").replace("%1", dataset), work,
                                    progress="inline", on_success=done)  # fmt: skip
        operation.finished.connect(lambda: self._reading_grants.discard(dataset.lower()))

    @property
    def selected_row(self) -> Row | None:
        return self.model.row_at(self.list.currentIndex())
