"""Where the sandbox's npm parts live, and a clear error when one is missing.

The parts (anvil, PoCo artifacts, the compiled DataProtector contract) are assembled at set-up time by
``tools/build_parts.py`` into one folder: ``.parts/`` in a source checkout, ``parts/`` inside a frozen
bundle, or wherever ``DATAPROTECTOR_PARTS_DIR`` points.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.core.errors import UserFacingError

SETUP_HINT = "run `make parts` in the project folder (or reinstall the app) to restore it"


def parts_dir() -> Path:
    if env := os.environ.get("DATAPROTECTOR_PARTS_DIR"):
        return Path(env)
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "parts"
    return Path(__file__).resolve().parents[2] / ".parts"


@dataclass(frozen=True)
class Parts:
    root: Path

    @classmethod
    def locate(cls) -> Parts:
        """Find the parts and check every file the set-up recorded is still there."""
        root = parts_dir()
        manifest = root / "manifest.json"
        if not manifest.is_file():
            raise UserFacingError(f"The local sandbox's npm parts are missing (no {manifest}).", SETUP_HINT)
        files = json.loads(manifest.read_text())["files"]
        missing = sorted(name for name in files if not (root / name).is_file())
        if missing:
            raise UserFacingError(
                f"The local sandbox's npm parts are incomplete: {', '.join(missing)} missing in {root}.",
                SETUP_HINT,
            )
        return cls(root)

    @property
    def anvil(self) -> Path:
        exe = "anvil.exe" if sys.platform == "win32" else "anvil"
        return self.root / "bin" / exe

    def poco_artifact(self, name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.root / "poco" / f"{name}.json").read_text())
        return data

    def dataprotector_artifact(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.root / "DataProtector.json").read_text())
        return data
