"""Optionally remembering a keystore password in the OS keyring, and failing closed when that is unsafe.

Only the password goes to the keyring, never a key, and only when the user ticks "remember". Only the
OS stores below are used, each instantiated directly: going through keyring's default chooser could land
on a file backend (keyrings.alt writes passwords in plain text when pycryptodome is missing, see
desktop-engineering.md §3). ``PYTHON_KEYRING_BACKEND`` may pick one of them, nothing else.

When no allowed store works (no D-Bus session, a locked collection, any keyring error) the feature turns
itself off and says why through ``status``; the app then asks for the password at every unlock. None of
these failures reaches the caller as an exception. Once a backend has failed it is not tried again until
``retry()``, so a broken keyring does not cost a D-Bus round-trip (or a prompt) at every unlock.

Keyring calls may block on D-Bus: run them off the GUI thread like the KDF.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # keyring loads when a backend is first chosen: startup budget, see ui/app.py
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE_NAME = "DataProtector Desktop"
ENV_VARIABLE = "PYTHON_KEYRING_BACKEND"

ALLOWED_BACKENDS = (
    "keyring.backends.SecretService.Keyring",
    "keyring.backends.kwallet.DBusKeyring",
    "keyring.backends.macOS.Keyring",
    "keyring.backends.Windows.WinVaultKeyring",
)
"""OS-provided secret stores; the order is the order of preference within a platform."""

_PLATFORM_BACKENDS = {
    "linux": ALLOWED_BACKENDS[:2],
    "darwin": ALLOWED_BACKENDS[2:3],
    "win32": ALLOWED_BACKENDS[3:],
}


@dataclass(frozen=True)
class KeyringStatus:
    """Whether "remember password" can be offered, and if not, why (for the UI to show)."""

    available: bool
    backend: str = ""
    reason: str = ""

    @property
    def message(self) -> str:
        if self.available:
            return f"remember password: stored in {self.backend}"
        return f"remember password unavailable: {self.reason}"


class PasswordMemory:
    """The "remember password" feature over one allow-listed keyring backend (or none).

    Pass ``backend`` to use that object as is (tests inject an in-memory one; no global keyring state is
    touched). Otherwise the first viable allow-listed backend for this platform is chosen on first use.
    """

    def __init__(
        self,
        backend: KeyringBackend | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        service: str = SERVICE_NAME,
    ) -> None:
        self._injected = backend
        self._environ = os.environ if environ is None else environ
        self._service = service
        self._lock = threading.Lock()
        self._backend: KeyringBackend | None = None
        self._status: KeyringStatus | None = None

    def __repr__(self) -> str:
        """Shows the last known status only: a repr must not go looking for a keyring over D-Bus."""
        known = self._status.message if self._status is not None else "not checked yet"
        return f"PasswordMemory({known!r})"

    @property
    def status(self) -> KeyringStatus:
        with self._lock:
            return self._ensure_status()

    def retry(self) -> KeyringStatus:
        """Forget a previous failure and look for a backend again (e.g. once the user unlocked it)."""
        with self._lock:
            self._backend, self._status = None, None
            return self._ensure_status()

    def remember(self, address: str, password: str) -> KeyringStatus:
        """Store the password of ``address``; the returned status says whether it worked."""
        self._call(
            "store the password",
            lambda backend: backend.set_password(self._service, _user(address), password),
        )
        return self.status

    def recall(self, address: str) -> str | None:
        """The remembered password of ``address``, or None (nothing remembered, or the keyring failed)."""
        found = self._call(
            "read the password", lambda backend: backend.get_password(self._service, _user(address))
        )
        return found if isinstance(found, str) else None

    def forget(self, address: str) -> None:
        """Remove a remembered password, e.g. after it turned out to be wrong. Missing is fine."""

        def delete(backend: KeyringBackend) -> None:
            if backend.get_password(self._service, _user(address)) is not None:
                backend.delete_password(self._service, _user(address))

        self._call("delete the password", delete)

    def _call(self, action: str, operation: Callable[[KeyringBackend], object]) -> object:
        with self._lock:
            backend = self._ready_backend()
        if backend is None:
            return None
        try:
            return operation(backend)
        except Exception as exc:  # any failure of the OS store only disables the convenience feature
            reason = f"could not {action} ({type(exc).__name__}: {exc})"
            log.warning("Keyring turned off: %s", reason)
            with self._lock:
                self._backend = None
                self._status = KeyringStatus(False, _name(type(backend)), reason)
            return None

    def _ready_backend(self) -> KeyringBackend | None:
        self._ensure_status()
        return self._backend

    def _ensure_status(self) -> KeyringStatus:
        if self._status is None:
            if self._injected is not None:
                self._backend = self._injected
                self._status = KeyringStatus(True, _name(type(self._injected)))
            else:
                self._backend, self._status = _choose_backend(self._environ)
            log.info("Keyring: %s", self._status.message)
        return self._status


def _choose_backend(environ: Mapping[str, str]) -> tuple[KeyringBackend | None, KeyringStatus]:
    forced = environ.get(ENV_VARIABLE, "").strip()
    if forced and forced not in ALLOWED_BACKENDS:
        return None, KeyringStatus(False, reason=f"{ENV_VARIABLE}={forced} is not an allowed OS keyring")
    candidates = (forced,) if forced else _PLATFORM_BACKENDS.get(sys.platform, ALLOWED_BACKENDS[:2])
    problems: list[str] = []
    for name in candidates:
        try:
            backend_class = _load(name)
            backend_class.priority  # noqa: B018 - keyring's viability check raises with the reason
            backend = backend_class()
        except Exception as exc:  # an unusable backend is a reason to show, not an error to raise
            problems.append(f"{name.rsplit('.', 2)[-2]}: {exc or type(exc).__name__}")
            continue
        return backend, KeyringStatus(True, name)
    return None, KeyringStatus(False, reason="no secure OS keyring (" + "; ".join(problems) + ")")


def _load(dotted_name: str) -> type[KeyringBackend]:
    from keyring.backend import KeyringBackend

    module_name, _, class_name = dotted_name.rpartition(".")
    backend_class = getattr(importlib.import_module(module_name), class_name)
    if not (isinstance(backend_class, type) and issubclass(backend_class, KeyringBackend)):
        raise TypeError(f"{dotted_name} is not a keyring backend")
    return backend_class


def _name(backend_class: type) -> str:
    return f"{backend_class.__module__}.{backend_class.__qualname__}"


def _user(address: str) -> str:
    """Key entries by lowercase address so any casing of the same account finds the same password."""
    return address.lower()
