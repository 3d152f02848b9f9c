"""Launching: no command opens the window (and only then is Qt imported), and quitting leaves the local
sandbox as it was found: stopped if this app started it, running if it was already running."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.cli import main as cli
from desktop_app.core.localnet import control
from desktop_app.core.localnet.endpoints import SandboxEndpoints
from desktop_app.flows.progress import Event
from desktop_app.ui import app as gui
from desktop_app.ui.network import START_SANDBOX, connect_network, disconnect

ROOT = Path(__file__).resolve().parents[2]


def test_no_command_opens_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[list[str]] = []
    monkeypatch.setattr(gui, "main", lambda argv: opened.append(list(argv)) or 0)
    assert cli.main([]) == 0
    assert len(opened) == 1


def test_commands_never_import_qt() -> None:
    probe = (
        "import sys\n"
        "from desktop_app.cli.main import build_parser\n"
        "build_parser(['--help']).parse_args(['wallet', 'list'])\n"  # every command module registered
        "assert not [m for m in sys.modules if m.startswith(('PySide6', 'qasync'))], 'Qt was imported'\n"
    )
    subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True, timeout=120)


def test_a_running_sandbox_is_used_and_left_running(
    monkeypatch: pytest.MonkeyPatch, sandbox: SandboxEndpoints, sandbox_dir: Path
) -> None:
    monkeypatch.setenv(control.DATA_DIR_ENV, str(sandbox_dir))
    events: list[Event] = []
    connection = asyncio.run(connect_network("local", events.append))
    assert not connection.started_sandbox
    assert connection.profile.rpc == sandbox.rpc
    assert [e.step for e in events] == [START_SANDBOX, START_SANDBOX]
    assert disconnect(connection) == []
    assert control.running_endpoints(sandbox_dir) is not None


@pytest.mark.slow
def test_a_sandbox_the_app_started_is_stopped_on_quit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data_dir = tmp_path / "own-sandbox"
    monkeypatch.setenv(control.DATA_DIR_ENV, str(data_dir))
    connection = asyncio.run(connect_network("local", lambda _event: None))
    try:
        assert connection.started_sandbox and control.running_endpoints(data_dir) is not None
    finally:
        stopped = disconnect(connection)
    assert stopped and control.running_endpoints(data_dir) is None
