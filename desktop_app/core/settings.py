"""Every user setting, declared once: its key, type, default and meaning, and how old files are upgraded.

After Electrum's ``ConfigVar`` and napari's settings migrations (ux-anchors §4.6). A setting is a
:class:`Setting` constant below; code reads and writes it only through :class:`Settings`, so a key is
spelled in one place and a value always comes back with the declared type. Values come from a storage
that may hold anything: QSettings returns strings from its INI files, an older version may have written
another type, a person may have edited the file. ``Setting.coerce`` turns what is stored into the
declared type, and falls back to the default for anything it cannot read or that fails the setting's
check, so a bad value never reaches the app (nor crashes it at start).

Stored files carry a schema version. Opening a file runs the migrations it has not had yet, in order
(``MIGRATIONS[n]`` upgrades version ``n`` to ``n + 1``), and records the new version. A file written by a
newer app is left as it is and read with the same coercion.

Qt-free and cheap to import (the window reads the theme before its splash): the storage is a small
protocol, implemented over QSettings by ``desktop_app.ui.settings_store`` and over a dict for tests.
Secrets never go here; a password is remembered only in the OS keyring (core.wallet.keyring_policy).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar, cast
from urllib.parse import urlsplit

from desktop_app.core.errors import UserFacingError

log = logging.getLogger(__name__)

T = TypeVar("T", bool, int, float, str, bytes)

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


class Storage(Protocol):
    """Where values live: a flat map of ``section/name`` keys to plain values."""

    def get(self, key: str) -> object | None: ...

    def set(self, key: str, value: bool | int | float | str | bytes) -> None: ...

    def remove(self, key: str) -> None: ...

    def keys(self) -> list[str]: ...


class DictStorage:
    """A storage in memory, for unit tests and for a window that must not touch the user's settings."""

    def __init__(self, values: dict[str, object] | None = None) -> None:
        self.values: dict[str, object] = dict(values or {})

    def get(self, key: str) -> object | None:
        return self.values.get(key)

    def set(self, key: str, value: bool | int | float | str | bytes) -> None:
        self.values[key] = value

    def remove(self, key: str) -> None:
        self.values.pop(key, None)

    def keys(self) -> list[str]:
        return list(self.values)


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One setting. ``problem`` says why a value is unacceptable ("" when it is fine); ``choices``, when
    given, are the only values allowed."""

    key: str
    default: T
    description: str
    choices: tuple[T, ...] = ()
    problem: Callable[[T], str] | None = None

    def check(self, value: T) -> str:
        """Why ``value`` cannot be stored ("" when it can)."""
        if self.choices and value not in self.choices:
            return f"choose one of {', '.join(map(str, self.choices))}"
        return self.problem(value) if self.problem is not None else ""

    def coerce(self, raw: object) -> T:
        """``raw`` as this setting's type, or the default when it is missing, unreadable or unacceptable."""
        if raw is None:
            return self.default
        value = _as(type(self.default), raw)
        if value is None or self.check(cast(T, value)):
            log.warning("Setting %s: ignoring a stored value that is not valid; using the default", self.key)
            return self.default
        return cast(T, value)


def _as(kind: type, raw: object) -> bool | int | float | str | bytes | None:
    """``raw`` converted to ``kind`` where the conversion is unambiguous, else None."""
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower() if isinstance(raw, str | int) else ""
        return True if text in _TRUE else False if text in _FALSE else None
    if kind is int:
        if isinstance(raw, bool):
            return None
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        try:
            return int(raw.strip()) if isinstance(raw, str) else None
        except ValueError:
            return None
    if kind is float:
        if isinstance(raw, bool):
            return None
        if not isinstance(raw, str | int | float):
            return None
        try:
            number = float(raw.strip() if isinstance(raw, str) else raw)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    if kind is str:
        return raw if isinstance(raw, str) else None
    if kind is bytes:
        return bytes(raw) if isinstance(raw, bytes | bytearray) else None
    raise TypeError(f"settings cannot hold a {kind.__name__}")


def _positive(seconds: float) -> str:
    return "" if seconds > 0 else "it must be longer than zero"


def _http_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "give an address that starts with https:// (or http:// for a PCCS on your network)"
    return ""


def _network_name(name: str) -> str:
    return "" if name and name.replace("-", "").isalnum() and name == name.lower() else "not a network name"


NETWORK: Setting[str] = Setting(
    "network/name",
    "local",  # core.iexec.network.DEFAULT_PROFILE (not imported: that module pulls in web3's helpers)
    "The network the window opens on",
    problem=_network_name,
)
AUTO_LOCK_SECONDS: Setting[float] = Setting(
    "security/auto_lock_seconds",
    300.0,  # core.wallet.session.DEFAULT_IDLE_TIMEOUT (not imported, for the same reason)
    "Lock the account after this long without any activity",
    problem=_positive,
)
REMEMBER_PASSWORD: Setting[bool] = Setting(
    "security/remember_password",
    True,
    "Offer to remember the account password in the system keyring",
)
THEME: Setting[str] = Setting(
    "appearance/theme",
    "system",
    "Follow the system's light or dark theme, or force one",
    choices=("system", "light", "dark"),
)
PCS_URL: Setting[str] = Setting(
    "attestation/pcs_url",
    "https://api.trustedservices.intel.com",  # core.attestation.pcs.INTEL_PCS
    "Where expired attestation collateral is refreshed from: Intel's PCS or your own PCCS",
    problem=_http_url,
)
WINDOW_GEOMETRY: Setting[bytes] = Setting(
    "window/geometry", b"", "The main window's size and place, as Qt saves it"
)
LAST_ACCOUNT: Setting[str] = Setting("wallet/last_account", "", "The account the window opens with")

ALL: tuple[Setting[bool] | Setting[int] | Setting[float] | Setting[str] | Setting[bytes], ...] = (
    NETWORK,
    AUTO_LOCK_SECONDS,
    REMEMBER_PASSWORD,
    THEME,
    PCS_URL,
    WINDOW_GEOMETRY,
    LAST_ACCOUNT,
)

SCHEMA_KEY = "meta/schema_version"


def _rename(storage: Storage, old: str, new: str) -> None:
    """Move a value to its new key; a value already under the new key wins."""
    value = storage.get(old)
    if value is None:
        return
    if storage.get(new) is None and isinstance(value, bool | int | float | str | bytes):
        storage.set(new, value)
    storage.remove(old)


def _v1_named_keys(storage: Storage) -> None:
    """Version 0 (before settings were declared) kept the last account under ``wallet/account``."""
    _rename(storage, "wallet/account", LAST_ACCOUNT.key)


MIGRATIONS: tuple[Callable[[Storage], None], ...] = (_v1_named_keys,)
SCHEMA_VERSION = len(MIGRATIONS)


def stored_version(storage: Storage) -> int:
    version = _as(int, storage.get(SCHEMA_KEY))
    return version if isinstance(version, int) and version >= 0 else 0


def migrate(storage: Storage) -> int:
    """Bring ``storage`` up to :data:`SCHEMA_VERSION`; returns the version it had."""
    version = stored_version(storage)
    for number in range(version, SCHEMA_VERSION):
        MIGRATIONS[number](storage)
        storage.set(SCHEMA_KEY, number + 1)
        log.info("Settings upgraded to version %d", number + 1)
    return version


class Settings:
    """The declared settings over one storage, migrated when opened."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        migrate(storage)

    def get(self, setting: Setting[T]) -> T:
        return setting.coerce(self.storage.get(setting.key))

    def set(self, setting: Setting[T], value: T) -> None:
        """Store ``value``; an unacceptable one raises ``UserFacingError`` and changes nothing."""
        if type(value) is not type(setting.default):
            raise TypeError(f"{setting.key} holds a {type(setting.default).__name__}")
        if problem := setting.check(value):
            raise UserFacingError(f"{setting.description}: {value!r} cannot be used.", problem)
        self.storage.set(setting.key, value)

    def reset(self, setting: Setting[T]) -> None:
        self.storage.remove(setting.key)
