"""Where the app keeps its files: one folder per user, from platformdirs (XDG on Linux)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "DataProtector Desktop"


def app_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
