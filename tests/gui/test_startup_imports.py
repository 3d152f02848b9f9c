"""The window paints before the protocol libraries load: a structural guard for the startup budget.

web3 with eth_account, aiohttp and pydantic, eth_utils, eth_abi and httpx take most of a second to
import, several times the 0.5 s the issue allows from launch to the painted window (see ``ui/app.py``).
Each test runs a fresh interpreter, so what it finds in ``sys.modules`` is exactly what importing or
opening the window loaded; a module-level import of any of these, anywhere the window reaches, fails it.
Connecting then loads them in a worker thread, so that no operation first imports them on the GUI
thread. Figures live in ``tests/bench/bench_gui_start.py``; these tests never time anything.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from desktop_app.core.localnet import control
from desktop_app.core.localnet.endpoints import SandboxEndpoints
from desktop_app.core.wallet import Wallet
from desktop_app.ui import network
from tests.gui.conftest import FAST_SCRYPT, PASSWORD

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    "web3",
    "eth_account",
    "eth_keyfile",
    "eth_keys",
    "py_ecc",
    "aiohttp",
    "requests",
    "pydantic",
    "eth_utils",
    "eth_abi",
    "httpx",
    "keyring",
)

IMPORT_ONLY = """
import json, sys
import desktop_app.ui.app, desktop_app.ui.main_window
print(json.dumps({"loaded": sorted(m for m in sys.argv[1:] if m in sys.modules)}))
"""

# The window as the app opens it, on an account that exists (or on the first run), up to its first
# paint; the network never connects, as before the background connection ends.
OPEN_WINDOW = """
import asyncio, json, sys
from pathlib import Path

import qasync
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from desktop_app.core.store.database import Database
from desktop_app.core.store.protect_jobs import ProtectJobs
from desktop_app.core.wallet import PasswordMemory, Wallet
from desktop_app.ui.context import AppContext
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.settings_store import file_settings


async def never_connects(_name, _report):
    await asyncio.Event().wait()


class FirstPaint(QObject):
    def __init__(self):
        super().__init__()
        self.painted = asyncio.Event()

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and watched is window:
            self.painted.set()
        return False


home = Path(sys.argv[1])
app = QApplication([])
loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)
probe = FirstPaint()
app.installEventFilter(probe)
context = AppContext(
    wallet=Wallet(home / "wallet"),
    jobs=ProtectJobs(Database(home / "app.sqlite3")),
    memory=PasswordMemory(),
    work_dir=home / "work",
    settings=file_settings(home / "settings.ini"),
    connect=never_connects,
)
window = MainWindow(context)
window.show()
window.start()
with loop:
    loop.run_until_complete(asyncio.wait_for(probe.painted.wait(), 60))
    print(json.dumps({
        "first_run": window.root.currentWidget() is window.first_run,
        "loaded": sorted(m for m in sys.argv[2:] if m in sys.modules),
    }))
"""


def run_fresh(code: str, *args: str) -> dict[str, object]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_API": "pyside6"}
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_importing_the_window_loads_no_protocol_library() -> None:
    assert run_fresh(IMPORT_ONLY, *HEAVY) == {"loaded": []}


@pytest.mark.parametrize("with_account", [True, False], ids=["account", "first-run"])
def test_the_window_paints_without_the_protocol_libraries(tmp_path: Path, with_account: bool) -> None:
    if with_account:
        wallet = Wallet(tmp_path / "wallet", scrypt_n=FAST_SCRYPT)
        wallet.import_private_key("0x" + "4c" * 32, PASSWORD, "Main")
    result = run_fresh(OPEN_WINDOW, str(tmp_path), *HEAVY)
    assert result == {"first_run": not with_account, "loaded": []}


def test_connecting_loads_the_protocol_libraries_off_the_gui_thread(
    monkeypatch: pytest.MonkeyPatch, sandbox: SandboxEndpoints, sandbox_dir: Path
) -> None:
    monkeypatch.setenv(control.DATA_DIR_ENV, str(sandbox_dir))
    loaded_in: list[int] = []
    load = network._import_protocol_libraries
    monkeypatch.setattr(
        network, "_import_protocol_libraries", lambda: (loaded_in.append(threading.get_ident()), load())
    )
    connection = asyncio.run(network.connect_network("local", lambda _event: None))
    assert connection.profile.rpc == sandbox.rpc
    assert len(loaded_in) == 1 and loaded_in[0] != threading.get_ident()
