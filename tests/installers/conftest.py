"""Shared by the installer tests: the repository's paths, the installer modules, the Debian tools."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALLERS = ROOT / "installers"
TOOLS = ("debootstrap", "desktop-file-validate", "makensis", "osslsigncode", "objdump", "shellcheck")


def load(relative: str) -> ModuleType:
    """Import one of the installers' stdlib-only modules by its path (``installers`` is not a package)."""
    path = INSTALLERS / relative
    spec = importlib.util.spec_from_file_location(f"installers_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def build_tools() -> None:
    """The Debian tools the installer builds use, installed by the project's own script when missing."""
    if all(shutil.which(tool) for tool in TOOLS):
        return
    if os.geteuid() != 0:
        pytest.skip(
            f"needs {', '.join(t for t in TOOLS if not shutil.which(t))}: run as root to install them"
        )
    subprocess.run([str(INSTALLERS / "linux" / "install-build-deps.sh")], check=True, timeout=900)
