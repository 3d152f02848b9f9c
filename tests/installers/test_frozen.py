"""The frozen app's process forms (``desktop_app.frozen``), exercised from source.

A PyInstaller bundle has no ``python -m``: its entry point understands ``-m MODULE`` for the sandbox's
two entry points and ``--run-iapp SCRIPT`` for the sample iApps, and hands everything else to the
``dataprotector-desktop`` console script. The same ``main`` runs here on the source interpreter.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app import __version__, frozen
from tests.installers.conftest import ROOT


def _frozen_main(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    code = f"from desktop_app.frozen import main; raise SystemExit(main({list(args)!r}))"
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        check=False,
    )


def test_helper_processes_keep_their_module_on_the_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    # The launcher recognises its own processes by the module name in their command line.
    expected = [sys.executable, "-m", "desktop_app.sandbox", "--data-dir", "/d"]
    assert frozen.module_argv("desktop_app.sandbox", "--data-dir", "/d") == expected
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert frozen.module_argv("desktop_app.sandbox", "--data-dir", "/d") == expected
    assert frozen.module_argv("desktop_app.sandbox.worker", "--task", "0x1")[1:3] == [
        "-m",
        "desktop_app.sandbox.worker",
    ]
    with pytest.raises(ValueError, match="not one of the app's process entry points"):
        frozen.module_argv("os")


def test_iapps_run_on_the_bundle_python_when_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    app = Path("/bundle/desktop_app/sandbox/iapps/file_stats/app.py")
    assert frozen.script_argv(app) == [sys.executable, str(app)]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert frozen.is_frozen()
    assert frozen.script_argv(app) == [sys.executable, "--run-iapp", str(app)]


def test_run_iapp_runs_a_script_as_main_with_its_folder_on_the_path(tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text("VALUE = 'from the app folder'\n")
    script = tmp_path / "app.py"
    script.write_text(
        "import sys, helper\n"
        "print(__name__, sys.argv[1:], helper.VALUE)\n"
        "if __name__ == '__main__':\n"
        "    sys.exit(3)\n"
    )
    done = _frozen_main("--run-iapp", str(script), "a", "b")
    assert done.returncode == 3, done.stderr
    assert done.stdout.strip() == "__main__ ['a', 'b'] from the app folder"


def test_run_iapp_reports_a_crash_like_python(tmp_path: Path) -> None:
    script = tmp_path / "app.py"
    script.write_text("raise SystemExit('no input file')\n")
    done = _frozen_main("--run-iapp", str(script))
    assert (done.returncode, done.stderr.strip()) == (1, "no input file")


def test_dash_m_starts_the_sandbox_entry_points() -> None:
    daemon = _frozen_main("-m", "desktop_app.sandbox", "--help")
    assert daemon.returncode == 0 and "--data-dir" in daemon.stdout and "--new-ports" in daemon.stdout
    worker = _frozen_main("-m", "desktop_app.sandbox.worker", "--help")
    assert worker.returncode == 0 and "--task" in worker.stdout


def test_anything_else_is_the_dataprotector_desktop_command() -> None:
    done = _frozen_main("--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"dataprotector-desktop {__version__}")
    # -m with a module outside the two entry points is no back door: the command line rejects it.
    refused = _frozen_main("-m", "http.server")
    assert refused.returncode == 2 and "dataprotector-desktop: error:" in refused.stderr
