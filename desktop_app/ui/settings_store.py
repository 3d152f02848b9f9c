"""The settings' storage in the window: QSettings (the platform's usual place), behind core.settings.

QSettings returns what its backend holds: strings from INI files, Qt types elsewhere. Byte strings (the
window geometry) travel as ``QByteArray``; everything else is handed to ``Settings`` as read, and its
declared types do the coercion.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from desktop_app.core.paths import APP_NAME
from desktop_app.core.settings import Settings

ORGANIZATION = "iExec"


class QSettingsStorage:
    def __init__(self, qsettings: QSettings) -> None:
        self.qsettings = qsettings

    def get(self, key: str) -> object | None:
        value = self.qsettings.value(key)
        return value.data() if isinstance(value, QByteArray) else value

    def set(self, key: str, value: bool | int | float | str | bytes) -> None:
        self.qsettings.setValue(key, QByteArray(value) if isinstance(value, bytes) else value)

    def remove(self, key: str) -> None:
        self.qsettings.remove(key)

    def keys(self) -> list[str]:
        return list(self.qsettings.allKeys())


def user_settings() -> Settings:
    """The user's settings, where the platform keeps an app's preferences."""
    return Settings(QSettingsStorage(QSettings(QSettings.Scope.UserScope, ORGANIZATION, APP_NAME)))


def file_settings(path: Path) -> Settings:
    """Settings in one INI file (tests, portable installs)."""
    return Settings(QSettingsStorage(QSettings(str(path), QSettings.Format.IniFormat)))
