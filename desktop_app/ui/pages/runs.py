"""The Runs page: every run of an iApp on your data, each with a live timeline, its result and its proof.

Starting a run ("Run on my data…" on the iApps page, or "Run an iApp…" here): the choices are read (apps,
your protected data, their grants), ``RunDialog`` collects one, then the run flow goes through the step
checklist and the signing review. The run then opens here and is followed to its end; a completed run's
result is fetched, decrypted and verified at once, with no further click. The list is the run journal
(``core.store.runs``) of this account on this network, so runs still active after a restart are
followed again. ``run_finished`` fires once per run that ends while the window follows it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserCancelled, UserFacingError
from desktop_app.core.iexec.network import NetworkProfile
from desktop_app.core.settings import PCS_URL
from desktop_app.core.store.collateral_cache import CollateralCache
from desktop_app.core.store.runs import RunRecord, Runs
from desktop_app.core.wallet import PushedKeys, ResultKeys, WalletSession
from desktop_app.flows import access
from desktop_app.flows import run as run_flow
from desktop_app.flows.apps import list_apps
from desktop_app.flows.progress import Event
from desktop_app.flows.result import fetch_result
from desktop_app.flows.signing import Review, SigningRequest
from desktop_app.flows.verify import verify_task
from desktop_app.ui.context import AppState
from desktop_app.ui.dialogs import accepted
from desktop_app.ui.item_list import item_list_view
from desktop_app.ui.operations import Operation, OperationRunner
from desktop_app.ui.pages.apps import protected_datasets
from desktop_app.ui.pages.empty import EmptyState
from desktop_app.ui.pages.refresher import Refresher, Work
from desktop_app.ui.pages.runs_detail import RunDetail
from desktop_app.ui.pages.runs_model import RunsModel
from desktop_app.ui.pages.runs_rows import RunEntry, RunsIndex, Timeline
from desktop_app.ui.run_dialog import GRANT_REQUESTED, RunChoice, RunChoices, RunDialog
from desktop_app.ui.theme import heading, set_tone

FOLLOW_POLL_S = 1.0
RUN_STEPS = (
    run_flow.FETCH_ORDERS,
    run_flow.PUSH_REQUESTER_SECRET,
    run_flow.REQUEST_TO_PROCESS_PROTECTED_DATA,
)
Listing = tuple[list[RunRecord], dict[str, str]]


class RunsPage(QWidget):
    run_finished = Signal(str, str)  # task id, final status (COMPLETED, FAILED, TIMEOUT)
    show_requested = Signal()  # a run started: the window brings this page forward
    browse_apps_requested = Signal()
    grant_requested = Signal(str, str)  # app, dataset: "Grant access…" chosen instead of a refused run

    def __init__(
        self,
        state: AppState,
        runner: OperationRunner,
        review: Review,
        notify: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.state, self.runner, self.review, self.notify = state, runner, review, notify
        self.store = Runs(state.context.jobs.db)
        self.index = RunsIndex()
        self.model = RunsModel(self.index, self)
        self.names: dict[str, str] = {}  # address (lowercase) -> app or protected data name
        self.working: dict[str, Operation] = {}  # task id (lowercase) -> the operation working on it
        self.refresher = Refresher(runner, self.tr("Read your runs"), self._read, self._loaded)
        self.run_dialog: RunDialog | None = None

        self.new_button = QPushButton(self.tr("Run an iApp…"))
        self.new_button.setProperty("primary", True)
        self.new_button.setAccessibleName(self.tr("Run an iApp on your data"))
        self.new_button.clicked.connect(lambda: self.start_run())
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.setAccessibleName(self.tr("Refresh the runs"))
        self.refresh_button.setToolTip(self.tr("Read the runs again (F5)"))
        self.refresh_button.clicked.connect(self.refresh)
        self.list = item_list_view(self.model, self.tr("Runs"), 30)
        self.list.selectionModel().currentChanged.connect(self._current_changed)
        self.list.activated.connect(lambda _index: self.open_current())
        self.model.dataChanged.connect(self._show_current)
        self.detail = RunDetail()
        self.detail.fetch_clicked.connect(self.fetch)
        self.detail.verify_clicked.connect(self.verify_again)

        self.stack = QStackedWidget()
        self.loading = QLabel(self.tr("Waiting for the network…"))
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_tone(self.loading, "muted")
        self.empty = EmptyState(
            "run",
            self.tr("No runs yet"),
            self.tr(
                "Pick an iApp and run it on your protected data inside an enclave. You follow each run "
                "here, read its result, and check its proof on this computer."
            ),
            self.tr("Run an iApp on your data"),
        )
        assert self.empty.button is not None
        self.empty.button.clicked.connect(self.browse_apps_requested)
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setChildrenCollapsible(False)
        self.content = splitter
        for widget in (self.loading, self.empty, splitter):
            self.stack.addWidget(widget)

        toolbar = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(heading(self.tr("Runs"), 1.6))
        subtitle = QLabel(self.tr("iApps run on your data inside enclaves, with results you can verify."))
        subtitle.setWordWrap(True)
        set_tone(subtitle, "muted")
        titles.addWidget(subtitle)
        toolbar.addLayout(titles, 1)
        for button in (self.refresh_button, self.new_button):
            toolbar.addWidget(button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        unit = self.fontMetrics().height()
        layout.setContentsMargins(unit * 2, unit, unit * 2, unit * 2)
        layout.setSpacing(unit)
        layout.addLayout(toolbar)
        layout.addWidget(self.stack, 1)
        self.save_action = self._action(self.tr("Save the result as…"), "Ctrl+S", self.detail.result.save_as)
        self.export_action = self._action(self.tr("Export the report…"), "Ctrl+E", self.detail.report.export)

        state.connection_changed.connect(self.refresh)
        state.account_changed.connect(self._account_changed)
        self._update_stack()

    def _action(self, text: str, keys: str, slot: Callable[[], None]) -> QAction:
        """A shortcut of this page: active while the page is shown, whatever has the focus in it."""
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    @property
    def simulated(self) -> bool:
        profile = self.state.profile
        return profile is not None and profile.tee_trust_anchor == "sandbox"

    # -- the list -----------------------------------------------------------------------------

    def refresh(self) -> None:
        self.refresher.request()

    def _read(self) -> Work[Listing] | None:
        session = self.state.session
        if session is None:
            return None
        state, owner, store, known = self.state, session.address, self.store, dict(self.names)

        async def work(_operation: Operation) -> Listing:
            profile = (await state.connected()).profile
            records = await asyncio.to_thread(store.of, profile.name, owner)
            wanted = {a.lower() for r in records for a in (r.app, r.dataset)}
            if not wanted <= known.keys():  # names are read once: they never change on chain
                known.update({app.address.lower(): app.name for app in await list_apps(profile)})
                datasets = await protected_datasets(profile, owner, state)
                known.update({item.address.lower(): item.name for item in datasets})
            return records, known

        return work

    def _loaded(self, listing: Listing) -> None:
        if self.state.session is None:
            return
        records, names = listing
        self.names.update(names)
        self.index.set_records(records, self.names)
        self._reload()
        for entry in self.index.rows():
            if entry.record.status == "ACTIVE" and entry.task_id.lower() not in self.working:
                self._follow(entry)

    def _account_changed(self) -> None:
        self.index = RunsIndex()
        self.model.runs = self.index
        self._reload()
        self.refresh()

    def _reload(self) -> None:
        selected = self.selected
        self.model.reload()
        if selected is not None:
            self.select(selected.task_id)
        elif self.model.rowCount() and not self.list.currentIndex().isValid():
            self.list.setCurrentIndex(self.model.index(0))
        self._update_stack()
        self._show_current()

    def _update_stack(self) -> None:
        if self.model.rowCount():
            self.stack.setCurrentWidget(self.content)
        elif self.index.loaded:
            self.stack.setCurrentWidget(self.empty)
        else:
            self.stack.setCurrentWidget(self.loading)

    @property
    def selected(self) -> RunEntry | None:
        return self.model.row_at(self.list.currentIndex())

    def select(self, task_id: str) -> None:
        found = self.model.find(lambda entry: entry.task_id.lower() == task_id.lower())
        if found.isValid():
            self.list.selectionModel().setCurrentIndex(
                found, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    def open_current(self) -> None:
        """Enter on a run: its result if there is one, else its timeline."""
        entry = self.selected
        if entry is None:
            return
        self.detail.tabs.setCurrentIndex(1 if entry.files is not None else 0)
        self.detail.tabs.setFocus()

    def _current_changed(self, _current: QModelIndex | QPersistentModelIndex, _previous: object) -> None:
        self._show_current()
        entry = self.selected
        if (
            entry is not None
            and entry.timeline.completed
            and entry.files is None
            and entry.timeline.failure is None
            and entry.task_id.lower() not in self.working
            and self.state.session is not None
            and self.state.session.is_unlocked
        ):
            self.fetch(entry.task_id)  # a completed run from an earlier session: its result, checked

    def _show_current(self) -> None:
        entry = self.selected
        busy = entry is not None and entry.task_id.lower() in self.working
        self.detail.show_entry(entry, busy=busy, simulated=self.simulated)

    def _changed(self) -> None:
        self.model.reload()
        self._show_current()

    # -- starting a run -----------------------------------------------------------------------

    def start_run(self, app: str = "") -> None:
        """Choose the data (and the app, unless given), then run it: review, checklist, then follow."""
        session = self.state.session
        if session is None:
            return
        state, owner = self.state, session.address

        async def work(_operation: Operation) -> RunChoices:
            profile = (await state.connected()).profile
            datasets = await protected_datasets(profile, owner, state)
            if not datasets:
                raise UserFacingError(
                    "You have no protected data to run an iApp on yet.", "protect a file first"
                )
            grants = {item.address.lower(): await access.grants(profile, item.address) for item in datasets}
            return RunChoices(await list_apps(profile), datasets, grants, owner)

        self.runner.run(
            self.tr("Read your data and its grants"), work, on_success=lambda c: self._choose(c, app)
        )

    def _choose(self, choices: RunChoices, app: str) -> None:
        dialog = RunDialog(choices, app, self.window())
        self.run_dialog = dialog

        def chosen(result: int) -> None:
            choice = dialog.choice()
            dialog.deleteLater()
            self.run_dialog = None
            if result == GRANT_REQUESTED:
                self.grant_requested.emit(choice.app, choice.dataset)
            elif accepted(result):
                self._run(choice)

        dialog.finished.connect(chosen)
        dialog.open()

    def _run(self, choice: RunChoice) -> None:
        state, window, review = self.state, self.window(), self.review
        timeline = Timeline()

        async def work(operation: Operation) -> run_flow.RunOutcome:
            profile = (await state.connected()).profile
            session = await state.unlocked(window, self.tr("to sign the run."))

            async def reviewed(request: SigningRequest) -> None:
                await review(request)
                timeline.ordered()

            def report(event: Event) -> None:
                operation.report(event)
                timeline.apply(event)

            return await run_flow.run(
                self._services(profile, session),
                choice.dataset,
                choice.app,
                args=choice.args,
                report=report,
                review=reviewed,
                wait=False,
            )

        self.runner.run(
            self.tr("Run %1 on %2").replace("%1", choice.app_name).replace("%2", choice.dataset_name),
            work,
            steps=RUN_STEPS,
            on_success=lambda outcome: self._started(outcome, choice, timeline),
        )

    def _services(self, profile: NetworkProfile, session: WalletSession) -> run_flow.RunServices:
        directory = session.wallet.directory
        return run_flow.RunServices(
            profile, session, self.store, ResultKeys(directory), PushedKeys(directory)
        )

    def _started(self, outcome: run_flow.RunOutcome, choice: RunChoice, timeline: Timeline) -> None:
        record = self.store.get(outcome.task_id)
        if record is None:  # the flow records every matched run; without it there is nothing to follow
            return
        self.names.update({choice.app.lower(): choice.app_name, choice.dataset.lower(): choice.dataset_name})
        entry = RunEntry(record, choice.app_name, choice.dataset_name, timeline)
        self.index.add(entry)
        self.index.loaded = True
        self.model.reload()
        self._update_stack()
        self.select(entry.task_id)
        self.detail.tabs.setCurrentIndex(0)
        self.show_requested.emit()
        self._follow(entry)

    # -- following, fetching, verifying -------------------------------------------------------

    def _work_on(self, entry: RunEntry, title: str, work: Callable[[Operation], Awaitable[None]]) -> None:
        """One operation at a time per run; its failure is written into the run's timeline too."""
        key = entry.task_id.lower()
        if key in self.working:
            return
        entry.timeline.clear_interruption()
        operation = self.runner.run(
            title,
            work,
            progress="inline",
            on_failure=lambda error: entry.timeline.interrupted(str(error)),
        )
        self.working[key] = operation
        operation.finished.connect(lambda: self._work_finished(key))
        self._show_current()

    def _work_finished(self, key: str) -> None:
        self.working.pop(key, None)
        self._changed()

    def _report_to(self, entry: RunEntry) -> Callable[[Event], None]:
        def report(event: Event) -> None:
            entry.timeline.apply(event)
            self._changed()

        return report

    def _follow(self, entry: RunEntry) -> None:
        """Watch the task until it ends; a completed one goes on to its result and its proof."""
        state = self.state

        async def work(_operation: Operation) -> None:
            profile = (await state.connected()).profile
            session = state.session
            if session is None:
                raise UserCancelled
            outcome = await run_flow.follow(
                self._services(profile, session),
                entry.task_id,
                report=self._report_to(entry),
                poll_interval=FOLLOW_POLL_S,
            )
            self._ended(entry, outcome)
            if outcome.status == "COMPLETED":
                await self._fetch_and_verify(entry, profile)

        self._work_on(entry, self.tr("Follow the run of %1").replace("%1", entry.title), work)

    def _ended(self, entry: RunEntry, outcome: run_flow.RunOutcome) -> None:
        entry.timeline.task_ended(outcome.status, outcome.reason)
        record = self.store.get(entry.task_id)
        if record is not None:
            entry.record = record
        self._changed()
        if not entry.finished_emitted:
            entry.finished_emitted = True
            self.run_finished.emit(entry.task_id, outcome.status)

    def fetch(self, task_id: str) -> None:
        """Fetch, decrypt and verify the result of a completed run."""
        entry = self.index.get(task_id)
        if entry is None:
            return
        state = self.state

        async def work(_operation: Operation) -> None:
            await self._fetch_and_verify(entry, (await state.connected()).profile)

        self._work_on(entry, self.tr("Fetch the result of %1").replace("%1", entry.title), work)

    async def _fetch_and_verify(self, entry: RunEntry, profile: NetworkProfile) -> None:
        session = await self.state.unlocked(
            self.window(), self.tr("to decrypt the result of %1.").replace("%1", entry.title)
        )
        entry.timeline.restart_result()
        entry.files = entry.report = None
        self._changed()
        out = self.state.context.work_dir / "results" / entry.task_id.lower()
        files = await fetch_result(profile, session, entry.task_id, out, report=self._report_to(entry))
        entry.files = files
        await asyncio.to_thread(self.store.update, entry.task_id, result_path=str(files.output_dir))
        self._changed()
        await self._verify(entry, profile, session.address)

    def verify_again(self, task_id: str) -> None:
        """Check the proof again against the result files as they are on disk now."""
        entry = self.index.get(task_id)
        session = self.state.session
        if entry is None or entry.files is None or session is None:
            return
        state, owner = self.state, session.address

        async def work(_operation: Operation) -> None:
            await self._verify(entry, (await state.connected()).profile, owner)

        self._work_on(entry, self.tr("Verify the result of %1").replace("%1", entry.title), work)

    async def _verify(self, entry: RunEntry, profile: NetworkProfile, owner: str) -> None:
        entry.report = None
        entry.timeline.verifying()
        self._changed()
        context = self.state.context
        report = await verify_task(
            profile,
            owner,
            entry.task_id,
            entry.files,
            cache=CollateralCache(context.jobs.db),
            pcs_url=context.settings.get(PCS_URL),
            activity=context.activity,
        )
        entry.report = report
        entry.timeline.verified(report)
        self._changed()
        if report.valid:
            self.notify(self.tr("%1: result verified.").replace("%1", entry.title))
