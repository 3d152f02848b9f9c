"""``dataprotector-desktop --self-test``, unfrozen: one JSON line, every step timed, nothing left behind.

The installer smoke tests run the same command inside the installed bundle (test_deb.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psutil
import pytest

from desktop_app import __version__
from tests.installers.conftest import ROOT

STEPS = ["sandbox_up", "wallet", "protect", "find_app", "grant", "run", "result", "check_output", "verify"]


def _self_test(tmp_path: Path, **env: str) -> tuple[int, dict[str, Any], str]:
    """Run it as a user would, with no display, no stdin, and its temporary folder under ``tmp_path``."""
    clean = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--self-test"],
        capture_output=True,
        text=True,
        timeout=240,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        env={**clean, "TMPDIR": str(tmp_path), "QT_QPA_PLATFORM": "offscreen", **env},
        check=False,
    )
    lines = done.stdout.splitlines()
    assert len(lines) == 1, f"expected one JSON line, got {done.stdout!r} (stderr {done.stderr!r})"
    return done.returncode, json.loads(lines[0]), done.stderr


def _our_processes(marker: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if any(str(marker) in part for part in process.info["cmdline"] or []):
            found.append(process)
    return found


@pytest.mark.slow
def test_self_test_runs_the_whole_cycle_and_cleans_up(tmp_path: Path) -> None:
    code, report, stderr = _self_test(tmp_path)
    assert code == 0, report
    assert report["ok"] is True and report["frozen"] is False and report["version"] == __version__
    assert list(report["steps"]) == [*STEPS, "sandbox_down"]
    assert all(isinstance(s, float) and s >= 0 for s in report["steps"].values())
    assert report["total"] >= sum(report["steps"].values()) * 0.99
    assert report["dataset"].startswith("0x") and report["task"].startswith("0x")
    assert stderr == ""
    # Its temporary folder (wallet, database, sandbox data) is gone, and so are the sandbox's processes.
    assert list(tmp_path.iterdir()) == []
    assert _our_processes(tmp_path) == []


def test_a_failing_step_is_named_and_the_exit_code_is_not_zero(tmp_path: Path) -> None:
    empty = tmp_path / "no-parts"
    empty.mkdir()
    code, report, _ = _self_test(tmp_path, DATAPROTECTOR_PARTS_DIR=str(empty))
    assert code == 1
    assert report["ok"] is False and report["failed_step"] == "sandbox_up"
    assert "npm parts are missing" in report["error"]
    assert "sandbox_down" in report["steps"]  # the sandbox is always stopped, even after a failure
    assert [p.name for p in tmp_path.iterdir()] == ["no-parts"]


def test_the_self_test_never_loads_qt(tmp_path: Path) -> None:
    empty = tmp_path / "no-parts"
    empty.mkdir()
    code = (
        "import sys\n"
        "from desktop_app.cli.main import main\n"
        "try:\n"
        "    main(['--self-test'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'qasync', 'shiboken6'))\n"
        "print('QT', loaded, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp_path), "DATAPROTECTOR_PARTS_DIR": str(empty)},
        check=False,
    )
    assert "QT []" in done.stderr, done.stderr
