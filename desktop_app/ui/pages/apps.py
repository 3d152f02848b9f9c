"""The iApps page: the apps of the current network, searchable, with their details, "Grant access…" and
"Run on my data…" (the Runs page runs it).

The list comes from ``flows.apps.list_apps``; whether you allowed an app comes from the grants of your
protected data (``flows.access.grants``). Granting goes: choose (``GrantDialog``), unlock, then the flow,
whose signature passes the review dialog. Nothing here builds an order or talks to the market itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserCancelled, UserFacingError
from desktop_app.core.iexec.network import NetworkProfile
from desktop_app.flows import access
from desktop_app.flows.apps import AppView, list_apps
from desktop_app.flows.listing import ProtectedItem, list_protected
from desktop_app.flows.signing import Review
from desktop_app.ui import a11y
from desktop_app.ui.context import AppState
from desktop_app.ui.dialogs import accepted, ask
from desktop_app.ui.elided import ElidedLabel
from desktop_app.ui.grant_dialog import GrantDialog
from desktop_app.ui.operations import Operation, OperationRunner
from desktop_app.ui.pages.refresher import Refresher, Work
from desktop_app.ui.theme import heading, set_tone

APP_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Catalog:
    apps: list[AppView]
    granted: dict[str, int]  # app address (lowercase) -> how many of your protected data it may process


async def protected_datasets(profile: NetworkProfile, owner: str, state: AppState) -> list[ProtectedItem]:
    """Your protected data that is fully protected (registered, key in the SMS): what can be granted."""
    items = await list_protected(profile, owner, state.context.jobs)
    return [item for item in items if item.state == "protected" and item.address]


def price_text(price: int | None) -> str:
    """An app's price in words (a module function, so translated in the ``AppsPage`` context)."""
    if price is None:
        return QCoreApplication.translate("AppsPage", "not offered to run right now")
    if price == 0:
        return QCoreApplication.translate("AppsPage", "free")
    return QCoreApplication.translate("AppsPage", "%1 nRLC per run").replace("%1", str(price))


class AppsModel(QAbstractListModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = Catalog([], {})

    def set_catalog(self, catalog: Catalog) -> None:
        self.beginResetModel()
        self.catalog = catalog
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.catalog.apps)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        app = self.catalog.apps[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return app.name or app.address
        if role == Qt.ItemDataRole.ToolTipRole:
            return app.address
        if role == APP_ROLE:
            return app
        if role == SEARCH_ROLE:
            return f"{app.name} {app.address} {app.tee_framework}"
        return None


class AppsPage(QWidget):
    run_requested = Signal(str)  # app address: "Run on my data…" (the Runs page runs it)
    grants_changed = Signal()  # a grant went through: pages that show grants read them again

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
        self.model = AppsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterRole(SEARCH_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.loaded = False
        self.refresher = Refresher(runner, self.tr("Read the iApps"), self._read, self._loaded)

        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search by name, address or TEE framework"))
        self.search.setClearButtonEnabled(True)
        a11y.name(self.search, self.tr("Search iApps"))
        self.search.textChanged.connect(self._search)
        self.list = QListView()
        self.list.setObjectName("itemList")
        self.list.setAccessibleName(self.tr("iApps"))
        self.list.setModel(self.proxy)
        self.list.setMinimumWidth(self.fontMetrics().averageCharWidth() * 28)
        self.list.selectionModel().currentChanged.connect(self._show_current)
        self.proxy.modelReset.connect(self._select_first)
        self.proxy.layoutChanged.connect(self._show_current)

        self.detail = QFrame()
        self.detail.setObjectName("card")
        self.name = heading("", 1.35)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        set_tone(self.summary, "muted")
        self.fields: dict[str, ElidedLabel] = {}
        form = QFormLayout()
        for key, label in (
            ("address", self.tr("Address")),
            ("owner", self.tr("Owner")),
            ("reference", self.tr("Image")),
            ("checksum", self.tr("Checksum")),
            ("framework", self.tr("TEE framework")),
            ("fingerprint", self.tr("Fingerprint")),
            ("price", self.tr("Price")),
            ("granted", self.tr("Your grants")),
        ):
            value = ElidedLabel()
            value.setAccessibleName(label)
            self.fields[key] = value
            form.addRow(label + ":", value)
        self.grant_button = QPushButton(self.tr("Grant access…"))
        self.grant_button.setProperty("primary", True)
        self.grant_button.setAccessibleName(self.tr("Grant this iApp access to your data"))
        self.grant_button.clicked.connect(lambda: self.grant_selected())
        self.run_button = QPushButton(self.tr("Run on my data…"))
        self.run_button.setAccessibleName(self.tr("Run this iApp on your protected data"))
        self.run_button.clicked.connect(self._run_selected)
        actions = QHBoxLayout()
        actions.addWidget(self.grant_button)
        actions.addWidget(self.run_button)
        actions.addStretch(1)
        inner = QVBoxLayout(self.detail)
        unit = self.fontMetrics().height()
        inner.setContentsMargins(unit, unit, unit, unit)
        inner.addWidget(self.name)
        inner.addWidget(self.summary)
        inner.addLayout(actions)
        inner.addLayout(form)
        inner.addStretch(1)

        self.stack = QStackedWidget()
        self.placeholder = QLabel(self.tr("Reading the iApps of this network…"))
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_tone(self.placeholder, "muted")
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        self.content = splitter
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(splitter)

        titles = QVBoxLayout()
        titles.addWidget(heading(self.tr("iApps"), 1.6))
        subtitle = QLabel(self.tr("Confidential apps that can process your data inside an enclave."))
        set_tone(subtitle, "muted")
        titles.addWidget(subtitle)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(unit * 2, unit, unit * 2, unit * 2)
        layout.setSpacing(unit)
        layout.addLayout(titles)
        layout.addWidget(self.search)
        layout.addWidget(self.stack, 1)
        state.connection_changed.connect(self.refresh)
        state.account_changed.connect(self.refresh)
        self._show_current()

    # -- reading ------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.refresher.request()

    def _read(self) -> Work[Catalog] | None:
        session = self.state.session
        if session is None:
            return None
        state, owner = self.state, session.address

        async def work(_operation: Operation) -> Catalog:
            profile = (await state.connected()).profile
            apps = await list_apps(profile)
            granted: dict[str, int] = {}
            for item in await protected_datasets(profile, owner, state):
                for grant in await access.grants(profile, item.address):
                    if grant.remaining > 0:
                        granted[grant.app.lower()] = granted.get(grant.app.lower(), 0) + 1
            return Catalog(apps, granted)

        return work

    def _loaded(self, catalog: Catalog) -> None:
        self.loaded = True
        selected = self.selected_app
        self.model.set_catalog(catalog)
        if selected is not None:
            self.select(selected.address)
        if not catalog.apps:
            self.placeholder.setText(self.tr("This network has no iApps yet."))
        self.stack.setCurrentWidget(self.content if catalog.apps else self.placeholder)

    # -- showing ------------------------------------------------------------------------------

    @property
    def selected_app(self) -> AppView | None:
        app = self.list.currentIndex().data(APP_ROLE)
        return app if isinstance(app, AppView) else None

    def select(self, address: str) -> None:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            app = index.data(APP_ROLE)
            if isinstance(app, AppView) and app.address.lower() == address.lower():
                self.list.setCurrentIndex(index)
                return

    def _search(self, text: str) -> None:
        """Filter as the user types; when the selected app is filtered out, select the first match."""
        self.proxy.setFilterFixedString(text)
        self._select_first()

    def _select_first(self) -> None:
        if self.proxy.rowCount() and not self.list.currentIndex().isValid():
            self.list.setCurrentIndex(self.proxy.index(0, 0))
        self._show_current()

    def _show_current(self) -> None:
        app = self.selected_app
        self.detail.setVisible(app is not None)
        if app is None:
            return
        self.name.setText(app.name or self.tr("Unnamed app"))
        framework = app.tee_framework or self.tr("an enclave")
        self.summary.setText(
            self.tr("Runs in %1; %2.").replace("%1", framework).replace("%2", price_text(app.price))
        )
        count = self.model.catalog.granted.get(app.address.lower(), 0)
        granted = (
            self.tr("allowed on %n of your protected data", "", count)
            if count
            else self.tr("not allowed on any of your data")
        )
        values = {
            "address": app.address,
            "owner": app.owner,
            "reference": app.reference,
            "checksum": app.checksum,
            "framework": app.tee_framework,
            "fingerprint": app.fingerprint,
            "price": price_text(app.price),
            "granted": granted,
        }
        for key, value in values.items():
            self.fields[key].set_full_text(value or "—")

    # -- granting -----------------------------------------------------------------------------

    def _run_selected(self) -> None:
        if (app := self.selected_app) is not None:
            self.run_requested.emit(app.address)

    def grant_selected(self, dataset: str = "") -> None:
        """Grant the selected app access to one of your protected data (``dataset`` chosen first)."""
        app = self.selected_app
        session = self.state.session
        if app is None or session is None:
            return
        state, window, review = self.state, self.window(), self.review

        async def work(_operation: Operation) -> access.GrantOutcome:
            profile = (await state.connected()).profile
            datasets = await protected_datasets(profile, session.address, state)
            if not datasets:
                raise UserFacingError("You have no protected data to share yet.", "protect a file first")
            dialog = GrantDialog(app, datasets, session.address, window)
            if dataset:
                dialog.dataset.setCurrentIndex(max(dialog.dataset.findData(dataset), 0))
            try:
                if not accepted(await ask(dialog)):
                    raise UserCancelled
                choice = dialog.choice()
            finally:
                dialog.deleteLater()
            unlocked = await state.unlocked(window, self.tr("to sign the grant."))
            return await access.grant(
                profile,
                unlocked,
                choice.dataset,
                app.address,
                requester=choice.requester,
                volume=choice.volume,
                price=choice.price,
                review=review,
                activity=state.context.activity,
            )

        def done(outcome: access.GrantOutcome) -> None:
            self.notify(
                self.tr("%1 already had this access.").replace("%1", app.name)
                if outcome.already_granted
                else self.tr("Access granted to %1.").replace("%1", app.name)
            )
            self.refresh()
            self.grants_changed.emit()

        self.runner.run(self.tr("Grant access to %1").replace("%1", app.name), work, on_success=done)
