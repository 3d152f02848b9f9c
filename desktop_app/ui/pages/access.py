"""The Access page: every grant of your protected data, with click-to-revoke and "Revoke all".

A revoke is an on-chain transaction: a confirmation names its consequences first, the flow's review
dialog shows the transaction, the row says "Revoking…" while it is mined and "Revoked" once it is, and
"Revoke all" counts "3/7 revoked" as it goes. The grants come from ``flows.access.grants`` (the chain
decides what remains); names come from ``flows.apps.list_apps``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.flows import access
from desktop_app.flows.apps import list_apps
from desktop_app.flows.progress import BytesProgress, Event
from desktop_app.flows.signing import Review
from desktop_app.ui import a11y
from desktop_app.ui.context import AppState
from desktop_app.ui.dialogs import confirm
from desktop_app.ui.format import short_address
from desktop_app.ui.operations import Operation, OperationRunner
from desktop_app.ui.pages.access_model import ACTION_COLUMN, GrantsModel
from desktop_app.ui.pages.access_rows import AccessIndex, GrantRow, Listing, RowStatus
from desktop_app.ui.pages.apps import protected_datasets
from desktop_app.ui.pages.refresher import Refresher, Work
from desktop_app.ui.theme import heading, set_tone


class AccessPage(QWidget):
    grants_changed = Signal()  # a revocation went through: pages that show grants read them again

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
        self.index = AccessIndex()
        self.model = GrantsModel(self.index, self)
        self.refresher = Refresher(runner, self.tr("Read your grants"), self._read, self._loaded)

        self.filter = QComboBox()
        a11y.name(self.filter, self.tr("Show the grants of"))
        self.filter.currentIndexChanged.connect(self._filter_changed)
        self.revoke_all_button = QPushButton(self.tr("Revoke all…"))
        self.revoke_all_button.setProperty("danger", True)
        self.revoke_all_button.setAccessibleName(self.tr("Revoke all the grants shown"))
        self.revoke_all_button.clicked.connect(self.revoke_all)
        self.table = QTableView()
        self.table.setModel(self.model)
        a11y.name(self.table, self.tr("Grants"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.model.modelReset.connect(self._install_buttons)
        self.empty = QLabel(self.tr("Reading your grants…"))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        set_tone(self.empty, "muted")

        unit = self.fontMetrics().height()
        top = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(heading(self.tr("Access"), 1.6))
        subtitle = QLabel(
            self.tr("Who may run which iApp on your protected data. Revoking takes effect on chain.")
        )
        subtitle.setWordWrap(True)
        set_tone(subtitle, "muted")
        titles.addWidget(subtitle)
        top.addLayout(titles, 1)
        top.addWidget(self.filter, 0, Qt.AlignmentFlag.AlignBottom)
        top.addWidget(self.revoke_all_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(unit * 2, unit, unit * 2, unit * 2)
        layout.setSpacing(unit)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        state.connection_changed.connect(self.refresh)
        state.account_changed.connect(self.refresh)
        self._show()

    # -- reading ------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.refresher.request()

    def _read(self) -> Work[tuple[Listing, dict[str, str]]] | None:
        session = self.state.session
        if session is None:
            return None
        state, owner = self.state, session.address

        async def work(_operation: Operation) -> tuple[Listing, dict[str, str]]:
            profile = (await state.connected()).profile
            names = {app.address.lower(): app.name for app in await list_apps(profile)}
            listing: Listing = [
                (item, await access.grants(profile, item.address))
                for item in await protected_datasets(profile, owner, state)
            ]
            return listing, names

        return work

    def _loaded(self, result: tuple[Listing, dict[str, str]]) -> None:
        session = self.state.session
        if session is None:
            return
        listing, names = result
        self.index.set_listing(listing, names, session.address)
        current = self._filter_value()
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.addItem(self.tr("All protected data"), "")
        for item, _grants in listing:
            self.filter.addItem(item.name, item.address)
        found = self.filter.findData(current)
        self.filter.setCurrentIndex(max(found, 0))
        self.filter.blockSignals(False)
        self._filter_changed()

    def _filter_value(self) -> str:
        """The chosen dataset, or "" for all of them."""
        return str(self.filter.currentData() or "")

    def _filter_changed(self) -> None:
        self.index.only_dataset = self._filter_value()
        self.model.reload()
        self._show()

    def _show(self) -> None:
        has_rows = self.model.rowCount() > 0
        self.table.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        if self.index.loaded and not has_rows:
            self.empty.setText(
                self.tr("No iApp may use your data right now. Grant access from the iApps page.")
            )
        active = self.index.active_rows()
        self.revoke_all_button.setEnabled(bool(active) and not self.index.any_revoking())

    def _install_buttons(self) -> None:
        for number in range(self.model.rowCount()):
            row = self.model.row_at(number)
            if row.status != RowStatus.ACTIVE:
                continue
            button = QPushButton(self.tr("Revoke"))
            button.setProperty("danger", True)
            button.setAccessibleName(
                self.tr("Revoke the access of %1 to %2")
                .replace("%1", row.app_name or row.grant.app)
                .replace("%2", row.dataset_name)
            )
            button.clicked.connect(lambda _checked=False, hash_=row.grant.order_hash: self.revoke(hash_))
            self.table.setIndexWidget(self.model.index(number, ACTION_COLUMN), button)

    # -- revoking -----------------------------------------------------------------------------

    def revoke(self, order_hash: str) -> None:
        row = self.index.find(order_hash)
        if row is None or row.status != RowStatus.ACTIVE:
            return
        self._revoke(
            [row],
            self.tr("Revoke the access of %1 to %2?")
            .replace("%1", row.app_name or short_address(row.grant.app))
            .replace("%2", row.dataset_name),
        )

    def revoke_all(self) -> None:
        rows = self.index.active_rows()
        if rows:
            datasets = len({r.dataset for r in rows})
            self._revoke(
                rows,
                self.tr("Revoke all %1 grants on %2 protected data?")
                .replace("%1", str(len(rows)))
                .replace("%2", str(datasets)),
            )

    def _revoke(self, rows: list[GrantRow], question: str) -> None:
        state, window, review, index = self.state, self.window(), self.review, self.index
        total = len(rows)
        consequences = self.tr(
            "The iApps will no longer be able to run on this data (runs left: %1).\n"
            "Each grant is closed by one on-chain transaction, paid in gas, shown for review before you "
            "sign. This cannot be undone."
        ).replace("%1", str(sum(r.grant.remaining for r in rows)))

        async def work(operation: Operation) -> list[str]:
            await confirm(
                window,
                self.tr("Revoke access"),
                question,
                consequences,
                self.tr("Revoke"),
                (self.tr("Keep access"), self.tr("Keep access")),
            )
            profile = (await state.connected()).profile
            session = await state.unlocked(window, self.tr("to sign the revocation."))
            closed: list[str] = []
            for dataset in dict.fromkeys(r.dataset for r in rows):
                hashes = [r.grant.order_hash for r in rows if r.dataset == dataset]
                index.mark_revoking(hashes)
                self.model.reload()
                self._show()
                already = len(closed)

                def report(event: Event, already: int = already) -> None:
                    if isinstance(event, BytesProgress):
                        operation.report(BytesProgress(event.step, already + event.done, total))

                order_hash = hashes[0] if len(hashes) == 1 else None
                try:
                    done = await access.revoke(
                        profile,
                        session,
                        dataset,
                        order_hash=order_hash,
                        report=report,
                        review=review,
                        activity=state.context.activity,
                    )
                finally:
                    index.unmark_revoking(hashes)
                closed += done
                index.mark_revoked(done)
                self.model.reload()
                self._show()
            return closed

        operation = self.runner.run(
            self.tr("Revoke access"),
            work,
            steps=(access.REVOKE_STEP,),
            progress="inline",
            on_success=lambda closed: self.notify(
                self.tr("1 grant revoked.")
                if len(closed) == 1
                else self.tr("%n grants revoked.", "", len(closed))
            ),
        )
        operation.changed.connect(lambda: self._progress(operation, total))
        operation.finished.connect(self._revoke_finished)

    def _progress(self, operation: Operation, total: int) -> None:
        step = operation.tracker.step(access.REVOKE_STEP)
        if total > 1 and operation.running:
            self.revoke_all_button.setText(
                self.tr("%1/%2 revoked").replace("%1", str(step.done_bytes)).replace("%2", str(total))
            )

    def _revoke_finished(self) -> None:
        self.revoke_all_button.setText(self.tr("Revoke all…"))
        self.model.reload()
        self._show()
        self.refresh()
        self.grants_changed.emit()
