"""How responsive the window stays: the longest event-loop stall while unlocking and protecting a big file.

Run from the project root: ``.venv/bin/python tests/bench/bench_gui_stall.py [--size-mib 1024]``.

A heartbeat timer ticks every 5 ms on the GUI thread; the longest gap between two ticks, minus the
period, is the longest time the window could not repaint or take a click. The reference measured in the
same run is the same heartbeat on an idle window for as long as the protect took (what the loop and the
machine give when nothing runs). Measured as a person does it, through the real window (offscreen)
connecting as the app does to a sandbox this script starts ("opening": from the first frame until the
pages have read the network), then the unlock dialog with the default keystore (scrypt n=2^18), then the drop
of one file of random bytes, until its row says Protected. Targets: under 100 ms while protecting; the
unlock runs off the GUI thread. The stall figure includes the registration's review dialog opening and
being signed (the time the person takes to sign is not a stall: the loop runs meanwhile).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import qasync  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.localnet import control  # noqa: E402
from desktop_app.core.store.database import Database  # noqa: E402
from desktop_app.core.store.protect_jobs import ProtectJobs  # noqa: E402
from desktop_app.core.wallet import PasswordMemory, Wallet  # noqa: E402
from desktop_app.ui.context import AppContext  # noqa: E402
from desktop_app.ui.main_window import MainWindow  # noqa: E402
from desktop_app.ui.pages.protected_rows import DisplayState  # noqa: E402
from desktop_app.ui.review import ReviewDialog  # noqa: E402
from desktop_app.ui.settings_store import file_settings  # noqa: E402
from desktop_app.ui.theme import apply_theme  # noqa: E402
from desktop_app.ui.unlock import UnlockDialog  # noqa: E402

PASSWORD = "a bench password"
BEAT_MS = 5


class Heartbeat:
    """The longest gap between ticks of a GUI-thread timer, i.e. the longest stall, since ``reset``."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(BEAT_MS)
        self.timer.timeout.connect(self._tick)
        self.reset()
        self.timer.start()

    def reset(self) -> None:
        self.last = time.perf_counter()
        self.worst = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last - BEAT_MS / 1000)
        self.last = now


def write_random(path: Path, size_mib: int) -> None:
    block = os.urandom(1 << 20)
    with path.open("wb") as out:
        for i in range(size_mib):
            out.write(block[i % 256 :] + block[: i % 256])  # not one block repeated: no dedup anywhere


async def until(condition: Callable[[], object], limit_s: float) -> None:
    """Wait until ``condition()``, polling what a person would look at; give up after ``limit_s``."""
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        await asyncio.sleep(0.01)


async def measure(window: MainWindow, beat: Heartbeat, big: Path) -> dict[str, float]:
    page = window.protected_page
    figures: dict[str, float] = {}
    beat.reset()
    await until(lambda: page.index.loaded, 60)
    await asyncio.sleep(3.0)  # the pages read the network once connected
    figures["opening"] = beat.worst

    beat.reset()
    await asyncio.sleep(2.0)
    figures["idle 2 s (ref)"] = beat.worst

    window.toggle_lock()
    await until(lambda: any(isinstance(w, UnlockDialog) and w.isVisible() for w in _all_widgets()), 30)
    dialog = next(w for w in _all_widgets() if isinstance(w, UnlockDialog) and w.isVisible())
    dialog.password.setText(PASSWORD)
    beat.reset()
    start = time.perf_counter()
    dialog.unlock_button.click()
    await until(lambda: window.state.poll_lock(), 30)
    figures["unlock, s"] = time.perf_counter() - start
    figures["unlock"] = beat.worst

    beat.reset()
    start = time.perf_counter()
    page.protect_paths([big])
    await until(lambda: _visible(ReviewDialog), 900)  # the registration, signed as a person does
    review = _visible(ReviewDialog)[-1]
    await until(lambda: review.armed, 10)
    review.sign_button.click()
    await until(lambda: (r := page.selected_row) is not None and r.state == DisplayState.PROTECTED, 900)
    figures["protect, s"] = time.perf_counter() - start
    figures["protect"] = beat.worst

    beat.reset()
    await asyncio.sleep(min(figures["protect, s"], 10))
    figures["idle after (ref)"] = beat.worst
    return figures


def _all_widgets() -> list[object]:
    return [w for top in QApplication.topLevelWidgets() for w in [top, *top.findChildren(UnlockDialog)]]


def _visible(kind: type[ReviewDialog]) -> list[ReviewDialog]:
    return [w for top in QApplication.topLevelWidgets() for w in top.findChildren(kind) if w.isVisible()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=1024)
    size = parser.parse_args().size_mib
    app = QApplication([sys.argv[0]])
    apply_theme(app)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        big = work / "big.bin"
        write_random(big, size)
        endpoints = control.up(work / "sandbox")
        os.environ[control.DATA_DIR_ENV] = str(work / "sandbox")  # the app's own connect finds it running
        try:
            context = AppContext(
                wallet=Wallet(work / "wallet"),  # the default scrypt cost: the real unlock
                jobs=ProtectJobs(Database(work / "app.sqlite3")),
                memory=PasswordMemory(environ={"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}),
                work_dir=work / "work",
                settings=file_settings(work / "settings.ini"),
            )
            context.wallet.import_private_key(endpoints.devAccounts[0].privateKey, PASSWORD, "bench")
            loop = qasync.QEventLoop(app)
            asyncio.set_event_loop(loop)
            window = MainWindow(context)
            window.show()
            window.start()
            beat = Heartbeat()
            with loop:
                figures = loop.run_until_complete(measure(window, beat, big))
            window._quitting = True
            window.close()
        finally:
            control.down(work / "sandbox")
    mb = size * (1 << 20) / 1e6
    print(f"event-loop stalls (heartbeat {BEAT_MS} ms), {size} MiB file, offscreen window on the sandbox")
    print(f"{'phase':24} {'longest stall ms':>17}")
    for name in ("opening", "idle 2 s (ref)", "unlock", "protect", "idle after (ref)"):
        print(f"{name:24} {figures[name] * 1000:17.1f}")
    print(f"unlock took {figures['unlock, s']:.2f} s; protect took {figures['protect, s']:.2f} s "
          f"({mb / figures['protect, s']:.0f} MB/s end to end)")  # fmt: skip
    verdict = "meets" if figures["protect"] < 0.1 else "misses"
    print(f"longest stall while protecting: {figures['protect'] * 1000:.0f} ms, {verdict} the 100 ms target")


if __name__ == "__main__":
    main()
