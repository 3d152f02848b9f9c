"""The main window: sidebar, header, pages; first run; drops anywhere; shortcuts; connecting and locking.

On ``start`` it opens the network in the background (on ``local`` the sandbox is started if needed, with
its progress in a banner) and shows either the first-run wizard (no account yet) or the pages. Actions
that need a signature ask ``AppState.unlocked`` first; the lock state is polled once a second, which is
what makes the idle auto-lock happen on time and keeps the header honest (Cryptomator #2741).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QT_TRANSLATE_NOOP, QByteArray, QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import UserFacingError
from desktop_app.core.localnet import faucet
from desktop_app.core.settings import NETWORK, WINDOW_GEOMETRY
from desktop_app.ui import network
from desktop_app.ui.banner import OperationBanner
from desktop_app.ui.context import AppContext, AppState
from desktop_app.ui.errors import ErrorPresenter
from desktop_app.ui.first_run import FirstRunView
from desktop_app.ui.header import HeaderBar
from desktop_app.ui.icons import icon
from desktop_app.ui.operations import Operation, OperationRunner
from desktop_app.ui.pages.access import AccessPage
from desktop_app.ui.pages.apps import AppsPage
from desktop_app.ui.pages.protected import ProtectedPage
from desktop_app.ui.review import DialogReview
from desktop_app.ui.theme import scaled_font, set_tone
from desktop_app.ui.tray import Tray

if TYPE_CHECKING:  # built after the first paint, their modules imported then (see build_deferred_pages)
    from desktop_app.ui.pages.activity import ActivityPage
    from desktop_app.ui.pages.runs import RunsPage
    from desktop_app.ui.pages.settings import SettingsPage
    from desktop_app.ui.pages.wallet import WalletPage

LOCK_POLL_MS = 1000
NOTICE_MS = 8000
# The pages of the sidebar, in order (Ctrl+1 … Ctrl+7): key, title, icon. The titles are marked for the
# translators here and translated where they are shown (``self.tr(title)``).
PAGES: tuple[tuple[str, str, str], ...] = (
    ("protected", str(QT_TRANSLATE_NOOP("MainWindow", "Protected data")), "shield"),
    ("apps", str(QT_TRANSLATE_NOOP("MainWindow", "iApps")), "apps"),
    ("access", str(QT_TRANSLATE_NOOP("MainWindow", "Access")), "key"),
    ("runs", str(QT_TRANSLATE_NOOP("MainWindow", "Runs")), "run"),
    ("activity", str(QT_TRANSLATE_NOOP("MainWindow", "Activity")), "activity"),
    ("wallet", str(QT_TRANSLATE_NOOP("MainWindow", "Wallet")), "wallet"),
    ("settings", str(QT_TRANSLATE_NOOP("MainWindow", "Settings")), "settings"),
)


def dropped_paths(event: QDropEvent | QDragEnterEvent | QDragMoveEvent) -> list[Path]:
    """The local files and folders of a drag; empty for text, web links and the like."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class MainWindow(QMainWindow):
    closed = Signal()
    first_painted = Signal()  # once: what waited for the first frame (deferred pages) may start

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.setWindowTitle(self.tr("DataProtector Desktop"))
        self.state = AppState(context, self)
        self.errors = ErrorPresenter(
            self, network=lambda: self.state.profile.name if self.state.profile else ""
        )
        self.runner = OperationRunner(self, self.errors, progress_delay_ms=context.progress_delay_ms)
        self.review = DialogReview(self, arm_delay_ms=context.review_arm_delay_ms)
        self.connection_op: Operation | None = None
        self._quitting = False
        self._painted = False
        self.first_painted.connect(self.build_deferred_pages, Qt.ConnectionType.QueuedConnection)

        self.banner = OperationBanner()
        self.banner.retry_clicked.connect(self.connect_network)
        self.header = HeaderBar(self.state)
        self.header.lock_clicked.connect(self.toggle_lock)
        self.first_run = FirstRunView(self.state, self.runner)
        self.first_run.completed.connect(self._account_created)
        self.protected_page = ProtectedPage(self.state, self.runner, self.review)
        self.apps_page = AppsPage(self.state, self.runner, self.review, self.notify)
        self.access_page = AccessPage(self.state, self.runner, self.review, self.notify)
        self.apps_page.run_requested.connect(lambda app: self.runs_page.start_run(app))
        self.apps_page.grants_changed.connect(self.access_page.refresh)
        self.access_page.grants_changed.connect(self.apps_page.refresh)
        for page in (self.apps_page, self.access_page):
            page.grants_changed.connect(self.protected_page.grants_changed)
        self.tray = Tray(self.state, self.runner, self)
        self.tray.show_requested.connect(self._show_from_tray)
        self.tray.quit_requested.connect(self.close)
        self._built: dict[str, QWidget] = {
            "protected": self.protected_page,
            "apps": self.apps_page,
            "access": self.access_page,
        }
        self.sidebar = QListWidget()
        self.pages = QStackedWidget()
        self._build_pages()
        self.root = QStackedWidget()
        self.main_view = self._main_view()
        self.root.addWidget(self.first_run)
        self.root.addWidget(self.main_view)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.root, 1)
        self.setCentralWidget(central)
        self.setAcceptDrops(True)
        self.statusBar().setSizeGripEnabled(False)  # made now: the first notice must not shift the layout
        self._actions()
        self._lock_timer = QTimer(self)
        self._lock_timer.setInterval(LOCK_POLL_MS)
        self._lock_timer.timeout.connect(self.state.poll_lock)
        self._lock_timer.start()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        unit = self.fontMetrics().height()
        self.setMinimumSize(unit * 40, unit * 28)
        screen = self.screen().availableGeometry()
        self.resize(min(unit * 64, screen.width() * 9 // 10), min(unit * 42, screen.height() * 9 // 10))

    def _network_name(self) -> str:
        return self.state.profile.name if self.state.profile is not None else self.context.network

    # -- building -----------------------------------------------------------------------------

    def _build_pages(self) -> None:
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName(self.tr("Sections"))
        size = self.fontMetrics().height()
        self.sidebar.setIconSize(QSize(size, size))
        for key, title, icon_name in PAGES:
            item = QListWidgetItem(icon(icon_name), self.tr(title))
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.sidebar.addItem(item)
            self.pages.addWidget(self._built.get(key) or QWidget())  # a stand-in until it is built
        self.sidebar.currentRowChanged.connect(self._show_page)
        self.sidebar.setCurrentRow(0)
        width = max(self.sidebar.sizeHintForColumn(0), self.fontMetrics().averageCharWidth() * 22)
        self.sidebar.setFixedWidth(width + self.fontMetrics().height() * 2)

    def _page(self, key: str) -> QWidget:
        """The page ``key``, built now if it was not yet (see ``build_deferred_pages``)."""
        page = self._built.get(key)
        if page is not None:
            return page
        page = self._built[key] = self._make_page(key)
        number = self._page_number(key)
        stand_in = self.pages.widget(number)
        was_current = self.pages.currentIndex() == number
        self.pages.insertWidget(number, page)
        if stand_in is not None:
            self.pages.removeWidget(stand_in)
            stand_in.deleteLater()
        if was_current:
            self.pages.setCurrentIndex(number)
        return page

    def _make_page(self, key: str) -> QWidget:
        """Build one of the pages not shown at start, wired, and caught up with a connection made before."""
        connected = self.state.connection is not None
        if key == "runs":
            from desktop_app.ui.pages.runs import RunsPage

            runs = RunsPage(self.state, self.runner, self.review, self.notify)
            runs.show_requested.connect(lambda: self.go_to(self._page_number("runs")))
            runs.browse_apps_requested.connect(lambda: self.go_to(self._page_number("apps")))
            runs.grant_requested.connect(self._grant_for_run)
            runs.run_finished.connect(self.tray.run_finished)
            if connected:
                runs.refresh()
            return runs
        if key == "activity":
            from desktop_app.ui.pages.activity import ActivityPage

            return ActivityPage(self.state, self.runner)  # reads the journal when built and when shown
        if key == "wallet":
            from desktop_app.ui.pages.wallet import WalletPage

            wallet = WalletPage(self.state, self.runner, self.notify)
            wallet.account_added.connect(self._account_added)
            return wallet
        from desktop_app.ui.pages.settings import SettingsPage

        return SettingsPage(self.state, self.runner, self.switch_network)  # draws the settings as they are

    def build_deferred_pages(self) -> None:
        """Build the pages that are not on screen at start, one per turn of the event loop.

        They take about 0.1 s together (the Runs and Settings pages most), which the first paint does
        not wait for (the startup budget, ``ui/app.py``); reaching one earlier builds it at once.
        """
        missing = [key for key, _title, _icon in PAGES if key not in self._built]
        if missing:
            self._page(missing[0])
            QTimer.singleShot(0, self, self.build_deferred_pages)  # dropped if the window is gone

    @property
    def runs_page(self) -> RunsPage:
        return cast("RunsPage", self._page("runs"))

    @property
    def activity_page(self) -> ActivityPage:
        return cast("ActivityPage", self._page("activity"))

    @property
    def wallet_page(self) -> WalletPage:
        return cast("WalletPage", self._page("wallet"))

    @property
    def settings_page(self) -> SettingsPage:
        return cast("SettingsPage", self._page("settings"))

    def _show_page(self, number: int) -> None:
        self._page(PAGES[number][0])
        self.pages.setCurrentIndex(number)

    def _main_view(self) -> QWidget:
        brand = QLabel(self.tr("DataProtector"))
        brand.setObjectName("brand")
        brand.setFont(scaled_font(brand, 1.25, bold=True))
        sub = QLabel(self.tr("Desktop · iExec"))
        sub.setObjectName("brandSub")
        set_tone(sub, "muted")
        side = QWidget()
        side.setObjectName("sidebar")
        side.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.setSpacing(0)
        side_layout.addWidget(brand)
        side_layout.addWidget(sub)
        side_layout.addWidget(self.sidebar, 1)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(0)
        right.addWidget(self.header)
        right.addWidget(self.pages, 1)
        view = QWidget()
        layout = QHBoxLayout(view)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(side)
        layout.addLayout(right, 1)
        return view

    def _actions(self) -> None:
        """Keyboard shortcuts, as window actions so they work from any page."""
        self.open_action = self._action(self.tr("Protect files…"), QKeySequence.StandardKey.Open, self._open)
        self.open_folder_action = self._action(
            self.tr("Protect a folder…"), QKeySequence("Ctrl+Shift+O"), self._open_folder
        )
        self.record_action = self._action(
            self.tr("Protect a record…"), QKeySequence("Ctrl+Shift+N"), self._open_record_form
        )
        self.refresh_action = self._action(self.tr("Refresh"), QKeySequence.StandardKey.Refresh, self.refresh)
        self.lock_action = self._action(self.tr("Lock or unlock"), QKeySequence("Ctrl+L"), self.toggle_lock)
        self.quit_action = self._action(self.tr("Quit"), QKeySequence("Ctrl+Q"), self.close)
        for number in range(len(PAGES)):
            self._action(
                self.tr("Go to %1").replace("%1", self.tr(PAGES[number][1])),
                QKeySequence(f"Ctrl+{number + 1}"),
                lambda _checked=False, number=number: self.go_to(number),
            )

    def _action(self, text: str, keys: QKeySequence | QKeySequence.StandardKey, slot: object) -> QAction:
        action = QAction(text, self)
        action.setShortcut(keys)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    # -- starting -----------------------------------------------------------------------------

    def start(self) -> None:
        """Restore the window, open the network, and show the first run or the pages."""
        geometry = self.context.settings.get(WINDOW_GEOMETRY)
        if geometry:
            self.restoreGeometry(QByteArray(geometry))
        if self.state.restore_account() is None:
            self.root.setCurrentWidget(self.first_run)
        else:
            self.root.setCurrentWidget(self.main_view)
        self.connect_network()

    def connect_network(self) -> None:
        name = self.context.network
        title = self.tr("Starting the local sandbox") if name == "local" else self.tr("Connecting")
        context = self.context

        async def work(operation: Operation) -> network.Connection:
            return await context.connect(name, operation.report)

        self.connection_op = self.runner.run(
            title,
            work,
            steps=network.steps_of(name),
            progress="inline",
            on_success=self.state.set_connection,
            handled=(UserFacingError,),
        )
        self.banner.follow(self.connection_op)

    def _account_created(self, address: str) -> None:
        self.state.use_account(address)
        self.root.setCurrentWidget(self.main_view)
        self.go_to(0)
        self.protected_page.refresh()
        if self.context.network == "local":
            self._fund(address)

    def _account_added(self, address: str) -> None:
        """An account added from the Wallet page: on ``local`` it gets test ether like the first one."""
        if self.context.network == "local":
            self._fund(address)

    def switch_network(self, name: str) -> None:
        """Reconnect the window to ``name`` (asked for in Settings, confirmed there) and remember it.

        The old connection is closed in the background: stopping a sandbox this app started takes a
        moment, and the new network need not wait for it.
        """
        if name == self.context.network:
            return
        self.context.settings.set(NETWORK, name)
        self.context.network = name
        old = self.state.drop_connection()
        if old is not None:

            async def close(_operation: Operation) -> list[str]:
                return await asyncio.to_thread(network.disconnect, old)

            self.runner.run(self.tr("Close the previous network"), close, progress="inline")
        self.connect_network()

    def _show_from_tray(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def _fund(self, address: str) -> None:
        """A new local account gets test ether from the sandbox's faucet, so its first protect has gas."""
        state = self.state

        async def work(_operation: Operation) -> int:
            connection = await state.connected()
            if connection.endpoints is None:
                return 0
            return await asyncio.to_thread(faucet.fund, connection.endpoints, address)

        self.runner.run(self.tr("Fund your new account on the local sandbox"), work, progress="inline")

    # -- actions ------------------------------------------------------------------------------

    def go_to(self, number: int) -> None:
        if self.root.currentWidget() is self.main_view:
            self.sidebar.setCurrentRow(number)

    def _page_number(self, key: str) -> int:
        return next(number for number, page in enumerate(PAGES) if page[0] == key)

    def _grant_for_run(self, app: str, dataset: str) -> None:
        """A run the market would refuse: grant that app access to that data first, on the iApps page."""
        self.go_to(self._page_number("apps"))
        self.apps_page.search.clear()
        self.apps_page.select(app)
        self.apps_page.grant_selected(dataset)

    def _open(self) -> None:
        if self.root.currentWidget() is self.main_view:
            self.go_to(0)
            self.protected_page.open_files()

    def _open_folder(self) -> None:
        if self.root.currentWidget() is self.main_view:
            self.go_to(0)
            self.protected_page.open_folder()

    def _open_record_form(self) -> None:
        if self.root.currentWidget() is self.main_view:
            self.go_to(0)
            self.protected_page.open_record_form()

    def refresh(self) -> None:
        """F5: read the current page again from the network."""
        page = self.pages.currentWidget()
        refresh = getattr(page, "refresh", None)  # every page that reads the network has one
        if callable(refresh):
            refresh()

    def notify(self, message: str) -> None:
        """A short confirmation in the status bar ("Access granted to …"); never a secret."""
        self.statusBar().showMessage(message, NOTICE_MS)

    def toggle_lock(self) -> None:
        if self.state.session is None:
            return
        if self.state.poll_lock():
            self.state.lock()
            return
        state, window = self.state, self

        async def work(_operation: Operation) -> None:
            await state.unlocked(window, self.tr("to sign with it."))

        self.runner.run(self.tr("Unlock"), work, progress="inline")

    # -- drag and drop ------------------------------------------------------------------------

    def _accepts_drops(self) -> bool:
        return self.root.currentWidget() is self.main_view

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._accepts_drops() and dropped_paths(event):
            event.acceptProposedAction()
            self.protected_page.set_drop_active(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._accepts_drops() and dropped_paths(event):
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.protected_page.set_drop_active(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self.protected_page.set_drop_active(False)
        paths = dropped_paths(event)
        if not self._accepts_drops() or not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.go_to(0)
        self.protected_page.protect_paths(paths)

    # -- activity, closing --------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Any key press or click in the app counts as activity: it postpones the idle auto-lock. The
        first paint of this window is announced once (``first_painted``)."""
        if (
            not self._painted
            and event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and watched.window() is self
        ):
            self._painted = True
            self.first_painted.emit()
        if (
            event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress)
            and self.state.session is not None
        ):
            self.state.session.touch()
        return False

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._quitting or not self.runner.busy_with_cancellable_work:
            self._shutdown()
            event.accept()
            return
        event.ignore()
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Quit while working?"),
            self.tr("A protect is still running."),
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText(
            self.tr("If you quit now it stops, and you can resume it later from the step it reached.")
        )
        quit_button = box.addButton(self.tr("Quit anyway"), QMessageBox.ButtonRole.DestructiveRole)
        quit_button.setAccessibleName(self.tr("Quit anyway"))
        box.button(QMessageBox.StandardButton.Cancel).setAccessibleName(self.tr("Keep working"))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        quit_button.clicked.connect(self._quit_anyway)
        box.open()

    def _quit_anyway(self) -> None:
        self._quitting = True
        self.close()

    def _shutdown(self) -> None:
        self.context.settings.set(WINDOW_GEOMETRY, bytes(self.saveGeometry().data()))
        self._lock_timer.stop()
        self.tray.hide()
        self.runner.shutdown()
        self.state.lock()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.closed.emit()
