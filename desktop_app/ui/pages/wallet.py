"""The Wallet page: the accounts on this computer, each with its balance on the current network, and
what can be done with them: use one, copy its address, add one, export one as a keystore, lock now.

Balances are read through ``flows.balances`` (one chain call per account) by a ``Refresher``, so a page
shown twice in a row reads once; everything else is local and immediate.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserCancelled
from desktop_app.core.wallet import AccountInfo
from desktop_app.flows.balances import balances, coin, format_balance
from desktop_app.ui import a11y
from desktop_app.ui.context import AppState
from desktop_app.ui.dialogs import accepted, ask
from desktop_app.ui.operations import Operation, OperationRunner
from desktop_app.ui.pages.refresher import Refresher, Work
from desktop_app.ui.pages.wallet_dialogs import AddAccountDialog, ExportDialog
from desktop_app.ui.theme import heading, set_tone

COLUMNS = ("Account", "Address", "Balance", "")
BALANCE_COLUMN = 2
Balances = tuple[dict[str, int], str]  # wei by address, and the coin's name


class WalletPage(QWidget):
    account_added = Signal(str)

    def __init__(
        self,
        state: AppState,
        runner: OperationRunner,
        notify: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.state, self.runner, self.notify = state, runner, notify
        self.accounts: list[AccountInfo] = []
        self.balances: Balances | None = None
        self.refresher = Refresher(runner, self.tr("Read the balances"), self._read, self._loaded)

        self.add_button = QPushButton(self.tr("Add account…"))
        self.add_button.setProperty("primary", True)
        self.add_button.setAccessibleName(self.tr("Add an account"))
        self.add_button.clicked.connect(self.add_account)
        self.lock_button = QPushButton(self.tr("Lock now"))
        self.lock_button.setAccessibleName(self.tr("Lock the account now"))
        self.lock_button.clicked.connect(self.state.lock)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(column) for column in COLUMNS])
        a11y.name(self.table, self.tr("Accounts"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.cellDoubleClicked.connect(lambda _row, _column: self.use_selected())
        self.use_button = QPushButton(self.tr("Use this account"))
        self.use_button.setAccessibleName(self.tr("Use the selected account"))
        self.use_button.clicked.connect(self.use_selected)
        self.copy_button = QPushButton(self.tr("Copy address"))
        self.copy_button.setAccessibleName(self.tr("Copy the selected account's address"))
        self.copy_button.clicked.connect(self.copy_selected)
        self.export_button = QPushButton(self.tr("Export keystore…"))
        self.export_button.setAccessibleName(self.tr("Export the selected account as a keystore file"))
        self.export_button.clicked.connect(self.export_selected)

        unit = self.fontMetrics().height()
        titles = QVBoxLayout()
        titles.addWidget(heading(self.tr("Wallet"), 1.6))
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        set_tone(self.subtitle, "muted")
        titles.addWidget(self.subtitle)
        top = QHBoxLayout()
        top.addLayout(titles, 1)
        top.addWidget(self.lock_button, 0, Qt.AlignmentFlag.AlignBottom)
        top.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignBottom)
        actions = QHBoxLayout()
        for button in (self.use_button, self.copy_button, self.export_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(unit * 2, unit, unit * 2, unit * 2)
        layout.setSpacing(unit)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        state.connection_changed.connect(self.refresh)
        state.account_changed.connect(self._show)
        state.lock_changed.connect(self._show_lock)
        self._show()

    # -- reading ------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        self._show()
        self.refresher.request()

    def _read(self) -> Work[Balances] | None:
        addresses = [account.address for account in self.accounts]
        if not addresses:
            return None
        state = self.state

        async def work(_operation: Operation) -> Balances:
            profile = (await state.connected()).profile
            return await balances(profile, addresses), coin(profile)

        return work

    def _loaded(self, result: Balances) -> None:
        self.balances = result
        self._fill_balances()

    # -- drawing ------------------------------------------------------------------------------

    def _show(self) -> None:
        self.accounts = self.state.context.wallet.accounts()
        profile = self.state.profile
        self.subtitle.setText(
            self.tr("The accounts kept on this computer, encrypted. Balances on %1.").replace(
                "%1", profile.label if profile is not None else self.state.context.network
            )
        )
        selected = self.selected_account
        current = self.state.session.address if self.state.session is not None else ""
        self.table.setRowCount(len(self.accounts))
        for row, account in enumerate(self.accounts):
            in_use = account.address == current
            cells = (account.label, account.address, "", self.tr("In use") if in_use else "")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if in_use:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        self._fill_balances()
        keep = selected.address if selected is not None else current
        for row, account in enumerate(self.accounts):
            if account.address == keep:
                self.table.selectRow(row)
        self._selection_changed()
        self._show_lock()

    def _fill_balances(self) -> None:
        known, unit = self.balances if self.balances is not None else ({}, "")
        for row, account in enumerate(self.accounts):
            wei = known.get(account.address)
            text = format_balance(wei, unit) if wei is not None else "…"
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, BALANCE_COLUMN, item)

    def _show_lock(self) -> None:
        unlocked = self.state.session is not None and self.state.session.is_unlocked
        self.lock_button.setEnabled(unlocked)
        self.lock_button.setToolTip(self.tr("Unlocked") if unlocked else self.tr("Already locked"))

    def _selection_changed(self) -> None:
        account = self.selected_account
        current = self.state.session.address if self.state.session is not None else ""
        self.use_button.setEnabled(account is not None and account.address != current)
        for button in (self.copy_button, self.export_button):
            button.setEnabled(account is not None)

    @property
    def selected_account(self) -> AccountInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.accounts):
            return None
        return self.accounts[rows[0].row()]

    # -- acting -------------------------------------------------------------------------------

    def use_selected(self) -> None:
        account = self.selected_account
        if account is None or (self.state.session and self.state.session.address == account.address):
            return
        self.state.use_account(account.address)
        self.notify(self.tr("Now using %1.").replace("%1", account.label))

    def copy_selected(self) -> None:
        account = self.selected_account
        if account is not None:
            QGuiApplication.clipboard().setText(account.address)
            self.notify(self.tr("Address of %1 copied.").replace("%1", account.label))

    def add_account(self) -> None:
        state, runner, window = self.state, self.runner, self.window()

        async def work(_operation: Operation) -> str:
            dialog = AddAccountDialog(state, runner, window)
            try:
                if not accepted(await ask(dialog)) or not dialog.address:
                    raise UserCancelled
                return dialog.address
            finally:
                dialog.deleteLater()

        def added(address: str) -> None:
            self._show()
            for row, account in enumerate(self.accounts):
                if account.address == address:
                    self.table.selectRow(row)
                    self.notify(self.tr("%1 added.").replace("%1", account.label))
            self.account_added.emit(address)
            self.refresh()

        self.runner.run(self.tr("Add an account"), work, progress="inline", on_success=added)

    def export_selected(self) -> None:
        account = self.selected_account
        if account is None:
            return
        wallet, window = self.state.context.wallet, self.window()

        async def work(_operation: Operation) -> str:
            dialog = ExportDialog(wallet, account, window)
            try:
                if not accepted(await ask(dialog)):
                    raise UserCancelled
                return str(dialog.exported)
            finally:
                dialog.deleteLater()

        self.runner.run(
            self.tr("Export a keystore"),
            work,
            progress="inline",
            on_success=lambda path: self.notify(self.tr("Keystore saved to %1.").replace("%1", path)),
        )
