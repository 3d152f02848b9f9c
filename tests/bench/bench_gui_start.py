"""Cold start of the window: from process spawn to the first painted frame, as a user launches it.

Run from the project root: ``.venv/bin/python tests/bench/bench_gui_start.py [--runs 7]``.

Each run spawns ``python -m desktop_app`` (no command: the window), exactly the user's entry point,
through a probe that only adds an application-wide event filter: it notes the first paint of any window
(the splash) and the first paint of the main window with its pages, prints both times since the spawn,
and ends the process. The reference, measured in the same run, is the floor the issue names: a bare
Qt window (``QApplication`` + one ``QLabel``) from spawn to its first paint. The target is the main
window painted within 0.5 s (median).

The app runs on a real X server (Xvfb, when installed; else offscreen) with an empty home folder, and
on ``local`` against a sandbox this script starts once, so no run pays for a sandbox start (which the
window does in the background anyway). Python's bytecode is cached (in the temporary folder) as in an
installed app, even where ``PYTHONDONTWRITEBYTECODE`` is set: otherwise every run would compile the
app's modules again. The figures are medians; the first run warms the disk and bytecode caches and is
dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from desktop_app.core.localnet import control  # noqa: E402
from tests.support import xvfb  # noqa: E402

# The probe: the app's own entry point, plus a filter that reports first paints. ``SPAWNED`` is the
# parent's wall clock just before the spawn, so interpreter start-up and every import are counted.
PROBE = r"""
import json, os, sys, time
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

spawned = float(os.environ["SPAWNED"])
seen = {}

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and watched.isWidgetType():
            now = time.time() - spawned
            seen.setdefault("first_paint", now)
            if isinstance(watched.window(), QMainWindow) and watched.window().isVisible():
                seen["main_window"] = now
                print(json.dumps(seen), flush=True)
                os._exit(0)
        return False

app = QApplication(sys.argv[:1])
probe = FirstPaint()
app.installEventFilter(probe)
from desktop_app.cli.main import main
sys.exit(main([]))
"""

BARE = r"""
import json, os, sys, time
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel

spawned = float(os.environ["SPAWNED"])

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and watched.isWidgetType():
            print(json.dumps({"first_paint": time.time() - spawned}), flush=True)
            os._exit(0)
        return False

app = QApplication(sys.argv[:1])
probe = FirstPaint()
app.installEventFilter(probe)
label = QLabel("Hello")
label.show()
app.exec()
"""


@contextmanager
def display() -> Iterator[dict[str, str]]:
    """A private Xvfb display when installed (what a desktop gives), else Qt's offscreen platform."""
    if not xvfb.available():
        yield {"QT_QPA_PLATFORM": "offscreen"}
        return
    with xvfb.private_display(120) as name:
        yield {"QT_QPA_PLATFORM": "xcb", "DISPLAY": name}


def spawn(code: str, env: dict[str, str]) -> dict[str, float]:
    env = {**env, "SPAWNED": repr(time.time())}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise SystemExit(f"the probe failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp, display() as screen:
        sandbox_dir = Path(tmp) / "sandbox"
        control.up(sandbox_dir)
        try:
            base = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "QT_"))}
            base.pop("PYTHONDONTWRITEBYTECODE", None)
            env = {
                **base,
                **screen,
                "HOME": tmp,
                "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache"),
                "QT_API": "pyside6",
                "DBUS_SESSION_BUS_ADDRESS": "disabled:",
                control.DATA_DIR_ENV: str(sandbox_dir),
            }
            bare, splash, window = [], [], []
            for run in range(runs + 1):
                b, a = spawn(BARE, env), spawn(PROBE, env)
                if run == 0:
                    continue  # warms the page cache
                bare.append(b["first_paint"])
                splash.append(a["first_paint"])
                window.append(a["main_window"])
        finally:
            control.down(sandbox_dir)
    ref = statistics.median(bare)
    platform = screen["QT_QPA_PLATFORM"]
    print(f"cold start, {runs} runs, platform {platform} (medians; MB = 10^6 B)")
    print(f"{'measure':36} {'median s':>9} {'min s':>7} {'x bare Qt':>10}")
    for name, values in (
        ("bare Qt window, first paint (ref)", bare),
        ("app: first painted frame (splash)", splash),
        ("app: main window painted", window),
    ):
        median = statistics.median(values)
        print(f"{name:36} {median:9.3f} {min(values):7.3f} {median / ref:10.2f}")
    target = statistics.median(window)
    print(f"main window painted in {target:.3f} s: {'meets' if target <= 0.5 else 'misses'} the 0.5 s target")


if __name__ == "__main__":
    main()
