"""End to end in a real window: the app on a private Xvfb display, a new user's first protect, screenshots.

The app runs in a subprocess (``e2e_driver.py``) on the xcb platform, exactly as ``dataprotector-desktop``
starts it, with an empty home folder and the session's sandbox: new wallet, drop a CSV, grant the CSV
iApp, run it and see the result and a fully green verification report, revoke the grant, and see a new
run refused. Screenshots of each screen, in the light and the dark theme, go to ``tests/artifacts/gui/``
for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.localnet.endpoints import SandboxEndpoints
from tests.support import xvfb

pytestmark = pytest.mark.slow
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "gui"
ROOT = Path(__file__).resolve().parents[2]
SCREENS = (
    "welcome",
    "choose",
    "password",
    "recovery-phrase",
    "protected-empty",
    "unlock",
    "protecting",
    "review-protect",
    "protected",
    "iapps",
    "grant",
    "review-grant",
    "run-review",
    "run-timeline",
    "result",
    "report",
    "access",
    "revoke-confirm",
    "review-revoke",
    "revoked",
    "run-refused",
)


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    if not xvfb.available():
        pytest.skip("Xvfb is not installed (make system installs it)")
    with xvfb.private_display() as name:
        yield name


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_new_user_protects_a_file_in_a_real_window(
    display: str, sandbox: SandboxEndpoints, sandbox_dir: Path, tmp_path: Path, theme: str
) -> None:
    shots = tmp_path / "shots"  # copied to ARTIFACTS at the end: concurrent runs never mix their files
    shots.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    statement = tmp_path / "bank-statement.csv"
    statement.write_text("date,label,amount\n2024-01-03,Groceries,-54.20\n2024-01-05,Salary,2100.00\n")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "QT_"))},
        "HOME": str(home),
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "QT_API": "pyside6",
        "DBUS_SESSION_BUS_ADDRESS": "disabled:",  # no keyring prompt, no stray session bus
        "DATAPROTECTOR_SANDBOX_DIR": str(sandbox_dir),
    }
    run = subprocess.run(
        [sys.executable, "-m", "tests.gui.e2e_driver", str(shots), theme, str(statement)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    assert "platform xcb" in run.stdout
    saved = sorted(p.name for p in shots.glob(f"{theme}-*.png"))
    for screen in SCREENS:
        assert any(screen in name for name in saved), f"no screenshot of {screen}: {saved}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{theme}-*.png"):
        old.unlink()
    for shot in shots.glob("*.png"):
        shutil.copy2(shot, ARTIFACTS / shot.name)
    assert sandbox.pid and Path(sandbox_dir, "endpoints.json").exists()  # the app left the sandbox running
