"""``dataprotector-desktop`` with no command: the window, on a qasync loop, on the ``local`` network.

Startup order is chosen for the first painted frame. The QApplication, the theme and a splash come
first, from modules that import only Qt; the window's own modules load while the splash shows, and the
main window replaces it. The network (and the sandbox on ``local``) opens in the background once the
window shows. At quit the window closes, the loop ends, and only then is a sandbox this app started
stopped (nothing is on screen any more).

The startup budget: the window must paint within 0.5 s of launch (``tests/bench/bench_gui_start.py``),
and web3, eth_account (with eth_keyfile and py_ecc), aiohttp, eth_utils (with pydantic), eth_abi,
httpx and keyring take well over a second to import together. So no module the window imports loads
them at module level: core and flows import each of them in the function that uses it, and name their
types under ``TYPE_CHECKING`` (those imports say "deferred: startup budget, see ui/app.py"); addresses
shown before the first paint are checksummed by ``core.eip55``. Connecting to the network then imports
them in a worker thread (``ui.network``), before any operation needs them on the GUI thread.
``tests/gui/test_startup_imports.py`` fails if one of them loads before the window has painted.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QLabel

from desktop_app import __version__
from desktop_app.core.paths import APP_NAME
from desktop_app.core.settings import THEME, Settings
from desktop_app.ui.i18n import install_translations
from desktop_app.ui.settings_store import user_settings
from desktop_app.ui.theme import ThemeMode, apply_theme, is_dark, scaled_font

if TYPE_CHECKING:
    from desktop_app.ui.context import AppContext

log = logging.getLogger(__name__)
SETTLE_TIMEOUT_S = 5.0


def theme_of(settings: Settings) -> ThemeMode:
    return ThemeMode(settings.get(THEME))  # the setting's choices are the modes


def create_application(argv: Sequence[str]) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv))
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("iExec")
    app.setDesktopFileName("dataprotector-desktop")
    app.setQuitOnLastWindowClosed(False)  # the loop ends when the main window says so, not before
    return app


def splash(app: QApplication) -> QLabel:
    """The app's name on the palette's colours, painted at once, while the heavy modules load.

    A plain frameless label rather than ``QSplashScreen``, which waits up to a second for the window
    system to confirm the window is exposed before it paints.
    """
    palette = app.palette()
    screen = QLabel()
    screen.setWindowFlags(Qt.WindowType.SplashScreen | Qt.WindowType.FramelessWindowHint)
    unit = screen.fontMetrics().height()
    ratio = app.devicePixelRatio()
    pixmap = QPixmap(round(unit * 22 * ratio), round(unit * 7 * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(palette.color(QPalette.ColorRole.Window))
    painter = QPainter(pixmap)
    painter.setFont(scaled_font(screen, 1.6, bold=True))
    painter.setPen(palette.color(QPalette.ColorRole.WindowText))
    area = QRect(0, 0, unit * 22, unit * 7)
    painter.drawText(area.adjusted(0, 0, 0, -unit), Qt.AlignmentFlag.AlignCenter, APP_NAME)
    painter.setFont(screen.font())
    painter.setPen(QColor("#9aa0a6") if is_dark(palette) else QColor("#5f6368"))
    painter.drawText(area.adjusted(0, unit * 2, 0, 0), Qt.AlignmentFlag.AlignCenter, "Starting…")
    painter.end()
    screen.setPixmap(pixmap)
    screen.setAccessibleName(f"{APP_NAME} is starting")
    screen.show()
    app.processEvents()
    return screen


async def _settle(loop: asyncio.AbstractEventLoop) -> None:
    """Let cancelled work finish its clean-up (a flow deletes its partial files) before the loop closes;
    a thread that does not stop in time is left to end with the process."""
    current = asyncio.current_task(loop)
    pending = [task for task in asyncio.all_tasks(loop) if task is not current and not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=SETTLE_TIMEOUT_S)


def _collect_later() -> None:
    """After the first paint: what start-up made is kept for good (never scanned again), and the
    collector runs as usual from then on."""
    gc.freeze()
    gc.enable()


def main(argv: Sequence[str] | None = None, context: AppContext | None = None) -> int:
    """Run the app until its window closes; returns the process exit code."""
    gc.disable()  # until the first paint: collections of start-up objects cost ~40 ms (bench_gui_start)
    os.environ.setdefault("QT_API", "pyside6")  # qasync otherwise prefers PyQt if both are installed
    app = create_application(sys.argv if argv is None else argv)
    install_translations(app)
    settings = context.settings if context is not None else user_settings()
    apply_theme(app, theme_of(settings))
    # Read again at each system switch: the theme may have been changed in Settings since.
    QGuiApplication.styleHints().colorSchemeChanged.connect(
        lambda _scheme: apply_theme(app, theme_of(settings))
    )
    starting = splash(app)

    # The heavy part: the wallet and the protocol clients behind the pages (see the module docstring).
    import qasync  # after QT_API is set

    from desktop_app.ui.context import AppContext
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.network import disconnect

    context = context or AppContext.default(settings)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow(context)
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    app.aboutToQuit.connect(closed.set)
    previous_hook = sys.excepthook

    def on_uncaught(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        """An exception escaping a Qt slot is a bug: show the crash report instead of dying silently."""
        log.error("Uncaught exception", exc_info=(kind, error, trace))
        if isinstance(error, Exception):
            window.errors.crash(error)

    sys.excepthook = on_uncaught
    window.first_painted.connect(_collect_later)
    window.show()
    starting.close()
    window.start()
    try:
        with loop:
            loop.run_until_complete(closed.wait())
            loop.run_until_complete(_settle(loop))
    finally:
        sys.excepthook = previous_hook
        if window.state.connection is not None:
            disconnect(window.state.connection)
    return 0
