"""Where the app's data files (``resources/``: network profiles, contract ABIs, ...) are found.

They are data, not code, so they live beside the package rather than inside it: a network is added by
dropping a JSON file in ``resources/networks/``. The folder is looked up, in this order:

1. ``DATAPROTECTOR_RESOURCES_DIR``, to run the app (or a test) against another set of profiles;
2. ``resources/`` inside a frozen PyInstaller bundle (``sys._MEIPASS``);
3. ``resources/`` at the root of a source checkout;
4. ``share/dataprotector-desktop/resources`` under the Python prefix, where a wheel install puts the
   ``data-files`` declared in ``pyproject.toml``.

The path is computed on each call, never cached, so a changed environment takes effect at once.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from desktop_app.core.errors import UserFacingError

ENV_VAR = "DATAPROTECTOR_RESOURCES_DIR"
_INSTALLED = Path("share") / "dataprotector-desktop" / "resources"


def resources_dir() -> Path:
    """The folder holding ``networks/`` and ``abi/``; see the module docstring for the search order."""
    if env := os.environ.get(ENV_VAR):
        return Path(env)
    if frozen_root := getattr(sys, "_MEIPASS", None):
        return Path(frozen_root) / "resources"
    source_tree = Path(__file__).resolve().parents[2] / "resources"
    if source_tree.is_dir():
        return source_tree
    return Path(sys.prefix) / _INSTALLED


def resource_path(*parts: str) -> Path:
    """A file under ``resources/``; a missing one means a broken installation, said in plain words."""
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise UserFacingError(
            f"The app's data file {'/'.join(parts)} is missing (looked in {resources_dir()}).",
            f"reinstall the app, or point {ENV_VAR} at a complete resources folder",
        )
    return path
