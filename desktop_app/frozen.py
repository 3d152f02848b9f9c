"""The app's own processes, started the same way from source and from an installed (frozen) bundle.

From source, a helper process is ``python -m MODULE …`` and a sample iApp is ``python app.py``. A
PyInstaller bundle has no interpreter to give ``-m`` to: ``sys.executable`` *is* the app. So the bundle's
entry point (``main`` below, from ``installers/pyinstaller/entry.py``) understands two hidden forms
before handing everything else to the normal command line:

    dataprotector-desktop -m desktop_app.sandbox …          the sandbox daemon
    dataprotector-desktop -m desktop_app.sandbox.worker …   one task's worker
    dataprotector-desktop --run-iapp PATH/app.py            a sample iApp (stdlib only) on the bundle's Python

The module names stay on the command line on purpose: the launcher recognises its own processes (and
never a recycled PID) by finding them there. Only the modules in ``ENTRY_POINTS`` can be started this
way. Anything else runs the ``dataprotector-desktop`` console script declared in ``pyproject.toml``
(read from the bundled metadata), so the bundle starts exactly what ``pip install`` would. Entry points
are imported by name, so that the modules which build these command lines (in ``core``) never depend
on the sandbox or on the front ends above them.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import runpy
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import cast

RUN_IAPP = "--run-iapp"
# module given to ``-m`` → the module whose ``main(argv)`` it runs (what its ``__main__`` runs).
ENTRY_POINTS = {
    "desktop_app.sandbox": "desktop_app.sandbox.daemon",
    "desktop_app.sandbox.worker": "desktop_app.sandbox.worker.task",
}
DISTRIBUTION = COMMAND = "dataprotector-desktop"
FALLBACK_ENTRY = "desktop_app.cli.main"  # when no metadata is bundled


def is_frozen() -> bool:
    """True inside a PyInstaller bundle (and any freezer that sets ``sys.frozen``)."""
    return bool(getattr(sys, "frozen", False))


def module_argv(module: str, *args: str) -> list[str]:
    """The command line that runs ``python -m module args…``, frozen or not."""
    if module not in ENTRY_POINTS:
        raise ValueError(f"{module} is not one of the app's process entry points")
    return [sys.executable, "-m", module, *args]


def script_argv(script: Path) -> list[str]:
    """The command line that runs a stdlib-only Python script (a sample iApp), frozen or not."""
    if is_frozen():
        return [sys.executable, RUN_IAPP, str(script)]
    return [sys.executable, str(script)]


def _entry(module: str) -> Callable[[list[str]], int]:
    return cast(Callable[[list[str]], int], importlib.import_module(module).main)


def _console_script() -> Callable[[], object]:
    """The function ``pip`` would make the ``dataprotector-desktop`` command call."""
    try:
        points = importlib.metadata.distribution(DISTRIBUTION).entry_points
    except importlib.metadata.PackageNotFoundError:
        points = importlib.metadata.EntryPoints()
    for point in points:
        if point.group == "console_scripts" and point.name == COMMAND:
            return cast(Callable[[], object], point.load())
    return cast(Callable[[], object], importlib.import_module(FALLBACK_ENTRY).main)


def _exit_code(result: object) -> int:
    """What ``sys.exit(result)`` would exit with."""
    if result is None:
        return 0
    if isinstance(result, int):
        return result
    print(result, file=sys.stderr)
    return 1


def _ensure_std_streams() -> None:
    """A windowed Windows/macOS bundle may start with no ``sys.stdout``; helper processes log to it."""
    for name, fd in (("stdout", 1), ("stderr", 2)):
        if getattr(sys, name) is None:
            try:
                stream = open(fd, "w", encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
            except OSError:
                stream = Path(os.devnull).open("w", encoding="utf-8")  # noqa: SIM115
            setattr(sys, name, stream)


def run_script(script: str, args: Sequence[str] = ()) -> int:
    """Run a script as ``python script args…`` would: as ``__main__``, its folder first on ``sys.path``."""
    path = Path(script).resolve()
    sys.argv = [str(path), *args]
    sys.path.insert(0, str(path.parent))
    try:
        runpy.run_path(str(path), run_name="__main__")
    except SystemExit as e:
        return _exit_code(e.code)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """The bundle's entry point: the hidden process forms above, else the ``dataprotector-desktop`` script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) >= 2 and args[0] == "-m" and args[1] in ENTRY_POINTS:
        _ensure_std_streams()
        sys.argv = [args[1], *args[2:]]
        return _entry(ENTRY_POINTS[args[1]])(args[2:])
    if len(args) >= 2 and args[0] == RUN_IAPP:
        _ensure_std_streams()
        return run_script(args[1], args[2:])
    sys.argv = [sys.argv[0] if sys.argv else COMMAND, *args]
    return _exit_code(_console_script()())
